"""Checks for the exercises of lesson 05 (autoencoders)."""

from __future__ import annotations

import math

import numpy as np
import torch

from . import as_function as _function
from . import as_number as _number
from . import exercise


def _as_array(value, what: str) -> np.ndarray:
    if value is None:
        raise AssertionError(f"{what} returned None: does your function `return` its result?")
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _bce_cases() -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    generator = torch.Generator().manual_seed(5)
    images = torch.rand(4, 28, 28, generator=generator)
    images[images < 0.6] = 0.0  # mostly paper, like MNIST
    images[:, :3] = 1.0
    rebuilt = torch.rand(4, 28, 28, generator=generator) * 0.98 + 0.01
    expected = -(images * rebuilt.log() + (1 - images) * (1 - rebuilt).log()).flatten(1).sum(1)
    return rebuilt, images, expected.double().numpy()


@exercise("05.bce_sum")
def bce_sum(answer) -> None:
    """``my_bce(rebuilt, images)`` -> per-image BCE summed over pixels, shape ``(n,)``."""
    function = _function(answer, "my_bce")
    rebuilt, images, expected = _bce_cases()
    got = _as_array(function(rebuilt.clone(), images.clone()), "my_bce(rebuilt, images)")
    if got.shape == ():
        total = float(got)
        if math.isclose(total, expected.sum(), rel_tol=1e-3):
            raise AssertionError("you returned one number for the whole batch; return one value per "
                                 "image (sum over the pixels only, e.g. .flatten(1).sum(dim=1)).")
        if math.isclose(total, expected.mean(), rel_tol=1e-3):
            raise AssertionError("you averaged over the images; return one value per image, shape (n,).")
        if math.isclose(total, expected.mean() / 784, rel_tol=1e-3):
            raise AssertionError("that is the mean over every pixel of the batch (PyTorch's default "
                                 "reduction); the course sums over the 784 pixels of each image.")
        raise AssertionError(f"expected one value per image, shape (4,) for 4 images; got a single number "
                             f"{total:.2f}.")
    if got.shape != expected.shape:
        raise AssertionError(f"expected one value per image, shape {expected.shape}; got shape {got.shape}. "
                             "Sum over both pixel axes (e.g. .flatten(1).sum(dim=1)).")
    if np.allclose(got, expected, rtol=1e-4):
        return
    if np.allclose(got, -expected, rtol=1e-4):
        raise AssertionError("right size, wrong sign: the BCE is the *negative* log-likelihood, so it is "
                             "positive.")
    if np.allclose(got, expected / 784, rtol=1e-4):
        raise AssertionError("you averaged over the pixels; the course *sums* over the 784 pixels of each "
                             "image.")
    swapped = -(rebuilt * images.clamp(1e-12).log() + (1 - rebuilt) * (1 - images).clamp(1e-12).log())
    swapped = swapped.flatten(1).sum(1).double().numpy()
    if np.allclose(got, swapped, rtol=1e-3) or not np.all(np.isfinite(got)):
        raise AssertionError("the logarithms belong on the reconstruction: x log(x_hat) + (1 - x) "
                             "log(1 - x_hat), with the image x outside the logs (check the order of your "
                             "arguments too).")
    only_ink = -(images * rebuilt.log()).flatten(1).sum(1).double().numpy()
    if np.allclose(got, only_ink, rtol=1e-4):
        raise AssertionError("you only have the ink term x log(x_hat); add (1 - x) log(1 - x_hat) for the "
                             "paper.")
    raise AssertionError(f"for the test images the per-image BCE should be {np.round(expected, 1).tolist()}; "
                         f"yours gave {np.round(got, 1).tolist()}.")


@exercise("05.bce_floor")
def bce_floor(answer) -> None:
    """Smallest summed BCE for an all-0.5 image: 784 ln 2 = 543.4 nats."""
    value = _number(answer, "a loss in nats")
    expected = 784 * math.log(2)
    if math.isclose(value, expected, rel_tol=1e-3):
        return
    if math.isclose(value, 0.0, abs_tol=1e-6):
        raise AssertionError("zero would need every pixel to be certain ink or certain paper. For a grey "
                             "target x = 0.5, the best x_hat = 0.5 still costs something per pixel: how "
                             "much?")
    if math.isclose(value, math.log(2), rel_tol=1e-3):
        raise AssertionError("that is the cost of one pixel; the loss is summed over all 784 pixels.")
    if math.isclose(value, 784.0, rel_tol=1e-3):
        raise AssertionError("784 x 1 bit is right in bits; the course's losses use the natural logarithm "
                             "(nats).")
    if math.isclose(value, -expected, rel_tol=1e-3):
        raise AssertionError("right size, wrong sign: a cross-entropy is never negative.")
    if math.isclose(value, 784 * math.log10(2), rel_tol=1e-3):
        raise AssertionError("that uses log10; the course's losses use the natural logarithm (nats).")
    raise AssertionError(f"{value:.1f} is not it. The best reconstruction is x_hat = x = 0.5 for every "
                         f"pixel: "
                         "compute -[0.5 ln 0.5 + 0.5 ln 0.5] and sum over the pixels.")


def _pca_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    components = np.linalg.qr(rng.normal(size=(784, 6)))[0].T  # (6, 784), orthonormal rows
    mean = rng.uniform(0, 0.5, size=784)
    flat = rng.uniform(0, 1, size=(5, 784))
    return flat, mean, components


@exercise("05.pca_reconstruct")
def pca_reconstruct(answer) -> None:
    """``pca_reconstruct(flat, mean, components)`` -> ``mean + (flat - mean) @ C.T @ C``."""
    function = _function(answer, "pca_reconstruct")
    flat, mean, components = _pca_case()
    expected = mean + (flat - mean) @ components.T @ components
    got = _as_array(function(flat.copy(), mean.copy(), components.copy()), "pca_reconstruct(flat, mean, "
                                                                           "components)")
    if got.shape == (len(flat), len(components)):
        raise AssertionError("that is the code z, shape (n, d); decode it back: x_hat = mean + z @ "
                             "components.")
    if got.shape != expected.shape:
        raise AssertionError(f"expected reconstructions of shape {expected.shape} (n, 784); got {got.shape}.")
    if np.allclose(got, expected, atol=1e-6):
        return
    if np.allclose(got, flat @ components.T @ components, atol=1e-6):
        raise AssertionError("you projected the raw images; subtract the mean image first and add it back "
                             "at the end.")
    if np.allclose(got, (flat - mean) @ components.T @ components, atol=1e-6):
        raise AssertionError("almost: the projection describes how an image differs from the mean; add the "
                             "mean back.")
    if np.allclose(got, mean + flat @ components.T @ components, atol=1e-6):
        raise AssertionError("subtract the mean image before projecting: z = (flat - mean) @ components.T.")
    if np.allclose(got, flat, atol=1e-6):
        raise AssertionError("you returned the images unchanged; project them onto the d components and "
                             "back.")
    raise AssertionError("not the PCA reconstruction: z = (flat - mean) @ components.T, then x_hat = mean + "
                         "z @ components.")
