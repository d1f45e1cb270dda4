"""New voices from few speakers: waveform augmentation (the zoo's playground model, lessons 8 and 14).

FSDD has six speakers. A model trained on them alone learns *their* voices
and microphones; on a new speaker it guesses far more often. Each step here
changes one thing that differs between speakers and recordings while
keeping the spoken digit:

- ``speed`` (:func:`change_speed`) resamples: pitch, formants and tempo move
  together, roughly what a shorter or longer vocal tract does;
- ``voice`` (:func:`change_voice`) gives the speaker another voice: a new
  pitch and formants shifted by their own factor (Praat's "Change gender",
  through ``parselmouth``), since a woman's or a child's voice is not a man's
  played faster: pitch rises far more than the formants do;
- ``tilt`` (:func:`tilt_spectrum`) brightens or darkens the sound like another microphone;
- ``room`` (:func:`reverberate`) plays it in a simulated room: an impulse
  response of a shoebox room from ``pyroomacoustics`` (image sources);
- ``band`` (:func:`band_limit`) keeps a band of frequencies, as a telephone or a
  cheap laptop microphone does (``audiomentations``' high- and low-pass filters);
- ``pad`` (:func:`pad`) puts the word inside a longer recording window, as a
  phone or a laptop records it (Speech Commands clips are 1 s windows, FSDD's are cut tight);
- ``noise`` (:func:`add_noise`) adds background noise (white, pink or brown) at a
  chosen signal-to-noise ratio, over the whole window.

:func:`augment` draws one random version through a chain of steps, named as
``"speed+tilt+pad+noise"`` (:data:`DEFAULT_STEPS`; the steps always run in the
order above); :func:`augmented_copies` makes several of every clip,
reproducibly from a seed.

One more kind works on the features instead of the waveform, inside the
model while it trains: :func:`mask_bands_and_frames`, SpecAugment's
frequency and time masks (Park et al., 2019), which keep a model from
leaning on any one band or moment of a voice.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from functools import cache

import numpy as np
import torch
from scipy.signal import fftconvolve, lfilter, resample_poly

#: The steps :func:`augment` knows, in the order it applies them.
STEPS = ("speed", "voice", "tilt", "room", "band", "pad", "noise")
#: The chain the course's augmented runs use unless they name another (``RunConfig.augmentation``).
DEFAULT_STEPS = "speed+tilt+pad+noise"


def change_speed(y: np.ndarray, factor: float) -> np.ndarray:
    """Play ``y`` ``factor`` times faster (> 1: shorter and higher; < 1: longer and lower)."""
    ratio = Fraction(factor).limit_denominator(40)
    return resample_poly(y, ratio.denominator, ratio.numerator).astype(np.float32)


def change_voice(y: np.ndarray, pitch_hz: float, formant_ratio: float, sr: int = 8000,
                 seed: int = 0) -> np.ndarray:
    """``y`` spoken with its pitch median moved to ``pitch_hz`` and its formants scaled by ``formant_ratio``.

    Praat's "Change gender" (PSOLA resynthesis, through ``parselmouth``); the
    duration stays. PSOLA places the pulses of unvoiced stretches at random:
    Praat's generator is seeded with ``seed`` for the call, so the result is
    reproducible. A clip Praat cannot analyse (too short, no voiced frame)
    comes back unchanged.
    """
    import parselmouth
    from parselmouth.praat import call, run

    sound = parselmouth.Sound(np.asarray(y, np.float64), sampling_frequency=sr)
    run(f"random_initializeWithSeedUnsafelyButPredictably ({seed})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", parselmouth.PraatWarning)  # "no voiced segments": handled below
            changed = call(sound, "Change gender", 75.0, 600.0, formant_ratio, pitch_hz, 1.0, 1.0)
    except parselmouth.PraatError:
        return np.asarray(y, np.float32)
    finally:
        run("random_initializeSafelyAndUnpredictably ()")
    out = np.nan_to_num(changed.values[0]).astype(np.float32)
    return out if len(out) == len(y) and np.any(out) else np.asarray(y, np.float32)


def tilt_spectrum(y: np.ndarray, amount: float) -> np.ndarray:
    """A first-order tilt: ``amount`` > 0 boosts high frequencies, < 0 boosts low ones (``|amount| < 1``).

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


@cache
def room_impulse_responses(count: int = 64, sr: int = 8000, seed: int = 0) -> tuple[np.ndarray, ...]:
    """``count`` impulse responses of random shoebox rooms (pyroomacoustics' image-source method).

    Rooms of 3-10 x 3-8 x 2.4-3.5 m with reverberation times of 0.15-0.7 s,
    source and microphone at random places at least 0.5 m from the walls;
    each response starts at its direct sound and has unit energy.
    """
    import pyroomacoustics as pra

    rng = np.random.default_rng(seed)
    responses = []
    for _ in range(count):
        size = rng.uniform([3.0, 3.0, 2.4], [10.0, 8.0, 3.5])
        absorption, max_order = pra.inverse_sabine(float(rng.uniform(0.15, 0.7)), size)
        room = pra.ShoeBox(size, fs=sr, materials=pra.Material(absorption), max_order=min(max_order, 30))
        room.add_source(rng.uniform(0.5, size - 0.5))
        room.add_microphone(rng.uniform(0.5, size - 0.5))
        room.compute_rir()
        response = np.asarray(room.rir[0][0], np.float64)
        response = response[int(np.argmax(np.abs(response))):]  # from the direct sound on
        responses.append((response / np.sqrt(np.sum(response**2))).astype(np.float32))
    return tuple(responses)


def reverberate(y: np.ndarray, response: np.ndarray) -> np.ndarray:
    """``y`` as heard in a room with impulse response ``response`` (the tail makes it longer)."""
    wet = fftconvolve(y, response).astype(np.float32)
    return wet * np.float32(np.sqrt(np.mean(y**2) / (np.mean(wet**2) + 1e-12)))  # same loudness


@contextmanager
def _seeded(rng: np.random.Generator) -> Iterator[None]:
    """audiomentations draws from Python's and numpy's global generators: seed both from ``rng``, then
    put them back as they were."""
    saved = random.getstate(), np.random.get_state()
    seed = int(rng.integers(2**31))
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])


def band_limit(y: np.ndarray, rng: np.random.Generator, sr: int = 8000) -> np.ndarray:
    """``y`` through a random telephone-like band: a high-pass at 100-400 Hz and a low-pass at 2.5-3.8 kHz
    (``audiomentations``' filters), as a phone or a cheap microphone records it."""
    from audiomentations import Compose, HighPassFilter, LowPassFilter

    band = Compose([HighPassFilter(min_cutoff_freq=100.0, max_cutoff_freq=400.0, p=1.0),
                    LowPassFilter(min_cutoff_freq=2500.0, max_cutoff_freq=3800.0, p=1.0)])
    with _seeded(rng):
        return band(samples=y.astype(np.float32), sample_rate=sr).astype(np.float32)


def parse_steps(steps: str) -> tuple[str, ...]:
    """The steps of a chain like ``"speed+room+noise"`` (``""`` or ``"none"``: none), checked."""
    names = tuple(name for name in steps.split("+") if name and name != "none")
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        raise ValueError(f"unknown augmentation step(s) {', '.join(unknown)}: choose from {', '.join(STEPS)}")
    return names


def augment(
    y: np.ndarray,
    rng: np.random.Generator,
    steps: str = DEFAULT_STEPS,
    speed: tuple[float, float] = (0.8, 1.25),
    pitch_hz: tuple[float, float] = (85.0, 300.0),
    formant_ratio: tuple[float, float] = (0.9, 1.2),
    tilt: tuple[float, float] = (-0.6, 0.9),
    margin_seconds: float = 0.35,
    snr_db: tuple[float, float] = (5.0, 40.0),
    sr: int = 8000,
) -> np.ndarray:
    """One random new version of ``y`` through the chain ``steps`` (in the order of :data:`STEPS`).

    Speed (log-uniform in ``speed``), a new voice (pitch and formant ratio
    log-uniform in ``pitch_hz`` and ``formant_ratio``), spectral tilt, a random room, a random
    band, silent margins of up to ``margin_seconds`` on each side, then white,
    pink or brown noise at an SNR drawn from ``snr_db`` (relative to the word,
    not the margins).
    """
    chain = set(parse_steps(steps))
    if "speed" in chain:
        y = change_speed(y, float(np.exp(rng.uniform(np.log(speed[0]), np.log(speed[1])))))
    if "voice" in chain:
        y = change_voice(y, float(np.exp(rng.uniform(*np.log(pitch_hz)))),
                         float(np.exp(rng.uniform(*np.log(formant_ratio)))), sr, int(rng.integers(2**31)))
    if "tilt" in chain:
        y = tilt_spectrum(y, float(rng.uniform(*tilt)))
    if "room" in chain:
        rooms = room_impulse_responses(sr=sr)
        y = reverberate(y, rooms[int(rng.integers(len(rooms)))])
    if "band" in chain:
        y = band_limit(y, rng, sr)
    speech_power = float(np.mean(y.astype(np.float64) ** 2))
    if "pad" in chain:
        before, after = rng.integers(0, int(margin_seconds * sr) + 1, size=2)
        y = pad(y, int(before), int(after))
    if "noise" in chain:
        y = add_noise(y, float(rng.uniform(*snr_db)), rng, exponent=float(rng.choice([0.0, 1.0, 2.0])),
                      speech_power=speech_power)
    return y.astype(np.float32)


def augmented_copies(waveforms: Sequence[np.ndarray], copies: int, seed: int = 0,
                     steps: str = DEFAULT_STEPS) -> list[np.ndarray]:
    """``copies`` augmented versions of every waveform, clip by clip: ``[y0', y0'', ..., y1', ...]``."""
    rng = np.random.default_rng(seed)
    return [augment(y, rng, steps) for y in waveforms for _ in range(copies)]


def mask_bands_and_frames(features: torch.Tensor, masks: int, width: float = 0.15,
                          generator: torch.Generator | None = None) -> torch.Tensor:
    """SpecAugment's masks on a batch of features ``(n, frequency, time)``: a masked copy.

    Each example gets ``masks`` bands of rows and ``masks`` spans of columns,
    each of a random width up to ``width`` of its axis at a random place, set
    to 0: the mean of standardised features (an absent band or moment, not a loud one).
    """
    n, rows, columns = features.shape
    keep = torch.ones_like(features, dtype=torch.bool)
    for axis, size in ((1, rows), (2, columns)):
        positions = torch.arange(size)
        for _ in range(masks):
            widths = torch.randint(0, max(1, int(width * size)) + 1, (n,), generator=generator)
            starts = (torch.rand(n, generator=generator) * (size - widths + 1)).long()
            inside = (positions[None] >= starts[:, None]) & (positions[None] < (starts + widths)[:, None])
            keep &= ~inside[:, :, None] if axis == 1 else ~inside[:, None, :]
    return features * keep
