"""New voices from few speakers: waveform augmentation (the zoo's playground model, lesson 7).

FSDD has six speakers. A model trained on them alone learns *their* voices
and microphones; on a new speaker it guesses far more often. Each function
here changes one thing that differs between speakers and recordings while
keeping the spoken digit:

- :func:`change_speed` resamples: pitch, formants and tempo move together,
  roughly what a shorter or longer vocal tract does;
- :func:`tilt_spectrum` brightens or darkens the sound like another microphone;
- :func:`add_noise` adds a background hiss at a chosen signal-to-noise ratio.

:func:`augment` draws one random combination; :func:`augmented_copies` makes
several of every clip, reproducibly from a seed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

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


def add_noise(y: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """``y`` plus white noise ``snr_db`` decibels below the clip's power."""
    power = float(np.mean(y.astype(np.float64) ** 2)) + 1e-12
    noise = rng.standard_normal(len(y)) * np.sqrt(power / 10 ** (snr_db / 10))
    return (y + noise).astype(np.float32)


def augment(
    y: np.ndarray,
    rng: np.random.Generator,
    speed: tuple[float, float] = (0.8, 1.25),
    tilt: tuple[float, float] = (-0.6, 0.9),
    snr_db: tuple[float, float] = (8.0, 40.0),
) -> np.ndarray:
    """One random new version of ``y``: speed (log-uniform), spectral tilt and noise drawn from the ranges."""
    y = change_speed(y, float(np.exp(rng.uniform(np.log(speed[0]), np.log(speed[1])))))
    y = tilt_spectrum(y, float(rng.uniform(*tilt)))
    return add_noise(y, float(rng.uniform(*snr_db)), rng)


def augmented_copies(waveforms: Sequence[np.ndarray], copies: int, seed: int = 0) -> list[np.ndarray]:
    """``copies`` augmented versions of every waveform, clip by clip: ``[y0', y0'', ..., y1', ...]``."""
    rng = np.random.default_rng(seed)
    return [augment(y, rng) for y in waveforms for _ in range(copies)]
