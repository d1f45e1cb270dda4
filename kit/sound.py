"""From a log-magnitude spectrogram back to sound: scaling and phase (lessons 16 and 17).

A model that speaks outputs a :class:`~kit.features.LogStft` picture, values
scaled to about [0, 1]. Two steps turn it into a waveform:

1. **Undo the scaling.** Seed 004 min-max scaled every file by its own
   minimum and maximum (:func:`per_file_minmax`) and decoded its outputs
   with the minimum and maximum *of the file that went in*: a point drawn
   from the prior has no file, so it has no scale, and the seed could not
   sample. :class:`SpectrogramScale` scales every clip by the same two
   numbers, measured once on the training set and stored in the model's
   checkpoint, so that any latent point decodes to decibels.
2. **Find a phase.** A magnitude has none. :func:`to_waveform` either
   estimates one with Griffin-Lim (:func:`kit.features.griffin_lim`, the
   fast variant) or uses the seed's zero phase (every bin starts in cosine
   phase at every frame), which sounds buzzy and metallic: lesson 16 plays both.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .features import LOG_STFT, LogStft, griffin_lim, istft

#: How a magnitude is given a phase: ``"griffin-lim"`` (estimated) or ``"zero-phase"`` (seed 004's).
PHASES = ("griffin-lim", "zero-phase")


def per_file_minmax(db: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seed 004's scaling: each spectrogram of ``db`` ``(n, f, t)`` mapped to [0, 1] by its own range.

    Returns the scaled spectrograms and the per-file minima and maxima ``(n,)``,
    without which a scaled spectrogram cannot be turned back into decibels.
    """
    db = np.asarray(db, dtype=np.float32)
    low = db.min(axis=(1, 2))
    high = db.max(axis=(1, 2))
    scaled = (db - low[:, None, None]) / np.maximum(high - low, 1e-6)[:, None, None]
    return scaled, low, high


class SpectrogramScale(nn.Module):
    """One affine map between decibels and [0, 1] for every clip, fitted on the training set.

    ``low`` and ``high`` are buffers, so they travel in the model's checkpoint
    (``state_dict``): any decoder output can be de-normalised, whatever the
    latent point it came from. Values outside the training range map outside [0, 1].
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("low", torch.tensor(LOG_STFT.floor_db))
        self.register_buffer("high", torch.tensor(0.0))

    def fit(self, db: torch.Tensor) -> SpectrogramScale:
        """Measure the training set's range: its smallest and its largest value (in dB)."""
        db = torch.as_tensor(db, dtype=torch.float32)
        if not torch.isfinite(db).all():
            raise ValueError("the spectrograms to fit a scale on hold NaN or infinite values")
        self.low.copy_(db.min())
        self.high.copy_(db.max().clamp_min(self.low + 1e-3))
        return self

    def normalise(self, db: torch.Tensor) -> torch.Tensor:
        """Decibels to the model's range: ``(db - low) / (high - low)``."""
        return (db - self.low) / (self.high - self.low)

    def denormalise(self, scaled: torch.Tensor) -> torch.Tensor:
        """The model's range back to decibels: ``low + scaled * (high - low)``."""
        return self.low + scaled * (self.high - self.low)


def to_waveform(db, phase: str = "griffin-lim", spec: LogStft = LOG_STFT, n_iter: int = 64) -> np.ndarray:
    """A waveform whose STFT magnitude is ``db``: one :class:`LogStft` ``(f, t)`` or a batch ``(n, f, t)``.

    The dropped Nyquist bin comes back as silence, and so does every bin at
    the floor (``spec.floor_db``): the floor's amplitude is subtracted, so a
    spectrogram of nothing decodes to zeros. ``phase`` is ``"griffin-lim"``
    (``n_iter`` iterations of fast Griffin-Lim) or ``"zero-phase"``. Returns
    ``(spec.samples,)`` or ``(n, spec.samples)`` float32 in [-1, 1], at the
    level the decibels say (the clips behind the features peaked at ``spec.peak``).
    """
    if phase not in PHASES:
        raise ValueError(f"phase {phase!r}: choose from {', '.join(PHASES)}")
    db = np.asarray(db, dtype=np.float32)
    if db.shape[-2:] != spec.shape:
        raise ValueError(f"expected spectrograms of shape {spec.shape} (frequency, time), got {db.shape}")
    if not np.isfinite(db).all():
        raise ValueError("the spectrogram holds NaN or infinite values: nothing to turn into sound")
    # 40 dB above full scale is far beyond any real clip; the floor is silence.
    magnitude = np.maximum(10 ** (np.minimum(db, 40.0) / 20) - 10 ** (spec.floor_db / 20), 0.0)
    magnitude = np.concatenate([magnitude, np.zeros_like(magnitude[..., :1, :])], axis=-2)
    if phase == "griffin-lim":
        y = griffin_lim(magnitude, n_iter=n_iter, hop_length=spec.hop_length, length=spec.samples)
    else:
        y = istft(magnitude.astype(np.complex64), hop_length=spec.hop_length, length=spec.samples)
    return np.clip(y, -1.0, 1.0).astype(np.float32)
