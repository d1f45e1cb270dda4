"""Lesson 02's exercise checks accept the worked solutions and explain the usual slips."""

from __future__ import annotations

import numpy as np
import pytest

from kit import features
from kit.exercises import verdict


def _my_stft(y, n_fft, hop, window=None, centre=True):
    window = np.hanning(n_fft + 1)[:-1] if window is None else window
    padded = np.pad(y, n_fft // 2) if centre else y
    last = len(y) if centre else len(y) - n_fft
    frames = np.stack([padded[s : s + n_fft] * window for s in range(0, last + 1, hop)], axis=1)
    return np.abs(np.fft.rfft(frames, axis=0))


def test_frames():
    assert verdict("02.frames", (51, 257))[0] == "correct"
    assert "centring" in verdict("02.frames", (47, 257))[1]
    assert "1 + n_fft // 2" in verdict("02.frames", (51, 256))[1]
    assert verdict("02.frames", 51)[0] == "wrong"


def test_my_stft():
    assert verdict("02.my_stft", _my_stft)[0] == "correct"
    symmetric = verdict("02.my_stft", lambda y, n, h: _my_stft(y, n, h, window=np.hanning(n)))
    assert "periodic" in symmetric[1]
    unwindowed = verdict("02.my_stft", lambda y, n, h: _my_stft(y, n, h, window=np.ones(n)))
    assert "multiplied by the Hann window" in unwindowed[1]
    uncentred = verdict("02.my_stft", lambda y, n, h: _my_stft(y, n, h, centre=False))
    assert "without centring" in uncentred[1]
    assert "magnitude" in verdict("02.my_stft", lambda y, n, h: _my_stft(y, n, h) + 0j)[1]
    assert "transposed" in verdict("02.my_stft", lambda y, n, h: _my_stft(y, n, h).T)[1]
    assert "the function itself" in verdict("02.my_stft", _my_stft(np.zeros(64), 16, 4))[1]


def by_hand_griffin_lim(magnitude, n_iter, hop):
    n_fft = 2 * (magnitude.shape[0] - 1)
    phase = np.exp(2j * np.pi * np.random.default_rng(0).random(magnitude.shape))
    for _ in range(n_iter):
        y = features.istft(magnitude * phase, hop)
        rebuilt = features.stft(y, n_fft, hop)
        phase = rebuilt / np.maximum(np.abs(rebuilt), 1e-12)
    return features.istft(magnitude * phase, hop)


def test_griffin_lim_passes_for_the_kit_and_the_worked_solution():
    assert verdict("02.griffin_lim", lambda m, n, h: features.griffin_lim(m, n, h))[0] == "correct"
    assert verdict("02.griffin_lim", by_hand_griffin_lim)[0] == "correct"


def _phase_not_kept(magnitude, n_iter, hop):
    """A slip: the known magnitude is put back, but each iteration starts again from random phase."""
    rng = np.random.default_rng(1)
    for _ in range(n_iter):
        phase = np.exp(2j * np.pi * rng.random(magnitude.shape))
    return features.istft(magnitude * phase, hop)


def _magnitude_not_restored(magnitude, n_iter, hop):
    """A slip: iterating on the re-analysed spectrum without putting the known magnitude back."""
    n_fft = 2 * (magnitude.shape[0] - 1)
    spectrum = magnitude * np.exp(2j * np.pi * np.random.default_rng(0).random(magnitude.shape))
    for _ in range(n_iter):
        spectrum = features.stft(features.istft(spectrum, hop), n_fft, hop)
    return features.istft(spectrum, hop)


@pytest.mark.parametrize("answer, hint", [
    (lambda m, n, h: np.zeros(100), "samples"),                               # a constant
    (lambda m, n, h: m, "shape (n,)"),                                        # a copy of the input
    (lambda m, n, h: None, "returned None"),
    (lambda m, n, h: features.stft(features.istft(m + 0j, h), 2 * (m.shape[0] - 1), h), "shape (n,)"),
    (lambda m, n, h: features.istft(m + 0j, h), "spectral convergence"),     # zero phase, no iteration
    (lambda m, n, h: features.griffin_lim(m, 0, h), "spectral convergence"),  # random phase, no iteration
    (_phase_not_kept, "spectral convergence"),
    (_magnitude_not_restored, ""),
    ("griffin_lim", "function itself"),
])
def test_griffin_lim_slips(answer, hint):
    status, message = verdict("02.griffin_lim", answer)
    assert status == "wrong" and hint in message, message
