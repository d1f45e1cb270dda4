"""Draw a digit, hear it said: what the latent explorer's "from a drawing to a voice" tab runs (lesson 17).

:class:`Speaker` holds the zoo's image-to-audio model (:class:`~kit.models.IAVAE`,
zoo entry :data:`SPEAKER_MODEL`), LeNet and the audio judge.
:meth:`Speaker.say_drawing` takes a sketchpad's canvas (any size; dark ink on a
light or transparent canvas, or light on dark), makes an MNIST-style 28x28
digit of it (:func:`kit.matching.digit_from_drawing`), and returns an
:class:`Utterance`: the spectrogram the model says, the waveform
(Griffin-Lim), and which digit the audio judge hears in it.
:meth:`Speaker.say_digit` does the same for a 28x28 digit (an MNIST test image).

The model says a digit for any picture, a scribble as confidently as a 7, so
every utterance carries a :class:`DrawingCheck`: does the picture look like a
handwritten digit at all? An empty canvas or an array that is no picture
raises :class:`ValueError` with a sentence to show the user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import judges, zoo
from .matching import INK, digit_from_drawing
from .sound import to_waveform

#: The zoo's image-to-audio model for the tab.
SPEAKER_MODEL = "iavae"
#: Above this share of inked pixels (of the 28x28 square) a drawing is a blot, not a digit.
#: MNIST's test digits cover 5-38 % (99th percentile 30 %), random scribbles 20-35 %.
MAX_INK = 0.40
#: Below this confidence of LeNet's, the drawing looks like no digit in particular.
#: 1 % of MNIST's test digits fall below 0.75; five of six random scribbles did.
MIN_CONFIDENCE = 0.7


@dataclass(frozen=True)
class DrawingCheck:
    """Two measures of how much a 28x28 picture looks like a handwritten digit, and the verdict."""

    ink_share: float  # share of the square's pixels with ink
    confidence: float  # LeNet's probability of the digit it finds most likely
    digit: int  # that digit

    @property
    def reasons(self) -> list[str]:
        """Why the picture does not look like a digit, in plain words; empty when it does."""
        reasons = []
        if self.ink_share > MAX_INK:
            reasons.append(f"ink covers {self.ink_share:.0%} of the square (a handwritten digit, at most "
                           f"{MAX_INK:.0%})")
        if self.confidence < MIN_CONFIDENCE:
            reasons.append(f"LeNet is only {self.confidence:.0%} sure it is any digit "
                           f"(a {self.digit} at best)")
        return reasons

    @property
    def digit_like(self) -> bool:
        """True when no measure says otherwise."""
        return not self.reasons

    @property
    def reason(self) -> str:
        """The reasons as one sentence fragment ("" when the picture looks like a digit)."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class Utterance:
    """Everything the tab shows for one digit."""

    image: np.ndarray  # (28, 28) in [0, 1]: the digit as the model sees it
    spectrogram: np.ndarray  # (128, 56) in dB: what the model says, low frequencies in row 0
    scaled: np.ndarray  # (128, 56) the same in the model's [0, 1] range (for a picture)
    waveform: np.ndarray  # (7040,) at 8 kHz: the spectrogram made audible (Griffin-Lim)
    probabilities: np.ndarray  # (10,): the audio judge's belief about which digit is said
    check: DrawingCheck  # does the picture look like a digit at all? (the model speaks anyway)

    @property
    def digit(self) -> int:
        """The digit the audio judge finds most likely."""
        return int(self.probabilities.argmax())


class Speaker:
    """The zoo's image-to-audio model, LeNet and the audio judge, ready to speak (module docstring)."""

    def __init__(self, model: str = SPEAKER_MODEL) -> None:
        self.model = zoo.load(model)
        if not hasattr(self.model, "speak"):
            raise ValueError(f"{model!r} does not speak: it turns no picture into sound")
        self.lenet = judges.load_judge("image")

    def say_drawing(self, drawing) -> Utterance:
        """What the model says for a sketchpad's canvas; ``ValueError`` if nothing is drawn on it."""
        if drawing is None:
            raise ValueError("the drawing is empty: draw a digit first")
        return self.say_digit(digit_from_drawing(np.asarray(drawing)))

    @torch.no_grad()
    def say_digit(self, image) -> Utterance:
        """What the model says for a ``(28, 28)`` digit in [0, 1]."""
        image = np.asarray(image, dtype=np.float32)
        if image.shape != (28, 28):
            raise ValueError(f"a digit to speak is a 28x28 image, not an array of shape {image.shape}")
        if not np.isfinite(image).all():
            raise ValueError("the digit holds NaN or infinite values")
        image = np.clip(image, 0.0, 1.0)
        if (image > INK).sum() == 0:
            raise ValueError("the drawing is empty: draw a digit first")
        pixels = torch.from_numpy(image)[None]
        seen = torch.softmax(self.lenet(pixels), dim=1)[0]
        scaled = self.model.generate(pixels)
        spectrogram = self.model.scale.denormalise(scaled)[0].numpy()
        waveform = to_waveform(spectrogram)
        check = DrawingCheck(float((image > INK).mean()), float(seen.max()), int(seen.argmax()))
        return Utterance(image=image, spectrogram=spectrogram, scaled=scaled[0].numpy(), waveform=waveform,
                         probabilities=judges.hear(waveform[None])[0], check=check)
