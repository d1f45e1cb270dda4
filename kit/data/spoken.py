"""Spoken digits: one table of recordings for every corpus of the course (lessons 1-3, 7).

All four corpora become a :class:`SpokenDigits`: a list of :class:`Utterance`
(file, digit, speaker, take, official split) plus speaker metadata.

=================  ===========================================  ======
corpus             layout on disk                               rate
=================  ===========================================  ======
FSDD               ``recordings/{digit}_{speaker}_{take}.wav``  8 kHz
Speech Commands    ``{word}/{speaker}_nohash_{take}.wav``       16 kHz
AudioMNIST         ``data/{speaker}/{digit}_{speaker}_{take}``  48 kHz
eSpeak (embedded)  synthesized into the cache, FSDD naming      16 kHz
=================  ===========================================  ======

:func:`kit.data.default.load_spoken_digits` returns FSDD when it is on disk
and otherwise the embedded eSpeak corpus (:mod:`kit.data.synth`).
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..audio import SAMPLE_RATE, load_audio
from ..config import quick_mode
from .sources import DIGIT_WORDS, SOURCES


@dataclass(frozen=True)
class Utterance:
    """One recording of one spoken digit."""

    path: Path
    digit: int
    speaker: str
    take: int
    official_split: str | None = None  # "train" / "validation" / "test" where the corpus defines one


@dataclass
class SpokenDigits:
    """A corpus of spoken digits: utterances in a fixed order, plus speaker metadata."""

    name: str
    utterances: list[Utterance]
    speakers: dict[str, dict] = field(default_factory=dict)
    embedded: bool = False

    def __len__(self) -> int:
        return len(self.utterances)

    def __getitem__(self, index: int) -> Utterance:
        return self.utterances[index]

    @property
    def digits(self) -> np.ndarray:
        """The label of every utterance, in order."""
        return np.array([u.digit for u in self.utterances], dtype=np.int64)

    @property
    def speaker_names(self) -> list[str]:
        """Distinct speakers, sorted."""
        return sorted({u.speaker for u in self.utterances})

    def __add__(self, other: SpokenDigits) -> SpokenDigits:
        """Both corpora in one (``fsdd+espeak``): utterances one after the other, speaker metadata merged."""
        return SpokenDigits(f"{self.name}+{other.name}", self.utterances + other.utterances,
                            self.speakers | other.speakers, self.embedded and other.embedded)

    def subset(self, indices, name: str | None = None) -> SpokenDigits:
        """A corpus with the utterances at ``indices`` (same metadata)."""
        chosen = [self.utterances[i] for i in np.asarray(indices, dtype=int)]
        return SpokenDigits(name or self.name, chosen, self.speakers, self.embedded)

    def load(self, index: int, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The waveform of utterance ``index`` as mono float32 at ``sr``."""
        return load_audio(self.utterances[index].path, sr)

    def waveforms(self, sr: int = SAMPLE_RATE, progress: bool = True) -> list[np.ndarray]:
        """Every waveform, in order (mono float32 at ``sr``), with a progress bar."""
        return [
            load_audio(u.path, sr)
            for u in tqdm(
                self.utterances,
                desc=f"loading {self.name}",
                disable=not progress or quick_mode(),
                leave=False,
            )
        ]

    def describe(self) -> str:
        """A short summary: size, speakers, takes per digit, and where it comes from."""
        counts = Counter(u.digit for u in self.utterances)
        per_digit = " ".join(f"{d}:{counts.get(d, 0)}" for d in range(10))
        origin = (
            "embedded default, synthesized offline with eSpeak NG" if self.embedded else "real recordings"
        )
        return (
            f"{self.name}: {len(self)} utterances from {len(self.speaker_names)} speakers "
            f"({origin})\n  per digit {per_digit}"
        )


FSDD_NAME = re.compile(r"^(\d)_([A-Za-z0-9-+]+)_(\d+)\.wav$")


def scan_fsdd_layout(folder: Path, name: str, official_test_takes: int | None) -> list[Utterance]:
    """Read ``{digit}_{speaker}_{take}.wav`` files of ``folder``, sorted by digit, speaker, take."""
    utterances = []
    for path in folder.glob("*.wav"):
        match = FSDD_NAME.match(path.name)
        if not match:
            warnings.warn(
                f"{name}: skipping {path.name}, which is not named digit_speaker_take.wav", stacklevel=3
            )
            continue
        digit, speaker, take = int(match[1]), match[2], int(match[3])
        split = None if official_test_takes is None else ("test" if take < official_test_takes else "train")
        utterances.append(Utterance(path, digit, speaker, take, split))
    return sorted(utterances, key=lambda u: (u.digit, u.speaker, u.take))


def load_fsdd() -> SpokenDigits:
    """The Free Spoken Digit Dataset: 3,000 recordings, 6 speakers, official split takes 0-4 = test."""
    root = SOURCES["fsdd"].locate()
    speakers_file = root / "speakers.json"
    speakers = json.loads(speakers_file.read_text()) if speakers_file.is_file() else {}
    return SpokenDigits(
        "fsdd", scan_fsdd_layout(root / "recordings", "fsdd", official_test_takes=5), speakers
    )


def load_speech_commands() -> SpokenDigits:
    """Digit words of Speech Commands v0.01 with the official validation and testing lists."""
    root = SOURCES["speech_commands"].locate()
    lists = {
        split: set((root / f"{split}_list.txt").read_text().split()) for split in ("validation", "testing")
    }
    utterances = []
    for digit, word in enumerate(DIGIT_WORDS):
        for path in sorted((root / word).glob("*_nohash_*.wav")):
            speaker, _, take = path.stem.partition("_nohash_")
            relative = f"{word}/{path.name}"
            split = (
                "test"
                if relative in lists["testing"]
                else "validation"
                if relative in lists["validation"]
                else "train"
            )
            utterances.append(Utterance(path, digit, speaker, int(take), split))
    return SpokenDigits("speech_commands", utterances)


def load_audiomnist() -> SpokenDigits:
    """AudioMNIST: ``data/{speaker}/{digit}_{speaker}_{take}.wav`` with ``audioMNIST_meta.txt``."""
    root = SOURCES["audiomnist"].locate() / "data"
    speakers = json.loads((root / "audioMNIST_meta.txt").read_text())
    utterances = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        utterances += scan_fsdd_layout(folder, "audiomnist", official_test_takes=None)
    return SpokenDigits("audiomnist", utterances, speakers)
