"""Checks for the exercises of lesson 02 (the STFT).

* ``02.frames`` - frames and frequency bins of a centred STFT;
* ``02.resolution`` - the ``n_fft`` for a given bin spacing, and its window length in ms;
* ``02.my_stft`` - a hand-written STFT magnitude, compared with :func:`kit.features.stft`.
"""

from __future__ import annotations

import numpy as np

from . import exercise

SR = 8000

# 02.frames: a 0.8 s clip at 8 kHz, n_fft = 512, hop = 128
FRAMES_SAMPLES, FRAMES_N_FFT, FRAMES_HOP = 6400, 512, 128

# 02.resolution: bins 15.625 Hz apart at 8 kHz
RESOLUTION_HZ = 15.625


def _pair(answer, what: str) -> tuple:
    assert isinstance(answer, (tuple, list)) and len(answer) == 2, f"Give two numbers as a tuple: {what}."
    return tuple(answer)


@exercise("02.frames")
def check_frames(answer) -> None:
    """``(frames, bins)`` of ``kit.features.stft`` for 6,400 samples, n_fft 512, hop 128."""
    frames, bins = _pair(answer, "(number of frames, number of frequency bins)")
    n, n_fft, hop = FRAMES_SAMPLES, FRAMES_N_FFT, FRAMES_HOP
    if frames != 1 + n // hop:
        assert frames != n // hop, (
            "One frame short: with centring, frames sit on samples 0, hop, 2*hop, ... up to and "
            "including the last multiple of hop, so there are 1 + n // hop of them."
        )
        assert frames != 1 + (n - n_fft) // hop, (
            "That is the count without centring (frames that fit entirely inside the clip). "
            "kit.features.stft pads n_fft // 2 zeros at both ends, so there are "
            "1 + n // hop frames."
        )
        raise AssertionError(
            f"{frames} frames is not right: frame t is centred on sample t * hop; "
            "count the t with t * hop <= n."
        )
    if bins != 1 + n_fft // 2:
        assert bins != n_fft, (
            "A real signal's spectrum is symmetric, so the STFT keeps only the non-negative "
            "frequencies: 1 + n_fft // 2 bins, not n_fft."
        )
        assert bins != n_fft // 2, (
            "Almost: count both ends, 0 Hz and the Nyquist frequency sr/2: 1 + n_fft // 2 bins."
        )
        raise AssertionError(
            f"{bins} bins is not right: bin k is at k * sr / n_fft Hz, for k = 0 up to the Nyquist frequency."
        )


@exercise("02.resolution")
def check_resolution(answer) -> None:
    """``(n_fft, window_ms)`` for bins 15.625 Hz apart at 8 kHz: ``(512, 64)``."""
    n_fft, window_ms = _pair(answer, "(n_fft, window length in milliseconds)")
    want = round(SR / RESOLUTION_HZ)
    if n_fft != want:
        assert n_fft > 0, "n_fft is a positive number of samples."
        assert n_fft != round(SR / 2 / RESOLUTION_HZ), (
            "Bins run from 0 Hz to sr/2 but are spaced sr / n_fft apart (n_fft/2 + 1 of them cover "
            "half the sample rate). Solve sr / n_fft = 15.625 for n_fft."
        )
        raise AssertionError(
            f"n_fft = {n_fft} gives bins {SR / n_fft:g} Hz apart "
            f"(spacing = sr / n_fft with sr = {SR}), not {RESOLUTION_HZ} Hz."
        )
    window_ms = float(window_ms)
    expected_ms = 1000 * want / SR
    if not np.isclose(window_ms, expected_ms):
        assert not np.isclose(window_ms, expected_ms / 1000), (
            "That is the window length in seconds; the question asks for milliseconds."
        )
        raise AssertionError(
            f"n_fft = {want} is right. The window lasts n_fft / sr seconds; give that in milliseconds."
        )


def _reference(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    from ..features import stft

    return np.abs(stft(y, n_fft, hop))


def _variant(y: np.ndarray, n_fft: int, hop: int, window: np.ndarray) -> np.ndarray:
    """The centred STFT magnitude with another window (to recognise common slips)."""
    padded = np.pad(y, n_fft // 2)
    starts = np.arange(1 + len(y) // hop) * hop
    frames = np.stack([padded[s : s + n_fft] * window for s in starts], axis=1)
    return np.abs(np.fft.rfft(frames, axis=0))


@exercise("02.my_stft")
def check_my_stft(my_stft) -> None:
    """A function ``my_stft(y, n_fft, hop)`` equal to ``abs(kit.features.stft(y, n_fft, hop))``."""
    assert callable(my_stft), "Your answer should be the function itself: answer = my_stft (no brackets)."
    rng = np.random.default_rng(2)
    for length, n_fft, hop in [(2000, 256, 64), (1234, 128, 32), (3001, 512, 100)]:
        y = rng.standard_normal(length).astype(np.float32)
        got = np.asarray(my_stft(y.copy(), n_fft, hop))
        want = _reference(y, n_fft, hop)
        assert not np.iscomplexobj(got), "Return the magnitude, np.abs(...), not the complex spectrum."
        if got.shape != want.shape:
            assert got.shape != want.shape[::-1], (
                f"Shape {got.shape} is transposed: rows are frequency bins, columns are frames "
                f"(expected {want.shape})."
            )
            assert got.shape != (want.shape[0], 1 + (length - n_fft) // hop), (
                f"Shape {got.shape}: these are the frames without centring. Pad n_fft // 2 zeros "
                f"at both ends first (np.pad(y, n_fft // 2)); expected {want.shape}."
            )
            raise AssertionError(
                f"For {length} samples, n_fft={n_fft}, hop={hop} the shape should be {want.shape} "
                f"= (1 + n_fft // 2, 1 + len(y) // hop), not {got.shape}."
            )
        scale = want.max()
        if np.allclose(got, want, rtol=1e-3, atol=1e-4 * scale):
            continue
        slips = {
            "You used a symmetric Hann window (np.hanning(n_fft)). The kit, like librosa, uses the "
            "periodic one: np.hanning(n_fft + 1)[:-1].": np.hanning(n_fft),
            "Each frame must be multiplied by the Hann window before the FFT: "
            "np.hanning(n_fft + 1)[:-1].": np.ones(n_fft),
        }
        for hint, window in slips.items():
            slip = _variant(y, n_fft, hop, window)
            assert not np.allclose(got, slip, rtol=1e-3, atol=1e-4 * scale), hint
        error = np.abs(got - want).max() / scale
        raise AssertionError(
            f"The shape is right but the values differ (largest error {error:.2g} of the peak, for "
            f"{length} samples, n_fft={n_fft}, hop={hop}). Frame m is "
            "padded[m*hop : m*hop + n_fft] of the zero-padded signal, times the periodic Hann "
            "window, then np.fft.rfft."
        )
