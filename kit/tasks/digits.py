"""Read the digit from the image, the sound or both: seed 003's classification task (lessons 12-13)."""

from __future__ import annotations

import numpy as np
import torch

from ..data import SpokenDigits
from ..data.voices import unseen_scores, validation_voices
from ..features import FeatureSpec, extract, feature_spec
from ..multimodal import DATASETS, SPLITS, classification_metrics, multimodal_data, predict
from ..train import EarlyStopping
from .base import Task, TaskData

EARLY_STOPPING_PATIENCE = 10  # the report's: epochs without a better validation accuracy


@torch.no_grad()
def voice_accuracy(model, corpus: SpokenDigits, spec: FeatureSpec | None = None) -> float:
    """An audio-only model's accuracy on every clip of ``corpus`` (heard as ``spec``, by default its own)."""
    spec = feature_spec(model.audio_input.feature) if spec is None else spec
    audio = torch.from_numpy(extract(corpus, spec, progress=False))
    return float((model.eval()(audio).argmax(1).numpy() == corpus.digits).mean())


def unseen_speaker_accuracy(model) -> dict[str, float]:
    """An audio-only model's accuracy on the Speech Commands and AudioMNIST samples (never trained on).

    Skipped for models that also read an image; samples that are missing are skipped.
    """
    if model.reads != ("audio",):
        return {}
    return unseen_scores(lambda corpus: voice_accuracy(model, corpus))


def validation_voice_accuracy(model, data) -> dict[str, float]:
    """On the ``voices`` split, an audio-only model's accuracy on each validation voice set apart."""
    if model.reads != ("audio",) or data.split != "voices" or data.corpus is None:
        return {}
    held_out = data.corpus.subset(np.unique(data.test.clips))
    return {f"{key}_accuracy": round(voice_accuracy(model, clips), 4)
            for key, clips in validation_voices(held_out).items()}


class DigitClassification(Task):
    """Images paired with same-digit recordings; each model reads its sense(s), scored on the test pairs."""

    name = "digit-classification"
    data_sets = DATASETS
    splits = SPLITS
    features = ("mfcc39x13", "mel48")
    tracked = "val_accuracy"

    def data(self, config) -> TaskData:
        data = multimodal_data(config.data, config.split, config.seed, config.quick, config.features,
                               config.augment, config.augmentation)
        return TaskData(
            data.train.batches(config.batch_size, True, config.seed),
            data.val.batches(1000, False),
            data,
            data.description,
        )

    def prepare_model(self, model, data) -> None:
        model.fit_input_scaling(torch.from_numpy(data.test.train.audio))

    def callbacks(self, config) -> list:
        return [EarlyStopping("val_accuracy", EARLY_STOPPING_PATIENCE, mode="max")]

    def track(self, model, data) -> dict[str, float]:
        return {}  # the validation accuracy is in every epoch's record already

    def evaluate(self, model, data) -> dict:
        predicted, _ = predict(model, data.test.test)
        return (classification_metrics(predicted, data.test.test.labels) | unseen_speaker_accuracy(model)
                | validation_voice_accuracy(model, data.test))

    def samples(self, model, data):
        """The first test images the model reads wrongly (what it saw, labelled with its guess)."""
        test = data.test.test
        predicted, _ = predict(model, test)
        wrong = np.flatnonzero(predicted != test.labels)[:20]
        return test.images[wrong], [f"{int(test.labels[i])}→{int(predicted[i])}" for i in wrong]
