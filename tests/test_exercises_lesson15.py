"""Lesson 15's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kit.exercises import verdict
from kit.exercises.lesson15 import hidden_embeddings, hidden_retrieval, kit_info_nce
from kit.models.correspondence import info_nce
from kit.retrieval import recall_at_k

KEYS = ("15.info_nce", "15.recall_at_k")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 3.0):
        assert verdict(key, nonsense)[0] == "wrong"


# ---------------------------------------------------------------------------------------------
# Exercise 1: InfoNCE

def my_info_nce(audio_embedded, image_embedded, scale):
    """The lesson's solution."""
    logits = scale * audio_embedded @ image_embedded.T
    targets = torch.arange(len(logits))
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def by_log_softmax(audio_embedded, image_embedded, scale):
    logits = scale * torch.einsum("id,jd->ij", audio_embedded, image_embedded)
    clip_picks = -torch.log_softmax(logits, dim=1).diagonal().mean()
    image_picks = -torch.log_softmax(logits, dim=0).diagonal().mean()
    return 0.5 * (clip_picks + image_picks)


@pytest.mark.parametrize("solution", [my_info_nce, by_log_softmax])
def test_info_nce_accepts_the_solutions(solution):
    status, message = verdict("15.info_nce", solution)
    assert status == "correct", message


def test_the_hidden_pairs_are_alike_and_the_kits_loss_is_the_solution():
    audio, images = hidden_embeddings(151)
    assert torch.allclose(audio.norm(dim=1), torch.ones(len(audio)))
    cosines = audio @ images.T
    assert cosines.diagonal().mean() > cosines.mean() + 0.3  # true partners alike, as after training
    assert torch.isclose(my_info_nce(audio, images, 5.0), kit_info_nce(audio, images, 5.0))


def _targets(n):
    return torch.arange(n)


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        (lambda a, v, s: F.cross_entropy(s * a @ v.T, _targets(len(a))), "only one direction"),
        (lambda a, v, s: F.cross_entropy(s * v @ a.T, _targets(len(a))), "only one direction"),
        (lambda a, v, s: F.cross_entropy(s * a @ v.T, _targets(len(a))) + F.cross_entropy(s * v @ a.T,
                                                                                            _targets(len(a))),
         "added"),
        (lambda a, v, s: my_info_nce(a, v, 1.0), "scale is missing"),
        (lambda a, v, s: my_info_nce(a, v, 1 / s), "do not divide"),
        (lambda a, v, s: len(a) * my_info_nce(a, v, s), "summed over the pairs"),
        (lambda a, v, s: -my_info_nce(a, v, s), "the sign"),
        (lambda a, v, s: info_nce(s * a @ v.T), "the kit's info_nce"),
        (lambda a, v, s: torch.tensor(2.5), "your loss is 2.5"),  # a constant
        (lambda a, v, s: a, "a tensor of shape (12, 16)"),  # a copy of the input
        (lambda a, v, s: (s * a @ v.T).diagonal(), "shape (12,)"),
    ],
)
def test_info_nce_rejects_typical_slips_with_their_hint(slip, hint):
    status, message = verdict("15.info_nce", slip)
    assert status == "wrong" and hint in message, message


def test_info_nce_hints_never_print_the_answer():
    for slip in (lambda a, v, s: torch.tensor(0.0), lambda a, v, s: my_info_nce(a, v, 1.0)):
        _, message = verdict("15.info_nce", slip)
        audio, images = hidden_embeddings(151)
        assert f"{float(kit_info_nce(audio, images, 1 / 0.07)):.4g}" not in message


# ---------------------------------------------------------------------------------------------
# Exercise 2: recall at k

def my_recall_at_k(similarity, query_labels, gallery_labels, k):
    """The lesson's solution."""
    order = np.argsort(-similarity, axis=1)
    first_k = gallery_labels[order[:, :k]]
    found = (first_k == query_labels[:, None]).any(axis=1)
    return found.mean()


def with_a_loop(similarity, query_labels, gallery_labels, k):
    hits = 0
    for row, digit in zip(similarity, query_labels, strict=True):
        best = sorted(range(len(row)), key=lambda j: -row[j])[:k]
        hits += any(gallery_labels[j] == digit for j in best)
    return hits / len(query_labels)


@pytest.mark.parametrize("solution", [my_recall_at_k, with_a_loop])
def test_recall_accepts_the_solutions(solution):
    status, message = verdict("15.recall_at_k", solution)
    assert status == "correct", message


def _relevant(similarity, query_labels, gallery_labels, ascending=False):
    order = np.argsort(similarity if ascending else -similarity, axis=1)
    return gallery_labels[order] == query_labels[:, None]


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        (lambda s, q, g, k: _relevant(s, q, g, ascending=True)[:, :k].any(1).mean(), "upside down"),
        (lambda s, q, g, k: _relevant(s, q, g)[:, :k].mean(), "precision at k"),
        (lambda s, q, g, k: _relevant(s, q, g)[:, :k].all(1).mean(), "one is enough"),
        (lambda s, q, g, k: _relevant(s, q, g)[:, :k].any(1).sum(), "their share"),
        (lambda s, q, g, k: _relevant(s, q, g)[:, :1].any(1).mean(), "the first result only"),
        (lambda s, q, g, k: _relevant(s, q, g)[:, : k + 1].any(1).mean(), "one result too many"),
        (lambda s, q, g, k: _relevant(s, q, g)[:, : max(k - 1, 1)].any(1).mean(), "one result too few"),
        (lambda s, q, g, k: recall_at_k(s, q, g, k), "the kit's recall_at_k"),
        (lambda s, q, g, k: 0.5, "your recall is 0.5"),  # a constant
        (lambda s, q, g, k: s, "single number"),  # a copy of the input
    ],
)
def test_recall_rejects_typical_slips_with_their_hint(slip, hint):
    status, message = verdict("15.recall_at_k", slip)
    assert status == "wrong" and hint in message, message


def test_the_hidden_cases_reward_a_right_ranking():
    similarity, query_labels, gallery_labels = hidden_retrieval(1)
    assert recall_at_k(similarity, query_labels, gallery_labels, 1) > 0.3  # above chance (0.1): not trivial
    assert recall_at_k(similarity, query_labels, gallery_labels, 1) < 1.0  # and not every query right
