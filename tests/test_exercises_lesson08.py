"""Lesson 08's exercise checks: the kit's code passes, constants, copies and typical slips fail."""

import math

import numpy as np
import pytest
import torch

from kit import augment, experiments
from kit.exercises import verdict
from kit.exercises.lesson08 import hidden_posterior, hidden_signals
from kit.models import FastAIVAE

KEYS = ("08.kl_warmup", "08.active_dimensions", "08.noise_at_snr")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a number", None, 0.5):
        assert verdict(key, nonsense)[0] == "wrong"


# -- Exercise 1: the KL warm-up ----------------------------------------------------------------

def by_hand_kl_weight(step, warmup_steps, beta=1.0):
    if warmup_steps <= 0:
        return beta
    return beta * min(1.0, (step - 1) / warmup_steps)


def test_kl_warmup_passes_for_the_kit_and_the_worked_solution():
    assert verdict("08.kl_warmup", by_hand_kl_weight)[0] == "correct"
    def kit_model(step, warmup, beta):
        return FastAIVAE(kl_weight=beta, kl_warmup_steps=warmup).current_kl_weight(step)

    assert verdict("08.kl_warmup", kit_model)[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    (lambda s, w, b: 1.0, "straight line"),                                  # a constant
    (lambda s, w, b: s, "straight line"),                                     # a copy of the input
    (lambda s, w, b: None, "return"),
    (lambda s, w, b: b * min(1.0, s / w) if w else b, "Steps count from 1"),
    (lambda s, w, b: b * (s - 1) / w if w else b, "never grows"),
    (lambda s, w, b: min(1.0, (s - 1) / w) if w else 1.0, "rises to beta"),
    (lambda s, w, b: b * min(1.0, (s - 1) / w), "divided by zero"),
])
def test_kl_warmup_slips(answer, hint):
    status, message = verdict("08.kl_warmup", answer)
    assert status == "wrong" and hint in message, message


# -- Exercise 2: active dimensions -------------------------------------------------------------

def by_hand_active(mu, logvar, threshold=0.01):
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar)
    return int((kl.mean(dim=0) > threshold).sum())


class _Encoder(torch.nn.Module):
    """Stands in for a model: ``encode`` returns given posteriors, so the kit's own count can run."""

    def __init__(self, mu, logvar):
        super().__init__()
        self.mu, self.logvar = mu, logvar
        self.weight = torch.nn.Parameter(torch.zeros(1))

    def encode(self, index):
        return self.mu[index.long()], self.logvar[index.long()]


def kit_count(mu, logvar, threshold=0.01):
    per_dimension = experiments.kl_per_dimension(_Encoder(mu, logvar), torch.arange(len(mu)))
    return int((per_dimension > threshold).sum())


def test_active_dimensions_passes_and_the_hidden_cases_are_what_they_claim():
    assert verdict("08.active_dimensions", by_hand_active)[0] == "correct"
    assert verdict("08.active_dimensions", kit_count)[0] == "correct"
    mu, logvar = hidden_posterior(11, active=5)
    assert kit_count(mu, logvar, experiments.ACTIVE_NATS) >= 5
    assert kit_count(mu, logvar, 0.05) == 5


@pytest.mark.parametrize("answer, hint", [
    (lambda m, lv, t: 5, ""),                                                 # a constant
    (lambda m, lv, t: m, "one whole number"),                                 # a copy of the input
    (lambda m, lv, t: None, "return"),
    (lambda m, lv, t: int(((0.5 * (m**2 + lv.exp() - 1 - lv)).sum(0) > t).sum()), "summed the KL"),
    (lambda m, lv, t: int((m.abs().mean(0) > t).sum()), "not its mean"),
    (lambda m, lv, t: int(((0.5 * (m**2 + lv.exp() - 1 - lv)) > t).any(0).sum()), "clips"),
    (lambda m, lv, t: 0.5 * (m**2 + lv.exp() - 1 - lv).mean(0), "one whole number"),
])
def test_active_dimensions_slips(answer, hint):
    status, message = verdict("08.active_dimensions", answer)
    assert status == "wrong" and hint in message, message


# -- Exercise 3: noise at a chosen SNR ---------------------------------------------------------

def by_hand_mix(speech, noise, snr_db):
    gain = np.sqrt(np.mean(speech**2) / (np.mean(noise**2) * 10 ** (snr_db / 10)))
    return speech + gain * noise


def kit_mix(speech, noise, snr_db):
    """The kit's add_noise draws its own noise; given the noise, its scaling is this one."""
    rng = np.random.default_rng(0)
    white = augment.add_noise(np.zeros_like(speech), 0.0, rng, speech_power=float(np.mean(speech**2)))
    scale = np.sqrt(np.mean(white.astype(np.float64) ** 2) / np.mean(noise.astype(np.float64) ** 2))
    return speech + scale * noise / np.sqrt(10 ** (snr_db / 10))


def test_noise_at_snr_passes():
    assert verdict("08.noise_at_snr", by_hand_mix)[0] == "correct"
    assert verdict("08.noise_at_snr", kit_mix)[0] == "correct"
    speech, noise = hidden_signals(0)
    mixed = by_hand_mix(speech, noise, 10.0)
    snr = 10 * np.log10(np.mean(speech**2) / np.mean((mixed - speech) ** 2))
    assert math.isclose(snr, 10.0, abs_tol=1e-3)


@pytest.mark.parametrize("answer, hint", [
    (lambda s, n, snr: s, "nothing was added"),                               # a copy of the input
    (lambda s, n, snr: np.zeros_like(s), "no speech"),                        # a constant
    (lambda s, n, snr: None, "return"),
    (lambda s, n, snr: s[:-1], "shape"),
    (lambda s, n, snr: s + n, "Choose the gain"),
    (lambda s, n, snr: by_hand_mix(s, n, snr) - s, "no speech"),
    (lambda s, n, snr: s + np.sqrt(np.mean(s**2) / np.mean(n**2)) * 10 ** (-snr / 10) * n, "power* ratio"),
    (lambda s, n, snr: by_hand_mix(s, n, -snr), "Wrong direction"),
    (lambda s, n, snr: s + np.sqrt(np.mean(s**2) / 10 ** (snr / 10)) * n, "neither the speech"),
    (lambda s, n, snr: s - np.sqrt(np.mean(s**2) / (np.mean(n**2) * 10 ** (snr / 10))) * n, "negative"),
    (lambda s, n, snr: s + np.sqrt(np.mean(s**2) / (np.mean(n**2) * 10 ** (snr / 10))) * np.abs(n), "shape"),
])
def test_noise_at_snr_slips(answer, hint):
    status, message = verdict("08.noise_at_snr", answer)
    assert status == "wrong" and hint in message, message
