"""The model zoo: small trained models committed with the kit, each with a manifest entry.

``kit/zoo/manifest.json`` says for each model: its file, architecture and
options, the data it was trained on, the command that made it, its metrics
and the file's sha256. :func:`load` checks the sha256, loads the weights
with ``weights_only=True`` and returns the model in evaluation mode.
Rebuild an entry with ``python -m kit zoo NAME``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..data.sources import sha256
from ..train import CheckpointError, load_checkpoint, save_checkpoint

FOLDER = Path(__file__).resolve().parent
MANIFEST = FOLDER / "manifest.json"


def manifest() -> dict[str, dict]:
    """Every zoo entry by name."""
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def load(name: str) -> torch.nn.Module:
    """The zoo's model ``name``, verified against its manifest, ready to use (``eval()`` mode)."""
    from ..models import MODELS

    entries = manifest()
    if name not in entries:
        raise KeyError(f"no model {name!r} in the zoo; it has: {', '.join(entries) or 'nothing yet'}. "
                       f"Build it with: python -m kit zoo {name}")
    entry = entries[name]
    path = FOLDER / entry["file"]
    if not path.is_file() or sha256(path) != entry["sha256"]:
        raise CheckpointError(f"{path} is missing or differs from the manifest's sha256; "
                              f"rebuild it with: {entry['command']}")
    model = MODELS[entry["model"]](**entry.get("options", {}))
    model.load_state_dict(load_checkpoint(path)["model"])
    return model.eval()


def add(name: str, model: torch.nn.Module, model_name: str, options: dict, *, data: str, command: str,
        metrics: dict) -> Path:
    """Save ``model``'s weights as ``kit/zoo/NAME.pt`` and record it in the manifest."""
    path = FOLDER / f"{name}.pt"
    save_checkpoint(path, {"model": {k: v.detach().cpu() for k, v in model.state_dict().items()}})
    entries = manifest()
    entries[name] = {"file": path.name, "model": model_name, "options": options, "data": data,
                     "command": command, "metrics": metrics,
                     "parameters": sum(p.numel() for p in model.parameters()), "sha256": sha256(path)}
    MANIFEST.write_text(json.dumps(entries, indent=2) + "\n")
    return path
