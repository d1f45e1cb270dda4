"""Speak a digit: VAEs that encode and decode log-STFT spectrograms, judged by ear-less judges (lesson 16)."""

from __future__ import annotations

import numpy as np
import torch

from ..judges import hear
from ..speaking import DATASETS, SPLITS, judge_speech, speak, speech_data
from ..train import Batches
from .base import Task, TaskData

PRIOR_SAMPLES = (1000, 200)  # prior samples judged in full and in quick mode


class AudioGeneration(Task):
    """Spoken-digit spectrograms in, the same out, any latent point to sound; the audio judge listens."""

    name = "audio-generation"
    data_sets = DATASETS
    splits = SPLITS
    features = ("logstft",)
    samples_title = "reconstructed test clips (said) and prior samples (heard as), log-STFT"

    def data(self, config) -> TaskData:
        data = speech_data(config.data, config.split, config.seed, config.quick, config.augment,
                           config.augmentation)
        return TaskData(
            Batches(data.train, torch.from_numpy(data.train_digits), batch_size=config.batch_size,
                    seed=config.seed),
            Batches(data.val, torch.from_numpy(data.val_digits), batch_size=500, shuffle=False),
            data,
            data.description,
        )

    def prepare_model(self, model, data) -> None:
        model.fit_input_scaling(data.test.train)

    def evaluate(self, model, data) -> dict:
        return judge_speech(model, data.test, samples=PRIOR_SAMPLES[len(data.test.train) < 1000])

    @torch.no_grad()
    def samples(self, model, data):
        """The reconstruction of a test clip of each digit, then ten prior samples (low frequencies down)."""
        test = data.test
        first = [int(np.flatnonzero(test.test_digits == digit)[0]) for digit in range(10)
                 if (test.test_digits == digit).any()]
        rebuilt = model.eval().decode(model.encode(test.test[first])[0])
        z = model.prior_points(10, torch.Generator().manual_seed(0))
        heard = hear(speak(model, z)).argmax(1)
        pictures = torch.cat([rebuilt, model.decode(z)]).numpy()[:, ::-1]
        labels = [f"said {int(test.test_digits[i])}" for i in first] + [f"heard {d}" for d in heard]
        return np.ascontiguousarray(pictures), labels
