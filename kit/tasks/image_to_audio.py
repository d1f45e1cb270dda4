"""See a handwritten digit, say it: the paper's question turned around (the IAVAE, lesson 17)."""

from __future__ import annotations

import numpy as np
import torch

from .. import voicing
from ..config import pick, quick_mode
from ..experiments import DATASETS, SPLITS, cross_modal_data
from ..pairing import STRATEGIES
from .base import Task, TaskData


class ImageToAudio(Task):
    """The audio-to-image pairs read the other way; the audio judge hears what is said for test images."""

    name = "image-to-audio"
    data_sets = DATASETS
    splits = SPLITS
    pairings = STRATEGIES
    features = ("logstft",)
    samples_title = "what it says for a test image of each digit (log-STFT, low frequencies at the bottom)"

    def data(self, config) -> TaskData:
        data = cross_modal_data(config.data, config.split, config.pairing, config.seed, config.batch_size,
                                config.quick, augment_copies=config.augment, feature=config.features,
                                augment_steps=config.augmentation)
        return TaskData(data.train, None, data, data.description)

    def prepare_model(self, model, data) -> None:
        model.fit_output_scaling(data.train.audio)

    def evaluate(self, model, data) -> dict:
        """The audio judge and PocketSphinx on what is said for the first
        :data:`~kit.voicing.EVALUATED_IMAGES` test images, the voices' diversity against
        resynthesised training clips (and both judges on those: the ceiling), and the round trip
        on the test clips (a random subset of as many in quick mode)."""
        images, clips, held_out = data.test.test_images, data.test.train_clips, data.test.test_clips
        count = min(len(images), pick(*voicing.EVALUATED_IMAGES))
        spoken = voicing.voices(model, images.as_float()[:count])
        reference = voicing.random_subset(clips, pick(*voicing.REFERENCE_CLIPS))
        real = voicing.resynthesise(reference.waveforms(progress=False))
        judged = voicing.heard(spoken, images.labels[:count], real, reference.digits)
        ceiling = voicing.heard(real, reference.digits, real, reference.digits)["accuracy"]
        return {
            **judged,
            "sphinx_accuracy": voicing.sphinx_accuracy(spoken, images.labels[:count]),
            "resynthesised_accuracy": ceiling,
            "resynthesised_sphinx_accuracy": voicing.sphinx_accuracy(real, reference.digits),
            **voicing.round_trip(model, voicing.random_subset(held_out, count) if quick_mode() else held_out),
        }

    def samples(self, model, data):
        """The scaled spectrogram said for the first test image of every digit, turned for a picture."""
        images = data.test.test_images
        first = [int(np.flatnonzero(images.labels == digit)[0]) for digit in range(10)]
        with torch.no_grad():
            spoken = model.eval().generate(torch.from_numpy(images.as_float()[first])).numpy()
        return spoken[:, ::-1].copy(), list(range(10))
