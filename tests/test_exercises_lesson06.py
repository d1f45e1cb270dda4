"""Lesson 06: the exercise checks accept right answers and reject wrong ones with a hint."""

import math

import numpy as np
import pytest
import torch

from kit.exercises import verdict
from kit.models import kl_divergence, reparametrize


def test_not_answered_yet_never_raises():
    for key in ("06.kl_by_hand", "06.gaussian_kl", "06.reparametrize"):
        assert verdict(key, ...)[0] == "todo"


KL = 0.125 + 0.5 * (0.25 - math.log(0.25))


@pytest.mark.parametrize("answer", [KL, 0.943, np.float64(0.9431), torch.tensor(KL)])
def test_kl_by_hand_correct(answer):
    assert verdict("06.kl_by_hand", answer)[0] == "correct"


def test_kl_by_hand_agrees_with_the_kit():
    mu = torch.tensor([[0.5, -1.0]])
    logvar = torch.log(torch.tensor([[1.0, 0.25]]))
    assert verdict("06.kl_by_hand", kl_divergence(mu, logvar).item())[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    (-0.443, "never negative"),
    (0.125, "one latent dimension"),
    (0.5 * (0.25 - math.log(0.25)), "one latent dimension"),
    (2 * KL, "factor 1/2"),
    (0.125 + 0.5 * (0.5 - math.log(0.5)), "variance"),
    (0.125 + 0.5 * (0.25 - math.log(0.5)), "2 log(sigma)"),
    (0.125 + math.log(0.5) + 2 / 0.5 - 0.5, "other direction"),
    (3.0, "not it"),
    ("0.94", "single number"),
])
def test_kl_by_hand_wrong(answer, hint):
    status, message = verdict("06.kl_by_hand", answer)
    assert status == "wrong" and hint in message, message


def right_kl(mu, logvar):
    return 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)


@pytest.mark.parametrize("answer", [right_kl, kl_divergence,
                                    lambda m, lv: right_kl(m, lv).numpy(),
                                    lambda m, lv: -0.5 * torch.sum(1 + lv - m.pow(2) - lv.exp(), dim=1)])
def test_gaussian_kl_correct(answer):
    assert verdict("06.gaussian_kl", answer)[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    (1.0, "function itself"),
    (lambda m, lv: None, "return"),
    (lambda m, lv: right_kl(m, lv).sum(), "summed over the batch"),
    (lambda m, lv: right_kl(m, lv).mean(), "averaged over the batch"),
    (lambda m, lv: 0.5 * (m**2 + lv.exp() - 1 - lv), "one value per latent dimension"),
    (lambda m, lv: -right_kl(m, lv), "wrong sign"),
    (lambda m, lv: 2 * right_kl(m, lv), "factor 1/2"),
    (lambda m, lv: 0.5 * (m**2 + lv.exp() - 1 - lv).mean(dim=1), "averaged over the latent dimensions"),
    (lambda m, lv: 0.5 * (m**2 + lv**2 - 1 - torch.log(lv**2)).sum(1), "logvar is log(sigma^2)"),
    (lambda m, lv: 0.5 * (m**2 + lv - 1 - torch.log(lv)).sum(1), "logvar is log(sigma^2)"),
    (lambda m, lv: 0.5 * (m**2 + lv.exp() - 1).sum(1), "KL should be"),
    (lambda m, lv: right_kl(m, lv)[:3], "expected shape"),
])
def test_gaussian_kl_wrong(answer, hint):
    status, message = verdict("06.gaussian_kl", answer)
    assert status == "wrong" and hint in message, message


def right_reparametrize(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


@pytest.mark.parametrize("answer", [
    right_reparametrize,
    reparametrize,
    lambda mu, logvar: torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).rsample(),
])
def test_reparametrize_correct(answer):
    assert verdict("06.reparametrize", answer)[0] == "correct"


@pytest.mark.parametrize("answer, hint", [
    ("mu + sigma * eps", "function itself"),
    (lambda mu, logvar: None, "returned None"),
    (lambda mu, logvar: reparametrize(mu, logvar).detach().numpy(), "torch tensor"),
    (lambda mu, logvar: mu, "not random"),
    (lambda mu, logvar: mu[:, :1] + torch.randn_like(mu[:, :1]), "shape of mu"),
    (lambda mu, logvar: mu + torch.exp(logvar) * torch.randn_like(mu), "variance"),
    (lambda mu, logvar: mu + torch.randn_like(mu), "eps alone"),
    (lambda mu, logvar: torch.exp(0.5 * logvar) * torch.randn_like(mu), "average to mu"),
    (lambda mu, logvar: torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).sample(), "cut the graph"),
    (lambda mu, logvar: torch.normal(mu, torch.exp(0.5 * logvar)), "dz/dmu should be 1"),
    (lambda mu, logvar: mu + torch.exp(0.5 * logvar).detach() * torch.randn_like(mu), "dz/dlogvar"),
    (lambda mu, logvar: mu + logvar.exp().sqrt() * torch.randn_like(mu) * 1.5, "should spread"),
])
def test_reparametrize_wrong(answer, hint):
    status, message = verdict("06.reparametrize", answer)
    assert status == "wrong" and hint in message, message
