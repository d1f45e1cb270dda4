"""A DCGAN that draws MNIST digits from noise (lesson 9; Radford et al. 2016).

Generator: a 64-dimensional noise vector, up-convolved 1 -> 7 -> 14 -> 28
with batch normalisation and ReLU, sigmoid output. Discriminator: strided
convolutions 28 -> 14 -> 7 with LeakyReLU(0.2) and a 7x7 convolution to one
logit; no batch normalisation on its first layer (DCGAN's rule). Both are
small (``width`` sets the channels) so that a laptop CPU draws recognisable
digits within minutes.

``generator_loss``: ``"non-saturating"`` (default) or ``"minimax"`` (lesson 9
shows it stall); ``label_smoothing`` and ``spectral_norm`` are the two
stabilisers of :mod:`kit.models.adversarial`, both off by default.
"""

from __future__ import annotations

import torch
from torch import nn

from .adversarial import GENERATOR_LOSSES, Adversarial, generator_loss, spectral_normalised
from .vae import OneChannel


def dcgan_generator(latent_dim: int, width: int) -> nn.Sequential:
    """Noise ``(n, latent_dim)`` -> image logits ``(n, 1, 28, 28)``, initialised as DCGAN's."""
    return _dcgan_initialised(
        nn.Unflatten(1, (latent_dim, 1, 1)),
        nn.ConvTranspose2d(latent_dim, 2 * width, 7, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(),  # 7
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),  # 14
        nn.ConvTranspose2d(width, 1, 4, 2, 1),  # 28
    )


def dcgan_discriminator(width: int) -> nn.Sequential:
    """Images ``(n, 28, 28)`` in [0, 1] -> logits ``(n,)``, initialised as DCGAN's."""
    return _dcgan_initialised(
        OneChannel(),
        nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),  # 14
        nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),  # 7
        nn.Conv2d(2 * width, 1, 7), nn.Flatten(0),  # 1 logit
    )


class DCGAN(Adversarial, nn.Module):
    """An unconditional digit generator and its critic, trained by the alternating step."""

    task = "image-generation"  # see kit.tasks

    def __init__(self, latent_dim: int = 64, width: int = 32, generator_loss: str = "non-saturating",
                 label_smoothing: float = 0.0, spectral_norm: bool = False) -> None:
        super().__init__()
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss {generator_loss!r}: choose from {', '.join(GENERATOR_LOSSES)}")
        self.latent_dim, self.generator_loss = latent_dim, generator_loss
        self.label_smoothing = label_smoothing
        self.generator = dcgan_generator(latent_dim, width)
        self.discriminator = dcgan_discriminator(width)
        if spectral_norm:
            spectral_normalised(self.discriminator)

    def generator_parameters(self):
        return self.generator.parameters()

    def sample_noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.latent_dim, device=next(self.parameters()).device)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1], ``(n, 28, 28)``, drawn for noise vectors ``z``."""
        return torch.sigmoid(self.generator(z)).reshape(-1, 28, 28)

    @torch.no_grad()
    def sample(self, n: int) -> torch.Tensor:
        """``n`` new digits from fresh noise (in evaluation mode: batch norm uses its running statistics)."""
        return self.decode(self.sample_noise(n))

    def fake_and_real(self, batch):
        real = batch[0]
        return self.decode(self.sample_noise(len(real))), real, None

    def generator_terms(self, batch, fake_logits, extra) -> dict[str, torch.Tensor]:
        adversarial = generator_loss(fake_logits, self.generator_loss)
        return {"loss": adversarial, "g_loss": adversarial}


def _dcgan_initialised(*layers: nn.Module) -> nn.Sequential:
    """The layers in sequence, initialised as DCGAN's: N(0, 0.02) weights, batch-norm scales N(1, 0.02)."""
    for module in layers:
        if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(module.weight, 0.0, 0.02)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)
    return nn.Sequential(*layers)
