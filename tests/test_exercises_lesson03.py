"""Lesson 03's exercise checks accept the worked solutions and reject typical mistakes."""

import librosa
import numpy as np
import pytest
from scipy.fft import dct

from kit import features
from kit.exercises import verdict


def test_mel_of_2000hz():
    assert verdict("03.mel_of_2000hz", librosa.hz_to_mel(2000))[0] == "correct"
    for wrong in (librosa.hz_to_mel(2000, htk=True), 30.0, 15.0, 2000):
        assert verdict("03.mel_of_2000hz", wrong)[0] == "wrong"
    assert verdict("03.mel_of_2000hz", ...)[0] == "todo"


def test_frames_per_second():
    frames = features.stft(np.zeros(8000), hop_length=160).shape[-1]
    assert verdict("03.frames_per_second", frames)[0] == "correct"
    for wrong in (50, 49, 50.5, 39):
        assert verdict("03.frames_per_second", wrong)[0] == "wrong"


def test_frames_of_course_shape():
    """The lesson's reasoning: 1 + 8000 // 208 = 39 frames for MFCC_FRAMES."""
    assert features.MFCC_FRAMES.shape == (1 + 8000 // 208, 13) == (39, 13)


def _solution(log_mel, n_mfcc=13):
    return dct(log_mel, type=2, norm="ortho", axis=0)[:n_mfcc]


@pytest.mark.parametrize("wrong", [
    lambda L, n=13: dct(L, type=2, axis=0)[:n],  # not orthonormal
    lambda L, n=13: dct(L, type=2, norm="ortho", axis=0),  # all coefficients
    lambda L, n=13: dct(L, type=2, norm="ortho", axis=0)[:n].T,  # transposed
    lambda L, n=13: dct(L, type=2, norm="ortho", axis=1)[:n],  # wrong axis
    lambda L, n=13: dct(L, type=2, norm="ortho", axis=0)[:13],  # hard-coded size
    "not a function",
])
def test_mfcc_from_log_mel_rejects(wrong):
    assert verdict("03.mfcc_from_log_mel", wrong)[0] == "wrong"


def test_mfcc_from_log_mel_matches_kit():
    assert verdict("03.mfcc_from_log_mel", _solution)[0] == "correct"
    y = np.random.default_rng(0).normal(size=4000).astype(np.float32)
    np.testing.assert_allclose(_solution(features.log_mel(y, n_mels=40)), features.mfcc(y), atol=1e-3)
