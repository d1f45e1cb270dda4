"""With no data anywhere and no network, lesson 1 runs on the embedded default and says so.

(Every lesson is also executed with the real data by nbval: ``pytest lessons/``.) Here lesson 1
runs under nbval in a separate process whose ``KIT_DATA_DIR`` points at an empty folder, as on a
learner's fresh machine. (nbclient in the test process hung now and then after the in-process app
server tests; nbval's own kernel handling has not.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit import data

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "01_sound_as_numbers.ipynb"


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path / "no-data-here"))
    return tmp_path / "no-data-here"


def test_lesson_01_runs_on_the_embedded_default(no_data, tmp_path):
    env = {**os.environ, "KIT_QUICK": "1", "MPLBACKEND": "Agg", "KIT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
               "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=600", str(LESSON)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    report = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0 and " passed" in result.stdout, report


def test_without_data_the_kit_says_what_it_uses_and_how_to_get_the_real_data(no_data):
    with pytest.warns(UserWarning, match="synthesized offline with eSpeak") as warned:
        corpus = data.load_spoken_digits()
    assert corpus.embedded and corpus.name == "espeak"
    assert "python -m kit download fsdd" in str(warned[0].message)
