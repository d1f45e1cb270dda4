"""Lesson 05: the exercise checks accept right answers and reject wrong ones with a hint."""

import math

import numpy as np
import pytest
import torch

from kit.exercises import verdict
from kit.models.vae import reconstruction_bce


def test_not_answered_yet_never_raises():
    for key in ("05.bce_sum", "05.bce_floor", "05.pca_reconstruct"):
        assert verdict(key, ...)[0] == "todo"


def right_bce(rebuilt, images):
    return -(images * torch.log(rebuilt) + (1 - images) * torch.log(1 - rebuilt)).flatten(1).sum(dim=1)


@pytest.mark.parametrize("answer", [
    right_bce,
    lambda r, x: reconstruction_bce(torch.logit(r), x),                    # the kit, from logits
    lambda r, x: torch.nn.functional.binary_cross_entropy(r, x, reduction="none").sum(dim=(1, 2)),
    lambda r, x: right_bce(r, x).numpy(),                                   # numpy output is fine
])
def test_bce_sum_correct(answer):
    assert verdict("05.bce_sum", answer)[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    (42.0, "function itself"),
    (lambda r, x: None, "return"),
    (lambda r, x: right_bce(r, x).sum(), "one number for the whole batch"),
    (lambda r, x: right_bce(r, x).mean(), "averaged over the images"),
    (lambda r, x: torch.nn.functional.binary_cross_entropy(r, x), "default reduction"),
    (lambda r, x: right_bce(r, x) / 784, "averaged over the pixels"),
    (lambda r, x: -right_bce(r, x), "wrong sign"),
    (lambda r, x: right_bce(x, r), "belong on the reconstruction"),
    (lambda r, x: -(x * torch.log(r)).flatten(1).sum(1), "ink term"),
    (lambda r, x: -(x * torch.log(r) + (1 - x) * torch.log(1 - r)).sum(dim=2), "shape"),
    (lambda r, x: (r - x).square().flatten(1).sum(1), "per-image BCE should be"),
])
def test_bce_sum_wrong(answer, hint):
    status, message = verdict("05.bce_sum", answer)
    assert status == "wrong" and hint in message, message


@pytest.mark.parametrize("answer", [784 * math.log(2), 543.4, np.float32(543.37)])
def test_bce_floor_correct(answer):
    assert verdict("05.bce_floor", answer)[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    (0, "zero would need"),
    (math.log(2), "one pixel"),
    (784, "bits"),
    (-543.4, "wrong sign"),
    (784 * math.log10(2), "log10"),
    (100.0, "not it"),
    ("543", "single number"),
    (lambda: 543.4, "single number"),
])
def test_bce_floor_wrong(answer, hint):
    status, message = verdict("05.bce_floor", answer)
    assert status == "wrong" and hint in message, message


def right_pca(flat, mean, components):
    return mean + (flat - mean) @ components.T @ components


def test_pca_reconstruct_correct_and_matches_sklearn():
    from sklearn.decomposition import PCA

    assert verdict("05.pca_reconstruct", right_pca)[0] == "correct"
    data = np.random.default_rng(0).uniform(size=(200, 784))
    pca = PCA(n_components=5).fit(data)
    by_hand = right_pca(data, pca.mean_, pca.components_)
    assert np.allclose(by_hand, pca.inverse_transform(pca.transform(data)))


@pytest.mark.parametrize("answer, hint", [
    (np.zeros(3), "function itself"),
    (lambda f, m, c: (f - m) @ c.T, "that is the code z"),
    (lambda f, m, c: f @ c.T @ c, "raw images"),
    (lambda f, m, c: (f - m) @ c.T @ c, "add the mean back"),
    (lambda f, m, c: m + f @ c.T @ c, "subtract the mean image"),
    (lambda f, m, c: f, "unchanged"),
    (lambda f, m, c: None, "return"),
    (lambda f, m, c: m + (f - m) @ c.T @ c * 2, "not the PCA reconstruction"),
    (lambda f, m, c: c.T @ c, "expected reconstructions of shape"),
])
def test_pca_reconstruct_wrong(answer, hint):
    status, message = verdict("05.pca_reconstruct", answer)
    assert status == "wrong" and hint in message, message
