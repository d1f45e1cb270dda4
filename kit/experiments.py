"""The paper's experiments as one function call: data, split, pairing, training, evaluation (lesson 7).

:func:`cross_modal_data` builds MNIST-FSDD (or MNIST-SCD when the full Speech
Commands set is present): 48x48 log-mel features of the spoken digits, split
randomly 90/10 (the paper), by FSDD's official split or by held-out speaker;
train pairs from MNIST's training images, test pairs from its test images,
each paired by the chosen strategy. :func:`evaluate_generator` turns test
audio into images and measures them with LeNet-5 (:mod:`kit.metrics`).
The command line ``python -m kit train`` / ``python -m kit evaluate`` uses both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import features
from .config import quick_mode
from .data import (
    DataNotFoundError,
    DigitImages,
    SpokenDigits,
    load_digit_images,
    load_speech_commands,
    load_spoken_digits,
    official_split,
    random_split,
    speaker_split,
)
from .metrics import evaluate_images
from .pairing import PairedBatches

DATASETS = ("mnist-fsdd", "mnist-scd")
SPLITS = ("random", "official", "speaker")
QUICK_IMAGES = (6000, 1000)  # train and test images used in quick mode


@dataclass
class CrossModalData:
    """Train and test pairs of one experiment, plus what evaluation needs."""

    train: PairedBatches
    test: PairedBatches
    test_images: DigitImages  # real images of the test side: the reference for diversity and Fréchet
    description: str


def _split(corpus: SpokenDigits, split: str, seed: int) -> tuple[SpokenDigits, SpokenDigits]:
    if split == "random":
        return random_split(corpus, 0.1, seed)
    if split == "official":
        return official_split(corpus)
    if split == "speaker":
        return speaker_split(corpus, [corpus.speaker_names[-1]])
    raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")


def _audio_corpus(dataset: str) -> SpokenDigits:
    if dataset == "mnist-fsdd":
        return load_spoken_digits()
    if dataset == "mnist-scd":
        corpus = load_speech_commands()
        if len(corpus) < 1000:
            raise DataNotFoundError(
                f"only a {len(corpus)}-clip sample of Speech Commands was found: it is for evaluating on "
                "unseen speakers, not for training. Get the full set with: python -m kit download speech_commands")
        return corpus
    raise ValueError(f"unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")


def _images(split: str, quick: bool, seed: int) -> DigitImages:
    images = load_digit_images(split)
    if quick:
        keep = QUICK_IMAGES[0] if split == "train" else QUICK_IMAGES[1]
        images = images.subset(np.sort(np.random.default_rng(seed).permutation(len(images))[:keep]))
    return images


def cross_modal_data(dataset: str = "mnist-fsdd", split: str = "random", pairing: str = "many-to-one",
                     seed: int = 0, batch_size: int = 128, quick: bool | None = None) -> CrossModalData:
    """Paired audio features and images for training and testing (see the module docstring)."""
    quick = quick_mode() if quick is None else quick
    corpus = _audio_corpus(dataset)
    train_audio, test_audio = _split(corpus, split, seed)
    train_images, test_images = _images("train", quick, seed), _images("test", quick, seed)

    def batches(audio: SpokenDigits, images: DigitImages, shuffle: bool) -> PairedBatches:
        return PairedBatches(torch.from_numpy(features.extract(audio)), audio.digits,
                             torch.from_numpy(images.as_float()), images.labels, pairing,
                             batch_size=batch_size, seed=seed, shuffle=shuffle)

    train, test = batches(train_audio, train_images, True), batches(test_audio, test_images, False)
    description = (f"{dataset} ({corpus.name}{', embedded' if corpus.embedded else ''} + {train_images.name}), "
                   f"{split} split, {pairing} pairing: {len(train.audio_index)} train pairs from "
                   f"{len(train_audio)} clips, {len(test.audio_index)} test pairs from {len(test_audio)} clips")
    return CrossModalData(train, test, test_images, description)


@torch.no_grad()
def generate(model, audio: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """Images ``(n, 28, 28)`` in [0, 1] decoded from the posterior mean of each audio input."""
    model.eval()
    device = next(model.parameters()).device
    return np.concatenate([model.generate(audio[i:i + batch_size].to(device)).cpu().numpy()
                           for i in range(0, len(audio), batch_size)])


def evaluate_generator(model, data: CrossModalData, evaluator) -> dict:
    """LeNet accuracy, macro-F1, confusion, diversity and Fréchet distance on the test pairs."""
    audio = data.test.audio[torch.from_numpy(data.test.audio_index)]
    images = generate(model, audio)
    return evaluate_images(images, data.test.labels, evaluator, data.test_images.as_float(),
                           data.test_images.labels)
