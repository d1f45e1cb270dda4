"""Mini-batches of tensors that fit in memory, reshuffled every epoch (lessons 4-7).

Indexing tensors directly is several times faster than a ``DataLoader`` for
data that fits in memory, which all of the course's data does.
:func:`image_batches` is the one path from MNIST (or the embedded digits) to
training and test batches.
"""

from __future__ import annotations

import numpy as np
import torch

from ..data import load_digit_images


class Batches:
    """Mini-batches of aligned tensors, reshuffled on every pass (one pass = one epoch)."""

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
            index = order[start : start + self.batch_size]
            yield tuple(t[index] for t in self.tensors)


def digit_subset(split: str, limit: int | None = None, seed: int = 0):
    """MNIST ``split`` (or the embedded digits), or a seeded random subset of ``limit`` of them.

    A random subset, not the first images: the embedded digits are sorted by class.
    """
    images = load_digit_images(split)
    if limit is not None and limit < len(images):
        images = images.subset(np.sort(np.random.default_rng(seed).permutation(len(images))[:limit]))
    return images


def image_batches(
    split: str, batch_size: int = 128, limit: int | None = None, seed: int = 0, shuffle: bool = True
) -> Batches:
    """``(images in [0, 1], labels)`` batches of MNIST ``split``; see :func:`digit_subset` for ``limit``."""
    images = digit_subset(split, limit, seed)
    return Batches(
        torch.from_numpy(images.as_float()),
        torch.from_numpy(images.labels),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )
