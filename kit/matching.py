"""Find the match: a spoken digit finds handwritten ones and back, in the latent explorer (lesson 15).

:class:`Matcher` holds the zoo's correspondence model (a shared space for
clips and digits, :mod:`kit.models.correspondence`) and two galleries,
embedded once on first use: the MNIST test images (or the embedded digits)
and the spoken-digit corpus (FSDD, or the eSpeak voices without it).

* :meth:`Matcher.digits_for_file` - an audio file (WAV, FLAC, OGG, MP3; any
  rate) -> the ``k`` nearest handwritten digits with their distances;
* :meth:`Matcher.clips_for_image` - a 28x28 digit -> the ``k`` nearest clips,
  as files to play;
* :func:`digit_from_drawing` - a drawing from a sketchpad (any size, dark
  ink on a light or transparent canvas, or light on dark) -> an MNIST-style
  28x28 digit: the ink cropped, scaled to fit 20x20 and centred by its mass.

Distances are Euclidean between unit-length embeddings (0: the same
direction, 2: opposite). A file the model cannot use raises
:class:`kit.audio.AudioError`, a drawing with no ink :class:`ValueError`,
each with a sentence to show the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from . import zoo
from .audio import load_audio
from .data import DigitImages, SpokenDigits, load_digit_images
from .data.default import load_spoken_digits
from .features import MEL_IMAGE, extract
from .models.correspondence import SharedEmbeddingNet
from .playground import PLAYGROUND_SECONDS

#: The zoo's model for the "find the match" tab.
MATCHER_MODEL = "avc-infonce"
INK = 0.1  # a pixel with more ink than this (0-1) belongs to the drawing


@dataclass(frozen=True)
class DigitMatch:
    """One handwritten digit found for a query: the image, its digit, its distance, its gallery index."""

    image: np.ndarray
    digit: int
    distance: float
    index: int


@dataclass(frozen=True)
class ClipMatch:
    """One clip found for a query: its file, the digit it says, who says it, its distance."""

    path: Path
    digit: int
    speaker: str
    distance: float


class Matcher:
    """The zoo's shared space for clips and digits, and the two galleries it searches."""

    def __init__(self, model: str = MATCHER_MODEL) -> None:
        self.model = zoo.load(model).eval()
        if not isinstance(self.model, SharedEmbeddingNet):
            raise ValueError(f"{model!r} has no shared space for clips and digits to search")

    def prepare(self) -> None:
        """Embed both galleries now (else on the first query that needs each): seconds, once."""
        _ = self.image_embeddings, self.clip_embeddings

    @cached_property
    def images(self) -> DigitImages:
        """The gallery of handwritten digits: the MNIST test set (or the embedded digits)."""
        return load_digit_images("test")

    @cached_property
    def image_embeddings(self) -> torch.Tensor:
        return self._embed_images(torch.from_numpy(self.images.as_float()))

    @cached_property
    def clips(self) -> SpokenDigits:
        """The gallery of clips: FSDD (or the eSpeak voices)."""
        return load_spoken_digits()

    @cached_property
    def clip_embeddings(self) -> torch.Tensor:
        return self._embed_audio(torch.from_numpy(extract(self.clips, MEL_IMAGE, progress=False)))

    @torch.no_grad()
    def _embed_images(self, images: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.model.embed_image(part) for part in images.split(2000)])

    @torch.no_grad()
    def _embed_audio(self, features: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.model.embed_audio(part) for part in features.split(1000)])

    def digits_for_waveform(self, y: np.ndarray, k: int = 9) -> list[DigitMatch]:
        """The ``k`` handwritten digits nearest to the clip ``y`` (mono samples at the kit's rate)."""
        query = self._embed_audio(torch.from_numpy(MEL_IMAGE([y])))
        distances, indices = _nearest(query, self.image_embeddings, k)
        return [DigitMatch(self.images.images[i].astype(np.float32) / 255.0, int(self.images.labels[i]), d, i)
                for d, i in zip(distances, indices, strict=True)]

    def digits_for_file(self, path: str | Path, k: int = 9) -> list[DigitMatch]:
        """The ``k`` digits nearest to the one spoken in ``path``; ``AudioError`` if unusable."""
        return self.digits_for_waveform(load_audio(path, max_seconds=PLAYGROUND_SECONDS), k)

    def clips_for_image(self, image: np.ndarray, k: int = 3) -> list[ClipMatch]:
        """The ``k`` clips nearest to a ``(28, 28)`` digit in [0, 1]."""
        image = np.asarray(image, dtype=np.float32)
        if image.shape != (28, 28):
            raise ValueError(f"a digit to match is a 28x28 image, not one of shape {image.shape}")
        query = self._embed_images(torch.from_numpy(image)[None])
        distances, indices = _nearest(query, self.clip_embeddings, k)
        return [ClipMatch(self.clips[i].path, self.clips[i].digit, self.clips[i].speaker, d)
                for d, i in zip(distances, indices, strict=True)]


def _nearest(query: torch.Tensor, gallery: torch.Tensor, k: int) -> tuple[list[float], list[int]]:
    """Distances and indices of the ``k`` gallery embeddings nearest to the one ``query``, nearest first."""
    if not 1 <= k <= len(gallery):
        raise ValueError(f"k must be between 1 and the gallery's size {len(gallery)}, not {k}")
    distances = torch.cdist(query, gallery)[0]
    nearest = torch.topk(distances, k, largest=False)
    return [round(float(d), 4) for d in nearest.values], [int(i) for i in nearest.indices]


def _ink(drawing: np.ndarray) -> np.ndarray:
    """How much ink each pixel holds, in [0, 1], whatever the canvas (see the module docstring)."""
    drawing = np.asarray(drawing, dtype=np.float32)
    if drawing.ndim == 2:
        grey, alpha = drawing, None
    elif drawing.ndim == 3 and drawing.shape[2] in (3, 4):
        grey = drawing[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        alpha = drawing[..., 3] if drawing.shape[2] == 4 else None
    else:
        raise ValueError(f"a drawing is a grey, RGB or RGBA image, not an array of shape {drawing.shape}")
    scale = 255.0 if drawing.max() > 1 else 1.0
    grey = grey / scale
    if alpha is not None and (alpha / scale).min() < 0.5:  # a transparent canvas: ink where it is opaque
        return (alpha / scale) * (1 - grey)
    return 1 - grey if np.median(grey) > 0.5 else grey  # light canvas: dark ink; dark canvas: light ink


def digit_from_drawing(drawing: np.ndarray) -> np.ndarray:
    """An MNIST-style ``(28, 28)`` digit in [0, 1] from a drawing of any size; ``ValueError`` if empty."""
    from PIL import Image
    from scipy import ndimage

    ink = np.clip(_ink(drawing), 0, 1)
    rows, columns = np.nonzero(ink > INK)
    if not len(rows):
        raise ValueError("the drawing is empty: draw a digit first")
    ink = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    height, width = ink.shape
    scale = 20 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize(size, Image.LANCZOS),
                       np.float32) / 255
    digit = np.zeros((28, 28), np.float32)
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    digit[top : top + small.shape[0], left : left + small.shape[1]] = small
    centre_row, centre_column = ndimage.center_of_mass(digit)
    digit = ndimage.shift(digit, (13.5 - centre_row, 13.5 - centre_column), order=1, mode="constant")
    return np.clip(digit / max(float(digit.max()), 1e-6), 0, 1)
