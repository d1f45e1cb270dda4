"""Calibration: how far real speech and non-speech sounds are from the thresholds of speech_check.

The measure is kit.playground.speech_check.

Real speech: the 20 bundled example clips (apps/examples/), FSDD's 3,000 recordings and the Speech
Commands and AudioMNIST samples under $KIT_DATA_DIR (evaluation data: used here only to check that
real speech is not flagged). Non-speech: synthesized pure tones, DC, clicks, white noise and the like.
For each group it prints each measure's range and how many clips are flagged.

Usage:  KIT_DATA_DIR=../shared/data .venv/bin/python bench/speech_check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit.audio import SAMPLE_RATE, load_audio  # noqa: E402
from kit.config import data_dir  # noqa: E402
from kit.playground import NOISE_FLATNESS, STEADY_DB, TONAL_FLATNESS, SpeechCheck, speech_check  # noqa: E402


def real_speech() -> dict[str, list[Path]]:
    """The real recordings by group (groups whose folder is absent are left out)."""
    data = data_dir()
    groups = {
        "bundled examples": sorted((ROOT / "apps" / "examples").glob("*.wav")),
        "FSDD": sorted((data / "fsdd" / "recordings").glob("*.wav")),
        "Speech Commands sample": sorted((data / "speech_commands_sample").glob("*/*.wav")),
        "AudioMNIST sample": sorted((data / "audiomnist_sample").glob("**/*.wav")),
    }
    return {name: files for name, files in groups.items() if files}


def non_speech(seconds: float = 1.0) -> dict[str, np.ndarray]:
    """Synthesized sounds that are not speech, at SAMPLE_RATE."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    rng = np.random.default_rng(0)
    fade = np.minimum(1, np.minimum(t, t[-1] - t) / 0.1)  # 100 ms fade in and out
    sounds = {f"pure tone {f} Hz": 0.5 * np.sin(2 * np.pi * f * t) for f in (100, 440, 1000, 3000)}
    sounds["pure tone 440 Hz, faded in and out"] = 0.5 * np.sin(2 * np.pi * 440 * t) * fade
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    sounds["pure tone 440 Hz, 4 Hz tremolo"] = tone * (0.55 + 0.45 * np.sin(8 * np.pi * t))
    sounds["pure tone 440 Hz + noise at -48 dB"] = tone + 0.002 * rng.standard_normal(t.size)
    sounds["chirp 200-3200 Hz"] = 0.5 * np.sin(2 * np.pi * (200 * t + 1500 * t**2))
    sounds["square wave 220 Hz"] = 0.3 * np.sign(np.sin(2 * np.pi * 220 * t))
    sounds["DC (constant 0.5)"] = np.full(t.size, 0.5)
    for count in (3, 5, 10):
        clicks = np.zeros(t.size)
        clicks[np.arange(count) * t.size // count + 400] = 0.9
        sounds[f"{count} clicks"] = clicks
    sounds["white noise"] = 0.3 * rng.standard_normal(t.size)
    sounds["white noise, faded in and out"] = 0.3 * rng.standard_normal(t.size) * fade
    return {name: y.astype(np.float32) for name, y in sounds.items()}


def describe(check: SpeechCheck) -> str:
    return (f"frame flatness 10^{np.log10(check.frame_flatness):.2f}, average flatness "
            f"10^{np.log10(check.average_flatness):.2f}, loudness spread {check.loudness_spread_db:.2f} dB")


def main() -> None:
    print(f"thresholds: frame flatness >= 10^{np.log10(TONAL_FLATNESS):.2f}, average flatness <= "
          f"10^{np.log10(NOISE_FLATNESS):.2f}, loudness spread >= {STEADY_DB:.2f} dB")
    for name, files in real_speech().items():
        checks = [speech_check(load_audio(path)) for path in files]
        frame = np.log10([c.frame_flatness for c in checks])
        average = np.log10([c.average_flatness for c in checks])
        spread = np.array([c.loudness_spread_db for c in checks])
        flagged = [path.name for path, c in zip(files, checks, strict=True) if not c.speech_like]
        print(f"{name} ({len(files)} clips): {len(flagged)} flagged {flagged[:5]}; "
              f"frame flatness 10^{frame.min():.2f} .. 10^{frame.max():.2f}, "
              f"average flatness 10^{average.min():.2f} .. 10^{average.max():.2f}, "
              f"loudness spread {spread.min():.2f} .. {spread.max():.2f} dB")
    for name, y in non_speech().items():
        check = speech_check(y)
        print(f"{name}: {'speech-like' if check.speech_like else 'flagged'}; {describe(check)}")


if __name__ == "__main__":
    main()
