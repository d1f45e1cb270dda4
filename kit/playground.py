"""From a sound file to a drawn digit in one call: what the latent explorer's playground runs (lesson 7).

:class:`Playground` holds the zoo's audio-to-image model and the LeNet judge.
:meth:`Playground.draw_file` reads any audio file the course accepts
(:func:`kit.audio.load_audio`: WAV, FLAC, OGG, MP3; any rate; stereo mixed
down), computes the features the model hears (those its zoo entry names; the
48x48 log-mel for the AIVAE), decodes the posterior mean into a 28x28 digit,
and asks LeNet which digit it sees. A file the model cannot use raises
:class:`kit.audio.AudioError` with a sentence to show the user.

The model draws a digit for *any* sound, a whistle as confidently as a word,
so every drawing also carries a :class:`SpeechCheck` (:func:`speech_check`):
does the clip sound like speech at all? :func:`picture` and
:func:`waveform_picture` render arrays as RGB images with numpy alone (no
matplotlib figure), and :func:`save_png` writes one for a web app to serve
(:func:`save_bytes` any file, a WAV of :func:`wav_bytes` say).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from . import zoo
from .audio import SAMPLE_RATE, AudioError, load_audio, prepare_waveform, trim_silence
from .features import FeatureSpec, feature_spec, stft

#: Longest clip the playground takes (seconds): one spoken digit, with room for silence around it.
PLAYGROUND_SECONDS = 10.0

# --- does it sound like speech? ------------------------------------------------------------------------

#: Frames quieter than this below the loudest one are left out of :func:`speech_check` (as when trimming).
SPEECH_FRAMES_DB = 30.0
#: Below this median frame flatness a sound is one line in the spectrum: a pure tone, a hum, a constant.
#: Real speech measured 10**-4.1 at the lowest, pure tones, a chirp and DC 10**-6.9 at the highest.
TONAL_FLATNESS = 10**-5.5
#: Above this flatness of the average spectrum every frequency is alike: noise or clicks.
#: Real speech measured 0.45 (10**-0.35) at the highest, white noise and clicks 0.99-1.0.
NOISE_FLATNESS = 10**-0.18
#: Below this spread of frame loudness (dB, standard deviation) a sound is steady, unlike syllables.
#: Real speech measured 1.8 dB at the lowest, steady tones, noise and DC 0.64 dB at the highest.
STEADY_DB = 1.1


@dataclass(frozen=True)
class SpeechCheck:
    """Three measures of how much a clip sounds like speech (:func:`speech_check`), and the verdict.

    Speech has a shaped spectrum (formants, harmonics: neither one line nor all frequencies alike)
    that changes as syllables come and go. Each measure tests one of these against a threshold
    calibrated on real recordings (bench/README.md, latent explorer section).
    """

    frame_flatness: float  # median spectral flatness of the loud frames: near 0 for one frequency
    average_flatness: float  # flatness of their average spectrum: near 1 for noise and clicks
    loudness_spread_db: float  # standard deviation of the loud frames' energy in dB: near 0 when steady

    @property
    def reasons(self) -> list[str]:
        """Why the clip does not sound like speech, in plain words; empty when it does."""
        reasons = []
        if self.frame_flatness < TONAL_FLATNESS:
            reasons.append("its spectrum is a single line (a pure tone, a hum or a constant)")
        if self.average_flatness > NOISE_FLATNESS:
            reasons.append("it holds all frequencies alike (noise or clicks)")
        if self.loudness_spread_db < STEADY_DB:
            reasons.append(f"its loudness hardly changes ({self.loudness_spread_db:.1f} dB; "
                           f"spoken syllables vary by {STEADY_DB:.1f} dB or more)")
        return reasons

    @property
    def speech_like(self) -> bool:
        """True when no measure says otherwise."""
        return not self.reasons

    @property
    def reason(self) -> str:
        """The reasons as one sentence fragment ("" when the clip sounds like speech)."""
        return "; ".join(self.reasons)


def spectral_flatness(power: np.ndarray, axis: int = 0) -> np.ndarray:
    """Geometric over arithmetic mean of a power spectrum along ``axis`` (Wiener entropy), in [0, 1].

    1 for a flat spectrum (white noise, a click), near 0 for a single line (a pure tone). Bins more
    than 100 dB below the spectrum's strongest count as 100 dB below it, so that exact zeros
    (a synthetic tone, a constant) give a small number rather than 0.
    """
    power = np.maximum(power, power.max(axis=axis, keepdims=True) * 1e-10 + 1e-30)
    return np.exp(np.log(power).mean(axis=axis)) / power.mean(axis=axis)


def speech_check(y: np.ndarray) -> SpeechCheck:
    """How much the mono 8 kHz waveform ``y`` sounds like speech (see :class:`SpeechCheck`).

    Leading and trailing silence is trimmed as for the features; only frames within
    :data:`SPEECH_FRAMES_DB` of the loudest are measured (STFT frames of 32 ms every 8 ms).
    """
    power = np.abs(stft(trim_silence(np.asarray(y, dtype=np.float32), SPEECH_FRAMES_DB))) ** 2
    energy = power.sum(axis=0)
    energy_db = 10 * np.log10(np.maximum(energy, 1e-20) / max(float(energy.max()), 1e-20))
    loud = energy_db > -SPEECH_FRAMES_DB
    return SpeechCheck(
        frame_flatness=float(np.median(spectral_flatness(power[:, loud]))),
        average_flatness=float(spectral_flatness(power[:, loud].mean(axis=1))),
        loudness_spread_db=float(energy_db[loud].std()),
    )


# --- drawing -------------------------------------------------------------------------------------------


@dataclass
class Drawing:
    """Everything the playground shows for one clip."""

    waveform: np.ndarray  # mono, SAMPLE_RATE Hz, as loaded
    mel: np.ndarray  # what the model hears: for mel48 (48, 48) in [0, 1], low frequencies in row 0
    image: np.ndarray  # (28, 28) in [0, 1]: what it draws
    probabilities: np.ndarray  # (10,): LeNet's belief about which digit the drawing shows
    latent: torch.Tensor  # (latent_dim,): the posterior mean the drawing was decoded from
    speech: SpeechCheck  # does the input sound like speech at all? (the model draws a digit anyway)
    notes: list[str] = field(default_factory=list)  # what was done to the input (mixed down, resampled)

    @property
    def digit(self) -> int:
        """The digit LeNet finds most likely."""
        return int(self.probabilities.argmax())

    @property
    def speech_like(self) -> bool:
        """True when the input sounds like speech (:class:`SpeechCheck`); the digit means little otherwise."""
        return self.speech.speech_like

    @property
    def speech_reason(self) -> str:
        """Why the input does not sound like speech ("" when it does)."""
        return self.speech.reason


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
        #: The features the generator was trained on, as its zoo entry names them (the 48x48 log-mel if none).
        self.features: FeatureSpec = feature_spec(zoo.entry(generator).get("features", "mel48"))

    def draw_waveform(self, y: np.ndarray, sr: int = SAMPLE_RATE, notes: list[str] | None = None) -> Drawing:
        """Draw the digit spoken in ``y`` (samples ``(n,)`` or ``(n, channels)`` at ``sr`` Hz)."""
        return self._draw(self._prepare(y, sr), notes or [])

    def draw_file(self, path: str | Path) -> Drawing:
        """Draw the digit spoken in the audio file ``path``; :class:`AudioError` if it cannot be used."""
        return self._draw(self._load(path), describe_file(path))

    def latent_of_file(self, path: str | Path) -> torch.Tensor:
        """The posterior mean ``(latent_dim,)`` the model gives the clip ``path``, without drawing it."""
        return self._encode(self._load(path))[1]

    @torch.no_grad()
    def decode(self, latents: torch.Tensor) -> np.ndarray:
        """Images ``(n, 28, 28)`` for latent vectors ``(n, latent_dim)``."""
        return self.generator.decode(latents).numpy()

    @staticmethod
    def _load(path: str | Path) -> np.ndarray:
        """The file ``path`` as mono ``SAMPLE_RATE`` samples, checked (:func:`kit.audio.load_audio`)."""
        return load_audio(path, max_seconds=PLAYGROUND_SECONDS)

    @staticmethod
    def _prepare(y: np.ndarray, sr: int) -> np.ndarray:
        """Raw samples as mono ``SAMPLE_RATE``, checked like a file, at most the playground's length."""
        y = prepare_waveform(y, sr)
        if len(y) > PLAYGROUND_SECONDS * SAMPLE_RATE:
            raise AudioError(f"the clip is {len(y) / SAMPLE_RATE:.1f} s long; the playground takes one "
                             f"spoken digit of at most {PLAYGROUND_SECONDS:.0f} s.")
        return y

    @torch.no_grad()
    def _encode(self, y: np.ndarray) -> tuple[np.ndarray, torch.Tensor]:
        """The features of the prepared waveform ``y`` and the posterior mean ``(latent_dim,)`` for them."""
        features = self.features([y])
        return features[0], self.generator.encode(torch.from_numpy(features))[0][0]

    @torch.no_grad()
    def _draw(self, y: np.ndarray, notes: list[str]) -> Drawing:
        """Everything the playground shows for the prepared waveform ``y``."""
        features, latent = self._encode(y)
        image = self.generator.decode(latent[None])
        probabilities = torch.softmax(self.judge(image.reshape(1, 1, 28, 28)), dim=1)[0]
        return Drawing(waveform=y, mel=features, image=image[0].numpy(), probabilities=probabilities.numpy(),
                       latent=latent, speech=speech_check(y), notes=notes)



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


def png_bytes(rgb: np.ndarray) -> bytes:
    """An RGB (or grey) ``uint8`` array encoded as PNG."""
    from PIL import Image

    with io.BytesIO() as stream:
        Image.fromarray(np.asarray(rgb, dtype=np.uint8)).save(stream, format="png")
        return stream.getvalue()


def wav_bytes(y: np.ndarray, sr: int = SAMPLE_RATE) -> bytes:
    """Mono samples as a 16-bit WAV file's bytes."""
    with io.BytesIO() as stream:
        sf.write(stream, np.asarray(y, dtype=np.float32), sr, format="WAV", subtype="PCM_16")
        return stream.getvalue()


def save_png(rgb: np.ndarray, folder: str | Path, name: str = "image") -> Path:
    """Write ``rgb`` as PNG to ``folder/<sha256 of the PNG>/<name>.png`` and return that path.

    Made for a web server answering many requests at once: identical pictures share one file, which
    is written once, under a temporary name renamed into place, and never rewritten. A request that
    streams the file meanwhile always reads it whole. (Rewriting it in place, as Gradio 6.31 does with
    the pictures a handler returns as arrays, lets one request truncate the file while another is
    sending it: the client gets fewer bytes than the declared Content-Length.)
    """
    return save_bytes(png_bytes(rgb), folder, f"{name}.png")


def save_bytes(data: bytes, folder: str | Path, filename: str) -> Path:
    """Write ``data`` to ``folder/<sha256 of data>/<filename>`` once, atomically (see :func:`save_png`)."""
    path = Path(folder) / hashlib.sha256(data).hexdigest() / filename
    name = Path(filename).stem
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(staging, 0o644)
        os.replace(staging, path)  # atomic: readers see no file or the whole file, never a part
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return path
