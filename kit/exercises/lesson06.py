"""Checks for the exercises of lesson 06 (variational autoencoders): the KL of two Gaussians, the trick.

``my_kl`` is compared with ``torch.distributions.kl_divergence`` on hidden
Gaussians (the VAE's KL to the prior, :func:`kit.models.kl_divergence`, is its
special case ``p = N(0, I)``); ``my_reparametrize`` is checked by its samples'
statistics and by the gradients that reach ``mu`` and ``logvar``. Typical
slips get a hint of their own; none prints the answer.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import as_function as _function
from . import exercise


def _to_numpy(value, what: str) -> np.ndarray:
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return` its result?")
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Exercise 1: the KL divergence between two diagonal Gaussians

def kit_kl_between(mu_q, logvar_q, mu_p, logvar_p) -> torch.Tensor:
    """``KL(N(mu_q, e^logvar_q) || N(mu_p, e^logvar_p))`` per example, summed over the dimensions."""
    q = torch.distributions.Normal(mu_q, torch.exp(0.5 * logvar_q))
    p = torch.distributions.Normal(mu_p, torch.exp(0.5 * logvar_p))
    return torch.distributions.kl_divergence(q, p).sum(dim=1)


def hidden_gaussians(seed: int = 6) -> tuple[torch.Tensor, ...]:
    """``mu_q, logvar_q, mu_p, logvar_p``, each ``(5, 3)``: five examples, three latent dimensions."""
    generator = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(5, 3, generator=generator) * scale for scale in (1.0, 0.8, 1.0, 0.8))


def _kl_slips(mu_q, logvar_q, mu_p, logvar_p) -> list[tuple[torch.Tensor, str]]:
    var_q, var_p = logvar_q.exp(), logvar_p.exp()
    to_prior = 0.5 * (mu_q.square() + var_q - 1 - logvar_q)
    right = 0.5 * (logvar_p - logvar_q + (var_q + (mu_q - mu_p).square()) / var_p - 1)
    return [
        (kit_kl_between(mu_p, logvar_p, mu_q, logvar_q),
         "that is KL(p || q), the other direction; the KL divergence is not symmetric."),
        (to_prior.sum(1), "that is the KL to the standard normal N(0, I) of the VAE's prior; here p is "
                          "another Gaussian, with its own mean and variance."),
        (right.mean(1), "you averaged over the dimensions; the KL of independent dimensions is their *sum*."),
        (-right.sum(1), "right size, wrong sign: a KL divergence is never negative."),
        (2 * right.sum(1), "twice the answer: mind the factor 1/2."),
        (0.5 * (logvar_p - logvar_q + (var_q + (mu_q - mu_p).square()) - 1).sum(1),
         "divide the spread of q and the squared distance of the means by p's *variance*: what is far or "
         "wide is measured in p's units."),
        (0.5 * (logvar_p - logvar_q + (var_q + (mu_q - mu_p).square()) / var_p.sqrt() - 1).sum(1),
         "divide by p's variance exp(logvar_p), not by its standard deviation."),
    ]


@exercise("06.kl_between_gaussians")
def kl_between_gaussians(answer) -> None:
    """``my_kl(mu_q, logvar_q, mu_p, logvar_p)`` -> ``KL(q || p)`` per example: ``(n,)``."""
    function = _function(answer, "my_kl")
    for seed in (6, 7):
        tensors = hidden_gaussians(seed)
        expected = kit_kl_between(*tensors).double().numpy()
        got = _to_numpy(function(*(t.clone() for t in tensors)), "my_kl(mu_q, logvar_q, mu_p, logvar_p)")
        if got.shape == ():
            if math.isclose(float(got), expected.sum(), rel_tol=1e-4):
                raise AssertionError("you summed over the examples too; return one KL per example, "
                                     "shape (n,).")
            if math.isclose(float(got), expected.mean(), rel_tol=1e-4):
                raise AssertionError("you averaged over the examples; return one KL per example, "
                                     "shape (n,).")
            raise AssertionError("expected one value per example, shape (5,) for 5 examples; got one "
                                 "number.")
        if got.shape == tuple(tensors[0].shape):
            raise AssertionError("you return one value per latent dimension; the KL of an example is their "
                                 "sum.")
        if got.shape != expected.shape:
            raise AssertionError(f"expected shape {expected.shape}, one KL per example; got {got.shape}.")
        if np.allclose(got, expected, rtol=1e-4, atol=1e-5):
            continue
        for slip, hint in _kl_slips(*tensors):
            if np.allclose(got, slip.double().numpy(), rtol=1e-4, atol=1e-5):
                raise AssertionError(hint)
        raise AssertionError("not the KL divergence of two diagonal Gaussians yet. Per dimension it has a "
                             "log term for the ratio of the two variances, and a term for q's variance and "
                             "the squared distance of the means, both measured against p's variance.")


@exercise("06.reparametrize")
def reparametrize(answer) -> None:
    """``my_reparametrize(mu, logvar)`` -> ``mu + exp(logvar / 2) * eps``, random, with gradients to both."""
    function = _function(answer, "my_reparametrize")
    n = 20_000
    mu = torch.tensor([1.5, -2.0]).repeat(n, 1).requires_grad_(True)
    logvar = torch.log(torch.tensor([0.25, 4.0])).repeat(n, 1).requires_grad_(True)
    torch.manual_seed(6)
    z = function(mu, logvar)
    if z is None:
        raise AssertionError("my_reparametrize(mu, logvar) returned None: does your function `return` z?")
    if not torch.is_tensor(z):
        raise AssertionError(f"return a torch tensor (so that gradients can flow), not {type(z).__name__}.")
    if tuple(z.shape) != tuple(mu.shape):
        raise AssertionError(f"z should have the shape of mu, {tuple(mu.shape)}; got {tuple(z.shape)}.")
    values = z.detach().double()
    mean, std = values.mean(0).numpy(), values.std(0).numpy()
    sigma = np.array([0.5, 2.0])
    if np.allclose(std, 0, atol=1e-6):
        raise AssertionError("z is not random: every call returns the same value. Add sigma * eps with "
                             "eps = torch.randn_like(mu).")
    if not np.allclose(mean, [1.5, -2.0], atol=0.08):
        raise AssertionError(f"the samples should average to mu = [1.5, -2.0]; yours average to "
                             f"{np.round(mean, 2).tolist()}.")
    if np.allclose(std, sigma**2, rtol=0.05):
        raise AssertionError("your spread is sigma^2 (the variance): the standard deviation is exp(logvar / "
                             "2), not exp(logvar).")
    if np.allclose(std, 1.0, rtol=0.05):
        raise AssertionError("the spread is that of eps alone: multiply eps by sigma = exp(logvar / 2).")
    if not np.allclose(std, sigma, rtol=0.05):
        raise AssertionError(f"the samples should spread with sigma = exp(logvar / 2) = {sigma.tolist()}; "
                             f"yours have standard deviations {np.round(std, 2).tolist()}.")
    if not z.requires_grad:
        raise AssertionError("z carries no gradient: sampling (e.g. Normal(...).sample()) cut the graph. "
                             "Build z = mu + sigma * eps from mu and logvar themselves.")
    z.sum().backward()
    if mu.grad is None:
        raise AssertionError("the gradient does not reach mu; build z from mu itself: z = mu + sigma * eps.")
    if logvar.grad is None:
        raise AssertionError("the gradient does not reach logvar (dz/dlogvar is missing): compute "
                             "sigma = torch.exp(0.5 * logvar) inside the graph, without .detach().")
    if not torch.allclose(mu.grad, torch.ones_like(mu), atol=1e-5):
        raise AssertionError("dz/dmu should be 1, yours is not: torch.normal(mu, sigma) and .sample() give "
                             "no useful "
                             "gradient. Write z = mu + sigma * eps with eps = torch.randn_like(mu).")
    expected = 0.5 * (values - mu.detach().double())
    if not np.allclose(logvar.grad.double().numpy(), expected.numpy(), atol=1e-4):
        raise AssertionError("dz/dlogvar should be sigma * eps / 2: use sigma = torch.exp(0.5 * logvar) "
                             "so the gradient flows through it.")
