"""Lesson 02's exercise checks accept the worked solutions and explain the usual slips."""

from __future__ import annotations

import numpy as np

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


def test_resolution():
    assert verdict("02.resolution", (512, 64))[0] == "correct"
    assert "milliseconds" in verdict("02.resolution", (512, 0.064))[1]
    assert "7.8125 Hz" in verdict("02.resolution", (1024, 128))[1]


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
