"""What every autoencoder of the course shares: the latent bottleneck and the ELBO (lessons 5-8).

:class:`Autoencoder` and :class:`VariationalAutoencoder` take an encoder (input
to a feature vector) and a decoder (latent vector to 28x28 image *logits*);
the image AE/VAEs and AIVAE only choose those two networks and what goes in.

The VAE loss is the negative ELBO of the paper's Eq. (1) and (3), per example:

    BCE(image, decoder(z)) summed over the 784 pixels + kl_weight * KL(q(z|x) || N(0, I)),

with z = mu + sigma * eps (the reparametrisation trick). ``kl_warmup_steps``
raises the KL weight linearly from 0 over the first optimisation steps,
which keeps the posterior from collapsing onto the prior early on (lesson 8);
the :class:`~kit.train.Trainer` counts the steps and passes them to ``loss``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class OneChannel(nn.Module):
    """``(n, h, w)`` or ``(n, 1, h, w)`` -> ``(n, 1, h, w)``: images and spectrograms enter convolutions."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(-1, 1, *x.shape[-2:])


def reparametrize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """A sample ``mu + sigma * eps`` with ``eps ~ N(0, I)``, differentiable in ``mu`` and ``logvar``."""
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """``KL(N(mu, sigma^2) || N(0, 1))`` summed over latent dimensions: ``(n,)``."""
    return 0.5 * (mu.square() + logvar.exp() - 1 - logvar).sum(dim=1)


def reconstruction_bce(logits: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of images in [0, 1] under decoder logits, summed over pixels: ``(n,)``."""
    per_pixel = F.binary_cross_entropy_with_logits(logits, images.reshape(logits.shape), reduction="none")
    return per_pixel.flatten(1).sum(dim=1)


def elbo(logits, images, mu, logvar, kl_weight: float = 1.0) -> dict[str, torch.Tensor]:
    """The negative ELBO averaged over the batch, with its two terms for logging."""
    reconstruction = reconstruction_bce(logits, images).mean()
    kl = kl_divergence(mu, logvar).mean()
    return {"loss": reconstruction + kl_weight * kl, "reconstruction": reconstruction, "kl": kl}


class Autoencoder(nn.Module):
    """Deterministic bottleneck: ``encoder -> Linear -> z -> decoder``; loss = summed BCE."""

    task = "image-reconstruction"  # see kit.tasks

    def __init__(self, encoder: nn.Module, decoder: nn.Module, feature_dim: int, latent_dim: int) -> None:
        super().__init__()
        self.encoder, self.decoder, self.latent_dim = encoder, decoder, latent_dim
        self.to_latent = nn.Linear(feature_dim, latent_dim)

    def inputs_and_targets(self, batch):
        """Image autoencoders reconstruct their input; labels, if any, are ignored."""
        images = batch[0] if isinstance(batch, (tuple, list)) else batch
        return images, images

    def encode(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.to_latent(self.encoder(inputs))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1], ``(n, 28, 28)``."""
        return torch.sigmoid(self.decoder(z)).reshape(-1, 28, 28)

    def generate(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(inputs))

    def loss(self, batch) -> dict[str, torch.Tensor]:
        inputs, targets = self.inputs_and_targets(batch)
        reconstruction = reconstruction_bce(self.decoder(self.encode(inputs)), targets).mean()
        return {"loss": reconstruction, "reconstruction": reconstruction}


class VariationalAutoencoder(nn.Module):
    """``encoder -> (mu, logvar) -> z = mu + sigma * eps -> decoder``; loss = negative ELBO."""

    task = "image-reconstruction"  # see kit.tasks

    def __init__(self, encoder: nn.Module, decoder: nn.Module, feature_dim: int, latent_dim: int,
                 kl_weight: float = 1.0, kl_warmup_steps: int = 0, init_logvar: float = 0.0) -> None:
        super().__init__()
        self.encoder, self.decoder, self.latent_dim = encoder, decoder, latent_dim
        self.kl_weight, self.kl_warmup_steps = kl_weight, kl_warmup_steps
        self.to_mu = nn.Linear(feature_dim, latent_dim)
        self.to_logvar = nn.Linear(feature_dim, latent_dim)
        nn.init.constant_(self.to_logvar.bias, init_logvar)  # small initial variance: see lesson 8
        self._register_load_state_dict_pre_hook(_drop_step_counter)

    inputs_and_targets = Autoencoder.inputs_and_targets

    def encode(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior's mean and log-variance, each ``(n, latent_dim)``."""
        features = self.encoder(inputs)
        return self.to_mu(features), self.to_logvar(features)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1], ``(n, 28, 28)``."""
        return torch.sigmoid(self.decoder(z)).reshape(-1, 28, 28)

    def generate(self, inputs: torch.Tensor, sample: bool = False) -> torch.Tensor:
        """Decode the posterior mean (or, with ``sample=True``, a sample of it)."""
        mu, logvar = self.encode(inputs)
        return self.decode(reparametrize(mu, logvar) if sample else mu)

    def current_kl_weight(self, step: int | None = None) -> float:
        """The KL weight at optimisation step ``step`` (1 = the first); the full weight when ``None``."""
        if self.kl_warmup_steps <= 0 or step is None:
            return self.kl_weight
        return self.kl_weight * min(1.0, (step - 1) / self.kl_warmup_steps)

    def loss(self, batch, step: int | None = None) -> dict[str, torch.Tensor]:
        """The negative ELBO of ``batch``; ``step`` (from the Trainer) sets the KL warm-up's weight."""
        inputs, targets = self.inputs_and_targets(batch)
        mu, logvar = self.encode(inputs)
        logits = self.decoder(reparametrize(mu, logvar))
        return elbo(logits, targets, mu, logvar, self.current_kl_weight(step))


def _drop_step_counter(state_dict, prefix, *args) -> None:
    """Checkpoints made before the Trainer owned the step count hold a ``steps`` buffer: ignore it."""
    state_dict.pop(prefix + "steps", None)
