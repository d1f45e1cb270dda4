"""From a drawing to a voice: what the image-to-audio model says, and how well it is heard (lesson 17).

:func:`speak` turns digit images into spectrograms in dB with an
:class:`~kit.models.IAVAE`, :func:`voices` into waveforms (Griffin-Lim,
:func:`kit.sound.to_waveform`). Three measures judge them:

* **heard**: does the audio judge (:func:`kit.judges.hear`, seed 003's
  AudioNet_CNN trained on many voices) hear the digit that was drawn?
  Accuracy, macro-F1, confusion, and the **diversity** of the voices:
  per digit, the mean pairwise distance of the judge's features of the
  generated clips over that of real clips (1: as varied as the voices it
  learned from; near 0: one voice per digit). The real clips go through the
  same spectrogram and Griffin-Lim first (:func:`resynthesise`), so that the
  vocoder's own blur is on both sides; the judge's accuracy on them is the
  ceiling a perfect spectrogram could reach.
* **read**: how often CMU PocketSphinx, a speech recogniser that knows
  nothing of this course, reads the right digit word
  (:func:`kit.judges.sphinx_digits`, its grammar the ten digit words).
* **the round trip**: a spoken clip drawn by the zoo's AIVAE
  (``fast-aivae``), the drawing spoken back by the image-to-audio model: how
  often the digit survives both legs (:func:`round_trip`).

:func:`archetypes` gives the per-digit mean spectrogram: what a decoder
trained with many-to-one pairs and a squared error converges to.
"""

from __future__ import annotations

import numpy as np
import torch

from . import judges, zoo
from .data import SpokenDigits
from .experiments import generate, hears
from .features import LOG_STFT, extract, feature_spec
from .sound import to_waveform

#: Test images spoken for the evaluation (the first of MNIST's test set, or of the quick subset);
#: in quick mode (``KIT_QUICK=1``) the second number, and as many clips for the reference and the round trip.
EVALUATED_IMAGES = (1000, 200)
#: Real clips the diversity of the generated voices is compared with (full mode, quick mode).
REFERENCE_CLIPS = (1000, 200)
#: The zoo's audio-to-image model that draws the round trip's first leg.
DRAWER = "fast-aivae"


@torch.no_grad()
def speak(model, images, batch_size: int = 500) -> np.ndarray:
    """Spectrograms in dB ``(n, 128, 56)`` for digit images ``(n, 28, 28)`` in [0, 1] (posterior means)."""
    images = torch.as_tensor(np.asarray(images, dtype=np.float32))
    was_training = model.training
    model.eval()
    try:
        return torch.cat([model.speak(part) for part in images.split(batch_size)]).numpy()
    finally:
        model.train(was_training)


def voices(model, images) -> np.ndarray:
    """Waveforms ``(n, 7040)`` at 8 kHz: what ``model`` says for each digit image."""
    return to_waveform(speak(model, images))


def resynthesise(waveforms) -> np.ndarray:
    """Real clips through the model's own path: their :class:`~kit.features.LogStft`, then Griffin-Lim."""
    return to_waveform(LOG_STFT(list(waveforms)))


def random_subset(corpus: SpokenDigits, n: int, seed: int = 0) -> SpokenDigits:
    """``n`` clips of ``corpus`` drawn at random (all of them if it has fewer), in the corpus's order."""
    return corpus.subset(np.sort(np.random.default_rng(seed).permutation(len(corpus))[:n]))


def archetypes(spectrograms, digits) -> np.ndarray:
    """The mean spectrogram of each digit ``(10, f, t)``: a many-to-one decoder's best guess."""
    spectrograms, digits = np.asarray(spectrograms, dtype=np.float32), np.asarray(digits)
    return np.stack([spectrograms[digits == digit].mean(axis=0) for digit in range(10)])


def judge_features(waveforms) -> np.ndarray:
    """The audio judge's input features of 8 kHz waveforms (its own, as in :func:`kit.judges.hear`)."""
    spec = feature_spec(judges.load_judge("audio").audio_input.feature)
    return spec([np.asarray(y, dtype=np.float32) for y in waveforms])


def heard(waveforms, digits, reference_waveforms, reference_digits) -> dict:
    """The audio judge on generated ``waveforms`` meant to say ``digits``: accuracy, diversity and more.

    ``reference_*`` are real clips, resynthesised (:func:`resynthesise`), that diversity and the
    Fréchet distance compare with.
    """
    return judges.judge_samples("audio", judge_features(waveforms), np.asarray(digits),
                                judge_features(reference_waveforms), np.asarray(reference_digits))


def sphinx_accuracy(waveforms, digits) -> float:
    """How often PocketSphinx reads the digit word ``digits`` says each waveform holds."""
    return round(float((judges.sphinx_digits(waveforms) == np.asarray(digits)).mean()), 4)


def round_trip(model, corpus: SpokenDigits, drawer: str = DRAWER) -> dict:
    """Spoken clips drawn by the zoo's ``drawer``, the drawings spoken back by ``model``: what survives.

    Returns LeNet's accuracy on the drawings (the first leg), the audio judge's and PocketSphinx's
    on the spoken-back clips (the digit that was said is heard again) and the share where LeNet and
    the audio judge are both right.
    """
    aivae = zoo.load(drawer)
    drawings = generate(aivae, torch.from_numpy(extract(corpus, hears(aivae), progress=False)))
    with torch.no_grad():
        drawn = judges.load_judge("image")(torch.from_numpy(drawings)).argmax(dim=1).numpy() == corpus.digits
    spoken = voices(model, drawings)
    heard_again = judges.hear(spoken).argmax(axis=1) == corpus.digits
    return {
        "round_trip_clips": len(corpus),
        "drawn_accuracy": round(float(drawn.mean()), 4),
        "round_trip_accuracy": round(float(heard_again.mean()), 4),
        "both_legs_accuracy": round(float((drawn & heard_again).mean()), 4),
        "round_trip_sphinx_accuracy": sphinx_accuracy(spoken, corpus.digits),
    }
