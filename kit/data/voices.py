"""Voice sets: which voices a model learns from, which it is tuned on, which only test it (lessons 8, 14).

A spoken-digit model is only as good as it is for a voice it never heard.
The course keeps three kinds of voices apart:

- **training voices**: FSDD's speakers and the eSpeak NG voices, except
  those :func:`voices_split` holds out;
- **validation voices**, for choosing what helps (augmentation, features,
  epochs): the held-out FSDD speaker (:data:`HELD_OUT_SPEAKER`), the
  held-out eSpeak accent (``synth.TEST_ACCENT``), other speech
  synthesisers' voices (:func:`load_tts_digits`: Flite and Festival, where
  Debian's ``flite`` and ``festival`` packages are installed), and all of
  them recorded again in simulated far-field conditions (:func:`far_field`:
  other rooms than training's, babble of other voices, a 1-second window),
  since clean voices cannot tell what the recording-condition steps buy;
- **unseen voices**, for the final figure only, never for training or
  tuning: the Speech Commands and AudioMNIST samples (:func:`unseen_corpora`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from .. import augment
from ..audio import SAMPLE_RATE, prepare_waveform
from ..config import cache_dir
from .sources import DIGIT_WORDS, DataNotFoundError
from .splits import speaker_split
from .spoken import SpokenDigits, load_audiomnist, load_speech_commands, scan_fsdd_layout
from .synth import TEST_ACCENT

HELD_OUT_SPEAKER = "yweweler"  # the FSDD speaker that the "voices" split keeps out
#: Voices of other synthesisers: (engine, voice). Flite's four, Festival's two that differ from them.
TTS_VOICES = (
    ("flite", "kal"), ("flite", "awb"), ("flite", "rms"), ("flite", "slt"),
    ("festival", "ked_diphone"), ("festival", "cmu_us_slt_arctic_hts"),
)
TTS_STRETCHES = (0.85, 1.0, 1.2)  # slower and faster speech: duration stretch factors
TTS_STORE_RATE = 16000
FESTIVAL_VOICES = Path("/usr/share/festival/voices")  # Debian's festvox-* packages install here
INSTALL_HINT = "sudo apt-get install flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"


def voices_split(corpus: SpokenDigits) -> tuple[SpokenDigits, SpokenDigits]:
    """Train on every voice but :data:`HELD_OUT_SPEAKER` and the eSpeak voices of ``TEST_ACCENT``."""
    held_out = [s for s in corpus.speaker_names if s == HELD_OUT_SPEAKER or s.startswith(TEST_ACCENT + "+")]
    if not held_out:
        raise ValueError(f"{corpus.name} has neither {HELD_OUT_SPEAKER} nor {TEST_ACCENT} voices to hold out")
    return speaker_split(corpus, held_out)


def _synthesise(engine: str, voice: str, word: str, stretch: float, path: Path) -> None:
    if engine == "flite":
        command = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", word,
                   "-o", str(path)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    else:
        command = ["text2wave", "-eval", f"(voice_{voice})",
                   "-eval", f"(Parameter.set 'Duration_Stretch {stretch})", "-o", str(path)]
        subprocess.run(command, input=word.encode(), check=True, capture_output=True, timeout=60)


def _available_tts_voices() -> list[tuple[str, str]]:
    """The voices of :data:`TTS_VOICES` this machine speaks (Flite's are built in, Festival's packages)."""
    engines = {"flite": shutil.which("flite"), "festival": shutil.which("text2wave")}
    return [(engine, voice) for engine, voice in TTS_VOICES
            if engines[engine] and (engine == "flite" or any(FESTIVAL_VOICES.glob(f"*/{voice}")))]


def load_tts_digits() -> SpokenDigits:
    """The ten digit words in Flite's and Festival's voices at three speaking rates, made once.

    A validation set of voices no course model trains on (6 voices x 3 rates
    x 10 digits where both programs are installed; each voice is one speaker).
    Written into ``$KIT_CACHE_DIR/tts-<key>`` at 16 kHz. A
    :class:`DataNotFoundError` says how to install them when neither is.
    """
    voices = _available_tts_voices()
    if not voices:
        raise DataNotFoundError(f"neither flite nor festival is installed: {INSTALL_HINT}")
    key = hashlib.sha256(json.dumps([voices, TTS_STRETCHES, DIGIT_WORDS]).encode()).hexdigest()[:12]
    folder = cache_dir(f"tts-{key}")
    if not (folder / "complete.json").is_file():
        with tempfile.TemporaryDirectory() as scratch:
            raw = Path(scratch) / "raw.wav"
            for (digit, word), (engine, voice) in itertools.product(enumerate(DIGIT_WORDS), voices):
                for take, stretch in enumerate(TTS_STRETCHES):
                    _synthesise(engine, voice, word, stretch, raw)
                    y, rate = sf.read(raw, dtype="float32", always_2d=True)
                    y = prepare_waveform(y.mean(axis=1), rate, TTS_STORE_RATE)
                    sf.write(folder / f"{digit}_{_speaker(engine, voice)}_{take}.wav", y, TTS_STORE_RATE,
                             subtype="PCM_16")
        (folder / "complete.json").write_text(json.dumps({"voices": voices, "stretches": TTS_STRETCHES}))
    speakers = {_speaker(engine, voice): {"engine": engine, "voice": voice} for engine, voice in voices}
    utterances = [dataclasses.replace(u, official_split="test")
                  for u in scan_fsdd_layout(folder, "tts", official_test_takes=None)]
    return SpokenDigits("tts", utterances, speakers, embedded=True)


def _speaker(engine: str, voice: str) -> str:
    return f"{engine}-{voice.replace('_', '-')}"  # no underscore: FSDD's file names split on it


#: The validation voice sets: key (as in metric names, ``<key>_accuracy``) and title.
VALIDATION_SETS = {
    "heldout_fsdd_speaker": f"held-out FSDD speaker ({HELD_OUT_SPEAKER})",
    "heldout_espeak_accent": f"held-out eSpeak accent ({TEST_ACCENT}, 8 voices)",
    "tts_voices": "Flite and Festival voices (6 voices, 3 rates)",
    "far_field": "all of them far-field (other rooms, babble without digits, 1-s window)",
}
FAR_FIELD_SNR_DB = (5.0, 20.0)  # babble this far below the word
FAR_FIELD_ROOMS_SEED = 1001  # rooms that training's augmentation (seed 0) never uses
#: What the babble's talkers say: sentences without a digit word, so that the noise never names a digit.
BABBLE_SENTENCES = (
    "the kettle is on and the window is open",
    "could you pass me the blue folder please",
    "we walked along the river until it was dark",
    "there is a meeting in the large room after lunch",
    "the bus was late again this morning",
    "she painted the fence a bright shade of green",
)


def _babble_talkers() -> list[np.ndarray]:
    """The babble sentences in the training accents' voices (never the held-out accent's)."""
    from itertools import product

    from .synth import ACCENTS, VARIANTS, speak

    voices = [f"{accent}+{variant}" for accent, variant in product(ACCENTS, VARIANTS[::2])
              if accent != TEST_ACCENT]
    return [speak(sentence, voice, sr=SAMPLE_RATE)
            for sentence, voice in zip(BABBLE_SENTENCES * 4, voices, strict=False)]


def _babble(rng: np.random.Generator, length: int, talkers: list[np.ndarray]) -> np.ndarray:
    """Three to six other talkers at once, each a random second of a sentence."""
    mix = np.zeros(length)
    for index in rng.choice(len(talkers), size=int(rng.integers(3, 7)), replace=False):
        talker = np.resize(talkers[index], 2 * length)  # long enough for any one second
        start = int(rng.integers(0, len(talker) - length + 1))
        piece = talker[start:start + length].astype(np.float64)
        mix += piece / (np.sqrt(np.mean(piece**2)) + 1e-9)
    return mix


def far_field(corpus: SpokenDigits, seed: int = 0) -> SpokenDigits:
    """Every clip of ``corpus`` recorded again far from the microphone, made once into the cache.

    Each clip is played in one of 64 simulated rooms that training's ``room``
    step never uses, placed at a random moment of a 1-second window, and
    mixed with babble (3-6 eSpeak voices of the training accents saying
    sentences without digits) 5-20 dB below the word: a phone or a laptop in
    a busy room, made differently from every training step.
    """
    settings = [[str(u.path) for u in corpus.utterances], FAR_FIELD_SNR_DB, FAR_FIELD_ROOMS_SEED, seed,
                BABBLE_SENTENCES]
    folder = cache_dir(f"farfield-{hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:12]}")
    if not (folder / "complete.json").is_file():
        rng = np.random.default_rng(seed)
        rooms = augment.room_impulse_responses(count=64, sr=SAMPLE_RATE, seed=FAR_FIELD_ROOMS_SEED)
        talkers = _babble_talkers()
        for utterance, y in zip(corpus.utterances, corpus.waveforms(progress=False), strict=True):
            word = augment.reverberate(y, rooms[int(rng.integers(len(rooms)))])[:SAMPLE_RATE]
            window = np.zeros(SAMPLE_RATE)
            start = int(rng.integers(0, SAMPLE_RATE - len(word) + 1))
            window[start:start + len(word)] = word
            power = np.mean(word.astype(np.float64) ** 2)
            babble = _babble(rng, SAMPLE_RATE, talkers)
            babble *= np.sqrt(power / 10 ** (rng.uniform(*FAR_FIELD_SNR_DB) / 10) / np.mean(babble**2))
            noisy = window + babble
            sf.write(folder / f"{utterance.digit}_{utterance.speaker}_{utterance.take}.wav",
                     (0.9 * noisy / np.abs(noisy).max()).astype(np.float32), SAMPLE_RATE, subtype="PCM_16")
        (folder / "complete.json").write_text(json.dumps({"clips": len(corpus), "seed": seed}))
    utterances = scan_fsdd_layout(folder, "far-field", official_test_takes=None)
    return SpokenDigits("far-field", utterances, corpus.speakers, embedded=corpus.embedded)


def validation_voices(corpus: SpokenDigits) -> dict[str, SpokenDigits]:
    """The voices that :func:`voices_split` holds out, found in ``corpus``, set by set, plus the other
    synthesisers' voices where they are installed: what to choose settings on.

    Keys as in :data:`VALIDATION_SETS`.
    """
    sets = {}
    for key, keep in (
        ("heldout_fsdd_speaker", lambda u: u.speaker == HELD_OUT_SPEAKER),
        ("heldout_espeak_accent", lambda u: u.speaker.startswith(TEST_ACCENT + "+")),
    ):
        indices = [i for i, u in enumerate(corpus.utterances) if keep(u)]
        if indices:
            sets[key] = corpus.subset(np.array(indices), key)
    try:
        sets["tts_voices"] = load_tts_digits()
    except DataNotFoundError:
        pass
    if sets:
        everything = list(sets.values())
        merged = everything[0]
        for more in everything[1:]:
            merged = merged + more
        sets["far_field"] = far_field(merged)
    return sets


def unseen_corpora() -> dict[str, SpokenDigits]:
    """The unseen-speaker samples on disk (``speech_commands``, ``audiomnist``): evaluation only."""
    found = {}
    for name, loader in (("speech_commands", load_speech_commands), ("audiomnist", load_audiomnist)):
        try:
            found[name] = loader()
        except DataNotFoundError:
            continue
    return found


def unseen_scores(accuracy: Callable[[SpokenDigits], float],
                  corpora: dict[str, SpokenDigits] | None = None) -> dict[str, float]:
    """``accuracy`` (a model's, on one corpus) on each unseen sample and on all of them pooled.

    ``corpora`` defaults to :func:`unseen_corpora`. The metrics are
    ``{name}_accuracy`` and ``{name}_clips`` per sample, then ``unseen_accuracy``
    (clips right over clips, so a sample of 6 clips weighs 6) and
    ``unseen_clips``; an empty dict when no sample is on disk.
    """
    scores, total, correct = {}, 0, 0
    for name, corpus in (unseen_corpora() if corpora is None else corpora).items():
        right = round(accuracy(corpus) * len(corpus))
        scores[f"{name}_accuracy"], scores[f"{name}_clips"] = round(right / len(corpus), 4), len(corpus)
        total, correct = total + len(corpus), correct + right
    if total:
        scores["unseen_accuracy"], scores["unseen_clips"] = round(correct / total, 4), total
    return scores
