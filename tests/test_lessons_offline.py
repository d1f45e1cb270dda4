"""With no data anywhere and no network, lesson 1 runs on the embedded default and says so.

(Every lesson is also executed with the real data by nbval: ``pytest lessons/``.)
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def test_lesson_01_runs_on_the_embedded_default(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path / "no-data-here"))
    monkeypatch.setenv("KIT_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(LESSONS / "01_sound_as_numbers.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(LESSONS)}}
    ).execute()
    text = json.dumps([cell.get("outputs", []) for cell in notebook.cells]).lower()
    assert "embedded" in text and "espeak" in text
    assert "python -m kit download fsdd" in text  # and it says how to get the real data
