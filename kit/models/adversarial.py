"""What every GAN of the course shares: the two losses, the alternating step, the stabilisers (lessons 9-11).

A discriminator ``D`` outputs a *logit* (its sigmoid is the probability that
the image is real). With ``BCE(logit, target)`` the binary cross-entropy:

* discriminator: ``BCE(D(real), 1) + BCE(D(fake), 0)``; with
  ``label_smoothing = s`` the real target is ``1 - s`` (Salimans et al. 2016:
  a discriminator that may never be fully sure gives the generator gradients
  for longer);
* generator, **minimax** (Goodfellow's game as written): minimise
  ``log(1 - D(G(z)))``. When the discriminator wins early, ``D(G(z))`` is near
  0 and this curve is flat: the generator's gradient vanishes and it stalls;
* generator, **non-saturating** (what everyone trains): maximise
  ``log D(G(z))``, i.e. ``BCE(D(fake), 1)``: the same fixed point, strong
  gradients exactly when the generator is losing.

:class:`Adversarial` is a mixin for models with ``self.discriminator`` and a
generator: it gives :class:`~kit.train.Trainer` two Adam optimisers
(discriminator first) and a ``training_step`` that takes one discriminator
step and one generator step per batch, the model-owned step of the Trainer's
contract. Each step also returns health terms, averaged per epoch by the
Trainer: ``d_real`` and ``d_fake`` (the discriminator's mean belief),
``d_wins`` (fraction of steps with a discriminator loss within
:data:`WINNING_LOSS` of the best it can reach: near 1 = the discriminator
has won, the generator gets no signal) and ``batch_diversity`` (mean pairwise distance of the generated
images over that of the real ones in the batch: near 0 = mode collapse);
:class:`~kit.train.callbacks.CollapseWatch` reads them.

Spectral normalisation (Miyato et al. 2018) divides each discriminator
weight by its largest singular value, so the discriminator cannot become
arbitrarily steep: :func:`spectral_normalised` applies it to a network.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

GENERATOR_LOSSES = ("non-saturating", "minimax")
WINNING_LOSS = 0.05  # within this of its best loss, the discriminator tells real from fake almost perfectly


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, label_smoothing: float = 0.0):
    """``BCE(D(real), 1 - label_smoothing) + BCE(D(fake), 0)``, each averaged over the batch."""
    real = F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 1 - label_smoothing))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def generator_loss(fake_logits: torch.Tensor, kind: str = "non-saturating") -> torch.Tensor:
    """The generator's adversarial loss: ``-log D(G(z))`` (non-saturating) or ``log(1 - D(G(z)))``."""
    if kind == "non-saturating":
        return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    if kind == "minimax":
        return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    raise ValueError(f"generator loss {kind!r}: choose from {', '.join(GENERATOR_LOSSES)}")


def spectral_normalised(network: nn.Module) -> nn.Module:
    """``network`` with spectral normalisation on every convolution and linear layer (in place)."""
    for name, child in network.named_children():
        if isinstance(child, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            setattr(network, name, nn.utils.parametrizations.spectral_norm(child))
        else:
            spectral_normalised(child)
    return network


def relative_spread(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Mean pairwise distance of the fake images over that of the real ones (pixels): 1 = as varied."""

    def spread(images: torch.Tensor) -> torch.Tensor:
        flat = images.detach().float().flatten(1)
        return torch.pdist(flat).mean() if len(flat) > 1 else flat.new_tensor(float("nan"))

    return spread(fake) / spread(real).clamp_min(1e-8)


class Adversarial:
    """Mixin: two optimisers and the alternating step; the model provides the pieces below.

    ``self.discriminator``: images -> logits ``(n,)``. ``self.generator_parameters()``:
    what the generator step updates. ``self.fake_and_real(batch)``: generated
    images (differentiable) and real images, plus whatever
    ``self.generator_terms`` needs. ``self.generator_terms(batch, fake_logits, extra)``:
    the generator's loss terms (``"loss"`` included).
    """

    betas = (0.5, 0.999)  # DCGAN's Adam: a short memory for a moving target
    label_smoothing: float = 0.0

    def configure_optimizers(self, lr: float) -> list[torch.optim.Optimizer]:
        """Adam for the discriminator, then Adam for the generator (the paper: 2e-4 for both)."""
        return [
            torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=self.betas),
            torch.optim.Adam(self.generator_parameters(), lr=lr, betas=self.betas),
        ]

    def training_step(self, batch, optimizers, step: int) -> dict[str, torch.Tensor]:
        """One discriminator step on real and (detached) fake images, then one generator step."""
        d_optimizer, g_optimizer = optimizers
        fake, real, extra = self.fake_and_real(batch)
        real_logits = self.discriminator(real)
        fake_logits = self.discriminator(fake.detach())
        d_loss = discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        d_optimizer.step()

        terms = self.generator_terms(batch, self.discriminator(fake), extra)
        g_optimizer.zero_grad(set_to_none=True)
        terms["loss"].backward()
        g_optimizer.step()
        with torch.no_grad():
            health = {
                "d_loss": d_loss.detach(),
                "d_real": torch.sigmoid(real_logits.detach().float()).mean(),
                "d_fake": torch.sigmoid(fake_logits.detach().float()).mean(),
                "d_wins": (d_loss.detach() < self._lowest_d_loss() + WINNING_LOSS).float(),
                "batch_diversity": relative_spread(fake, real),
            }
        return {key: value.detach() for key, value in terms.items()} | health

    def _lowest_d_loss(self) -> float:
        """The discriminator's best possible loss: 0, or with smoothing s the entropy of the target 1 - s."""
        s = self.label_smoothing
        return 0.0 if s <= 0 else -(1 - s) * math.log(1 - s) - s * math.log(s)

    def loss(self, batch) -> dict[str, torch.Tensor]:
        """The generator's and the discriminator's losses on ``batch``, without a step (validation)."""
        fake, real, extra = self.fake_and_real(batch)
        fake_logits = self.discriminator(fake)
        terms = self.generator_terms(batch, fake_logits, extra)
        return terms | {
            "d_loss": discriminator_loss(self.discriminator(real), fake_logits, self.label_smoothing)
        }
