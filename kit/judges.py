"""Judges: trained classifiers that read what a generator made (lessons 4, 7, 9-11, 16, 17).

A generated digit image is judged by LeNet-5 (:mod:`kit.evaluator`); generated
sound by seed 003's AudioNet_CNN trained on many voices (lesson 12, the zoo's
``audionet-cnn``): :func:`hear` gives its probabilities for waveforms.

A judge we trained ourselves shares our blind spots, so generated sound also
meets a second one that no one here wrote or trained: CMU PocketSphinx, a
classic speech recogniser whose en-us acoustic model ships in its wheel,
restricted to a grammar of the ten digit words (:func:`sphinx_digits`). Its
model was trained on 16 kHz speech; the course's 8 kHz sound lacks the band
above 4 kHz, so it reads real FSDD takes less well than 16 kHz recordings:
compare its reading of generated sound with its reading of real clips of the
same data, never with a published word error rate. A judge is a network
with ``embed(x) -> features`` and ``classifier(features) -> logits``, so that
:mod:`kit.metrics` can use any of them. Every metric a run reports names its
judge (``"judge": "lenet5"``): "LeNet reads the generated digit as the
spoken one" is a different number from LeNet's own test accuracy.
"""

from __future__ import annotations

from functools import cache
from math import gcd

import numpy as np
import torch
from scipy.signal import resample_poly

from . import zoo
from .audio import SAMPLE_RATE, SILENCE_PEAK
from .features import feature_spec
from .metrics import evaluate_images

#: The zoo entry that judges each kind of generated sample.
JUDGES: dict[str, str] = {"image": "lenet5", "audio": "audionet-cnn"}


@cache
def load_judge(modality: str) -> torch.nn.Module:
    """The zoo's judge of ``modality`` (``"image"`` or ``"audio"``), in evaluation mode (loaded once)."""
    if modality not in JUDGES:
        raise KeyError(f"no judge for {modality!r} samples yet; judges exist for: {', '.join(JUDGES)}")
    return zoo.load(JUDGES[modality])


def judge_samples(modality: str, samples, labels, reference, reference_labels) -> dict:
    """:func:`kit.metrics.evaluate_images` by the judge of ``modality``, with the judge's name in the result.

    ``labels=None`` for samples nobody asked a digit of (see :func:`kit.metrics.evaluate_images`).
    """
    judged = evaluate_images(samples, labels, load_judge(modality), reference, reference_labels)
    return {"judge": JUDGES[modality], **judged}


@torch.no_grad()
def hear(waveforms) -> np.ndarray:
    """The audio judge's digit probabilities for each waveform (mono, 8 kHz): ``(n, 10)``.

    The waveforms go through the judge's own features (its ``audio_input``),
    exactly as the recordings it was trained on.
    """
    judge = load_judge("audio")
    features = feature_spec(judge.audio_input.feature)([np.asarray(y, np.float32) for y in waveforms])
    return torch.softmax(judge(torch.from_numpy(features)), dim=1).numpy()


#: The ten words PocketSphinx may hear, digit ``d`` at index ``d``.
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPHINX_RATE = 16_000  # the rate of PocketSphinx's en-us acoustic model
SPHINX_PADDING = 0.2  # seconds of silence around each clip: its voice detector needs a quiet start and end


@cache
def _sphinx():
    from pocketsphinx import Decoder

    grammar = "#JSGF V1.0;\ngrammar digits;\npublic <digit> = " + " | ".join(DIGIT_WORDS) + " ;\n"
    decoder = Decoder(samprate=SPHINX_RATE, lm=None, loglevel="FATAL")
    decoder.add_jsgf_string("digits", grammar)
    decoder.activate_search("digits")
    return decoder


def sphinx_digits(waveforms, sr: int = SAMPLE_RATE) -> np.ndarray:
    """PocketSphinx's reading of each waveform as one digit word: the digit, or -1 where it heard none.

    Each clip gets :data:`SPHINX_PADDING` seconds of silence on both sides and
    is resampled to 16 kHz; the grammar allows exactly one of :data:`DIGIT_WORDS`,
    so it names a digit for almost any sound: silence (peak below
    :data:`kit.audio.SILENCE_PEAK`) is -1 without asking it.
    """
    decoder, pad = _sphinx(), np.zeros(int(SPHINX_PADDING * sr), np.float32)
    step = gcd(SPHINX_RATE, sr)
    readings = []
    for y in waveforms:
        if np.abs(y).max(initial=0.0) < SILENCE_PEAK:
            readings.append(-1)
            continue
        y = np.concatenate([pad, np.asarray(y, np.float32), pad])
        y = resample_poly(y, SPHINX_RATE // step, sr // step)
        decoder.start_utt()
        decoder.process_raw((np.clip(y, -1, 1) * 32767).astype(np.int16).tobytes(), full_utt=True)
        decoder.end_utt()
        word = decoder.hyp().hypstr.strip() if decoder.hyp() is not None else ""
        readings.append(DIGIT_WORDS.index(word) if word in DIGIT_WORDS else -1)
    return np.array(readings, dtype=np.int64)
