"""Runs: one configuration format, one way to train and evaluate, one record for comparing (lessons 7-11).

``config``   :class:`RunConfig`: what a run is; its name and its command
``execute``  :func:`train_run`, :func:`evaluate_run`: the one path from a config to a measured run
``records``  runs and zoo entries as records for the comparison page (``make compare``)

The run folder's format is :mod:`kit.train.folder`.
"""

from ..train import Run
from .config import RunConfig, parse_options
from .execute import build, evaluate_run, load_run_model, train_run
from .records import (
    METRIC_COLUMNS,
    TABLE_COLUMNS,
    RunRecord,
    curve_keys,
    list_runs,
    list_zoo,
    read_run,
    table,
    trade_off_points,
)

__all__ = [
    "METRIC_COLUMNS", "TABLE_COLUMNS", "Run", "RunConfig", "RunRecord", "build", "curve_keys", "evaluate_run",
    "list_runs", "list_zoo", "load_run_model", "parse_options", "read_run", "table", "trade_off_points",
    "train_run",
]
