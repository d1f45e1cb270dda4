"""Speaking machines: spoken digits as log-STFT pictures, a VAE's sound and its judges (lesson 16).

:func:`speech_data` cuts a spoken-digit corpus into training, validation and
test clips, each a :data:`kit.features.LOG_STFT` spectrogram in dB (seed
004's representation; the ``voices`` split keeps a whole FSDD speaker and an
eSpeak accent for the test, voices that neither the VAE nor the audio judge
trained on). :func:`speak` turns latent points into waveforms.
:func:`judge_speech` asks the audio judge (:func:`kit.judges.hear`, seed
003's AudioNet_CNN trained on many voices) three questions, each next to the
same question asked of real test clips:

(a) **reconstructions**: is a test clip, encoded and decoded to sound, heard
    as its digit? (next to the real clip, and the real clip's own spectrogram
    turned back into sound the same way: the best a decoder could do);
(b) **prior samples**: points drawn from the model's prior (N(0, I), or its
    digit prior: as many of each digit, and are they heard as that digit?),
    decoded to sound: their Inception Score and the share heard with
    confidence above 0.5, next to the same for the real test clips;
(c) **the latent map**: points of a grid over the 2-D map of the test clips'
    codes, decoded to sound: are they heard as the digit whose region they lie
    in (the vote of the nearest test-clip codes)? For larger latents the
    prior samples are checked against their region the same way.

The second judge, CMU PocketSphinx restricted to the ten digit words
(:func:`kit.judges.sphinx_digits`), reads the same sounds: its accuracy on
reconstructions next to its accuracy on the real and the resynthesised test
clips; for prior samples, how often it agrees with the first judge, next to
how often the two agree on real clips (and, from a digit prior, how often it
reads the digit asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import augment
from .config import quick_mode
from .data import SpokenDigits, load_espeak_digits, load_fsdd, load_spoken_digits, random_split
from .data.voices import voices_split
from .features import LOG_STFT, extract
from .judges import JUDGES, hear, sphinx_digits
from .metrics import confident_share, inception_score, region_labels
from .sound import to_waveform

DATASETS = ("fsdd", "fsdd+espeak")  # "fsdd": FSDD, or the embedded eSpeak voices where FSDD is missing
SPLITS = ("voices", "random")
VALIDATION_SHARE = 0.1  # of the training voices' clips, for the validation loss curve (the seed's 9:1)
QUICK_CLIPS = (800, 200)  # training and test clips in quick mode (seeded random subsets)
REGION_NEIGHBOURS = 15  # test-clip codes that vote on the digit of a point of the map


@dataclass
class SpeechData:
    """Spectrograms in dB ``(n, 128, 56)`` and digits of each side; the test side's recordings."""

    train: torch.Tensor
    train_digits: np.ndarray
    val: torch.Tensor
    val_digits: np.ndarray
    test: torch.Tensor
    test_digits: np.ndarray
    test_clips: SpokenDigits
    description: str


def speech_corpus(dataset: str = "fsdd") -> SpokenDigits:
    """The recordings of ``dataset`` (see :data:`DATASETS`)."""
    if dataset == "fsdd":
        return load_spoken_digits()
    if dataset == "fsdd+espeak":
        return load_fsdd() + load_espeak_digits()
    raise ValueError(f"unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")


def _quick_subset(corpus: SpokenDigits, limit: int, seed: int) -> SpokenDigits:
    if len(corpus) <= limit:
        return corpus
    return corpus.subset(np.sort(np.random.default_rng(seed).permutation(len(corpus))[:limit]))


def speech_data(dataset: str = "fsdd", split: str = "voices", seed: int = 0, quick: bool | None = None,
                augment_copies: int = 0, augment_steps: str = augment.DEFAULT_STEPS) -> SpeechData:
    """Training, validation and test spectrograms of ``dataset`` (see the module docstring).

    ``split``: ``"voices"`` (:func:`kit.data.voices.voices_split`: test voices
    never trained on) or ``"random"`` (10 % of the clips, the seed's way).
    The validation clips are 10 % of the training side's (its voices).
    ``augment_copies``: that many augmented versions of every training clip
    join the training side (:func:`kit.augment.augmented_copies`, the chain
    ``augment_steps``): more voices for the encoder to place on its map.
    """
    quick = quick_mode() if quick is None else quick
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    corpus = speech_corpus(dataset)
    train, test = voices_split(corpus) if split == "voices" else random_split(corpus, 0.1, seed)
    train, val = random_split(train, VALIDATION_SHARE, seed)
    if quick:
        train, test = _quick_subset(train, QUICK_CLIPS[0], seed), _quick_subset(test, QUICK_CLIPS[1], seed)
        val = _quick_subset(val, QUICK_CLIPS[1], seed)
    sides = [(torch.from_numpy(extract(side, LOG_STFT, progress=False)), side.digits)
             for side in (train, val, test)]
    if augment_copies:
        voices = augment.augmented_copies(train.waveforms(LOG_STFT.sr, progress=False), augment_copies, seed,
                                          augment_steps)
        sides[0] = (torch.cat([sides[0][0], torch.from_numpy(LOG_STFT(voices))]),
                    np.concatenate([train.digits, np.repeat(train.digits, augment_copies)]))
    copies = f" (+ {augment_copies} augmented copies of each, {augment_steps})" if augment_copies else ""
    description = (f"{corpus.name}{', embedded' if corpus.embedded else ''}, {split} split: "
                   f"{len(train)}{copies} / {len(val)} / {len(test)} train / validation / test clips, "
                   f"{LOG_STFT.name} {LOG_STFT.shape[0]}x{LOG_STFT.shape[1]}")
    return SpeechData(*sides[0], *sides[1], *sides[2], test, description)


def word_frames(db, above_floor_db: float = 20.0) -> np.ndarray:
    """How long each word of spectrograms ``db`` ``(n, 128, 56)`` lasts: its frames with a bin more than
    ``above_floor_db`` above the floor, ``(n,)``.

    Every clip starts with its word and is padded with silence (the floor) after it; a 2-D map of these
    pictures spends much of its two numbers on this length (lesson 16).
    """
    db = np.asarray(db)
    return (db.max(axis=-2) > LOG_STFT.floor_db + above_floor_db).sum(-1)


@torch.no_grad()
def latent_codes(model, db: torch.Tensor, batch_size: int = 500) -> np.ndarray:
    """The posterior means of spectrograms ``db``: ``(n, latent_dim)``."""
    model.eval()
    return np.concatenate([model.encode(db[start : start + batch_size])[0].numpy()
                           for start in range(0, len(db), batch_size)])


@torch.no_grad()
def speak(model, z, phase: str = "griffin-lim") -> np.ndarray:
    """Waveforms ``(n, samples)`` of latent points ``z`` ``(n, latent_dim)``: decoded, de-scaled, phased."""
    db = model.eval().spectrogram(torch.as_tensor(np.asarray(z, dtype=np.float32))).numpy()
    return to_waveform(db, phase)


@torch.no_grad()
def reconstruct(model, db: torch.Tensor, phase: str = "griffin-lim") -> np.ndarray:
    """Waveforms of spectrograms ``db`` encoded and decoded (the posterior mean)."""
    return to_waveform(model.eval().generate(db).numpy(), phase)


def map_grid(codes: np.ndarray, steps: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """A ``steps x steps`` grid over the 2-D map of ``codes`` (1st to 99th percentile), top row first.

    Returns the points ``(steps * steps, 2)`` and whether each lies among the
    codes (its nearest code closer than one grid step): points far from every
    clip belong to no digit's region.
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"a map grid needs 2-D codes, got shape {codes.shape}")
    low, high = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)
    xs, ys = np.linspace(low[0], high[0], steps), np.linspace(low[1], high[1], steps)
    points = np.array([[x, y] for y in ys[::-1] for x in xs])
    spacing = float(np.hypot(xs[1] - xs[0], ys[1] - ys[0])) / 2 ** 0.5 if steps > 1 else np.inf
    nearest = np.sqrt(((points[:, None] - codes[None]) ** 2).sum(-1)).min(1)
    return points.astype(np.float32), nearest < spacing


def _accuracy(predicted: np.ndarray, digits: np.ndarray) -> float:
    return float((np.asarray(predicted) == np.asarray(digits)).mean())


def judge_speech(model, data: SpeechData, samples: int = 1000, grid_steps: int = 12, seed: int = 0) -> dict:
    """Both judges' verdicts (a), (b), (c) of the module docstring, with the real clips' for comparison.

    ``samples``: points drawn from the prior (seeded by ``seed``). Accuracies
    are shares in [0, 1]; ``sphinx_*`` are PocketSphinx's.
    """
    model.eval()
    digits = data.test_digits
    sounds = {
        "real": data.test_clips.waveforms(progress=False),
        "resynthesis": to_waveform(data.test.numpy()),
        "reconstruction": reconstruct(model, data.test),
    }
    generator = torch.Generator().manual_seed(seed)
    asked = torch.arange(samples) % 10 if model.digit_prior else None  # as many of each digit
    prior_points = model.prior_points(samples, generator, digits=asked).numpy()
    sounds["sample"] = speak(model, prior_points)
    heard = {name: hear(waveforms) for name, waveforms in sounds.items()}
    read = {name: sphinx_digits(waveforms) for name, waveforms in sounds.items()}
    codes = latent_codes(model, data.test)
    metrics = {"judge": JUDGES["audio"], "second_judge": "pocketsphinx"}
    for name in ("reconstruction", "real", "resynthesis"):
        metrics[f"{name}_accuracy"] = _accuracy(heard[name].argmax(1), digits)
        metrics[f"sphinx_{name}_accuracy"] = _accuracy(read[name], digits)
    for name in ("sample", "real"):
        metrics[f"{name}_inception_score"] = inception_score(heard[name])
        metrics[f"{name}_confident_share"] = confident_share(heard[name])
        metrics[f"sphinx_{name}_agreement"] = _accuracy(read[name], heard[name].argmax(1))
    metrics["samples_heard_as"] = np.bincount(heard["sample"].argmax(1), minlength=10).tolist()
    if asked is not None:
        metrics["sample_digit_accuracy"] = _accuracy(heard["sample"].argmax(1), asked.numpy())
        metrics["sphinx_sample_digit_accuracy"] = _accuracy(read["sample"], asked.numpy())
    metrics["prior_region_accuracy"] = _accuracy(
        heard["sample"].argmax(1), region_labels(codes, digits, prior_points, REGION_NEIGHBOURS)
    )
    if model.latent_dim == 2:
        points, on_map = map_grid(codes, grid_steps)
        regions = region_labels(codes, digits, points[on_map], REGION_NEIGHBOURS)
        grid_sounds = speak(model, points[on_map])
        metrics["map_accuracy"] = _accuracy(hear(grid_sounds).argmax(1), regions)
        metrics["sphinx_map_accuracy"] = _accuracy(sphinx_digits(grid_sounds), regions)
        metrics["map_points"] = int(on_map.sum())
    return metrics | {"test_clips": len(digits), "samples": samples}
