"""Lesson 03's exercise checks accept the worked solutions and reject typical mistakes."""

import librosa
import numpy as np
import pytest

from kit import features
from kit.exercises import verdict


def test_mel_of_2000hz():
    assert verdict("03.mel_of_2000hz", librosa.hz_to_mel(2000))[0] == "correct"
    for wrong in (librosa.hz_to_mel(2000, htk=True), 30.0, 15.0, 2000):
        assert verdict("03.mel_of_2000hz", wrong)[0] == "wrong"
    assert verdict("03.mel_of_2000hz", ...)[0] == "todo"


def test_frames_of_course_shape():
    """The lesson's reasoning: 1 + 8000 // 208 = 39 frames for MFCC_FRAMES."""
    assert features.MFCC_FRAMES.shape == (1 + 8000 // 208, 13) == (39, 13)


def by_hand_filterbank(sr, n_fft, n_mels):
    edges = features.mel_frequencies(n_mels + 2, 0.0, sr / 2)
    bins = np.fft.rfftfreq(n_fft, 1 / sr)
    bank = np.zeros((n_mels, len(bins)))
    for m in range(n_mels):
        low, centre, high = edges[m : m + 3]
        rising, falling = (bins - low) / (centre - low), (high - bins) / (high - centre)
        bank[m] = np.maximum(0, np.minimum(rising, falling)) * 2 / (high - low)
    return bank


def test_mel_filterbank_passes_for_the_kit_librosa_and_the_worked_solution():
    assert verdict("03.mel_filterbank", by_hand_filterbank)[0] == "correct"
    for answer in (lambda sr, n, m: features.mel_filterbank(sr=sr, n_fft=n, n_mels=m),
                   lambda sr, n, m: librosa.filters.mel(sr=sr, n_fft=n, n_mels=m)):
        assert verdict("03.mel_filterbank", answer)[0] == "correct"


def height_one(sr, n_fft, n_mels):
    bank = by_hand_filterbank(sr, n_fft, n_mels)
    edges = features.mel_frequencies(n_mels + 2, 0.0, sr / 2)
    return bank * ((edges[2:] - edges[:-2]) / 2)[:, None]


@pytest.mark.parametrize("answer, hint", [
    (lambda sr, n, m: np.ones((m, 1 + n // 2)), "differ from the kit's"),           # a constant
    (lambda sr, n, m: (sr, n, m), "shape"),                                         # a copy of the input
    (lambda sr, n, m: None, "returned None"),
    (lambda sr, n, m: by_hand_filterbank(sr, n, m).T, "one row per band"),
    (lambda sr, n, m: by_hand_filterbank(sr, n, m + 2), "n_mels + 2"),
    (height_one, "area-normalised"),
    (lambda sr, n, m: librosa.filters.mel(sr=sr, n_fft=n, n_mels=m, htk=True), "Slaney"),
    (lambda sr, n, m: by_hand_filterbank(sr, n, m)[::-1], "rise from row to row"),
    (lambda sr, n, m: features.mel_filterbank(), "shape"),                          # the lesson's sizes
    ("not a function", "function itself"),
])
def test_mel_filterbank_slips(answer, hint):
    status, message = verdict("03.mel_filterbank", answer)
    assert status == "wrong" and hint in message, message
