"""With no data anywhere and no network, lesson 1 runs on the embedded default and says so.

(Every lesson is also executed with the real data by nbval: ``pytest lessons/``.) The notebook
runs in a separate process, as a learner's would, so that no state of other tests (an event loop
left by an in-process app server, say) can leak into it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(notebook, sys.argv[3])
"""


def test_lesson_01_runs_on_the_embedded_default(tmp_path):
    executed = tmp_path / "executed.ipynb"
    lesson = LESSONS / "01_sound_as_numbers.ipynb"
    no_data = str(tmp_path / "no-data-here")
    env = {**os.environ, "KIT_DATA_DIR": no_data, "KIT_QUICK": "1", "MPLBACKEND": "Agg"}
    command = [sys.executable, "-c", EXECUTE, str(lesson), str(LESSONS), str(executed)]
    subprocess.run(command, env=env, check=True, timeout=900)
    cells = json.loads(executed.read_text())["cells"]
    text = json.dumps([cell.get("outputs", []) for cell in cells]).lower()
    assert "embedded" in text and "espeak" in text
    assert "python -m kit download fsdd" in text  # and it says how to get the real data
