"""MNIST tasks: classify a digit (LeNet-5, lesson 4) and reconstruct one (AEs and VAEs, lessons 5-6)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import f1_score

from ..judges import judge_samples
from ..train import image_batches
from .base import Task, TaskData

QUICK_IMAGES = (6000, 1000)  # train and test images in quick mode (a seeded random subset)


def _mnist(config) -> TaskData:
    limits = QUICK_IMAGES if config.quick else (None, None)
    train = image_batches("train", config.batch_size, limit=limits[0], seed=config.seed)
    test = image_batches("test", 1000, limit=limits[1], seed=config.seed, shuffle=False)
    return TaskData(
        train, test, test, f"MNIST: {len(train.tensors[0])} train and {len(test.tensors[0])} test images"
    )


class ImageClassification(Task):
    """Read the digit: the model's own test accuracy and macro-F1."""

    name = "image-classification"
    data_sets = ("mnist",)

    def data(self, config) -> TaskData:
        return _mnist(config)

    @torch.no_grad()
    def evaluate(self, model, data) -> dict:
        images, labels = data.test.tensors
        predicted = model.eval()(images).argmax(1).numpy()
        return {
            "test_accuracy": float((predicted == labels.numpy()).mean()),
            "test_macro_f1": float(f1_score(labels.numpy(), predicted, average="macro")),
            "count": len(labels),
        }

    def samples(self, model, data):
        images, labels = data.test.tensors
        return images[:20].numpy(), labels[:20].tolist()


class ImageReconstruction(Task):
    """Encode a digit and draw it back: LeNet reads each reconstruction (accuracy, diversity, Fréchet)."""

    name = "image-reconstruction"
    data_sets = ("mnist",)

    def data(self, config) -> TaskData:
        return _mnist(config)

    def _reconstructions(self, model, data) -> np.ndarray:
        images, _ = data.test.tensors
        with torch.no_grad():
            return model.eval().generate(images).numpy()

    def evaluate(self, model, data) -> dict:
        images, labels = data.test.tensors
        return judge_samples(
            "image", self._reconstructions(model, data), labels.numpy(), images.numpy(), labels.numpy()
        )

    def samples(self, model, data):
        return self._reconstructions(model, data)[:20], data.test.tensors[1][:20].tolist()
