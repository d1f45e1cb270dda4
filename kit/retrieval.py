"""How well does one modality find the other? Ranking metrics for cross-modal retrieval (lesson 15).

A retrieval is a ``similarity`` matrix ``(queries, gallery)``: higher means
"more likely the same thing". Each query's gallery is ranked by it, highest
first (ties keep the gallery's order), and a gallery item counts as
**relevant** when it shows the query's digit, so a query has many relevant
items, not one:

* **recall at k** - the share of queries with at least one relevant item
  among their first ``k`` results (the "R@k" of cross-modal retrieval
  papers; with ten balanced digits, chance is about ``1 - 0.9**k``);
* **average precision** of one query - the precision (relevant share of the
  results so far) at the rank of every relevant item, averaged over its
  relevant items; 1 when all of them come first. **Mean average precision**
  (mAP) averages it over the queries; chance is about the relevant share of
  the gallery (0.1 for ten balanced digits).

:func:`retrieval_metrics` gives all of them at once.
"""

from __future__ import annotations

import numpy as np

KS = (1, 5, 10)  # the recall cut-offs every retrieval row reports


def _checked(similarity, query_labels, gallery_labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    similarity = np.asarray(similarity, dtype=np.float64)
    query_labels, gallery_labels = np.asarray(query_labels), np.asarray(gallery_labels)
    if similarity.ndim != 2:
        raise ValueError(f"similarity must be a (queries, gallery) matrix, not of shape {similarity.shape}")
    if similarity.shape != (len(query_labels), len(gallery_labels)):
        raise ValueError(
            f"similarity has shape {similarity.shape} but there are {len(query_labels)} query labels and "
            f"{len(gallery_labels)} gallery labels"
        )
    if not similarity.size:
        raise ValueError("nothing to rank: no queries or an empty gallery")
    if not np.isfinite(similarity).all():
        raise ValueError("similarity holds NaN or infinity: check the embeddings")
    return similarity, query_labels, gallery_labels


def ranked_relevance(similarity, query_labels, gallery_labels) -> np.ndarray:
    """``(queries, gallery)`` booleans: is the query's ``r``-th result (best first) relevant?"""
    similarity, query_labels, gallery_labels = _checked(similarity, query_labels, gallery_labels)
    order = np.argsort(-similarity, axis=1, kind="stable")
    return gallery_labels[order] == query_labels[:, None]


def recall_at_k(similarity, query_labels, gallery_labels, k: int) -> float:
    """The share of queries with at least one relevant item among their first ``k`` results."""
    relevant = ranked_relevance(similarity, query_labels, gallery_labels)
    if not 1 <= k <= relevant.shape[1]:
        raise ValueError(f"k must be between 1 and the gallery's size {relevant.shape[1]}, not {k}")
    return float(relevant[:, :k].any(axis=1).mean())


def average_precision(relevant: np.ndarray) -> np.ndarray:
    """Average precision of each row of ranked relevance (see :func:`ranked_relevance`); 0 when none is."""
    relevant = np.asarray(relevant, dtype=bool)
    hits = np.cumsum(relevant, axis=1)
    precision = hits / np.arange(1, relevant.shape[1] + 1)
    found = relevant.sum(axis=1)
    return np.where(found > 0, (precision * relevant).sum(axis=1) / np.maximum(found, 1), 0.0)


def mean_average_precision(similarity, query_labels, gallery_labels) -> float:
    """Average precision averaged over the queries (mAP)."""
    return float(average_precision(ranked_relevance(similarity, query_labels, gallery_labels)).mean())


def retrieval_metrics(
    similarity, query_labels, gallery_labels, ks: tuple[int, ...] = KS, chunk: int = 1000
) -> dict[str, float]:
    """``recall@k`` for every ``k`` of ``ks`` and ``mAP``, the queries taken ``chunk`` at a time."""
    similarity, query_labels, gallery_labels = _checked(similarity, query_labels, gallery_labels)
    too_large = [k for k in ks if not 1 <= k <= len(gallery_labels)]
    if too_large:
        raise ValueError(f"recall cut-offs {too_large} do not fit a gallery of {len(gallery_labels)}")
    hits = {k: 0 for k in ks}
    total_precision = 0.0
    for start in range(0, len(query_labels), chunk):
        part = slice(start, start + chunk)
        relevant = ranked_relevance(similarity[part], query_labels[part], gallery_labels)
        for k in ks:
            hits[k] += int(relevant[:, :k].any(axis=1).sum())
        total_precision += float(average_precision(relevant).sum())
    n = len(query_labels)
    return {**{f"recall@{k}": hits[k] / n for k in ks}, "mAP": total_precision / n}
