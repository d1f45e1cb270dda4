"""Image autoencoders and VAEs, MLP and convolutional (lessons 5 and 6).

``latent_dim=2`` gives a latent space you can draw as a map.
"""

from __future__ import annotations

from torch import nn

from .vae import Autoencoder, OneChannel, VariationalAutoencoder

FEATURES = 256


def mlp_encoder() -> nn.Module:
    """28x28 image -> 256 features."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, FEATURES), nn.ReLU())


def mlp_decoder(latent_dim: int) -> nn.Module:
    """Latent vector -> 784 pixel logits."""
    return nn.Sequential(nn.Linear(latent_dim, FEATURES), nn.ReLU(), nn.Linear(FEATURES, 512), nn.ReLU(),
                         nn.Linear(512, 784))


def conv_encoder() -> nn.Module:
    """28x28 image -> 256 features through two stride-2 convolutions (28 -> 14 -> 7)."""
    return nn.Sequential(
        OneChannel(),
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, FEATURES), nn.ReLU(),
    )


def conv_decoder(latent_dim: int) -> nn.Module:
    """Latent vector -> 28x28 pixel logits through two transposed convolutions (7 -> 14 -> 28)."""
    return nn.Sequential(
        nn.Linear(latent_dim, FEATURES), nn.ReLU(), nn.Linear(FEATURES, 64 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1),
    )


class MlpAE(Autoencoder):
    """Fully connected autoencoder 784-512-256-latent-256-512-784."""

    def __init__(self, latent_dim: int = 2) -> None:
        super().__init__(mlp_encoder(), mlp_decoder(latent_dim), FEATURES, latent_dim)


class ConvAE(Autoencoder):
    """Convolutional autoencoder (two stride-2 convolutions each way)."""

    def __init__(self, latent_dim: int = 2) -> None:
        super().__init__(conv_encoder(), conv_decoder(latent_dim), FEATURES, latent_dim)


class MlpVAE(VariationalAutoencoder):
    """Fully connected VAE, the architecture of Kingma and Welling's MNIST experiments, deeper."""

    def __init__(self, latent_dim: int = 2, kl_weight: float = 1.0, kl_warmup_steps: int = 0) -> None:
        super().__init__(mlp_encoder(), mlp_decoder(latent_dim), FEATURES, latent_dim, kl_weight,
                         kl_warmup_steps)


class ConvVAE(VariationalAutoencoder):
    """Convolutional VAE."""

    def __init__(self, latent_dim: int = 2, kl_weight: float = 1.0, kl_warmup_steps: int = 0) -> None:
        super().__init__(conv_encoder(), conv_decoder(latent_dim), FEATURES, latent_dim, kl_weight,
                         kl_warmup_steps)
