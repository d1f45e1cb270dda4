"""The paper's cross-modal data and its evaluation in one call each (lessons 7-8, 10-11).

:func:`cross_modal_data` builds MNIST-FSDD (or MNIST-SCD when the full Speech
Commands set is present, or FSDD plus the eSpeak voices, with or without
60 more women's voices): 48x48 log-mel
features of the spoken digits, split randomly 90/10 (the paper), by the
corpus's official split, by held-out speaker, or with voices held out (one
FSDD speaker and one eSpeak accent); train pairs from MNIST's training
images, test pairs from its test images, each paired by the chosen strategy.
:func:`evaluate_generator` turns test audio into images and measures them
with LeNet-5 (:mod:`kit.metrics`); :func:`unseen_voice_accuracy` asks the
same of speakers no model here trained on. The audio-to-image task
(:mod:`kit.tasks.audio_to_image`) runs both for ``python -m kit train``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import augment, features
from .config import quick_mode
from .data import (
    DataNotFoundError,
    DigitImages,
    SpokenDigits,
    load_espeak_digits,
    load_fsdd,
    load_more_espeak_voices,
    load_speech_commands,
    load_spoken_digits,
    official_split,
    random_split,
    speaker_split,
)
from .data.voices import unseen_scores, voices_split
from .evaluator import accuracy as lenet_accuracy
from .metrics import evaluate_images
from .pairing import PairedBatches
from .train import digit_subset

DATASETS = ("mnist-fsdd", "mnist-scd", "mnist-fsdd+espeak", "mnist-fsdd+espeak-more")
SPLITS = ("random", "official", "speaker", "voices")
QUICK_IMAGES = (6000, 1000)  # train and test images used in quick mode


@dataclass
class CrossModalData:
    """Train and test pairs of one experiment, plus what evaluation needs."""

    train: PairedBatches
    test: PairedBatches
    test_images: DigitImages  # real images of the test side: the reference for diversity and Fréchet
    description: str
    train_clips: SpokenDigits  # the audio corpus on each side of the split
    test_clips: SpokenDigits
    split: str  # how the clips were split (SPLITS)


def _split(corpus: SpokenDigits, split: str, seed: int) -> tuple[SpokenDigits, SpokenDigits]:
    if split == "voices":
        return voices_split(corpus)
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
    if dataset == "mnist-fsdd+espeak":
        return load_fsdd() + load_espeak_digits()
    if dataset == "mnist-fsdd+espeak-more":  # more women's voices, on the training side only
        return load_fsdd() + load_espeak_digits() + load_more_espeak_voices()
    if dataset == "mnist-scd":
        corpus = load_speech_commands()
        if len(corpus) < 1000:
            raise DataNotFoundError(
                f"only a {len(corpus)}-clip sample of Speech Commands was found: it is for evaluating on "
                "unseen speakers, not for training. Get the full set with: "
                "python -m kit download speech_commands"
            )
        return corpus
    raise ValueError(f"unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")


def _images(split: str, quick: bool, seed: int) -> DigitImages:
    limit = (QUICK_IMAGES[0] if split == "train" else QUICK_IMAGES[1]) if quick else None
    return digit_subset(split, limit, seed)


def hears(model) -> features.FeatureSpec:
    """The audio features ``model`` reads: its class's ``hears`` (else the paper's 48x48 log-mel)."""
    return features.feature_spec(getattr(model, "hears", features.MEL_IMAGE.name))


def _audio_features(
    corpus: SpokenDigits, copies: int, seed: int, spec: features.FeatureSpec = features.MEL_IMAGE,
    steps: str = augment.DEFAULT_STEPS,
) -> tuple[np.ndarray, np.ndarray]:
    """Features of every clip plus ``copies`` augmented versions of each (made by ``steps``), and their
    digits."""
    clean = features.extract(corpus, spec)
    if not copies:
        return clean, corpus.digits
    noisy = spec(augment.augmented_copies(corpus.waveforms(), copies, seed, steps))
    return np.concatenate([clean, noisy]), np.concatenate([corpus.digits, np.repeat(corpus.digits, copies)])


def cross_modal_data(
    dataset: str = "mnist-fsdd",
    split: str = "random",
    pairing: str = "many-to-one",
    seed: int = 0,
    batch_size: int = 128,
    quick: bool | None = None,
    augment_copies: int = 0,
    feature: str = "mel48",
    augment_steps: str = augment.DEFAULT_STEPS,
) -> CrossModalData:
    """Paired audio features and images for training and testing (see the module docstring).

    ``augment_copies`` adds that many augmented versions of every training clip,
    made by the chain ``augment_steps`` (:func:`kit.augment.augment`);
    ``feature`` names the audio features (:data:`kit.features.FEATURES`).
    """
    spec = features.feature_spec(feature)
    quick = quick_mode() if quick is None else quick
    corpus = _audio_corpus(dataset)
    train_audio, test_audio = _split(corpus, split, seed)
    train_images, test_images = _images("train", quick, seed), _images("test", quick, seed)

    def batches(audio: SpokenDigits, images: DigitImages, shuffle: bool, copies: int = 0) -> PairedBatches:
        audio_features, digits = _audio_features(audio, copies, seed, spec, augment_steps)
        return PairedBatches(
            torch.from_numpy(audio_features),
            digits,
            torch.from_numpy(images.as_float()),
            images.labels,
            pairing,
            batch_size=batch_size,
            seed=seed,
            shuffle=shuffle,
        )

    train = batches(train_audio, train_images, True, augment_copies)
    test = batches(test_audio, test_images, False)
    augmented = f" (+ {augment_copies} augmented copies each: {augment_steps})" if augment_copies else ""
    description = (
        f"{dataset} ({corpus.name}{', embedded' if corpus.embedded else ''} + {train_images.name}), "
        f"{split} split, {pairing} pairing: {len(train.audio_index)} train pairs from "
        f"{len(train_audio)} clips{augmented}, {len(test.audio_index)} test pairs from "
        f"{len(test_audio)} clips" + ("" if spec is features.MEL_IMAGE else f", {spec.name}")
    )
    return CrossModalData(train, test, test_images, description, train_audio, test_audio, split)


@torch.no_grad()
def generate(model, audio: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """Images ``(n, 28, 28)`` in [0, 1] decoded from the posterior mean of each audio input.

    The model is switched to evaluation mode for this and back to the mode it was in.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        return np.concatenate(
            [
                model.generate(audio[i : i + batch_size].to(device)).cpu().numpy()
                for i in range(0, len(audio), batch_size)
            ]
        )
    finally:
        model.train(was_training)


def evaluate_generator(model, data: CrossModalData, evaluator) -> dict:
    """LeNet accuracy, macro-F1, confusion, diversity and Fréchet distance on the test pairs.

    Many-to-one pairing draws test clips with replacement, so the test pairs
    hold fewer distinct clips than pairs: both counts are reported, and
    ``clip_accuracy`` scores each distinct clip once.
    """
    # The drawing is the decoded posterior mean: one per distinct clip, shared by all its pairs.
    distinct, pair_to_clip = np.unique(data.test.audio_index, return_inverse=True)
    clip_images = generate(model, data.test.audio[torch.from_numpy(distinct)])
    metrics = evaluate_images(
        clip_images[pair_to_clip], data.test.labels, evaluator, data.test_images.as_float(),
        data.test_images.labels,
    )
    return metrics | {
        "pairs": len(pair_to_clip),
        "distinct_clips": len(distinct),
        "clip_accuracy": lenet_accuracy(evaluator, clip_images, data.test.audio_labels[distinct]),
    }


@torch.no_grad()
def latent_ablation(
    model, data: CrossModalData, evaluator, ks=range(65), draws: int = 10, seed: int = 0
) -> dict:
    """The paper's Figure 8: LeNet accuracy when ``k`` random elements of each latent vector are set to 0.

    For each test clip the posterior mean is computed once; for each ``k`` and
    each of ``draws`` random draws, ``k`` of its elements (chosen afresh per
    clip) are zeroed, the digit is decoded and read. Accuracy is over the test
    pairs, as Table 4's. Returns ``k``, the mean accuracy and the lowest and
    highest of the draws (a band).
    """
    model.eval()
    distinct, pair_to_clip = np.unique(data.test.audio_index, return_inverse=True)
    audio = data.test.audio[torch.from_numpy(distinct)]
    device = next(model.parameters()).device
    mu = torch.cat([model.encode(audio[i : i + 1000].to(device))[0] for i in range(0, len(audio), 1000)])
    generator = torch.Generator(device=mu.device).manual_seed(seed)
    curves = {"k": [], "mean": [], "low": [], "high": []}
    for k in ks:
        scores = []
        for _ in range(draws if k else 1):  # k = 0 zeroes nothing: one draw is all there is
            order = torch.rand(mu.shape, generator=generator, device=mu.device).argsort(dim=1)
            keep = torch.ones_like(mu).scatter_(1, order[:, :k], 0.0)
            drawn = torch.cat([model.decode(z) for z in (mu * keep).split(1000)]).cpu().numpy()
            scores.append(lenet_accuracy(evaluator, drawn[pair_to_clip], data.test.labels))
        for key, value in (("k", k), ("mean", float(np.mean(scores))), ("low", min(scores)),
                           ("high", max(scores))):
            curves[key].append(value)
    return curves


ACTIVE_NATS = 0.01  # a latent dimension whose average KL is below this carries no information


@torch.no_grad()
def kl_per_dimension(model, audio: torch.Tensor, batch_size: int = 1000) -> np.ndarray:
    """The KL of each latent dimension from the prior, averaged over the clips ``audio``: ``(latent_dim,)``.

    A dimension near 0 nats says the same thing for every clip: the decoder
    cannot use it. All of them near 0 is posterior collapse (lesson 8).
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        total = 0.0
        for i in range(0, len(audio), batch_size):
            mu, logvar = model.encode(audio[i : i + batch_size].to(device).float())
            total = total + 0.5 * (mu.square() + logvar.exp() - 1 - logvar).sum(dim=0)
        return (total / len(audio)).float().cpu().numpy()
    finally:
        model.train(was_training)


def active_dimensions(model, data: CrossModalData) -> int:
    """How many latent dimensions carry more than :data:`ACTIVE_NATS` about the test clips."""
    clips = np.unique(data.test.audio_index)
    return int((kl_per_dimension(model, data.test.audio[torch.from_numpy(clips)]) > ACTIVE_NATS).sum())


def spoken_digit_accuracy(model, corpus: SpokenDigits, lenet,
                          spec: features.FeatureSpec | None = None) -> float:
    """How often LeNet reads the digit ``model`` draws for each clip of ``corpus`` as the spoken digit
    (the clips heard as ``spec``, by default what the model hears)."""
    spec = hears(model) if spec is None else spec
    drawn = generate(model, torch.from_numpy(features.extract(corpus, spec, progress=False)))
    return lenet_accuracy(lenet, drawn, corpus.digits)


def unseen_voice_accuracy(model, lenet) -> dict[str, float]:
    """LeNet accuracy of the digits ``model`` draws for the Speech Commands and AudioMNIST samples.

    These speakers are in no training set of the course (evaluate on them, never
    train or tune on them): the figure says how well a model works for a new
    voice. Samples that are missing are skipped; an empty dict when both are.
    """
    return unseen_scores(lambda corpus: spoken_digit_accuracy(model, corpus, lenet))
