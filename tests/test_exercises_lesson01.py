"""Lesson 01: the exercise checks accept right answers and reject wrong ones with a hint."""

import numpy as np
import pytest

from kit.exercises import verdict


def test_not_answered_yet_never_raises():
    for key in ("01.peak_dbfs", "01.alias", "01.speaker_split"):
        assert verdict(key, ...)[0] == "todo"


@pytest.mark.parametrize("answer", [-12.04, 20 * np.log10(0.25), np.float32(-12.0)])
def test_peak_dbfs_correct(answer):
    assert verdict("01.peak_dbfs", answer)[0] == "correct"


@pytest.mark.parametrize(
    "answer, hint",
    [
        (12.04, "sign"),
        (-6.02, "10*log10"),
        (0.25, "amplitude"),
        ("-12", "single number"),
        (True, "single number"),
        (-20.0, "20 * log10"),
    ],
)
def test_peak_dbfs_wrong(answer, hint):
    status, message = verdict("01.peak_dbfs", answer)
    assert status == "wrong" and hint in message


def test_alias_correct():
    assert verdict("01.alias", lambda f, fs: abs(f - fs * round(f / fs)))[0] == "correct"
    assert verdict("01.alias", lambda f, fs: np.abs(f - fs * np.round(f / fs)))[0] == "correct"


@pytest.mark.parametrize(
    "answer, hint",
    [
        (3000, "function itself"),
        (lambda f, fs: None, "return"),
        (lambda f, fs: f, "between 0 and fs/2"),
        (lambda f, fs: f - fs * round(f / fs), "absolute value"),
        (lambda f, fs: f if f < fs / 2 else abs(fs - f), "nearest"),
        (lambda f, fs: fs - f, "unchanged"),
    ],
)
def test_alias_wrong(answer, hint):
    status, message = verdict("01.alias", answer)
    assert status == "wrong" and hint in message


@pytest.mark.parametrize("answer", [2000, 2000.0, np.int64(2000)])
def test_speaker_split_correct(answer):
    assert verdict("01.speaker_split", answer)[0] == "correct"


@pytest.mark.parametrize(
    "answer, hint",
    [(1000, "test"), (2500, "one"), (2700, "random"), (1999, "not it"), ("2000", "single number")],
)
def test_speaker_split_wrong(answer, hint):
    status, message = verdict("01.speaker_split", answer)
    assert status == "wrong" and hint in message
