"""The model zoo: small trained models committed with the kit, each with a manifest entry.

``kit/zoo/manifest.json`` says for each model: its file, architecture and
options, the data it was trained on, the command that made it, its metrics,
its per-epoch history and the file's sha256. :func:`load` checks the sha256,
loads the weights with ``weights_only=True`` and returns the model in
evaluation mode; :func:`latent_axes` gives the slider axes the latent
explorer app uses. Weights are stored as float16 (half the size; the
manifest's metrics are measured on the stored weights). Rebuild an entry with
``python -m kit zoo NAME`` (the recipes are in :mod:`kit.zoo.recipes`).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..data.sources import sha256
from ..latent import LatentAxes
from ..train import CheckpointError, load_checkpoint, save_checkpoint

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
                       f"Build it with: python -m kit zoo {name}")
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
    model = MODELS[record["model"]](**record.get("options", {}))
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


def add(name: str, model: torch.nn.Module, model_name: str, options: dict, *, data: str, command: str,
        metrics: dict, history: list[dict] | None = None, axes: LatentAxes | None = None) -> Path:
    """Save ``model``'s weights (float16) as ``kit/zoo/NAME.pt`` and record it in the manifest.

    The model is reloaded from the stored file, so that ``metrics`` can be measured on
    exactly what users will get: call :func:`load` afterwards and update the entry
    with :func:`update_metrics`.
    """
    path = FOLDER / f"{name}.pt"
    state = {"model": _half(model.state_dict())}
    if axes is not None:
        state["latent_axes"] = _half(axes.as_dict())
    save_checkpoint(path, state)
    entries = manifest()
    entries[name] = {"file": path.name, "model": model_name, "options": options, "data": data,
                     "command": command, "metrics": metrics, "history": history or [],
                     "parameters": sum(p.numel() for p in model.parameters()), "bytes": path.stat().st_size,
                     "sha256": sha256(path)}
    MANIFEST.write_text(json.dumps(entries, indent=2) + "\n")
    return path


def update_metrics(name: str, metrics: dict) -> None:
    """Add or replace metrics of the zoo entry ``name``."""
    entries = manifest()
    entries[name]["metrics"] |= metrics
    MANIFEST.write_text(json.dumps(entries, indent=2) + "\n")
