"""Checks for the exercises of lesson 07 (cross-modal alignment and AIVAE)."""

from __future__ import annotations

import math

from . import as_number as _number
from . import exercise

# ---------------------------------------------------------------------------------------------
# Exercise 1: how many pairs each strategy makes

PAIR_CLIPS_PER_DIGIT = 50  # 500 clips, 50 of every digit
PAIR_IMAGES = {d: (30 if d == 5 else 330) for d in range(10)}  # 3,000 images, only 30 fives


def pair_counts() -> dict[str, int]:
    """Pairs made from 50 clips per digit and the images of PAIR_IMAGES, by strategy."""
    return {
        "many-to-one": sum(PAIR_IMAGES.values()),  # every image once
        "one-to-one": sum(min(PAIR_CLIPS_PER_DIGIT, n) for n in PAIR_IMAGES.values()),  # the smaller side
        "resampled": 10 * PAIR_CLIPS_PER_DIGIT,  # every clip once per epoch
    }


@exercise("07.pair_counts")
def pair_counts_check(answer) -> None:
    """A dict ``{"many-to-one": 3000, "one-to-one": 480, "resampled": 500}``."""
    expected = pair_counts()
    if not isinstance(answer, dict):
        raise AssertionError(
            "the answer should be a dict with one count per strategy, e.g. "
            '{"many-to-one": ..., "one-to-one": ..., "resampled": ...}.')
    missing = set(expected) - set(answer)
    if missing:
        raise AssertionError(f"the dict lacks {', '.join(sorted(missing))}: "
                             "give a count for all three strategies.")
    got = {name: _number(answer[name], f"the number of {name} pairs") for name in expected}
    if got["many-to-one"] != expected["many-to-one"]:
        if got["many-to-one"] == 500:
            raise AssertionError("many-to-one is driven by the *images*: every image is used exactly once, "
                                 "each with a clip drawn with replacement. How many images are there?")
        raise AssertionError("many-to-one: every image is used once (the clips are drawn with replacement), "
                             "so count the images.")
    if got["one-to-one"] != expected["one-to-one"]:
        if got["one-to-one"] == 500:
            raise AssertionError("one-to-one draws *without* replacement on both sides: for digit 5 only 30 "
                                 "images exist, so only 30 of its 50 clips find a partner.")
        if got["one-to-one"] == 300:
            raise AssertionError("one-to-one takes, per digit, the smaller of (#clips, #images); "
                                 "for most digits that is the 50 clips, not the 30 fives.")
        raise AssertionError("one-to-one: per digit, min(#clips, #images) pairs; add the ten digits up.")
    if got["resampled"] != expected["resampled"]:
        if got["resampled"] == expected["one-to-one"]:
            raise AssertionError("resampled draws the images *with* replacement, so the 30 fives are enough "
                                 "for all 50 five-clips: every clip gets an image.")
        raise AssertionError("resampled: every clip once per epoch, with a fresh image of its digit.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the parameters of Table 1's big fully connected layer

def _conv_side(side: int, kernel: int = 4, stride: int = 2, padding: int = 0) -> int:
    return (side + 2 * padding - kernel) // stride + 1


FC_INPUTS = 128 * _conv_side(_conv_side(48)) ** 2  # 48 -> 23 -> 10: 12,800
FC_PARAMETERS = FC_INPUTS * 1024 + 1024  # 13,108,224


@exercise("07.fc_parameters")
def fc_parameters(answer) -> None:
    """Weights + biases of the encoder's FC 1024 layer of Table 1: 12,800 * 1,024 + 1,024 = 13,108,224."""
    value = _number(answer, "a count of parameters")
    if value == FC_PARAMETERS:
        return
    if value == FC_INPUTS * 1024:
        raise AssertionError("almost: every one of the 1,024 outputs also has a bias.")
    padded = 128 * _conv_side(_conv_side(48, padding=1), padding=1) ** 2  # 48 -> 24 -> 12
    if value in (padded * 1024, padded * 1024 + 1024):
        raise AssertionError("that is for *padded* convolutions (48 -> 24 -> 12). Table 1's encoder "
                             "convolutions have no padding: (48 - 4) // 2 + 1 = 23, "
                             "then (23 - 4) // 2 + 1 = 10.")
    if value in (FC_INPUTS, 1024, FC_INPUTS + 1024):
        raise AssertionError("a fully connected layer has one weight for every (input, output) pair, "
                             "plus one bias per output.")
    if value in (1024 * 6272 + 6272, 1024 * 6272):
        raise AssertionError("that is the *decoder's* FC 7x7x128 layer; the question asks for the "
                             "encoder's FC 1024 layer.")
    if value == 20_950_529:
        raise AssertionError("that is the whole model; the question asks for one layer.")
    raise AssertionError(f"{value:,.0f} is not it. How many numbers leave the second convolution "
                         "(channels x height x width), and how many outputs does the layer have?")


# ---------------------------------------------------------------------------------------------
# Exercise 3: the KL cost of a sharp posterior at initialisation

KL_LATENT, KL_LOGVAR = 64, -5.0
KL_AT_INIT = KL_LATENT * 0.5 * (math.exp(KL_LOGVAR) - 1 - KL_LOGVAR)  # about 128.2 nats


@exercise("07.kl_at_init")
def kl_at_init(answer) -> None:
    """KL(N(0, e^-5) || N(0, 1)) summed over 64 dimensions: 64 * 0.5 * (e^-5 - 1 + 5) = 128.2 nats."""
    value = _number(answer, "a KL divergence in nats")
    if abs(value - KL_AT_INIT) <= 0.05:
        return
    per_dimension = KL_AT_INIT / KL_LATENT
    if abs(value - per_dimension) <= 0.01:
        raise AssertionError("that is one dimension; the KL of a diagonal Gaussian is the *sum* over all 64.")
    if abs(value - 2 * KL_AT_INIT) <= 0.1:
        raise AssertionError("twice too large: the formula has a factor 1/2 in front.")
    if abs(value - KL_LATENT * 0.5 * (math.exp(KL_LOGVAR) - 1)) <= 0.1:
        raise AssertionError("mind the -log sigma^2 term: with log sigma^2 = -5 it adds +5 per dimension.")
    if value < 0:
        raise AssertionError("a KL divergence is never negative.")
    sigma = math.exp(KL_LOGVAR / 2)  # a common slip: sigma where the variance belongs
    if abs(value - KL_LATENT * 0.5 * (sigma - 1 - math.log(sigma))) <= 0.1:
        raise AssertionError("-5 is the log-*variance*: sigma^2 = exp(-5), so log sigma^2 = -5.")
    raise AssertionError(f"{value:.2f} nats is not it. Per dimension, "
                         "KL = 0.5 * (mu^2 + sigma^2 - 1 - log sigma^2); here mu = 0 and log sigma^2 = -5.")
