"""Sweeps: a grid of run configurations, trained as run folders, here or on a Ray cluster (lesson 10).

``python -m kit sweep fast-aivaegan --grid alpha=0.2,0.5,1,2 --grid pairing=many-to-one,one-to-one``
makes the 8 configurations of the grid and trains each into its run folder
(``runs/NAME``, named from its settings). A sweep is resumable by
construction: a configuration whose run has finished is skipped, an
interrupted one continues from its last checkpoint, so running the same
command again after a crash (or on a bigger machine) only does what is left.

Engines: ``"local"`` (default) trains one configuration after another, with
a progress bar over the grid. ``"ray"`` makes each configuration a Ray task
(``pip install ray``; the course never needs it): ``ray.init()`` starts a
local Ray on this machine, and with ``address="auto"`` (or
``RAY_ADDRESS``) the tasks go to a running cluster instead; there the runs
folder (``KIT_RUNS_DIR``) must be on storage that every node shares, as the
data folder (``KIT_DATA_DIR``) must be (see ``docs/reproduction.md``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from tqdm.auto import tqdm

from ..config import runs_dir
from .config import RunConfig, parse_value

ENGINES = ("local", "ray")
DONE = ("finished", "stopped")  # a run in one of these states is not trained again


def parse_grid(texts: Iterable[str]) -> dict[str, list]:
    """``["alpha=0.2,0.5", "pairing=one-to-one"]`` -> ``{"alpha": [0.2, 0.5], "pairing": ["one-to-one"]}``."""
    axes = {}
    for text in texts:
        key, sep, values = text.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise ValueError(f"grid axis {text!r} is not KEY=VALUE,VALUE,... (for example alpha=0.2,0.5,1,2)")
        axes[key.strip()] = [parse_value(value.strip()) for value in values.split(",")]
    return axes


def grid(base: RunConfig, axes: dict[str, list]) -> list[RunConfig]:
    """Every combination of ``axes`` applied to ``base``: a run setting (``pairing``) or a model option."""
    settings = {f.name for f in fields(RunConfig)} - {"model", "options", "task"}
    configs = []
    for values in itertools.product(*axes.values()):
        changes, options = {}, dict(base.options)
        for key, value in zip(axes, values, strict=True):
            (changes if key in settings else options)[key] = value
        configs.append(base.replace(options=options, **changes))
    return configs


def _train(config: dict, root: str) -> tuple[str, str]:
    """Train (or resume, or skip) one configuration; ``(run name, what happened)``. Runs on any worker.

    A configuration that fails (missing data, a diverged run) is reported, and the sweep goes on.
    """
    from ..train.folder import Run
    from .execute import train_run

    run_config = RunConfig.from_dict(config)
    path = Path(root) / run_config.name
    if (path / "metrics.json").exists() and Run(path).status.get("status") in DONE:
        return run_config.name, "done before"
    resumed = (path / "checkpoint.pt").exists()
    try:
        train_run(run_config, resume=True, progress=False, root=Path(root))
    except Exception as error:  # noqa: BLE001 - one failing configuration must not stop the grid
        return run_config.name, f"failed: {type(error).__name__}: {error}"
    return run_config.name, "resumed" if resumed else "trained"


def sweep(
    configs: list[RunConfig],
    *,
    engine: str = "local",
    root: Path | None = None,
    address: str | None = None,
    progress: bool = True,
) -> dict[str, str]:
    """Train every configuration into ``root`` (default: the runs folder); ``{run name: outcome}``."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: choose from {', '.join(ENGINES)}")
    names = [config.name for config in configs]
    if len(set(names)) < len(names):
        raise ValueError("two configurations of the sweep have the same run name")
    root = str(root or runs_dir())
    if engine == "local":
        bar = tqdm(configs, desc="sweep", disable=not progress)
        return dict(_train(config.as_dict(), root) for config in bar)
    return _sweep_on_ray(configs, root, address, progress)


def _sweep_on_ray(configs: list[RunConfig], root: str, address: str | None, progress: bool) -> dict[str, str]:
    try:
        import ray
    except ImportError as error:
        message = "the ray engine needs Ray: pip install 'ray>=2.40' (the course itself needs none)"
        raise ValueError(message) from error
    started_here = not ray.is_initialized()
    if started_here:  # the workers see the same data, cache and quick-mode settings as this process
        settings = {key: value for key, value in os.environ.items() if key.startswith("KIT_")}
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": settings})
    try:
        train = ray.remote(_train)
        pending = [train.remote(config.as_dict(), root) for config in configs]
        outcomes = {}
        with tqdm(total=len(pending), desc="sweep (ray)", disable=not progress) as bar:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                name, outcome = ray.get(ready[0])
                outcomes[name] = outcome
                bar.update()
        return outcomes
    finally:
        if started_here:
            ray.shutdown()
