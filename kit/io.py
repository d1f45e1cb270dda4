"""Files that are never half-written, and checkpoints that never run code (every lesson, every run).

The lowest layer of the kit: it imports nothing of the kit. JSON and text
files are written to a temporary name and renamed into place, so a crash or a
full disk never leaves half a file where a whole one was; checkpoints are
written the same way and read with ``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be used, with the reason."""


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it into place."""
    path = Path(path)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


_NUMBER_LIST = re.compile(r"\[(\n[-+0-9.eE,\s]+)\]")  # an innermost list of numbers (never in a string)


def write_json_atomic(path: str | Path, value: Any) -> None:
    """``value`` as indented JSON, each list of numbers on one line, written atomically.

    Numbers that numpy or torch made become floats.
    """
    text = json.dumps(value, indent=2, default=float)
    text = _NUMBER_LIST.sub(lambda numbers: "[" + " ".join(numbers.group(1).split()) + "]", text)
    write_text_atomic(path, text + "\n")


def read_json(path: str | Path) -> Any:
    """The JSON value stored in ``path``."""
    return json.loads(Path(path).read_text())


def save_checkpoint(path: str | Path, state: dict) -> None:
    """``torch.save`` to a temporary file, then rename: a crash never leaves half a checkpoint."""
    import torch  # here, not above: the command line's light commands never load torch

    path = Path(path)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    torch.save(state, partial)
    os.replace(partial, path)


def load_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint safely (``weights_only=True``) or raise :class:`CheckpointError`."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated, not a torch file, or holds code: all refused the same way
        raise CheckpointError(
            f"{path.name} is not a usable checkpoint ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:200]})"
        ) from None
    if not isinstance(state, dict) or "model" not in state:
        raise CheckpointError(f"{path.name} holds no model weights")
    return state
