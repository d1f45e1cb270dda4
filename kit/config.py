"""Where the kit finds data, where it writes caches, and how big a run is.

Four environment variables steer the whole course; nothing else is global.

``KIT_DATA_DIR``
    Folder that holds the *source* data sets (``mnist/``, ``fsdd/``,
    ``speech_commands_sample/`` ...). Default: ``data/`` at the top of the
    repository. It may be read-only: the kit never writes into it except when
    you ask it to download a data set there.
``KIT_CACHE_DIR``
    Writable folder for everything the kit derives: feature arrays,
    synthesized speech, downloads in progress. Default: ``.kit-cache/`` at the
    top of the repository.
``KIT_RUNS_DIR``
    Where training runs are written (one folder each). Default: ``runs/``
    at the top of the repository.
``KIT_QUICK``
    ``1`` makes every lesson run on small subsets with few epochs (CI sets it).
    Unset or ``0`` is full mode, what a learner runs.

Used by every lesson (the first cell prints :func:`describe`).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR_VARIABLE = "KIT_DATA_DIR"
CACHE_DIR_VARIABLE = "KIT_CACHE_DIR"
RUNS_DIR_VARIABLE = "KIT_RUNS_DIR"
QUICK_VARIABLE = "KIT_QUICK"


def data_dir() -> Path:
    """The folder that holds the source data sets (``$KIT_DATA_DIR``, default ``data/``)."""
    return Path(os.environ.get(DATA_DIR_VARIABLE) or REPO_ROOT / "data").expanduser().resolve()


def cache_dir(*parts: str) -> Path:
    """A writable folder below ``$KIT_CACHE_DIR`` (default ``.kit-cache/``), created on demand."""
    root = Path(os.environ.get(CACHE_DIR_VARIABLE) or REPO_ROOT / ".kit-cache").expanduser()
    folder = root.joinpath(*parts).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def runs_dir() -> Path:
    """The folder that holds training runs (``$KIT_RUNS_DIR``, default ``runs/``)."""
    return Path(os.environ.get(RUNS_DIR_VARIABLE) or REPO_ROOT / "runs").expanduser().resolve()


def quick_mode() -> bool:
    """True when ``$KIT_QUICK`` asks for small subsets and few epochs (CI)."""
    return os.environ.get(QUICK_VARIABLE, "0").strip().lower() in {"1", "true", "yes", "on"}


def pick(full: int, quick: int) -> int:
    """``full`` in full mode, ``quick`` in quick mode: the one knob lessons use for sizes."""
    return quick if quick_mode() else full


def describe() -> str:
    """One paragraph saying where data and caches are and which mode is on."""
    mode, switch = (("QUICK (small subsets, few epochs)", "0 for the full lessons") if quick_mode()
                    else ("full", "1 for quick mode"))
    return (
        f"data:  {data_dir()}  (set ${DATA_DIR_VARIABLE} to change)\n"
        f"cache: {cache_dir()}  (set ${CACHE_DIR_VARIABLE} to change)\n"
        f"runs:  {runs_dir()}  (set ${RUNS_DIR_VARIABLE} to change)\n"
        f"mode:  {mode}  (set ${QUICK_VARIABLE}={switch})"
    )
