"""The judges of generated sound: the zoo's audio classifier and CMU PocketSphinx (kit.judges)."""

from __future__ import annotations

import numpy as np
import pytest

from kit.data.synth import speak
from kit.judges import DIGIT_WORDS, JUDGES, hear, sphinx_digits

VOICES = ("en-us", "en-gb-x-rp", "en-us+f3")


@pytest.fixture(scope="module")
def spoken_words() -> tuple[list[np.ndarray], np.ndarray]:
    """Every digit word in three eSpeak voices at 8 kHz, and the digits they say."""
    clips = [speak(word, voice, sr=8000) for voice in VOICES for word in DIGIT_WORDS]
    return clips, np.tile(np.arange(10), len(VOICES))


def test_pocketsphinx_reads_synthetic_digit_words(spoken_words):
    clips, digits = spoken_words
    readings = sphinx_digits(clips)
    assert readings.shape == digits.shape and readings.dtype == np.int64
    # A recogniser no one here trained, on 8 kHz synthetic speech: it mishears eSpeak's quick "seven".
    assert (readings == digits).mean() >= 0.6


def test_pocketsphinx_reads_16_khz_sound_and_hears_no_digit_in_silence(spoken_words):
    words = [speak("three", "en-us", sr=16000), speak("four", "en-us", sr=16000)]
    assert sphinx_digits(words, sr=16000).tolist() == [3, 4]
    assert sphinx_digits([np.zeros(8000, np.float32), np.zeros(0, np.float32)]).tolist() == [-1, -1]


def test_the_audio_judge_reads_the_digit_words(spoken_words):
    clips, digits = spoken_words
    probabilities = hear(clips)
    assert JUDGES["audio"] == "audionet-cnn"
    assert probabilities.shape == (30, 10) and np.allclose(probabilities.sum(1), 1, atol=1e-5)
    assert (probabilities.argmax(1) == digits).mean() >= 0.9
