"""Lesson 14's exercise checks accept the worked solutions and reject typical mistakes with a hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kit import augment
from kit.exercises import verdict
from kit.exercises.lesson14 import TIME_AVERAGE_CASES, reference_time_average
from kit.features import MFCC_MEAN

KEYS = ("14.time_average", "14.negative_elbo", "14.reverberate")


@pytest.mark.parametrize("key", KEYS)
def test_not_answered_and_nonsense(key):
    assert verdict(key, ...)[0] == "todo"
    for nonsense in (object(), "not a function", None, 3.0):
        assert verdict(key, nonsense)[0] == "wrong"


@pytest.mark.parametrize("key", KEYS)
def test_a_constant_never_passes(key):
    for constant in (0.0, 1.0):
        assert verdict(key, lambda *args, value=constant: value)[0] == "wrong"
    assert verdict(key, lambda first, *rest: first)[0] == "wrong"  # a copy of the input


# ---------------------------------------------------------------------------------------------
# Exercise 1: the time average


def my_time_average(frames, valid):
    """The lesson's solution."""
    frames = np.asarray(frames)
    inside = np.arange(frames.shape[-1]) < np.asarray(valid)[:, None]
    return (frames * inside[:, None, :]).sum(axis=-1) / inside.sum(axis=-1)[:, None]


def torch_version(frames, valid):
    frames, valid = torch.as_tensor(frames), torch.as_tensor(valid)
    return torch.stack([frames[i, :, : valid[i]].mean(-1) for i in range(len(valid))])


def test_the_time_average_accepts_solutions_and_matches_the_kits_feature():
    assert verdict("14.time_average", my_time_average)[0] == "correct"
    assert verdict("14.time_average", torch_version)[0] == "correct"
    # the reference is the last step of the kit's MFCC-40 feature: a clip alone equals its average
    y = np.sin(np.linspace(0, 900, 6000)).astype(np.float32) * np.hanning(6000).astype(np.float32)
    assert MFCC_MEAN([y]).shape == (1, 40)
    frames, valid = TIME_AVERAGE_CASES[0]
    assert np.allclose(reference_time_average(frames[:1], valid[:1]), frames[:1].mean(-1))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda frames, valid: np.asarray(frames).mean(-1), "padding"),
        (lambda frames, valid: np.asarray(frames).sum(-1) / np.asarray(valid)[:, None], "the count"),
        (lambda frames, valid: my_time_average(frames, np.asarray(valid) - 1), "one frame"),
        (lambda frames, valid: np.asarray(frames).mean(1), "shape"),
    ],
)
def test_time_average_slips_get_their_hint(wrong, hint):
    status, message = verdict("14.time_average", wrong)
    assert status == "wrong" and hint in message


def test_the_kits_own_code_is_refused():
    from kit.exercises.lesson14 import reference_time_average as kits

    status, message = verdict("14.time_average", kits)
    assert status == "wrong" and "kit's own code" in message


# ---------------------------------------------------------------------------------------------
# Exercise 2: the negative ELBO


def my_negative_elbo(model, audio, images, eps, kl_weight):
    """The lesson's solution."""
    features = model.encoder(audio)
    mu, logvar = model.to_mu(features), model.to_logvar(features)
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = model.decoder(z)
    reconstruction = F.binary_cross_entropy_with_logits(logits, images.reshape(logits.shape),
                                                        reduction="none").flatten(1).sum(1)
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)
    return (reconstruction + kl_weight * kl).mean()


def detached(model, audio, images, eps, kl_weight):
    return my_negative_elbo(model, audio, images, eps, kl_weight).detach()


def test_the_negative_elbo_accepts_the_solution():
    assert verdict("14.negative_elbo", my_negative_elbo) == ("correct", "14.negative_elbo: correct!")


@pytest.mark.parametrize(
    "change, hint",
    [
        ({"mean_pixels": True}, "averaged"),
        ({"kl_sign": -1}, "subtracted"),
        ({"weight": False}, "kl_weight"),
        ({"no_eps": True}, "mean itself"),
        ({"variance": True}, "exp(logvar / 2)"),
        ({"sigmoid": True}, "twice"),
    ],
)
def test_negative_elbo_slips_get_their_hint(change, hint):
    def slip(model, audio, images, eps, kl_weight):
        features = model.encoder(audio)
        mu, logvar = model.to_mu(features), model.to_logvar(features)
        spread = torch.exp(logvar) if change.get("variance") else torch.exp(0.5 * logvar)
        z = mu if change.get("no_eps") else mu + spread * eps
        logits = model.decoder(z)
        if change.get("sigmoid"):
            logits = torch.sigmoid(logits)
        per_pixel = F.binary_cross_entropy_with_logits(logits, images.reshape(logits.shape), reduction="none")
        per_image = per_pixel.flatten(1)
        reconstruction = per_image.mean(1) if change.get("mean_pixels") else per_image.sum(1)
        kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)
        weight = kl_weight if change.get("weight", True) else 1.0
        return (reconstruction + change.get("kl_sign", 1) * weight * kl).mean()

    status, message = verdict("14.negative_elbo", slip)
    assert status == "wrong" and hint in message


def test_a_value_without_gradient_is_refused():
    status, message = verdict("14.negative_elbo", detached)
    assert status == "wrong" and "gradient" in message


# ---------------------------------------------------------------------------------------------
# Exercise 3: a clip in a room


def my_reverberate(y, response):
    """The lesson's solution."""
    wet = np.convolve(y, response)
    return wet * np.sqrt(np.mean(y**2) / np.mean(wet**2))


def test_the_room_accepts_the_solution_and_agrees_with_the_kit():
    assert verdict("14.reverberate", my_reverberate)[0] == "correct"
    y, response = np.random.default_rng(0).normal(size=500), np.random.default_rng(1).normal(size=80)
    assert np.allclose(my_reverberate(y, response), augment.reverberate(y, response), atol=1e-4)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda y, h: np.convolve(y, h, mode="same"), "full convolution"),
        (lambda y, h: np.convolve(y, h), "louder or quieter"),
        (lambda y, h: my_reverberate(y, h[::-1]), "correlation"),
        (lambda y, h: np.convolve(y, h) * np.abs(y).max() / np.abs(np.convolve(y, h)).max(), "not the level"),
        (lambda y, h: my_reverberate(y, h)[: len(y) + len(h) // 2], "should last"),
    ],
)
def test_room_slips_get_their_hint(wrong, hint):
    status, message = verdict("14.reverberate", wrong)
    assert status == "wrong" and hint in message
