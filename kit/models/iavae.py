"""IAVAE: the AIVAE turned around, a VAE whose encoder sees a digit and whose decoder speaks it (lesson 17).

The paper asks a machine to draw what it hears; :class:`IAVAE` says what it
sees. An image encoder (three stride-2 convolutions, 28 -> 14 -> 7 -> 4)
gives the posterior of a small latent code; the decoder (two fully
connected layers, 16 -> 128 -> 128x56) turns the code into a
:class:`~kit.features.LogStft` spectrogram scaled to [0, 1] by one global
range (:class:`~kit.sound.SpectrogramScale`, fitted on the training clips and
stored in the checkpoint), which :func:`kit.sound.to_waveform` turns into
sound. A batch is ``(spectrograms in dB, paired images)``, the pairs of the
audio-to-image task read the other way.

The loss is the negative ELBO with a Gaussian decoder of fixed spread
``noise`` (in the scaled units; 0.1 is about 13 dB):

    0.5 * sum over the 128x56 bins of ((decoded - target) / noise)^2 + kl_weight * KL(q(z|image) || N(0, I)),

so the best a decoder can do for targets drawn at random among the clips of
a digit (many-to-one pairing) is their *average*: one archetypal voice per digit.
The decoder is fully connected, unlike the AIVAE's transposed convolutions:
a spectrogram's bins are not interchangeable like an image's pixels (a
pattern at 300 Hz is not the same pattern moved up to 3 kHz), and a weight per
bin reaches the average spectrogram of each digit within a few hundred steps,
where transposed convolutions of the same size had not after a thousand.
"""

from __future__ import annotations

import torch
from torch import nn

from ..features import LOG_STFT
from ..sound import SpectrogramScale
from .vae import OneChannel, VariationalAutoencoder, kl_divergence, reparametrize

#: What the decoder outputs: (frequency bins, frames) of :data:`kit.features.LOG_STFT`.
SPECTROGRAM = LOG_STFT.shape


def gaussian_reconstruction(decoded: torch.Tensor, targets: torch.Tensor, noise: float) -> torch.Tensor:
    """``0.5 * sum(((decoded - targets) / noise)^2)`` over each spectrogram's bins: ``(n,)``.

    The negative log-likelihood of ``targets`` under a Gaussian centred on ``decoded`` with
    standard deviation ``noise`` in every bin, without its constant.
    """
    return 0.5 * ((decoded - targets.reshape(decoded.shape)) / noise).square().flatten(1).sum(dim=1)


def spoken_elbo(decoded, targets, mu, logvar, noise: float, kl_weight: float = 1.0) -> dict:
    """The negative ELBO of :class:`IAVAE` averaged over the batch, with its two terms for logging."""
    reconstruction = gaussian_reconstruction(decoded, targets, noise).mean()
    kl = kl_divergence(mu, logvar).mean()
    return {"loss": reconstruction + kl_weight * kl, "reconstruction": reconstruction, "kl": kl}


class IAVAE(VariationalAutoencoder):
    """Image in, log-STFT spectrogram out (module docstring): 1,253,536 weights, 2.5 MB in float16."""

    task = "image-to-audio"  # see kit.tasks
    speaks = LOG_STFT.name  # the features its decoder outputs (kit.features.FEATURES)

    def __init__(self, latent_dim: int = 16, noise: float = 0.1, kl_weight: float = 1.0,
                 kl_warmup_steps: int = 400, init_logvar: float = -5.0) -> None:
        encoder = nn.Sequential(
            OneChannel(),
            nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),  # 28 -> 14
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),  # 14 -> 7
            nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),  # 7 -> 4
            nn.Flatten(), nn.Linear(64 * 4 * 4, 256), nn.ReLU(),
        )
        decoder = nn.Sequential(  # one weight per spectrogram bin: bins are not alike, unlike pixels
            nn.Linear(latent_dim, 128), nn.ReLU(), nn.Linear(128, SPECTROGRAM[0] * SPECTROGRAM[1]),
        )
        super().__init__(encoder, decoder, 256, latent_dim, kl_weight=kl_weight,
                         kl_warmup_steps=kl_warmup_steps, init_logvar=init_logvar)
        self.noise = noise
        self.scale = SpectrogramScale()

    def fit_output_scaling(self, spectrograms: torch.Tensor) -> None:
        """Measure the training clips' range in dB (:meth:`kit.sound.SpectrogramScale.fit`)."""
        self.scale.fit(spectrograms)

    def inputs_and_targets(self, batch):
        """``(spectrograms in dB, images)`` -> ``(images, spectrograms scaled to [0, 1])``."""
        spectrograms, images = batch
        return images, self.scale.normalise(spectrograms)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Scaled spectrograms ``(n, 128, 56)`` in [0, 1] for latent codes ``(n, latent_dim)``."""
        return torch.sigmoid(self.decoder(z)).reshape(-1, *SPECTROGRAM)

    @torch.no_grad()
    def speak(self, images: torch.Tensor, sample: bool = False) -> torch.Tensor:
        """Spectrograms in dB ``(n, 128, 56)`` for digits ``(n, 28, 28)`` in [0, 1] (the posterior mean,
        or a sample of it); :func:`kit.sound.to_waveform` makes them sound."""
        return self.scale.denormalise(self.generate(images, sample=sample))

    def loss(self, batch, step: int | None = None) -> dict[str, torch.Tensor]:
        """The negative ELBO of ``batch``; ``step`` (from the Trainer) sets the KL warm-up's weight."""
        images, targets = self.inputs_and_targets(batch)
        mu, logvar = self.encode(images)
        decoded = self.decode(reparametrize(mu, logvar))
        return spoken_elbo(decoded, targets, mu, logvar, self.noise, self.current_kl_weight(step))
