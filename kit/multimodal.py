"""Written and spoken digits together: seed 003's data and analyses (lessons 12-13).

:func:`multimodal_data` builds the report's data set: every MNIST image paired
with a recording of the same digit (audio reused to match the image count, as
the Written and Spoken Digits database does), split into train, validation
and test. On ``"mnist-fsdd"`` the *clips* are split first (randomly 14:3:3 as
the report, by FSDD's official takes, or with a speaker held out), so no
recording is heard on two sides; on ``"wsd"`` (the database itself, see
:mod:`kit.data.wsd`) its pairs are split as published or randomly 14:3:3.
Each side is a :class:`DigitPairs`; every classifier of
:mod:`kit.models.classifiers` trains and tests on the same pairs, which is
what makes the error sets comparable.

The analyses of the report are functions here: :func:`predict` (labels and
embeddings of a model on a set of pairs), :func:`error_sets` and
:func:`ambiguous_images` (the digits the image model gets wrong and the
hybrid gets right), :func:`embedding_map` (PCA to 50, then t-SNE to 2, and
k-means agreement with the labels) and :func:`corruption_curve` (one sense
corrupted step by step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import adjusted_rand_score, f1_score

from . import augment, features
from .config import quick_mode
from .data import (
    SpokenDigits,
    load_espeak_digits,
    load_fsdd,
    load_spoken_digits,
    official_split,
    random_split,
    speaker_split,
)
from .data.voices import voices_split
from .data.wsd import load_written_spoken_digits
from .train import Batches, digit_subset

DATASETS = ("mnist-fsdd", "mnist-fsdd+espeak", "wsd")
SPLITS = ("random", "official", "speaker", "voices")
SHARES = (14, 3, 3)  # the report's train : validation : test
QUICK_IMAGES = (6000, 1000)  # train (train + validation) and test images in quick mode


@dataclass
class DigitPairs:
    """Aligned images ``(n, 28, 28)`` in [0, 1], audio features ``(n, ...)`` and digits."""

    images: np.ndarray
    audio: np.ndarray
    labels: np.ndarray
    clips: np.ndarray  # index of each pair's recording in ``MultimodalData.corpus`` (-1: not known)

    def __len__(self) -> int:
        return len(self.labels)

    def batches(self, batch_size: int = 64, shuffle: bool = True, seed: int = 0) -> Batches:
        """``(images, audio, labels)`` mini-batches: what every classifier of seed 003 reads."""
        return Batches(
            torch.from_numpy(self.images), torch.from_numpy(self.audio), torch.from_numpy(self.labels),
            batch_size=batch_size, shuffle=shuffle, seed=seed,
        )

    def subset(self, indices) -> DigitPairs:
        return DigitPairs(
            self.images[indices], self.audio[indices], self.labels[indices], self.clips[indices]
        )


@dataclass
class MultimodalData:
    """Train, validation and test pairs, and the recordings they were made from (``None`` for ``wsd``)."""

    train: DigitPairs
    val: DigitPairs
    test: DigitPairs
    description: str
    corpus: SpokenDigits | None = None
    split: str = "random"


def _fractions_split(n: int, seed: int, shares=SHARES) -> list[np.ndarray]:
    """Indices ``0..n-1`` shuffled with ``seed`` and cut by ``shares`` (sorted within each part)."""
    order = np.random.default_rng(seed).permutation(n)
    cuts = np.cumsum([round(n * share / sum(shares)) for share in shares[:-1]])
    return [np.sort(part) for part in np.split(order, cuts)]


def _clip_sides(corpus: SpokenDigits, split: str, seed: int) -> list[SpokenDigits]:
    """The recordings of train, validation and test."""
    if split == "random":
        return [corpus.subset(part) for part in _fractions_split(len(corpus), seed)]
    if split == "official":
        train, test = official_split(corpus)
    elif split == "speaker":
        train, test = speaker_split(corpus, [corpus.speaker_names[-1]])
    elif split == "voices":
        train, test = voices_split(corpus)
    else:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    fit, val = random_split(train, SHARES[1] / sum(SHARES[:2]), seed)  # validation: same voices as train
    return [fit, val, test]


def _pair_with_clips(images, image_labels, clip_labels, clip_offset, clip_features, rng) -> DigitPairs:
    """Each image with a random recording of its digit from one side (clips reused as needed)."""
    chosen = np.empty(len(image_labels), np.int64)
    for digit in range(10):
        candidates = np.flatnonzero(clip_labels == digit)
        wanted = image_labels == digit
        if wanted.any() and not len(candidates):
            raise ValueError(f"no recording of digit {digit} on this side of the split to pair its images")
        chosen[wanted] = rng.choice(candidates, size=int(wanted.sum()))
    clips = clip_offset[chosen]
    return DigitPairs(images, clip_features[clips], image_labels.astype(np.int64), clips)


def _augmented(corpus: SpokenDigits, train: SpokenDigits, spec, copies: int, seed: int, steps: str):
    """Features of ``copies`` augmented versions of every training clip (:mod:`kit.augment`), and the
    corpus index of the clip each one comes from."""
    position = {id(u): i for i, u in enumerate(corpus.utterances)}
    origin = np.repeat([position[id(u)] for u in train.utterances], copies)
    return spec(augment.augmented_copies(train.waveforms(), copies, seed, steps)), origin


def _mnist_fsdd(dataset: str, split: str, seed: int, quick: bool, spec, copies: int = 0,
                steps: str = augment.DEFAULT_STEPS) -> MultimodalData:
    corpus = load_spoken_digits() if dataset == "mnist-fsdd" else load_fsdd() + load_espeak_digits()
    sides = _clip_sides(corpus, split, seed)
    position = {id(u): i for i, u in enumerate(corpus.utterances)}
    clip_features = features.extract(corpus, spec, progress=False)
    train_images = digit_subset("train", QUICK_IMAGES[0] if quick else None, seed)
    test_images = digit_subset("test", QUICK_IMAGES[1] if quick else None, seed)
    fit_part, val_part = _fractions_split(len(train_images), seed, SHARES[:2])
    rng = np.random.default_rng(seed)
    pairs = []
    for clips, (images, labels) in zip(
        sides,
        [(train_images.as_float()[part], train_images.labels[part]) for part in (fit_part, val_part)]
        + [(test_images.as_float(), test_images.labels)],
        strict=True,
    ):
        offset = np.array([position[id(u)] for u in clips.utterances], np.int64)
        pairs.append(_pair_with_clips(images, labels, clips.digits, offset, clip_features, rng))
    if copies:  # the training images are paired again, now with clean and augmented training clips
        noisy, origin = _augmented(corpus, sides[0], spec, copies, seed, steps)
        pool = np.concatenate([clip_features, noisy])  # index: corpus clips, then augmented copies
        offsets = np.concatenate([np.array([position[id(u)] for u in sides[0].utterances]),
                                  len(corpus) + np.arange(len(noisy))])
        digits = np.concatenate([sides[0].digits, np.repeat(sides[0].digits, copies)])
        train = _pair_with_clips(pairs[0].images, pairs[0].labels, digits, offsets, pool, rng)
        train.clips = np.concatenate([np.arange(len(corpus)), origin])[train.clips]  # augmented: its source
        pairs[0] = train
    description = (
        f"{dataset} ({corpus.name}{', embedded' if corpus.embedded else ''} + {train_images.name}), "
        f"{split} split of the recordings ({' / '.join(str(len(s)) for s in sides)} clips"
        f"{f', + {copies} augmented copies of each training clip ({steps})' if copies else ''}), "
        f"{' / '.join(str(len(p)) for p in pairs)} train / validation / test pairs, {spec.name}"
    )
    return MultimodalData(*pairs, description, corpus, split)


def _wsd(split: str, seed: int, quick: bool, spec) -> MultimodalData:
    if spec is not features.MFCC_FRAMES:
        raise ValueError("the Written and Spoken Digits database ships 39x13 MFCCs only (features mfcc39x13)")
    published = [load_written_spoken_digits(side) for side in ("train", "test")]
    everything = [DigitPairs(d.images, d.audio, d.labels, np.full(len(d.labels), -1)) for d in published]
    if split == "random":
        pooled = DigitPairs(*(np.concatenate([getattr(p, k) for p in everything])
                              for k in ("images", "audio", "labels", "clips")))
        parts = [pooled.subset(part) for part in _fractions_split(len(pooled), seed)]
    elif split == "official":
        fit, val = _fractions_split(len(everything[0]), seed, SHARES[:2])
        parts = [everything[0].subset(fit), everything[0].subset(val), everything[1]]
    else:
        raise ValueError("the Written and Spoken Digits database has no speakers: split random or official")
    if quick:
        limits = (QUICK_IMAGES[0] * 14 // 17, QUICK_IMAGES[0] * 3 // 17, QUICK_IMAGES[1])
        rng = np.random.default_rng(seed)
        parts = [p.subset(np.sort(rng.permutation(len(p))[:n])) for p, n in zip(parts, limits, strict=True)]
    description = (f"wsd (Written and Spoken Digits), {split} split: "
                   f"{' / '.join(str(len(p)) for p in parts)} train / validation / test pairs")
    return MultimodalData(*parts, description, split=split)


def multimodal_data(
    dataset: str = "mnist-fsdd",
    split: str = "random",
    seed: int = 0,
    quick: bool | None = None,
    feature: str = "mfcc39x13",
    augment_copies: int = 0,
    augment_steps: str = augment.DEFAULT_STEPS,
) -> MultimodalData:
    """Seed 003's paired images and audio features (see the module docstring).

    ``augment_copies``: that many augmented versions of every training recording
    (:func:`kit.augment.augmented_copies`, made by the chain ``augment_steps``)
    join the clean ones (recordings only, not ``wsd``). ``mnist-fsdd+espeak``
    adds the eSpeak NG voices to FSDD's; its ``voices`` split holds out the
    validation voices of :func:`kit.data.voices.voices_split`.
    """
    quick = quick_mode() if quick is None else quick
    spec = features.feature_spec(feature)
    if dataset in ("mnist-fsdd", "mnist-fsdd+espeak"):
        return _mnist_fsdd(dataset, split, seed, quick, spec, augment_copies, augment_steps)
    if augment_copies:
        raise ValueError("the Written and Spoken Digits database ships features, not sound: no augmentation")
    if dataset == "wsd":
        return _wsd(split, seed, quick, spec)
    raise ValueError(f"unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")


@torch.no_grad()
def predict(model, pairs: DigitPairs, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Predicted digits ``(n,)`` and embeddings (the features before the last layer) of ``model``."""
    model.eval()
    predicted, embedded = [], []
    for batch in pairs.batches(batch_size, shuffle=False):
        embedding = model.embed(*model.inputs(batch))
        predicted.append(model.classifier(embedding).argmax(1).numpy())
        embedded.append(embedding.numpy())
    return np.concatenate(predicted), np.concatenate(embedded)


def classification_metrics(predicted: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, macro-F1 and the count, the report's Table 7 columns."""
    return {
        "test_accuracy": float((predicted == labels).mean()),
        "test_macro_f1": float(f1_score(labels, predicted, average="macro")),
        "count": len(labels),
    }


def error_sets(predictions: dict[str, np.ndarray], labels: np.ndarray) -> dict[str, set[int]]:
    """For each model, the set of test pairs it gets wrong (the report's Figure 5 draws them as a Venn)."""
    return {name: set(np.flatnonzero(guess != labels).tolist()) for name, guess in predictions.items()}


def ambiguous_images(image_errors: set[int], fused_errors: set[int]) -> list[int]:
    """Pairs the image model misreads and the hybrid reads correctly (the report's Figure 4), sorted."""
    return sorted(image_errors - fused_errors)


def embedding_map(embeddings: np.ndarray, labels: np.ndarray, seed: int = 0, max_points: int = 2000) -> dict:
    """The report's Figures 6-8: PCA to 50 dimensions, t-SNE to 2, k-means (k = 10) on the 2-D map.

    Returns the 2-D points, their labels, the k-means clusters and the
    clusters' agreement with the digits (adjusted Rand index: 1 = the same
    grouping, 0 = chance), for at most ``max_points`` seeded random pairs.
    """
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.permutation(len(labels))[:max_points])
    x, y = embeddings[chosen], labels[chosen]
    reduced = PCA(n_components=min(50, x.shape[1], len(x)), random_state=seed).fit_transform(x)
    points = TSNE(n_components=2, init="pca", perplexity=min(30.0, (len(x) - 1) / 3),
                  random_state=seed).fit_transform(reduced)
    clusters = KMeans(n_clusters=10, n_init=10, random_state=seed).fit_predict(points)
    return {"points": points, "labels": y, "clusters": clusters,
            "agreement": float(adjusted_rand_score(y, clusters))}


def corrupt(pairs: DigitPairs, sense: str, level: float, seed: int = 0) -> DigitPairs:
    """``pairs`` with one sense corrupted: a ``level`` in [0, 1] mixes it with Gaussian noise.

    ``"image"``: pixels become ``(1 - level) * image + level * noise`` (clipped to [0, 1]);
    ``"audio"``: features become ``(1 - level) * audio + level * noise`` with the features' own spread.
    """
    if sense not in ("image", "audio"):
        raise ValueError(f"sense must be 'image' or 'audio', not {sense!r}")
    if not 0 <= level <= 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    rng = np.random.default_rng(seed)
    images, audio = pairs.images, pairs.audio
    if sense == "image":
        noise = rng.random(images.shape, dtype=np.float32)
        images = np.clip((1 - level) * images + level * noise, 0, 1).astype(np.float32)
    else:
        noise = rng.normal(audio.mean(), audio.std(), audio.shape).astype(np.float32)
        audio = ((1 - level) * audio + level * noise).astype(np.float32)
    return DigitPairs(images, audio, pairs.labels, pairs.clips)


def corruption_curve(models: dict, pairs: DigitPairs, sense: str, levels=(0, 0.2, 0.4, 0.6, 0.8, 1),
                     seed: int = 0) -> dict[str, list[float]]:
    """Test accuracy of each model as ``sense`` is corrupted more and more (:func:`corrupt`)."""
    curves: dict[str, list[float]] = {"level": [float(level) for level in levels]}
    for level in levels:
        noisy = corrupt(pairs, sense, float(level), seed)
        for name, model in models.items():
            curves.setdefault(name, []).append(float((predict(model, noisy)[0] == noisy.labels).mean()))
    return curves
