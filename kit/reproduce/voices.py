"""Voices never heard: what each augmentation step buys, voice set by voice set (lessons 8 and 14).

Not in the source documents. Each row trains AudioNet_CNN (seed 003's
Table 2) on the playground's features, the 48x48 log-mel, on FSDD's
speakers plus the eSpeak NG voices (the ``voices`` split:
:func:`kit.data.voices.voices_split`), with four augmented copies of every
training clip made by one chain of :mod:`kit.augment` steps. The chains are
compared on the validation voices only (the held-out FSDD speaker, the
held-out eSpeak accent, Flite's and Festival's voices); the Speech Commands
and AudioMNIST samples are measured for the record and never used to choose.

Two more rows train longer (six epochs, one-cycle learning rate) on the
default chain: the zoo's ``audionet-cnn`` (the judge of generated sound), and
the same recipe with SpecAugment's masks (:func:`kit.augment.mask_bands_and_frames`),
which standard practice recommends for unseen speakers.
"""

from __future__ import annotations

from statistics import mean

from ..augment import DEFAULT_STEPS
from ..data.voices import VALIDATION_SETS
from ..runs import RunConfig
from ..zoo.recipes import RECIPES
from .engine import Row, Table
from .paper import command, epochs, time_taken

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


ROWS = (
    *(Row(voices_id(chain), "not in the sources: voices never heard", chain, config=voices_config(chain))
      for chain in CHAINS),
    Row("voices-classifier", "not in the sources: voices never heard", "the zoo's audionet-cnn",
        zoo="audionet-cnn"),
    Row("voices-classifier-masks", "not in the sources: voices never heard", "with SpecAugment masks",
        config=RECIPES["audionet-cnn"].replace(options={"masks": 2})),
)


def _augmentation(row: Row, result: dict) -> str:
    """The chain of a row's run (``none`` without copies), its masks, and the zoo entry it is."""
    config = result["config"]
    cell = f"`{config['augmentation'] if config['augment'] else 'none'}`"
    if config["options"].get("masks"):
        cell += f" + {config['options']['masks']} band and {config['options']['masks']} frame masks"
    return cell + (f" (the zoo's `{row.zoo}`)" if row.zoo else "")


def _percent(key: str):
    def cell(row: Row, result: dict) -> str:
        value = result["metrics"].get(key)
        return "-" if value is None else f"{100 * value:.1f} %"

    return cell


def validation_mean(metrics: dict) -> float | None:
    """The mean accuracy over the validation voice sets a run was measured on (what chains are chosen by)."""
    values = [metrics[f"{key}_accuracy"] for key in VALIDATION_SETS if f"{key}_accuracy" in metrics]
    return mean(values) if values else None


def _validation_mean(row: Row, result: dict) -> str:
    value = validation_mean(result["metrics"])
    return "-" if value is None else f"**{100 * value:.1f} %**"


TABLES = {
    "voice-augmentation": Table(
        tuple(row.id for row in ROWS),
        (
            ("augmentation (4 copies of every clip)", _augmentation),
            *((title, _percent(f"{key}_accuracy")) for key, title in VALIDATION_SETS.items()),
            ("validation mean", _validation_mean),
            ("Speech Commands sample", _percent("speech_commands_accuracy")),
            ("AudioMNIST sample", _percent("audiomnist_accuracy")),
            ("both samples", _percent("unseen_accuracy")),
            ("epochs", epochs),
            ("time", time_taken),
            ("command", command),
        ),
    ),
}
