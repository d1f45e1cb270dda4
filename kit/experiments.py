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

import inspect
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
from .evaluator import accuracy as lenet_accuracy
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
    train_clips: SpokenDigits  # the audio corpus on each side of the split
    test_clips: SpokenDigits


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
                "unseen speakers, not for training. Get the full set with: "
                "python -m kit download speech_commands"
            )
        return corpus
    raise ValueError(f"unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")


def _images(split: str, quick: bool, seed: int) -> DigitImages:
    images = load_digit_images(split)
    if quick:
        keep = QUICK_IMAGES[0] if split == "train" else QUICK_IMAGES[1]
        images = images.subset(np.sort(np.random.default_rng(seed).permutation(len(images))[:keep]))
    return images


def cross_modal_data(
    dataset: str = "mnist-fsdd",
    split: str = "random",
    pairing: str = "many-to-one",
    seed: int = 0,
    batch_size: int = 128,
    quick: bool | None = None,
) -> CrossModalData:
    """Paired audio features and images for training and testing (see the module docstring)."""
    quick = quick_mode() if quick is None else quick
    corpus = _audio_corpus(dataset)
    train_audio, test_audio = _split(corpus, split, seed)
    train_images, test_images = _images("train", quick, seed), _images("test", quick, seed)

    def batches(audio: SpokenDigits, images: DigitImages, shuffle: bool) -> PairedBatches:
        return PairedBatches(
            torch.from_numpy(features.extract(audio)),
            audio.digits,
            torch.from_numpy(images.as_float()),
            images.labels,
            pairing,
            batch_size=batch_size,
            seed=seed,
            shuffle=shuffle,
        )

    train, test = batches(train_audio, train_images, True), batches(test_audio, test_images, False)
    description = (
        f"{dataset} ({corpus.name}{', embedded' if corpus.embedded else ''} + {train_images.name}), "
        f"{split} split, {pairing} pairing: {len(train.audio_index)} train pairs from "
        f"{len(train_audio)} clips, {len(test.audio_index)} test pairs from {len(test_audio)} clips"
    )
    return CrossModalData(train, test, test_images, description, train_audio, test_audio)


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


# --- runs: train and evaluate from a config (the command line, the apps) ----------------------------

GENERATORS = ("aivae", "fast-aivae")
IMAGE_MODELS = ("mlp-ae", "conv-ae", "mlp-vae", "conv-vae")


def parse_options(pairs: list[str]) -> dict:
    """Model options from ``KEY=VALUE`` strings: ``["init_logvar=-5", "standardize=true"]`` -> a dict.

    Values become booleans (true/false), integers or floats where they look like one.
    """

    def value(text: str):
        if text.lower() in {"true", "false"}:
            return text.lower() == "true"
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text

    options = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"model option {pair!r} is not KEY=VALUE (for example init_logvar=-5)")
        options[key.strip()] = value(text.strip())
    return options


def default_config(model: str, **overrides) -> dict:
    """Everything a run needs to be repeated: model, options, data, split, pairing, optimisation."""
    config = {
        "model": model,
        "options": {},
        "data": "mnist-fsdd" if model in GENERATORS else "mnist",
        "split": "random",
        "pairing": "many-to-one",
        "epochs": 10,
        "batch_size": 128,
        "lr": 1e-3,
        "seed": 0,
        "quick": quick_mode(),
    }
    config.update({k: v for k, v in overrides.items() if v is not None})
    return config


def _image_batches(config: dict):
    """MNIST (a random quick-mode subset: the embedded digits are sorted by class) as batches."""
    from .train import Batches

    def tensors(split: str):
        images = _images(split, config["quick"], config["seed"])
        return torch.from_numpy(images.as_float()), torch.from_numpy(images.labels)

    return (
        Batches(*tensors("train"), batch_size=config["batch_size"], seed=config["seed"]),
        Batches(*tensors("test"), batch_size=1000, shuffle=False),
    )


def build(config: dict):
    """The model and its data for ``config``: ``(model, train_batches, test_batches_or_data)``."""
    from .models import MODELS
    from .train import seed_everything

    seed_everything(config["seed"])  # the model's initial weights depend on the run's seed too
    model_class = MODELS[config["model"]]
    unknown = set(config["options"]) - set(inspect.signature(model_class).parameters)
    if unknown:
        known = ", ".join(inspect.signature(model_class).parameters)
        raise ValueError(
            f"{config['model']} has no option {', '.join(sorted(unknown))}; its options: {known}"
        )
    model = model_class(**config["options"])
    if config["model"] in GENERATORS:
        data = cross_modal_data(
            config["data"],
            config["split"],
            config["pairing"],
            config["seed"],
            config["batch_size"],
            config["quick"],
        )
        model.fit_input_scaling(data.train.audio)
        return model, data.train, data
    train, test = _image_batches(config)
    return model, train, test


def train_run(config: dict, name: str, resume: bool = False, overwrite: bool = False, progress: bool = True):
    """Train ``config`` into ``runs/NAME``, evaluate it, write its metrics and samples; return the run."""
    from .train import Run, Trainer

    model, train, test = build(config)  # first: a bad option or missing data leaves no half-made run
    run = Run.create(name, config, resume=resume, overwrite=overwrite)
    val = test if config["model"] not in GENERATORS else None
    Trainer(config["epochs"], lr=config["lr"], seed=config["seed"], run=run, progress=progress).fit(
        model, train, val, resume=resume
    )
    evaluate_run(run, model, test)
    return run


def evaluate_run(run, model=None, test=None) -> dict:
    """Measure a run's model on its test data (rebuilt from its config when not given); writes metrics."""
    import matplotlib.pyplot as plt

    from . import plot
    from .evaluator import load_lenet
    from .train import load_checkpoint

    config = run.config
    if model is None:
        model, _, test = build(config)
        model.load_state_dict(load_checkpoint(run.checkpoint_path)["model"])
    model.eval()
    lenet = load_lenet()
    if config["model"] in GENERATORS:
        metrics = evaluate_generator(model, test, lenet)
        audio = test.test.audio[torch.from_numpy(test.test.audio_index)]
        first = [int(np.flatnonzero(test.test.labels == d)[0]) for d in range(10)]
        images, labels = generate(model, audio[first]), range(10)
    elif config["model"] == "lenet5":
        images_t, labels_t = test.tensors
        with torch.no_grad():
            metrics = {"accuracy": float((model(images_t).argmax(1) == labels_t).float().mean())}
        images, labels = images_t[:20].numpy(), labels_t[:20].tolist()
    else:
        images_t, labels_t = test.tensors
        with torch.no_grad():
            reconstructions = model.generate(images_t).numpy()
        metrics = evaluate_images(
            reconstructions, labels_t.numpy(), lenet, images_t.numpy(), labels_t.numpy()
        )
        images, labels = reconstructions[:20], labels_t[:20].tolist()
    run.write_metrics(metrics)
    figure = plot.image_grid(images, labels=labels, title=f"{run.path.name}: generated")
    figure.savefig(run.samples_path, dpi=100)
    plt.close(figure)
    return metrics
