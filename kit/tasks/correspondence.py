"""Do they match? The audio-visual correspondence task: match or mismatch, then retrieval (lesson 15)."""

from __future__ import annotations

import numpy as np

from ..correspondence import correspondence_data, embed, evaluate_correspondence
from ..experiments import DATASETS, SPLITS
from ..pairing import STRATEGIES
from .base import Task, TaskData


class AudioVisualCorrespondence(Task):
    """Matching and mismatching clip-image pairs; judged by held-out pairs and by retrieval both ways."""

    name = "audio-visual-correspondence"
    data_sets = DATASETS
    splits = SPLITS
    pairings = ("resampled", *(strategy for strategy in STRATEGIES if strategy != "resampled"))
    features = ("mel48",)
    tracked = "audio_to_image_mAP"
    samples_title = "nearest digit per clip"  # said→shown, for a test clip of each digit

    def data(self, config) -> TaskData:
        data = correspondence_data(config.data, config.split, config.pairing, config.seed, config.batch_size,
                                   config.quick, config.augment)
        return TaskData(data.train, None, data, data.description)

    def prepare_model(self, model, data) -> None:
        model.fit_input_scaling(data.train.audio)

    def track(self, model, data) -> dict[str, float]:
        metrics = evaluate_correspondence(model, data.test, unseen=False)
        tracked = ("audio_to_image_mAP", "image_to_audio_mAP", "correspondence_auc")
        return {key: metrics[key] for key in tracked}

    def evaluate(self, model, data) -> dict:
        return evaluate_correspondence(model, data.test)

    def samples(self, model, data):
        """For the first test clip of every digit, the test image nearest to it (labelled clip→image)."""
        test = data.test
        first = [int(np.flatnonzero(test.test_audio_labels == digit)[0]) for digit in range(10)]
        audio_embedded, image_embedded = embed(model, test.test_audio[first], test.test_images)
        nearest = model.similarity(audio_embedded, image_embedded).argmax(1).numpy()
        labels = [f"{digit}→{int(test.test_image_labels[i])}" for digit, i in enumerate(nearest)]
        return test.test_images[nearest].numpy(), labels
