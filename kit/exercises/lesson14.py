"""Lesson 14's exercise checks: which audio features carry the picture, and voices never heard.

Each check runs the learner's function on inputs the learner never sees and
compares it with the kit: ``my_time_average`` with the last step of
:class:`~kit.features.MfccMean` (the average over the frames inside each
clip, never the padding) on hidden padded batches; ``my_negative_elbo`` with
:func:`kit.models.elbo` on a seeded :class:`~kit.models.MfccVAE` with hidden
clips, images and noise ``eps``; ``my_reverberate`` with
:func:`kit.augment.reverberate` on hidden clips and room responses. Typical
slips (the padding in the average, the wrong axis, sigmoid before a loss
that takes logits, the variance as the spread, a KL of the wrong sign,
pixels averaged instead of summed, a convolution cut to the clip's length,
a correlation instead of a convolution, the loudness not restored) get a
hint of their own; none prints the answer.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..models import MfccVAE
from ..models.vae import elbo
from . import as_function as _function
from . import exercise, own_work

# ---------------------------------------------------------------------------------------------
# Exercise 1: average the MFCC frames over the clip, not over the padding


def padded_batch(seed: int, n: int = 6, coefficients: int = 40, longest: int = 60):
    """MFCC-like frames ``(n, coefficients, longest)`` of clips of different lengths, padded with the
    values of silence (far from the clips' own), and each clip's number of frames."""
    rng = np.random.default_rng(seed)
    valid = rng.integers(longest // 4, longest, size=n)
    valid[0] = longest  # one clip fills the window
    frames = rng.normal(0, 8, (n, coefficients, longest)) + rng.normal(0, 20, (1, coefficients, 1))
    for clip, length in enumerate(valid):
        frames[clip, :, length:] = -300.0 * (np.arange(coefficients) == 0)[:, None]  # silence: c0 very low
    return frames.astype(np.float32), valid.astype(np.int64)


def reference_time_average(frames: np.ndarray, valid: np.ndarray) -> np.ndarray:
    inside = np.arange(frames.shape[-1])[None, :] < valid[:, None]
    return (frames * inside[:, None]).sum(-1) / inside.sum(-1, keepdims=True)


TIME_AVERAGE_CASES = tuple(padded_batch(seed) for seed in (141, 142, 143))


def _as_array(value, shape: tuple[int, ...], what: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        raise AssertionError(f"{what} should have shape {shape}, not {array.shape}.")
    return array


@exercise("14.time_average")
def check_time_average(answer) -> None:
    function = _function(answer, "my_time_average")
    own_work(function, {"MfccMean", "MFCC_MEAN", "reference_time_average", "extract"}, "the average")
    for frames, valid in TIME_AVERAGE_CASES:
        n, coefficients, longest = frames.shape
        mine = _as_array(function(frames.copy(), valid.copy()), (n, coefficients),
                         "the average of a batch of n clips")
        expected = reference_time_average(frames, valid)
        if np.allclose(mine, expected, atol=1e-3):
            continue
        if np.allclose(mine, frames.mean(-1), atol=1e-3):
            raise AssertionError("your average also counts the padding after each clip; only the first "
                                 "valid[i] frames of clip i are the clip.")
        if np.allclose(mine, frames.sum(-1) / valid[:, None], atol=1e-3) or np.allclose(
            mine, (frames * (np.arange(longest) < valid[:, None])[:, None]).sum(-1) / longest, atol=1e-3
        ):
            raise AssertionError("the sum and the count do not match: add up the frames inside the clip "
                                 "and divide by how many there are.")
        for shift in (-1, 1):
            if np.allclose(mine, reference_time_average(frames, valid + shift), atol=1e-3):
                raise AssertionError("one frame too many or too few: frames 0 .. valid[i]-1 are clip i.")
        raise AssertionError("not the average over each clip's own frames yet; try it on a batch of two "
                             "clips you make yourself, one of them padded.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the MFCC-40 VAE's negative ELBO, written out


def elbo_case(seed: int, n: int = 5):
    """A seeded :class:`MfccVAE`, hidden clips' MFCC vectors, target images and the noise ``eps``."""
    torch.manual_seed(seed)
    model = MfccVAE(latent_dim=16, hidden=32, init_logvar=-1.0)  # sigma 0.6: unlike the variance
    generator = torch.Generator().manual_seed(seed + 1)
    audio = torch.randn(n, 40, generator=generator) * 15
    images = (torch.rand(n, 28, 28, generator=generator) > 0.7).float()
    eps = torch.randn(n, 16, generator=generator)
    return model, audio, images, eps


def reference_negative_elbo(model, audio, images, eps, kl_weight: float = 1.0) -> torch.Tensor:
    mu, logvar = model.encode(audio)
    return elbo(model.decoder(mu + torch.exp(0.5 * logvar) * eps), images, mu, logvar, kl_weight)["loss"]


def _slips(model, audio, images, eps, kl_weight) -> list[tuple[torch.Tensor, str]]:
    mu, logvar = model.encode(audio)
    logits = model.decoder(mu + torch.exp(0.5 * logvar) * eps)
    flat = images.reshape(logits.shape)
    bce = F.binary_cross_entropy_with_logits(logits, flat, reduction="none").flatten(1)
    kl = 0.5 * (mu.square() + logvar.exp() - 1 - logvar).sum(1)
    sample_var = mu + torch.exp(logvar) * eps
    sigmoid_twice = F.binary_cross_entropy_with_logits(torch.sigmoid(logits), flat, reduction="none")
    return [
        ((bce.mean(1) + kl_weight * kl).mean(), "pixels are averaged; the reconstruction term sums them "
                                                "(one image's log-likelihood is a sum over its pixels)."),
        ((bce.sum(1) - kl_weight * kl).mean(), "the KL is subtracted; the negative ELBO adds it."),
        ((bce.sum(1) + kl).mean(), "check the KL's weight: multiply the KL by kl_weight."),
        (elbo(model.decoder(mu), images, mu, logvar, kl_weight)["loss"],
         "z is the mean itself; draw z = mu + sigma * eps with the eps you are given."),
        (elbo(model.decoder(sample_var), images, mu, logvar, kl_weight)["loss"],
         "sigma is exp(logvar / 2), not exp(logvar): logvar is the log of the variance."),
        ((sigmoid_twice.flatten(1).sum(1) + kl_weight * kl).mean(),
         "the decoder gives logits; a sigmoid before binary_cross_entropy_with_logits applies it twice."),
        ((bce.sum(1) + kl_weight * kl).sum(), "average over the clips of the batch, not their sum."),
    ]


ELBO_CASES = tuple(elbo_case(seed) for seed in (1401, 1402))


@exercise("14.negative_elbo")
def check_negative_elbo(answer) -> None:
    function = _function(answer, "my_negative_elbo")
    own_work(function, {"elbo", "reference_negative_elbo", "loss", "reconstruction_bce", "kl_divergence"},
             "the negative ELBO")
    for (model, audio, images, eps), kl_weight in zip(ELBO_CASES, (1.0, 0.3), strict=True):
        model.zero_grad()
        mine = function(model, audio.clone(), images.clone(), eps.clone(), kl_weight)
        if not isinstance(mine, torch.Tensor) or mine.numel() != 1:
            raise AssertionError("return one number as a torch tensor (the batch's mean negative ELBO), so "
                                 "that loss.backward() can follow.")
        with torch.no_grad():
            expected = reference_negative_elbo(model, audio, images, eps, kl_weight)
            if not torch.isclose(mine.detach().reshape(()), expected, rtol=1e-4, atol=1e-3):
                for slip, hint in _slips(model, audio, images, eps, kl_weight):
                    if torch.isclose(mine.detach().reshape(()), slip, rtol=1e-4, atol=1e-3):
                        raise AssertionError(hint)
                raise AssertionError("not the negative ELBO yet: encode, draw z with eps, decode to logits, "
                                     "then reconstruction (summed over pixels) + kl_weight x KL, averaged "
                                     "over the batch.")
        if not mine.requires_grad:
            raise AssertionError("the value is right but carries no gradient: compute it from the model's "
                                 "outputs without .detach(), .item() or numpy.")
        mine.backward()
        if model.to_mu.weight.grad is None or not model.to_mu.weight.grad.abs().sum() > 0:
            raise AssertionError("loss.backward() reaches no encoder weight: compute mu and logvar with the "
                                 "model's own layers.")


# ---------------------------------------------------------------------------------------------
# Exercise 3: a clip in a room


def room_cases():
    """Hidden clips (vowel-like tones of different loudness) and room impulse responses (decaying noise
    after a direct sound, unit energy)."""
    rng = np.random.default_rng(1414)
    t = np.arange(3000) / 8000
    cases = []
    for f0, amplitude, decay in ((180, 0.8, 900.0), (310, 0.05, 300.0), (120, 0.3, 1500.0)):
        clip = (amplitude * np.sin(2 * np.pi * f0 * t) * np.hanning(len(t))).astype(np.float32)
        tail = rng.normal(0, 0.3, int(3 * decay)) * np.exp(-np.arange(int(3 * decay)) / decay)
        response = np.concatenate([[1.0], np.zeros(int(rng.integers(20, 80))), tail])
        cases.append((clip, (response / np.sqrt(np.sum(response**2))).astype(np.float32)))
    return cases


@exercise("14.reverberate")
def check_reverberate(answer) -> None:
    function = _function(answer, "my_reverberate")
    own_work(function, {"reverberate", "room_impulse_responses", "augment", "augmented_copies"},
             "the room")
    for clip, response in room_cases():
        wet = function(clip.copy(), response.copy())
        wet = np.asarray(wet.detach().numpy() if isinstance(wet, torch.Tensor) else wet, np.float64)
        expected = np.convolve(clip.astype(np.float64), response)
        expected *= np.sqrt(np.mean(clip.astype(np.float64) ** 2) / np.mean(expected**2))
        if wet.shape == expected.shape and np.allclose(wet, expected, atol=1e-4):
            continue
        if wet.shape == clip.shape:
            raise AssertionError(f"the clip kept its length {len(clip)}; in a room the sound goes on after "
                                 "the word: the full convolution is len(y) + len(response) - 1 long.")
        if wet.shape != expected.shape:
            raise AssertionError(f"a clip of {len(clip)} samples in a room of {len(response)} should last "
                                 f"{len(expected)} samples, not {wet.shape}.")
        plain = np.convolve(clip.astype(np.float64), response)
        if np.allclose(wet, plain, atol=1e-4):
            raise AssertionError("the room made the clip louder or quieter: scale it back to the clip's own "
                                 "power (the mean square of the samples).")
        backwards = np.convolve(clip.astype(np.float64), response[::-1])
        backwards *= np.sqrt(np.mean(clip.astype(np.float64) ** 2) / np.mean(backwards**2))
        if np.allclose(wet, backwards, atol=1e-4):
            raise AssertionError("the echoes come before the sound: that is a correlation (the response "
                                 "reversed), not a convolution.")
        if np.allclose(wet / np.sqrt(np.mean(wet**2)), expected / np.sqrt(np.mean(expected**2)), atol=1e-3):
            raise AssertionError("the shape is right but not the level: match the power (mean square), "
                                 "not the peak or the sum.")
        raise AssertionError("not the clip heard in the room yet: convolve it with the response, then "
                             "scale to the clip's power.")
