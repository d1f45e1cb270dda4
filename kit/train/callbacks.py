"""Callbacks: code that looks at every epoch's record and may stop training (lessons 8-12).

A callback has one method, ``on_epoch_end(trainer, model, record)``; to stop,
it sets ``trainer.stop_reason`` to a sentence that says why (the run folder's
``run.json`` records it, with the status ``stopped``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import torch


class Callback(Protocol):
    def on_epoch_end(self, trainer, model: torch.nn.Module, record: dict) -> None: ...


@dataclass
class EarlyStopping:
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs (seed 003's rule)."""

    monitor: str = "val_loss"
    patience: int = 5
    mode: str = "min"  # or "max"
    min_delta: float = 0.0
    best: float = math.nan
    waited: int = 0

    def on_epoch_end(self, trainer, model, record: dict) -> None:
        value = record[self.monitor]
        better = (
            value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta
        )
        if math.isnan(self.best) or better:
            self.best, self.waited = value, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            trainer.stop_reason = (
                f"early stop: {self.monitor} has not improved on {self.best:.4g} for {self.patience} epochs"
            )


@dataclass
class StopAtTarget:
    """Stop once ``monitor`` reaches ``target`` (``>=``; time-to-accuracy runs such as Table 1's)."""

    monitor: str
    target: float

    def on_epoch_end(self, trainer, model, record: dict) -> None:
        if record.get(self.monitor, -math.inf) >= self.target:
            trainer.stop_reason = (
                f"target reached: {self.monitor} {record[self.monitor]:.4g} >= {self.target}"
            )
