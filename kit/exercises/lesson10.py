"""Lesson 10's exercise checks: the VAE-GAN for audio-to-image (its loss, alpha and the trade-off)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import as_function as _function
from . import as_number as _number
from . import exercise

# ---------------------------------------------------------------------------------------------
# Exercise 1: the generator's loss, assembled from its pieces

#: Hidden cases: (batch size, latent dimensions, alpha, beta, seed). Odd sizes and weights on purpose.
LOSS_CASES = ((5, 64, 0.2, 0.5, 101), (3, 64, 2.0, 1.5, 102), (7, 16, 1.0, 0.25, 103))


def _pieces(n: int, latent: int, seed: int) -> dict[str, torch.Tensor]:
    """Random but plausible pieces: decoder logits, images in [0, 1], a posterior, discriminator logits."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 28, 28, generator=generator)
    images[: n // 2] = (images[: n // 2] > 0.7).float()  # some binary, some grey, like MNIST
    return {
        "logits": 3 * torch.randn(n, 28, 28, generator=generator),
        "images": images,
        "mu": torch.randn(n, latent, generator=generator),
        "logvar": torch.randn(n, latent, generator=generator) - 1,
        "fake_logits": 2 * torch.randn(n, generator=generator),
    }


def _kit_terms(pieces: dict[str, torch.Tensor], alpha: float, beta: float) -> dict[str, torch.Tensor]:
    """The kit's own generator terms (``AudioToImageVAEGAN.generator_terms``) for these pieces."""
    from ..models import FastAIVAEGAN

    model = FastAIVAEGAN(alpha=alpha, beta=beta, latent_dim=pieces["mu"].shape[1])
    extra = (pieces["logits"], pieces["mu"], pieces["logvar"])
    with torch.no_grad():
        return model.generator_terms((None, pieces["images"]), pieces["fake_logits"], extra)


def _variants(pieces: dict[str, torch.Tensor], alpha: float, beta: float) -> dict[str, float]:
    """The loss as typical slips compute it, keyed by the hint that fits the slip."""
    logits, images, mu, logvar = (pieces[k] for k in ("logits", "images", "mu", "logvar"))
    fake = pieces["fake_logits"]
    n, pixels, latent = len(images), logits[0].numel(), mu.shape[1]

    def bce_sum(x):  # summed over pixels, per example
        return F.binary_cross_entropy_with_logits(x, images, reduction="none").flatten(1).sum(1)

    recon = bce_sum(logits).mean()
    kl_each = 0.5 * (mu.square() + logvar.exp() - 1 - logvar)
    kl = kl_each.sum(1).mean()
    adversarial = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    minimax = -F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
    fooled_nobody = F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
    probs_adv = F.binary_cross_entropy_with_logits(torch.sigmoid(fake), torch.ones_like(fake))
    probs_recon = bce_sum(torch.sigmoid(logits)).mean()

    def total(a=adversarial, r=recon, k=kl, wr=alpha, wk=beta):
        return float(a + wr * r + wk * k)

    return {
        "pixel_mean": total(r=recon / pixels),
        "keras_mean": total(r=recon / pixels, k=kl / latent),
        "kl_mean": total(k=kl / latent),
        "batch_sum": total(a=n * adversarial, r=n * recon, k=n * kl),
        "recon_batch_sum": total(r=n * recon),
        "kl_batch_sum": total(k=n * kl),
        "no_beta": total(wk=1.0),
        "beta_typed": total(wk=0.5),
        "alpha_typed": total(wr=0.2),
        "no_alpha": total(wr=1.0),
        "swapped": total(wr=beta, wk=alpha),
        "kl_no_half": total(k=2 * kl),
        "minimax": total(a=minimax),
        "fooled_nobody": total(a=fooled_nobody),
        "probs_adv": total(a=probs_adv),
        "probs_recon": total(r=probs_recon),
        "probs_both": total(a=probs_adv, r=probs_recon),
        "no_adversarial": total(a=0.0),
        "no_kl": total(wk=0.0),
        "no_recon": total(wr=0.0),
    }


LOSS_HINTS = {
    "pixel_mean": "your reconstruction term is 784 times too small: the kit *sums* the binary cross-entropy "
                  "over the 784 pixels of each image (reduction='none', then .flatten(1).sum(1)) and only "
                  "then averages over the batch. A per-pixel mean is what section 7 of the lesson is about.",
    "keras_mean": "you averaged over pixels and latent dimensions (Keras's way, the kit's reduction='mean'); "
                  "this model sums over the 784 pixels and over the latent dimensions, then averages over "
                  "the batch.",
    "kl_mean": "your KL term is averaged over the latent dimensions; the KL of a diagonal Gaussian is the "
               "*sum* over dimensions (then the mean over the batch).",
    "batch_sum": "every term is n times too large: average over the batch (the examples), sum only over "
                 "pixels and latent dimensions.",
    "recon_batch_sum": "the reconstruction is summed over the batch as well; sum over pixels, then take the "
                       "mean over the examples.",
    "kl_batch_sum": "the KL is summed over the batch as well; sum over latent dimensions, then take the mean "
                    "over the examples.",
    "no_beta": "the KL term should be weighted by beta (the slides' 0.5), not by 1.",
    "beta_typed": "use the beta argument, not the slides' 0.5: the check tries other values.",
    "alpha_typed": "use the alpha argument, not a fixed number: the check tries other values.",
    "no_alpha": "the reconstruction term should be weighted by alpha: that is the knob of this lesson.",
    "swapped": "alpha and beta are swapped: alpha weighs the reconstruction, beta the KL.",
    "kl_no_half": "your KL is twice too large: per dimension it is 0.5 * (mu^2 + exp(logvar) - 1 - logvar).",
    "minimax": "that is the minimax generator loss log(1 - D(G(a))), which saturates when the discriminator "
               "wins (lesson 9). Use the non-saturating one: -log D(G(a)), the BCE of the fake logits "
               "against the target 1.",
    "fooled_nobody": "the adversarial term uses the target 0 (fake): that is the discriminator's goal. The "
                     "generator wants its drawings called real: target 1.",
    "probs_adv": "fake_logits are logits, not probabilities: binary_cross_entropy_with_logits applies the "
                 "sigmoid itself, so do not apply torch.sigmoid first.",
    "probs_recon": "the decoder's output here is logits, not probabilities: binary_cross_entropy_with_logits "
                   "applies the sigmoid itself, so do not apply torch.sigmoid to the logits first.",
    "probs_both": "both the decoder's output and the discriminator's output are logits: "
                  "binary_cross_entropy_with_logits applies the sigmoid itself; do not add another.",
    "no_adversarial": "the adversarial term is missing: the generator also wants the discriminator to call "
                      "its drawings real.",
    "no_kl": "the KL term (weighted by beta) is missing.",
    "no_recon": "the reconstruction term (weighted by alpha) is missing.",
}


def _as_loss(value, call: str) -> torch.Tensor:
    """The learner's return value as a scalar tensor, or a hint."""
    if isinstance(value, dict):
        if "loss" not in value:
            raise AssertionError(f"{call} returned a dict without a 'loss' key; return the total loss "
                                 "itself.")
        value = value["loss"]
    if value is None:
        raise AssertionError(f"{call} returned None: does your function `return` the loss?")
    if not torch.is_tensor(value):
        raise AssertionError(f"return a torch tensor (0-dimensional), not {type(value).__name__}: the "
                             "training steps below call .backward() on it (so no .item(), no numpy).")
    if value.numel() != 1:
        raise AssertionError(f"{call} returned a tensor of shape {tuple(value.shape)}; the loss is one "
                             "number: average the per-example terms over the batch.")
    return value


@exercise("10.generator_loss")
def generator_loss_check(answer) -> None:
    """``my_generator_loss(logits, images, mu, logvar, fake_logits, alpha, beta)`` = the kit's loss."""
    function = _function(answer, "my_generator_loss")
    outcomes = []  # (learner's value, kit's value, slips' values) per hidden case
    for n, latent, alpha, beta, seed in LOSS_CASES:
        pieces = _pieces(n, latent, seed)
        expected = float(_kit_terms(pieces, alpha, beta)["loss"])
        inputs = {k: v.clone().requires_grad_(k in ("logits", "mu", "logvar", "fake_logits"))
                  for k, v in pieces.items()}
        call = "my_generator_loss(...)"
        try:
            got = function(inputs["logits"], inputs["images"], inputs["mu"], inputs["logvar"],
                           inputs["fake_logits"], alpha, beta)
        except (RuntimeError, ValueError) as error:
            if "between 0 and 1" in str(error):
                raise AssertionError("F.binary_cross_entropy wants probabilities, and logits are not: use "
                                     "F.binary_cross_entropy_with_logits, which applies the sigmoid "
                                     "itself.") from None
            raise
        loss = _as_loss(got, call)
        if not loss.requires_grad:
            raise AssertionError("the loss carries no gradient: keep everything in torch (no .item(), no "
                                 ".detach(), no numpy) so that .backward() reaches the networks.")
        outcomes.append((float(loss.detach()), expected, _variants(pieces, alpha, beta), (n, alpha, beta)))

    def close(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-4)

    if all(close(value, expected) for value, expected, _, _ in outcomes):
        return
    for slip, hint in LOSS_HINTS.items():  # a slip explains the answer if it matches on every hidden case
        if all(close(value, variants[slip]) for value, _, variants, _ in outcomes):
            raise AssertionError(hint)
    value, expected, _, (n, alpha, beta) = next(o for o in outcomes if not close(o[0], o[1]))
    raise AssertionError(
        f"for a hidden batch of {n} (alpha = {alpha:g}, beta = {beta:g}) the kit's loss is "
        f"{expected:.3f} and yours is {value:.3f}. Compare your terms one by one with "
        "model.generator_terms on the batch of the lesson: adversarial = BCE(fake_logits, 1); "
        "reconstruction = BCE(logits, images) summed over pixels; KL summed over latent dimensions; "
        "both averaged over the batch.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: choosing alpha from the Table-5 results

def _result(alpha: float, accuracy: float, diversity: float, **options) -> dict:
    """A result record shaped like ``kit.reproduce.load_result``'s (only the fields the rule reads)."""
    config = {"model": "fast-aivaegan", "options": {"alpha": alpha, **options}}
    return {"row": f"alpha{alpha:g}", "config": config,
            "metrics": {"accuracy": accuracy, "diversity": diversity}}


def pick_alpha_reference(results: list[dict], min_accuracy: float) -> float | None:
    """The lesson's rule: of the finished runs with accuracy >= min_accuracy, the most diverse one's alpha."""
    finished = [r for r in results if r and "error" not in r and "metrics" in r]
    good = [r for r in finished if r["metrics"]["accuracy"] >= min_accuracy]
    if not good:
        return None
    best = max(good, key=lambda r: (r["metrics"]["diversity"], r["metrics"]["accuracy"]))
    return best["config"]["options"]["alpha"]


def _strict_pick(results: list[dict], min_accuracy: float) -> float | None:
    """The rule with > where it says >= (a typical slip)."""
    good = [r for r in results if r and "error" not in r and r["metrics"]["accuracy"] > min_accuracy]
    best = max(good, key=lambda r: (r["metrics"]["diversity"], r["metrics"]["accuracy"]), default=None)
    return None if best is None else best["config"]["options"]["alpha"]


#: Hidden cases: (results, min_accuracy). Unsorted alphas, a missing run, a failed run, an exact threshold.
PICK_CASES = (
    ([_result(1, 0.95, 0.20), _result(0.2, 0.88, 0.41), _result(2, 0.97, 0.15), _result(0.5, 0.91, 0.33),
      _result(0.05, 0.40, 0.70)], 0.90),
    ([_result(0.5, 0.80, 0.30), {}, _result(2, 0.95, 0.12), _result(1, 0.85, 0.25),
      {"row": "alpha0.2", "error": "TrainingDiverged: step 9: the loss term 'd_loss' is nan"}], 0.85),
    ([_result(0.2, 0.62, 0.52), _result(1, 0.70, 0.31), _result(0.5, 0.66, 0.47)], 0.90),
    ([_result(3, 0.99, 0.10), _result(0.3, 0.93, 0.30), _result(0.7, 0.96, 0.30)], 0.50),
)


def _alpha_of(value, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, dict):
        raise AssertionError(f"{what} returned a whole result; return its alpha "
                             "(result['config']['options']['alpha']).")
    if isinstance(value, bool | str) or not hasattr(value, "__float__"):
        raise AssertionError(f"{what} should return an alpha (a number) or None, "
                             f"not {type(value).__name__}.")
    return float(value)


@exercise("10.pick_alpha")
def pick_alpha_check(answer) -> None:
    """``pick_alpha(results, min_accuracy)`` follows the lesson's rule on hidden result lists."""
    function = _function(answer, "pick_alpha")
    for results, min_accuracy in PICK_CASES:
        expected = pick_alpha_reference(results, min_accuracy)
        try:
            got = _alpha_of(function([dict(r) for r in results], min_accuracy), "pick_alpha(results, ...)")
        except (KeyError, TypeError) as error:
            raise AssertionError(f"your function failed with {type(error).__name__}: {error}. Some results "
                                 "are empty ({}: the row has not run yet) or hold an 'error' (it failed): "
                                 "skip those before reading their metrics.") from None
        if got == expected or (got is not None and expected is not None and math.isclose(got, expected)):
            continue
        strict = _strict_pick(results, min_accuracy)
        if strict is not None and got is not None and math.isclose(got, strict) and strict != expected:
            raise AssertionError("a run whose accuracy equals min_accuracy exactly counts: 'at least' "
                                 "means >=, not >.")
        finished = [r for r in results if r and "error" not in r]
        alphas = {r["config"]["options"]["alpha"]: r["metrics"] for r in finished}
        if expected is None:
            raise AssertionError("when no run reaches min_accuracy there is nothing to pick: return None.")
        if got is None:
            raise AssertionError("you returned None although some run reaches min_accuracy (note: "
                                 "'at least' means >=).")
        if got not in alphas:
            raise AssertionError(f"{got:g} is not the alpha of any finished run in the list.")
        chosen = alphas[got]
        if chosen["accuracy"] < min_accuracy:
            raise AssertionError("the run you picked is less accurate than min_accuracy: keep only the runs "
                                 "with accuracy >= min_accuracy, then take the most diverse.")
        if chosen["accuracy"] == max(m["accuracy"] for m in alphas.values()):
            raise AssertionError("that is the most *accurate* run. The rule: among the runs accurate enough, "
                                 "the most *diverse* one.")
        good = [m["diversity"] for m in alphas.values() if m["accuracy"] >= min_accuracy]
        if chosen["diversity"] == max(good):
            raise AssertionError("two runs are equally diverse here: the rule breaks the tie by the higher "
                                 "accuracy.")
        raise AssertionError("not the run the rule picks: among the finished runs with accuracy >= "
                             "min_accuracy, the one with the highest diversity (ties: higher accuracy).")


# ---------------------------------------------------------------------------------------------
# Exercise 3 (optional): how much the KL weighs against the reconstruction

def relative_kl_weight_reference(alpha: float, beta: float, reduction: str = "sum", pixels: int = 784,
                                 latent: int = 64) -> float:
    """Weight of the summed KL over the weight of the summed reconstruction: beta/alpha, or with means."""
    if reduction == "sum":
        return beta / alpha
    return (beta / latent) / (alpha / pixels)


KL_WEIGHT_CASES = ((1.0, 0.5, "sum", 784, 64), (0.2, 0.5, "sum", 784, 64), (2.0, 0.3, "sum", 100, 8),
                   (1.0, 0.5, "mean", 784, 64), (0.4, 0.7, "mean", 100, 10), (0.5, 0.5, "mean", 784, 16))


@exercise("10.kl_weight")
def kl_weight_check(answer) -> None:
    """``relative_kl_weight(alpha, beta, reduction, pixels, latent)`` on hidden settings."""
    function = _function(answer, "relative_kl_weight")
    for alpha, beta, reduction, pixels, latent in KL_WEIGHT_CASES:
        expected = relative_kl_weight_reference(alpha, beta, reduction, pixels, latent)
        value = function(alpha, beta, reduction, pixels, latent)
        if value is None:
            raise AssertionError("relative_kl_weight(...) returned None: does your function `return` "
                                 "the ratio?")
        value = _number(value, "the KL's weight over the reconstruction's")
        if math.isclose(value, expected, rel_tol=1e-6):
            continue
        where = f"(alpha = {alpha:g}, beta = {beta:g}, reduction = {reduction!r})"
        if math.isclose(value, 1 / expected, rel_tol=1e-6):
            raise AssertionError(f"upside down {where}: the KL's weight divided by the reconstruction's.")
        if reduction == "mean":
            if math.isclose(value, beta / alpha, rel_tol=1e-6):
                raise AssertionError("with reduction='mean' the terms are divided before they are weighted: "
                                     "the reconstruction by the number of pixels, the KL by the number of "
                                     "latent dimensions. Express both weights per *summed* term.")
            if math.isclose(value, beta * pixels / alpha, rel_tol=1e-6):
                raise AssertionError("the per-pixel mean is right; the KL is averaged over the latent "
                                     "dimensions too, which divides its weight by latent.")
            if math.isclose(value, beta / (latent * alpha), rel_tol=1e-6):
                raise AssertionError("the KL's division by latent is right; the reconstruction is averaged "
                                     "over the pixels too, which divides *its* weight by pixels.")
            if math.isclose(value, 784 * beta / (64 * alpha), rel_tol=1e-6):
                raise AssertionError("use the pixels and latent arguments, not 784 and 64.")
        raise AssertionError(f"{value:g} is not it {where}. With sums: the KL weighs beta, the "
                             "reconstruction alpha; with means divide each by what it is averaged over.")
