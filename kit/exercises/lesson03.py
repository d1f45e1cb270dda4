"""Checks for the exercises of lesson 03 (mel and MFCC)."""

from __future__ import annotations

import math

import numpy as np

from . import exercise


def _slaney_mel(hz: float) -> float:
    """Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    if hz < 1000:
        return 3 * hz / 200
    return 15 + 27 * math.log(hz / 1000) / math.log(6.4)


@exercise("03.mel_of_2000hz")
def mel_of_2000hz(answer) -> None:
    """The Slaney mel value of 2000 Hz (about 25.08)."""
    value = float(answer)
    expected = _slaney_mel(2000.0)
    if math.isclose(value, expected, abs_tol=0.05):
        return
    if math.isclose(value, 2595 * math.log10(1 + 2000 / 700), rel_tol=0.01):
        raise AssertionError("that is the HTK mel value (2595 log10(1 + f/700)); "
                             "the course uses Slaney's scale, librosa's default (htk=False).")
    if math.isclose(value, 30.0, abs_tol=0.05):
        raise AssertionError("3f/200 is the linear part, valid only below 1000 Hz; "
                             "above 1 kHz the scale is logarithmic: 15 + 27 ln(f/1000)/ln(6.4).")
    if math.isclose(value, 15.0, abs_tol=0.05):
        raise AssertionError("15 mel is 1000 Hz; 2000 Hz is one octave higher, on the logarithmic part.")
    raise AssertionError(f"{value:.3f} is not the Slaney mel of 2000 Hz. Try features.hz_to_mel(2000) "
                         "or the formula 15 + 27 ln(f/1000)/ln(6.4) for f above 1 kHz.")


@exercise("03.frames_per_second")
def frames_per_second(answer) -> None:
    """Frames of a 1-second window at 8 kHz with hop 160 and centred frames: 1 + 8000 // 160 = 51."""
    if isinstance(answer, bool) or not float(answer).is_integer():
        raise AssertionError("a number of frames is a whole number.")
    value = int(answer)
    if value == 51:
        return
    if value == 50:
        raise AssertionError("8000 / 160 = 50 hops, but with centred frames there is one frame at "
                             "every hop *including* sample 0 and sample 8000: count the fence posts.")
    if value == 49:
        raise AssertionError("that counts frames that fit entirely inside the clip (no padding); "
                             "the kit pads n_fft//2 zeros at both ends (center=True).")
    raise AssertionError("frame t is centred on sample t * hop_length, for t = 0, 1, ... while "
                         "t * hop_length <= 8000. Check with features.stft(np.zeros(8000), hop_length=160).")


def _reference_mfcc(log_mel: np.ndarray, n_mfcc: int) -> np.ndarray:
    from scipy.fft import dct

    return dct(log_mel, type=2, norm="ortho", axis=0)[:n_mfcc]


@exercise("03.mfcc_from_log_mel")
def mfcc_from_log_mel(answer) -> None:
    """A function ``(log_mel (n_mels, frames), n_mfcc) -> (n_mfcc, frames)``: orthonormal DCT-II."""
    if not callable(answer):
        raise AssertionError("the answer is a function: def my_mfcc(log_mel, n_mfcc=13): ... ")
    from scipy.fft import dct

    rng = np.random.default_rng(3)
    log_mel = rng.normal(-40.0, 15.0, size=(40, 7))
    expected = _reference_mfcc(log_mel, 13)
    result = np.asarray(answer(log_mel.copy(), 13), dtype=float)
    if result.shape == expected.T.shape and result.shape != expected.shape:
        raise AssertionError(f"shape {result.shape}: the coefficients should be rows, frames "
                             f"columns, i.e. (n_mfcc, frames) = {expected.shape}.")
    if result.shape == (40, 7):
        raise AssertionError("you kept all 40 coefficients; keep only the first n_mfcc rows.")
    if result.shape != expected.shape:
        raise AssertionError(f"shape {result.shape}, expected (n_mfcc, frames) = {expected.shape}.")
    if np.allclose(result, expected, atol=1e-3):
        other = np.asarray(answer(log_mel[:24, :3].copy(), 5), dtype=float)
        if other.shape != (5, 3) or not np.allclose(other, _reference_mfcc(log_mel[:24, :3], 5), atol=1e-3):
            raise AssertionError("right for 40 bands and 13 coefficients, but wrong for 24 bands and "
                                 "5 coefficients: do not hard-code the sizes.")
        return
    if np.allclose(result, dct(log_mel, type=2, axis=0)[:13], atol=1e-3):
        raise AssertionError("close: that is the unnormalised DCT-II. Pass norm='ortho' so the "
                             "transform keeps energy (and matches librosa and the kit).")
    if np.allclose(result, dct(log_mel, type=2, norm="ortho", axis=1)[:13], atol=1e-3):
        raise AssertionError("the DCT must run along the mel bands (axis 0), separately for every frame.")
    raise AssertionError("the values differ from the orthonormal DCT-II of each column. "
                         "Try scipy.fft.dct(log_mel, type=2, norm='ortho', axis=0)[:n_mfcc].")
