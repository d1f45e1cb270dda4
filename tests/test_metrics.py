"""kit.metrics: the numbers mean what the lessons say they mean."""

from __future__ import annotations

import numpy as np
import pytest

from kit import evaluator
from kit.metrics import diversity, evaluate_images, frechet_distance, mean_pairwise_distance


def test_frechet_distance_is_zero_for_the_same_cloud_and_grows_with_a_shift():
    cloud = np.random.default_rng(0).normal(size=(2000, 8))
    assert frechet_distance(cloud, cloud) == pytest.approx(0, abs=1e-3)
    assert frechet_distance(cloud, cloud + 1) == pytest.approx(8, rel=1e-3)  # |shift|^2 over 8 dimensions


def test_diversity_is_one_for_real_data_and_zero_for_archetypes():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(10), 50)
    features = rng.normal(size=(500, 4)) + labels[:, None]
    assert diversity(features, labels, features, labels) == pytest.approx(1.0)
    archetypes = np.stack([features[labels == d].mean(0) for d in labels])
    assert diversity(archetypes, labels, features, labels) == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(mean_pairwise_distance(features[:1]))


def test_real_test_digits_score_like_the_judge_itself():
    lenet = evaluator.load_lenet()
    images, labels = evaluator.digit_tensors("test")
    images, labels = images[:2000].numpy(), labels[:2000].numpy()
    metrics = evaluate_images(images, labels, lenet, images, labels)
    assert metrics["accuracy"] > 0.97 and metrics["macro_f1"] > 0.97
    assert metrics["diversity"] == pytest.approx(1.0) and metrics["frechet"] == pytest.approx(0, abs=1e-2)
    assert np.trace(np.array(metrics["confusion"])) == round(metrics["accuracy"] * len(labels))
    blurred = (images + np.roll(images, 1, axis=1) + np.roll(images, 1, axis=2)) / 3
    assert evaluate_images(blurred, labels, lenet, images, labels)["frechet"] > 1
