"""Seed 004's VAEs that speak: an MLP and a CNN on the log-STFT, any latent point decoded to sound
(lesson 16).

Both read a :data:`kit.features.LOG_STFT` spectrogram in dB, ``(n, 128, 56)``,
scale it to about [0, 1] with one global min-max (:class:`kit.sound.SpectrogramScale`,
fitted on the training clips by :meth:`SpectrogramVAE.fit_input_scaling` and
stored in the checkpoint), and decode a latent point to a scaled spectrogram
(sigmoid outputs). :meth:`SpectrogramVAE.spectrogram` undoes the scale, so
that a point drawn from the prior decodes to decibels, and then to sound
(:func:`kit.sound.to_waveform`): the seed scaled every file by its own range
and could only decode what it had encoded.

==============  ==================================================================  ==========
model           layers                                                              parameters
==============  ==================================================================  ==========
audio-vae-mlp   7168-1024-512-256-latent, mirrored (seed 004's MLP; ``dropout``       16.0 M
                0.3 after every dense layer is its regularised variant)
audio-vae-cnn   four 3x3 convolutions with stride 2 (32, 64, 64, 64), dense 256,       1.2 M
                latent; mirrored with transposed convolutions, cropped to 56
                frames (the seed's "resized to the input")
==============  ==================================================================  ==========

The seed's two convolutions (32 and 64 filters, 3x3) kept the spectrogram's
size, so its dense layer alone held 64 x 17,733 x 256 = 290 M weights (and
trained for 18.7 hours); here every convolution halves both axes, the first
two with the seed's filters, two more with 64, so the dense layer reads
64 x 8 x 4 = 2,048 numbers.

**Loss.** The negative ELBO with a Gaussian decoder whose standard deviation
sigma is the decoder's own root mean squared error on the batch (the
"optimal sigma" of Rybkin et al. 2021, calibrated decoders), per clip::

    sum over the 7,168 bins of (x - x_hat)^2 / (2 sigma^2)  +  7,168 log sigma  +  KL(q(z|x) || N(0, I))

(up to the constant 7,168/2 log 2 pi; sigma is measured, not learnt, so
no gradient flows through it). Squared error suits a spectrogram in
decibels (an error of 3 dB is as bad in a loud bin as in a quiet one), and
with sigma at the size of the errors the weight of the reconstruction against
the KL term is measured rather than a knob: with a fixed sigma (plain summed
squared error) the balance is whatever that sigma says: the option
``sigma=0.3`` trains with a fixed one (lesson 16 compares the maps). The loss
is in nats per clip and goes below zero as sigma shrinks.

**The guided map** (option ``guide``, beyond the seed). A VAE is not told
the digit, and its two numbers go to what costs most squared error: where the
word ends and the voice (lesson 16). With ``guide=w`` a straight-line
read-out of the digit from the latent sample (``digit_head``, 10 x (latent + 1)
weights) trains with the VAE and its cross-entropy, times w, joins the loss:
the map must keep the digit where a line can read it, so that each digit gets
a region and the decoder says that digit there. w is large (1e5) because the
calibrated reconstruction term is tens of thousands of nats per clip; a
larger ``kl_weight`` (300) pulls the map towards the prior. The labels shape
the map only: the judges of :mod:`kit.speaking` never see the head.

**A prior that matches the map** (option ``digit_prior``, beyond the seed).
A guided map is several times wider than N(0, I), so most prior samples
land in the few regions near the origin. With ``digit_prior=True`` the model
keeps, for each digit, the running mean and covariance of the latent samples
z of that digit's training clips, as batch norm keeps running statistics
(the first batches are averaged, then a moving average with momentum
:data:`PRIOR_MOMENTUM`). The prior becomes the mixture of these ten
Gaussians: :meth:`SpectrogramVAE.prior_points` draws a digit, then a point
of its Gaussian (or a point for digits one asks for). Training is unchanged:
the KL term still measures against N(0, I); the mixture is fitted to the
map after the fact (ex-post density estimation, Ghosh et al. 2020).
"""

from __future__ import annotations

import torch
from torch import nn

from ..features import LOG_STFT
from ..sound import SpectrogramScale
from .vae import OneChannel, VariationalAutoencoder, kl_divergence, reparametrize

BINS = LOG_STFT.shape[0] * LOG_STFT.shape[1]  # 128 frequencies x 56 frames = 7,168 numbers per clip
FEATURES = 256  # the dense layer before the latent, in both of the seed's models
GUIDED_MAP = {"guide": 100_000, "kl_weight": 300, "digit_prior": True}  # the guided map (module docstring)
PRIOR_MOMENTUM = 0.02  # of the digit prior's running statistics, once 1 / batches seen is below it


def gaussian_nll(scaled: torch.Tensor, decoded: torch.Tensor, sigma: float | None = None):
    """``-log N(scaled | decoded, sigma^2)`` summed over the bins, without its constant, ``(n,)``, and sigma:
    when not given, the batch's root mean squared error (measured, no gradient; at least 1e-3)."""
    squared = (scaled - decoded.reshape(scaled.shape)).square().flatten(1)
    sigma = squared.mean().detach().sqrt().clamp_min(1e-3) if sigma is None else squared.new_tensor(sigma)
    return squared.sum(1) / (2 * sigma**2) + BINS * torch.log(sigma), sigma


class SpectrogramVAE(VariationalAutoencoder):
    """Shared behaviour: dB in, the training set's scale, a calibrated Gaussian decoder, sound out."""

    task = "audio-generation"  # see kit.tasks
    hears = "logstft"  # the features it reads and writes (kit.features.FEATURES)

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent_dim: int, kl_weight: float = 1.0,
                 sigma: float | None = None, guide: float = 0.0, digit_prior: bool = False) -> None:
        super().__init__(encoder, decoder, FEATURES, latent_dim, kl_weight=kl_weight)
        self.scale = SpectrogramScale()
        self.sigma = sigma
        self.guide = guide
        self.digit_head = nn.Linear(latent_dim, 10) if guide else None
        self.digit_prior = digit_prior
        if digit_prior:  # each digit's Gaussian: mean, second moment E[z z^T], batches seen
            self.register_buffer("prior_mean", torch.zeros(10, latent_dim))
            self.register_buffer("prior_moment", torch.eye(latent_dim).repeat(10, 1, 1))
            self.register_buffer("prior_batches", torch.zeros(10))

    def inputs_and_targets(self, batch):
        """A batch is ``(spectrograms in dB, digits)``: the model reconstructs the scaled spectrogram."""
        db = batch[0] if isinstance(batch, (tuple, list)) else batch
        scaled = self.scale.normalise(db.float())
        return scaled, scaled

    def fit_input_scaling(self, db: torch.Tensor) -> None:
        """Measure the training clips' range in dB: the one scale every clip and every sample shares."""
        self.scale.fit(db)

    def encode(self, db: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior's mean and log-variance for spectrograms in dB ``(n, 128, 56)``."""
        return super().encode(self.scale.normalise(db.float()))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Scaled spectrograms in [0, 1], ``(n, 128, 56)``."""
        return torch.sigmoid(self.decoder(z)).reshape(-1, *LOG_STFT.shape)

    def spectrogram(self, z: torch.Tensor) -> torch.Tensor:
        """Spectrograms in dB for latent points ``z``: decoded, then the training set's scale undone."""
        return self.scale.denormalise(self.decode(z))

    def generate(self, db: torch.Tensor, sample: bool = False) -> torch.Tensor:
        """Reconstructions in dB of spectrograms in dB (the posterior mean, or a sample of it)."""
        mu, logvar = self.encode(db)
        return self.spectrogram(reparametrize(mu, logvar) if sample else mu)

    def prior_points(self, count: int, generator: torch.Generator | None = None,
                     digits: torch.Tensor | None = None) -> torch.Tensor:
        """``count`` latent points from the prior: N(0, I), or with ``digit_prior`` the Gaussian of a
        digit drawn uniformly (of ``digits``, one each, when given: any array of digits)."""
        noise = torch.randn(count, self.latent_dim, generator=generator)
        if not self.digit_prior:
            return noise
        if digits is None:
            digits = torch.randint(10, (count,), generator=generator)
        mean, spread = self.prior_gaussians()
        digits = torch.as_tensor(digits).long()
        return mean[digits] + (spread[digits] @ noise.unsqueeze(-1)).squeeze(-1)

    def prior_gaussians(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The digit prior's means ``(10, d)`` and a square root of each covariance ``(10, d, d)``."""
        mean = self.prior_mean.cpu()
        covariance = self.prior_moment.cpu() - mean.unsqueeze(-1) * mean.unsqueeze(-2)
        values, vectors = torch.linalg.eigh(covariance)
        return mean, vectors * values.clamp_min(0).sqrt().unsqueeze(-2)

    @torch.no_grad()
    def track_digit_prior(self, z: torch.Tensor, digits: torch.Tensor) -> None:
        """Move each digit's running mean and second moment towards those of its samples ``z`` in a batch."""
        z, digits = z.detach().float(), digits.long()
        for digit in digits.unique():
            mine = z[digits == digit]
            self.prior_batches[digit] += 1
            rate = max(PRIOR_MOMENTUM, 1 / float(self.prior_batches[digit]))
            self.prior_mean[digit].lerp_(mine.mean(0), rate)
            self.prior_moment[digit].lerp_(mine.T @ mine / len(mine), rate)

    def sample(self, count: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``count`` spectrograms in dB decoded from points drawn from the prior (:meth:`prior_points`)."""
        return self.spectrogram(self.prior_points(count, generator).to(self.scale.low.device))

    def loss(self, batch, step: int | None = None) -> dict[str, torch.Tensor]:
        """The negative ELBO (see the module docstring), with its terms and the decoder's sigma."""
        scaled, _ = self.inputs_and_targets(batch)
        mu, logvar = super().encode(scaled)
        z = reparametrize(mu, logvar)
        decoded = torch.sigmoid(self.decoder(z))
        nll, sigma = gaussian_nll(scaled, decoded, self.sigma)
        reconstruction, kl = nll.mean(), kl_divergence(mu, logvar).mean()
        terms = {
            "loss": reconstruction + self.current_kl_weight(step) * kl,
            "reconstruction": reconstruction,
            "kl": kl,
            "sigma": sigma,
        }
        if self.digit_prior and self.training:
            self.track_digit_prior(z, batch[1])
        if self.digit_head is not None:  # the guided map: the digit must be readable from z by a line
            terms["guide"] = nn.functional.cross_entropy(self.digit_head(z), batch[1].long())
            terms["loss"] = terms["loss"] + self.guide * terms["guide"]
        return terms


def _dense(sizes: list[int], dropout: float, last_activation: bool = True) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for index, (inputs, outputs) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(inputs, outputs))
        if index < len(sizes) - 2 or last_activation:
            layers += [nn.ReLU(), *([nn.Dropout(dropout)] if dropout else [])]
    return layers


class AudioVaeMlp(SpectrogramVAE):
    """Seed 004's MLP VAE: 7168-1024-512-256-latent and back; ``dropout=0.3`` is its regularised model."""

    def __init__(self, latent_dim: int = 2, dropout: float = 0.0, kl_weight: float = 1.0,
                 sigma: float | None = None, guide: float = 0.0, digit_prior: bool = False) -> None:
        encoder = nn.Sequential(nn.Flatten(), *_dense([BINS, 1024, 512, FEATURES], dropout))
        decoder = nn.Sequential(
            *_dense([latent_dim, FEATURES, 512, 1024, BINS], dropout, last_activation=False)
        )
        super().__init__(encoder, decoder, latent_dim, kl_weight, sigma, guide, digit_prior)


class CropFrames(nn.Module):
    """Keep the first ``frames`` columns: the decoder's 64 frames cut to the spectrogram's 56."""

    def __init__(self, frames: int) -> None:
        super().__init__()
        self.frames = frames

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[..., : self.frames]


class AudioVaeCnn(SpectrogramVAE):
    """Seed 004's CNN VAE with strided convolutions (see the module docstring): 1.2 M parameters."""

    channels = (32, 64, 64, 64)  # the seed's two, then two more that halve the size again
    bottom = (8, 4)  # 128 x 56 halved four times (56 -> 28 -> 14 -> 7 -> 4)

    def __init__(self, latent_dim: int = 2, dropout: float = 0.0, kl_weight: float = 1.0,
                 sigma: float | None = None, guide: float = 0.0, digit_prior: bool = False) -> None:
        flat = self.channels[-1] * self.bottom[0] * self.bottom[1]
        down: list[nn.Module] = [OneChannel()]
        for inputs, outputs in zip((1, *self.channels[:-1]), self.channels, strict=True):
            down += [nn.Conv2d(inputs, outputs, 3, stride=2, padding=1), nn.ReLU()]
        encoder = nn.Sequential(*down, nn.Flatten(), *_dense([flat, FEATURES], dropout))
        up: list[nn.Module] = [*_dense([latent_dim, FEATURES, flat], dropout),
                               nn.Unflatten(1, (self.channels[-1], *self.bottom))]
        reverse = self.channels[::-1]
        for inputs, outputs in zip(reverse, (*reverse[1:], 1), strict=True):
            up.append(nn.ConvTranspose2d(inputs, outputs, 3, stride=2, padding=1, output_padding=1))
            if outputs != 1:
                up.append(nn.ReLU())
        decoder = nn.Sequential(*up, CropFrames(LOG_STFT.shape[1]))
        super().__init__(encoder, decoder, latent_dim, kl_weight, sigma, guide, digit_prior)
