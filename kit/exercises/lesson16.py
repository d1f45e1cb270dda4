"""Lesson 16's exercise checks: an audio VAE that speaks (the global de-normalisation, Griffin-Lim).

``my_denormalise(scaled, train_db)`` turns a decoder's output (the [0, 1]
scale) back into decibels with the one scale of the training spectrograms;
it is compared with :class:`kit.sound.SpectrogramScale` fitted on hidden
training spectrograms. ``my_to_sound(db)`` turns one log-STFT spectrogram in
dB into a waveform with :func:`kit.features.griffin_lim`; it is judged by how
well the STFT magnitude of its sound matches the spectrogram, against what
the kit's :func:`kit.sound.to_waveform` reaches on the same hidden
spectrograms. Typical slips (the seed's per-file scale, each clip's own
range, the scale run forwards, the lowest value forgotten, power instead of
amplitude, decibels used as a magnitude, the Nyquist row or the hop length
forgotten, the clip's length, zero phase) get a hint of their own; none
prints the answer.
"""

from __future__ import annotations

import numpy as np
import torch

from ..audio import SAMPLE_RATE
from ..features import LOG_STFT, griffin_lim, istft, stft
from ..sound import SpectrogramScale, to_waveform
from . import as_array, exercise, own_work
from . import as_function as _function

# ---------------------------------------------------------------------------------------------
# Exercise 1: back to decibels with the training set's one scale


def spectrogram_like(n: int, seed: int) -> np.ndarray:
    """``n`` log-STFT-like spectrograms in dB ``(n, 128, 56)``: a word of random length and loudness over
    a faint background, silence (the floor) after it, as :data:`kit.features.LOG_STFT` makes them."""
    rng = np.random.default_rng(seed)
    bins, frames = LOG_STFT.shape
    db = np.full((n, bins, frames), LOG_STFT.floor_db)
    tilt = np.linspace(0, -35, bins)[:, None]
    for clip in range(n):
        length = int(rng.integers(20, frames - 4))
        word = rng.uniform(-5, 25) + tilt + rng.normal(0, 8, (bins, length))
        db[clip, :, :length] = np.maximum(word, rng.uniform(-75, -55))
    return np.clip(db, LOG_STFT.floor_db, None).astype(np.float32)


def scaled_like(n: int, seed: int) -> np.ndarray:
    """What a decoder puts out: ``(n, 128, 56)`` numbers mostly in [0, 1], a few just outside."""
    return np.random.default_rng(seed).uniform(-0.05, 1.05, (n, *LOG_STFT.shape)).astype(np.float32)


#: (training spectrograms, decoder outputs): hidden.
DENORMALISE_CASES = ((spectrogram_like(40, 161), scaled_like(6, 162)),
                     (spectrogram_like(25, 163) - 7.0, scaled_like(3, 164)))


def kit_denormalise(scaled: np.ndarray, train_db: np.ndarray) -> np.ndarray:
    """The kit's answer: :class:`SpectrogramScale` fitted on ``train_db``, run backwards on ``scaled``."""
    scale = SpectrogramScale().fit(torch.as_tensor(train_db))
    return scale.denormalise(torch.as_tensor(scaled)).numpy()


def _denormalise_slips(scaled: np.ndarray, train: np.ndarray) -> list[tuple[np.ndarray, str]]:
    x, train = scaled.astype(np.float64), train.astype(np.float64)
    low, high = train.min(), train.max()
    own_low, own_high = x.min(axis=(1, 2), keepdims=True), x.max(axis=(1, 2), keepdims=True)
    mean_low, mean_high = train.min(axis=(1, 2)).mean(), train.max(axis=(1, 2)).mean()
    return [
        (low + (x - own_low) / (own_high - own_low) * (high - low),
         "you stretched each output to its own smallest and largest value first: that is seed 004's "
         "per-file idea again. The decoder's numbers are already on the training set's scale; map them "
         "back with that scale alone."),
        (mean_low + x * (mean_high - mean_low),
         "you averaged each training clip's own minimum and maximum. The scale is the smallest and the "
         "largest value of the whole training set: one number each, over every clip, bin and frame."),
        ((x - low) / (high - low),
         "that runs the scale forwards (decibels to [0, 1]). The decoder's output is on the [0, 1] scale "
         "already: go the other way."),
        (x * (high - low), "the lowest value of the training set is missing: 0 on the model's scale is "
                           "that value in dB, not 0 dB."),
        (x * high + low, "the width of the range is the largest value minus the smallest."),
        (high - x * (high - low), "the scale is upside down: 0 is the smallest value, 1 the largest."),
        (train.mean() + x * train.std(),
         "that is a standardisation (mean and spread); the model's scale is min-max: 0 at the training "
         "set's smallest value, 1 at its largest."),
        (10 ** ((low + x * (high - low)) / 20),
         "that goes one step further, to amplitudes; return decibels."),
    ]


@exercise("16.denormalise")
def denormalise_check(answer) -> None:
    """``my_denormalise(scaled, train_db)`` equals :class:`SpectrogramScale` fitted on hidden spectrograms."""
    function = _function(answer, "my_denormalise")
    own_work(function, {"SpectrogramScale", "denormalise", "kit_denormalise", "spectrogram"},
             "the de-normalisation")
    for train, scaled in DENORMALISE_CASES:
        what = f"my_denormalise(scaled {scaled.shape}, train_db {train.shape})"
        train_in, scaled_in = train.copy(), scaled.copy()
        try:
            value = function(scaled_in, train_in)
        except Exception as error:
            raise AssertionError(f"{what} raised {type(error).__name__}: {error}. Both arguments are "
                                 "NumPy arrays: decoder outputs (clips, 128, 56) and training spectrograms "
                                 "in dB.") from None
        got = as_array(value, what)
        expected = kit_denormalise(scaled, train)
        if got.shape != expected.shape:
            raise AssertionError(f"{what} returned shape {got.shape}; it should keep the shape of `scaled`, "
                                 f"{expected.shape}.")
        if not (np.array_equal(train_in, train) and np.array_equal(scaled_in, scaled)):
            raise AssertionError("your function changes its arguments in place; compute a new array.")
        if np.allclose(got, expected, atol=1e-3, rtol=1e-5):
            continue
        for slip, hint in _denormalise_slips(scaled, train):
            if slip.shape == got.shape and np.allclose(got, slip, atol=1e-3, rtol=1e-5):
                raise AssertionError(hint)
        if np.allclose(got, scaled, atol=1e-6):
            raise AssertionError("that returns the decoder's output unchanged: it is still on the [0, 1] "
                                 "scale.")
        raise AssertionError("not the de-normalisation yet: 0 should become the training set's smallest "
                             "value in dB, 1 its largest, and everything in between on a straight line.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: a phase for the magnitude, by Griffin-Lim


def vowel_like(seconds: float, f0: float, formants: tuple[float, float], seed: int) -> np.ndarray:
    """A voiced sound of ``seconds`` with pitch ``f0`` gliding by a few per cent, two formants and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * t / seconds))
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    y = np.zeros_like(t)
    for harmonic in range(1, int(3800 // f0)):
        frequency = harmonic * f0
        gain = sum(np.exp(-(((frequency - f) / 250) ** 2)) for f in formants) + 0.05
        y += gain * np.sin(harmonic * phase)
    y = y * np.hanning(t.size) + 0.01 * rng.normal(size=t.size)
    return y.astype(np.float32)


#: Hidden spectrograms in dB: three made-up vowels of different lengths, pitches and formants.
VOWELS = ((0.45, 120.0, (700.0, 1200.0), 165), (0.7, 210.0, (400.0, 2200.0), 166),
          (0.3, 160.0, (550.0, 1700.0), 167))  # seconds, pitch, formants, seed
SOUND_CASES = tuple(LOG_STFT([vowel_like(*vowel)])[0] for vowel in VOWELS)


def magnitude_error(y: np.ndarray, db: np.ndarray) -> float:
    """How far the STFT magnitude of waveform ``y`` is from spectrogram ``db``:
    ``|| |Y| - M ||_F / || M ||_F`` with ``M = 10^(db/20)`` (the Nyquist row left out, as
    :class:`~kit.features.LogStft` does)."""
    target = 10 ** (np.asarray(db, dtype=np.float64) / 20)
    spectrum = np.abs(stft(np.asarray(y, dtype=np.float32), LOG_STFT.n_fft, LOG_STFT.hop_length))[:-1]
    frames = min(spectrum.shape[1], target.shape[1])
    return float(np.linalg.norm(spectrum[:, :frames] - target[:, :frames]) / np.linalg.norm(target))


def _magnitude(db: np.ndarray, power: float = 20.0) -> np.ndarray:
    magnitude = 10 ** (db.astype(np.float64) / power)
    return np.concatenate([magnitude, np.zeros_like(magnitude[:1])]).astype(np.float32)


def _sound_slips(db: np.ndarray) -> list[tuple[np.ndarray, str]]:
    hop, length = LOG_STFT.hop_length, LOG_STFT.samples
    magnitude = _magnitude(db)
    return [
        (istft(magnitude.astype(np.complex64), hop_length=hop, length=length),
         "that is the zero phase of seed 004 (the inverse STFT of the magnitude itself): every bin starts "
         "in the same phase in every frame. Griffin-Lim finds a phase that fits the frames together."),
        (griffin_lim(_magnitude(db, 10.0), hop_length=hop, length=length),
         "10^(dB/10) is a power; the spectrogram holds 20 log10 of the *amplitude*: divide by 20."),
        (griffin_lim(np.concatenate([db, np.zeros_like(db[:1])]), hop_length=hop, length=length),
         "decibels are not a magnitude (most of them are negative): turn them into amplitudes first."),
        (griffin_lim(magnitude[:-1], hop_length=hop, length=length),
         "the spectrogram has 128 rows because the Nyquist row (4 kHz) was dropped; an STFT of 256 samples "
         "has 129. Put a row of zeros back on top before Griffin-Lim."),
    ]


def _same_sound(y: np.ndarray, slip: np.ndarray) -> bool:
    """``y`` is ``slip`` up to float noise, relative to its size. Griffin-Lim on a wrong magnitude (decibels)
    amplifies noise: a change of 1e-6 in its input moves its output by up to 0.6 %, and threads that sum in
    another order make such changes. Two different slips, or two phases, differ by about 100 %."""
    return bool(np.linalg.norm(y - slip) <= 0.02 * max(float(np.linalg.norm(slip)), 1e-3))


@exercise("16.griffin_lim")
def griffin_lim_check(answer) -> None:
    """``my_to_sound(db)``: a waveform of 7,040 samples whose STFT magnitude fits ``db`` about as well as the
    kit's Griffin-Lim sound does, on hidden spectrograms."""
    function = _function(answer, "my_to_sound")
    own_work(function, {"to_waveform", "speak", "reconstruct", "kit_denormalise"}, "the sound")
    for db in SOUND_CASES:
        what = f"my_to_sound(db {db.shape})"
        try:
            value = function(db.copy())
        except Exception as error:
            raise AssertionError(f"{what} raised {type(error).__name__}: {error}. The argument is one "
                                 "spectrogram in dB, a NumPy array (128 frequencies, 56 frames).") from None
        y = as_array(value, what).squeeze()
        if y.ndim != 1:
            raise AssertionError(f"{what} returned shape {y.shape}: return one waveform, a 1-D array.")
        if len(y) != LOG_STFT.samples:
            raise AssertionError(f"your waveform has {len(y)} samples; the clips behind these "
                                 f"spectrograms have {LOG_STFT.samples} (0.88 s at 8 kHz): Griffin-Lim's "
                                 "`length` says so.")
        if not np.isfinite(y).all() or np.abs(y).max() == 0:
            raise AssertionError("your waveform is silent or holds NaN or infinite values.")
        reference = to_waveform(db)
        allowed = magnitude_error(reference, db) + 0.12  # fewer iterations, no momentum: still Griffin-Lim
        if magnitude_error(y, db) <= allowed:
            continue
        for slip, hint in _sound_slips(db):
            if _same_sound(y, slip) or _same_sound(y, np.clip(slip, -1, 1)):
                raise AssertionError(hint)
        raise AssertionError(f"the STFT magnitude of your sound is {magnitude_error(y, db):.2f} away from "
                             f"the spectrogram (relative error; the kit's Griffin-Lim reaches "
                             f"{magnitude_error(reference, db):.2f}). From dB to amplitude, the Nyquist row, "
                             "then Griffin-Lim with the spectrogram's hop and length.")
