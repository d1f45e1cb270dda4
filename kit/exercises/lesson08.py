"""Checks for the exercises of lesson 08 (training it well): KL warm-up, active dimensions, noise at an SNR.

Every check runs the learner's function on inputs the learner never sees and
compares it with the kit: the warm-up with
:meth:`~kit.models.vae.VariationalAutoencoder.current_kl_weight`, the active
dimensions with :func:`kit.experiments.kl_per_dimension`'s sum and
:data:`~kit.experiments.ACTIVE_NATS`, the noise mix with the power ratio that
:func:`kit.augment.add_noise` sets. Typical slips (an off-by-one step, no
cap, the KL weight left out, KL summed over clips, the mean instead of the
KL, amplitudes treated as powers, the noise's own power ignored) get a hint of
their own; none prints the answer.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import torch

from ..models.vae import VariationalAutoencoder
from . import as_function as _function
from . import as_number as _number
from . import exercise

# ---------------------------------------------------------------------------------------------
# Exercise 1: the KL warm-up schedule

WARMUP_CASES = ((1, 400, 1.0), (201, 400, 1.0), (401, 400, 1.0), (900, 400, 1.0), (51, 100, 0.5),
                (26, 200, 2.0), (7, 0, 1.0), (3, 0, 0.5))


def kit_kl_weight(step: int, warmup_steps: int, beta: float) -> float:
    """The weight the kit's VAEs give the KL term at optimisation ``step`` (1 = the first)."""
    model = SimpleNamespace(kl_weight=beta, kl_warmup_steps=warmup_steps)
    return VariationalAutoencoder.current_kl_weight(model, step)


@exercise("08.kl_warmup")
def kl_warmup_check(answer) -> None:
    """``kl_weight(step, warmup_steps, beta)``: ``beta * min(1, (step - 1) / warmup_steps)``; beta if 0."""
    function = _function(answer, "kl_weight")
    for step, warmup, beta in WARMUP_CASES:
        try:
            got = function(step, warmup, beta)
        except ZeroDivisionError:
            raise AssertionError("kl_weight(step, 0, beta) divided by zero: warmup_steps = 0 means no "
                                 "warm-up at all, the full weight from the first step.") from None
        if got is None:
            raise AssertionError("kl_weight returned None: does your function `return` its result?")
        got = _number(got, "a KL weight")
        expected = kit_kl_weight(step, warmup, beta)
        if math.isclose(got, expected, abs_tol=1e-9):
            continue
        where = f"kl_weight({step}, {warmup}, {beta}) gave {got:g}."
        if warmup and math.isclose(got, beta * min(1.0, step / warmup), abs_tol=1e-9):
            raise AssertionError(f"{where} Steps count from 1, and the first step should have weight 0: the "
                                 "weight grows with the steps taken *before* this one.")
        if warmup and got > beta + 1e-9:
            raise AssertionError(f"{where} After the warm-up the weight stays at beta; it never grows "
                                 "beyond.")
        if beta != 1.0 and math.isclose(got, expected / beta, abs_tol=1e-9):
            raise AssertionError(f"{where} The warm-up rises to beta, the KL weight, not to 1.")
        raise AssertionError(f"{where} The weight should rise in a straight line from 0 at step 1 to beta "
                             "after warmup_steps steps, then stay there.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: how many latent dimensions are in use

def hidden_posterior(seed: int, clips: int = 40, active: int = 5, latent: int = 16):
    """``(mu, logvar)`` of ``clips`` clips: ``active`` informative dimensions, the rest near the prior."""
    generator = torch.Generator().manual_seed(seed)
    mu = 0.02 * torch.randn(clips, latent, generator=generator)
    logvar = 0.01 * torch.randn(clips, latent, generator=generator)
    chosen = torch.randperm(latent, generator=generator)[:active]
    mu[:, chosen] = 1.5 * torch.randn(clips, active, generator=generator)
    logvar[:, chosen] = -2.0 + 0.3 * torch.randn(clips, active, generator=generator)
    faint = torch.randperm(latent, generator=generator)[:3]  # dimensions just above or below a threshold
    faint = faint[~torch.isin(faint, chosen)]
    mu[:, faint] = 0.18 * torch.randn(clips, len(faint), generator=generator)
    return mu, logvar


def kit_active_dimensions(mu: torch.Tensor, logvar: torch.Tensor, threshold: float) -> int:
    """The kit's count (``kl_per_dimension > threshold``), on given posteriors."""
    per_dimension = 0.5 * (mu.square() + logvar.exp() - 1 - logvar).mean(dim=0)
    return int((per_dimension > threshold).sum())


ACTIVE_CASES = ((11, 5, 0.01), (12, 2, 0.01), (13, 9, 0.05), (11, 5, 0.002))


@exercise("08.active_dimensions")
def active_dimensions_check(answer) -> None:
    """``active_dimensions(mu, logvar, threshold)``: dimensions whose KL, averaged over clips, exceeds it."""
    function = _function(answer, "active_dimensions")
    for seed, active, threshold in ACTIVE_CASES:
        mu, logvar = hidden_posterior(seed, active=active)
        got = function(mu.clone(), logvar.clone(), threshold)
        if got is None:
            raise AssertionError("active_dimensions returned None: does your function `return` its result?")
        if torch.is_tensor(got) and got.numel() > 1 or isinstance(got, np.ndarray) and got.size > 1:
            raise AssertionError("return one whole number, the count of dimensions in use, not a value per "
                                 "dimension or per clip.")
        got = _number(got.item() if hasattr(got, "item") else got, "a count of latent dimensions")
        expected = kit_active_dimensions(mu, logvar, threshold)
        if got == expected:
            continue
        kl = 0.5 * (mu.square() + logvar.exp() - 1 - logvar)
        if got == int((kl.sum(dim=0) > threshold).sum()):
            raise AssertionError("you summed the KL over the clips; average it over them, so the count does "
                                 "not depend on how many clips you have.")
        by_mean = {int((mu.abs().mean(dim=0) > threshold).sum()),
                   int((mu.mean(dim=0).abs() > threshold).sum())}
        if got in by_mean:
            raise AssertionError("a dimension is in use when its *KL* from the prior is large, not its mean: "
                                 "the KL counts the spread sigma^2 too.")
        if got == int((kl > threshold).any(dim=0).sum()):
            raise AssertionError("a dimension that is large for one clip is not yet in use; average its KL "
                                 "over all the clips first.")
        raise AssertionError(f"for {mu.shape[0]} hidden clips and threshold {threshold} you counted {got:g} "
                             "dimensions. Per dimension: KL = 0.5 (mu^2 + sigma^2 - 1 - log sigma^2), "
                             "averaged over the clips, then count those above the threshold.")


# ---------------------------------------------------------------------------------------------
# Exercise 3: background noise at a chosen signal-to-noise ratio

SNR_CASES = (10.0, 0.0, -5.0, 23.5)


def hidden_signals(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A vowel-like ``speech`` and a ``noise`` whose power is far from 1 (so it must be measured)."""
    rng = np.random.default_rng(seed)
    t = np.arange(4000) / 8000
    harmonics = (rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * k * 140 * t + rng.uniform(0, 6))
                 for k in range(1, 8))
    speech = sum(harmonics)
    noise = rng.uniform(0.2, 3.0) * rng.standard_normal(len(t))
    return speech.astype(np.float32), noise.astype(np.float32)


def _power(x: np.ndarray) -> float:
    return float(np.mean(np.asarray(x, dtype=np.float64) ** 2))


@exercise("08.noise_at_snr")
def noise_at_snr_check(answer) -> None:
    """``mix_at_snr(speech, noise, snr_db)``: ``speech + g noise``, power ratio ``10^(snr_db / 10)``."""
    function = _function(answer, "mix_at_snr")
    for case, snr in enumerate(SNR_CASES):
        speech, noise = hidden_signals(case)
        got = function(speech.copy(), noise.copy(), snr)
        if got is None:
            raise AssertionError("mix_at_snr returned None: does your function `return` its result?")
        got = np.asarray(got, dtype=np.float64)
        if got.shape != speech.shape:
            raise AssertionError(f"the mix should have the shape of the speech, {speech.shape}; got "
                                 f"{got.shape}.")
        added = got - speech
        if _power(added) < 1e-12:
            raise AssertionError("nothing was added: the result is the speech itself.")
        if _power(got - float(np.dot(got, noise) / np.dot(noise, noise)) * noise) < 1e-6 * _power(speech):
            raise AssertionError("the result holds no speech: return the speech plus the scaled noise.")
        gain = float(np.dot(added, noise) / np.dot(noise, noise))
        if np.abs(added - gain * noise).max() > 1e-3 * (np.abs(added).max() + 1e-12):
            raise AssertionError("the result should be the speech plus the noise times one number (a gain); "
                                 "yours changes the noise's shape or the speech.")
        if gain < 0:
            raise AssertionError("the gain came out negative; it scales the noise's amplitude, a positive "
                                 "number.")
        measured = 10 * math.log10(_power(speech) / _power(added))
        if abs(measured - snr) <= 0.05:
            continue
        where = f"asked for {snr:g} dB, your mix has an SNR of {measured:.2f} dB."
        if abs(measured - 2 * snr) <= 0.05 or abs(measured - snr / 2) <= 0.05:
            raise AssertionError(f"{where} Decibels of a *power* ratio are 10 log10; a gain on the amplitude "
                                 "changes the power by its square.")
        if abs(measured + snr) <= 0.05:
            raise AssertionError(f"{where} Wrong direction: a higher SNR means *less* noise.")
        if abs(measured - (snr - 10 * math.log10(_power(noise)))) <= 0.05 or \
                abs(measured - (snr + 10 * math.log10(_power(speech)))) <= 0.05:
            raise AssertionError(f"{where} Measure both powers (the mean of the squares): neither the speech "
                                 "nor the noise has power 1.")
        raise AssertionError(f"{where} Choose the gain so that power(speech) / power(gain * noise) = "
                             "10^(snr_db / 10).")
