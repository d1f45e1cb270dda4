"""Lesson 07's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import math

import numpy as np
import pytest
import torch

from kit import pairing
from kit.exercises import verdict
from kit.exercises.lesson07 import PAIR_CLIPS_PER_DIGIT, PAIR_IMAGES
from kit.models import AIVAE, kl_divergence

KEYS = ("07.pair_counts", "07.fc_parameters", "07.kl_at_init")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a number", None, [1, 2]):
        assert verdict(key, nonsense)[0] == "wrong"


def _counts_from_the_kit():
    """The lesson's solution: pair synthetic labels with kit.pairing and count."""
    audio_labels = np.repeat(np.arange(10), PAIR_CLIPS_PER_DIGIT)
    image_labels = np.concatenate([np.full(n, d) for d, n in PAIR_IMAGES.items()])
    return {name: len(pairing.pair(name, audio_labels, image_labels)[0]) for name in pairing.STRATEGIES}


def test_pair_counts_agree_with_the_kit():
    counts = _counts_from_the_kit()
    assert counts == {"many-to-one": 3000, "one-to-one": 480, "resampled": 500}
    assert verdict("07.pair_counts", counts)[0] == "correct"
    assert verdict("07.pair_counts", {k: np.int64(v) for k, v in counts.items()})[0] == "correct"


@pytest.mark.parametrize("wrong, hint", [
    ({"many-to-one": 500, "one-to-one": 480, "resampled": 500}, "images"),
    ({"many-to-one": 3000, "one-to-one": 500, "resampled": 500}, "only 30"),
    ({"many-to-one": 3000, "one-to-one": 300, "resampled": 500}, "smaller"),
    ({"many-to-one": 3000, "one-to-one": 480, "resampled": 480}, "enough"),
    ({"many-to-one": 3000, "one-to-one": 480}, "lacks resampled"),
    ((3000, 480, 500), "dict"),
])
def test_pair_counts_rejects(wrong, hint):
    status, message = verdict("07.pair_counts", wrong)
    assert status == "wrong" and hint in message


def test_fc_parameters_match_table_1():
    fc = AIVAE().encoder[2][5]
    assert (fc.in_features, fc.out_features) == (12_800, 1024)
    count = sum(p.numel() for p in fc.parameters())
    assert count == 13_108_224
    assert verdict("07.fc_parameters", count)[0] == "correct"
    assert verdict("07.fc_parameters", torch.tensor(count))[0] == "correct"


@pytest.mark.parametrize("wrong, hint", [
    (12_800 * 1024, "bias"),
    (18_432 * 1024 + 1024, "padded"),
    (1024 * 6272 + 6272, "decoder"),
    (20_950_529, "whole model"),
    (12_800 + 1024, "one weight"),
    (1_000_000, "channels"),
])
def test_fc_parameters_rejects(wrong, hint):
    status, message = verdict("07.fc_parameters", wrong)
    assert status == "wrong" and hint in message


def test_kl_at_init_matches_the_kit():
    kl = kl_divergence(torch.zeros(1, 64), torch.full((1, 64), -5.0)).item()
    assert math.isclose(kl, 64 * 0.5 * (math.exp(-5) + 4), rel_tol=1e-5)
    assert verdict("07.kl_at_init", kl)[0] == "correct"


@pytest.mark.parametrize("wrong, hint", [
    (0.5 * (math.exp(-5) + 4), "one dimension"),
    (64 * (math.exp(-5) + 4), "1/2"),
    (64 * 0.5 * (math.exp(-5) - 1), "log sigma^2"),
    (-3.0, "never negative"),
    (64 * 0.5 * (math.exp(-2.5) - 1 + 2.5), "log-*variance*"),
    (42.0, "mu = 0"),
])
def test_kl_at_init_rejects(wrong, hint):
    status, message = verdict("07.kl_at_init", wrong)
    assert status == "wrong" and hint in message
