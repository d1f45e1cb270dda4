"""Pairing spoken digits with handwritten ones (lessons 7-8; the paper's section 5.1).

Nobody recorded the person who wrote each MNIST digit saying it, so the
course *builds* aligned audio-image pairs from two unrelated data sets,
using the labels only to pair (the generator never sees a label):

``many-to-one`` (MNIST-FSDD in the paper)
    every image once; for each, an audio clip of the same digit drawn *with*
    replacement. Few clips, many images: each clip is paired with many
    different images, so the best a model can do is draw their average, an
    *archetype*.
``one-to-one`` (MNIST-SCD in the paper)
    per digit, clips and images shuffled and matched *without* replacement on
    both sides, as many pairs as the smaller side has.
``resampled`` (the student report, seed 000)
    every clip once per epoch, with a fresh random image of its digit each epoch.

Each function returns index arrays ``(audio_index, image_index)`` of equal length.

For audio-visual correspondence (lesson 15) a model also needs pairs that do
*not* belong together: :func:`mismatched` gives every clip an image of another
digit, and :class:`CorrespondenceBatches` serves both kinds, labelled 1 (they
match) and 0 (they do not). Again the labels only decide the pairs.
"""

from __future__ import annotations

import numpy as np

STRATEGIES = ("many-to-one", "one-to-one", "resampled")


def _by_class(labels: np.ndarray) -> dict[int, np.ndarray]:
    return {int(d): np.flatnonzero(labels == d) for d in np.unique(labels)}


def _require_same_classes(audio_labels: np.ndarray, image_labels: np.ndarray) -> None:
    missing = set(np.unique(image_labels)) ^ set(np.unique(audio_labels))
    if missing:
        raise ValueError(f"digits {sorted(missing)} occur in only one of audio and images: cannot pair them")


def _same_digit_partners(digits: np.ndarray, pool_labels: np.ndarray, rng) -> np.ndarray:
    """For each of ``digits``, the index of a random pool item of the same digit (with replacement)."""
    partners = np.empty(len(digits), dtype=np.int64)
    for digit, candidates in _by_class(pool_labels).items():
        chosen = digits == digit
        partners[chosen] = rng.choice(candidates, size=chosen.sum(), replace=True)
    return partners


def mismatched(digits, pool_labels, seed: int | list[int] = 0) -> np.ndarray:
    """For each of ``digits``, the index of a random ``pool_labels`` item of a *different* digit."""
    digits, pool_labels = np.asarray(digits), np.asarray(pool_labels)
    if len(np.unique(pool_labels)) < 2:
        raise ValueError("a mismatched pair needs at least two different digits in the pool")
    rng = np.random.default_rng(seed)
    partners = np.empty(len(digits), dtype=np.int64)
    for digit in np.unique(digits):
        chosen = digits == digit
        partners[chosen] = rng.choice(np.flatnonzero(pool_labels != digit), size=chosen.sum(), replace=True)
    return partners


def many_to_one(audio_labels, image_labels, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Every image once, each with a same-digit clip drawn with replacement."""
    audio_labels, image_labels = np.asarray(audio_labels), np.asarray(image_labels)
    _require_same_classes(audio_labels, image_labels)
    rng = np.random.default_rng(seed)
    image_index = rng.permutation(len(image_labels))
    return _same_digit_partners(image_labels[image_index], audio_labels, rng), image_index


def one_to_one(audio_labels, image_labels, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per digit, clips and images matched without replacement: ``min(#clips, #images)`` pairs."""
    audio_labels, image_labels = np.asarray(audio_labels), np.asarray(image_labels)
    _require_same_classes(audio_labels, image_labels)
    rng = np.random.default_rng(seed)
    clips, images = _by_class(audio_labels), _by_class(image_labels)
    pairs = []
    for digit in clips:
        a, i = rng.permutation(clips[digit]), rng.permutation(images[digit])
        n = min(len(a), len(i))
        pairs.append((a[:n], i[:n]))
    audio_index = np.concatenate([a for a, _ in pairs])
    image_index = np.concatenate([i for _, i in pairs])
    order = rng.permutation(len(audio_index))
    return audio_index[order], image_index[order]


def resampled(audio_labels, image_labels, seed: int = 0, epoch: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Every clip once, each with a random image of its digit, drawn afresh for every ``epoch``."""
    audio_labels, image_labels = np.asarray(audio_labels), np.asarray(image_labels)
    _require_same_classes(audio_labels, image_labels)
    rng = np.random.default_rng([seed, epoch])
    audio_index = rng.permutation(len(audio_labels))
    return audio_index, _same_digit_partners(audio_labels[audio_index], image_labels, rng)


def pair(
    strategy: str, audio_labels, image_labels, seed: int = 0, epoch: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs by ``strategy`` (one of :data:`STRATEGIES`); only ``resampled`` changes with ``epoch``."""
    if strategy == "many-to-one":
        return many_to_one(audio_labels, image_labels, seed)
    if strategy == "one-to-one":
        return one_to_one(audio_labels, image_labels, seed)
    if strategy == "resampled":
        return resampled(audio_labels, image_labels, seed, epoch)
    raise ValueError(f"unknown pairing {strategy!r}; choose from {', '.join(STRATEGIES)}")


class PairedBatches:
    """Mini-batches ``(audio, image)`` of pairs made by a strategy; ``resampled`` re-pairs every pass.

    ``audio`` and ``images`` are tensors (features and 28x28 images in [0, 1]);
    the labels are used only to pair.
    """

    def __init__(
        self,
        audio,
        audio_labels,
        images,
        image_labels,
        strategy: str = "many-to-one",
        batch_size: int = 128,
        seed: int = 0,
        shuffle: bool = True,
    ):
        import torch

        self.audio, self.images = torch.as_tensor(audio), torch.as_tensor(images)
        self.audio_labels, self.image_labels = np.asarray(audio_labels), np.asarray(image_labels)
        self.strategy, self.batch_size, self.seed, self.shuffle = strategy, batch_size, seed, shuffle
        self.passes = 0
        self.audio_index, self.image_index = pair(strategy, self.audio_labels, self.image_labels, seed)

    def __len__(self) -> int:
        return -(-len(self.audio_index) // self.batch_size)

    @property
    def labels(self) -> np.ndarray:
        """The digit of every pair of the current pass."""
        return self.audio_labels[self.audio_index]

    def _passes(self):
        """One pass: ``(audio_index, image_index)`` of every batch (re-paired first for ``resampled``)."""
        if self.strategy == "resampled":
            self.audio_index, self.image_index = pair(
                self.strategy, self.audio_labels, self.image_labels, self.seed, self.passes
            )
        order = (
            np.random.default_rng([self.seed, self.passes]).permutation(len(self.audio_index))
            if self.shuffle
            else np.arange(len(self.audio_index))
        )
        self.passes += 1
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            yield self.audio_index[index], self.image_index[index]

    def __iter__(self):
        import torch

        for audio_index, image_index in self._passes():
            yield self.audio[torch.from_numpy(audio_index)], self.images[torch.from_numpy(image_index)]


class CorrespondenceBatches(PairedBatches):
    """Mini-batches ``(audio, images, match)`` for audio-visual correspondence (lesson 15).

    Each batch holds the pairs of the strategy (``match`` 1) followed by the
    same clips with images of other digits (``match`` 0, drawn afresh every
    pass): half positives, half negatives, as in the 2017 paper.
    """

    def __iter__(self):
        import torch

        passes = self.passes
        for number, (audio_index, image_index) in enumerate(self._passes()):
            digits = self.audio_labels[audio_index]
            others = mismatched(digits, self.image_labels, [self.seed, passes, number])
            audio = self.audio[torch.from_numpy(np.concatenate([audio_index, audio_index]))]
            images = self.images[torch.from_numpy(np.concatenate([image_index, others]))]
            match = torch.cat([torch.ones(len(audio_index)), torch.zeros(len(audio_index))])
            yield audio, images, match
