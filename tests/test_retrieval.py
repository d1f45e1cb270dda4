"""kit.retrieval: recall at k and mean average precision against cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from kit.retrieval import average_precision, mean_average_precision, recall_at_k, retrieval_metrics

# Two queries (digits 0 and 1) against four gallery items (digits 0, 1, 0, 1).
SIMILARITY = np.array([[0.9, 0.8, 0.1, 0.5],   # ranks items 0, 1, 3, 2: relevant at ranks 1 and 4
                       [0.8, 0.1, 0.6, 0.3]])  # ranks items 0, 2, 3, 1: relevant at ranks 3 and 4
QUERIES, GALLERY = np.array([0, 1]), np.array([0, 1, 0, 1])


def test_average_precision_by_hand():
    # query 0: (1/1 + 2/4) / 2 = 0.75; query 1: (1/3 + 2/4) / 2 = 5/12
    assert mean_average_precision(SIMILARITY, QUERIES, GALLERY) == pytest.approx((0.75 + 5 / 12) / 2)
    assert average_precision(np.array([[1, 0, 0, 1], [0, 0, 1, 1]])) == pytest.approx([0.75, 5 / 12])


def test_recall_at_k_by_hand():
    assert [recall_at_k(SIMILARITY, QUERIES, GALLERY, k) for k in (1, 2, 3, 4)] == [0.5, 0.5, 1.0, 1.0]


def test_all_metrics_at_once_and_in_chunks_agree():
    metrics = retrieval_metrics(SIMILARITY, QUERIES, GALLERY, ks=(1, 3))
    assert metrics == pytest.approx({"recall@1": 0.5, "recall@3": 1.0, "mAP": (0.75 + 5 / 12) / 2})
    rng = np.random.default_rng(0)
    similarity, queries, gallery = rng.normal(size=(37, 50)), rng.integers(0, 10, 37), rng.integers(0, 10, 50)
    assert retrieval_metrics(similarity, queries, gallery, chunk=5) == pytest.approx(
        retrieval_metrics(similarity, queries, gallery))


def test_a_perfect_ranking_scores_one_and_ties_keep_the_gallery_order():
    gallery = np.array([3, 3, 5, 5, 5])
    perfect = (gallery[None] == np.array([3, 5])[:, None]).astype(float)
    assert retrieval_metrics(perfect, [3, 5], gallery, ks=(1,)) == {"recall@1": 1.0, "mAP": 1.0}
    tied = np.zeros((1, 5))  # everything equal: the gallery's own order, relevant at ranks 3, 4, 5
    assert mean_average_precision(tied, [5], gallery) == pytest.approx((1 / 3 + 2 / 4 + 3 / 5) / 3)
    assert average_precision(np.zeros((1, 4), bool)) == [0.0]  # nothing relevant: 0, not a division by 0


def test_random_scores_sit_at_chance():
    rng = np.random.default_rng(1)
    queries, gallery = rng.integers(0, 10, 300), np.repeat(np.arange(10), 100)
    metrics = retrieval_metrics(rng.normal(size=(300, 1000)), queries, gallery)
    assert metrics["mAP"] == pytest.approx(0.1, abs=0.02)
    assert metrics["recall@1"] == pytest.approx(0.1, abs=0.06)
    assert metrics["recall@10"] == pytest.approx(1 - 0.9**10, abs=0.08)


def test_bad_inputs_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="3 query labels"):
        mean_average_precision(SIMILARITY, [0, 1, 2], GALLERY)
    with pytest.raises(ValueError, match="matrix"):
        mean_average_precision(np.zeros(4), [0], GALLERY)
    with pytest.raises(ValueError, match="between 1 and the gallery's size 4"):
        recall_at_k(SIMILARITY, QUERIES, GALLERY, 5)
    with pytest.raises(ValueError, match="do not fit a gallery of 4"):
        retrieval_metrics(SIMILARITY, QUERIES, GALLERY)  # recall@5 and @10 of four items
    with pytest.raises(ValueError, match="NaN"):
        mean_average_precision(np.full((2, 4), np.nan), QUERIES, GALLERY)
    with pytest.raises(ValueError, match="nothing to rank"):
        mean_average_precision(np.zeros((0, 4)), [], GALLERY)
