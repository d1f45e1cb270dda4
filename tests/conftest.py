"""Shared fixtures: real data sets (skipped, or failed under CI, when absent) and scratch audio."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture
def runs(tmp_path, monkeypatch):
    """A private runs folder (``KIT_RUNS_DIR``) for tests that train."""
    monkeypatch.setenv("KIT_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def toy_batches(n: int = 256, seed: int = 0):
    """A toy 'MNIST' that any model learns in a few steps: digit d is a bright row at height 2 + 2d."""
    import torch

    from kit.train import Batches

    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = torch.zeros(n, 28, 28)
    images[torch.arange(n), 2 + 2 * labels, 4:24] = 1
    return Batches(images, labels, batch_size=32, seed=seed)


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


#: Headless Chromium: for tests/test_browser.py, tests/test_book.py and docs/screenshots.py.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the module (skipped without it, failed under CI)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install it with  apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
