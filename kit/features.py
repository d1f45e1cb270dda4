"""From waveform to picture: STFT, Griffin-Lim, mel, MFCC (lessons 2 and 3).

The single-clip functions (:func:`stft`, :func:`istft`, :func:`griffin_lim`,
:func:`log_mel`, :func:`mfcc`) are what the lessons take apart. They run on
torch and give the same numbers as librosa (``center=True`` with zero padding,
a periodic Hann window, Slaney mel filters, orthonormal DCT-II); the tests
check that.

The three feature shapes of the course are small frozen dataclasses whose
``__call__`` turns a list of waveforms into one array, in batches:

* :class:`MelImage` - the paper's 48x48 log-mel "image" (seed 001);
* :class:`MfccFrames` - 39 frames x 13 coefficients of a 1-second window (seed 003);
* :class:`MfccMean` - 40 MFCCs averaged over time (seed 000);
* :class:`LogStft` - the log-magnitude STFT of a fixed-length clip (seed 004),
  the one shape that can be turned back into sound (:mod:`kit.sound`).

:data:`FEATURES` holds one of each by name; :func:`feature_spec` looks one up.

:func:`extract` applies one of them to a whole corpus and caches the result
on disk, keyed by the feature parameters and the files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from .audio import SAMPLE_RATE, pad_or_crop, trim_silence, trim_threshold
from .config import cache_dir, quick_mode

N_FFT = 256  # 32 ms at 8 kHz: a few pitch periods, short enough to follow a vowel
HOP_LENGTH = 64  # 8 ms
#: How a clip's word is found before its features (FeatureSpec.trim): the kit's rule, and the plain threshold.
TRIMS = {"word": trim_silence, "threshold": trim_threshold}
#: Part of every cache key of :func:`extract`: bump it whenever a feature's computation changes.
FEATURE_CODE_VERSION = 4


# --- the short-time Fourier transform (lesson 2) -------------------------------------------


def _tensor(y) -> torch.Tensor:
    """A float32 torch view of a waveform (or batch of waveforms) given as an array."""
    return torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32))


@lru_cache(maxsize=16)
def _hann(n_fft: int) -> torch.Tensor:
    return torch.hann_window(n_fft, periodic=True)


def stft(y, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """Complex STFT of ``y`` (shape ``(n,)`` or ``(batch, n)``): ``(..., 1 + n_fft//2, frames)``.

    Frame ``t`` is centred on sample ``t * hop_length`` (the signal is padded
    with ``n_fft//2`` zeros at both ends), so there are ``1 + n // hop_length`` frames.
    """
    return _stft(_tensor(y), n_fft, hop_length).numpy()


def _stft(y: torch.Tensor, n_fft: int, hop_length: int) -> torch.Tensor:
    return torch.stft(
        y, n_fft, hop_length, window=_hann(n_fft), center=True, pad_mode="constant", return_complex=True
    )


def istft(spectrum, hop_length: int = HOP_LENGTH, length: int | None = None) -> np.ndarray:
    """Inverse of :func:`stft` by weighted overlap-add; ``length`` trims to the original size."""
    spectrum = torch.from_numpy(np.ascontiguousarray(spectrum, dtype=np.complex64))
    n_fft = 2 * (spectrum.shape[-2] - 1)
    return torch.istft(spectrum, n_fft, hop_length, window=_hann(n_fft), center=True, length=length).numpy()


def amplitude_to_db(magnitude, top_db: float | None = 80.0) -> np.ndarray:
    """``20 log10 |X|`` relative to the loudest bin (0 dB), floored ``top_db`` below it."""
    magnitude = np.asarray(magnitude)
    db = 20 * np.log10(np.maximum(magnitude, 1e-10) / max(magnitude.max(), 1e-10))
    return db if top_db is None else np.maximum(db, -top_db)


def griffin_lim(
    magnitude,
    n_iter: int = 64,
    hop_length: int = HOP_LENGTH,
    length: int | None = None,
    momentum: float = 0.99,
    seed: int = 0,
) -> np.ndarray:
    """Estimate a waveform whose STFT magnitude is ``magnitude`` (Griffin and Lim, 1984).

    Start from random phase; repeat: go to the time domain and back, keep the
    phase, put the known magnitude back. ``momentum`` is the "fast Griffin-Lim"
    acceleration of Perraudin et al. (2013); 0 gives the original algorithm.
    """
    target = torch.as_tensor(np.asarray(magnitude, dtype=np.float32))
    n_fft = 2 * (target.shape[-2] - 1)
    generator = torch.Generator().manual_seed(seed)
    phase = torch.exp(2j * torch.pi * torch.rand(target.shape, generator=generator))
    previous = torch.zeros_like(phase)
    for _ in range(n_iter):
        y = torch.istft(target * phase, n_fft, hop_length, window=_hann(n_fft), center=True, length=length)
        rebuilt = _stft(y, n_fft, hop_length)
        accelerated = rebuilt - (momentum / (1 + momentum)) * previous
        previous = rebuilt
        phase = accelerated / accelerated.abs().clamp_min(1e-12)
    return torch.istft(
        target * phase, n_fft, hop_length, window=_hann(n_fft), center=True, length=length
    ).numpy()


def spectral_convergence(reference, estimate, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH) -> float:
    """``|| |S_ref| - |S_est| ||_F / || |S_ref| ||_F``: 0 when the magnitudes agree."""
    a = np.abs(stft(reference, n_fft, hop_length))
    b = np.abs(stft(estimate, n_fft, hop_length))
    frames = min(a.shape[-1], b.shape[-1])
    a, b = a[..., :frames], b[..., :frames]
    return float(np.linalg.norm(a - b) / np.linalg.norm(a))


# --- mel and MFCC (lesson 3) ---------------------------------------------------------------


def hz_to_mel(hz):
    """Slaney's mel scale (librosa's default): linear below 1 kHz (15 mel), logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200 / 3)
    logarithmic = 15 + np.log(np.maximum(hz, 1e-10) / 1000) / (np.log(6.4) / 27)
    return np.where(hz >= 1000, logarithmic, linear)


def mel_to_hz(mel):
    """Inverse of :func:`hz_to_mel`."""
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15, 1000 * np.exp((np.log(6.4) / 27) * (mel - 15)), mel * (200 / 3))


def mel_frequencies(n: int, fmin: float = 0.0, fmax: float = SAMPLE_RATE / 2) -> np.ndarray:
    """``n`` frequencies in Hz equally spaced on the mel scale from ``fmin`` to ``fmax``."""
    return mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n))


@lru_cache(maxsize=16)
def _mel_matrix(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None) -> torch.Tensor:
    """Triangles from edge ``i`` to ``i + 2`` of ``n_mels + 2`` mel-spaced edges, each of area 1 (Slaney)."""
    edges = mel_frequencies(n_mels + 2, fmin, sr / 2 if fmax is None else fmax)
    bins = np.linspace(0, sr / 2, 1 + n_fft // 2)
    rising = (bins[None, :] - edges[:-2, None]) / np.diff(edges)[:-1, None]
    falling = (edges[2:, None] - bins[None, :]) / np.diff(edges)[1:, None]
    triangles = np.maximum(0, np.minimum(rising, falling))
    return torch.from_numpy((triangles * (2 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32))


def mel_filterbank(
    sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = 48, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """Triangular mel filters, ``(n_mels, 1 + n_fft//2)``, area-normalised (Slaney)."""
    return _mel_matrix(sr, n_fft, n_mels, fmin, fmax).numpy()


def _power_to_db(power: torch.Tensor, top_db: float, dims=(-2, -1)) -> torch.Tensor:
    """``10 log10 P`` floored ``top_db`` below the maximum over ``dims`` (librosa's ``power_to_db``)."""
    db = 10 * torch.log10(power.clamp_min(1e-10))
    return torch.maximum(db, db.amax(dim=dims, keepdim=True) - top_db)


def log_mel(
    y,
    sr: int = SAMPLE_RATE,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
    n_mels: int = 48,
    top_db: float = 80.0,
) -> np.ndarray:
    """Log-mel power spectrogram in dB (``ref=1``), ``(n_mels, frames)``."""
    power = _stft(_tensor(y), n_fft, hop_length).abs() ** 2
    mel = _mel_matrix(sr, n_fft, n_mels, 0.0, None) @ power
    return _power_to_db(mel, top_db).numpy()


@lru_cache(maxsize=8)
def _dct_matrix(n_mfcc: int, n_mels: int) -> torch.Tensor:
    """Orthonormal DCT-II as a matrix ``(n_mfcc, n_mels)``."""
    k = torch.arange(n_mfcc, dtype=torch.float64)[:, None]
    n = torch.arange(n_mels, dtype=torch.float64)[None, :]
    basis = torch.cos(torch.pi * k * (2 * n + 1) / (2 * n_mels)) * np.sqrt(2.0 / n_mels)
    basis[0] /= np.sqrt(2.0)
    return basis.float()


def mfcc(
    y,
    sr: int = SAMPLE_RATE,
    n_mfcc: int = 13,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
    n_mels: int = 40,
    top_db: float = 80.0,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients ``(n_mfcc, frames)``: a DCT of the log-mel spectrum."""
    db = torch.from_numpy(log_mel(y, sr, n_fft, hop_length, n_mels, top_db))
    return (_dct_matrix(n_mfcc, n_mels) @ db).numpy()


# --- the course's three feature shapes, in batches ----------------------------------------


def _mel_power_batches(
    clips: Sequence[np.ndarray], sr: int, n_fft: int, hop_length: int, n_mels: int, batch_size: int = 256
) -> Iterator[tuple[np.ndarray, torch.Tensor, list[int]]]:
    """Mel power spectrograms of ``clips`` in batches of similar length.

    Yields ``(indices, mel_power (batch, n_mels, frames), valid_frames)``; clip
    ``indices[i]`` has ``valid_frames[i]`` meaningful frames, the rest is padding.
    """
    lengths = np.array([len(c) for c in clips])
    order = np.argsort(lengths, kind="stable")
    mel_matrix = _mel_matrix(sr, n_fft, n_mels, 0.0, None)
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        longest = int(lengths[indices].max())
        batch = torch.zeros(len(indices), longest)
        for row, index in enumerate(indices):
            batch[row, : lengths[index]] = torch.from_numpy(np.asarray(clips[index], dtype=np.float32))
        power = _stft(batch, n_fft, hop_length).abs().square_()
        yield indices, mel_matrix @ power, [1 + int(lengths[i]) // hop_length for i in indices]


@dataclass(frozen=True)
class FeatureSpec:
    """Common parameters of the course's features; subclasses define ``transform``."""

    sr: int = SAMPLE_RATE
    n_fft: int = N_FFT
    hop_length: int = HOP_LENGTH
    trim_db: float = 30.0  # silence more than this far below the loudest frame is cut
    trim: str = "word"  # "word": audio.trim_silence; "threshold": audio.trim_threshold (lesson 14)
    top_db: float = 80.0  # dynamic range kept by the dB conversion

    name = "features"
    time_axis = None  # which axis of one clip's features is time (None: averaged away); not a field

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of one clip's features."""
        raise NotImplementedError

    def __post_init__(self) -> None:
        if self.trim not in TRIMS:
            raise ValueError(f"no trim called {self.trim!r}; choose from {', '.join(TRIMS)}")

    def prepare(self, y: np.ndarray) -> np.ndarray:
        """Trim leading and trailing silence (or noise) with the rule named by ``trim``."""
        return TRIMS[self.trim](y, self.trim_db)

    def __call__(self, waveforms: Sequence[np.ndarray]) -> np.ndarray:
        """Features of every waveform (mono, at ``self.sr``), stacked: ``(n, *shape)`` float32."""
        if len(waveforms) == 0:
            return np.zeros((0, *self.shape), np.float32)
        return self.transform([self.prepare(np.asarray(y, dtype=np.float32)) for y in waveforms])

    def transform(self, clips: Sequence[np.ndarray]) -> np.ndarray:
        """Features of prepared clips; each subclass says how."""
        raise NotImplementedError

    def key(self) -> str:
        """A short hash of the class and every parameter: the cache key of :func:`extract`."""
        settings = {"class": type(self).__name__, "code": FEATURE_CODE_VERSION, **dataclasses.asdict(self)}
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class MelImage(FeatureSpec):
    """The paper's input (seed 001): log-mel "resized to 48x48", values in [0, 1].

    Silence is trimmed, 48 mel bands come from the STFT, and the time axis of
    the remaining frames is resized to 48 columns by linear interpolation, so
    fast and slow speakers give images of the same width. dB are taken
    relative to the clip's loudest bin and mapped from [-top_db, 0] to [0, 1].
    Rows are mel bands (low frequencies first), columns are time.
    """

    n_mels: int = 48
    frames: int = 48
    name = "mel48"
    time_axis = 1

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_mels, self.frames)

    def transform(self, clips):
        out = np.empty((len(clips), self.n_mels, self.frames), np.float32)
        for indices, mel, valid in _mel_power_batches(
            clips, self.sr, self.n_fft, self.hop_length, self.n_mels
        ):
            # Padding frames are the quietest of all, so each clip's maximum is its own.
            db = _power_to_db(mel, self.top_db)
            scaled = (db - db.amax(dim=(1, 2), keepdim=True) + self.top_db) / self.top_db
            for row, index in enumerate(indices):
                out[index] = F.interpolate(
                    scaled[row : row + 1, :, : valid[row]],
                    size=self.frames,
                    mode="linear",
                    align_corners=True,
                )[0].numpy()
        return out


@dataclass(frozen=True)
class MfccFrames(FeatureSpec):
    """39 frames x 13 coefficients over a 1-second window (seed 003's Written and Spoken Digits).

    The trimmed clip is centred in 1 s; frames every 26 ms give 39 of them;
    each row holds the frame's log energy followed by MFCCs 1-12.
    """

    n_mels: int = 40
    n_mfcc: int = 13
    seconds: float = 1.0
    hop_length: int = 208  # 1 + 8000 // 208 = 39 frames at 8 kHz
    name = "mfcc39x13"
    time_axis = 0

    @property
    def shape(self) -> tuple[int, int]:
        return (1 + int(self.seconds * self.sr) // self.hop_length, self.n_mfcc)

    def prepare(self, y):
        return pad_or_crop(super().prepare(y), int(self.seconds * self.sr))

    def transform(self, clips):
        batch = torch.from_numpy(np.stack(clips))
        power = _stft(batch, self.n_fft, self.hop_length).abs().square_()
        mel = _mel_matrix(self.sr, self.n_fft, self.n_mels, 0.0, None) @ power
        coefficients = _dct_matrix(self.n_mfcc, self.n_mels) @ _power_to_db(mel, self.top_db)
        log_energy = 10 * torch.log10(power.sum(dim=1).clamp_min(1e-10))
        coefficients[:, 0] = log_energy
        return coefficients.transpose(1, 2).numpy().astype(np.float32)


@dataclass(frozen=True)
class MfccMean(FeatureSpec):
    """40 MFCCs averaged over the frames of the trimmed clip (seed 000): one vector per clip."""

    n_mels: int = 40
    n_mfcc: int = 40
    name = "mfcc40mean"

    @property
    def shape(self) -> tuple[int]:
        return (self.n_mfcc,)

    def transform(self, clips):
        out = np.empty((len(clips), self.n_mfcc), np.float32)
        dct = _dct_matrix(self.n_mfcc, self.n_mels)
        for indices, mel, valid in _mel_power_batches(
            clips, self.sr, self.n_fft, self.hop_length, self.n_mels
        ):
            coefficients = dct @ _power_to_db(mel, self.top_db)
            in_clip = torch.arange(mel.shape[-1])[None, :] < torch.tensor(valid)[:, None]
            out[indices] = ((coefficients * in_clip[:, None]).sum(-1) / in_clip.sum(-1, keepdim=True)).numpy()
        return out


@dataclass(frozen=True)
class LogStft(FeatureSpec):
    """Seed 004's input: the log-magnitude STFT of a clip cut or padded to a fixed length, in dB.

    The seed cut its 22,050 Hz clips to 0.87 s (the 97th percentile of their
    lengths) and used a 512-sample window every 256 samples (23 ms every
    12 ms). At the course's 8 kHz the nearest powers of two are 256 and 128
    samples (32 ms every 16 ms), and 0.88 s gives 56 frames. The silence is
    trimmed, the clip peak-normalised (so every clip is as loud as the next,
    the one scaling that is undone by nothing), zero-padded at its end, and
    ``20 log10 |X|`` kept down to ``floor_db``. The Nyquist bin (4 kHz, where
    FSDD holds nothing) is dropped: rows are the 128 bins from 0 to 3.97 kHz,
    low frequencies first; columns are the 56 frames.

    Values are absolute dB, not scaled per clip: the seed's per-file min-max
    is what made its prior samples undecodable (lesson 16); the models scale
    with statistics of the whole training set instead (:class:`kit.sound.SpectrogramScale`).
    """

    n_fft: int = 256
    hop_length: int = 128
    seconds: float = 0.88
    floor_db: float = -100.0
    peak: float = 0.9  # every prepared clip's largest sample
    name = "logstft"
    time_axis = 1

    @property
    def samples(self) -> int:
        """Length of every prepared clip: ``seconds * sr`` samples."""
        return int(round(self.seconds * self.sr))

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_fft // 2, 1 + self.samples // self.hop_length)

    def prepare(self, y):
        y = super().prepare(y)
        y = y * (self.peak / max(float(np.abs(y).max()), 1e-6))
        return pad_or_crop(y, self.samples, align="start")

    def transform(self, clips):
        magnitude = _stft(torch.from_numpy(np.stack(clips)), self.n_fft, self.hop_length).abs()[:, :-1]
        return (20 * torch.log10(magnitude.clamp_min(10 ** (self.floor_db / 20)))).numpy()


MEL_IMAGE = MelImage()
MFCC_FRAMES = MfccFrames()
MFCC_MEAN = MfccMean()
LOG_STFT = LogStft()
#: The course's feature shapes by name (``"mel48"``, ``"mfcc39x13"``, ``"mfcc40mean"``, ``"logstft"``):
#: what a zoo entry's ``"features"`` key names.
FEATURES: dict[str, FeatureSpec] = {spec.name: spec for spec in (MEL_IMAGE, MFCC_FRAMES, MFCC_MEAN, LOG_STFT)}


def feature_spec(name: str) -> FeatureSpec:
    """The feature shape called ``name`` in :data:`FEATURES`; a ``ValueError`` listing them if unknown."""
    if name not in FEATURES:
        raise ValueError(f"no feature shape called {name!r}; the course has: {', '.join(FEATURES)}")
    return FEATURES[name]


def extract(corpus, spec: FeatureSpec = MEL_IMAGE, cache: bool = True, progress: bool = True) -> np.ndarray:
    """Features of every utterance of ``corpus`` (a :class:`~kit.data.SpokenDigits`), cached on disk.

    The cache file's name holds the corpus name, ``spec.key()`` and a hash of
    the files' paths, sizes and modification times: change any of them and
    the features are computed again. Returns ``(len(corpus), *spec.shape)`` float32.
    """
    stats = [os.stat(u.path) for u in corpus.utterances]
    files = [(str(u.path), s.st_size, s.st_mtime_ns) for u, s in zip(corpus.utterances, stats, strict=True)]
    files_key = hashlib.sha256(json.dumps(files).encode()).hexdigest()[:12]
    path = cache_dir("features") / f"{corpus.name}-{spec.name}-{spec.key()}-{files_key}.npy"
    if cache and path.is_file():
        return np.load(path)
    features = spec(corpus.waveforms(spec.sr, progress=progress and not quick_mode()))
    if cache:
        partial = path.with_suffix(f".{os.getpid()}.partial.npy")  # one per process: runs may share a cache
        np.save(partial, features)
        os.replace(partial, path)  # atomic: a crash never leaves a half-written cache file
    return features
