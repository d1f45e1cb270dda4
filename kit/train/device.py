"""Where a model trains and in which number format: device, seeds, mixed precision (lessons 4-10).

:func:`pick_device` chooses CUDA, Apple's MPS or the CPU; :func:`seed_everything`
makes a run repeatable; :func:`autocast` runs a forward pass in bfloat16 where
the hardware has it. Whether bfloat16 pays off depends on the model: the
Table-1 AIVAE, whose time goes to large matrix products, trains 2-4 times
faster per step on an AVX-512 CPU, while small convolutional nets gain
nothing (``bench/README.md``). A model says what suits it with a class
attribute ``preferred_precision``; the :class:`~kit.train.Trainer`'s
``precision="auto"`` follows it.
"""

from __future__ import annotations

import contextlib
import random

import numpy as np
import torch

PRECISIONS = ("auto", "float32", "bfloat16")


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


def bfloat16_supported(device: torch.device) -> bool:
    """Whether ``device`` computes in bfloat16 natively (AVX-512 BF16 / AMX CPUs, Ampere+ GPUs)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False


def resolve_precision(precision: str, model: torch.nn.Module, device: torch.device) -> str:
    """``"float32"`` or ``"bfloat16"``; ``"auto"``: the model's preferred precision if the device has it."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r}: choose from {', '.join(PRECISIONS)}")
    if precision == "auto":
        precision = getattr(model, "preferred_precision", "float32")
        if precision == "bfloat16" and not bfloat16_supported(device):
            return "float32"
    return precision


def autocast(device: torch.device, precision: str):
    """A context in which matrix products and convolutions run in bfloat16 (a no-op for float32)."""
    if precision != "bfloat16":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)
