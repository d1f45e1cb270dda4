"""One small trainer for every model of the course, and the run folders it writes (lessons 4-7).

The shape is d2l's: a model knows its own loss (``model.loss(batch)`` returns
a dict with ``"loss"``), the :class:`Trainer` knows how to optimise. Every
run writes a folder that later tools read::

    runs/NAME/config.json     what was trained, on what, with which settings
    runs/NAME/history.csv     one row per epoch: losses, metrics, seconds
    runs/NAME/checkpoint.pt   model + optimiser + history (written atomically)
    runs/NAME/metrics.json    evaluation results (kit.metrics), when evaluated
    runs/NAME/samples.png     a grid of generated images, when the model generates

An existing run is never overwritten silently: :meth:`Run.create` refuses
unless you ``resume`` (continue from its checkpoint) or ``overwrite``.
Checkpoints load with ``weights_only=True``: no code inside them ever runs.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from .config import quick_mode, runs_dir


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be used, with the reason."""


def pick_device(preference: str = "auto") -> torch.device:
    """``"auto"``: CUDA if present, else Apple's MPS, else the CPU."""
    if preference != "auto":
        return torch.device(preference)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch, so that a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def save_checkpoint(path: Path, state: dict) -> None:
    """``torch.save`` to a temporary file, then rename: a crash never leaves half a checkpoint."""
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)


def load_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint safely (``weights_only=True``) or raise :class:`CheckpointError`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated, not a torch file, or holds code: all refused the same way
        raise CheckpointError(f"{path.name} is not a usable checkpoint ({type(error).__name__}: "
                              f"{str(error).splitlines()[0][:200]})") from None
    if not isinstance(state, dict) or "model" not in state:
        raise CheckpointError(f"{path.name} holds no model weights")
    return state


@dataclass
class Run:
    """A run folder: config, history, checkpoint, metrics, samples."""

    path: Path

    @classmethod
    def create(cls, name: str, config: dict, *, resume: bool = False, overwrite: bool = False,
               root: Path | None = None) -> Run:
        """Make ``runs/NAME`` for a new run; an existing one needs ``resume`` or ``overwrite``."""
        path = (root or runs_dir()) / name
        if path.exists() and any(path.iterdir()) and not resume:
            if not overwrite:
                raise FileExistsError(f"run {path} exists: continue it (resume=True, --resume), start it "
                                      "again (overwrite=True, --overwrite) or choose another name")
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        run = cls(path)
        if not run.config_path.exists():
            run.config_path.write_text(json.dumps(config, indent=2, default=str))
        return run

    config_path = property(lambda self: self.path / "config.json")
    checkpoint_path = property(lambda self: self.path / "checkpoint.pt")
    metrics_path = property(lambda self: self.path / "metrics.json")
    samples_path = property(lambda self: self.path / "samples.png")

    @property
    def config(self) -> dict:
        return json.loads(self.config_path.read_text())

    @property
    def metrics(self) -> dict:
        return json.loads(self.metrics_path.read_text()) if self.metrics_path.exists() else {}

    def history(self) -> list[dict]:
        """Per-epoch records from ``history.csv`` (numbers as floats)."""
        path = self.path / "history.csv"
        if not path.exists():
            return []
        with open(path) as stream:
            return [{k: float(v) for k, v in row.items() if v != ""} for row in csv.DictReader(stream)]

    def write_history(self, history: list[dict]) -> None:
        keys = list(dict.fromkeys(k for row in history for k in row))
        partial = self.path / "history.csv.partial"
        with open(partial, "w", newline="") as stream:
            writer = csv.DictWriter(stream, keys)
            writer.writeheader()
            writer.writerows(history)
        os.replace(partial, self.path / "history.csv")

    def write_metrics(self, metrics: dict) -> None:
        self.metrics_path.write_text(json.dumps(metrics, indent=2, default=float))


@dataclass
class Trainer:
    """Adam, mini-batches, an epoch loop with history; optional run folder, resume and live plot.

    ``fit(model, train_batches, val_batches)``: the batch iterables are walked
    once per epoch (a fresh pass each time, so re-pairing or reshuffling
    happens inside them). ``on_epoch_end(model, record)`` may add entries to
    the epoch's record (an evaluation metric, say). ``seed`` seeds the batch
    noise of ``fit``; seed the initial weights by calling
    :func:`seed_everything` before building the model.
    """

    epochs: int
    lr: float = 1e-3
    device: str = "auto"
    seed: int = 0
    run: Run | None = None
    progress: bool = True
    live_plot: bool | None = None  # None: on inside a notebook, off elsewhere
    on_epoch_end: Callable[[torch.nn.Module, dict], None] | None = None
    lr_schedule: str = "constant"  # or "onecycle"
    history: list[dict] = field(default_factory=list)

    def fit(self, model: torch.nn.Module, train_batches: Iterable, val_batches: Iterable | None = None,
            resume: bool = False) -> list[dict]:
        seed_everything(self.seed)
        device = pick_device(self.device)
        model.to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=self.lr)
        scheduler = None
        if self.lr_schedule == "onecycle":
            scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, self.lr, epochs=self.epochs,
                                                            steps_per_epoch=len(train_batches))
        first_epoch = 0
        if resume and self.run is not None and self.run.checkpoint_path.exists():
            state = load_checkpoint(self.run.checkpoint_path)
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            if scheduler is not None and "scheduler" in state:
                scheduler.load_state_dict(state["scheduler"])
            self.history, first_epoch = list(state["history"]), int(state["epoch"])
        plot = _LivePlot() if (self.live_plot if self.live_plot is not None else _in_notebook()) else None
        for epoch in range(first_epoch, self.epochs):
            start = time.perf_counter()
            model.train()
            train = self._run_epoch(model, train_batches, device, optimizer, scheduler, epoch)
            record = {"epoch": epoch + 1, **{f"train_{k}": v for k, v in train.items()}}
            if val_batches is not None:
                model.eval()
                with torch.no_grad():
                    val = self._run_epoch(model, val_batches, device, None, None, epoch)
                record |= {f"val_{k}": v for k, v in val.items()}
            if self.on_epoch_end is not None:
                model.eval()
                with torch.no_grad():
                    self.on_epoch_end(model, record)
            record["seconds"] = time.perf_counter() - start
            self.history.append(record)
            if self.run is not None:
                state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                         "epoch": epoch + 1, "history": self.history}
                if scheduler is not None:
                    state["scheduler"] = scheduler.state_dict()
                save_checkpoint(self.run.checkpoint_path, state)
                self.run.write_history(self.history)
            if plot is not None:
                plot.update(self.history)
        model.eval()
        return self.history

    def _run_epoch(self, model, batches, device, optimizer, scheduler, epoch) -> dict[str, float]:
        totals: dict[str, float] = {}
        count = 0
        bar = tqdm(batches, desc=f"epoch {epoch + 1}/{self.epochs}" + ("" if optimizer else " (val)"),
                   leave=False, disable=not self.progress or quick_mode())
        for batch in bar:
            batch = tuple(t.to(device) if torch.is_tensor(t) else t for t in batch)
            terms = model.loss(batch)
            if optimizer is not None:
                optimizer.zero_grad(set_to_none=True)
                terms["loss"].backward()
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
            size = len(batch[0])
            values = {key: value.item() for key, value in terms.items()}
            for key, value in values.items():
                totals[key] = totals.get(key, 0.0) + value * size
            count += size
            bar.set_postfix(loss=f"{values['loss']:.3f}", refresh=False)
        return {key: value / max(count, 1) for key, value in totals.items()}


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        return get_ipython() is not None and "IPKernelApp" in get_ipython().config
    except ImportError:
        return False


class _LivePlot:
    """A loss plot redrawn in place after every epoch (notebooks only)."""

    def __init__(self) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        self.figure, self.ax = plt.subplots(figsize=(6, 3), layout="constrained")
        plt.close(self.figure)
        self.handle = display(self.figure, display_id=True)

    def update(self, history: list[dict]) -> None:
        self.ax.clear()
        epochs = [row["epoch"] for row in history]
        for key in ("train_loss", "val_loss"):
            if key in history[-1]:
                self.ax.plot(epochs, [row[key] for row in history], marker="o", label=key.replace("_", " "))
        self.ax.set(xlabel="epoch", ylabel="loss")
        self.ax.xaxis.get_major_locator().set_params(integer=True)
        self.ax.legend()
        self.handle.update(self.figure)


class Batches:
    """Mini-batches of aligned tensors, reshuffled on every pass (one pass = one epoch).

    Indexing tensors directly is several times faster than a ``DataLoader``
    for data that fits in memory, which all of the course's data does.
    """

    def __init__(self, *tensors: torch.Tensor, batch_size: int = 128, shuffle: bool = True, seed: int = 0):
        if len({len(t) for t in tensors}) != 1:
            raise ValueError(f"tensors differ in length: {[len(t) for t in tensors]}")
        self.tensors, self.batch_size, self.shuffle, self.seed = tensors, batch_size, shuffle, seed
        self.passes = 0

    def __len__(self) -> int:
        return -(-len(self.tensors[0]) // self.batch_size)

    def order(self) -> torch.Tensor:
        n = len(self.tensors[0])
        if not self.shuffle:
            return torch.arange(n)
        return torch.randperm(n, generator=torch.Generator().manual_seed(self.seed * 100_003 + self.passes))

    def __iter__(self):
        order = self.order()
        self.passes += 1
        for start in range(0, len(order), self.batch_size):
            index = order[start:start + self.batch_size]
            yield tuple(t[index] for t in self.tensors)
