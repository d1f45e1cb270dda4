""".ci/run: what each of its two passes leaves out of ``make test`` is really left out, and no more.

The first pass leaves the lessons to the website it builds (``make book`` executes each once); the
newcomer's pass leaves the site's tests to the first pass. pytest does not apply ``--ignore`` to the
folders it is asked to collect (``testpaths``): an option that left nothing out would execute every
lesson once more and cost CI a quarter of an hour, so each pass's options are collected here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASS_OPTIONS = re.findall(r'PYTEST_ADDOPTS="([^"]*)"', (ROOT / ".ci" / "run").read_text())


def collected(options: str) -> list[str]:
    env = {**os.environ, "PYTEST_ADDOPTS": options}
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_each_pass_leaves_out_what_it_says_and_keeps_the_rest():
    newcomer_options, first_options = PASS_OPTIONS  # .ci/run starts the newcomer's pass first
    everything, first, newcomer = collected(""), collected(first_options), collected(newcomer_options)
    lessons = [item for item in everything if item.startswith("lessons/")]
    site = [item for item in everything if item.startswith("tests/test_book.py")]
    assert lessons and site
    assert first == [item for item in everything if item not in lessons]
    assert newcomer == [item for item in everything if item not in site]
