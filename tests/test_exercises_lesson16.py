"""Lesson 16's exercise checks accept the worked solutions and reject constants, copies and typical slips."""

import numpy as np
import pytest
import torch

from kit.exercises import verdict
from kit.exercises.lesson16 import DENORMALISE_CASES, SOUND_CASES, kit_denormalise, magnitude_error
from kit.features import LOG_STFT, griffin_lim, istft
from kit.sound import SpectrogramScale, to_waveform

KEYS = ("16.denormalise", "16.griffin_lim")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 3.0, np.zeros((3, 128, 56))):
        assert verdict(key, nonsense)[0] == "wrong"


# ---------------------------------------------------------------------------------------------
# Exercise 1: back to decibels with the training set's one scale

def my_denormalise(scaled, train_db):
    """The lesson's solution."""
    low, high = train_db.min(), train_db.max()
    return low + scaled * (high - low)


def in_torch(scaled, train_db):
    train = torch.as_tensor(train_db)
    return torch.as_tensor(scaled) * (train.max() - train.min()) + train.min()


@pytest.mark.parametrize("solution", [my_denormalise, in_torch])
def test_denormalise_accepts_the_solutions(solution):
    status, message = verdict("16.denormalise", solution)
    assert status == "correct", message


def test_denormalise_refuses_the_kits_own_and_matches_it():
    status, message = verdict("16.denormalise", kit_denormalise)
    assert status == "wrong" and "yourself" in message
    train, scaled = DENORMALISE_CASES[0]
    scale = SpectrogramScale().fit(torch.from_numpy(train))
    expected = scale.denormalise(torch.from_numpy(scaled)).numpy()
    assert np.allclose(my_denormalise(scaled, train), expected, atol=1e-4)


@pytest.mark.parametrize("slip, words", [
    (lambda s, t: np.zeros_like(s), "straight line"),                      # a constant
    (lambda s, t: s, "unchanged"),                                          # a copy of the input
    (lambda s, t: t.min() + (s - s.min(axis=(1, 2), keepdims=True))
     / np.ptp(s, axis=(1, 2), keepdims=True) * (t.max() - t.min()), "per-file"),
    (lambda s, t: t.min(axis=(1, 2)).mean() + s * (t.max(axis=(1, 2)).mean() - t.min(axis=(1, 2)).mean()),
     "averaged"),
    (lambda s, t: (s - t.min()) / (t.max() - t.min()), "forwards"),
    (lambda s, t: s * (t.max() - t.min()), "lowest value"),
    (lambda s, t: s * t.max() + t.min(), "width"),
    (lambda s, t: t.max() - s * (t.max() - t.min()), "upside down"),
    (lambda s, t: t.mean() + s * t.std(), "standardisation"),
    (lambda s, t: 10 ** ((t.min() + s * (t.max() - t.min())) / 20), "amplitudes"),
    (lambda s, t: (t.min() + s * (t.max() - t.min()))[0], "shape"),
])
def test_denormalise_slips_get_their_hint(slip, words):
    status, message = verdict("16.denormalise", slip)
    assert status == "wrong" and words in message, message


def test_denormalise_in_place_is_refused():
    def in_place(scaled, train_db):
        scaled *= train_db.max() - train_db.min()
        scaled += train_db.min()
        return scaled

    status, message = verdict("16.denormalise", in_place)
    assert status == "wrong" and "in place" in message


# ---------------------------------------------------------------------------------------------
# Exercise 2: a phase for the magnitude, by Griffin-Lim

def with_nyquist(magnitude):
    return np.concatenate([magnitude, np.zeros_like(magnitude[:1])])


def my_to_sound(db):
    """The lesson's solution."""
    magnitude = with_nyquist(10 ** (db / 20))
    return griffin_lim(magnitude, hop_length=LOG_STFT.hop_length, length=LOG_STFT.samples)


def fewer_iterations(db):
    magnitude = with_nyquist(10 ** (db / 20))
    return griffin_lim(magnitude, n_iter=32, momentum=0.0, hop_length=128, length=7040)


@pytest.mark.parametrize("solution", [my_to_sound, fewer_iterations])
def test_griffin_lim_accepts_the_solutions(solution):
    status, message = verdict("16.griffin_lim", solution)
    assert status == "correct", message


def test_griffin_lim_refuses_the_kits_own_and_the_kit_fits_its_spectrogram():
    assert verdict("16.griffin_lim", lambda db: to_waveform(db))[0] == "wrong"
    for db in SOUND_CASES:
        assert magnitude_error(to_waveform(db), db) < 0.1


@pytest.mark.parametrize("slip, words", [
    (lambda db: np.zeros(7040), "silent"),                                   # a constant
    (lambda db: db, "1-D"),                                                  # a copy of the input
    (lambda db: db.ravel()[:7040], "away from"),                             # a copy that has the length
    (lambda db: istft(with_nyquist(10 ** (db / 20)).astype(np.complex64), hop_length=128, length=7040),
     "zero phase"),
    (lambda db: griffin_lim(with_nyquist(10 ** (db / 10)), hop_length=128, length=7040), "power"),
    (lambda db: griffin_lim(with_nyquist(db), hop_length=128, length=7040), "not a magnitude"),
    (lambda db: griffin_lim(with_nyquist(db * np.float32(1 + 1e-6)), hop_length=128, length=7040),
     "not a magnitude"),                                          # the same slip, summed in another order
    (lambda db: griffin_lim(10 ** (db / 20), hop_length=128, length=7040), "Nyquist"),
    (lambda db: np.pad(my_to_sound(db), (0, 128)), "samples"),
])
def test_griffin_lim_slips_get_their_hint(slip, words):
    status, message = verdict("16.griffin_lim", slip)
    assert status == "wrong" and words in message, message
