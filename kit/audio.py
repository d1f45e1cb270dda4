"""Reading audio safely, finding the word, fixing the length (lesson 1; lesson 14 finds the word in noise).

Every waveform in the course goes through :func:`load_audio`: whatever the
file (WAV, FLAC, OGG or MP3; mono or stereo; 8 kHz or 48 kHz; 8-bit, 16-bit or
float) it comes back as a mono ``float32`` array in [-1, 1] at the rate you ask
for. Files that cannot be used raise :class:`AudioError` with a sentence that
names the file and the problem, never a stack trace from inside a library.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

#: The course's working sample rate: FSDD's own rate, enough for speech up to 4 kHz.
SAMPLE_RATE = 8000
#: Longest file :func:`load_audio` accepts by default (seconds); spoken digits last about 1 s.
MAX_SECONDS = 60.0
#: Peak level below which a recording counts as silent (about -60 dBFS).
SILENCE_PEAK = 1e-3
#: :func:`trim_silence`: how far above the background (dB) a frame must be to belong to the word's core,
#: and to its quieter edges. Chosen on the validation voices (``docs/reproduction.md``, lesson 14).
WORD_ABOVE_NOISE_DB = 15.0
EDGE_ABOVE_NOISE_DB = 6.0
#: :func:`trim_silence`: the background is a stretch at least this long (s) as quiet as the quietest frames.
BACKGROUND_SECONDS = 0.1


class AudioError(ValueError):
    """A file that cannot be used as a spoken digit, with the reason in plain words."""


def load_audio(
    path: str | Path,
    sr: int = SAMPLE_RATE,
    *,
    max_seconds: float | None = MAX_SECONDS,
    allow_silent: bool = False,
) -> np.ndarray:
    """Read ``path`` as mono ``float32`` at ``sr`` Hz.

    Stereo and multi-channel files are averaged to mono; other rates are
    resampled with soxr (high quality). Raises :class:`AudioError` for a
    missing, unreadable, empty, too long or (unless ``allow_silent``) silent file.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file.")
    try:
        with sf.SoundFile(str(path)) as stream:
            duration = stream.frames / stream.samplerate
            if max_seconds is not None and duration > max_seconds:
                raise AudioError(
                    f"{path.name}: {duration:.1f} s long; at most {max_seconds:.0f} s is accepted. "
                    "Cut out the part with the spoken digit first."
                )
            native_rate = stream.samplerate
            samples = stream.read(dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        reason = getattr(error, "error_string", error)  # libsndfile's words, without the full path
        raise AudioError(
            f"{path.name}: not a readable audio file (WAV, FLAC, OGG or MP3 expected): {reason}"
        ) from None
    return prepare_waveform(samples, native_rate, sr, name=path.name, allow_silent=allow_silent)


def prepare_waveform(
    samples: np.ndarray,
    native_rate: int,
    sr: int = SAMPLE_RATE,
    *,
    name: str = "audio",
    allow_silent: bool = False,
) -> np.ndarray:
    """Turn raw samples (``(n,)`` or ``(n, channels)``) into mono ``float32`` at ``sr``.

    The shared second half of :func:`load_audio`, also used for audio that
    arrives as an array (a microphone, a synthesizer).
    """
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    if samples.ndim != 1:
        raise AudioError(f"{name}: expected samples shaped (n,) or (n, channels), got {samples.shape}.")
    if samples.size == 0:
        raise AudioError(f"{name}: the file holds no audio samples.")
    if not np.all(np.isfinite(samples)):
        raise AudioError(f"{name}: the audio contains NaN or infinite values.")
    if not allow_silent and np.abs(samples).max() < SILENCE_PEAK:
        raise AudioError(f"{name}: the recording is silent (peak below -60 dBFS): nothing to hear.")
    if native_rate != sr:
        samples = soxr.resample(samples, native_rate, sr, quality="HQ").astype(np.float32)
    return samples


def frame_energy_db(y: np.ndarray, frame: int = 256, hop: int = 64) -> np.ndarray:
    """Energy of each frame in dB relative to the loudest frame (0 dB at the top).

    Frames start every ``hop`` samples; a running sum makes this linear in the length.
    """
    if y.size < frame:
        y = np.pad(y, (0, frame - y.size))
    squares = np.concatenate([[0.0], np.cumsum(y.astype(np.float64) ** 2)])
    starts = np.arange(0, y.size - frame + 1, hop)
    energy = squares[starts + frame] - squares[starts]
    return 10 * np.log10(np.maximum(energy, 1e-20) / max(energy.max(), 1e-20))


def trim_silence(y: np.ndarray, top_db: float = 30.0, frame: int = 256, hop: int = 64,
                 pause_seconds: float = 0.15) -> np.ndarray:
    """The word in ``y``: ``y[start:end]`` for the bounds that :func:`word_bounds` finds."""
    start, end = word_bounds(y, top_db, frame, hop, pause_seconds)
    return y[start:end]


def trim_threshold(y: np.ndarray, top_db: float = 30.0, frame: int = 256, hop: int = 64) -> np.ndarray:
    """The plain rule: from the first to the last frame within ``top_db`` of the loudest.

    Enough for a clip cut tight in a quiet room (FSDD); in a noisy window the
    noise is within ``top_db`` of the word everywhere and nothing is cut
    (:func:`trim_silence` finds the word instead; lesson 14 compares them).
    """
    loud = np.flatnonzero(frame_energy_db(y, frame, hop) > -top_db)
    if loud.size == 0:
        return y
    return y[loud[0] * hop : min(y.size, loud[-1] * hop + frame)]


def word_bounds(y: np.ndarray, top_db: float = 30.0, frame: int = 256, hop: int = 64,
                pause_seconds: float = 0.15) -> tuple[int, int]:
    """Where the word in ``y`` starts and ends (samples): silence or background noise around it left out,
    a stray click too.

    Frame energies are measured in dB below the loudest frame. The
    background's level is the quietest frames' (the 2nd percentile), if it
    lasts: at least :data:`BACKGROUND_SECONDS` in a row within
    :data:`EDGE_ABOVE_NOISE_DB` of it. (A clip already cut tight has no
    background: its quietest frames are the word's own first and last ones,
    and it is trimmed like :func:`trim_threshold` would, but for clicks.)
    Frames louder than both ``-top_db`` and :data:`WORD_ABOVE_NOISE_DB` above
    the background are the word's core; runs of them less than
    ``pause_seconds`` apart form one sound, and the sound with the most
    energy is the word (a click, a cough or a breath elsewhere in the window
    is left out). Its edges then grow over frames louder than both
    ``-top_db`` and :data:`EDGE_ABOVE_NOISE_DB` above the background, across
    pauses shorter than ``pause_seconds``, to keep its quiet consonants. In a
    noisy window (a phone, a laptop in a busy room) the noise is cut, where a
    plain threshold keeps it all. All of ``y`` when nothing stands out.
    """
    energy = frame_energy_db(y, frame, hop)
    background = float(np.percentile(energy, 2))
    if _longest_run(energy < background + EDGE_ABOVE_NOISE_DB) < BACKGROUND_SECONDS * SAMPLE_RATE / hop:
        background = -np.inf  # no background to measure: the word fills the clip
    core = np.flatnonzero(energy > max(-top_db, background + WORD_ABOVE_NOISE_DB))
    if core.size == 0:
        return 0, y.size
    longest_pause = int(pause_seconds * SAMPLE_RATE / hop)
    breaks = np.flatnonzero(np.diff(core) > longest_pause)
    starts, ends = np.r_[core[0], core[breaks + 1]], np.r_[core[breaks], core[-1]]
    power = 10 ** (energy / 10)
    word = int(np.argmax([power[a : b + 1].sum() for a, b in zip(starts, ends, strict=True)]))
    audible = energy > max(-top_db, background + EDGE_ABOVE_NOISE_DB)
    first = _grow(audible, int(starts[word]), -1, longest_pause)
    last = _grow(audible, int(ends[word]), 1, longest_pause)
    return first * hop, min(y.size, last * hop + frame)


def _longest_run(mask: np.ndarray) -> int:
    """The length of the longest run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0


def _grow(audible: np.ndarray, edge: int, step: int, longest_pause: int) -> int:
    """The farthest audible frame reached from ``edge`` going ``step`` (-1 or 1), across short pauses."""
    frame, quiet = edge, 0
    while 0 <= frame + step < audible.size and quiet <= longest_pause:
        frame += step
        if audible[frame]:
            edge, quiet = frame, 0
        else:
            quiet += 1
    return edge


def pad_or_crop(y: np.ndarray, length: int, align: str = "center") -> np.ndarray:
    """Return exactly ``length`` samples: zero-pad short clips, cut long ones.

    ``align="center"`` keeps the middle (a trimmed digit sits in the middle of
    its window); ``"start"`` keeps the beginning and pads at the end.
    """
    if align not in {"center", "start"}:
        raise ValueError(f"align must be 'center' or 'start', not {align!r}")
    offset = (y.size - length) // 2 if align == "center" else 0
    if y.size >= length:
        return y[offset : offset + length]
    out = np.zeros(length, dtype=y.dtype)
    start = -offset if align == "center" else 0
    out[start : start + y.size] = y
    return out


def listen(y: np.ndarray, sr: int = SAMPLE_RATE, normalize: bool = True):
    """A notebook audio player for ``y``.

    By default the clip is scaled to full volume so quiet recordings are
    audible; ``normalize=False`` keeps its level (samples must lie in [-1, 1]),
    to hear loudness differences.
    """
    from IPython.display import Audio

    return Audio(np.asarray(y, dtype=np.float32), rate=sr, normalize=normalize)
