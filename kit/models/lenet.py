"""LeNet-5, the course's judge of generated digits (lesson 4; the paper's Table 3).

The paper's table is garbled; this is the classic network it names (LeCun et
al., 1998) with ReLU and max-pooling as the table says: the 28x28 digit is
padded to 32x32, then conv 5x5x6, pool, conv 5x5x16, pool, conv 5x5x120,
FC 84, FC 10. 61,706 parameters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class LeNet5(nn.Module):
    """Classifies 28x28 digit images in [0, 1] (any leading shape ``(n, 28, 28)`` or ``(n, 1, 28, 28)``)."""

    task = "image-classification"  # see kit.tasks

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),  # 32 -> 28 -> 14
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),  # 14 -> 10 -> 5
            nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(),  # 5 -> 1
            nn.Linear(120, 84), nn.ReLU(),
        )
        self.classifier = nn.Linear(84, 10)

    @staticmethod
    def _prepare(images: torch.Tensor) -> torch.Tensor:
        if tuple(images.shape[-2:]) != (28, 28):
            raise ValueError(f"LeNet5 reads 28x28 digits, not images shaped {tuple(images.shape)}")
        images = images.reshape(-1, 1, 28, 28).float()
        return F.pad(images, (2, 2, 2, 2))

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """The 84-dimensional penultimate features (used for diversity and Fréchet distance)."""
        return self.features(self._prepare(images))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits ``(n, 10)``."""
        return self.classifier(self.embed(images))

    def loss(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        images, labels = batch
        logits = self(images)
        return {"loss": F.cross_entropy(logits, labels),
                "accuracy": (logits.argmax(1) == labels).float().mean()}
