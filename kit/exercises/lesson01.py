"""Checks for the exercises of lesson 01 (sound as numbers)."""

from __future__ import annotations

import math

from . import exercise


def _number(answer, what: str) -> float:
    """``answer`` as a float, or an AssertionError that says a single number was expected."""
    kind = type(answer).__name__
    if isinstance(answer, bool | str | bytes):
        raise AssertionError(f"the answer should be a single number ({what}), not {kind}.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        message = f"the answer should be a single number ({what}), not {kind}."
        raise AssertionError(message) from None
    if not math.isfinite(value):
        raise AssertionError(f"the answer is {value}; {what} is a finite number.")
    return value


@exercise("01.peak_dbfs")
def peak_dbfs(answer) -> None:
    """Peak level of a clip whose loudest sample is 0.25: 20 log10(0.25) = -12.04 dBFS."""
    value = _number(answer, "a level in dBFS")
    expected = 20 * math.log10(0.25)
    if abs(value - expected) <= 0.05:
        return
    if abs(value + expected) <= 0.05:
        raise AssertionError(
            "right size, wrong sign: a peak below full scale (|x| < 1) lies "
            "*below* 0 dBFS, so its level is negative."
        )
    if abs(value - 10 * math.log10(0.25)) <= 0.05:
        raise AssertionError(
            "that is 10*log10, the formula for powers. Amplitudes use 20*log10, "
            "because power grows with the square of the amplitude."
        )
    if abs(value - math.log10(0.25)) <= 0.01 or abs(value - math.log(0.25)) <= 0.01:
        raise AssertionError("a logarithm is the right start; decibels of an amplitude are 20 * log10(...).")
    if abs(value - 0.25) <= 1e-9:
        raise AssertionError(
            "0.25 is the amplitude itself; convert it to decibels relative to full scale (1)."
        )
    raise AssertionError(
        f"{value:.2f} dBFS is not it. The level of a peak p, with full scale 1, is 20 * log10(p) dBFS."
    )


ALIAS_CASES = (  # (tone Hz, sample rate Hz, the frequency heard)
    (1000, 8000, 1000),
    (440, 44100, 440),
    (5000, 8000, 3000),
    (7000, 8000, 1000),
    (4000, 8000, 4000),
    (8000, 8000, 0),
    (3000, 4000, 1000),
    (9000, 8000, 1000),
    (12500, 8000, 3500),
    (15000, 16000, 1000),
)


@exercise("01.alias")
def alias(answer) -> None:
    """``answer`` is a function ``(f, fs) -> |f - fs * round(f / fs)|``, tried on several tones."""
    if not callable(answer):
        raise AssertionError(
            "the answer should be your function itself: answer = alias_frequency (no brackets), not a number."
        )
    for f, fs, expected in ALIAS_CASES:
        got = answer(f, fs)
        if got is None:
            raise AssertionError(
                f"alias_frequency({f}, {fs}) returned None: does your function `return` its result?"
            )
        got = float(got)
        if math.isclose(got, expected, abs_tol=1e-6):
            continue
        where = f"alias_frequency({f}, {fs}) gave {got:g} Hz, expected {expected} Hz."
        if f < fs / 2:
            raise AssertionError(
                f"{where} A tone below fs/2 = {fs / 2:g} Hz is sampled "
                "faithfully and must come back unchanged."
            )
        if got < 0 or got > fs / 2:
            raise AssertionError(
                f"{where} What you hear always lies between 0 and fs/2; take "
                "the distance to the nearest multiple of fs (its absolute value)."
            )
        if f > fs:
            raise AssertionError(
                f"{where} Tones above fs fold too: subtract the *nearest* multiple of fs, not just fs itself."
            )
        raise AssertionError(where)


SPEAKER_SPLIT_HINTS = {
    1000: "1,000 is the *test* set (the two held-out speakers); the question asks for the training set.",
    500: "500 is what one speaker recorded (10 digits x 50 takes); two speakers are held out, "
    "and the question asks what is left for training.",
    2500: "2,500 is what remains when *one* speaker is held out; here two are.",
    2700: "2,700 is the training set of the random 90/10 or the official split; a speaker split "
    "removes whole speakers instead.",
    3000: "3,000 is all of FSDD; the held-out speakers' clips go to the test set.",
}


@exercise("01.speaker_split")
def speaker_split(answer) -> None:
    """Training clips left when 2 of FSDD's 6 speakers (500 clips each) are held out: 2,000."""
    value = _number(answer, "a count of clips")
    if value == 2000:
        return
    raise AssertionError(
        SPEAKER_SPLIT_HINTS.get(
            value,
            f"{value:g} is not it. How many clips does one speaker record (digits x takes), "
            "and how many speakers stay for training?",
        )
    )
