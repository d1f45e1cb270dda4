"""Benchmark: FSDD's 3,000 recordings to 48x48 log-mel images.

Three ways, in one run, on the same files:
  kit cold    - kit.features.extract with an empty cache (read, trim, batched torch STFT + mel)
  kit cached  - the same call again (one .npy read)
  librosa     - a plain per-file loop: librosa.load, effects.trim, feature.melspectrogram,
                power_to_db, resize; its first call also pays numba's compilation, as a
                learner's would on a fresh install.

Usage:  KIT_DATA_DIR=../shared/data .venv/bin/python bench/features.py
Results go in bench/README.md by hand, with the machine and date.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time

import numpy as np

os.environ["KIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="kit-bench-")  # an empty cache: a cold start
import torch  # noqa: E402

from kit import data, features  # noqa: E402


def librosa_loop(corpus, spec: features.MelImage) -> np.ndarray:
    import librosa
    from scipy.ndimage import zoom

    out = []
    for u in corpus.utterances:
        y, _ = librosa.load(u.path, sr=spec.sr)
        y, _ = librosa.effects.trim(y, top_db=spec.trim_db, frame_length=256, hop_length=64)
        mel = librosa.feature.melspectrogram(
            y=y, sr=spec.sr, n_fft=spec.n_fft, hop_length=spec.hop_length, n_mels=spec.n_mels
        )
        db = librosa.power_to_db(mel, ref=np.max, top_db=spec.top_db)
        out.append(zoom((db + spec.top_db) / spec.top_db, (1, spec.frames / db.shape[1]), order=1))
    return np.stack(out)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    corpus = data.load_fsdd()
    spec = features.MEL_IMAGE
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch "
        f"{torch.__version__} ({torch.get_num_threads()} threads), {len(corpus)} files"
    )
    cold, t_cold = timed(features.extract, corpus, spec, True, False)
    cached, t_cached = timed(features.extract, corpus, spec, True, False)
    waveforms, t_read = timed(corpus.waveforms, spec.sr, False)
    _, t_features = timed(spec, waveforms)
    reference, t_librosa = timed(librosa_loop, corpus, spec)
    assert np.array_equal(cold, cached)
    print(
        f"kit cold     {t_cold:6.2f} s   (again, in parts: read {t_read:.2f} s + features {t_features:.2f} s)"
    )
    print(f"kit cached   {t_cached:6.2f} s")
    print(f"librosa loop {t_librosa:6.2f} s   ({t_librosa / t_cold:.0f}x the kit's cold time)")
    print(
        f"mean |kit - librosa loop| = {np.abs(cold - reference).mean():.4f} "
        "(trim and resize differ slightly; the STFT and mel are equal, see tests)"
    )


if __name__ == "__main__":
    main()
