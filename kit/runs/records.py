"""Every training run and zoo model as one kind of record, for comparing them (apps/compare_models.py).

:func:`list_runs` reads the run folders that :class:`kit.train.Run` writes
(``config.json``, ``run.json``, ``history.csv``, ``metrics.json``,
``samples.png``); :func:`list_zoo` reads :func:`kit.zoo.manifest`, whose
entries are published runs with the same metric names. A broken folder never
raises: its record says what is wrong in ``problem``. :func:`table` lays the
records out as a pandas DataFrame, one row each, with the main metrics: what
a judge reads in a generator's samples (``accuracy``, with the judge's name)
is kept apart from a classifier's own ``test_accuracy``. The comparison app
(``streamlit run apps/compare_models.py``) and the sweeps read runs this way.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import zoo
from ..config import runs_dir
from ..train import Run

CONFIG_COLUMNS = ("model", "task", "data", "split", "pairing")
#: Metric columns of the table: ``accuracy`` and ``macro_f1`` are a judge's reading of generated samples
#: (the ``judge`` column names it); ``test_accuracy`` is a classifier's own.
METRIC_COLUMNS = ("accuracy", "macro_f1", "diversity", "frechet", "test_accuracy")
TABLE_COLUMNS = ("name", "source", *CONFIG_COLUMNS, "status", "epochs", "judge", *METRIC_COLUMNS, "problem")


@dataclass
class RunRecord:
    """One run folder or zoo model: what it is, how it trained, how good it is, and what is wrong with it."""

    name: str
    source: str  # "run" or "zoo"
    path: Path  # the run folder, or the zoo entry's weights file
    config: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)  # run.json: status, seconds, machine, ...
    metrics: dict = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    samples: Path | None = None  # a grid of generated images, when there is one
    modified: float = 0.0  # seconds since the epoch of the latest change: newest runs first
    problem: str | None = None  # None when the record is complete

    @property
    def epochs(self) -> int | None:
        """Epochs trained: the history's length, else what the config or the metrics say."""
        epochs = len(self.history) or self.config.get("epochs") or self.metrics.get("epochs")
        return int(epochs) if isinstance(epochs, int | float) else None

    def metric(self, name: str) -> float:
        """Metric ``name`` as a float; NaN when the record has none."""
        value = self.metrics.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return math.nan


def list_runs(root: Path | None = None) -> list[RunRecord]:
    """A record for every folder under ``root`` (default :func:`kit.config.runs_dir`), newest first."""
    root = Path(root) if root is not None else runs_dir()
    if not root.is_dir():
        return []
    folders = [path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")]
    return sorted((read_run(path) for path in folders), key=lambda record: record.modified, reverse=True)


def read_run(path: Path) -> RunRecord:
    """The record of one run folder; every file that is missing or unreadable is named in ``problem``."""
    run, problems = Run(path), []
    record = RunRecord(path.name, "run", path, modified=_modified(path))
    try:
        record.config = run.config
        if not isinstance(record.config, dict):
            record.config = {}
            problems.append("config.json holds no settings object")
    except FileNotFoundError:
        problems.append("no config.json: not a run folder, or one whose training never started")
    except (OSError, ValueError) as error:
        problems.append(f"config.json cannot be read ({_reason(error)})")
    try:
        record.status = run.status
    except (OSError, ValueError) as error:
        problems.append(f"run.json cannot be read ({_reason(error)})")
    if record.status.get("status") == "diverged":
        problems.append(f"diverged: {record.status.get('reason', 'no reason recorded')}")
    try:
        record.history = run.history()
    except (OSError, ValueError, TypeError, csv.Error) as error:
        problems.append(f"history.csv cannot be read ({_reason(error)})")
    try:
        record.metrics = run.metrics
        if not isinstance(record.metrics, dict):
            record.metrics = {}
            problems.append("metrics.json holds no metrics object")
        elif not record.metrics:
            problems.append(f"not evaluated yet: python -m kit evaluate {path.name}")
    except (OSError, ValueError) as error:
        problems.append(f"metrics.json cannot be read ({_reason(error)})")
    record.samples = run.samples_path if run.samples_path.is_file() else None
    record.problem = "; ".join(problems) or None
    return record


def list_zoo(entries: dict[str, dict] | None = None, folder: Path | None = None) -> list[RunRecord]:
    """A record named ``zoo/NAME`` for every zoo entry (default: :func:`kit.zoo.manifest`, the zoo's folder).

    An entry may carry a ``history`` (a list of per-epoch dicts) and a ``samples``
    picture (a file name next to its weights); both are optional.
    """
    folder = folder or zoo.FOLDER
    if entries is None:
        try:
            entries = zoo.manifest()
        except (OSError, ValueError) as error:
            problem = f"manifest.json cannot be read ({_reason(error)})"
            return [RunRecord("zoo", "zoo", zoo.MANIFEST, problem=problem)]
    return [_zoo_record(name, entry, folder) for name, entry in entries.items()]


def _zoo_record(name: str, entry: dict, folder: Path) -> RunRecord:
    path, problems = folder / str(entry.get("file", f"{name}.pt")), []
    metrics = entry.get("metrics") if isinstance(entry.get("metrics"), dict) else {}
    record = RunRecord(
        f"zoo/{name}",
        "zoo",
        path,
        metrics=metrics,
        config=entry.get("config")
        or {key: entry[key] for key in ("model", "options", "data") if key in entry},
        status={"status": "published"},
        modified=path.stat().st_mtime if path.is_file() else 0.0,
    )
    if not path.is_file():
        problems.append(f"weights file {path.name} is missing")
    try:
        history = entry.get("history", [])
        record.history = [{key: float(value) for key, value in row.items()} for row in history]
    except (AttributeError, TypeError, ValueError) as error:
        problems.append(f"its history is not a list of per-epoch numbers ({_reason(error)})")
    if "samples" in entry:
        samples = folder / str(entry["samples"])
        if samples.is_file():
            record.samples = samples
        else:
            problems.append(f"samples picture {samples.name} is missing")
    record.problem = "; ".join(problems) or None
    return record


def table(records: list[RunRecord]) -> pd.DataFrame:
    """One row per record: :data:`TABLE_COLUMNS` (metrics as floats, NaN where a record has none)."""
    rows = [
        {
            "name": r.name,
            "source": r.source,
            **{key: _text(r.config.get(key)) for key in CONFIG_COLUMNS},
            "status": _text(r.status.get("status")),
            "epochs": r.epochs,
            "judge": _text(r.metrics.get("judge")),
            **{column: r.metric(column) for column in METRIC_COLUMNS},
            "problem": r.problem,
        }
        for r in records
    ]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    return frame.astype({"epochs": "Int64", **{column: float for column in METRIC_COLUMNS}})


def curve_keys(histories: list[list[dict]]) -> list[str]:
    """The per-epoch columns present in any of ``histories`` (all but ``epoch``), in first-seen order."""
    keys = (key for history in histories for row in history for key in row)
    return [key for key in dict.fromkeys(keys) if key != "epoch"]


def trade_off_points(
    records: list[RunRecord], x: str = "diversity", y: str = "accuracy"
) -> dict[str, tuple[float, float]]:
    """``name: (x, y)`` of the records that have both metrics (for :func:`kit.plot.trade_off`)."""
    points = {record.name: (record.metric(x), record.metric(y)) for record in records}
    return {name: point for name, point in points.items() if not any(map(math.isnan, point))}


def _modified(folder: Path) -> float:
    """The latest modification time of a folder and the files in it (0 when it cannot be read)."""
    try:
        return max(item.stat().st_mtime for item in [folder, *folder.iterdir()])
    except OSError:
        return 0.0


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _reason(error: Exception) -> str:
    lines = str(error).splitlines()
    return f"{type(error).__name__}: {lines[0][:120]}" if lines else type(error).__name__
