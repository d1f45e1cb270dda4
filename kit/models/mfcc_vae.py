"""Seed 000's audio-to-image VAE: 40 MFCCs averaged over time in, a digit out (lesson 14).

The report (an Audio-MNIST course project) encodes each clip as one vector,
its 40 MFCCs averaged over all frames (:data:`kit.features.MFCC_MEAN`), with an
MLP, and draws the digit with transposed convolutions; every epoch each clip
gets a fresh training image of its digit (the ``resampled`` pairing). Here
the MLP has two hidden layers of 256 and the decoder is FastAIVAE's; each
coefficient is standardised with the training clips' statistics (the first
coefficient, the clip's loudness, is a hundred times larger than the others),
and the posterior starts narrow with a KL warm-up, FastAIVAE's remedies
against the collapse that lesson 8 is about.

Averaging over time keeps *which* spectral shapes a clip contains but not
*when*: "six" and "seven" share their /s/ and differ in their order of
sounds, which an average cannot tell apart (lesson 14 measures it).
"""

from __future__ import annotations

import torch
from torch import nn

from .vae import VariationalAutoencoder


class CoefficientStandardize(nn.Module):
    """``(x - mean) / std`` per coefficient (last axis), fitted on training vectors; identity until fitted."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(size))
        self.register_buffer("std", torch.ones(size))

    def fit(self, x: torch.Tensor) -> None:
        x = x.reshape(-1, self.mean.numel()).float()
        self.mean.copy_(x.mean(dim=0))
        self.std.copy_(x.std(dim=0).clamp_min(1e-6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.float() - self.mean) / self.std


class MfccVAE(VariationalAutoencoder):
    """MLP encoder on the 40 time-averaged MFCCs, FastAIVAE's decoder: 0.5 M parameters."""

    task = "audio-to-image"  # see kit.tasks
    hears = "mfcc40mean"  # the audio features it reads (kit.features.FEATURES)

    def __init__(self, latent_dim: int = 64, hidden: int = 256, kl_weight: float = 1.0,
                 kl_warmup_steps: int = 400, init_logvar: float = -5.0) -> None:
        encoder = nn.Sequential(
            CoefficientStandardize(40), nn.Linear(40, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        decoder = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(),
            nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(),  # 7 -> 14
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1),  # 14 -> 28 (sigmoid in decode)
        )
        super().__init__(encoder, decoder, hidden, latent_dim, kl_weight=kl_weight,
                         kl_warmup_steps=kl_warmup_steps, init_logvar=init_logvar)

    def inputs_and_targets(self, batch):
        audio, images = batch
        return audio, images

    def fit_input_scaling(self, audio: torch.Tensor) -> None:
        """Standardise each coefficient with the training clips' mean and spread."""
        self.encoder[0].fit(audio)
