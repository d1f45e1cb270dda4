"""Train/test splits of a spoken-digit corpus (lessons 1 and 7).

Three ways to hold data out, from easiest to most honest:

* :func:`random_split` - the paper's random 90/10 with a seed: the same
  speakers appear on both sides, so test accuracy flatters the model;
* :func:`official_split` - the corpus's own split (FSDD: takes 0-4 of every
  speaker and digit are test; Speech Commands: its testing list);
* :func:`speaker_split` - whole speakers held out: the question "does it work
  for a voice it never heard?".
"""

from __future__ import annotations

import numpy as np

from .spoken import SpokenDigits


def random_split(
    corpus: SpokenDigits, test_fraction: float = 0.1, seed: int = 0
) -> tuple[SpokenDigits, SpokenDigits]:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the utterances."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(corpus))
    n_test = round(len(corpus) * test_fraction)
    return (
        corpus.subset(np.sort(order[n_test:]), f"{corpus.name}-train"),
        corpus.subset(np.sort(order[:n_test]), f"{corpus.name}-test"),
    )


def official_split(corpus: SpokenDigits) -> tuple[SpokenDigits, SpokenDigits]:
    """The corpus's published split: (train, test). Validation utterances go to neither."""
    splits = np.array([u.official_split for u in corpus.utterances], dtype=object)
    if any(s is None for s in splits):
        raise ValueError(f"{corpus.name} has no official split; use random_split or speaker_split")
    return (
        corpus.subset(np.flatnonzero(splits == "train"), f"{corpus.name}-train"),
        corpus.subset(np.flatnonzero(splits == "test"), f"{corpus.name}-test"),
    )


def speaker_split(
    corpus: SpokenDigits, test_speakers: list[str] | tuple[str, ...]
) -> tuple[SpokenDigits, SpokenDigits]:
    """Every utterance of ``test_speakers`` is test, all others train."""
    unknown = set(test_speakers) - set(corpus.speaker_names)
    if unknown:
        raise ValueError(f"{corpus.name} has no speaker(s) {sorted(unknown)}; it has {corpus.speaker_names}")
    held_out = np.array([u.speaker in test_speakers for u in corpus.utterances])
    return (
        corpus.subset(np.flatnonzero(~held_out), f"{corpus.name}-train"),
        corpus.subset(np.flatnonzero(held_out), f"{corpus.name}-test"),
    )
