"""Audio-visual correspondence (lesson 15): the three models, their pairs, InfoNCE, and what they learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from kit.correspondence import aivae_retrieval, correspondence_data, held_out_pairs, joint_map, speaker_probe
from kit.models import MODELS, FastAIVAE, LeNet5
from kit.models.correspondence import MAX_SCALE, info_nce
from kit.pairing import CorrespondenceBatches, mismatched
from kit.runs import RunConfig, load_run_model, train_run

CORRESPONDENCE_MODELS = ("avc-net", "avc-distance", "avc-infonce")


def _inputs(n_audio=5, n_images=7, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n_audio, 48, 48, generator=generator), torch.rand(n_images, 28, 28, generator=generator)


@pytest.mark.parametrize("name", CORRESPONDENCE_MODELS)
def test_every_model_embeds_both_senses_and_scores_every_pair(name):
    model = MODELS[name]().eval()
    audio, images = _inputs()
    with torch.no_grad():
        heard, seen = model.embed_audio(audio), model.embed_image(images)
        similarity = model.similarity(heard, seen)
        assert heard.shape == (5, 128) and seen.shape == (7, 128) and similarity.shape == (5, 7)
        # the matrix holds the score of every aligned pair: row i, column j is clip i with image j
        pairs = model.pair_scores(heard.repeat_interleave(7, 0), seen.repeat(5, 1)).reshape(5, 7)
        if name == "avc-distance":  # minus the distance; the pair score falls as the distance grows
            assert torch.equal(pairs.argsort(1), similarity.argsort(1))
        else:
            assert torch.allclose(pairs, similarity, atol=1e-5)
        assert model(audio[:3], images[:3]).shape == (3,)


def test_the_shared_embeddings_have_unit_length_and_the_2017_network_has_none():
    audio, images = _inputs()
    for name in ("avc-distance", "avc-infonce"):
        embedded = MODELS[name]().eval().embed_image(images)
        assert torch.allclose(embedded.norm(dim=1), torch.ones(7), atol=1e-5)
    assert not torch.allclose(MODELS["avc-net"]().eval().embed_image(images).norm(dim=1), torch.ones(7))


def test_info_nce_by_hand():
    # diagonal 2, elsewhere 0: every row and column is -log(e^2 / (e^2 + 1)) = log(1 + e^-2)
    diagonal = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    assert info_nce(diagonal).item() == pytest.approx(math.log(1 + math.exp(-2)))
    # rows: log(1 + e), log(1 + e^-3); columns: log(1 + e^-1) twice; the loss averages both directions
    rows = (math.log(1 + math.e) + math.log(1 + math.exp(-3))) / 2
    expected = (rows + math.log(1 + math.exp(-1))) / 2
    assert info_nce(torch.tensor([[1.0, 2.0], [0.0, 3.0]])).item() == pytest.approx(expected)


def test_the_temperature_is_learnt_and_capped():
    model = MODELS["avc-infonce"]()
    assert 1 / model.scale.item() == pytest.approx(0.07)
    audio, images = _inputs(4, 4)
    model.loss((audio, images, torch.ones(4)))["loss"].backward()
    assert model.log_scale.grad is not None and model.log_scale.grad.abs() > 0
    with torch.no_grad():
        model.log_scale.fill_(10.0)
    assert model.scale.item() == pytest.approx(MAX_SCALE)


def test_bad_inputs_get_a_clear_message():
    model = MODELS["avc-net"]()
    with pytest.raises(ValueError, match="48x48"):
        model.embed_audio(torch.rand(2, 39, 13))
    with pytest.raises(ValueError, match="28x28"):
        model.embed_image(torch.rand(2, 32, 32))
    with pytest.raises(ValueError, match="3 clips and 2 images"):
        model(torch.rand(3, 48, 48), torch.rand(2, 28, 28))
    with pytest.raises(ValueError, match="square"):
        info_nce(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="two positive pairs"):
        MODELS["avc-infonce"]().loss((torch.rand(2, 48, 48), torch.rand(2, 28, 28), torch.tensor([1.0, 0.0])))
    with pytest.raises(ValueError, match="two different digits"):
        mismatched([3, 3], [3, 3, 3])


def test_batches_hold_matching_then_mismatching_pairs_and_no_labels():
    rng = np.random.default_rng(0)
    audio_labels, image_labels = np.repeat(np.arange(10), 6), rng.integers(0, 10, 200)
    # each clip and image carries its digit in its pixels, so the pairs can be checked without labels
    audio = torch.from_numpy(np.repeat(audio_labels, 48 * 48).reshape(60, 48, 48).astype(np.float32))
    images = torch.from_numpy(np.repeat(image_labels, 28 * 28).reshape(200, 28, 28).astype(np.float32))
    batches = CorrespondenceBatches(audio, audio_labels, images, image_labels, "resampled", batch_size=16)
    negatives = []
    for batch in batches:
        assert len(batch) == 3  # audio, images, match: the digits themselves never reach a model
        heard, seen, match = batch[0][:, 0, 0], batch[1][:, 0, 0], batch[2]
        half = len(heard) // 2
        assert torch.equal(match, torch.cat([torch.ones(half), torch.zeros(half)]))
        assert torch.equal(heard[:half], heard[half:])  # the same clips, once matched, once not
        assert (heard[:half] == seen[:half]).all() and (heard[half:] != seen[half:]).all()
        negatives.append(seen[half:])
    assert sum(len(n) for n in negatives) == 60  # every clip once per pass
    again = torch.cat([batch[1][len(batch[1]) // 2:, 0, 0] for batch in batches])
    assert not torch.equal(torch.cat(negatives), again)  # fresh partners on every pass


def test_held_out_pairs_are_balanced_and_right():
    clips, images, match = held_out_pairs(np.repeat(np.arange(10), 3), np.arange(50) % 10)
    assert len(match) == 100 and match.sum() == 50
    same = (np.repeat(np.arange(10), 3)[clips] == (np.arange(50) % 10)[images])
    assert np.array_equal(same, match > 0.5)


def test_the_maps_put_both_senses_on_one_plane_and_the_probe_reads_a_planted_speaker():
    rng = np.random.default_rng(0)
    heard, seen = rng.normal(size=(30, 16)), rng.normal(size=(40, 16))
    for method in ("pca", "tsne"):
        a, b = joint_map(heard, seen, method)
        assert a.shape == (30, 2) and b.shape == (40, 2)
    with pytest.raises(ValueError, match="pca"):
        joint_map(heard, seen, "umap")
    speakers = np.arange(60) % 3
    planted = rng.normal(size=(60, 8)) + 4 * np.eye(8)[speakers]
    assert speaker_probe(planted[:40], speakers[:40], planted[40:], speakers[40:]) > 0.9
    noise = rng.normal(size=(60, 8))
    assert speaker_probe(noise[:40], speakers[:40], noise[40:], speakers[40:]) < 0.7


def test_the_aivae_baseline_measures_retrieval_both_ways():
    data = correspondence_data(quick=True)
    metrics = aivae_retrieval(FastAIVAE().eval(), LeNet5().eval(), data, unseen=False)
    for direction in ("audio_to_image", "image_to_audio"):
        assert {f"{direction}_{key}" for key in ("recall@1", "recall@5", "recall@10", "mAP")} <= set(metrics)
        assert 0 <= metrics[f"{direction}_mAP"] <= 1


def test_in_quick_mode_the_models_learn_to_match_and_to_retrieve(runs):
    """Chance: 50 % for the match decision, about 0.1 for mAP and recall at 1 (ten digits)."""
    matcher = RunConfig("avc-net", epochs=2, batch_size=32, quick=True)
    metrics = train_run(matcher, progress=False).metrics
    assert metrics["correspondence_accuracy"] > 0.6 and metrics["correspondence_auc"] > 0.7
    retriever = RunConfig("avc-infonce", epochs=2, quick=True)
    run = train_run(retriever, progress=False)
    metrics = run.metrics
    assert metrics["audio_to_image_mAP"] > 0.4 and metrics["image_to_audio_mAP"] > 0.4
    assert metrics["audio_to_image_recall@1"] > 0.4 and metrics["correspondence_auc"] > 0.8
    assert run.samples_path.is_file()
    model, _ = load_run_model(run)
    assert model.decides is False and "correspondence_accuracy" not in metrics
