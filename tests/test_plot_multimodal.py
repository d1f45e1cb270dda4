"""Lesson 13's plot helpers: the error sets' Venn diagram, the embedding map with its k-means clusters."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from kit import plot


def test_error_venn_counts_every_region():
    errors = {"image": {1, 2, 3, 4}, "audio": {4, 5}, "hybrid": {2, 4}}
    fig = plot.error_venn(errors)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"2", "1"} <= texts  # image only {1, 3}; every other non-empty region holds one pair
    assert any("image" in t and "4 wrong" in t for t in texts)
    plt.close(fig)


def test_error_venn_two_sets_empty_sets_and_its_own_axes():
    fig, ax = plt.subplots()
    assert plot.error_venn({"image": {1}, "hybrid": set()}, ax=ax) is fig
    empty = plot.error_venn({"a": set(), "b": set(), "c": set()})
    assert "no errors at all" in {t.get_text() for t in empty.axes[0].texts}
    with pytest.raises(ValueError, match="2 or 3"):
        plot.error_venn({"a": {1}})
    plt.close("all")


def test_embedding_clusters_draws_labels_and_clusters_side_by_side():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 20)
    points = rng.normal(size=(200, 2)) + 10 * np.stack([np.cos(labels), np.sin(labels)], axis=1)
    clusters = (labels + 3) % 10  # the same grouping, other names
    mapped = {"points": points, "labels": labels, "clusters": clusters, "agreement": 1.0}
    fig = plot.embedding_clusters(mapped, title="toy")
    left, right = fig.axes
    assert "1.00" in right.get_title()
    # each cluster is named by its majority digit: the same ten names as the digits
    assert sorted(t.get_text() for t in left.texts) == sorted(t.get_text() for t in right.texts)
    fig2, axes = plt.subplots(1, 2)
    assert plot.embedding_clusters(mapped, ax=axes) is fig2
    with pytest.raises(ValueError, match="pair"):
        plot.embedding_clusters(mapped, ax=[axes[0]])
    plt.close("all")
