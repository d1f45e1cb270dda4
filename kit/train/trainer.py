"""One small trainer for every model of the course, GANs included (lessons 4-11).

The shape is d2l's: a model knows its own loss, the :class:`Trainer` knows how
to optimise. The contract has one required method and two optional hooks,
after Lightning's manual optimisation:

``model.loss(batch) -> dict``
    scalar tensors with the key ``"loss"`` (what is minimised) plus anything
    worth logging. A model whose loss depends on the training step (a KL
    warm-up) takes it as a keyword: ``loss(batch, step=None)``.
``model.configure_optimizers(lr) -> list[Optimizer]`` (optional)
    default: one Adam over all parameters.
``model.training_step(batch, optimizers, step) -> dict`` (optional)
    the model takes its own optimisation step(s) (a GAN's alternating
    discriminator and generator steps) and returns its loss terms.

The Trainer owns the step count, the epoch loop, the history, the run folder
(:class:`~kit.train.folder.Run`: config, status, history, checkpoint with
every optimiser and scheduler), mixed precision, callbacks that may stop
training (:class:`~kit.train.callbacks.EarlyStopping`) and a guard: every
loss term is checked after each step and the weights before each
checkpoint; a NaN or an infinity stops training with
:class:`TrainingDiverged`, naming the step and the term, while the last good
checkpoint survives. Checkpoints load with ``weights_only=True``.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from ..config import quick_mode
from ..io import load_checkpoint, save_checkpoint
from .callbacks import Callback
from .device import autocast, pick_device, resolve_precision, seed_everything
from .folder import Run, code_version, machine, now

LR_SCHEDULES = ("constant", "onecycle", "plateau")


class TrainingDiverged(RuntimeError):
    """A loss term or a weight became NaN or infinite; ``step`` says when."""

    def __init__(self, message: str, step: int) -> None:
        super().__init__(message)
        self.step = step


@dataclass
class Trainer:
    """Epochs of mini-batch optimisation with history; optional run folder, resume, callbacks, live plot.

    ``fit(model, train_batches, val_batches)``: the batch iterables are walked
    once per epoch (a fresh pass each time, so re-pairing or reshuffling
    happens inside them). ``on_epoch_end(model, record)`` may add entries to
    the epoch's record (an evaluation metric, say); ``callbacks`` see each
    record and may stop training. ``seed`` seeds the batch noise of ``fit``;
    seed the initial weights by calling :func:`seed_everything` before
    building the model. ``precision``: ``"auto"`` (the model's
    ``preferred_precision`` where the hardware has it), ``"float32"`` or
    ``"bfloat16"``. ``lr_schedule``: ``"constant"``, ``"onecycle"`` (per step)
    or ``"plateau"`` (learning rate / 10 after 5 epochs without progress on
    the validation loss, else the training loss: seed 003's patience).
    """

    epochs: int
    lr: float = 1e-3
    device: str = "auto"
    seed: int = 0
    run: Run | None = None
    progress: bool = True
    live_plot: bool | None = None  # None: on inside a notebook, off elsewhere
    on_epoch_end: Callable[[torch.nn.Module, dict], None] | None = None
    callbacks: Sequence[Callback] = ()
    lr_schedule: str = "constant"
    precision: str = "auto"
    history: list[dict] = field(default_factory=list)
    step: int = 0  # optimisation steps taken (by fit, across resumes)
    stop_reason: str | None = None  # set by a callback (or by fit) when training ends early

    def fit(
        self,
        model: torch.nn.Module,
        train_batches: Iterable,
        val_batches: Iterable | None = None,
        resume: bool = False,
    ) -> list[dict]:
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule {self.lr_schedule!r}: choose from {', '.join(LR_SCHEDULES)}")
        seed_everything(self.seed)
        device = pick_device(self.device)
        model.to(device)
        precision = resolve_precision(self.precision, model, device)
        optimizers = _optimizers(model, self.lr)
        schedulers = [self._scheduler(optimizer, len(train_batches)) for optimizer in optimizers]
        first_epoch = self._resume(model, optimizers, schedulers, len(train_batches)) if resume else 0
        if resume and self.run is not None and self.run.status.get("status") == "stopped":
            model.eval()  # a callback ended it (a target, early stopping): it is complete, not interrupted
            return self.history
        self.stop_reason = None
        if self.run is not None:
            self.run.update_status(
                status="running",
                device=str(device),
                precision=precision,
                machine=machine(),
                code=code_version(),
                **({} if self.run.status.get("started") else {"started": now()}),
            )
        plot = _LivePlot() if (self.live_plot if self.live_plot is not None else _in_notebook()) else None
        takes_step = "step" in inspect.signature(model.loss).parameters
        for epoch in range(first_epoch, self.epochs):
            start = time.perf_counter()
            model.train()
            try:
                train = self._train_epoch(
                    model, train_batches, device, precision, optimizers, schedulers, epoch, takes_step
                )
            except TrainingDiverged as error:
                if self.run is not None:
                    self.run.update_status(status="diverged", reason=str(error), finished=now())
                raise
            record = {"epoch": epoch + 1, **{f"train_{k}": v for k, v in train.items()}}
            if val_batches is not None:
                model.eval()
                with torch.no_grad(), autocast(device, precision):
                    record |= {f"val_{k}": v for k, v in self._evaluate(model, val_batches, device).items()}
            if self.on_epoch_end is not None:
                model.eval()
                with torch.no_grad():
                    self.on_epoch_end(model, record)
            for scheduler in schedulers:
                if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                    scheduler.step(record.get("val_loss", record["train_loss"]))
            record["seconds"] = time.perf_counter() - start
            self.history.append(record)
            for callback in self.callbacks:
                callback.on_epoch_end(self, model, record)
            self._save(model, optimizers, schedulers, epoch + 1)
            if plot is not None:
                plot.update(self.history)
            if self.stop_reason:
                break
        if self.run is not None:
            self.run.update_status(
                status="stopped" if self.stop_reason else "finished",
                reason=self.stop_reason,
                epochs=len(self.history),
                steps=self.step,
                seconds=round(sum(row["seconds"] for row in self.history), 1),
                finished=now(),
            )
        model.eval()
        return self.history

    def _scheduler(self, optimizer, steps_per_epoch: int):
        if self.lr_schedule == "onecycle":
            return torch.optim.lr_scheduler.OneCycleLR(
                optimizer, self.lr, epochs=self.epochs, steps_per_epoch=steps_per_epoch
            )
        if self.lr_schedule == "plateau":
            return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=5)
        return None

    def _resume(self, model, optimizers, schedulers, steps_per_epoch: int) -> int:
        """Restore model, optimisers, schedulers, history and step from the run's checkpoint; the epoch."""
        if self.run is None or not self.run.checkpoint_path.exists():
            return 0
        state = load_checkpoint(self.run.checkpoint_path)
        model.load_state_dict(state["model"])
        saved_optimizers = state.get("optimizers") or [state["optimizer"]]  # one "optimizer": older runs
        for optimizer, saved in zip(optimizers, saved_optimizers, strict=True):
            optimizer.load_state_dict(saved)
        for scheduler, saved in zip(
            schedulers, state.get("schedulers") or [state.get("scheduler")], strict=False
        ):
            if scheduler is not None and saved is not None:
                scheduler.load_state_dict(saved)
        self.history, epoch = list(state["history"]), int(state["epoch"])
        self.step = int(state.get("step", epoch * steps_per_epoch))
        return epoch

    def _save(self, model, optimizers, schedulers, epoch: int) -> None:
        """Checkpoint and history, if the weights are all finite (else the last good checkpoint stays)."""
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point() and not torch.isfinite(tensor).all():
                error = TrainingDiverged(
                    f"step {self.step}: weight {name} holds NaN or infinity; training "
                    "stopped, the last good checkpoint is kept",
                    self.step,
                )
                if self.run is not None:
                    self.run.update_status(status="diverged", reason=str(error), finished=now())
                raise error
        if self.run is None:
            return
        state = {
            "model": model.state_dict(),
            "optimizers": [o.state_dict() for o in optimizers],
            "schedulers": [s.state_dict() if s is not None else None for s in schedulers],
            "epoch": epoch,
            "step": self.step,
            "history": self.history,
        }
        save_checkpoint(self.run.checkpoint_path, state)
        self.run.write_history(self.history)
        self.run.update_status(
            epochs=epoch, steps=self.step, seconds=round(sum(row["seconds"] for row in self.history), 1)
        )

    def _train_epoch(
        self, model, batches, device, precision, optimizers, schedulers, epoch, takes_step
    ) -> dict[str, float]:
        manual = getattr(model, "training_step", None)
        per_step = [s for s in schedulers if isinstance(s, torch.optim.lr_scheduler.OneCycleLR)]
        totals, count = {}, 0
        bar = tqdm(
            batches,
            desc=f"epoch {epoch + 1}/{self.epochs}",
            leave=False,
            disable=not self.progress or quick_mode(),
        )
        for batch in bar:
            batch = _to(batch, device)
            self.step += 1
            with autocast(device, precision):
                if manual is not None:
                    terms = manual(batch, optimizers, self.step)
                else:
                    terms = model.loss(batch, step=self.step) if takes_step else model.loss(batch)
            values = _checked(terms, self.step, stepped=manual is not None)
            if manual is None:
                optimizers[0].zero_grad(set_to_none=True)
                terms["loss"].backward()
                optimizers[0].step()
            for scheduler in per_step:
                scheduler.step()
            size = len(batch[0])
            for key, value in values.items():
                totals[key] = totals.get(key, 0.0) + value * size
            count += size
            bar.set_postfix(loss=f"{values.get('loss', math.nan):.3f}", refresh=False)
        return {key: value / max(count, 1) for key, value in totals.items()}

    def _evaluate(self, model, batches, device) -> dict[str, float]:
        totals, count = {}, 0
        for batch in batches:
            batch = _to(batch, device)
            values = {key: float(value) for key, value in model.loss(batch).items()}
            size = len(batch[0])
            for key, value in values.items():
                totals[key] = totals.get(key, 0.0) + value * size
            count += size
        return {key: value / max(count, 1) for key, value in totals.items()}


def _optimizers(model: torch.nn.Module, lr: float) -> list[torch.optim.Optimizer]:
    """The model's own optimisers (``configure_optimizers(lr)``), else one Adam over all its parameters."""
    configure = getattr(model, "configure_optimizers", None)
    optimizers = configure(lr) if configure is not None else [torch.optim.Adam(model.parameters(), lr=lr)]
    return list(optimizers) if isinstance(optimizers, list | tuple) else [optimizers]


def _to(batch, device) -> tuple:
    return tuple(t.to(device) if torch.is_tensor(t) else t for t in batch)


def _checked(terms: dict, step: int, stepped: bool = False) -> dict[str, float]:
    """The loss terms as floats (one synchronisation), or :class:`TrainingDiverged` naming the bad one."""
    names = list(terms)
    values = torch.stack(
        [torch.as_tensor(terms[name]).detach().float().reshape(()) for name in names]
    ).tolist()
    for name, value in zip(names, values, strict=True):
        if not math.isfinite(value):
            when = "" if stepped else " before this step changed the weights"
            raise TrainingDiverged(
                f"step {step}: the loss term {name!r} is {value}; training stopped{when}, "
                "the last good checkpoint is kept",
                step,
            )
    return dict(zip(names, values, strict=True))


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
