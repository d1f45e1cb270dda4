"""Hear a spoken digit, draw it: the paper's audio-to-image task (AIVAE and its variants, lessons 7-8)."""

from __future__ import annotations

import numpy as np
import torch

from ..data.voices import validation_voices
from ..experiments import (
    DATASETS,
    SPLITS,
    CrossModalData,
    active_dimensions,
    cross_modal_data,
    evaluate_generator,
    generate,
    spoken_digit_accuracy,
    unseen_voice_accuracy,
)
from ..judges import JUDGES, load_judge
from ..pairing import STRATEGIES
from .base import Task, TaskData


def held_out_voice_accuracy(model, data: CrossModalData, judge) -> dict[str, float]:
    """On the ``voices`` split: how often ``judge`` reads the digit drawn for each validation voice set's
    clips as the spoken one, set by set (:func:`kit.data.voices.validation_voices`)."""
    if data.split != "voices":
        return {}
    return {f"{key}_accuracy": round(spoken_digit_accuracy(model, clips, judge), 4)
            for key, clips in validation_voices(data.test_clips).items()}


class AudioToImage(Task):
    """Paired clips and images; LeNet reads the digit drawn for each test clip (the paper's Table 4)."""

    name = "audio-to-image"
    data_sets = DATASETS
    splits = SPLITS
    pairings = STRATEGIES
    features = ("mel48", "mfcc40mean")
    tracked = "test_accuracy"

    def data(self, config) -> TaskData:
        data = cross_modal_data(
            config.data,
            config.split,
            config.pairing,
            config.seed,
            config.batch_size,
            config.quick,
            augment_copies=config.augment,
            feature=config.features,
            augment_steps=config.augmentation,
        )
        return TaskData(data.train, None, data, data.description)

    def check(self, config) -> None:
        super().check(config)
        from ..models import MODELS

        heard = getattr(MODELS[config.model], "hears", "mel48")
        if config.features != heard:
            raise ValueError(f"{config.model} hears {heard}, not {config.features}")

    def prepare_model(self, model, data) -> None:
        model.fit_input_scaling(data.train.audio)

    def track(self, model, data) -> dict[str, float]:
        return {
            "test_accuracy": evaluate_generator(model, data.test, load_judge("image"))["accuracy"],
            "active_dims": active_dimensions(model, data.test),
        }

    def evaluate(self, model, data) -> dict:
        judge = load_judge("image")
        return {
            "judge": JUDGES["image"],
            **evaluate_generator(model, data.test, judge),
            **unseen_voice_accuracy(model, judge),
            **held_out_voice_accuracy(model, data.test, judge),
        }

    def samples(self, model, data):
        """The digit drawn for the first test pair of every digit."""
        test = data.test.test
        audio = test.audio[torch.from_numpy(test.audio_index)]
        first = [int(np.flatnonzero(test.labels == digit)[0]) for digit in range(10)]
        return generate(model, audio[first]), list(range(10))
