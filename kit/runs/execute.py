"""Train and evaluate any model from its :class:`~kit.runs.config.RunConfig` (``python -m kit train``).

One path for every model: the task (:mod:`kit.tasks`) gives the data, the
model class comes from :data:`kit.models.MODELS`, the one
:class:`~kit.train.Trainer` trains it into its run folder, the task measures
it (``metrics.json``) and draws its samples (``samples.png``). The zoo's
recipes and ``python -m kit reproduce`` use the same path.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import torch

from ..io import load_checkpoint
from ..tasks import TASKS, TaskData
from ..train import CollapseWatch, Run, StopAtTarget, Trainer, seed_everything
from .config import RunConfig


def build(config: RunConfig) -> tuple[torch.nn.Module, TaskData]:
    """The model (seeded by the run's seed) and the task's data for ``config``."""
    from ..models import MODELS

    model_class = MODELS[config.model]
    known = inspect.signature(model_class).parameters
    unknown = set(config.options) - set(known)
    if "features" in config.options:
        raise ValueError("features is a run setting (--features), not a model option")
    if unknown:
        raise ValueError(
            f"{config.model} has no option {', '.join(sorted(unknown))}; its options: {', '.join(known)}"
        )
    task = TASKS[config.task]
    data = task.data(config)  # first: missing data leaves no half-made run
    seed_everything(config.seed)  # the initial weights depend on the run's seed too
    hears = {"features": config.features} if "features" in known else {}  # audio models take the run's
    model = model_class(**config.options, **hears)
    task.prepare_model(model, data)
    return model, data


def train_run(
    config: RunConfig,
    name: str | None = None,
    *,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    root: Path | None = None,
) -> Run:
    """Train ``config`` into ``runs/NAME`` (default: ``config.name``), evaluate it, draw its samples."""
    model, data = build(config)  # first: a bad option or missing data leaves no half-made run
    run = Run.create(name or config.name, config.as_dict(), resume=resume, overwrite=overwrite, root=root)
    run.update_status(command=config.command, data=data.description)
    task = TASKS[config.task]
    trainer = Trainer(
        config.epochs,
        lr=config.lr,
        seed=config.seed,
        run=run,
        progress=progress,
        lr_schedule=config.lr_schedule,
        precision=config.precision,
    )
    if config.track or config.target is not None:
        trainer.on_epoch_end = lambda model, record: record.update(task.track(model, data))
    trainer.callbacks = task.callbacks(config)
    if config.target is not None:
        trainer.callbacks.append(StopAtTarget(task.tracked, config.target))
    if hasattr(model, "discriminator"):  # a GAN: watch for collapse (kit.train.callbacks.CollapseWatch)
        trainer.callbacks.append(CollapseWatch())
    trainer.fit(model, data.train, data.val, resume=resume)
    evaluate_run(run, model, data)
    return run


def load_run_model(run: Run) -> tuple[torch.nn.Module, TaskData]:
    """A run's trained model (from its checkpoint) and its data, rebuilt from its config."""
    model, data = build(RunConfig.from_dict(run.config))
    model.load_state_dict(load_checkpoint(run.checkpoint_path)["model"])
    return model.eval(), data


def evaluate_run(run: Run, model: torch.nn.Module | None = None, data: TaskData | None = None) -> dict:
    """Measure a run's model on its test data (rebuilt when not given); write its metrics and samples."""
    import matplotlib.pyplot as plt

    from .. import plot

    if model is None:
        model, data = load_run_model(run)
    task = TASKS[RunConfig.from_dict(run.config).task]
    metrics = task.evaluate(model.eval(), data)
    collapses = [
        f"epoch {int(row['epoch'])}: {row['collapse']}" for row in run.history() if row.get("collapse")
    ]
    if collapses:  # a GAN's collapse, as CollapseWatch found it, goes with the metrics
        metrics["collapse"] = collapses
    run.write_metrics(metrics)
    images, labels = task.samples(model, data)
    if len(images):
        figure = plot.image_grid(images, labels=labels, title=f"{run.path.name}: {task.samples_title}")
        figure.savefig(run.samples_path, dpi=100)
        plt.close(figure)
    return metrics
