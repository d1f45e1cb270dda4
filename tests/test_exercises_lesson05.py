"""Lesson 05: the exercise checks accept right answers and reject wrong ones with a hint."""


import numpy as np
import pytest
import torch

from kit.exercises import verdict
from kit.exercises.lesson05 import _with_loss, reference_step
from kit.models.vae import reconstruction_bce


def test_not_answered_yet_never_raises():
    for key in ("05.bce_sum", "05.training_step", "05.pca_reconstruct"):
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


def by_hand_step(model, optimizer, images):
    logits = model(images)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, images, reduction="none")
    loss = loss.sum(dim=(1, 2)).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def test_training_step_passes_for_the_kit_and_the_worked_solution():
    assert verdict("05.training_step", reference_step)[0] == "correct"
    assert verdict("05.training_step", by_hand_step)[0] == "correct"


def _no_zero_grad(model, optimizer, images):
    loss = reconstruction_bce(model(images), images).mean()
    loss.backward()
    optimizer.step()
    return loss.item()


def _no_step(model, optimizer, images):
    loss = reconstruction_bce(model(images), images).mean()
    optimizer.zero_grad()
    loss.backward()
    return loss.item()


def _loss_after(model, optimizer, images):
    reference_step(model, optimizer, images)
    return reconstruction_bce(model(images), images).mean().item()


@pytest.mark.parametrize("answer, hint", [
    (lambda m, o, x: 1.0, "did not change"),                                   # a constant
    (lambda m, o, x: x, "did not change"),                                     # a copy of the input
    (lambda m, o, x: None, "returned None"),
    (_no_zero_grad, "zero_grad"),
    (_no_step, "did not change"),
    (_loss_after, "*before* the step"),
    (_with_loss(lambda logits, x: torch.nn.functional.binary_cross_entropy_with_logits(logits, x)),
     "default reduction"),
    (_with_loss(lambda logits, x: reconstruction_bce(logits, x).sum()), "summed over the batch"),
    (_with_loss(lambda logits, x: reconstruction_bce(torch.sigmoid(logits), x).mean()), "twice"),
    (_with_loss(lambda logits, x: (torch.sigmoid(logits) - x).square().flatten(1).sum(1).mean()), "squared"),
    (_with_loss(lambda logits, x: -reconstruction_bce(logits, x).mean()), "wrong sign"),
    (_with_loss(lambda logits, x: reconstruction_bce(logits, x).mean() * 2), "differ"),
])
def test_training_step_slips(answer, hint):
    status, message = verdict("05.training_step", answer)
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
