"""Walking a latent space: slider axes and interpolation (lesson 6, the latent explorer app).

A 2-D latent has two natural sliders, its coordinates. A 64-D latent has too
many, and most directions change little: :func:`principal_axes` finds the
few along which the codes of real inputs spread the most (principal component
analysis), so that a handful of sliders reach most of the digits the model
can draw. :class:`LatentAxes` turns slider positions (in standard deviations)
into latent vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class LatentAxes:
    """Slider axes of a latent space: ``z = center + sum_i position_i * scales_i * directions_i``."""

    center: torch.Tensor  # (latent_dim,)
    directions: torch.Tensor  # (k, latent_dim), orthonormal rows
    scales: torch.Tensor  # (k,): one standard deviation of the codes along each direction

    def __len__(self) -> int:
        return len(self.scales)

    def point(self, positions) -> torch.Tensor:
        """Latent vectors for slider ``positions`` ``(k,)`` or ``(n, k)``, in standard deviations."""
        positions = torch.as_tensor(positions, dtype=torch.float32)
        if positions.shape[-1] != len(self):
            raise ValueError(f"expected {len(self)} slider positions, got {positions.shape[-1]}")
        return self.center + (positions * self.scales) @ self.directions

    def position(self, z: torch.Tensor) -> torch.Tensor:
        """Slider positions of latent vectors ``z`` (their projection onto the axes)."""
        return ((z - self.center) @ self.directions.T) / self.scales

    def as_dict(self) -> dict[str, torch.Tensor]:
        return {"center": self.center, "directions": self.directions, "scales": self.scales}


def prior_axes(latent_dim: int) -> LatentAxes:
    """The coordinate axes of a ``N(0, I)`` prior: one slider per latent dimension."""
    return LatentAxes(torch.zeros(latent_dim), torch.eye(latent_dim), torch.ones(latent_dim))


def principal_axes(codes: torch.Tensor, k: int = 8) -> LatentAxes:
    """The ``k`` directions along which ``codes`` ``(n, latent_dim)`` vary most, largest first."""
    codes = codes.double()
    center = codes.mean(0)
    _, singular_values, vh = torch.linalg.svd(codes - center, full_matrices=False)
    k = min(k, vh.shape[0])
    scales = singular_values[:k] / max(len(codes) - 1, 1) ** 0.5
    return LatentAxes(center.float(), vh[:k].float(), scales.float())


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int = 8) -> torch.Tensor:
    """``steps`` evenly spaced points on the straight line from ``z0`` to ``z1``: ``(steps, latent_dim)``."""
    weights = torch.linspace(0, 1, steps).unsqueeze(1)
    return (1 - weights) * z0.reshape(1, -1) + weights * z1.reshape(1, -1)
