"""Checks for the exercises of lesson 06 (variational autoencoders)."""

from __future__ import annotations

import math

import numpy as np
import torch

from . import as_function as _function
from . import as_number as _number
from . import exercise


def _kl_terms(mu, variance) -> np.ndarray:
    """Per-dimension ``KL(N(mu, variance) || N(0, 1))``."""
    mu, variance = np.asarray(mu, dtype=float), np.asarray(variance, dtype=float)
    return 0.5 * (mu**2 + variance - 1 - np.log(variance))


KL_MU, KL_SIGMA = (0.5, -1.0), (1.0, 0.5)  # exercise 1: q = N(mu, diag(sigma^2))


@exercise("06.kl_by_hand")
def kl_by_hand(answer) -> None:
    """KL(N((0.5, -1), diag(1, 0.25)) || N(0, I)) = 0.125 + 0.818 = 0.943 nats."""
    value = _number(answer, "a KL divergence in nats")
    mu, sigma = np.array(KL_MU), np.array(KL_SIGMA)
    terms = _kl_terms(mu, sigma**2)
    expected = float(terms.sum())
    if math.isclose(value, expected, abs_tol=2e-3):
        return
    if value < 0:
        raise AssertionError("a KL divergence is never negative; check the sign of the log term: "
                             "-log(sigma^2) = +1.386 for sigma = 0.5.")
    if any(math.isclose(value, t, abs_tol=2e-3) for t in terms):
        raise AssertionError("that is one latent dimension; the KL of a diagonal Gaussian is the *sum* over "
                             "dimensions.")
    if math.isclose(value, 2 * expected, abs_tol=4e-3):
        raise AssertionError("twice the answer: did you forget the factor 1/2?")
    if math.isclose(value, float(_kl_terms(mu, sigma).sum()), abs_tol=2e-3):
        raise AssertionError("you used sigma where the formula has the variance sigma^2 (sigma = 0.5 means "
                             "sigma^2 = 0.25).")
    wrong_log = float((0.5 * (mu**2 + sigma**2 - 1 - np.log(sigma))).sum())
    if math.isclose(value, wrong_log, abs_tol=2e-3):
        raise AssertionError("the log term is log(sigma^2) = 2 log(sigma), not log(sigma).")
    reverse = float((np.log(sigma) + (1 + mu**2) / (2 * sigma**2) - 0.5).sum())
    if math.isclose(value, reverse, abs_tol=2e-3):
        raise AssertionError("that is KL(N(0, I) || q), the other direction. The VAE uses KL(q || N(0, I)): "
                             "1/2 sum(mu^2 + sigma^2 - 1 - log sigma^2).")
    raise AssertionError(f"{value:.4f} is not it. Per dimension: 1/2 (mu^2 + sigma^2 - 1 - log sigma^2); "
                         "add the two dimensions.")


def _to_numpy(value, what: str) -> np.ndarray:
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return` its result?")
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


@exercise("06.gaussian_kl")
def gaussian_kl(answer) -> None:
    """``my_kl(mu, logvar)`` -> per-example ``1/2 sum(mu^2 + exp(logvar) - 1 - logvar)``, shape ``(n,)``."""
    function = _function(answer, "my_kl")
    generator = torch.Generator().manual_seed(6)
    mu = torch.randn(5, 3, generator=generator)
    logvar = torch.randn(5, 3, generator=generator)
    per_dimension = 0.5 * (mu.square() + logvar.exp() - 1 - logvar)
    expected = per_dimension.sum(1).double().numpy()
    got = _to_numpy(function(mu.clone(), logvar.clone()), "my_kl(mu, logvar)")
    if got.shape == ():
        if math.isclose(float(got), expected.sum(), rel_tol=1e-4):
            raise AssertionError("you summed over the batch too; return one KL per example, shape (n,): sum "
                                 "over dim=1 only.")
        if math.isclose(float(got), expected.mean(), rel_tol=1e-4):
            raise AssertionError("you averaged over the batch; return one KL per example, shape (n,) (the "
                                 "loss averages later).")
        raise AssertionError("expected one value per example, shape (5,) for 5 examples; got a single "
                             "number.")
    if got.shape == tuple(per_dimension.shape):
        raise AssertionError("you return one value per latent dimension; sum them: .sum(dim=1) gives shape "
                             "(n,).")
    if got.shape != expected.shape:
        raise AssertionError(f"expected shape {expected.shape} (one KL per example); got {got.shape}.")
    if np.allclose(got, expected, rtol=1e-4, atol=1e-5):
        return
    if np.allclose(got, -expected, rtol=1e-4, atol=1e-5):
        raise AssertionError("right size, wrong sign: KL(q || p) is never negative.")
    if np.allclose(got, 2 * expected, rtol=1e-4, atol=1e-5):
        raise AssertionError("twice the answer: the formula has a factor 1/2 in front.")
    if np.allclose(got, per_dimension.mean(1).double().numpy(), rtol=1e-4, atol=1e-5):
        raise AssertionError("you averaged over the latent dimensions; the KL of independent dimensions is "
                             "their *sum*.")
    as_sigma = 0.5 * (mu.square() + logvar.square() - 1 - (logvar.square() + 1e-12).log())
    as_variance = 0.5 * (mu.square() + logvar - 1 - logvar.abs().clamp_min(1e-12).log())
    as_sigma, as_variance = (t.sum(1).double().numpy() for t in (as_sigma, as_variance))
    if (np.allclose(got, as_sigma, rtol=1e-3) or np.allclose(got, as_variance, rtol=1e-3)
            or not np.all(np.isfinite(got))):
        raise AssertionError("logvar is log(sigma^2), which may be negative: the variance is exp(logvar), "
                             "and the log term is logvar itself.")
    raise AssertionError(f"for the test values the KL should be {np.round(expected, 3).tolist()}; "
                         f"yours gave {np.round(got, 3).tolist()}.")


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
