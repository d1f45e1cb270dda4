"""From a log-magnitude STFT back to sound (kit.sound, kit.features.LogStft): lessons 16 and 17."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kit.audio import SAMPLE_RATE
from kit.features import LOG_STFT, LogStft, spectral_convergence
from kit.sound import SpectrogramScale, per_file_minmax, to_waveform


def vowel(seconds: float = 0.5, f0: float = 140.0) -> np.ndarray:
    """A voiced sound: harmonics of ``f0`` under two formant-like bumps, with an attack and a decay."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    harmonics = np.arange(1, 25)
    frequency = harmonics * f0
    amplitude = np.exp(-(((frequency - 700) / 300) ** 2)) + 0.5 * np.exp(-(((frequency - 1200) / 400) ** 2))
    y = (amplitude[:, None] * np.sin(2 * np.pi * harmonics[:, None] * f0 * t)).sum(0)
    return (y * np.hanning(t.size)).astype(np.float32)


def test_log_stft_is_the_seed_shape_at_8_khz():
    assert LOG_STFT.samples == 7040
    assert LOG_STFT.shape == (128, 56)
    db = LOG_STFT([vowel(), vowel(1.5)])
    assert db.shape == (2, 128, 56) and db.dtype == np.float32
    assert db.min() >= LOG_STFT.floor_db and db.max() > 0  # a full-scale clip reaches above 0 dB
    # peak-normalised before the STFT: a quiet take gives the same picture as a loud one
    np.testing.assert_allclose(LOG_STFT([0.01 * vowel()])[0], db[0], atol=0.5)  # float32 near the floor
    # zero-padded at the end: the last frames of a short clip are at the floor
    assert (db[0][:, -5:] == LOG_STFT.floor_db).all()


def test_the_global_scale_round_trips_and_travels_in_the_state_dict():
    db = torch.from_numpy(LOG_STFT([vowel(), vowel(0.3, 220.0)]))
    scale = SpectrogramScale().fit(db)
    scaled = scale.normalise(db)
    assert scaled.min() == pytest.approx(0.0) and scaled.max() == pytest.approx(1.0)
    torch.testing.assert_close(scale.denormalise(scaled), db, atol=1e-4, rtol=0)
    restored = SpectrogramScale()
    restored.load_state_dict(scale.state_dict())
    middle = torch.full((2,), 0.5)
    torch.testing.assert_close(restored.denormalise(middle), scale.denormalise(middle))
    with pytest.raises(ValueError, match="NaN"):
        SpectrogramScale().fit(torch.tensor([0.0, float("nan")]))


def test_per_file_scaling_needs_each_files_own_range_to_go_back():
    db = LOG_STFT([vowel(), 0.5 * vowel(0.3, 220.0)])
    scaled, low, high = per_file_minmax(db)
    assert np.allclose(scaled.min(axis=(1, 2)), 0) and np.allclose(scaled.max(axis=(1, 2)), 1)
    np.testing.assert_allclose(low[:, None, None] + scaled * (high - low)[:, None, None], db, atol=1e-3)
    assert not np.allclose(high[0], high[1])  # two files, two scales: a prior sample would need a third


@pytest.mark.parametrize("phase", ["griffin-lim", "zero-phase"])
def test_decoded_sound_has_the_clip_length_and_is_finite_and_not_silent(phase):
    db = LOG_STFT([vowel(), vowel(0.7, 180.0)])
    y = to_waveform(db, phase)
    assert y.shape == (2, LOG_STFT.samples) and y.dtype == np.float32
    assert np.isfinite(y).all() and np.abs(y).max() <= 1.0
    assert (np.abs(y).max(axis=1) > 0.1).all()
    assert to_waveform(db[0], phase).shape == (LOG_STFT.samples,)


def test_griffin_lim_finds_a_phase_that_zero_phase_does_not():
    y = LOG_STFT.prepare(vowel())
    db = LOG_STFT([y])[0]
    griffin_lim = spectral_convergence(y, to_waveform(db, "griffin-lim"))
    zero_phase = spectral_convergence(y, to_waveform(db, "zero-phase"))
    assert griffin_lim < 0.25 < zero_phase


def test_a_spectrogram_of_nothing_decodes_to_silence():
    assert np.abs(to_waveform(np.full(LOG_STFT.shape, LOG_STFT.floor_db))).max() < 1e-6


def test_bad_spectrograms_get_clear_messages():
    with pytest.raises(ValueError, match=r"shape \(128, 56\)"):
        to_waveform(np.zeros((48, 48)))
    with pytest.raises(ValueError, match="NaN"):
        to_waveform(np.full(LOG_STFT.shape, np.nan))
    with pytest.raises(ValueError, match="choose from griffin-lim, zero-phase"):
        to_waveform(np.zeros(LOG_STFT.shape), "random")
    with pytest.raises(ValueError, match=r"shape \(128, 111\)"):
        to_waveform(np.zeros(LOG_STFT.shape), spec=LogStft(hop_length=64))
