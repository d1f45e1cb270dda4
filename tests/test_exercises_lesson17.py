"""Lesson 17's exercise checks: the kit's functions pass, constants, copies and typical slips fail."""

import numpy as np
import pytest
import torch

from kit.exercises import verdict
from kit.models import iavae
from kit.models.iavae import gaussian_reconstruction
from kit.voicing import archetypes

KEYS = ("17.reconstruction", "17.negative_elbo", "17.archetypes")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a number", None, [1, 2], 3000):
        assert verdict(key, nonsense)[0] == "wrong"


@pytest.mark.parametrize("key", KEYS)
def test_a_constant_and_a_copy_of_the_input_fail(key):
    def constant(*args):
        return torch.tensor(1.0) if key != "17.archetypes" else np.zeros((10, 12, 9))

    def copy(first, *args):
        return first

    for answer in (constant, copy):
        assert verdict(key, answer)[0] == "wrong"


def test_the_kit_is_refused_as_an_answer():
    assert "kit's own code" in verdict("17.reconstruction", gaussian_reconstruction)[1]
    assert "kit's own code" in verdict("17.archetypes", archetypes)[1]


# --- exercise 1: the reconstruction term ----------------------------------------------------------------

def by_hand_reconstruction(decoded, targets, noise):
    return 0.5 * (((decoded - targets) / noise) ** 2).sum(dim=(1, 2))


def test_worked_reconstruction_passes():
    assert verdict("17.reconstruction", by_hand_reconstruction)[0] == "correct"


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        (lambda d, t, s: 0.5 * (((d - t) / s) ** 2).mean(dim=(1, 2)), "adds up over the bins"),
        (lambda d, t, s: (((d - t) / s) ** 2).sum(dim=(1, 2)), "twice too large"),
        (lambda d, t, s: 0.5 * ((d - t) ** 2 / s).sum(dim=(1, 2)), "squared"),
        (lambda d, t, s: 0.5 * (((d - t) / s) ** 2).sum(dim=(1, 2)).mean(), "one number for the whole batch"),
        (lambda d, t, s: 0.5 * ((d - t) / s).abs().sum(dim=(1, 2)), "differ from the kit's"),
    ],
)
def test_reconstruction_slips_get_their_hint(slip, words):
    status, message = verdict("17.reconstruction", slip)
    assert status == "wrong" and words in message


def test_using_the_kit_inside_is_refused():
    def wrapped(decoded, targets, noise):
        return iavae.gaussian_reconstruction(decoded, targets, noise)

    assert "uses the kit's" in verdict("17.reconstruction", wrapped)[1]


# --- exercise 2: the negative ELBO ------------------------------------------------------------------------

def by_hand_negative_elbo(model, spectrograms, images, eps, *, scale=True, sample=True, std=True,
                          weight=True):
    targets = model.scale.normalise(spectrograms) if scale else spectrograms
    mu, logvar = model.encode(images)
    sigma = torch.exp(0.5 * logvar) if std else logvar
    decoded = model.decode(mu + sigma * eps if sample else mu)
    reconstruction = 0.5 * (((decoded - targets) / model.noise) ** 2).sum(dim=(1, 2))
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)
    return (reconstruction + (model.kl_weight if weight else 1.0) * kl).mean()


def test_worked_negative_elbo_passes():
    assert verdict("17.negative_elbo", by_hand_negative_elbo)[0] == "correct"


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        ({"scale": False}, "decibels"),
        ({"sample": False}, "eps"),
        ({"std": False}, "log-*variance*"),
        ({"weight": False}, "has a weight"),
    ],
)
def test_negative_elbo_slips_get_their_hint(slip, words):
    status, message = verdict("17.negative_elbo", lambda *args: by_hand_negative_elbo(*args, **slip))
    assert status == "wrong" and words in message


def test_calling_the_models_own_loss_is_refused():
    def shortcut(model, spectrograms, images, eps):
        return model.loss((spectrograms, images))["loss"]

    assert "uses the kit's" in verdict("17.negative_elbo", shortcut)[1]


# --- exercise 3: the archetypes ---------------------------------------------------------------------------

def by_hand_archetypes(spectrograms, digits):
    return np.stack([spectrograms[digits == digit].mean(axis=0) for digit in range(10)])


def test_worked_archetypes_pass():
    assert verdict("17.archetypes", by_hand_archetypes)[0] == "correct"


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        (lambda s, d: np.repeat(s.mean(axis=0)[None], 10, axis=0), "same spectrogram"),
        (lambda s, d: np.stack([np.median(s[d == k], axis=0) for k in range(10)]), "median"),
        (lambda s, d: np.stack([s[d == k][0] for k in range(10)]), "one clip per digit"),
        (lambda s, d: np.stack([s[d == k].mean(axis=0) for k in np.unique(d)[::-1]]), "per-digit means"),
        (lambda s, d: s[:10], "per-digit means"),
    ],
)
def test_archetype_slips_get_their_hint(slip, words):
    status, message = verdict("17.archetypes", slip)
    assert status == "wrong" and words in message
