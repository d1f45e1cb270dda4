"""AIVAEGAN: the AIVAE as the generator of a GAN (lessons 10-11; the paper's section 4.2 and Table 2).

The generator hears a clip and draws a digit as the AIVAE does; a
discriminator, which never sees the audio, tells its drawings from real
MNIST digits. The generator minimises (the paper's Eq. 4, the slides' beta)::

    adversarial + alpha * reconstruction + beta * KL,      beta = 0.5

with the non-saturating adversarial loss, the reconstruction as the binary
cross-entropy against the paired image and the KL of the posterior from
N(0, I). The paper does not say how the terms are reduced; here they are
reduced as in the AIVAE's ELBO (lesson 7): the cross-entropy summed over the
784 pixels, the KL summed over the latent dimensions, both averaged over the
batch, so alpha = 0 is a plain GAN and the reconstruction term is the
AIVAE's own. Lowering alpha then does two things: the discriminator's taste
weighs more, and the KL weighs more *relative to the reconstruction* (the
generator is a beta-VAE with beta / alpha, 2.5 at alpha = 0.2), which
squeezes the audio's information out of the latent code. With many-to-one
pairing, lowering alpha makes the drawings more varied only while the code
still names the digit (a KL above ln 10, about 2.3 nats); below that every
clip gets nearly the same drawing (alpha = 0.05: accuracy at chance). With
one-to-one pairing the paired images are themselves varied, and a higher
alpha keeps more of that variety (Table 5, ``docs/reproduction.md``).
``reduction="mean"`` averages over pixels and latent
dimensions instead (Keras's binary cross-entropy): ``docs/reproduction.md``
shows what that does at the paper's alpha = 1.

:class:`AIVAEGAN` is Table 2: no fully connected layer anywhere, 7,909,382
parameters as the slides count them. The table lists kernels, channels and
strides; padding 0 everywhere turns 48x48 audio into a 1x1 latent map
(48 -> 23 -> 10 -> 4 -> 1), 1x1 back into 28x28 (1 -> 3 -> 7 -> 14 -> 28)
and 28x28 into one logit (28 -> 13 -> 5 -> 1). Of the batch-normalisation
placements we tried, one gives the slides' count exactly: batch norm on the
input of every convolution (the raw audio and image included) except the
decoder's first (it takes the latent sample) and the discriminator's 1x1
output. :class:`FastAIVAEGAN` is the course's CPU variant with the same
interface: :class:`~kit.models.aivae.FastAIVAE` as the generator and a small
DCGAN discriminator.
"""

from __future__ import annotations

import torch
from torch import nn

from .adversarial import Adversarial, generator_loss, spectral_normalised
from .aivae import FastAIVAE
from .gan import dcgan_discriminator
from .vae import OneChannel, kl_divergence, reconstruction_bce, reparametrize

REDUCTIONS = ("sum", "mean")


def _normalised_conv(inputs: int, outputs: int, kernel: int, activation: nn.Module) -> list[nn.Module]:
    """Batch norm of the input, an unpadded stride-2 convolution, the activation."""
    return [nn.BatchNorm2d(inputs), nn.Conv2d(inputs, outputs, kernel, stride=2), activation]


def _upconv_normalised(inputs: int, outputs: int, kernel: int) -> list[nn.Module]:
    """An unpadded stride-2 transposed convolution, ReLU, batch norm of its output."""
    return [nn.ConvTranspose2d(inputs, outputs, kernel, stride=2), nn.ReLU(), nn.BatchNorm2d(outputs)]


class Table2Generator(nn.Module):
    """Table 2's audio encoder and image decoder: 48x48 log-mel -> (mu, logvar) of 64 -> 28x28 logits."""

    def __init__(self, latent_dim: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(
            OneChannel(),
            *_normalised_conv(1, 128, 4, nn.LeakyReLU(0.2)),  # 48 -> 23
            *_normalised_conv(128, 256, 4, nn.LeakyReLU(0.2)),  # 23 -> 10
            *_normalised_conv(256, 512, 4, nn.LeakyReLU(0.2)),  # 10 -> 4
            nn.BatchNorm2d(512),
        )
        self.to_mu = nn.Conv2d(512, latent_dim, 4, stride=2)  # 4 -> 1
        self.to_logvar = nn.Conv2d(512, latent_dim, 4, stride=2)
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (latent_dim, 1, 1)),
            *_upconv_normalised(latent_dim, 512, 3),  # 1 -> 3
            *_upconv_normalised(512, 256, 3),  # 3 -> 7
            *_upconv_normalised(256, 128, 2),  # 7 -> 14
            nn.ConvTranspose2d(128, 1, 2, stride=2),  # 14 -> 28 (sigmoid in decode)
        )

    def fit_input_scaling(self, audio: torch.Tensor) -> None:
        """Nothing to fit: the encoder's first batch norm standardises the audio."""

    def encode(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.encoder(audio)
        return self.to_mu(features).flatten(1), self.to_logvar(features).flatten(1)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decoder(z)).reshape(-1, 28, 28)


def table2_discriminator() -> nn.Sequential:
    """Table 2's discriminator: 28x28 images -> one logit each (the sigmoid is in the loss)."""
    return nn.Sequential(
        OneChannel(),
        *_normalised_conv(1, 128, 4, nn.LeakyReLU(0.2)),  # 28 -> 13
        *_normalised_conv(128, 256, 4, nn.LeakyReLU(0.2)),  # 13 -> 5
        *_normalised_conv(256, 512, 4, nn.LeakyReLU(0.2)),  # 5 -> 1
        nn.Conv2d(512, 1, 1), nn.Flatten(0),
    )


class AudioToImageVAEGAN(Adversarial, nn.Module):
    """A hearing-and-drawing generator (``encode``, ``decoder``, ``decode``) against a discriminator."""

    task = "audio-to-image"  # see kit.tasks

    def __init__(self, generator: nn.Module, discriminator: nn.Module, alpha: float, beta: float,
                 label_smoothing: float, spectral_norm: bool, reduction: str) -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction {reduction!r}: choose from {', '.join(REDUCTIONS)}")
        self.generator, self.discriminator = generator, discriminator
        self.alpha, self.beta, self.label_smoothing = alpha, beta, label_smoothing
        self.reduction = reduction
        self.latent_dim = generator.latent_dim
        if spectral_norm:
            spectral_normalised(self.discriminator)

    def generator_parameters(self):
        return self.generator.parameters()

    def fit_input_scaling(self, audio: torch.Tensor) -> None:
        self.generator.fit_input_scaling(audio)

    def encode(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior's mean and log-variance, each ``(n, latent_dim)``."""
        return self.generator.encode(audio)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1], ``(n, 28, 28)``."""
        return self.generator.decode(z)

    def generate(self, audio: torch.Tensor, sample: bool = False) -> torch.Tensor:
        """Decode the posterior mean of each clip (or, with ``sample=True``, a sample of it)."""
        mu, logvar = self.encode(audio)
        return self.decode(reparametrize(mu, logvar) if sample else mu)

    def fake_and_real(self, batch):
        audio, images = batch
        mu, logvar = self.encode(audio)
        logits = self.generator.decoder(reparametrize(mu, logvar)).reshape(-1, 28, 28)
        return torch.sigmoid(logits), images, (logits, mu, logvar)

    def generator_terms(self, batch, fake_logits, extra) -> dict[str, torch.Tensor]:
        """adversarial + alpha * reconstruction + beta * KL, reduced as the ELBO (see the module doc)."""
        logits, mu, logvar = extra
        adversarial = generator_loss(fake_logits)
        reconstruction = reconstruction_bce(logits.float(), batch[1].float()).mean()
        kl = kl_divergence(mu.float(), logvar.float()).mean()
        if self.reduction == "mean":
            reconstruction, kl = reconstruction / logits[0].numel(), kl / self.latent_dim
        return {
            "loss": adversarial + self.alpha * reconstruction + self.beta * kl,
            "adversarial": adversarial,
            "reconstruction": reconstruction,
            "kl": kl,
        }


class AIVAEGAN(AudioToImageVAEGAN):
    """The paper's Table 2 (latent 64): 7,909,382 parameters; train it with Adam at 2e-4."""

    def __init__(self, alpha: float = 1.0, beta: float = 0.5, latent_dim: int = 64,
                 label_smoothing: float = 0.0, spectral_norm: bool = False, reduction: str = "sum") -> None:
        super().__init__(Table2Generator(latent_dim), table2_discriminator(), alpha, beta,
                         label_smoothing, spectral_norm, reduction)


class FastAIVAEGAN(AudioToImageVAEGAN):
    """The course's fast variant: the FastAIVAE as the generator, a 2-layer DCGAN discriminator."""

    def __init__(self, alpha: float = 1.0, beta: float = 0.5, latent_dim: int = 64, width: int = 32,
                 label_smoothing: float = 0.0, spectral_norm: bool = False, reduction: str = "sum") -> None:
        super().__init__(FastAIVAE(latent_dim), dcgan_discriminator(width), alpha, beta, label_smoothing,
                         spectral_norm, reduction)
