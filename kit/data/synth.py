"""Spoken digits synthesized offline with eSpeak NG: the course's embedded default (lesson 1).

The ``espeakng-loader`` wheel ships libespeak-ng and its voice data; this
module drives it through ``ctypes``. :func:`speak` turns text into a
waveform; :func:`load_espeak_digits` synthesizes the ten digit words across
English accents, voice variants, speaking rates and pitches, writes them once
into the cache as ``{digit}_{voice}_{take}.wav`` (FSDD's naming) and returns
them as a :class:`~kit.data.spoken.SpokenDigits`. Each voice (accent +
variant) counts as one speaker, so speaker-held-out splits work as for FSDD.
:func:`load_more_espeak_voices` adds 60 more women's voices (twelve
variants in the five training accents), for the playground's voice
experiments (lessons 8, 14).
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import itertools
import json
import os
import threading
from functools import cache

import numpy as np
import soundfile as sf

from ..audio import prepare_waveform
from ..config import cache_dir
from .sources import DIGIT_WORDS
from .spoken import SpokenDigits, scan_fsdd_layout

ACCENTS = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc")
VARIANTS = ("m1", "m3", "m5", "m7", "f1", "f2", "f3", "f4")
#: eSpeak NG's other variants that it marks female, but the robot and whispering ones:
#: more women's voices for :func:`load_more_espeak_voices`.
MORE_VARIANTS = ("Alicia", "Andrea", "Annie", "anika", "aunty", "belinda", "f5", "grandma", "linda",
                 "steph", "steph2", "steph3")
FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", *MORE_VARIANTS)
RATES = (130, 165, 200)  # words per minute
PITCHES = (35, 60)  # 0-100, eSpeak's default is 50
STORE_RATE = 16000
#: The official split of the embedded corpus holds out every voice of one accent (8 of 48 voices).
TEST_ACCENT = "en-029"
TRAINING_ACCENTS = tuple(accent for accent in ACCENTS if accent != TEST_ACCENT)

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_PARAMETER = {"rate": 1, "pitch": 3, "range": 4}
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Espeak:
    """The process-wide libespeak-ng, initialised once; calls are serialised by a lock."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.cdll.LoadLibrary(espeakng_loader.get_library_path())
        self.rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0
        )
        if self.rate <= 0:
            raise RuntimeError("libespeak-ng failed to initialise")
        self.chunks: list[np.ndarray] = []
        self.callback = _CALLBACK(self._collect)  # kept alive as long as the library may call it
        self.lib.espeak_SetSynthCallback(self.callback)
        self.lock = threading.Lock()

    def _collect(self, samples, count, _events) -> int:
        if count > 0:
            self.chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0  # 0 = carry on

    def speak(self, text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"eSpeak NG has no voice {voice!r}")
            self.lib.espeak_SetParameter(_PARAMETER["rate"], rate, 0)
            self.lib.espeak_SetParameter(_PARAMETER["pitch"], pitch, 0)
            self.chunks = []
            encoded = text.encode()
            self.lib.espeak_Synth(encoded, len(encoded) + 1, 0, 0, 0, 0, None, None)
            self.lib.espeak_Synchronize()
            samples = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
        return samples.astype(np.float32) / 32768.0


@cache
def _engine() -> _Espeak:
    return _Espeak()


def speak(
    text: str, voice: str = "en-us", rate: int = 165, pitch: int = 50, sr: int = STORE_RATE
) -> np.ndarray:
    """Synthesize ``text`` with eSpeak NG; mono float32 at ``sr`` Hz.

    ``voice`` is a language (``"en-us"``, ``"en-gb-scotland"`` ...) optionally
    with a variant (``"en-us+f3"``); ``rate`` is in words per minute; ``pitch`` 0-100.
    """
    engine = _engine()
    return prepare_waveform(engine.speak(text, voice, rate, pitch), engine.rate, sr, name=f"eSpeak {voice}")


def seed_noise(seed: int) -> None:
    """Seed eSpeak NG's random generator.

    The breathy variants (``f2``, ``f3``) add noise; without a seed the same
    text comes out slightly different each time.
    """
    _engine().lib.espeak_ng_SetRandSeed(seed)


def _corpus_key(accents: tuple[str, ...], variants: tuple[str, ...]) -> str:
    import espeakng_loader

    settings = [
        accents,
        variants,
        RATES,
        PITCHES,
        STORE_RATE,
        DIGIT_WORDS,
        "noise seed 0",
        os.path.basename(os.path.realpath(espeakng_loader.get_library_path())),
    ]
    return hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:12]


def _voice_corpus(name: str, accents: tuple[str, ...], variants: tuple[str, ...]) -> SpokenDigits:
    """The ten digits in every ``accent+variant`` voice x 6 takes (3 rates x 2 pitches), made once into
    ``$KIT_CACHE_DIR/<name>-<key>``; the voices of ``TEST_ACCENT`` form the official test side."""
    folder = cache_dir(f"{name}-{_corpus_key(accents, variants)}")
    done = folder / "complete.json"
    voices = [f"{accent}+{variant}" for accent, variant in itertools.product(accents, variants)]
    if not done.is_file():
        seed_noise(0)  # so that a fresh process makes the same corpus (eSpeak keeps state between calls)
        takes = list(itertools.product(RATES, PITCHES))
        for (digit, word), voice in itertools.product(enumerate(DIGIT_WORDS), voices):
            for take, (rate, pitch) in enumerate(takes):
                path = folder / f"{digit}_{voice}_{take}.wav"
                sf.write(path, speak(word, voice, rate, pitch), STORE_RATE, subtype="PCM_16")
        done.write_text(json.dumps({"voices": voices, "takes": takes}))
    speakers = {
        voice: {
            "accent": voice.split("+")[0],
            "variant": voice.split("+")[1],
            "gender": "female" if voice.split("+")[1] in FEMALE_VARIANTS else "male",
        }
        for voice in voices
    }
    utterances = [
        dataclasses.replace(u, official_split="test" if u.speaker.startswith(TEST_ACCENT + "+") else "train")
        for u in scan_fsdd_layout(folder, name, official_test_takes=None)
    ]
    return SpokenDigits(name, utterances, speakers, embedded=True)


def load_espeak_digits() -> SpokenDigits:
    """The embedded corpus: 10 digits x 48 voices x 6 takes (3 rates x 2 pitches), made once.

    About 2,900 clips, 16 kHz, ~45 MB in ``$KIT_CACHE_DIR/espeak-<key>``; the
    first call takes a few seconds, later calls only list the files.
    """
    return _voice_corpus("espeak", ACCENTS, VARIANTS)


def load_more_espeak_voices() -> SpokenDigits:
    """More women's voices to train on: the :data:`MORE_VARIANTS` in the :data:`TRAINING_ACCENTS`.

    10 digits x 60 voices x 6 takes, 3,600 clips made once into ``$KIT_CACHE_DIR/espeak-more-<key>``
    (a few seconds). The held-out accent gets none, so the validation voices stay those of
    :func:`load_espeak_digits`; every clip is on the training side.
    """
    return _voice_corpus("espeak-more", TRAINING_ACCENTS, MORE_VARIANTS)
