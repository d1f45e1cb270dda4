"""kit.audio: safe loading, mixing, resampling, trimming, fixed lengths, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from kit.audio import (
    AudioError,
    load_audio,
    pad_or_crop,
    prepare_waveform,
    trim_silence,
    trim_threshold,
    word_bounds,
)


def dominant_hz(y, sr):
    spectrum = np.abs(np.fft.rfft(y))
    return np.argmax(spectrum) * sr / len(y)


def test_stereo_441k_becomes_mono_8k_and_keeps_its_pitch(tmp_path, tone):
    y, _, write = tone
    sr = 44100
    t = np.arange(sr) / sr
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([left, left], axis=1).astype(np.float32)
    path = write(tmp_path / "stereo.wav", stereo, sr)
    out = load_audio(path, 8000)
    assert out.ndim == 1 and out.dtype == np.float32
    assert abs(len(out) - 8000) <= 1
    assert dominant_hz(out, 8000) == pytest.approx(440, abs=2)


def test_8bit_and_float_files_load_in_range(tmp_path, tone):
    y, sr, write = tone
    for subtype in ("PCM_U8", "FLOAT"):
        out = load_audio(write(tmp_path / f"{subtype}.wav", y, sr, subtype=subtype), sr)
        assert np.abs(out).max() == pytest.approx(0.5, abs=0.02)


def test_mp3_loads_through_soundfile(tmp_path, tone):
    y, sr, write = tone
    path = write(tmp_path / "tone.mp3", y, sr, format="MP3")
    assert dominant_hz(load_audio(path, 8000), 8000) == pytest.approx(440, abs=3)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a readable audio file"),
        (b"RIFF\x00\x00garbage" * 10, "not a readable audio file"),
        (b"<html>not audio</html>", "not a readable audio file"),
    ],
)
def test_corrupt_files_are_refused_with_the_file_name(tmp_path, content, message):
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message) as error:
        load_audio(path)
    assert "broken.wav" in str(error.value)


def test_empty_silent_missing_and_too_long_files(tmp_path, tone):
    _, sr, write = tone
    with pytest.raises(AudioError, match="no audio samples"):
        load_audio(write(tmp_path / "empty.wav", np.zeros(0, np.float32), sr))
    with pytest.raises(AudioError, match="silent"):
        load_audio(write(tmp_path / "silent.wav", np.zeros(sr, np.float32), sr))
    assert load_audio(tmp_path / "silent.wav", allow_silent=True).max() == 0
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nowhere.wav")
    long = write(tmp_path / "long.wav", np.full(sr * 70, 0.1, np.float32), sr)
    with pytest.raises(AudioError, match="at most 60 s"):
        load_audio(long)


def test_prepare_waveform_refuses_nan_and_bad_shapes():
    with pytest.raises(AudioError, match="NaN"):
        prepare_waveform(np.array([0.5, np.nan]), 8000)
    with pytest.raises(AudioError, match="expected samples shaped"):
        prepare_waveform(np.zeros((2, 2, 2)) + 0.5, 8000)


def test_trim_silence_finds_the_sound():
    sr = 8000
    y = np.zeros(sr, np.float32)
    y[3000:5000] = 0.5 * np.sin(np.arange(2000) * 0.3)
    trimmed = trim_silence(y, top_db=30)
    assert 2000 <= len(trimmed) <= 2000 + 2 * 256
    assert np.flatnonzero(trimmed)[0] < 256  # at most one frame of silence is kept before the sound


def word(seconds=0.25, sr=8000):
    """A vowel-like burst: a 220 Hz tone with a few harmonics under a smooth envelope."""
    t = np.arange(int(seconds * sr)) / sr
    return (np.hanning(t.size) ** 0.3 * sum(np.sin(2 * np.pi * 220 * k * t) / k for k in (1, 2, 3))
            ).astype(np.float32) * 0.3


def test_trim_silence_cuts_background_noise_around_the_word():
    rng = np.random.default_rng(0)
    y = 0.01 * rng.standard_normal(8000).astype(np.float32)  # a 1-s window of hiss, 25 dB below the word
    y[5000:7000] += word()
    trimmed = trim_silence(y)
    assert 2000 - 2 * 256 <= len(trimmed) <= 2000 + 3 * 256  # a plain -30 dB threshold keeps all 8000
    start, end = word_bounds(y)
    assert abs(start - 5000) <= 256 and np.array_equal(y[start:end], trimmed)


def test_trim_silence_keeps_the_word_not_a_click_and_bridges_a_short_pause():
    y = np.zeros(16000, np.float32)
    y[1000:1040] = 0.9  # a click 0.5 s before the word: loud, but far less energy
    y[5000:7000] = word()
    y[7000 + 600:9600] = word()  # the same word goes on after a 75-ms pause (a closure, as in "eight")
    trimmed = trim_silence(y)
    assert 4600 - 2 * 256 <= len(trimmed) <= 4600 + 3 * 256
    assert np.abs(trimmed).max() < 0.9  # the click is gone


def test_trim_silence_leaves_a_clip_cut_tight_as_the_plain_threshold_does():
    tight = np.r_[np.linspace(0.01, 1, 800) * word(0.1)[:800], word(0.4)].astype(np.float32)  # a slow onset
    assert np.array_equal(trim_silence(tight), trim_threshold(tight))  # its quiet frames are the word's own


def test_pad_or_crop():
    y = np.arange(1, 6, dtype=np.float32)
    assert pad_or_crop(y, 3).tolist() == [2, 3, 4]
    assert pad_or_crop(y, 3, align="start").tolist() == [1, 2, 3]
    assert pad_or_crop(y, 9).tolist() == [0, 0, 1, 2, 3, 4, 5, 0, 0]
    assert pad_or_crop(y, 7, align="start").tolist() == [1, 2, 3, 4, 5, 0, 0]
    with pytest.raises(ValueError, match="align"):
        pad_or_crop(y, 3, align="middle")
