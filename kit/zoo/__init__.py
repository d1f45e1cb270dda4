"""The model zoo: small trained models committed with the kit, each a published run (lessons 4-8, the apps).

``kit/zoo/manifest.json`` says for each model: its file, architecture,
options and task, the input features it hears, the data it was trained on,
its run configuration and the command that makes it again, when, where and
how long it trained, its metrics (with the same names as a run's), its
per-epoch history and the file's sha256. :func:`load` checks the sha256,
loads the weights with ``weights_only=True`` and returns the model in
evaluation mode; :func:`latent_axes` gives the slider axes the latent
explorer app uses. Weights are stored as float16 (half the size; the
manifest's metrics are measured on the stored weights). ``python -m kit zoo``
lists the entries; ``python -m kit zoo build NAME`` trains a recipe
(:mod:`kit.zoo.recipes`) as a run and publishes it with :func:`publish`.
This module imports only the lowest layers of the kit, so that the evaluator
and the apps can load models without the training stack.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import torch

from ..data.sources import sha256
from ..io import CheckpointError, load_checkpoint, save_checkpoint, write_text_atomic
from ..latent import LatentAxes

FOLDER = Path(__file__).resolve().parent
MANIFEST = FOLDER / "manifest.json"


def manifest() -> dict[str, dict]:
    """Every zoo entry by name."""
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def entry(name: str) -> dict:
    """The manifest entry of ``name``, or a ``KeyError`` that says what the zoo has."""
    entries = manifest()
    if name not in entries:
        raise KeyError(f"no model {name!r} in the zoo; it has: {', '.join(entries) or 'nothing yet'}. "
                       f"Build it with: python -m kit zoo build {name}")
    return entries[name]


def _checkpoint(name: str) -> dict:
    record = entry(name)
    path = FOLDER / record["file"]
    if not path.is_file() or sha256(path) != record["sha256"]:
        raise CheckpointError(f"{path} is missing or differs from the manifest's sha256; "
                              f"rebuild it with: {record['command']}")
    return load_checkpoint(path)


def load(name: str) -> torch.nn.Module:
    """The zoo's model ``name``, verified against its manifest, ready to use (``eval()`` mode, float32)."""
    from ..models import MODELS

    record = entry(name)
    model_class = MODELS[record["model"]]
    # audio models are built for the features they were trained on, as kit.runs builds them
    takes_features = "features" in inspect.signature(model_class).parameters
    hears = {"features": record["features"]} if takes_features else {}
    model = model_class(**record.get("options", {}), **hears)
    model.load_state_dict(_checkpoint(name)["model"])
    return model.eval()


def latent_axes(name: str) -> LatentAxes:
    """The slider axes stored with ``name`` (see :mod:`kit.latent`)."""
    state = _checkpoint(name)
    if "latent_axes" not in state:
        raise KeyError(f"zoo model {name!r} has no latent axes (it is not a generator)")
    return LatentAxes(**{key: value.float() for key, value in state["latent_axes"].items()})


def _half(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: (v.half() if v.is_floating_point() else v).detach().cpu() for k, v in state.items()}


def publish(name: str, model: torch.nn.Module, *, config: dict, data: str, metrics: dict,
            history: list[dict], trained: dict, axes: LatentAxes | None = None) -> dict:
    """Store a finished run's ``model`` (float16) as ``kit/zoo/NAME.pt`` and record it in the manifest.

    ``config`` is the run's configuration, ``trained`` its ``run.json`` (seconds, machine, dates, code).
    Measure the stored model afterwards (:func:`load`) and record that with :func:`update_metrics`,
    so that the manifest's figures are those of exactly what users get.
    """
    path = FOLDER / f"{name}.pt"
    state = {"model": _half(model.state_dict())}
    if axes is not None:
        state["latent_axes"] = _half(axes.as_dict())
    save_checkpoint(path, state)
    entries = manifest()
    entries[name] = {
        "file": path.name, "model": config["model"], "options": config.get("options", {}),
        "task": config.get("task"), "features": config.get("features"), "data": data, "config": config,
        "command": f"python -m kit zoo build {name}",
        "trained": {key: trained[key] for key in ("seconds", "machine", "device", "precision", "code",
                                                   "finished") if key in trained},
        "metrics": metrics, "history": history,
        "parameters": sum(p.numel() for p in model.parameters()), "bytes": path.stat().st_size,
        "sha256": sha256(path),
    }
    write_text_atomic(MANIFEST, json.dumps(entries, indent=2) + "\n")
    return entries[name]


def describe() -> str:
    """One line per zoo entry: name, model, task, size and its headline metrics."""
    lines = []
    for name, record in manifest().items():
        headline = ", ".join(f"{key} {value:.4g}" for key, value in record.get("metrics", {}).items()
                             if isinstance(value, float) and "accuracy" in key)
        lines.append(f"{name:14s} {record['model']:11s} {record.get('task') or '':22s} "
                     f"{record.get('bytes', 0) / 1e6:5.1f} MB  {headline}")
    return "\n".join(lines) or "the zoo is empty"


def update_metrics(name: str, metrics: dict) -> None:
    """Add or replace metrics of the zoo entry ``name``."""
    entries = manifest()
    entries[name]["metrics"] |= metrics
    write_text_atomic(MANIFEST, json.dumps(entries, indent=2) + "\n")
