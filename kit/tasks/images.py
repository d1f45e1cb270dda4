"""MNIST tasks: classify a digit (lesson 4), reconstruct one (lessons 5-6), draw new ones (GANs, lesson 9)."""

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


class ImageGeneration(Task):
    """Draw new digits from noise: LeNet groups them by the digit it reads (diversity, Fréchet, prdc).

    Nobody asks for a digit, so there is no accuracy: the samples are as many
    as the test images, compared with them; ``read_as`` counts how many were
    read as each digit (a generator that never draws a 7 has dropped a mode).
    """

    name = "image-generation"
    data_sets = ("mnist",)
    tracked = "diversity"
    track_samples = 1000

    def data(self, config) -> TaskData:
        data = _mnist(config)
        return TaskData(data.train, None, data.test, data.description)

    def _samples(self, model, count: int) -> np.ndarray:
        was_training = model.training
        try:
            return model.eval().sample(count).cpu().numpy()
        finally:
            model.train(was_training)

    def track(self, model, data) -> dict[str, float]:
        images, labels = data.test.tensors
        count = min(self.track_samples, len(images))
        judged = judge_samples(
            "image", self._samples(model, count), None, images[:count].numpy(), labels[:count].numpy()
        )
        return {"diversity": judged["diversity"], "frechet": judged["frechet"]}

    def evaluate(self, model, data) -> dict:
        images, labels = data.test.tensors
        return judge_samples("image", self._samples(model, len(images)), None, images.numpy(), labels.numpy())

    def samples(self, model, data):
        return self._samples(model, 20), [""] * 20
