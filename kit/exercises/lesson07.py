"""Checks for the exercises of lesson 07 (cross-modal alignment and AIVAE): two pairing strategies.

Each check calls the learner's function on label arrays the learner never
sees (uneven classes, more images than clips for some digits and fewer for
others) and holds the result to the invariants that :mod:`kit.pairing`'s own
strategy keeps: how many pairs, who is used how often, labels that match,
randomness that follows the seed. Typical slips (the other strategy, a clip
that never changes, pairs across digits, a seed that is ignored, the smaller
side counted over all digits instead of per digit) get a hint of their own;
none prints the answer.
"""

from __future__ import annotations

import numpy as np

from . import as_function as _function
from . import exercise

# Hidden labels: four digits; digit 2 has more clips than images, the others fewer.
HIDDEN_CLIPS = {0: 6, 1: 9, 2: 40, 3: 5}
HIDDEN_IMAGES = {0: 70, 1: 45, 2: 12, 3: 60}


def hidden_labels(seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``(audio_labels, image_labels)`` of the hidden case, each in a shuffled order."""
    rng = np.random.default_rng(seed)
    audio = np.concatenate([np.full(n, d) for d, n in HIDDEN_CLIPS.items()])
    images = np.concatenate([np.full(n, d) for d, n in HIDDEN_IMAGES.items()])
    return rng.permutation(audio), rng.permutation(images)


def _indices(result, name: str) -> tuple[np.ndarray, np.ndarray]:
    if result is None:
        raise AssertionError(f"{name} returned None: does your function `return` its result?")
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise AssertionError(f"{name} should return two index arrays, (audio_index, image_index).")
    audio_index, image_index = (np.asarray(part) for part in result)
    if audio_index.ndim != 1 or image_index.ndim != 1 or len(audio_index) != len(image_index):
        raise AssertionError("audio_index and image_index should be 1-D arrays of the same length: "
                             "pair k is (audio_index[k], image_index[k]).")
    if not (np.issubdtype(audio_index.dtype, np.integer) and np.issubdtype(image_index.dtype, np.integer)):
        raise AssertionError("return *indices* (whole numbers that point into the label arrays), not labels "
                             "or booleans.")
    return audio_index, image_index


def _call(function, name: str, audio_labels, image_labels, seed: int) -> tuple[np.ndarray, np.ndarray]:
    audio_index, image_index = _indices(function(audio_labels.copy(), image_labels.copy(), seed), name)
    for index, labels, side in ((audio_index, audio_labels, "audio"), (image_index, image_labels, "image")):
        if len(index) and (index.min() < 0 or index.max() >= len(labels)):
            raise AssertionError(f"some {side} indices lie outside 0 ... {len(labels) - 1}.")
    if not np.array_equal(audio_labels[audio_index], image_labels[image_index]):
        raise AssertionError("some pairs join a clip and an image of different digits; the labels are used "
                             "exactly for this: a clip of d goes with an image of d.")
    return audio_index, image_index


def _changes_with_seed(function, name: str, audio_labels, image_labels) -> None:
    first = _call(function, name, audio_labels, image_labels, 0)
    again = _call(function, name, audio_labels, image_labels, 0)
    if not all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)):
        raise AssertionError("the same seed gave different pairs: draw every random number from "
                             "np.random.default_rng(seed), so that a run can be repeated.")
    other = _call(function, name, audio_labels, image_labels, 1)
    if all(np.array_equal(np.sort(a), np.sort(b)) for a, b in zip(first, other, strict=True)):
        raise AssertionError("seeds 0 and 1 chose exactly the same clips and images: the choice should be "
                             "random (and follow the seed).")


# ---------------------------------------------------------------------------------------------
# Exercise 1: many-to-one, the paper's MNIST-FSDD pairing

@exercise("07.many_to_one")
def many_to_one_check(answer) -> None:
    """``my_many_to_one(audio_labels, image_labels, seed)``: every image once, a same-digit clip each."""
    function = _function(answer, "my_many_to_one")
    audio_labels, image_labels = hidden_labels()
    audio_index, image_index = _call(function, "my_many_to_one", audio_labels, image_labels, 0)
    per_digit_min = sum(min(HIDDEN_CLIPS[d], HIDDEN_IMAGES[d]) for d in HIDDEN_CLIPS)
    if len(image_index) == per_digit_min and len(np.unique(audio_index)) == len(audio_index):
        raise AssertionError("no clip is used twice: that is one-to-one. Many-to-one keeps *every image* "
                             "and draws its clip with replacement.")
    if len(image_index) == len(audio_labels):
        raise AssertionError("one pair per *clip*: that is the resampled strategy. Many-to-one makes one "
                             "pair per image.")
    if len(image_index) != len(image_labels) or len(np.unique(image_index)) != len(image_labels):
        raise AssertionError(f"there are {len(image_labels)} images and each should appear in exactly one "
                             f"pair; yours give {len(image_index)} pairs with {len(np.unique(image_index))} "
                             "different images.")
    for digit, clips in HIDDEN_CLIPS.items():
        used = np.unique(audio_index[audio_labels[audio_index] == digit])
        if len(used) == 1 and clips > 1:
            raise AssertionError(f"every image of digit {digit} got the same clip; draw a clip at random, "
                                 "afresh for every image.")
    digit = max(HIDDEN_IMAGES, key=lambda d: HIDDEN_IMAGES[d] / HIDDEN_CLIPS[d])
    used = len(np.unique(audio_index[audio_labels[audio_index] == digit]))
    if used < HIDDEN_CLIPS[digit] - 1:
        raise AssertionError(f"with {HIDDEN_IMAGES[digit]} images and {HIDDEN_CLIPS[digit]} clips of digit "
                             f"{digit}, almost every clip should be drawn; yours use {used}. Draw uniformly "
                             "among *all* clips of the digit.")
    _changes_with_seed(function, "my_many_to_one", audio_labels, image_labels)


# ---------------------------------------------------------------------------------------------
# Exercise 2: one-to-one, the paper's MNIST-SCD pairing

@exercise("07.one_to_one")
def one_to_one_check(answer) -> None:
    """``my_one_to_one(audio_labels, image_labels, seed)``: no reuse on either side, min per digit."""
    function = _function(answer, "my_one_to_one")
    audio_labels, image_labels = hidden_labels()
    audio_index, image_index = _call(function, "my_one_to_one", audio_labels, image_labels, 0)
    if len(np.unique(audio_index)) < len(audio_index):
        raise AssertionError("a clip appears in two pairs; one-to-one uses every clip at most once "
                             "(without replacement).")
    if len(np.unique(image_index)) < len(image_index):
        raise AssertionError("an image appears in two pairs; one-to-one uses every image at most once.")
    per_digit = {d: int(np.sum(audio_labels[audio_index] == d)) for d in HIDDEN_CLIPS}
    expected = {d: min(HIDDEN_CLIPS[d], HIDDEN_IMAGES[d]) for d in HIDDEN_CLIPS}
    if per_digit != expected:
        overall = min(HIDDEN_CLIPS.values())
        if set(per_digit.values()) == {overall}:
            raise AssertionError("you took the same number of pairs for every digit; the limit is the "
                                 "smaller side *of each digit* (how many clips and how many images it has).")
        short = [d for d in HIDDEN_CLIPS if per_digit[d] < expected[d]]
        raise AssertionError(f"too few pairs for digit(s) {short}: pair as many as the smaller side of the "
                             "digit allows, so that no clip or image that could find a partner is left out.")
    _changes_with_seed(function, "my_one_to_one", audio_labels, image_labels)
