"""New voices from few speakers: waveform augmentation (the zoo's playground model, lesson 8).

FSDD has six speakers. A model trained on them alone learns *their* voices
and microphones; on a new speaker it guesses far more often. Each function
here changes one thing that differs between speakers and recordings while
keeping the spoken digit:

- :func:`change_speed` resamples: pitch, formants and tempo move together,
  roughly what a shorter or longer vocal tract does;
- :func:`tilt_spectrum` brightens or darkens the sound like another microphone;
- :func:`pad` puts the word inside a longer recording window, as a phone or a
  laptop records it (Speech Commands clips are 1 s windows, FSDD's are cut tight);
- :func:`add_noise` adds background noise (white, pink or brown) at a chosen
  signal-to-noise ratio, over the whole window.

:func:`augment` draws one random combination; :func:`augmented_copies` makes
several of every clip, reproducibly from a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from scipy.signal import lfilter, resample_poly


def change_speed(y: np.ndarray, factor: float) -> np.ndarray:
    """Play ``y`` ``factor`` times faster (> 1: shorter and higher; < 1: longer and lower)."""
    ratio = Fraction(factor).limit_denominator(40)
    return resample_poly(y, ratio.denominator, ratio.numerator).astype(np.float32)


def tilt_spectrum(y: np.ndarray, amount: float) -> np.ndarray:
    """A first-order tilt: ``amount`` > 0 boosts high frequencies, < 0 boosts low ones (|amount| < 1).

    Positive: the pre-emphasis ``y[n] - a y[n-1]``; negative: its mirror, the
    one-pole low-pass ``y[n] + |a| y[n-1]``, scaled to keep the gain at 0 Hz.
    """
    if amount >= 0:
        return lfilter([1.0, -amount], [1.0], y).astype(np.float32)
    return (lfilter([1.0 + amount], [1.0, amount], y)).astype(np.float32)


def pad(y: np.ndarray, before: int, after: int) -> np.ndarray:
    """``y`` with ``before`` and ``after`` samples of silence around it."""
    return np.pad(y, (before, after)).astype(np.float32)


def colored_noise(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-power noise whose power falls as ``1 / f**exponent``: 0 white, 1 pink, 2 brown."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    frequencies = np.fft.rfftfreq(n)
    frequencies[0] = frequencies[1] if n > 1 else 1.0
    noise = np.fft.irfft(spectrum / frequencies ** (exponent / 2), n)
    return noise / (np.sqrt(np.mean(noise**2)) + 1e-12)


def add_noise(y: np.ndarray, snr_db: float, rng: np.random.Generator, exponent: float = 0.0,
              speech_power: float | None = None) -> np.ndarray:
    """``y`` plus colored noise ``snr_db`` decibels below ``speech_power`` (default: ``y``'s own power)."""
    if speech_power is None:
        speech_power = float(np.mean(y.astype(np.float64) ** 2))
    noise = colored_noise(len(y), exponent, rng) * np.sqrt((speech_power + 1e-12) / 10 ** (snr_db / 10))
    return (y + noise).astype(np.float32)


def augment(
    y: np.ndarray,
    rng: np.random.Generator,
    speed: tuple[float, float] = (0.8, 1.25),
    tilt: tuple[float, float] = (-0.6, 0.9),
    margin_seconds: float = 0.35,
    snr_db: tuple[float, float] = (5.0, 40.0),
    sr: int = 8000,
) -> np.ndarray:
    """One random new version of ``y``.

    Speed (log-uniform in ``speed``), spectral tilt, silent margins of up to
    ``margin_seconds`` on each side, then white, pink or brown noise at an
    SNR drawn from ``snr_db`` (relative to the word, not the margins).
    """
    y = change_speed(y, float(np.exp(rng.uniform(np.log(speed[0]), np.log(speed[1])))))
    y = tilt_spectrum(y, float(rng.uniform(*tilt)))
    speech_power = float(np.mean(y.astype(np.float64) ** 2))
    before, after = rng.integers(0, int(margin_seconds * sr) + 1, size=2)
    y = pad(y, int(before), int(after))
    return add_noise(y, float(rng.uniform(*snr_db)), rng, exponent=float(rng.choice([0.0, 1.0, 2.0])),
                     speech_power=speech_power)


def augmented_copies(waveforms: Sequence[np.ndarray], copies: int, seed: int = 0) -> list[np.ndarray]:
    """``copies`` augmented versions of every waveform, clip by clip: ``[y0', y0'', ..., y1', ...]``."""
    rng = np.random.default_rng(seed)
    return [augment(y, rng) for y in waveforms for _ in range(copies)]
