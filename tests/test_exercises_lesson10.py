"""Lesson 10's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kit.exercises import verdict
from kit.models import FastAIVAEGAN
from kit.models.adversarial import generator_loss
from kit.models.vae import kl_divergence, reconstruction_bce, reparametrize

KEYS = ("10.generator_loss", "10.pick_alpha", "10.kl_weight")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 42, [1, 2]):
        status, message = verdict(key, nonsense)
        assert status == "wrong" and "no brackets" in message


# ---------------------------------------------------------------------------------------------
# Exercise 1: the generator's loss


def bce_sum(logits, images):
    return F.binary_cross_entropy_with_logits(logits, images, reduction="none").flatten(1).sum(1)


def kl_sum(mu, logvar):
    return (0.5 * (mu**2 + logvar.exp() - 1 - logvar)).sum(1)


def my_generator_loss(logits, images, mu, logvar, fake_logits, alpha, beta):
    """The lesson's solution, from torch alone."""
    adversarial = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    return adversarial + alpha * bce_sum(logits, images).mean() + beta * kl_sum(mu, logvar).mean()


def from_the_kit(logits, images, mu, logvar, fake_logits, alpha, beta):
    """The same from the kit's pieces, returned as a dict with a 'loss' (accepted too)."""
    reconstruction = reconstruction_bce(logits, images).mean()
    kl = kl_divergence(mu, logvar).mean()
    return {"loss": generator_loss(fake_logits) + alpha * reconstruction + beta * kl}


def test_the_solution_agrees_with_generator_terms_on_a_real_forward_pass():
    torch.manual_seed(0)
    model = FastAIVAEGAN(alpha=0.5)
    audio, images = torch.rand(6, 48, 48), torch.rand(6, 28, 28)
    mu, logvar = model.encode(audio)
    logits = model.generator.decoder(reparametrize(mu, logvar)).reshape(-1, 28, 28)
    fake_logits = model.discriminator(torch.sigmoid(logits))
    kit = model.generator_terms((audio, images), fake_logits, (logits, mu, logvar))["loss"]
    mine = my_generator_loss(logits, images, mu, logvar, fake_logits, 0.5, 0.5)
    assert torch.allclose(mine, kit)


@pytest.mark.parametrize("solution", [my_generator_loss, from_the_kit])
def test_generator_loss_accepts_the_solutions(solution):
    assert verdict("10.generator_loss", solution) == ("correct", "10.generator_loss: correct!")


def _adv(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


GENERATOR_LOSS_SLIPS = {
    "784 times too small": lambda lo, im, mu, lv, f, a, b: _adv(f) + a * bce_sum(lo, im).mean() / 784
    + b * kl_sum(mu, lv).mean(),
    "Keras's way": lambda lo, im, mu, lv, f, a, b: _adv(f)
    + a * F.binary_cross_entropy_with_logits(lo, im) + b * (0.5 * (mu**2 + lv.exp() - 1 - lv)).mean(),
    "weighted by beta": lambda lo, im, mu, lv, f, a, b: _adv(f) + a * bce_sum(lo, im).mean()
    + kl_sum(mu, lv).mean(),
    "not the slides' 0.5": lambda lo, im, mu, lv, f, a, b: _adv(f) + a * bce_sum(lo, im).mean()
    + 0.5 * kl_sum(mu, lv).mean(),
    "swapped": lambda lo, im, mu, lv, f, a, b: _adv(f) + b * bce_sum(lo, im).mean()
    + a * kl_sum(mu, lv).mean(),
    "minimax": lambda lo, im, mu, lv, f, a, b: -F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
    + a * bce_sum(lo, im).mean() + b * kl_sum(mu, lv).mean(),
    "target 1": lambda lo, im, mu, lv, f, a, b: F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
    + a * bce_sum(lo, im).mean() + b * kl_sum(mu, lv).mean(),
    "do not apply torch.sigmoid": lambda lo, im, mu, lv, f, a, b: _adv(f)
    + a * bce_sum(torch.sigmoid(lo), im).mean() + b * kl_sum(mu, lv).mean(),
    "use F.binary_cross_entropy_with_logits": lambda lo, im, mu, lv, f, a, b: _adv(f)
    + a * F.binary_cross_entropy(lo, im, reduction="sum") / len(im) + b * kl_sum(mu, lv).mean(),
    "average over the batch": lambda lo, im, mu, lv, f, a, b: len(im) * _adv(f)
    + a * bce_sum(lo, im).sum() + b * kl_sum(mu, lv).sum(),
    "KL is twice": lambda lo, im, mu, lv, f, a, b: _adv(f) + a * bce_sum(lo, im).mean()
    + b * 2 * kl_sum(mu, lv).mean(),
    "adversarial term is missing": lambda lo, im, mu, lv, f, a, b: a * bce_sum(lo, im).mean()
    + b * kl_sum(mu, lv).mean(),
    "no .item()": lambda lo, im, mu, lv, f, a, b: my_generator_loss(lo, im, mu, lv, f, a, b).item(),
    "no gradient": lambda lo, im, mu, lv, f, a, b: my_generator_loss(lo, im, mu, lv, f, a, b).detach(),
    "one number": lambda lo, im, mu, lv, f, a, b: _adv(f) + a * bce_sum(lo, im) + b * kl_sum(mu, lv),
    "without a 'loss' key": lambda lo, im, mu, lv, f, a, b: {
        "total": my_generator_loss(lo, im, mu, lv, f, a, b)},
    "returned None": lambda lo, im, mu, lv, f, a, b: None,
    # a constant and a copy of an input
    "the kit's loss is": lambda lo, im, mu, lv, f, a, b: torch.tensor(100.0, requires_grad=True),
    "shape (": lambda lo, im, mu, lv, f, a, b: lo,
}


@pytest.mark.parametrize("hint", GENERATOR_LOSS_SLIPS)
def test_generator_loss_rejects(hint):
    status, message = verdict("10.generator_loss", GENERATOR_LOSS_SLIPS[hint])
    assert status == "wrong" and hint in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 2: picking alpha


def pick_alpha(results, min_accuracy):
    """The lesson's solution."""
    finished = [r for r in results if r and "error" not in r]
    good = [r for r in finished if r["metrics"]["accuracy"] >= min_accuracy]
    if not good:
        return None
    best = max(good, key=lambda r: (r["metrics"]["diversity"], r["metrics"]["accuracy"]))
    return best["config"]["options"]["alpha"]


def pick_alpha_with_numpy(results, min_accuracy):
    """Another way to the same rule: sort by (diversity, accuracy), walk down."""
    rows = [(r["metrics"]["diversity"], r["metrics"]["accuracy"], r["config"]["options"]["alpha"])
            for r in results if r.get("metrics")]
    for _diversity, accuracy, alpha in sorted(rows, reverse=True):
        if accuracy >= min_accuracy:
            return np.float64(alpha)
    return None


@pytest.mark.parametrize("solution", [pick_alpha, pick_alpha_with_numpy])
def test_pick_alpha_accepts_the_solutions(solution):
    assert verdict("10.pick_alpha", solution)[0] == "correct"


def _finished(results):
    return [r for r in results if r and "error" not in r]


def _alpha(result):
    return result["config"]["options"]["alpha"]


PICK_SLIPS = {
    "most *accurate*": lambda results, m: _alpha(
        max(_finished(results), key=lambda r: r["metrics"]["accuracy"])),
    "less accurate than min_accuracy": lambda results, m: _alpha(
        max(_finished(results), key=lambda r: r["metrics"]["diversity"])),
    ">=, not >": lambda results, m: pick_alpha([r for r in _finished(results)
                                                if r["metrics"]["accuracy"] > m], m),
    "skip those": lambda results, m: _alpha(max(
        [r for r in results if r["metrics"]["accuracy"] >= m], key=lambda r: r["metrics"]["diversity"])),
    "whole result": lambda results, m: {"config": {"options": {"alpha": pick_alpha(results, m)}}},
    "breaks the tie": lambda results, m: _alpha(max(
        [r for r in _finished(results) if r["metrics"]["accuracy"] >= m],
        key=lambda r: r["metrics"]["diversity"])) if pick_alpha(results, m) else None,
    "return None": lambda results, m: _alpha(max(_finished(results), key=lambda r: r["metrics"]["accuracy"]))
    if pick_alpha(results, m) is None else pick_alpha(results, m),
    "you returned None": lambda results, m: None,
    "not the alpha of any finished run": lambda results, m: 0.123,  # a constant
    "(a number) or None": lambda results, m: results,  # a copy of the input
}


@pytest.mark.parametrize("hint", PICK_SLIPS)
def test_pick_alpha_rejects(hint):
    status, message = verdict("10.pick_alpha", PICK_SLIPS[hint])
    assert status == "wrong" and hint in message, message


# ---------------------------------------------------------------------------------------------
# Exercise 3: the KL's weight against the reconstruction's


def relative_kl_weight(alpha, beta, reduction="sum", pixels=784, latent=64):
    """The lesson's solution."""
    if reduction == "mean":
        return (beta / latent) / (alpha / pixels)
    return beta / alpha


def test_kl_weight_accepts_the_solution_and_matches_the_model():
    assert verdict("10.kl_weight", relative_kl_weight)[0] == "correct"
    assert verdict("10.kl_weight", lambda *args: torch.tensor(relative_kl_weight(*args)))[0] == "correct"
    # the model's own terms: with means, the loss weighs the summed KL and reconstruction by these
    model = FastAIVAEGAN(alpha=1, beta=0.5, reduction="mean")
    logits, images = torch.randn(2, 28, 28), torch.rand(2, 28, 28)
    mu, logvar = torch.randn(2, 64), torch.randn(2, 64)
    terms = model.generator_terms((None, images), torch.zeros(2), (logits, mu, logvar))
    summed_recon, summed_kl = reconstruction_bce(logits, images).mean(), kl_divergence(mu, logvar).mean()
    assert torch.isclose(terms["reconstruction"], summed_recon / 784)
    assert torch.isclose(terms["kl"], summed_kl / 64)


KL_SLIPS = {
    "upside down": lambda a, b, r="sum", p=784, k=64: 1 / relative_kl_weight(a, b, r, p, k),
    "divided before they are weighted": lambda a, b, r="sum", p=784, k=64: b / a,
    "divides its weight by latent": lambda a, b, r="sum", p=784, k=64: b * p / a if r == "mean" else b / a,
    "divides *its* weight by pixels": lambda a, b, r="sum", p=784, k=64: (
        b / (k * a) if r == "mean" else b / a),
    "not 784 and 64": lambda a, b, r="sum", p=784, k=64: 784 * b / (64 * a) if r == "mean" else b / a,
    "is not it": lambda a, b, r="sum", p=784, k=64: 0.5,  # a constant
    "single number": lambda a, b, r="sum", p=784, k=64: (a, b),  # a copy of the input
}


@pytest.mark.parametrize("hint", KL_SLIPS)
def test_kl_weight_rejects(hint):
    status, message = verdict("10.kl_weight", KL_SLIPS[hint])
    assert status == "wrong" and hint in message, message
