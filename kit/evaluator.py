"""The LeNet-5 judge: trained once on MNIST, then reused by every evaluation (lesson 4).

The paper measures an audio-to-image model by asking a pretrained MNIST
classifier which digit each generated image shows. :func:`load_lenet` gives
that classifier from the zoo (trained with :func:`train_lenet`, never
fine-tuned on generated images: a judge that learns from the contestants
stops being a judge).
"""

from __future__ import annotations

import numpy as np
import torch

from . import zoo
from .config import pick
from .data import load_digit_images
from .models import LeNet5
from .train import Run, Trainer, image_batches, seed_everything


def digit_tensors(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST ``split`` (or the embedded digits) as float images in [0, 1] and labels."""
    digits = load_digit_images(split)
    return torch.from_numpy(digits.as_float()), torch.from_numpy(digits.labels)


def train_lenet(epochs: int | None = None, seed: int = 0, run: Run | None = None,
                progress: bool = True, limit: int | None = None) -> LeNet5:
    """LeNet-5 with Adam (lr 1e-3, batch 128) on the MNIST training set; 10 epochs by default.

    ``limit`` trains on a seeded random subset of that many images (a quick experiment).
    """
    epochs = epochs if epochs is not None else pick(10, 1)
    seed_everything(seed)
    model = LeNet5()
    Trainer(epochs, lr=1e-3, seed=seed, run=run, progress=progress).fit(
        model, image_batches("train", 128, limit=limit, seed=seed),
        image_batches("test", 1000, shuffle=False))
    return model


@torch.no_grad()
def accuracy(model: LeNet5, images, labels) -> float:
    """Fraction of ``images`` (in [0, 1]) that ``model`` reads as ``labels``."""
    model.eval()
    predicted = model(torch.as_tensor(np.asarray(images, dtype=np.float32))).argmax(1).numpy()
    return float((predicted == np.asarray(labels)).mean())


def load_lenet() -> LeNet5:
    """The zoo's LeNet-5 (see ``kit/zoo/manifest.json`` for how it was trained and its accuracy)."""
    return zoo.load("lenet5")
