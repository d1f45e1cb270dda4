"""Lesson 15's exercise checks: the contrastive (InfoNCE) loss and recall at k.

The first check gives the learner's ``my_info_nce(audio_embedded, image_embedded, scale)``
unit-length embeddings it has not seen (the true pairs more alike than the
others, as after some training) and several scales, and compares the loss
with :func:`kit.models.correspondence.info_nce` of the scaled cosines. The
second gives ``my_recall_at_k(similarity, query_labels, gallery_labels, k)``
hidden similarity matrices and digits, and compares it with
:func:`kit.retrieval.recall_at_k`. Typical slips (one direction only, the
scale left out or divided by, sums instead of means; the ranking upside
down, precision at k instead of recall, an off-by-one ``k``, a count instead
of a share) get a hint of their own; none prints the answer.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ..models.correspondence import info_nce
from ..retrieval import recall_at_k
from . import as_function as _function
from . import as_number, exercise, own_work

# ---------------------------------------------------------------------------------------------
# Exercise 1: InfoNCE

SCALES = (1 / 0.07, 3.0, 1.0)


def hidden_embeddings(seed: int, n: int = 12, dim: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` unit-length audio and image embeddings whose true pairs (same row) are alike, not equal."""
    generator = torch.Generator().manual_seed(seed)
    shared = torch.randn(n, dim, generator=generator)
    audio = F.normalize(shared + 0.8 * torch.randn(n, dim, generator=generator), dim=1)
    images = F.normalize(shared + 0.8 * torch.randn(n, dim, generator=generator), dim=1)
    return audio, images


def kit_info_nce(audio_embedded: torch.Tensor, image_embedded: torch.Tensor, scale: float) -> torch.Tensor:
    """The kit's loss of the lesson's exercise: InfoNCE of the scaled cosines."""
    return info_nce(scale * audio_embedded @ image_embedded.T)


def _info_nce_slips(audio, images, scale) -> list[tuple[float, str]]:
    logits = scale * audio @ images.T
    targets = torch.arange(len(logits))
    rows, columns = F.cross_entropy(logits, targets), F.cross_entropy(logits.T, targets)
    plain = audio @ images.T
    return [
        (rows, "only one direction: each clip picks its image, but each image must also pick its clip "
               "(the same matrix, read by columns). The loss is the mean of the two."),
        (columns, "only one direction: each image picks its clip, but each clip must also pick its image "
                  "(the same matrix, read by rows). The loss is the mean of the two."),
        (rows + columns, "both directions are there, but added: the loss is their mean."),
        (info_nce(plain), "the scale is missing: the cosines are multiplied by `scale` (1/temperature) "
                          "before the softmax."),
        (info_nce(plain / scale), "`scale` is 1/temperature: multiply the cosines by it (dividing by the "
                                  "temperature is the same thing), do not divide by it."),
        (len(logits) * (rows + columns) / 2, "summed over the pairs: average the cross-entropy over the "
                                             "pairs, so that the loss does not grow with the batch."),
        (-(rows + columns) / 2, "the sign: cross-entropy is minus the log-probability of the true partner, "
                                "a positive number."),
    ]


@exercise("15.info_nce")
def info_nce_check(answer) -> None:
    """``my_info_nce(audio_embedded, image_embedded, scale)`` equals the kit's on hidden embeddings."""
    function = _function(answer, "my_info_nce")
    own_work(function, {"info_nce", "kit_info_nce", "AVCInfoNCE"}, "the loss")
    for seed, scale in zip((151, 152, 153), SCALES, strict=True):
        audio, images = hidden_embeddings(seed)
        what = f"my_info_nce(audio {tuple(audio.shape)}, images {tuple(images.shape)}, scale={scale:.3g})"
        try:
            value = function(audio.clone(), images.clone(), scale)
        except Exception as error:
            raise AssertionError(f"{what} raised {type(error).__name__}: {error}. The embeddings are "
                                 "tensors of shape (pairs, numbers), row i of each being pair i; scale is a "
                                 "number.") from None
        if torch.is_tensor(value) and value.numel() != 1:
            raise AssertionError(f"{what} returned a tensor of shape {tuple(value.shape)}: the loss is one "
                                 "number, the mean over the pairs and the two directions.")
        got = as_number(value.detach() if torch.is_tensor(value) else value, "the loss")
        expected = float(kit_info_nce(audio, images, scale))
        if math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-5):
            continue
        for slip, hint in _info_nce_slips(audio, images, scale):
            if math.isclose(got, float(slip), rel_tol=1e-4, abs_tol=1e-5):
                raise AssertionError(hint)
        raise AssertionError(f"for hidden embeddings your loss is {got:.4g}, not the kit's. Build the matrix "
                             "of scaled cosines (clips as rows, images as columns); the true partners sit on "
                             "its diagonal.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: recall at k


def hidden_retrieval(seed: int, queries: int = 40, gallery: int = 60) -> tuple[np.ndarray, ...]:
    """A similarity matrix in which relevant items score a little higher, and the digits of both sides."""
    rng = np.random.default_rng(seed)
    query_labels, gallery_labels = rng.integers(0, 10, queries), rng.integers(0, 10, gallery)
    similarity = rng.normal(size=(queries, gallery)) + 1.2 * (query_labels[:, None] == gallery_labels[None])
    return similarity, query_labels, gallery_labels


RECALL_CASES = ((1, 1), (2, 5), (3, 10), (4, 3))  # (seed, k)


def _recall_slips(similarity, query_labels, gallery_labels, k) -> list[tuple[float, str]]:
    relevant = gallery_labels[np.argsort(-similarity, axis=1)] == query_labels[:, None]
    upside_down = gallery_labels[np.argsort(similarity, axis=1)] == query_labels[:, None]
    slips = [
        (upside_down[:, :k].any(1).mean(), "your ranking is upside down: the most similar item (the largest "
                                           "similarity) comes first."),
        (relevant[:, :k].mean(), "that is the share of relevant items among the first k (precision at k). "
                                 "Recall at k asks, for each query, whether at least one is there."),
        (relevant[:, :k].all(1).mean(), "you ask for all of the first k to be relevant; one is enough."),
        (relevant[:, :k].any(1).sum(), "that is how many queries succeed; recall at k is their share."),
        (relevant[:, :1].any(1).mean(), "you look at the first result only, whatever k is."),
    ]
    if k > 1:
        slips.append((relevant[:, : k - 1].any(1).mean(), "one result too few: the first k results are "
                                                          "positions 0 to k - 1, i.e. `[:k]`."))
    slips.append((relevant[:, : k + 1].any(1).mean(), "one result too many: the first k results are `[:k]`."))
    return [(float(value), hint) for value, hint in slips]


@exercise("15.recall_at_k")
def recall_at_k_check(answer) -> None:
    """``my_recall_at_k(similarity, query_labels, gallery_labels, k)`` equals the kit's on hidden cases."""
    function = _function(answer, "my_recall_at_k")
    own_work(function, {"recall_at_k", "retrieval_metrics", "ranked_relevance"}, "recall at k")
    for seed, k in RECALL_CASES:
        similarity, query_labels, gallery_labels = hidden_retrieval(seed)
        what = f"my_recall_at_k(similarity {similarity.shape}, ..., k={k})"
        try:
            value = function(similarity.copy(), query_labels.copy(), gallery_labels.copy(), k)
        except Exception as error:
            raise AssertionError(f"{what} raised {type(error).__name__}: {error}. similarity is a NumPy "
                                 "array (queries, gallery); the labels are arrays of digits; k is an int.") \
                from None
        got = as_number(value, "the share of queries with a relevant item in their first k results")
        expected = recall_at_k(similarity, query_labels, gallery_labels, k)
        if math.isclose(got, expected, abs_tol=1e-9):
            continue
        for slip, hint in _recall_slips(similarity, query_labels, gallery_labels, k):
            if math.isclose(got, slip, abs_tol=1e-9):
                raise AssertionError(hint)
        raise AssertionError(f"for a hidden case with k = {k} your recall is {got:.4g}, not the kit's. For "
                             "each query: rank the gallery by similarity, best first, and ask whether one of "
                             "the first k shows the query's digit; then the share of queries for which it "
                             "does.")
