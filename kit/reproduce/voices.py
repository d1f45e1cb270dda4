"""Voices never heard: what each augmentation step buys, voice set by voice set (lessons 8 and 14).

Not in the source documents. Each row trains AudioNet_CNN (seed 003's
Table 2) on the playground's features, the 48x48 log-mel, on FSDD's
speakers plus the eSpeak NG voices (the ``voices`` split:
:func:`kit.data.voices.voices_split`), with four augmented copies of every
training clip made by one chain of :mod:`kit.augment` steps. The chains are
compared on the validation voices only (the held-out FSDD speaker, the
held-out eSpeak accent, Flite's and Festival's voices); the Speech Commands
and AudioMNIST samples are measured for the record and never used to choose.

The ``voices-playground-*`` rows train variants of the playground's first
recipe (24 epochs) with seed 0: SpecAugment's masks, the ``voice`` and
``room`` steps, both, 60 more eSpeak women's voices to train on (twelve
variants in five accents, :func:`kit.data.synth.load_more_espeak_voices`), and the recipe itself
with seeds 0 to 3, whose spread is the yardstick a variant has to beat.
The variant that cleared it, those voices with the ``room`` step, is the
zoo's ``fast-aivae`` now, the table's first row.

The ``voices-trim-*`` rows measure the zoo's classifier and playground
model with the two ways of finding the word before the features
(:data:`kit.features.TRIMS`): the plain threshold relative to the loudest
frame, which a noisy one-second window defeats, and the kit's
:func:`kit.audio.trim_silence`, which measures the background first.

Two more rows train longer (six epochs, one-cycle learning rate) on the
default chain: the zoo's ``audionet-cnn`` (the judge of generated sound), and
the same recipe with SpecAugment's masks (:func:`kit.augment.mask_bands_and_frames`),
which standard practice recommends for unseen speakers.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from statistics import mean

import numpy as np

from .. import zoo
from ..augment import DEFAULT_STEPS
from ..data import SpokenDigits, load_fsdd
from ..data.synth import MORE_VARIANTS, TRAINING_ACCENTS, load_espeak_digits
from ..data.voices import VALIDATION_SETS, unseen_corpora, unseen_scores, validation_voices, voices_split
from ..experiments import hears, spoken_digit_accuracy
from ..features import feature_spec
from ..judges import load_judge
from ..runs import RunConfig
from ..tasks.digits import voice_accuracy
from ..zoo.recipes import RECIPES
from .engine import Row, Table
from .paper import command, epochs, percent, time_taken

#: The augmentation chains compared, from none to every step.
CHAINS = ("none", DEFAULT_STEPS, "speed+voice+tilt+pad+noise", "speed+tilt+room+pad+noise",
          "speed+tilt+room+band+pad+noise")
COPIES = 4
EPOCHS = 3


def voices_id(chain: str) -> str:
    return "voices-" + chain.replace("+", "-")


def voices_config(chain: str) -> RunConfig:
    augmented = {} if chain == "none" else {"augment": COPIES, "augmentation": chain}
    return RunConfig("audionet-cnn", data="mnist-fsdd+espeak", split="voices", features="mel48",
                     epochs=EPOCHS, batch_size=64, lr_schedule="plateau", **augmented)


AUGMENTATION_ROWS = (
    *(Row(voices_id(chain), "not in the sources: voices never heard", chain, config=voices_config(chain))
      for chain in CHAINS),
    Row("voices-classifier", "not in the sources: voices never heard", "the zoo's audionet-cnn",
        zoo="audionet-cnn"),
    Row("voices-classifier-masks", "not in the sources: voices never heard", "with SpecAugment masks",
        config=RECIPES["audionet-cnn"].replace(options={"masks": 2})),
)

#: The playground's first recipe (the zoo's ``fast-aivae`` until 2026-12-02, with seed 2).
FIRST_PLAYGROUND_RECIPE = RunConfig("fast-aivae", data="mnist-fsdd+espeak", split="voices",
                                    pairing="resampled", augment=4, lr_schedule="onecycle", epochs=24)
#: Variants of the first recipe, seed 0 unless they say: what each would change. The one that cleared
#: the bar, more voices with the ``room`` step, is the zoo's recipe now: the table's ``playground`` row.
PLAYGROUND_VARIANTS = {
    "seed0": {},
    "masks": {"options": {"masks": 2}},
    "voice": {"augmentation": "speed+voice+tilt+pad+noise"},
    "room": {"augmentation": "speed+tilt+room+pad+noise"},
    "voice-room": {"augmentation": "speed+voice+tilt+room+pad+noise"},
    "voice-room-masks": {"augmentation": "speed+voice+tilt+room+pad+noise", "options": {"masks": 2}},
    "more-voices": {"data": "mnist-fsdd+espeak-more"},
    "seed1": {"seed": 1},
    "seed2": {"seed": 2},
    "seed3": {"seed": 3},
}
PLAYGROUND_ROWS = tuple(
    Row(f"voices-playground-{name}", "not in the sources: voices never heard", name,
        config=FIRST_PLAYGROUND_RECIPE.replace(**change))
    for name, change in PLAYGROUND_VARIANTS.items()
)


#: The zoo models whose hearing the trim rows measure: the best classifier and the playground model.
TRIM_MODELS = {"audionet-cnn": "AudioNet_CNN (the zoo's `audionet-cnn`)",
               "fast-aivae": "the playground's FastAIVAE (the zoo's `fast-aivae`), read by LeNet"}
QUICK_CLIPS = 24  # clips per voice set in quick mode


def trim_id(model: str, trim: str) -> str:
    return f"voices-trim-{model}-{trim}"


def trim_result(model_name: str, trim: str, quick: bool, progress: bool, results: Path) -> dict:
    """Accuracy of the zoo's ``model_name`` on every validation voice set and unseen sample when the
    word is found by the rule ``trim`` (:data:`kit.features.TRIMS`); FSDD needed."""
    model = zoo.load(model_name)
    classifier = hasattr(model, "audio_input")  # else a generator, whose drawings LeNet reads
    heard_as = feature_spec(model.audio_input.feature) if classifier else hears(model)
    spec = dataclasses.replace(heard_as, trim=trim)
    held_out = voices_split(load_fsdd() + load_espeak_digits())[1]
    if quick:
        held_out = held_out.subset(np.arange(0, len(held_out), max(1, len(held_out) // QUICK_CLIPS)))
    lenet = None if classifier else load_judge("image")

    def sample(clips: SpokenDigits) -> SpokenDigits:
        return clips.subset(np.arange(min(QUICK_CLIPS, len(clips)))) if quick else clips

    def accuracy(clips: SpokenDigits) -> float:
        return (voice_accuracy(model, clips, spec) if classifier
                else spoken_digit_accuracy(model, clips, lenet, spec))

    metrics = {f"{key}_accuracy": round(accuracy(sample(clips)), 4)
               for key, clips in validation_voices(held_out).items()}
    metrics |= unseen_scores(accuracy, {name: sample(clips) for name, clips in unseen_corpora().items()})
    return {"config": {"zoo": model_name, "trim": trim, "features": spec.name},
            "metrics": metrics, "run": {"command": f"python -m kit reproduce {trim_id(model_name, trim)}"}}


TRIM_ROWS = tuple(  # the plain rule, then the kit's
    Row(trim_id(model, trim), "not in the sources: voices never heard", title,
        analysis=partial(trim_result, model, trim))
    for model, title in TRIM_MODELS.items() for trim in ("threshold", "word")
)
ROWS = (*AUGMENTATION_ROWS, *PLAYGROUND_ROWS, *TRIM_ROWS)


def _augmentation(row: Row, result: dict, seeds: bool = False) -> str:
    """The chain of a row's run (``none`` without copies), its masks, its seed (where ``seeds`` or
    not 0), and the zoo entry it is."""
    config = result["config"]
    cell = f"`{config['augmentation'] if config['augment'] else 'none'}`"
    if config["options"].get("masks"):
        cell += f" + {config['options']['masks']} band and {config['options']['masks']} frame masks"
    if seeds or config.get("seed"):
        cell += f", seed {config.get('seed', 0)}"
    if config["data"].endswith("-more"):
        cell += f", with {len(MORE_VARIANTS) * len(TRAINING_ACCENTS)} more eSpeak women's voices"
    return cell + (f" (the zoo's `{row.zoo}`)" if row.zoo else "")


def validation_mean(metrics: dict) -> float | None:
    """The mean accuracy over the validation voice sets a run was measured on (what chains are chosen by)."""
    values = [metrics[f"{key}_accuracy"] for key in VALIDATION_SETS if f"{key}_accuracy" in metrics]
    return mean(values) if values else None


def _validation_mean(row: Row, result: dict) -> str:
    value = validation_mean(result["metrics"])
    return "-" if value is None else f"**{100 * value:.1f} %**"


def _trim(row: Row, result: dict) -> str:
    return {"threshold": "plain threshold (-30 dB from the loudest frame)",
            "word": "the kit's `trim_silence` (above the background)"}[result["config"]["trim"]]


#: Every voice set: the validation ones, their mean (what is chosen by), then the unseen samples.
VOICE_COLUMNS = (
    *((title, percent(f"{key}_accuracy")) for key, title in VALIDATION_SETS.items()),
    ("validation mean", _validation_mean),
    ("Speech Commands sample", percent("speech_commands_accuracy")),
    ("AudioMNIST sample", percent("audiomnist_accuracy")),
    ("both samples", percent("unseen_accuracy")),
)
TRAINED_COLUMNS = (
    ("augmentation (4 copies of every clip)", _augmentation),
    *VOICE_COLUMNS,
    ("epochs", epochs),
    ("time", time_taken),
    ("command", command),
)
SEEDED_COLUMNS = (("augmentation (4 copies of every clip)", partial(_augmentation, seeds=True)),
                  *TRAINED_COLUMNS[1:])
TABLES = {
    "voice-augmentation": Table(tuple(row.id for row in AUGMENTATION_ROWS), TRAINED_COLUMNS),
    # the recipe itself is the paper module's "playground" row (the zoo's fast-aivae), then its variants
    "voice-playground": Table(("playground", *(row.id for row in PLAYGROUND_ROWS)), SEEDED_COLUMNS),
    "voice-trim": Table(
        tuple(row.id for row in TRIM_ROWS),
        (
            ("model", lambda row, result: row.label),
            ("finding the word", _trim),
            *VOICE_COLUMNS,
        ),
    ),
}
