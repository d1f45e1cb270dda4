"""Checks for the exercises of lesson 05 (autoencoders): the summed BCE, a training step, PCA by hand.

Each check runs the learner's function on inputs the learner never sees and
compares it with the kit: ``my_bce`` with the summed binary cross-entropy of
:func:`~kit.models.vae.reconstruction_bce`, ``train_step`` with
:func:`reference_step` (the step the :class:`~kit.train.Trainer` takes for an
autoencoder) on a small hidden network, ``pca_reconstruct`` with the PCA
equations. Typical slips get a hint of their own; none prints the answer.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..models.vae import reconstruction_bce
from . import as_function as _function
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


# ---------------------------------------------------------------------------------------------
# Exercise 2: one training step of an autoencoder

class TinyAE(nn.Module):
    """A small hidden autoencoder like the lesson's: ``(n, 28, 28)`` images -> pixel logits of that shape."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 784),
                                     nn.Unflatten(1, (28, 28)))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(images))


STEP_LR, STEP_CALLS = 1e-3, 3


def step_batches(seed: int = 5) -> list[torch.Tensor]:
    """Three hidden batches of MNIST-like images in [0, 1] (mostly paper, some ink)."""
    generator = torch.Generator().manual_seed(seed)
    batches = []
    for size in (8, 8, 5):
        images = torch.rand(size, 28, 28, generator=generator)
        batches.append(torch.where(images < 0.7, 0.0, images))
    return batches


def reference_step(model, optimizer, images) -> float:
    """The step the kit's Trainer takes for an autoencoder (``Autoencoder.loss``): the BCE summed over the
    pixels, averaged over the images; then ``zero_grad``, ``backward``, ``step``. Returns the loss before
    the step."""
    loss = reconstruction_bce(model(images), images).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def _with_loss(loss_of):
    def step(model, optimizer, images):
        loss = loss_of(model(images), images)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


STEP_SLIPS = (
    (_with_loss(lambda logits, x: F.binary_cross_entropy_with_logits(logits, x)),
     "that is the mean over every pixel (PyTorch's default reduction); the course sums over the 784 pixels "
     "of each image and averages over the images."),
    (_with_loss(lambda logits, x: reconstruction_bce(logits, x).sum()),
     "you summed over the batch as well; average the per-image losses over the images."),
    (_with_loss(lambda logits, x: reconstruction_bce(torch.sigmoid(logits), x).mean()),
     "the model returns logits; binary_cross_entropy_with_logits applies the sigmoid itself, so do not apply "
     "it twice."),
    (_with_loss(lambda logits, x: (torch.sigmoid(logits) - x).square().flatten(1).sum(1).mean()),
     "a squared error; the course's reconstruction loss is the binary cross-entropy of section 3."),
    (_with_loss(lambda logits, x: -reconstruction_bce(logits, x).mean()),
     "wrong sign: the step should make the loss smaller."),
)


def _fresh_model() -> TinyAE:
    torch.manual_seed(5)
    return TinyAE()


def _weights(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()


def _run_steps(step) -> tuple[list[torch.Tensor], list]:
    """Weights after each step of ``step`` on a fresh hidden model, and what each call returned."""
    model = _fresh_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=STEP_LR)
    weights, returned = [], []
    for images in step_batches()[:STEP_CALLS]:
        returned.append(step(model, optimizer, images.clone()))
        weights.append(_weights(model))
    return weights, returned


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return bool(torch.allclose(a, b, rtol=1e-4, atol=1e-6))


@exercise("05.training_step")
def training_step(answer) -> None:
    """``train_step(model, optimizer, images)``: one step on the summed-BCE loss; returns the loss."""
    function = _function(answer, "train_step")
    expected_weights, expected_losses = _run_steps(reference_step)
    start = _weights(_fresh_model())
    weights, returned = _run_steps(function)
    if returned[0] is None:
        raise AssertionError("train_step returned None: return the loss (loss.item()) so that a loop can "
                             "print it.")
    if _same(weights[0], start):
        raise AssertionError("the weights did not change: after loss.backward() the optimizer has to take "
                             "its step (optimizer.step()).")
    if _same(weights[0], expected_weights[0]) and not _same(weights[-1], expected_weights[-1]):
        raise AssertionError("the first step is right, the later ones are not: PyTorch *adds* new gradients "
                             "to the old ones in .grad. Call optimizer.zero_grad() before every backward().")
    if all(_same(w, e) for w, e in zip(weights, expected_weights, strict=True)):
        losses = [_as_array(value, "train_step(...)") for value in returned]
        if any(loss.shape != () for loss in losses) or not np.allclose(losses, expected_losses, rtol=1e-4):
            raise AssertionError("the weights are right, but return the loss of this batch *before* the "
                                 "step, as a number (loss.item()).")
        return
    for slip, hint in STEP_SLIPS:
        if _same(weights[0], _run_steps(slip)[0][0]):
            raise AssertionError(hint)
    raise AssertionError("the weights after your step differ from one step on the loss of section 3: the "
                         "BCE of the logits, summed over the pixels and averaged over the images; then "
                         "zero_grad, backward, step.")


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
