"""The run folder: what a training run leaves on disk, for every model of the course (lessons 4-11).

::

    runs/NAME/config.json     what was trained, on what, with which settings (a RunConfig)
    runs/NAME/run.json        status (running, finished, stopped, diverged), seconds, machine, device,
                              precision, code version, dates, the command that repeats it
    runs/NAME/history.csv     one row per epoch: losses, metrics, seconds
    runs/NAME/checkpoint.pt   model, optimisers, schedulers, step, history (written atomically)
    runs/NAME/metrics.json    evaluation results, each naming its judge
    runs/NAME/samples.png     a grid of generated images, when the model generates images
    runs/NAME/audio/          WAV files, when the model generates sound

An existing run is never overwritten silently: :meth:`Run.create` refuses
unless you ``resume`` (continue from its checkpoint, with its own settings
but perhaps more epochs) or ``overwrite``. Every
JSON and CSV file is written atomically.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from ..config import REPO_ROOT, runs_dir
from ..io import read_json, write_json_atomic

STATUSES = ("running", "finished", "stopped", "diverged", "failed")
#: Settings a resumed run may change: how long it trains and when it stops.
RESUMABLE_SETTINGS = ("epochs", "target", "track")
#: History columns that hold text, not numbers (a GAN's collapse warnings: kit.train.callbacks.CollapseWatch).
TEXT_COLUMNS = ("collapse",)


@dataclass
class Run:
    """A run folder: config, status, history, checkpoint, metrics, samples, audio."""

    path: Path

    @classmethod
    def create(
        cls,
        name: str,
        config: dict,
        *,
        resume: bool = False,
        overwrite: bool = False,
        root: Path | None = None,
    ) -> Run:
        """Make ``runs/NAME`` for a new run; an existing one needs ``resume`` or ``overwrite``."""
        path = (root or runs_dir()) / name
        if path.exists() and any(path.iterdir()) and not resume:
            if not overwrite:
                raise FileExistsError(
                    f"run {path} exists: continue it (resume=True, --resume), start it "
                    "again (overwrite=True, --overwrite) or choose another name"
                )
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        run = cls(path)
        if run.config_path.exists() and config:
            changed = _changed_settings(run.config, config) - set(RESUMABLE_SETTINGS)
            if changed:
                raise ValueError(
                    f"run {path} was trained with other settings ({', '.join(sorted(changed))}): resume it "
                    "with its own, start it again (overwrite=True, --overwrite) or choose another name"
                )
        if config or not run.config_path.exists():
            write_json_atomic(run.config_path, config)  # a resumed run may train longer: its epochs change
        return run

    config_path = property(lambda self: self.path / "config.json")
    status_path = property(lambda self: self.path / "run.json")
    history_path = property(lambda self: self.path / "history.csv")
    checkpoint_path = property(lambda self: self.path / "checkpoint.pt")
    metrics_path = property(lambda self: self.path / "metrics.json")
    samples_path = property(lambda self: self.path / "samples.png")

    @property
    def audio_dir(self) -> Path:
        """Where the run's generated sound goes (created on first use)."""
        folder = self.path / "audio"
        folder.mkdir(exist_ok=True)
        return folder

    @property
    def config(self) -> dict:
        return read_json(self.config_path)

    @property
    def metrics(self) -> dict:
        return read_json(self.metrics_path) if self.metrics_path.exists() else {}

    @property
    def status(self) -> dict:
        """``run.json``: ``status``, ``seconds``, ``machine``, ... (empty for runs made before it existed)."""
        return read_json(self.status_path) if self.status_path.exists() else {}

    def history(self) -> list[dict]:
        """Per-epoch records from ``history.csv``: numbers as floats, :data:`TEXT_COLUMNS` as text."""
        if not self.history_path.exists():
            return []
        with open(self.history_path) as stream:
            rows = list(csv.DictReader(stream))
        return [{k: v if k in TEXT_COLUMNS else float(v) for k, v in row.items() if v != ""} for row in rows]

    def write_history(self, history: list[dict]) -> None:
        keys = list(dict.fromkeys(k for row in history for k in row))
        partial = self.path / "history.csv.partial"
        with open(partial, "w", newline="") as stream:
            writer = csv.DictWriter(stream, keys)
            writer.writeheader()
            writer.writerows(history)
        os.replace(partial, self.history_path)

    def write_metrics(self, metrics: dict) -> None:
        write_json_atomic(self.metrics_path, metrics)

    def update_status(self, **fields) -> dict:
        """Merge ``fields`` into ``run.json`` (``status`` must be one of :data:`STATUSES`); returns it."""
        if "status" in fields and fields["status"] not in STATUSES:
            raise ValueError(f"status {fields['status']!r}: choose from {', '.join(STATUSES)}")
        record = self.status | fields | {"updated": now()}
        write_json_atomic(self.status_path, record)
        return record


def now() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@cache
def machine() -> str:
    """One line: processor, cores, memory, Python and torch versions."""
    import torch

    processor = platform.processor() or platform.machine()
    try:
        names = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        processor = names[0] if names else processor
    except OSError:
        pass
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = ""
    return (
        f"{processor}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}, "
        f"torch {torch.__version__}"
    )


def _git(*args: str) -> str:
    """The output of ``git ARGS`` in the repository (raises if git is missing or fails)."""
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5,
                          check=True)
    return done.stdout.strip()


@cache
def code_version() -> str:
    """The git commit of the kit (with ``+changes`` when the working tree differs), else its version."""
    from .. import __version__

    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no", "kit")
    except (OSError, subprocess.SubprocessError):
        return f"kit {__version__}"
    return f"{commit}{'+changes' if dirty else ''}"


def _changed_settings(stored: dict, config: dict) -> set[str]:
    """The keys whose values differ between a stored config and ``config`` (compared as JSON)."""
    config = json.loads(json.dumps(config))
    return {key for key in stored.keys() | config.keys() if stored.get(key) != config.get(key)}
