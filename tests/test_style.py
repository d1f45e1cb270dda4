"""The code stays readable: ruff's rules of pyproject.toml hold for every Python file of the project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    paths = ["kit", "tests", "apps", "bench", "docs", "book", "conftest.py"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
