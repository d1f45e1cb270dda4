"""AIVAE: a VAE whose encoder hears and whose decoder draws (lessons 7-8; the paper's Table 1).

:class:`AIVAE` is Table 1 to the letter: 20,950,529 parameters, which pins
the padding down (the encoder's convolutions are unpadded: 48 -> 23 -> 10;
the decoder's transposed convolutions are padded: 7 -> 14 -> 28). The
table's "RELU" under the mu/sigma heads is read as belonging to the layer
above: the heads themselves are linear, as a Gaussian mean must be free to be
negative. :class:`FastAIVAE` is the course's own small variant with the same
interface, built to train in about a minute on a laptop CPU.

Both take 48x48 log-mel images (``kit.features.MEL_IMAGE``) and return 28x28
digit images; a batch is ``(audio_features, paired_images)``.
"""

from __future__ import annotations

import torch
from torch import nn

from ..augment import mask_bands_and_frames
from .vae import OneChannel, VariationalAutoencoder


class Standardize(nn.Module):
    """``(x - mean) / std`` with the two numbers kept in the checkpoint; identity until fitted.

    With ``masks`` > 0, training batches ``(n, frequency, time)`` (only) also lose
    that many bands and spans of frames each (:func:`kit.augment.mask_bands_and_frames`,
    SpecAugment), as the audio classifiers' inputs can.
    """

    def __init__(self, masks: int = 0) -> None:
        super().__init__()
        self.masks = masks
        self.register_buffer("mean", torch.zeros(()))
        self.register_buffer("std", torch.ones(()))

    def fit(self, x: torch.Tensor) -> None:
        self.mean.fill_(float(x.mean()))
        self.std.fill_(float(x.std()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        standardised = (x - self.mean) / self.std
        if self.training and self.masks:
            return mask_bands_and_frames(standardised, self.masks)
        return standardised


class AudioToImageVAE(VariationalAutoencoder):
    """Shared behaviour: paired batches and input standardisation fitted on the training audio."""

    task = "audio-to-image"  # see kit.tasks

    def __init__(self, encoder, decoder, feature_dim, latent_dim, **vae_options) -> None:
        self.standardize_inputs = vae_options.pop("standardize", False)
        masks = vae_options.pop("masks", 0)
        if masks and not self.standardize_inputs:
            raise ValueError("masks set a band to the features' mean, 0 once standardised: "
                             "use them with standardize=True")
        super().__init__(nn.Sequential(Standardize(masks), OneChannel(), encoder), decoder, feature_dim,
                         latent_dim, **vae_options)

    def inputs_and_targets(self, batch):
        audio, images = batch
        return audio, images

    def fit_input_scaling(self, audio: torch.Tensor) -> None:
        """Standardise inputs with the training audio's mean and spread (if enabled)."""
        if self.standardize_inputs:
            self.encoder[0].fit(audio)


class AIVAE(AudioToImageVAE):
    """The paper's Table 1 (latent 64): 20,950,529 parameters.

    Two thirds of its step go to large matrix products, which bfloat16 autocast
    and Adam's fused kernel make several times cheaper on a CPU with AVX-512
    BF16 (``bench/README.md``): the Trainer's ``precision="auto"`` uses them.
    """

    preferred_precision = "bfloat16"

    def configure_optimizers(self, lr: float) -> list[torch.optim.Optimizer]:
        """Adam with its fused kernel (one pass over the 21 million weights instead of several)."""
        return [torch.optim.Adam(self.parameters(), lr=lr, fused=True)]

    def __init__(self, latent_dim: int = 64, kl_weight: float = 1.0, kl_warmup_steps: int = 0,
                 init_logvar: float = 0.0, standardize: bool = False) -> None:
        encoder = nn.Sequential(
            nn.Conv2d(1, 64, 4, stride=2), nn.ReLU(),  # 48 -> 23
            nn.Conv2d(64, 128, 4, stride=2), nn.ReLU(),  # 23 -> 10
            nn.Flatten(), nn.Linear(128 * 10 * 10, 1024), nn.ReLU(), nn.Linear(1024, 512), nn.ReLU(),
        )
        decoder = nn.Sequential(
            nn.Linear(latent_dim, 512), nn.ReLU(), nn.Linear(512, 1024), nn.ReLU(),
            nn.Linear(1024, 128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.ReLU(),  # 7 -> 14
            nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1),  # 14 -> 28 (sigmoid in decode)
        )
        super().__init__(encoder, decoder, 512, latent_dim, kl_weight=kl_weight,
                         kl_warmup_steps=kl_warmup_steps, init_logvar=init_logvar, standardize=standardize)


def _halving_conv(inputs: int, outputs: int, batch_norm: bool) -> list[nn.Module]:
    """A stride-2 3x3 convolution that halves the size, batch normalisation (optional), ReLU."""
    conv = nn.Conv2d(inputs, outputs, 3, stride=2, padding=1)
    return [conv, nn.BatchNorm2d(outputs), nn.ReLU()] if batch_norm else [conv, nn.ReLU()]


class FastAIVAE(AudioToImageVAE):
    """The course's fast variant: three stride-2 convolutions instead of a 13-million-weight FC layer.

    Standardised inputs, batch normalisation in the encoder, a small initial
    posterior variance (log-variance -5) and a KL warm-up over the first 400
    steps make it leave the "average digit" plateau within a few hundred steps
    (lesson 8 shows the plateau and why). Each of the four can be switched
    off to see what it does. ``masks`` adds SpecAugment's masks to training
    batches (:class:`Standardize`); off by default.
    """

    def __init__(self, latent_dim: int = 64, kl_weight: float = 1.0, kl_warmup_steps: int = 400,
                 init_logvar: float = -5.0, standardize: bool = True, batch_norm: bool = True,
                 masks: int = 0) -> None:
        encoder = nn.Sequential(
            *_halving_conv(1, 32, batch_norm), *_halving_conv(32, 64, batch_norm),
            *_halving_conv(64, 128, batch_norm),  # 48 -> 24 -> 12 -> 6
            nn.Flatten(), nn.Linear(128 * 6 * 6, 256), nn.ReLU(),
        )
        decoder = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(),
            nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(),  # 7 -> 14
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1),  # 14 -> 28
        )
        super().__init__(encoder, decoder, 256, latent_dim, kl_weight=kl_weight,
                         kl_warmup_steps=kl_warmup_steps, init_logvar=init_logvar, standardize=standardize,
                         masks=masks)
