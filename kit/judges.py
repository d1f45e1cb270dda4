"""Judges: trained classifiers that read what a generator made (lessons 4, 7, 9-11).

A generated digit image is judged by LeNet-5 (:mod:`kit.evaluator`); generated
sound will be judged by an audio classifier (lesson 12). A judge is a network
with ``embed(x) -> features`` and ``classifier(features) -> logits``, so that
:mod:`kit.metrics` can use any of them. Every metric a run reports names its
judge (``"judge": "lenet5"``): "LeNet reads the generated digit as the
spoken one" is a different number from LeNet's own test accuracy.
"""

from __future__ import annotations

from functools import cache

import torch

from . import zoo
from .metrics import evaluate_images

#: The zoo entry that judges each kind of generated sample.
JUDGES: dict[str, str] = {"image": "lenet5"}


@cache
def load_judge(modality: str) -> torch.nn.Module:
    """The zoo's judge of ``modality`` (``"image"``), in evaluation mode (loaded once per process)."""
    if modality not in JUDGES:
        raise KeyError(f"no judge for {modality!r} samples yet; judges exist for: {', '.join(JUDGES)}")
    return zoo.load(JUDGES[modality])


def judge_samples(modality: str, samples, labels, reference, reference_labels) -> dict:
    """:func:`kit.metrics.evaluate_images` by the judge of ``modality``, with the judge's name in the result.

    ``labels=None`` for samples nobody asked a digit of (see :func:`kit.metrics.evaluate_images`).
    """
    judged = evaluate_images(samples, labels, load_judge(modality), reference, reference_labels)
    return {"judge": JUDGES[modality], **judged}
