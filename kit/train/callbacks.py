"""Callbacks: code that looks at every epoch's record and may stop training (lessons 8-12).

A callback has one method, ``on_epoch_end(trainer, model, record)``; to stop,
it sets ``trainer.stop_reason`` to a sentence that says why (the run folder's
``run.json`` records it, with the status ``stopped``).
"""

from __future__ import annotations

import math
import warnings
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


@dataclass
class CollapseWatch:
    """A GAN's health, each epoch: flags discriminator collapse and mode collapse, and may stop training.

    Reads the health terms of :class:`~kit.models.adversarial.Adversarial`:
    ``train_d_wins`` (share of the epoch's steps in which the discriminator
    told real from fake almost perfectly: the generator learns nothing from
    it then) and ``train_batch_diversity`` (spread of the generated images
    over that of the real ones). Mode collapse is diversity *falling*: below
    ``min_diversity`` after having been at least twice that (every generator
    starts by drawing one blob, which is not a collapse). A problem is
    written into the epoch's record as ``"collapse"`` and warned about; with
    ``patience`` set, training stops after that many such epochs in a row.
    """

    max_d_wins: float = 0.9
    min_diversity: float = 0.2
    patience: int | None = None  # None: report, never stop
    in_a_row: int = 0
    best_diversity: float = 0.0

    def on_epoch_end(self, trainer, model, record: dict) -> None:
        problems = []
        if record.get("train_d_wins", 0.0) >= self.max_d_wins:
            share = 100 * record["train_d_wins"]
            problems.append(f"discriminator collapse: it won outright in {share:.0f} % of the steps")
        spread = record.get("train_batch_diversity")
        if spread is not None:
            self.best_diversity = max(self.best_diversity, spread)
            if spread < self.min_diversity <= self.best_diversity / 2:
                problems.append(
                    f"mode collapse: the drawings vary {spread:.2f}x as much as real ones "
                    f"(they did {self.best_diversity:.2f}x)"
                )
        if not problems:
            self.in_a_row = 0
            return
        record["collapse"] = "; ".join(problems)
        self.in_a_row += 1
        warnings.warn(f"epoch {record['epoch']}: {record['collapse']}", stacklevel=2)
        if self.patience is not None and self.in_a_row >= self.patience:
            trainer.stop_reason = f"{record['collapse']} ({self.in_a_row} epochs in a row)"
