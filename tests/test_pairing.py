"""kit.pairing: labels always match; counts and replacement as each strategy promises."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from kit.pairing import STRATEGIES, PairedBatches, many_to_one, one_to_one, pair, resampled

AUDIO = np.repeat(np.arange(10), 27)  # few clips, like FSDD
IMAGES = np.random.default_rng(0).integers(0, 10, 1000)  # many images, unbalanced


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pairs_always_share_the_digit(strategy):
    audio_index, image_index = pair(strategy, AUDIO, IMAGES, seed=1)
    assert len(audio_index) == len(image_index) > 0
    assert (AUDIO[audio_index] == IMAGES[image_index]).all()


def test_many_to_one_uses_every_image_once_and_reuses_clips():
    audio_index, image_index = many_to_one(AUDIO, IMAGES, seed=2)
    assert sorted(image_index) == list(range(len(IMAGES)))
    assert max(Counter(audio_index).values()) > 1  # with replacement
    assert len(set(audio_index)) > 0.9 * len(AUDIO)  # ... but nearly every clip gets used


def test_one_to_one_is_without_replacement_on_both_sides():
    audio_index, image_index = one_to_one(AUDIO, IMAGES, seed=3)
    assert len(set(audio_index)) == len(audio_index) and len(set(image_index)) == len(image_index)
    expected = sum(min((AUDIO == d).sum(), (IMAGES == d).sum()) for d in range(10))
    assert len(audio_index) == expected


def test_resampled_changes_images_every_epoch_but_not_clips():
    a0, i0 = resampled(AUDIO, IMAGES, seed=4, epoch=0)
    a1, i1 = resampled(AUDIO, IMAGES, seed=4, epoch=1)
    assert sorted(a0) == sorted(a1) == list(range(len(AUDIO)))
    first = dict(zip(a0, i0, strict=True))
    second = dict(zip(a1, i1, strict=True))
    assert sum(first[k] != second[k] for k in first) > 0.8 * len(AUDIO)
    again_a, again_i = resampled(AUDIO, IMAGES, seed=4, epoch=0)
    assert (again_a == a0).all() and (again_i == i0).all()  # seeded


def test_pairing_refuses_mismatched_digits_and_unknown_strategies():
    with pytest.raises(ValueError, match="occur in only one"):
        many_to_one(np.array([0, 1]), np.array([0, 2]))
    with pytest.raises(ValueError, match="unknown pairing"):
        pair("all-to-all", AUDIO, IMAGES)


def test_paired_batches_yield_matching_tensors():
    audio = torch.from_numpy(AUDIO.astype(np.float32))[:, None, None].expand(-1, 48, 48)
    images = torch.from_numpy(IMAGES.astype(np.float32))[:, None, None].expand(-1, 28, 28)
    for strategy in STRATEGIES:
        batches = PairedBatches(audio, AUDIO, images, IMAGES, strategy, batch_size=64)
        seen = 0
        for a, i in batches:
            assert (a[:, 0, 0] == i[:, 0, 0]).all()  # the "pixel" holds the digit on both sides
            seen += len(a)
        assert seen == len(batches.audio_index) and len(batches) == -(-seen // 64)
