"""kit.features: equality with librosa, round trips, Griffin-Lim, the course shapes, the cache."""

from __future__ import annotations

import dataclasses

import librosa
import numpy as np
import pytest

from kit import features as K
from kit.data import SpokenDigits, Utterance


@pytest.fixture(scope="module")
def speech():
    """A voiced, digit-like signal: a gliding harmonic tone with an envelope (8 kHz, 0.6 s)."""
    sr = 8000
    t = np.arange(int(0.6 * sr)) / sr
    f0 = 120 + 60 * t
    phase = 2 * np.pi * np.cumsum(f0) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 15)) * np.hanning(len(t))
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


def test_stft_equals_librosa(speech):
    ours = K.stft(speech, n_fft=256, hop_length=64)
    theirs = librosa.stft(y=speech, n_fft=256, hop_length=64)
    assert ours.shape == theirs.shape == (129, 1 + len(speech) // 64)
    assert np.abs(ours - theirs).max() < 1e-4


def test_istft_round_trip(speech):
    for n_fft, hop in [(256, 64), (512, 128), (128, 32)]:
        back = K.istft(K.stft(speech, n_fft, hop), hop, length=len(speech))
        assert np.abs(back - speech).max() < 1e-5


def test_log_mel_and_mfcc_equal_librosa(speech):
    ours = K.log_mel(speech, n_mels=48)
    theirs = librosa.power_to_db(
        librosa.feature.melspectrogram(y=speech, sr=8000, n_fft=256, hop_length=64, n_mels=48), top_db=80.0
    )
    assert np.abs(ours - theirs).max() < 1e-2  # dB, float32 against float32
    ours = K.mfcc(speech, n_mfcc=13, n_mels=40)
    theirs = librosa.feature.mfcc(y=speech, sr=8000, n_mfcc=13, n_fft=256, hop_length=64, n_mels=40)
    assert np.abs(ours - theirs).max() < 1e-2


def test_mel_filterbank_is_librosas():
    ours = K.mel_filterbank(8000, 256, 48)
    assert ours.shape == (48, 129)
    for sr, n_fft, n_mels in [(8000, 256, 48), (16000, 512, 40), (22050, 2048, 128)]:
        np.testing.assert_allclose(
            K.mel_filterbank(sr, n_fft, n_mels),
            librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels),
            atol=1e-6,
        )


def test_griffin_lim_beats_zero_phase(speech):
    magnitude = np.abs(K.stft(speech))
    zero_phase = K.istft(magnitude.astype(np.complex64), length=len(speech))
    estimate = K.griffin_lim(magnitude, n_iter=32, length=len(speech))
    sc_zero = K.spectral_convergence(speech, zero_phase)
    sc_gl = K.spectral_convergence(speech, estimate)
    assert sc_gl < 0.25 < sc_zero
    assert K.spectral_convergence(speech, speech) == 0


def test_amplitude_to_db_floor():
    db = K.amplitude_to_db(np.array([1.0, 0.1, 0.0]), top_db=40)
    np.testing.assert_allclose(db, [0, -20, -40], atol=1e-6)


def test_course_shapes(speech):
    clips = [speech, speech[: len(speech) // 2], np.concatenate([speech, speech])]
    mel = K.MEL_IMAGE(clips)
    assert mel.shape == (3, 48, 48) and mel.dtype == np.float32
    assert mel.min() >= 0 and mel.max() == pytest.approx(1.0, abs=0.01)  # resizing may step over the peak
    assert K.MFCC_FRAMES(clips).shape == (3, 39, 13)
    assert K.MFCC_MEAN(clips).shape == (3, 40)
    assert K.MEL_IMAGE([]).shape == (0, 48, 48)


def test_batched_features_equal_one_clip_at_a_time(speech):
    """Padding clips to a common length inside a batch must not change any clip's features."""
    rng = np.random.default_rng(0)
    clips = [speech[: rng.integers(800, len(speech))] * rng.uniform(0.2, 1) for _ in range(7)]
    for spec in (K.MEL_IMAGE, K.MFCC_MEAN, K.MFCC_FRAMES):
        together = spec(clips)
        alone = np.concatenate([spec([clip]) for clip in clips])
        np.testing.assert_allclose(together, alone, atol=1e-4)


def test_mel_image_is_a_resized_log_mel(speech):
    """MelImage = trim, log-mel in dB relative to the maximum, columns resized to 48."""
    trimmed = K.MEL_IMAGE.prepare(speech)
    db = K.log_mel(trimmed, n_mels=48)
    scaled = (db - db.max() + 80) / 80
    image = K.MEL_IMAGE([speech])[0]
    np.testing.assert_allclose(image[:, 0], scaled[:, 0], atol=1e-5)
    np.testing.assert_allclose(image[:, -1], scaled[:, -1], atol=1e-5)


def test_the_trim_rule_is_a_setting_and_a_noisy_window_tells_them_apart(speech):
    window = np.zeros(8000, np.float32)
    window[3000 : 3000 + len(speech)] = speech
    window += 0.02 * np.random.default_rng(0).standard_normal(8000).astype(np.float32)  # a noisy room
    plain = dataclasses.replace(K.MEL_IMAGE, trim="threshold")
    assert len(plain.prepare(window)) == 8000  # the hiss is within 30 dB of the word: nothing is cut
    assert 0.6 * len(speech) <= len(K.MEL_IMAGE.prepare(window)) <= 1.1 * len(speech)  # its quiet tails go
    assert plain.key() != K.MEL_IMAGE.key()  # cached apart
    with pytest.raises(ValueError, match="no trim called 'vad'.*word, threshold"):
        dataclasses.replace(K.MEL_IMAGE, trim="vad")([speech])


def test_mfcc_frames_first_row_is_log_energy(speech):
    frames = K.MFCC_FRAMES([speech])[0]
    reference = librosa.feature.mfcc(
        y=K.MFCC_FRAMES.prepare(speech), sr=8000, n_mfcc=13, n_fft=256, hop_length=208, n_mels=40
    )
    np.testing.assert_allclose(frames[:, 1:], reference[1:].T, atol=1e-2)
    assert frames[:, 0].max() > frames[:, 0].min() + 20  # speech frames are much louder than padding


def test_extract_caches_by_parameters_and_files(tmp_path, speech):
    import soundfile as sf

    paths = []
    for i in range(4):
        path = tmp_path / f"{i}_synthetic_{i}.wav"
        sf.write(path, speech * (i + 1) / 5, 8000)
        paths.append(path)
    corpus = SpokenDigits("synthetic", [Utterance(p, i, "synthetic", i) for i, p in enumerate(paths)])
    first = K.extract(corpus, K.MEL_IMAGE, progress=False)
    cached = list((K.cache_dir("features")).glob("synthetic-mel48-*.npy"))
    assert len(cached) == 1
    np.testing.assert_array_equal(K.extract(corpus, K.MEL_IMAGE), first)
    K.extract(corpus, K.MelImage(n_mels=32, frames=32))  # other parameters: another file
    sf.write(paths[0], speech, 8000)  # a changed file: computed again, not served stale
    assert len(list(K.cache_dir("features").glob("synthetic-*.npy"))) == 2
    again = K.extract(corpus, K.MEL_IMAGE)
    assert len(list(K.cache_dir("features").glob("synthetic-*.npy"))) == 3
    assert again.shape == first.shape


def test_features_of_real_fsdd_separate_the_digits(fsdd):
    """A nearest-centroid classifier on the 48x48 images beats chance by far on the official split."""
    from kit.data import official_split

    train, test = official_split(fsdd)
    x_train = K.extract(train).reshape(len(train), -1)
    x_test = K.extract(test).reshape(len(test), -1)
    centroids = np.stack([x_train[train.digits == d].mean(0) for d in range(10)])
    predicted = np.argmin(((x_test[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    assert (predicted == test.digits).mean() > 0.5


def test_mel_scale_matches_librosa_both_ways():
    hz = np.array([0, 200, 999, 1000, 1001, 3000, 8000, 22050.0])
    np.testing.assert_allclose(K.hz_to_mel(hz), librosa.hz_to_mel(hz), rtol=1e-9)
    np.testing.assert_allclose(K.mel_to_hz(K.hz_to_mel(hz)), hz, atol=1e-6)
    np.testing.assert_allclose(K.mel_frequencies(50, 0, 4000), librosa.mel_frequencies(50, fmax=4000))
