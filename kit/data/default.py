"""The corpus a lesson gets when it asks for spoken digits: the real one if present, else the embedded one.

Sits above :mod:`kit.data.spoken` (the real corpora) and :mod:`kit.data.synth`
(the eSpeak NG voices), so neither imports the other's loader (lessons 1-8).
"""

from __future__ import annotations

import warnings

from .sources import DataNotFoundError
from .spoken import SpokenDigits, load_fsdd
from .synth import load_espeak_digits


def load_spoken_digits() -> SpokenDigits:
    """FSDD when it is on disk; otherwise the embedded eSpeak corpus, with a warning that says so."""
    try:
        return load_fsdd()
    except DataNotFoundError as missing:
        warnings.warn(
            f"{missing}\nUsing spoken digits synthesized offline with eSpeak NG instead.", stacklevel=2
        )
        return load_espeak_digits()
