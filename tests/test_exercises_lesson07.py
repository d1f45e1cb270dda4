"""Lesson 07's exercise checks: the kit's pairing passes, constants, copies and typical slips fail."""

import numpy as np
import pytest

from kit import pairing
from kit.exercises import verdict
from kit.exercises.lesson07 import hidden_labels

KEYS = ("07.many_to_one", "07.one_to_one")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a number", None, [1, 2], 3000):
        assert verdict(key, nonsense)[0] == "wrong"


def test_the_kit_passes():
    assert verdict("07.many_to_one", pairing.many_to_one)[0] == "correct"
    assert verdict("07.one_to_one", pairing.one_to_one)[0] == "correct"


def by_hand_many_to_one(audio_labels, image_labels, seed):
    rng = np.random.default_rng(seed)
    image_index = rng.permutation(len(image_labels))
    audio_index = np.array([rng.choice(np.flatnonzero(audio_labels == image_labels[i])) for i in image_index])
    return audio_index, image_index


def by_hand_one_to_one(audio_labels, image_labels, seed):
    rng = np.random.default_rng(seed)
    audio_index, image_index = [], []
    for digit in np.unique(audio_labels):
        clips = rng.permutation(np.flatnonzero(audio_labels == digit))
        images = rng.permutation(np.flatnonzero(image_labels == digit))
        n = min(len(clips), len(images))
        audio_index.append(clips[:n])
        image_index.append(images[:n])
    return np.concatenate(audio_index), np.concatenate(image_index)


def test_worked_solutions_pass():
    assert verdict("07.many_to_one", by_hand_many_to_one)[0] == "correct"
    assert verdict("07.one_to_one", by_hand_one_to_one)[0] == "correct"


def first_clip_each(audio_labels, image_labels, seed):
    image_index = np.random.default_rng(seed).permutation(len(image_labels))
    return np.array([np.flatnonzero(audio_labels == image_labels[i])[0] for i in image_index]), image_index


def ignores_seed(audio_labels, image_labels, seed):
    return by_hand_many_to_one(audio_labels, image_labels, 0)


def unseeded(audio_labels, image_labels, seed):
    return by_hand_many_to_one(audio_labels, image_labels, None)


def any_digit(audio_labels, image_labels, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, len(audio_labels), len(image_labels)), rng.permutation(len(image_labels))


def first_few_clips(audio_labels, image_labels, seed):
    rng = np.random.default_rng(seed)
    image_index = rng.permutation(len(image_labels))
    return np.array([rng.choice(np.flatnonzero(audio_labels == image_labels[i])[:2]) for i in image_index]), \
        image_index


@pytest.mark.parametrize("answer, hint", [
    (lambda a, i, s: None, "return"),
    (lambda a, i, s: (a, i), "same length"),                              # a copy of the input
    (lambda a, i, s: (np.arange(len(i)), np.arange(len(i))), "outside"),
    (lambda a, i, s: (np.zeros(3, int), np.zeros(4, int)), "same length"),
    (any_digit, "different digits"),
    (pairing.one_to_one, "one-to-one"),
    (lambda a, i, s: pairing.resampled(a, i, s), "resampled"),
    (first_clip_each, "same clip"),
    (first_few_clips, "almost every clip"),
    (ignores_seed, "seeds 0 and 1"),
    (unseeded, "same seed"),
])
def test_many_to_one_slips(answer, hint):
    status, message = verdict("07.many_to_one", answer)
    assert status == "wrong" and hint in message, message


def same_count_for_all(audio_labels, image_labels, seed):
    smallest = min(np.sum(audio_labels == d) for d in np.unique(audio_labels))
    rng = np.random.default_rng(seed)
    pairs = [(rng.permutation(np.flatnonzero(audio_labels == d))[:smallest],
              rng.permutation(np.flatnonzero(image_labels == d))[:smallest]) for d in np.unique(audio_labels)]
    return np.concatenate([a for a, _ in pairs]), np.concatenate([i for _, i in pairs])


def unshuffled(audio_labels, image_labels, seed):
    pairs = []
    for d in np.unique(audio_labels):
        clips, images = np.flatnonzero(audio_labels == d), np.flatnonzero(image_labels == d)
        n = min(len(clips), len(images))
        pairs.append((clips[:n], images[:n]))
    return np.concatenate([a for a, _ in pairs]), np.concatenate([i for _, i in pairs])


def one_short(audio_labels, image_labels, seed):
    a, i = by_hand_one_to_one(audio_labels, image_labels, seed)
    return a[1:], i[1:]


@pytest.mark.parametrize("answer, hint", [
    (lambda a, i, s: None, "return"),
    (lambda a, i, s: (a, i), "same length"),
    (lambda a, i, s: (a > 1, i[:len(a)] > 1), "indices"),
    (pairing.many_to_one, "a clip appears in two pairs"),
    (lambda a, i, s: pairing.resampled(a, i, s), "an image appears in two pairs"),
    (same_count_for_all, "of each digit"),
    (one_short, "too few pairs"),
    (unshuffled, "seeds 0 and 1"),
])
def test_one_to_one_slips(answer, hint):
    status, message = verdict("07.one_to_one", answer)
    assert status == "wrong" and hint in message, message


def test_the_hidden_case_has_both_kinds_of_digit():
    audio_labels, image_labels = hidden_labels()
    counts = {d: (np.sum(audio_labels == d), np.sum(image_labels == d)) for d in np.unique(audio_labels)}
    assert any(c > i for c, i in counts.values()) and any(c < i for c, i in counts.values())
