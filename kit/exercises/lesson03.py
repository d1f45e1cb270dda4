"""Checks for the exercises of lesson 03 (mel and MFCC): a mel value, and the mel filterbank built by hand.

``my_mel_filterbank`` is compared with :func:`kit.features.mel_filterbank` for
sample rates, window sizes and band counts other than the lesson's; slips
(triangles of height 1, the matrix transposed, n_mels + 2 rows) get a hint of
their own, and no hint prints the answer.
"""

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


def hidden_cases() -> list[tuple[int, int, int]]:
    """``(sr, n_fft, n_mels)`` the check tries: other rates, window sizes and band counts."""
    return [(8000, 256, 20), (16000, 512, 40), (8000, 512, 12), (22050, 1024, 64)]


@exercise("03.mel_filterbank")
def mel_filterbank_check(answer) -> None:
    """``my_mel_filterbank(sr, n_fft, n_mels)``: Slaney triangles of area 1 (``features.mel_filterbank``)."""
    from ..features import mel_filterbank, mel_frequencies

    if not callable(answer):
        raise AssertionError("the answer is your function itself: answer = my_mel_filterbank (no brackets).")
    for sr, n_fft, n_mels in hidden_cases():
        expected = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels).astype(np.float64)
        got = answer(sr, n_fft, n_mels)
        if got is None:
            raise AssertionError("my_mel_filterbank returned None: does your function `return` the matrix?")
        got = np.asarray(got, dtype=np.float64)
        where = f"for sr = {sr}, n_fft = {n_fft}, n_mels = {n_mels}"
        if got.shape == expected.T.shape and got.shape != expected.shape:
            raise AssertionError(f"{where} the shape is {got.shape}: one row per band, one column per STFT "
                                 f"bin, i.e. {expected.shape}.")
        if got.shape == (n_mels + 2, expected.shape[1]):
            raise AssertionError(f"{where} you return {n_mels + 2} rows: the n_mels + 2 edges make n_mels "
                                 "triangles (each spans three consecutive edges).")
        if got.shape != expected.shape:
            raise AssertionError(f"{where} the shape should be (n_mels, 1 + n_fft // 2) = {expected.shape}; "
                                 f"got {got.shape}.")
        if np.allclose(got, expected, rtol=1e-4, atol=1e-7):
            continue
        peaks = expected.max(axis=1, keepdims=True)
        if np.allclose(got, expected / peaks, rtol=1e-3, atol=1e-6):
            raise AssertionError(f"{where} your triangles have height 1; the course's (Slaney's) are "
                                 "area-normalised: scale each by 2 / (its width in Hz).")
        edges = mel_frequencies(n_mels + 2, 0.0, sr / 2)
        if np.allclose(got, expected * ((edges[2:] - edges[:-2]) / 2)[:, None], rtol=1e-3, atol=1e-6):
            raise AssertionError(f"{where} your triangles have height 1; the course's (Slaney's) are "
                                 "area-normalised: scale each by 2 / (its width in Hz).")
        if np.any(np.diff(np.argmax(got, axis=1)) < 0):
            raise AssertionError(f"{where} the band centres should rise from row to row, band 0 lowest.")
        largest = np.abs(got - expected).max()
        raise AssertionError(f"{where} the filters differ from the kit's (largest difference {largest:.2e}). "
                             "Are the edges equally spaced in Slaney *mel* from 0 Hz to sr / 2, and do the "
                             "triangles use the bins' frequencies in Hz?")
