"""Seed 003: the five classifiers, the Written and Spoken Digits loader, the paired data and its analyses."""

from __future__ import annotations

import hashlib
import json
import zipfile

import numpy as np
import pytest
import torch

from kit import multimodal
from kit.data import wsd
from kit.models import MODELS
from kit.runs import RunConfig
from kit.runs.execute import train_run

PARAMETERS = {
    "imagenet-cnn": 421_834,
    "audionet-cnn": 241_610,
    "audionet-lstm": 58_314,
    "hybridnet-cnn": 695_306,
    "hybridnet-cnn-lstm": 516_810,
}


def _batch(n=5, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 28, 28, generator=generator), torch.randn(n, 39, 13, generator=generator),
            torch.randint(0, 10, (n,), generator=generator))


@pytest.mark.parametrize("name", PARAMETERS)
def test_each_classifier_has_its_tables_size_and_reads_its_own_senses(name):
    model = MODELS[name]().eval()
    assert sum(p.numel() for p in model.parameters()) == PARAMETERS[name]
    batch = _batch()
    assert model(*model.inputs(batch)).shape == (5, 10)
    fused = model.reads == ("image", "audio")
    width = 256 if fused else 64 if name == "audionet-lstm" else 128
    assert model.embed(*model.inputs(batch)).shape == (5, width)
    other = (torch.zeros_like(batch[0]), batch[1], batch[2]) if "image" not in model.reads else (
        batch[0], torch.zeros_like(batch[1]), batch[2])
    changed = not torch.equal(model(*model.inputs(batch)), model(*model.inputs(other)))
    assert changed == fused  # a model's output depends on the other sense only if it reads both


def test_the_audio_cnn_flattens_64_channels_of_3x9_and_hears_the_log_mel_picture_too():
    assert MODELS["audionet-cnn"]().audio_encoder[10].in_features == 64 * 3 * 9  # the report's "1278"
    model = MODELS["audionet-cnn"](features="mel48").eval()
    assert model(torch.rand(3, 48, 48)).shape == (3, 10)
    with pytest.raises(ValueError, match="one vector per clip"):
        MODELS["audionet-lstm"](features="mfcc40mean")


def test_audio_standardisation_is_per_coefficient_and_fitted_on_training_clips():
    model = MODELS["audionet-lstm"]()
    audio = torch.randn(200, 39, 13) * torch.arange(1, 14) + 5 * torch.arange(13)
    model.fit_input_scaling(audio)
    standard = model.audio_input(audio)  # (n, 13 coefficients, 39 frames)
    assert standard.shape == (200, 13, 39)
    assert torch.allclose(standard.mean(dim=(0, 2)), torch.zeros(13), atol=1e-4)
    assert torch.allclose(standard.std(dim=(0, 2)), torch.ones(13), atol=1e-2)
    restored = MODELS["audionet-lstm"]()
    restored.load_state_dict(model.state_dict())  # the statistics travel with the checkpoint
    assert torch.equal(restored.audio_input(audio), standard)


def _write_wsd(folder, n_train=40, n_test=20, scale=255, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for side, n in (("train", n_train), ("test", n_test)):
        np.save(folder / f"data_wr_{side}.npy", (rng.random((n, 784)) * scale).astype(np.float32))
        np.save(folder / f"data_sp_{side}.npy", rng.normal(size=(n, 507)).astype(np.float32))
        np.save(folder / f"labels_{side}.npy", np.arange(n) % 10)
    return folder


def test_the_written_and_spoken_digits_loader_reads_the_published_layout(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path))
    _write_wsd(tmp_path / "wsd")
    train = wsd.load_written_spoken_digits("train")
    assert train.images.shape == (40, 28, 28) and train.audio.shape == (40, 39, 13)
    assert 0 <= train.images.min() and train.images.max() <= 1  # 0-255 pixels scaled
    assert train.labels.tolist() == [i % 10 for i in range(40)]
    data = multimodal.multimodal_data("wsd", "random", quick=False)
    assert [len(data.train), len(data.val), len(data.test)] == [42, 9, 9]  # 14 : 3 : 3 of 60
    with pytest.raises(ValueError, match="no speakers"):
        multimodal.multimodal_data("wsd", "speaker", quick=False)
    np.save(tmp_path / "wsd" / "labels_test.npy", np.arange(7))
    with pytest.raises(ValueError, match="do not align"):
        wsd.load_written_spoken_digits("test")


def test_a_missing_database_says_how_to_download_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="python -m kit download wsd"):
        wsd.load_written_spoken_digits("train")


def test_the_download_checks_zenodos_md5_and_unpacks_the_arrays_atomically(tmp_path):
    arrays = _write_wsd(tmp_path / "published")
    archive = tmp_path / "served" / "wsd.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(arrays.iterdir()):
            zipped.write(path, f"written_spoken_digits/{path.name}")
    md5 = "md5:" + hashlib.md5(archive.read_bytes()).hexdigest()
    answer = tmp_path / "served" / "record.json"
    answer.write_text(json.dumps({"files": [{"key": "wsd.zip", "checksum": md5,
                                             "links": {"self": "https://zenodo.org/x/wsd.zip"}}]}))
    asked = []

    def fetch(url, known_hash, fname):
        asked.append((url, known_hash))
        return answer if url == wsd.WSD_API else archive

    wsd.download_wsd(tmp_path / "data" / "wsd", fetch)
    assert asked == [(wsd.WSD_API, None), ("https://zenodo.org/x/wsd.zip", md5)]
    assert sorted(p.name for p in (tmp_path / "data" / "wsd").iterdir()) == sorted(wsd.ARRAYS)
    incomplete = tmp_path / "served" / "incomplete.zip"
    with zipfile.ZipFile(incomplete, "w") as zipped:
        zipped.write(arrays / "labels_test.npy", "labels_test.npy")
    with pytest.raises(ValueError, match="did not hold"):
        wsd.unpack_arrays([incomplete], tmp_path / "data" / "other")
    assert not (tmp_path / "data" / "other").exists()  # nothing half-made
    with pytest.raises(ValueError, match="without an address or an MD5"):
        wsd.record_files({"files": [{"key": "x.zip", "links": {"self": "u"}}]})


@pytest.fixture(scope="module")
def paired():
    return multimodal.multimodal_data("mnist-fsdd", "random", quick=True)


def test_no_recording_is_heard_on_two_sides_and_every_pair_agrees_on_its_digit(paired):
    sides = [set(part.clips.tolist()) for part in (paired.train, paired.val, paired.test)]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    for part in (paired.train, paired.val, paired.test):
        assert (paired.corpus.digits[part.clips] == part.labels).all()
        assert part.images.shape[1:] == (28, 28) and part.audio.shape[1:] == (39, 13)


def test_corruption_mixes_one_sense_with_noise_and_leaves_the_other(paired):
    test = paired.test.subset(np.arange(50))
    assert multimodal.corrupt(test, "image", 0.0).images == pytest.approx(test.images)
    noisy = multimodal.corrupt(test, "image", 1.0)
    assert np.array_equal(noisy.audio, test.audio) and abs(np.corrcoef(noisy.images.ravel(),
                                                                       test.images.ravel())[0, 1]) < 0.1
    with pytest.raises(ValueError, match="sense"):
        multimodal.corrupt(test, "smell", 0.5)


def test_error_sets_and_the_digits_only_the_hybrid_reads():
    labels = np.array([0, 1, 2, 3, 4])
    guesses = {"image": np.array([0, 2, 2, 0, 4]), "hybrid": np.array([0, 1, 2, 0, 4])}
    errors = multimodal.error_sets(guesses, labels)
    assert errors == {"image": {1, 3}, "hybrid": {3}}
    assert multimodal.ambiguous_images(errors["image"], errors["hybrid"]) == [1]


def test_the_embedding_map_finds_well_separated_digits():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 30)
    centres = rng.normal(size=(10, 64)) * 10
    mapped = multimodal.embedding_map(centres[labels] + rng.normal(size=(300, 64)), labels)
    assert mapped["points"].shape == (300, 2)
    assert mapped["agreement"] > 0.9
    scrambled = multimodal.embedding_map(rng.normal(size=(300, 64)), labels)
    assert scrambled["agreement"] < 0.2


def test_in_quick_mode_hearing_and_seeing_beats_hearing_alone(runs):
    from kit.runs import load_run_model

    models, data = {}, None
    for name in ("audionet-cnn", "hybridnet-cnn"):
        config = RunConfig(name, epochs=2, batch_size=32, quick=True, split="speaker")
        models[name], data = load_run_model(train_run(config, progress=False))
    test = data.test.test
    clean = {name: (multimodal.predict(m, test)[0] == test.labels).mean() for name, m in models.items()}
    assert clean["hybridnet-cnn"] > 0.95 and clean["hybridnet-cnn"] >= clean["audionet-cnn"]
    if clean["audionet-cnn"] < 0.97:  # real voices: a new speaker is misheard, and the image settles it
        assert clean["hybridnet-cnn"] > clean["audionet-cnn"] + 0.02
    # (the embedded eSpeak voices are heard perfectly, so there the hybrid can only tie)


def test_the_mfcc40_vae_hears_time_averaged_mfccs_only():
    from kit.models import MfccVAE

    model = MfccVAE().eval()
    mu, logvar = model.encode(torch.randn(4, 40))
    assert mu.shape == logvar.shape == (4, 64) and model.generate(torch.randn(4, 40)).shape == (4, 28, 28)
    config = RunConfig("mfcc-vae", pairing="resampled")
    assert config.features == "mfcc40mean" and "--features mfcc40mean" in config.command
    with pytest.raises(ValueError, match="hears mfcc40mean"):
        RunConfig("mfcc-vae", features="mel48")
    with pytest.raises(ValueError, match="hears mel48"):
        RunConfig("fast-aivae", features="mfcc40mean")


def test_in_quick_mode_the_mfcc40_vae_draws_the_spoken_digit(runs):
    run = train_run(RunConfig("mfcc-vae", pairing="resampled", epochs=30, quick=True), progress=False)
    assert run.metrics["accuracy"] > 0.7


def test_augmented_copies_join_the_training_recordings_and_stay_on_their_side():
    from kit import features

    # both built here, in this test's cache: without data, the eSpeak voices are made afresh per cache
    paired = multimodal.multimodal_data("mnist-fsdd", "random", quick=True)
    augmented = multimodal.multimodal_data("mnist-fsdd", "random", quick=True, augment_copies=1)
    assert len(augmented.train) == len(paired.train)
    held_out = set(paired.val.clips.tolist()) | set(paired.test.clips.tolist())
    assert not set(augmented.train.clips.tolist()) & held_out
    assert (paired.corpus.digits[augmented.train.clips] == augmented.train.labels).all()
    clean = features.extract(augmented.corpus, features.MFCC_FRAMES)[augmented.train.clips]  # each source
    heard_new = int((np.abs(augmented.train.audio - clean).max(axis=(1, 2)) > 1e-3).sum())
    assert 0.3 < heard_new / len(augmented.train) < 0.7  # about half the pairs hear an augmented copy
    assert np.array_equal(augmented.test.audio, paired.test.audio)  # tests stay clean
