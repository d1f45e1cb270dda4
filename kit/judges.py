"""Judges: trained classifiers that read what a generator made (lessons 4, 7, 9-11, 16, 17).

A generated digit image is judged by LeNet-5 (:mod:`kit.evaluator`); generated
sound by seed 003's AudioNet_CNN trained on many voices (lesson 12, the zoo's
``audionet-cnn``): :func:`hear` gives its probabilities for waveforms. A judge is a network
with ``embed(x) -> features`` and ``classifier(features) -> logits``, so that
:mod:`kit.metrics` can use any of them. Every metric a run reports names its
judge (``"judge": "lenet5"``): "LeNet reads the generated digit as the
spoken one" is a different number from LeNet's own test accuracy.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

from . import zoo
from .features import feature_spec
from .metrics import evaluate_images

#: The zoo entry that judges each kind of generated sample.
JUDGES: dict[str, str] = {"image": "lenet5", "audio": "audionet-cnn"}


@cache
def load_judge(modality: str) -> torch.nn.Module:
    """The zoo's judge of ``modality`` (``"image"`` or ``"audio"``), in evaluation mode (loaded once)."""
    if modality not in JUDGES:
        raise KeyError(f"no judge for {modality!r} samples yet; judges exist for: {', '.join(JUDGES)}")
    return zoo.load(JUDGES[modality])


def judge_samples(modality: str, samples, labels, reference, reference_labels) -> dict:
    """:func:`kit.metrics.evaluate_images` by the judge of ``modality``, with the judge's name in the result.

    ``labels=None`` for samples nobody asked a digit of (see :func:`kit.metrics.evaluate_images`).
    """
    judged = evaluate_images(samples, labels, load_judge(modality), reference, reference_labels)
    return {"judge": JUDGES[modality], **judged}


@torch.no_grad()
def hear(waveforms) -> np.ndarray:
    """The audio judge's digit probabilities for each waveform (mono, 8 kHz): ``(n, 10)``.

    The waveforms go through the judge's own features (its ``audio_input``),
    exactly as the recordings it was trained on.
    """
    judge = load_judge("audio")
    features = feature_spec(judge.audio_input.feature)([np.asarray(y, np.float32) for y in waveforms])
    return torch.softmax(judge(torch.from_numpy(features)), dim=1).numpy()
