"""How every zoo model is made: ``python -m kit zoo NAME`` (or ``all``) runs the recipe here.

Each recipe trains from the real data (MNIST and FSDD under ``KIT_DATA_DIR``;
the eSpeak voices are made on the spot), measures the result on the stored
float16 weights, and records data, command, metrics and history in the
manifest. Entries (sizes as stored):

``lenet5``
    the judge of every evaluation (lesson 4), 10 epochs on MNIST.
``fast-aivae``
    the playground's audio-to-image model: :class:`~kit.models.FastAIVAE`
    trained on five FSDD speakers plus 40 eSpeak voices, each clip also in
    ``copies`` augmented versions (:mod:`kit.augment`), re-paired with fresh
    MNIST images every epoch. It is scored on voices it never heard: the
    sixth FSDD speaker and the held-out eSpeak accent (the validation), and
    the Speech Commands and AudioMNIST samples (evaluation only).
``conv-vae-2d`` / ``conv-vae-16d``
    image VAEs for the latent sliders (lessons 5-6), trained on MNIST.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import augment, evaluator, features, zoo
from ..data import (
    DataNotFoundError,
    SpokenDigits,
    load_audiomnist,
    load_digit_images,
    load_espeak_digits,
    load_fsdd,
    load_speech_commands,
    official_split,
    speaker_split,
)
from ..data.synth import TEST_ACCENT
from ..experiments import generate
from ..latent import principal_axes, prior_axes
from ..models import ConvVAE, FastAIVAE
from ..pairing import PairedBatches
from ..train import Batches, Trainer, seed_everything

RECIPES = ("lenet5", "fast-aivae", "conv-vae-2d", "conv-vae-16d")
HELD_OUT_SPEAKER = "yweweler"  # FSDD speaker kept out of fast-aivae's training, to validate it
SLIDERS = 8  # principal axes stored for latents larger than this


def _axes(codes: torch.Tensor):
    return prior_axes(codes.shape[1]) if codes.shape[1] <= SLIDERS else principal_axes(codes, SLIDERS)


def build_lenet5(epochs: int = 10, progress: bool = True) -> dict:
    """The LeNet-5 judge (lesson 4)."""
    model = evaluator.train_lenet(epochs=epochs, seed=0, progress=progress)
    digits = load_digit_images("train")
    zoo.add("lenet5", model, "lenet5", {}, data=f"{digits.name} train ({len(digits)} images)",
            command=f"python -m kit zoo lenet5 --epochs {epochs}", metrics={"epochs": epochs})
    test_images, test_labels = evaluator.digit_tensors("test")
    zoo.update_metrics("lenet5", {"test_accuracy": round(evaluator.accuracy(zoo.load("lenet5"), test_images,
                                                                               test_labels), 4)})
    return zoo.entry("lenet5")


def build_conv_vae(latent_dim: int, epochs: int = 10, progress: bool = True) -> dict:
    """An image VAE for the latent explorer; scored by LeNet on its reconstructions of MNIST test."""
    name = f"conv-vae-{latent_dim}d"
    train_images, train_labels = evaluator.digit_tensors("train")
    test_images, test_labels = evaluator.digit_tensors("test")
    seed_everything(0)
    model = ConvVAE(latent_dim=latent_dim)
    history = Trainer(epochs, lr=1e-3, seed=0, progress=progress).fit(
        model, Batches(train_images, train_labels, batch_size=128, seed=0),
        Batches(test_images, test_labels, batch_size=1000, shuffle=False))
    with torch.no_grad():
        codes = model.encode(train_images)[0]
    digits = load_digit_images("train")
    zoo.add(name, model, "conv-vae", {"latent_dim": latent_dim}, axes=_axes(codes),
            data=f"{digits.name} train ({len(digits)} images)", history=history,
            command=f"python -m kit zoo {name} --epochs {epochs}", metrics={"epochs": epochs})
    stored = zoo.load(name)
    with torch.no_grad():
        reconstructions = stored.generate(test_images)
        val_loss = float(stored.loss((test_images,))["loss"])
    zoo.update_metrics(name, {
        "reconstruction_accuracy": round(evaluator.accuracy(evaluator.load_lenet(), reconstructions,
                                                            test_labels), 4),
        "test_loss": round(val_loss, 2),
    })
    return zoo.entry(name)


def _features(corpus: SpokenDigits, copies: int, seed: int, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """Features of every clip plus ``copies`` augmented versions of each, and their digits."""
    waveforms = corpus.waveforms(progress=progress)
    clean = features.extract(corpus, progress=progress)
    augmented = features.MEL_IMAGE(augment.augmented_copies(waveforms, copies, seed))
    digits = np.concatenate([corpus.digits, np.repeat(corpus.digits, copies)])
    return np.concatenate([clean, augmented]), digits


def spoken_digit_accuracy(model, corpus: SpokenDigits, lenet) -> float:
    """How often LeNet reads the digit ``model`` draws for each clip of ``corpus`` as the spoken digit."""
    drawn = generate(model, torch.from_numpy(features.extract(corpus, progress=False)))
    return evaluator.accuracy(lenet, drawn, corpus.digits)


def unseen_speaker_accuracy(model, lenet=None) -> dict[str, float]:
    """LeNet accuracy of the digits ``model`` draws for the Speech Commands and AudioMNIST samples.

    These speakers are in no training set of the course: the figure says how
    well the playground works for a new voice. Samples that are missing are skipped.
    """
    lenet = lenet or evaluator.load_lenet()
    scores, total, correct = {}, 0, 0
    for name, loader in (("speech_commands", load_speech_commands), ("audiomnist", load_audiomnist)):
        try:
            corpus = loader()
        except DataNotFoundError:
            continue
        right = round(spoken_digit_accuracy(model, corpus, lenet) * len(corpus))
        scores[f"{name}_accuracy"], scores[f"{name}_clips"] = round(right / len(corpus), 4), len(corpus)
        total, correct = total + len(corpus), correct + right
    if total:
        scores["unseen_accuracy"], scores["unseen_clips"] = round(correct / total, 4), total
    return scores


def build_fast_aivae(epochs: int = 12, copies: int = 4, progress: bool = True) -> dict:
    """The playground's model (see the module docstring)."""
    fsdd_train, fsdd_heldout = speaker_split(load_fsdd(), [HELD_OUT_SPEAKER])
    espeak_train, espeak_heldout = official_split(load_espeak_digits())
    parts = [_features(c, copies, seed, progress) for seed, c in enumerate([fsdd_train, espeak_train])]
    audio = torch.from_numpy(np.concatenate([a for a, _ in parts]))
    digits = np.concatenate([d for _, d in parts])
    images = load_digit_images("train")
    seed_everything(0)
    model = FastAIVAE()
    model.fit_input_scaling(audio)
    batches = PairedBatches(audio, digits, torch.from_numpy(images.as_float()), images.labels, "resampled",
                            batch_size=128, seed=0)
    history = Trainer(epochs, lr=1e-3, seed=0, progress=progress, lr_schedule="onecycle").fit(model, batches)
    with torch.no_grad():
        codes = model.encode(audio[:: copies + 1])[0]
    zoo.add("fast-aivae", model, "fast-aivae", {}, axes=_axes(codes), history=history,
            data=f"FSDD without {HELD_OUT_SPEAKER} ({len(fsdd_train)} clips, {len(fsdd_train.speaker_names)} "
                 f"speakers) + eSpeak without {TEST_ACCENT} ({len(espeak_train)} clips, "
                 f"{len(espeak_train.speaker_names)} voices), each clip plus {copies} augmented copies; "
                 f"{images.name} train images, resampled pairing",
            command=f"python -m kit zoo fast-aivae --epochs {epochs}",
            metrics={"epochs": epochs, "augmented_copies": copies})
    stored, lenet = zoo.load("fast-aivae"), evaluator.load_lenet()
    zoo.update_metrics("fast-aivae", {
        "heldout_fsdd_speaker_accuracy": round(spoken_digit_accuracy(stored, fsdd_heldout, lenet), 4),
        "heldout_espeak_accent_accuracy": round(spoken_digit_accuracy(stored, espeak_heldout, lenet), 4),
        **unseen_speaker_accuracy(stored, lenet),
    })
    return zoo.entry("fast-aivae")


def build(name: str, epochs: int | None = None, progress: bool = True) -> dict:
    """Run the recipe ``name`` (one of :data:`RECIPES`) with its default or the given epochs."""
    options = {} if epochs is None else {"epochs": epochs}
    if name == "lenet5":
        return build_lenet5(progress=progress, **options)
    if name == "fast-aivae":
        return build_fast_aivae(progress=progress, **options)
    if name in ("conv-vae-2d", "conv-vae-16d"):
        return build_conv_vae(int(name.split("-")[-1][:-1]), progress=progress, **options)
    raise ValueError(f"the zoo has no recipe {name!r}; recipes: {', '.join(RECIPES)}")
