"""Checks for the exercises of lesson 02 (the STFT).

* ``02.frames`` - frames and frequency bins of a centred STFT;
* ``02.my_stft`` - a hand-written STFT magnitude, compared with :func:`kit.features.stft`;
* ``02.griffin_lim`` - a hand-written Griffin-Lim loop, judged like :func:`kit.features.griffin_lim` by the
  spectral convergence of what it returns, on signals the learner never sees.
"""

from __future__ import annotations

import numpy as np

from . import exercise

SR = 8000

# 02.frames: a 0.8 s clip at 8 kHz, n_fft = 512, hop = 128
FRAMES_SAMPLES, FRAMES_N_FFT, FRAMES_HOP = 6400, 512, 128


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


# ---------------------------------------------------------------------------------------------
# 02.griffin_lim: a phase that fits a magnitude

GL_N_FFT, GL_HOP, GL_ITERATIONS = 256, 64, 60


def hidden_sound(seed: int) -> np.ndarray:
    """A vowel-like hidden signal (a gliding pitch with harmonics and an envelope), 0.4 s at 8 kHz."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.4 * SR)) / SR
    pitch = rng.uniform(110, 220) * (1 + 0.2 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / SR
    y = sum(rng.uniform(0.2, 1.0) / k * np.sin(k * phase) for k in range(1, 12))
    return (y * np.hanning(len(t))).astype(np.float32)


@exercise("02.griffin_lim")
def check_griffin_lim(answer) -> None:
    """``my_griffin_lim(magnitude, n_iter, hop)`` -> a waveform whose STFT magnitude fits ``magnitude``."""
    from ..features import griffin_lim, spectral_convergence, stft

    if not callable(answer):
        raise AssertionError("the answer should be your function itself: answer = my_griffin_lim "
                             "(no brackets).")
    for seed in (2, 3):
        y = hidden_sound(seed)
        magnitude = np.abs(stft(y, GL_N_FFT, GL_HOP))
        result = answer(magnitude.copy(), GL_ITERATIONS, GL_HOP)
        if result is None:
            raise AssertionError("my_griffin_lim returned None: does your function `return` the waveform?")
        result = np.asarray(result)
        if np.iscomplexobj(result) or result.ndim != 1:
            kind = " and complex values" if np.iscomplexobj(result) else ""
            raise AssertionError(f"return a waveform: real samples, shape (n,); yours has shape "
                                 f"{result.shape}{kind}. Go back to the time domain at the end "
                                 "(features.istft).")
        expected_length = GL_HOP * (magnitude.shape[1] - 1)
        if abs(len(result) - expected_length) > GL_N_FFT:
            raise AssertionError(f"the waveform has {len(result)} samples; a spectrogram of "
                                 f"{magnitude.shape[1]} frames {GL_HOP} samples apart stands for about "
                                 f"{expected_length}.")
        result = result.astype(np.float64)[: len(y)]
        if not np.all(np.isfinite(result)) or np.abs(result).max() < 1e-6:
            raise AssertionError("the waveform is silent (or holds NaN): start from the given magnitude with "
                                 "a random phase, not from zeros.")
        fit = spectral_convergence(y, result, GL_N_FFT, GL_HOP)
        once = spectral_convergence(y, griffin_lim(magnitude, 0, GL_HOP, len(y)), GL_N_FFT, GL_HOP)
        original = griffin_lim(magnitude, GL_ITERATIONS, GL_HOP, len(y), momentum=0.0)
        bar = 0.6 * spectral_convergence(y, original, GL_N_FFT, GL_HOP) + 0.4 * once
        if fit <= bar:
            continue
        if fit >= 0.9 * once:
            raise AssertionError(f"the fit is no better than random phase without any iteration (spectral "
                                 f"convergence {fit:.2f}): each iteration should keep the *phase* of the "
                                 "re-analysed signal and put the known *magnitude* back.")
        raise AssertionError(f"better than no iteration, but not yet Griffin-Lim (spectral convergence "
                             f"{fit:.2f}; {GL_ITERATIONS} iterations of the original algorithm reach below "
                             f"{bar:.2f}). Does every iteration go to the time domain and back with the same "
                             "n_fft and hop?")
