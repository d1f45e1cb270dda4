"""The logic of the latent explorer app (``gradio apps/latent_explorer.py``, lessons 6 and 7).

The app is a thin Gradio layer over this module:

* **Latent sliders** - :meth:`LatentExplorer.decode` turns up to
  :data:`MAX_SLIDERS` slider positions (in standard deviations along the
  model's :func:`kit.zoo.latent_axes`) into a digit; :func:`random_positions`
  gives reproducible random positions for a seed.
* **Interpolation** - :meth:`LatentExplorer.interpolate_digits` walks the
  straight line between the codes of two MNIST test digits in a conv VAE;
  :meth:`LatentExplorer.interpolate_clips` does the same between two spoken
  clips in the AIVAE (:func:`kit.latent.interpolate`).
* **Playground** - :attr:`LatentExplorer.playground` draws the digit spoken
  in an audio file (:class:`kit.playground.Playground`); the bundled example
  clips are made by :func:`make_example_clips`.

Only the zoo is loaded when a :class:`LatentExplorer` is built (well under a
second); the MNIST test images are read on first use (:func:`digit_example`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from . import zoo
from .audio import SAMPLE_RATE
from .data import DigitImages, load_digit_images
from .data.sources import DIGIT_WORDS
from .data.synth import PITCHES, RATES, TEST_ACCENT, VARIANTS, seed_noise, speak
from .latent import interpolate
from .playground import Playground

#: The generators the sliders and the interpolation offer, with the words the app shows for each.
EXPLORER_MODELS: dict[str, str] = {
    "conv-vae-2d": "conv VAE with a 2-D latent (lesson 6)",
    "conv-vae-16d": "conv VAE with a 16-D latent (lesson 6)",
    "fast-aivae": "the digit the AIVAE draws (lesson 7)",
}
#: Image VAEs that can encode an MNIST digit (the AIVAE encodes sound).
IMAGE_MODELS = ("conv-vae-2d", "conv-vae-16d")
#: Most sliders a model gets (the zoo stores at most 8 axes per model).
MAX_SLIDERS = 8
#: Sliders run from -SLIDER_RANGE to +SLIDER_RANGE standard deviations.
SLIDER_RANGE = 3.0


class LatentExplorer:
    """The zoo's generators, their slider axes and the audio playground, loaded once for the app."""

    def __init__(self) -> None:
        self.playground = Playground("fast-aivae")
        self.generators = {name: zoo.load(name) for name in EXPLORER_MODELS if name != "fast-aivae"}
        self.generators["fast-aivae"] = self.playground.generator
        self.axes = {name: zoo.latent_axes(name) for name in EXPLORER_MODELS}

    def axis_labels(self, model: str) -> list[str]:
        """One slider label per axis: ``z1, z2, ...`` for coordinate axes, else principal directions."""
        axes = self.axes[model]
        if len(axes) == axes.directions.shape[1]:
            return [f"z{i + 1}" for i in range(len(axes))]
        return [f"principal axis {i + 1}" for i in range(len(axes))]

    @torch.no_grad()
    def decode(self, model: str, positions: Sequence[float]) -> np.ndarray:
        """The ``(28, 28)`` digit at slider ``positions`` of ``model``; extra positions are ignored."""
        axes = self.axes[model]
        z = axes.point(torch.tensor(list(positions)[: len(axes)], dtype=torch.float32))
        return self.generators[model].decode(z.reshape(1, -1))[0].numpy()

    @torch.no_grad()
    def interpolate_digits(self, model: str, first: np.ndarray, last: np.ndarray, steps: int) -> np.ndarray:
        """``(steps, 28, 28)`` digits between the codes of two ``(28, 28)`` images in [0, 1] of ``model``."""
        if model not in IMAGE_MODELS:
            raise ValueError(f"{model!r} does not encode images; choose one of {', '.join(IMAGE_MODELS)}")
        generator = self.generators[model]
        codes = generator.encode(torch.from_numpy(np.stack([first, last]).astype(np.float32)))[0]
        return generator.decode(interpolate(codes[0], codes[1], steps)).numpy()

    @torch.no_grad()
    def interpolate_clips(self, first: str | Path, last: str | Path, steps: int) -> np.ndarray:
        """``(steps, 28, 28)`` digits the AIVAE draws between two spoken clips; ``AudioError`` if unusable."""
        start, end = self.playground.latent_of_file(first), self.playground.latent_of_file(last)
        return self.playground.decode(interpolate(start, end, steps))


def random_positions(seed: int, count: int = MAX_SLIDERS) -> list[float]:
    """``count`` slider positions drawn from ``N(0, 1)`` for ``seed``, cut to the slider range, 0.1 steps."""
    draws = np.random.default_rng(int(seed)).standard_normal(count)
    return [round(float(x), 1) for x in np.clip(draws, -SLIDER_RANGE, SLIDER_RANGE)]


@cache
def _test_digits() -> DigitImages:
    return load_digit_images("test")


def digit_example(digit: int, which: int = 0) -> tuple[np.ndarray, int]:
    """The ``which``-th MNIST test image of ``digit`` (``(28, 28)`` in [0, 1]) and its test-set index.

    ``which`` wraps around the images of that digit; the test set is read on the first call.
    """
    digits = _test_digits()
    indices = np.flatnonzero(digits.labels == int(digit))
    if not len(indices):
        raise ValueError(f"no test image of digit {digit!r}; digits are 0-9")
    index = int(indices[int(which) % len(indices)])
    return digits.images[index].astype(np.float32) / 255.0, index


def example_voices(digit: int) -> tuple[tuple[str, int, int], ...]:
    """The two (voice, rate, pitch) settings of the bundled clips of ``digit``: one male, one female voice."""
    settings = []
    for offset in (0, len(VARIANTS) // 2):
        variant = VARIANTS[(digit + offset) % len(VARIANTS)]
        take = digit + offset
        settings.append((f"{TEST_ACCENT}+{variant}", RATES[take % len(RATES)], PITCHES[take % len(PITCHES)]))
    return tuple(settings)


def make_example_clips(folder: str | Path) -> list[Path]:
    """Write the app's bundled example clips into ``folder`` and return their paths.

    Ten digits x two voices of the held-out eSpeak accent (:data:`kit.data.synth.TEST_ACCENT`,
    which no zoo model was trained on), as 8 kHz 16-bit mono WAVs named
    ``{digit}_{word}_{voice}.wav``. In a fresh process the same eSpeak NG library gives the
    same files (its generator is seeded before each clip; eSpeak also keeps some state from
    one call to the next, so a process that has spoken before may differ slightly).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for digit, word in enumerate(DIGIT_WORDS):
        for voice, rate, pitch in example_voices(digit):
            path = folder / f"{digit}_{word}_{voice.replace('+', '-')}.wav"
            seed_noise(digit)
            sf.write(path, speak(word, voice, rate, pitch, sr=SAMPLE_RATE), SAMPLE_RATE, subtype="PCM_16")
            paths.append(path)
    return paths


def example_clips(folder: str | Path) -> list[Path]:
    """The bundled example clips in ``folder``, by digit then voice."""
    return sorted(Path(folder).glob("[0-9]_*.wav"))


def spoken_digit(path: str | Path) -> int:
    """The digit a bundled example clip says (the first character of its name)."""
    return int(Path(path).name[0])
