"""Lesson 17's exercise checks: the image-to-audio VAE's loss, its forward pass, and the archetypal voice.

The first check compares the learner's Gaussian reconstruction term with
:func:`kit.models.iavae.gaussian_reconstruction` on hidden spectrograms and
two spreads; the second runs the learner's negative ELBO on a seeded
:class:`~kit.models.IAVAE` (its output scale fitted to hidden decibels),
hidden images, spectrograms and noise ``eps``, and compares it with the kit's
pieces; the third compares the learner's per-digit mean spectrograms with
:func:`kit.voicing.archetypes` on hidden spectrograms with uneven digit counts
in a shuffled order. Typical slips (a mean over the bins instead of a sum, a
missing 1/2, the spread not squared, the batch averaged too early; targets
left in decibels, ``eps`` ignored, the log-variance used as a standard
deviation, the KL weight forgotten; one mean over all clips, the first clip
of each digit, a median) get a hint of their own; none prints the answer.
"""

from __future__ import annotations

import numpy as np
import torch

from ..models.iavae import IAVAE, SPECTROGRAM, gaussian_reconstruction, spoken_elbo
from ..voicing import archetypes
from . import as_function as _function
from . import exercise, own_work

NOISES = (0.1, 0.25)  # the spreads the reconstruction check tries


def _tensor(result, name: str) -> torch.Tensor:
    if result is None:
        raise AssertionError(f"{name} returned None: does your function `return` its result?")
    if isinstance(result, dict):
        if "loss" not in result:
            raise AssertionError(f"{name} returned a dict without a 'loss'; return the loss itself.")
        result = result["loss"]
    try:
        return torch.as_tensor(result, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError):
        raise AssertionError(f"{name} should return a tensor, not {type(result).__name__}.") from None


def _close(a: torch.Tensor, b: torch.Tensor, tolerance: float = 1e-4) -> bool:
    b = torch.as_tensor(b, dtype=torch.float64)
    return a.shape == b.shape and bool(torch.isfinite(a).all()) and torch.allclose(a, b, rtol=tolerance,
                                                                                 atol=tolerance)


# ---------------------------------------------------------------------------------------------
# Exercise 1: the reconstruction term

def hidden_spectrograms(seed: int = 17, n: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """``(decoded, targets)``: two batches of scaled spectrograms ``(n, 128, 56)`` in [0, 1]."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, *SPECTROGRAM, generator=generator), torch.rand(n, *SPECTROGRAM, generator=generator)


@exercise("17.reconstruction")
def reconstruction_check(answer) -> None:
    """``my_reconstruction(decoded, targets, noise)``: the Gaussian term per spectrogram, ``(n,)``."""
    function = _function(answer, "my_reconstruction")
    own_work(function, {"gaussian_reconstruction", "spoken_elbo", "mse_loss"}, "the reconstruction term")
    decoded, targets = hidden_spectrograms()
    for noise in NOISES:
        result = _tensor(function(decoded.clone(), targets.clone(), noise), "my_reconstruction")
        expected = gaussian_reconstruction(decoded, targets, noise).double()
        if result.numel() == 1 and _close(result.reshape(()), expected.mean()):
            raise AssertionError("you returned one number for the whole batch; return one per spectrogram "
                                 f"(shape ({len(decoded)},)): the loss averages them later.")
        if result.shape != expected.shape:
            raise AssertionError(f"expected one value per spectrogram, shape ({len(decoded)},); "
                                 f"yours has shape {tuple(result.shape)}.")
        if _close(result, expected):
            continue
        ratio = float((result / expected).mean())
        bins = SPECTROGRAM[0] * SPECTROGRAM[1]
        if abs(ratio * bins - 1) < 1e-3:
            raise AssertionError("your values are far too small: the log-likelihood adds up over the "
                                 "bins of a spectrogram, it does not average them.")
        if abs(ratio - 2) < 1e-3:
            raise AssertionError("your values are twice too large: look at the Gaussian's exponent again.")
        if abs(ratio - noise) < 1e-3 or abs(ratio - 1 / noise) < 1e-3:
            raise AssertionError("the spread enters squared: it divides the *difference*, before squaring.")
        raise AssertionError(f"with noise={noise} your values differ from the kit's (by a factor of "
                             f"{ratio:.3g} on average): compare with the equation above the exercise.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the forward pass and the negative ELBO

def hidden_model(seed: int = 1717) -> IAVAE:
    """A seeded IAVAE in evaluation mode, its scale fitted to hidden decibels, its weights set so that
    every term matters: a wide spread (the KL counts), a posterior mean far from 0, a decoder that
    follows z closely (``eps`` counts)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = IAVAE(latent_dim=8, noise=2.0, kl_weight=0.7)
        model.fit_output_scaling(torch.empty(50, *SPECTROGRAM).uniform_(-100.0, 30.0))
        with torch.no_grad():
            model.to_mu.bias.normal_(0.0, 2.0)
            model.to_logvar.bias.fill_(-1.0)
            model.decoder[0].weight.mul_(4.0)
            model.decoder[2].weight.mul_(3.0)
    return model.eval()


def hidden_batch(seed: int = 71, n: int = 5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(spectrograms in dB, images, eps)`` for the hidden model."""
    generator = torch.Generator().manual_seed(seed)
    spectrograms = torch.rand(n, *SPECTROGRAM, generator=generator) * 120 - 100
    images = torch.rand(n, 28, 28, generator=generator)
    return spectrograms, images, torch.randn(n, 8, generator=generator)


@torch.no_grad()
def kit_negative_elbo(model: IAVAE, spectrograms, images, eps, normalise: bool = True,
                      sample: bool = True, std_from_logvar: bool = True, kl_weight: float | None = None):
    """The kit's negative ELBO for ``eps``; the keywords make the typical slips, for the hints."""
    targets = model.scale.normalise(spectrograms) if normalise else spectrograms
    mu, logvar = model.encode(images)
    spread = torch.exp(0.5 * logvar) if std_from_logvar else logvar
    decoded = model.decode(mu + spread * eps if sample else mu)
    weight = model.kl_weight if kl_weight is None else kl_weight
    return spoken_elbo(decoded, targets, mu, logvar, model.noise, weight)["loss"].double()


@exercise("17.negative_elbo")
def negative_elbo_check(answer) -> None:
    """``my_negative_elbo(model, spectrograms, images, eps)``: the IAVAE's loss for a given ``eps``."""
    function = _function(answer, "my_negative_elbo")
    own_work(function, {"loss", "spoken_elbo", "gaussian_reconstruction", "elbo", "kit_negative_elbo"},
             "the forward pass and its loss")
    model = hidden_model()
    for seed in (71, 72):
        spectrograms, images, eps = hidden_batch(seed)
        with torch.no_grad():
            result = _tensor(function(model, spectrograms.clone(), images.clone(), eps.clone()),
                             "my_negative_elbo")
        expected = kit_negative_elbo(model, spectrograms, images, eps)
        if result.numel() != 1:
            raise AssertionError("return one number: the negative ELBO averaged over the batch "
                                 f"(yours has shape {tuple(result.shape)}).")
        result = result.reshape(())
        if _close(result, expected, 1e-3):
            continue
        slips = (
            ({"normalise": False}, "the targets are in decibels; the decoder speaks in the model's [0, 1] "
                                   "range: scale them first (the model's `scale`)."),
            ({"sample": False}, "your loss does not change with eps: the decoder should get a *sample* "
                                "z = mu + sigma * eps, not the mean."),
            ({"std_from_logvar": False}, "the encoder gives the log-*variance*: sigma is exp(logvar / 2)."),
            ({"kl_weight": 1.0}, "the KL term has a weight, the model's `kl_weight`."),
            ({"kl_weight": 0.0}, "the KL term is missing (weighted by the model's `kl_weight`)."),
        )
        for slip, hint in slips:
            if _close(result, kit_negative_elbo(model, spectrograms, images, eps, **slip), 1e-3):
                raise AssertionError(hint)
        raise AssertionError(f"your loss is {float(result):.6g} on a hidden batch, not what the kit's "
                             "pieces give: check each step against the cell above the exercise.")


# ---------------------------------------------------------------------------------------------
# Exercise 3: the archetypal voice

HIDDEN_COUNTS = (3, 7, 2, 5, 4, 6, 1, 3, 8, 2)  # clips per digit, uneven


def hidden_clips(seed: int = 170) -> tuple[np.ndarray, np.ndarray]:
    """``(spectrograms (n, 12, 9) in dB, digits)`` in a shuffled order, every digit present."""
    rng = np.random.default_rng(seed)
    digits = rng.permutation(np.repeat(np.arange(10), HIDDEN_COUNTS))
    spectrograms = rng.normal(-40, 20, (len(digits), 12, 9)) + 5 * digits[:, None, None]
    return spectrograms.astype(np.float32), digits


@exercise("17.archetypes")
def archetypes_check(answer) -> None:
    """``my_archetypes(spectrograms, digits)``: the mean spectrogram of each digit, ``(10, f, t)``."""
    function = _function(answer, "my_archetypes")
    own_work(function, {"archetypes"}, "the archetypes")
    spectrograms, digits = hidden_clips()
    result = function(spectrograms.copy(), digits.copy())
    if result is None:
        raise AssertionError("my_archetypes returned None: does your function `return` its result?")
    result = np.asarray(result, dtype=np.float64)
    expected = archetypes(spectrograms, digits)
    if result.shape != expected.shape:
        raise AssertionError(f"expected one spectrogram per digit, shape (10, f, t) = {expected.shape}; "
                             f"yours has shape {result.shape}.")
    if np.allclose(result, expected, atol=1e-4):
        return
    if np.allclose(result, spectrograms.mean(axis=0), atol=1e-4):
        raise AssertionError("every digit got the same spectrogram: average the clips *of each digit* only.")
    if np.allclose(result, np.stack([np.median(spectrograms[digits == d], axis=0) for d in range(10)]),
                   atol=1e-4):
        raise AssertionError("the squared error is smallest at the mean, not the median.")
    if np.allclose(result, np.stack([spectrograms[digits == d][0] for d in range(10)]), atol=1e-4):
        raise AssertionError("that is one clip per digit; the archetype is what all of them have in "
                             "common, on average.")
    raise AssertionError("your archetypes differ from the per-digit means: row d should be the mean of "
                         "the spectrograms whose digit is d.")
