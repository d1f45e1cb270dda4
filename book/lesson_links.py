"""A Sphinx extension for the website: each kit function's or class's entry names the lessons that call it.

``book/build.py`` finds what each lesson's code cells use from the kit (:func:`kit_names_used`) and
writes it to ``lesson_uses.json`` in the staged sources; here each name is looked up (the kit is
imported by autodoc anyway) and the entry of the object it names gets a line "Used in lessons: ...".
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from typing import Any

USES_FILE = "lesson_uses.json"


def kit_names_used(code: str) -> set[str]:
    """The dotted kit names a lesson's code refers to: ``features.stft(y)`` -> ``kit.features.stft``."""
    source = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound: dict[str, str] = {}  # local name -> dotted kit name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "kit":
            bound.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
        elif isinstance(node, ast.Import):  # import kit; import kit.audio (binds kit); import kit.audio as a
            bound.update({alias.asname or "kit": alias.name if alias.asname else "kit"
                          for alias in node.names if alias.name.split(".")[0] == "kit"})
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id in bound:
                dotted = [bound[node.id], *reversed(parts)]
                used.update(".".join(dotted[: i + 1]) for i in range(len(dotted)))
    return used


def resolve(dotted: str) -> Any:
    """The object ``dotted`` names (``kit.models.FastAIVAE``), or None."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attribute in parts[split:]:
                found = getattr(found, attribute)
        except AttributeError:
            return None
        return found
    return None


def setup(app):
    uses: dict[int, list[str]] = {}  # id of a kit object -> the lesson pages that use it

    def load(app) -> None:
        path = Path(app.srcdir) / USES_FILE
        for name, pages in (json.loads(path.read_text()) if path.exists() else {}).items():
            found = resolve(name)
            if callable(found):
                uses.setdefault(id(found), [])
                uses[id(found)] += [page for page in pages if page not in uses[id(found)]]

    def add_lessons(app, what, name, obj, options, lines) -> None:
        if what in {"function", "class"} and id(obj) in uses:
            lessons = ", ".join(f":doc:`/{page}`" for page in sorted(uses[id(obj)]))
            lines += ["", f"*Used in:* {lessons}", ""]

    app.connect("builder-inited", load)
    app.connect("autodoc-process-docstring", add_lessons)
    return {"parallel_read_safe": True}
