"""Shared fixtures: real data sets (skipped, or failed under CI, when absent) and scratch audio."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

from kit import data


def require(name: str) -> None:
    """Skip the test when data set ``name`` is absent; with KIT_REQUIRE_DATA=1 (CI), fail instead."""
    if not data.SOURCES[name].available():
        message = f"{name} not found under $KIT_DATA_DIR"
        if os.environ.get("KIT_REQUIRE_DATA") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def fsdd():
    require("fsdd")
    return data.load_fsdd()


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Every test session writes its caches to a temporary folder, never the learner's."""
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "kit-cache"))


@pytest.fixture
def tone():
    """A one-second 440 Hz tone at 16 kHz, and a factory writing it to WAV files."""
    sr = 16000
    t = np.arange(sr) / sr
    y = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)

    def write(path, samples=y, rate=sr, **kwargs):
        sf.write(path, samples, rate, **kwargs)
        return path

    return y, sr, write


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The latent explorer serving in this process (``app.demo.local_url``), once per test module."""
    from tests.explorer_app import serving

    with serving(tmp_path_factory.mktemp("gradio")) as module:
        yield module
