"""kit.augment keeps the digit and changes the voice; kit.latent's slider axes and interpolation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import lfilter

from kit import augment, latent
from kit.audio import SAMPLE_RATE
from kit.models import MODELS
from kit.runs import RunConfig


def tone(frequency=500.0, seconds=1.0):
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def peak_frequency(y):
    spectrum = np.abs(np.fft.rfft(y))
    return np.fft.rfftfreq(len(y), 1 / SAMPLE_RATE)[spectrum.argmax()]


def test_change_speed_moves_pitch_and_length_together():
    faster = augment.change_speed(tone(500), 1.25)
    assert len(faster) == pytest.approx(SAMPLE_RATE / 1.25, abs=2)
    assert peak_frequency(faster) == pytest.approx(625, abs=5)
    assert peak_frequency(augment.change_speed(tone(500), 0.8)) == pytest.approx(400, abs=5)


def vowel(pitch=120.0, formants=(700.0, 1200.0), seconds=0.6):
    """A synthetic vowel: a pulse train at ``pitch`` through two resonances at ``formants``."""
    pulses = np.zeros(int(seconds * SAMPLE_RATE))
    pulses[:: int(SAMPLE_RATE / pitch)] = 1.0
    y, radius = pulses, np.exp(-np.pi * 80 / SAMPLE_RATE)
    for formant in formants:
        angle = 2 * np.pi * formant / SAMPLE_RATE
        y = lfilter([1 - radius], [1, -2 * radius * np.cos(angle), radius**2], y)
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


def pitch_hz(y):
    import parselmouth

    sound = parselmouth.Sound(y.astype(np.float64), SAMPLE_RATE)
    track = sound.to_pitch_ac(pitch_floor=75, pitch_ceiling=600).selected_array["frequency"]
    return float(np.median(track[track > 0]))


def spectral_centroid(y):
    power = np.abs(np.fft.rfft(y)) ** 2
    return float((power * np.fft.rfftfreq(len(y), 1 / SAMPLE_RATE)).sum() / power.sum())


def test_change_voice_sets_the_pitch_and_moves_the_formants_on_their_own():
    y = vowel(pitch=120)
    assert pitch_hz(y) == pytest.approx(120, rel=0.03)
    for target, ratio in ((200, 1.25), (150, 0.85), (90, 1.0)):
        changed = augment.change_voice(y, target, ratio)
        assert len(changed) == len(y) and pitch_hz(changed) == pytest.approx(target, rel=0.03)
        assert spectral_centroid(changed) / spectral_centroid(y) == pytest.approx(ratio, abs=0.08)
    hiss = np.random.default_rng(0).standard_normal(2000).astype(np.float32)
    again = augment.change_voice(hiss, 200, 1.2, seed=3)  # unvoiced: PSOLA's random pulses, seeded
    assert np.array_equal(again, augment.change_voice(hiss, 200, 1.2, seed=3)) and np.isfinite(again).all()
    assert not np.array_equal(again, augment.change_voice(hiss, 200, 1.2, seed=4))
    assert np.array_equal(augment.change_voice(np.zeros(40, np.float32), 200, 1.2), np.zeros(40))


def test_tilt_spectrum_brightens_or_darkens():
    mix = tone(200) + tone(3000)

    def high_to_low(y):
        spectrum = np.abs(np.fft.rfft(y))
        return spectrum[3000] / spectrum[200]  # 1-second clip: bin index = Hz

    assert high_to_low(augment.tilt_spectrum(mix, 0.8)) > 2 * high_to_low(mix)
    assert high_to_low(augment.tilt_spectrum(mix, -0.6)) < 0.5 * high_to_low(mix)


def test_add_noise_hits_the_signal_to_noise_ratio():
    y = tone()
    noisy = augment.add_noise(y, 10.0, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    assert snr == pytest.approx(10.0, abs=0.3)


def test_augmented_copies_are_reproducible_and_different():
    clips = [tone(300), tone(700, 0.5)]
    first, again = augment.augmented_copies(clips, 3, seed=1), augment.augmented_copies(clips, 3, seed=1)
    assert len(first) == 6
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])
    assert all(np.isfinite(y).all() for y in first)


def test_principal_axes_find_the_spread_and_round_trip():
    generator = torch.Generator().manual_seed(0)
    direction = torch.tensor([3.0, 4.0, 0.0, 0.0]) / 5
    codes = torch.randn(2000, 1, generator=generator) * 2 * direction + 0.1 * torch.randn(2000, 4,
                                                                                          generator=generator)
    codes += torch.tensor([1.0, -1.0, 0.5, 0.0])
    axes = latent.principal_axes(codes, k=2)
    assert len(axes) == 2
    assert abs(float(axes.directions[0] @ direction)) == pytest.approx(1.0, abs=0.01)
    assert float(axes.scales[0]) == pytest.approx(2.0, rel=0.05)
    assert torch.allclose(axes.directions @ axes.directions.T, torch.eye(2), atol=1e-5)
    assert torch.allclose(axes.point(torch.zeros(2)), codes.mean(0), atol=1e-5)
    positions = torch.tensor([[1.0, -0.5], [0.0, 2.0]])
    assert torch.allclose(axes.position(axes.point(positions)), positions, atol=1e-4)
    with pytest.raises(ValueError, match="expected 2 slider positions"):
        axes.point(torch.zeros(3))


def test_prior_axes_are_the_coordinates_and_interpolation_is_a_line():
    axes = latent.prior_axes(3)
    assert torch.equal(axes.point(torch.tensor([1.0, 2.0, 3.0])), torch.tensor([1.0, 2.0, 3.0]))
    path = latent.interpolate(torch.zeros(3), torch.ones(3), steps=5)
    assert path.shape == (5, 3)
    assert torch.allclose(path[:, 0], torch.linspace(0, 1, 5))


def test_colored_noise_has_the_slope_it_claims():
    rng = np.random.default_rng(0)
    for exponent, expected in ((0.0, 1.0), (1.0, 10.0), (2.0, 100.0)):
        noise = augment.colored_noise(2**16, exponent, rng)
        assert np.mean(noise**2) == pytest.approx(1.0, rel=1e-3)
        power = np.abs(np.fft.rfft(noise)) ** 2
        low, high = power[100:200].mean(), power[1000:2000].mean()  # a decade apart
        assert low / high == pytest.approx(expected, rel=0.3)


def test_noise_over_a_padded_window_is_measured_against_the_word():
    rng = np.random.default_rng(0)
    word = tone()
    padded = augment.pad(word, 4000, 4000)
    assert len(padded) == 16000 and not padded[:4000].any()
    noisy = augment.add_noise(padded, 20.0, rng, speech_power=float(np.mean(word**2)))
    snr = 10 * np.log10(np.mean(word**2) / np.mean((noisy - padded) ** 2))
    assert snr == pytest.approx(20.0, abs=0.3)


def test_a_chain_names_its_steps_and_an_unknown_step_is_refused():
    assert augment.parse_steps("speed+room+noise") == ("speed", "room", "noise")
    assert augment.parse_steps("none") == () and augment.parse_steps("") == ()
    with pytest.raises(ValueError, match="unknown augmentation step.*echo.*choose from"):
        augment.parse_steps("speed+echo")
    with pytest.raises(ValueError, match="echo"):
        RunConfig("audionet-cnn", augment=2, augmentation="speed+echo")


def test_a_room_adds_a_reverberant_tail_at_the_same_loudness():
    rooms = augment.room_impulse_responses(count=4)
    assert len(rooms) == 4 and all(abs(np.sum(h.astype(np.float64) ** 2) - 1) < 1e-3 for h in rooms)
    assert all(np.argmax(np.abs(h)) == 0 for h in rooms)  # each starts at its direct sound
    y = tone(500, 0.5)
    wet = augment.reverberate(y, rooms[0])
    assert len(wet) == len(y) + len(rooms[0]) - 1 and np.abs(wet[len(y) + 200:]).max() > 1e-3
    assert np.mean(wet**2) == pytest.approx(np.mean(y**2), rel=1e-3)


def test_a_band_pass_keeps_the_middle_and_cuts_the_edges():
    low, middle = tone(40), tone(1000)
    for seed in range(5):
        kept = augment.band_limit(middle, np.random.default_rng(seed))
        cut = augment.band_limit(low, np.random.default_rng(seed))
        assert np.mean(kept**2) > 0.2 * np.mean(middle**2) and np.mean(cut**2) < 0.1 * np.mean(low**2)


def test_every_step_keeps_the_clip_finite_and_the_global_generators_untouched():
    state = np.random.get_state()[1].copy()
    copies = augment.augmented_copies([tone(300)], 3, seed=2, steps="+".join(augment.STEPS))
    again = augment.augmented_copies([tone(300)], 3, seed=2, steps="+".join(augment.STEPS))
    assert all(np.isfinite(y).all() and np.abs(y).max() > 0.01 for y in copies)
    assert all(np.array_equal(a, b) for a, b in zip(copies, again, strict=True))
    assert np.array_equal(np.random.get_state()[1], state)


def test_spec_augment_masks_whole_bands_and_frame_spans():
    features = torch.rand(200, 48, 48) + 1.0  # no zeros of their own
    masked = augment.mask_bands_and_frames(features, masks=2, generator=torch.Generator().manual_seed(0))
    assert masked.shape == features.shape
    zero = masked == 0
    bands, frames = zero.all(dim=2), zero.all(dim=1)  # rows (columns) masked from end to end
    # every zero lies in a masked band or a masked frame span: nothing else is touched
    assert torch.equal(zero, bands[:, :, None] | frames[:, None, :])
    assert torch.equal(masked[~zero], features[~zero])
    # two masks per axis of up to 15 % each: at most 14 of 48 rows, and on average about 7 % each
    assert bands.sum(1).max() <= 14 and frames.sum(1).max() <= 14
    assert 0.05 < bands.float().mean() < 0.2 and 0.05 < frames.float().mean() < 0.2
    assert torch.equal(augment.mask_bands_and_frames(features, masks=0), features)


def test_a_classifier_with_masks_masks_only_while_it_trains():
    model = MODELS["audionet-cnn"](features="mel48", masks=2)
    audio = torch.randn(8, 48, 48)
    assert (model.train().audio_input(audio) == 0).float().mean() > 0.1
    assert not (model.eval().audio_input(audio) == 0).any()


def test_the_playground_model_with_masks_masks_only_while_it_trains():
    model = MODELS["fast-aivae"](masks=2)
    audio = torch.randn(8, 48, 48)
    model.fit_input_scaling(audio)
    standardise = model.encoder[0]
    assert (standardise.train()(audio) == 0).float().mean() > 0.1
    assert not (standardise.eval()(audio) == 0).any()
    with pytest.raises(ValueError, match="standardize=True"):
        MODELS["fast-aivae"](masks=2, standardize=False)
