"""From a sound file to a drawn digit in one call: what the latent explorer's playground runs (lesson 7).

:class:`Playground` holds the zoo's audio-to-image model and the LeNet judge.
:meth:`Playground.draw_file` reads any audio file the course accepts
(:func:`kit.audio.load_audio`: WAV, FLAC, OGG, MP3; any rate; stereo mixed
down), computes the 48x48 log-mel the model hears, decodes the posterior mean
into a 28x28 digit, and asks LeNet which digit it sees. A file the model
cannot use raises :class:`kit.audio.AudioError` with a sentence to show the
user. :func:`picture` and :func:`waveform_picture` render arrays as RGB
images with numpy alone (no matplotlib figure): fast enough for an app that
answers in well under 100 ms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from . import zoo
from .audio import SAMPLE_RATE, AudioError, load_audio, prepare_waveform
from .features import MEL_IMAGE

#: Longest clip the playground takes (seconds): one spoken digit, with room for silence around it.
PLAYGROUND_SECONDS = 10.0


@dataclass
class Drawing:
    """Everything the playground shows for one clip."""

    waveform: np.ndarray  # mono, SAMPLE_RATE Hz, as loaded
    mel: np.ndarray  # (48, 48) in [0, 1]: what the model hears, low frequencies in row 0
    image: np.ndarray  # (28, 28) in [0, 1]: what it draws
    probabilities: np.ndarray  # (10,): LeNet's belief about which digit the drawing shows
    latent: torch.Tensor  # (latent_dim,): the posterior mean the drawing was decoded from
    notes: list[str] = field(default_factory=list)  # what was done to the input (mixed down, resampled)

    @property
    def digit(self) -> int:
        return int(self.probabilities.argmax())


def describe_file(path: str | Path) -> list[str]:
    """Plain-words notes on what :func:`load_audio` will change about ``path`` (channels, rate)."""
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError):
        return []
    notes = []
    if info.channels > 1:
        notes.append(f"{info.channels} channels mixed down to mono")
    if info.samplerate != SAMPLE_RATE:
        notes.append(f"resampled from {info.samplerate:,} Hz to {SAMPLE_RATE:,} Hz")
    return notes


class Playground:
    """The zoo's audio-to-image model and its judge, ready to draw (see the module docstring)."""

    def __init__(self, generator: str = "fast-aivae", judge: str = "lenet5") -> None:
        self.generator, self.judge = zoo.load(generator), zoo.load(judge)
        self.generator_name = generator

    @torch.no_grad()
    def draw_waveform(self, y: np.ndarray, sr: int = SAMPLE_RATE, notes: list[str] | None = None) -> Drawing:
        """Draw the digit spoken in ``y`` (samples ``(n,)`` or ``(n, channels)`` at ``sr`` Hz)."""
        y = prepare_waveform(y, sr)
        if len(y) > PLAYGROUND_SECONDS * SAMPLE_RATE:
            raise AudioError(f"the clip is {len(y) / SAMPLE_RATE:.1f} s long; the playground takes one "
                             f"spoken digit of at most {PLAYGROUND_SECONDS:.0f} s.")
        mel = MEL_IMAGE([y])
        latent = self.generator.encode(torch.from_numpy(mel))[0]
        image = self.generator.decode(latent)
        probabilities = torch.softmax(self.judge(image.reshape(1, 1, 28, 28)), dim=1)[0]
        return Drawing(y, mel[0], image[0].numpy(), probabilities.numpy(), latent[0], notes or [])

    def draw_file(self, path: str | Path) -> Drawing:
        """Draw the digit spoken in the audio file ``path``; :class:`AudioError` if it cannot be used."""
        y = load_audio(path, max_seconds=PLAYGROUND_SECONDS)
        return self.draw_waveform(y, notes=describe_file(path))

    @torch.no_grad()
    def decode(self, latents: torch.Tensor) -> np.ndarray:
        """Images ``(n, 28, 28)`` for latent vectors ``(n, latent_dim)``."""
        return self.generator.decode(latents).numpy()


def picture(values: np.ndarray, cmap: str = "magma", flip: bool = False, scale: int = 1) -> np.ndarray:
    """An RGB ``uint8`` image of a 2-D array in [0, 1] through a matplotlib colormap (no figure).

    ``flip`` puts row 0 at the bottom (spectrograms: low frequencies down);
    ``scale`` repeats each value into a ``scale x scale`` block.
    """
    from matplotlib import colormaps

    values = np.clip(np.asarray(values, dtype=np.float32), 0, 1)
    if flip:
        values = values[::-1]
    rgb = (colormaps[cmap](values)[..., :3] * 255).astype(np.uint8)
    return rgb.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else rgb


def waveform_picture(y: np.ndarray, width: int = 480, height: int = 120,
                     color: tuple[int, int, int] = (31, 119, 180)) -> np.ndarray:
    """An RGB ``uint8`` picture of a waveform: per pixel column, a bar from its minimum to its maximum."""
    y = np.asarray(y, dtype=np.float32)
    y = y / (float(np.abs(y).max()) or 1.0)
    starts = (np.arange(width) * len(y)) // width  # column i covers y[starts[i]:starts[i + 1]]
    low, high = np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)
    rows = np.linspace(1, -1, height)[:, None]  # top row is +1
    inside = (rows >= low[None, :] - 1.0 / height) & (rows <= high[None, :] + 1.0 / height)
    image = np.full((height, width, 3), 255, np.uint8)
    image[inside] = color
    image[height // 2, ~inside[height // 2]] = (200, 200, 200)  # the zero line
    return image
