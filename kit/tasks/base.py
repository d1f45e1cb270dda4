"""What every task provides (see :mod:`kit.tasks`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


@dataclass
class TaskData:
    """The data of one run: training batches, validation batches (or None), test material, a description."""

    train: Iterable
    val: Iterable | None
    test: Any
    description: str


class Task:
    """One kind of problem: subclasses set the class attributes, :meth:`data` and :meth:`evaluate`."""

    name: str = ""
    data_sets: tuple[str, ...] = ()  # the first is the default
    splits: tuple[str, ...] = ()  # empty: the data set's own train/test
    pairings: tuple[str, ...] = ()  # empty: no pairing
    features: tuple[str, ...] = ()  # audio features the task's models may hear; first is the default
    tracked: str | None = None  # the per-epoch metric that ``track`` and ``target`` use
    samples_title = "generated"  # what the samples picture shows (its title, after the run's name)

    def defaults(self) -> dict:
        """Values for the config fields this task decides when the user does not."""
        return {
            "data": self.data_sets[0],
            "split": self.splits[0] if self.splits else None,
            "pairing": self.pairings[0] if self.pairings else None,
            "features": self.features[0] if self.features else None,
        }

    def check(self, config) -> None:
        """Refuse settings this task does not have, with the choices it does."""
        for key, choices in (
            ("data", self.data_sets),
            ("split", self.splits),
            ("pairing", self.pairings),
            ("features", self.features),
        ):
            value = getattr(config, key)
            if choices and value not in choices:
                raise ValueError(f"{self.name}: {key} {value!r} is not one of {', '.join(choices)}")
            if not choices and value is not None:
                raise ValueError(f"{self.name} has no {key} setting (got {value!r})")
        if (config.target is not None or config.track) and self.tracked is None:
            raise ValueError(f"{self.name} has no per-epoch metric to track or to reach a target with")

    def data(self, config) -> TaskData:
        raise NotImplementedError

    def callbacks(self, config) -> list:
        """Callbacks every run of this task trains with (early stopping, say)."""
        return []

    def prepare_model(self, model: torch.nn.Module, data: TaskData) -> None:
        """Fit whatever the model learns from the training data before training (input scaling)."""

    def track(self, model: torch.nn.Module, data: TaskData) -> dict[str, float]:
        """A cheap measure for the per-epoch history (only if :attr:`tracked` is set)."""
        raise NotImplementedError

    def evaluate(self, model: torch.nn.Module, data: TaskData) -> dict:
        raise NotImplementedError

    def samples(self, model: torch.nn.Module, data: TaskData) -> tuple[np.ndarray, list]:
        """Up to 20 ``(images, labels)`` for the run's samples picture (empty for non-image tasks)."""
        return np.zeros((0, 28, 28), np.float32), []
