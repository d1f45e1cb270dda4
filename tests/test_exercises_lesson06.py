"""Lesson 06: the exercise checks accept right answers and reject wrong ones with a hint."""

import pytest
import torch

from kit.exercises import verdict
from kit.exercises.lesson06 import kit_kl_between
from kit.models import kl_divergence, reparametrize


def test_not_answered_yet_never_raises():
    for key in ("06.kl_between_gaussians", "06.reparametrize"):
        assert verdict(key, ...)[0] == "todo"


def right_kl(mu_q, logvar_q, mu_p, logvar_p):
    ratio = (logvar_q.exp() + (mu_q - mu_p) ** 2) / logvar_p.exp()
    return 0.5 * (logvar_p - logvar_q + ratio - 1).sum(dim=1)


def test_kl_between_gaussians_passes_and_contains_the_vaes_kl():
    assert verdict("06.kl_between_gaussians", right_kl)[0] == "correct"
    assert verdict("06.kl_between_gaussians", kit_kl_between)[0] == "correct"
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    zeros = torch.zeros(4, 3)
    assert torch.allclose(right_kl(mu, logvar, zeros, zeros), kl_divergence(mu, logvar), atol=1e-5)


@pytest.mark.parametrize("answer, hint", [
    (lambda mq, lq, mp, lp: torch.tensor(1.0), "got one number"),                      # a constant
    (lambda mq, lq, mp, lp: mq, "one value per latent dimension"),                      # a copy of the input
    (lambda mq, lq, mp, lp: None, "returned None"),
    (lambda mq, lq, mp, lp: right_kl(mq, lq, mp, lp).sum(), "summed over the examples"),
    (lambda mq, lq, mp, lp: right_kl(mq, lq, mp, lp).mean(), "averaged over the examples"),
    (lambda mq, lq, mp, lp: right_kl(mp, lp, mq, lq), "other direction"),
    (lambda mq, lq, mp, lp: kl_divergence(mq, lq), "standard normal"),
    (lambda mq, lq, mp, lp: -right_kl(mq, lq, mp, lp), "wrong sign"),
    (lambda mq, lq, mp, lp: 2 * right_kl(mq, lq, mp, lp), "factor 1/2"),
    (lambda mq, lq, mp, lp: right_kl(mq, lq, mp, lp) / 3, "averaged over the dimensions"),
    (lambda mq, lq, mp, lp: 0.5 * (lp - lq + lq.exp() + (mq - mp) ** 2 - 1).sum(1), "*variance*"),
    (lambda mq, lq, mp, lp: 0.5 * (lp - lq + (lq.exp() + (mq - mp) ** 2) / (0.5 * lp).exp() - 1).sum(1),
     "standard deviation"),
    (lambda mq, lq, mp, lp: 0.5 * (lp - lq + (lq.exp() - (mq - mp) ** 2) / lp.exp() - 1).sum(1),
     "not the KL"),
])
def test_kl_between_gaussians_slips(answer, hint):
    status, message = verdict("06.kl_between_gaussians", answer)
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
