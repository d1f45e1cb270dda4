"""The course as a website: stage the lessons, the kit's API pages and the docs, then run Jupyter Book.

Usage:  python -m book.build [--only 01 12] [--lessons DIR] [--kit DIR] [--out DIR]      (``make book``)

Every ``lessons/NN_*.ipynb`` becomes a page, in the order of its number, in the part its number
belongs to (:data:`PARTS`); nothing lists the lesson files by hand. Each lesson is executed once
(``KIT_QUICK`` and ``KIT_DATA_DIR`` as set; outputs cached in ``<out>/_build/.jupyter_cache``), and
each exercise's check cell shows what the learner sees for the reference answer of
``book/answers.py``, set in a hidden cell of the staged copy only: the page shows the learner's
empty answer cell, the lesson file keeps no answer. Links to kit files become links to the kit's
API pages (built from its docstrings): each names the lessons its module docstring names, and each
function's or class's entry the lessons whose code uses it (``book/lesson_links.py``). The site is
written to ``<out>/_build/html`` (default ``book/_build/html``) and needs no network, neither to
build nor to view: MathJax is copied from the jupyter-server-mathjax wheel.
Any Sphinx warning fails the build: a cell error, a missing image, a broken link or reference.

This module is independent of the kit: it reads the kit's files, it does not import them.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from book.answers import ANSWERS
from book.lesson_links import USES_FILE, kit_names_used

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
#: The course plan's parts: (first lesson, title). A lesson belongs to the last part that starts at or
#: before its number, so a new lesson finds its part by itself.
PARTS = (
    (1, "Sound as numbers"),
    (4, "Judging, encoding and sampling digits"),
    (7, "From a voice to a digit"),
    (9, "Adversarial generation"),
    (12, "Hearing and seeing together"),
    (16, "Audio that speaks"),
)
LESSON_FILE = re.compile(r"^(\d\d)_\w+\.ipynb$")
CHECK_CELL = re.compile(r"""^\s*check\(\s*["'](\d\d\.\w+)["']\s*,\s*answer\s*\)""", re.MULTILINE)
LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^()\s]+)\)")
#: Folders of docs/ whose pictures the pages show, staged at the top of the site under the same names.
STAGED_PICTURES = ("images", "results")
LESSONS_NAMED = re.compile(r"\blessons?\s+((?:\d+(?:\s*-\s*\d+)?(?:\s*,\s*|\s+and\s+)?)+)", re.IGNORECASE)


@dataclass(frozen=True)
class Lesson:
    number: int
    path: Path  # the lesson file

    @property
    def page(self) -> str:
        """The page's path in the site, without suffix: ``lessons/01_sound_as_numbers``."""
        return f"lessons/{self.path.stem}"

    @property
    def title(self) -> str:
        """The lesson's first heading: ``Lesson 1 — Sound as numbers``."""
        for cell in json.loads(self.path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                for line in "".join(cell["source"]).splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
        return self.path.stem


def find_lessons(folder: Path, only: list[str] | None = None) -> list[Lesson]:
    """The lessons in ``folder`` (``NN_name.ipynb``) in course order, or those whose number is in ``only``."""
    lessons = []
    for path in sorted(folder.glob("*.ipynb")):
        match = LESSON_FILE.match(path.name)
        if match and (not only or int(match[1]) in {int(n) for n in only}):
            lessons.append(Lesson(int(match[1]), path))
    if not lessons:
        wanted = f" numbered {', '.join(only)}" if only else ""
        raise SystemExit(f"no lessons NN_name.ipynb{wanted} in {folder}")
    return lessons


def part_of(number: int) -> str:
    return [title for first, title in PARTS if first <= number][-1]


def lesson_numbers(text: str) -> list[int]:
    """The lesson numbers a docstring names: "lessons 1, 4-7 and 12" -> [1, 4, 5, 6, 7, 12]."""
    numbers: set[int] = set()
    for match in LESSONS_NAMED.finditer(text):
        for first, last in re.findall(r"(\d+)(?:\s*-\s*(\d+))?", match[1]):
            numbers.update(range(int(first), int(last or first) + 1))
    return sorted(numbers)


# --- the kit's API pages ---------------------------------------------------------------------------


def kit_modules(kit: Path) -> dict[str, Path]:
    """Every module of the kit, by dotted name (``kit.data.splits``), packages included."""
    modules = {}
    for path in sorted(kit.rglob("*.py")):
        parts = path.relative_to(kit.parent).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def api_page(name: str, path: Path, lessons: dict[int, Lesson]) -> str:
    """The API page of module ``name``: the lessons that teach it, then its docstrings."""
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    taught = [lessons[n] for n in lesson_numbers(docstring) if n in lessons]
    lines = [f"# `{name}`", ""]
    if taught:
        links = ", ".join(f"[{lesson.title}](../{lesson.page}.ipynb)" for lesson in taught)
        lines += ["```{admonition} Taught in", links, "```", ""]
    lines += ["```{eval-rst}", f".. automodule:: {name}", "```", ""]
    return "\n".join(lines)


def module_page(target: Path, kit: Path, modules: dict[str, Path]) -> str | None:
    """The API page (``api/kit.x.y``) that a link to kit file or folder ``target`` should open."""
    relative = target.relative_to(kit.parent)
    if target.is_dir() or target.suffix != ".py":  # a package folder, or a data file: its package
        relative = relative if target.is_dir() else relative.parent
        name = ".".join(relative.parts)
    else:
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
    return f"api/{name}" if name in modules else None


# --- staging -----------------------------------------------------------------------------------------


class Site:
    """Where each file of the repository ends up in the site, for rewriting links."""

    def __init__(self, lessons: list[Lesson], kit: Path):
        self.lessons = lessons
        self.kit = kit
        self.modules = kit_modules(kit)
        #: repository documents shown as pages, and their pages
        self.documents = {ROOT / "docs" / "reproduction.md": "reproduction",
                          ROOT / "bench" / "README.md": "bench"}
        self.pages = {lesson.path.resolve(): lesson.page for lesson in lessons}
        self.pages.update({path.resolve(): page for path, page in self.documents.items()})

    def page_of(self, target: Path) -> str | None:
        target = target.resolve()
        if target in self.pages:
            return self.pages[target]
        if target.is_relative_to(self.kit.resolve()):
            return module_page(target, self.kit.resolve(), self.modules)
        return None

    def rewrite_links(self, text: str, source: Path, page: str) -> str:
        """Links of ``source`` (a repository file shown as site page ``page``) to their site pages.

        A link to a repository file that is no page of the site keeps its text and loses the link;
        links that name no file (web addresses, anchors, images staged beside the page) stay as they are.
        """
        depth = page.count("/")

        def rewrite(match: re.Match) -> str:
            bang, text, address = match.groups()
            if re.match(r"^[a-z]+:|^#", address):
                return match[0]
            if bang:  # a picture of docs/images or docs/results: staged as images/ and results/ at the top
                target = (source.parent / address).resolve()
                for folder in STAGED_PICTURES:
                    if target.is_relative_to(ROOT / "docs" / folder):
                        inside = target.relative_to(ROOT / "docs" / folder)
                        return f"![{text}]({'../' * depth}{folder}/{inside})"
                return match[0]
            path, _, anchor = address.partition("#")
            target = (source.parent / path)
            if not target.exists():
                return match[0]  # left for the build to report when broken
            found = self.page_of(target)
            if found is None:
                return text
            suffix = ".ipynb" if found.startswith("lessons/") else ".md"
            return f"[{text}]({'../' * depth}{found}{suffix}{'#' + anchor if anchor else ''})"

        return LINK.sub(rewrite, text)


def build_key(kit: Path) -> str:
    """What a lesson's outputs depend on besides its cells: the mode, the data, the kit and the answers."""
    digest = hashlib.sha256()
    answers = [BOOK / "answers.py", *sorted(ROOT.glob("tests/test_exercises_*.py"))]
    for path in [*sorted(kit.rglob("*.py")), *answers]:
        digest.update(path.read_bytes())
    settings = " ".join(f"{name}={os.environ.get(name, '')}" for name in ("KIT_QUICK", "KIT_DATA_DIR"))
    return f"{settings} code={digest.hexdigest()[:16]}"


def hidden_cell(name: str, source: str) -> dict:
    """A code cell that runs when the site is built and does not show on the page."""
    return {"cell_type": "code", "id": f"book-{name}", "metadata": {"tags": ["remove-cell"]},
            "execution_count": None, "outputs": [], "source": source}


def functions_defined(code: str) -> list[str]:
    """The functions a cell defines at its top level (``def my_stft(...)`` in an answer cell)."""
    try:
        tree = ast.parse("\n".join(line for line in code.splitlines() if not line.lstrip().startswith("%")))
    except SyntaxError:
        return []
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]


def answer_cell(exercise: str, answered: str) -> dict:
    """The hidden cell that sets the reference answer to ``exercise`` before its check, as a learner's
    solved answer cell would: ``answer``, and the function it defines (``answered``), when it defines one."""
    names = " = ".join(["answer", *functions_defined(answered)[-1:]])
    return hidden_cell(f"answer-{exercise}", "from book.answers import reference as book_reference\n"
                                             f"{names} = book_reference({exercise!r})\ndel book_reference")


def stage_lesson(lesson: Lesson, site: Site, key: str) -> tuple[dict, list[str]]:
    """The lesson as the site shows it, and the exercise keys that have no reference answer."""
    notebook = json.loads(lesson.path.read_text())
    cells, missing, previous = [hidden_cell("key", f"# built by book/build.py with {key}")], [], ""
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            cell = {**cell, "source": site.rewrite_links(source, lesson.path, lesson.page)}
        for exercise in CHECK_CELL.findall(source) if cell["cell_type"] == "code" else ():
            if exercise in ANSWERS:
                cells.append(answer_cell(exercise, previous))
            else:
                missing.append(exercise)
        cells.append(cell)
        previous = source if cell["cell_type"] == "code" else previous
    return {**notebook, "cells": cells}, missing


def toc(lessons: list[Lesson], modules: list[str]) -> str:
    lines = ["format: jb-book", "root: index", "parts:"]
    parts: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        parts.setdefault(part_of(lesson.number), []).append(lesson)
    for title, members in parts.items():
        lines += [f"  - caption: {json.dumps(title)}", "    chapters:"]
        lines += [f"      - file: {lesson.page}" for lesson in members]
    lines += ["  - caption: Reference", "    chapters:", "      - file: reproduction", "      - file: bench",
              "      - file: api/index", "        sections:"]
    lines += [f"          - file: api/{name}" for name in modules]
    return "\n".join(lines) + "\n"


def stage(lessons: list[Lesson], kit: Path, source: Path) -> list[str]:
    """Write the book's sources into ``source``; returns the exercises without a reference answer."""
    if source.exists():
        shutil.rmtree(source)
    site = Site(lessons, kit)
    source.mkdir(parents=True)
    for name in ("_config.yml", "index.md"):
        shutil.copy(BOOK / name, source / name)
    for folder in STAGED_PICTURES:
        shutil.copytree(ROOT / "docs" / folder, source / folder, ignore=shutil.ignore_patterns("*.json"))
    mathjax = find_spec("jupyter_server_mathjax")
    if mathjax is None or mathjax.origin is None:
        raise SystemExit("jupyter-server-mathjax is missing (it is in requirements.txt): pip install it")
    # not in source/_static, whose scripts Jupyter Book adds to every page: html_static_path copies it
    shutil.copytree(Path(mathjax.origin).parent / "static", source / "_mathjax" / "mathjax",
                    ignore=shutil.ignore_patterns("SVG"))
    for original, page in site.documents.items():
        (source / f"{page}.md").write_text(site.rewrite_links(original.read_text(), original, page))

    (source / "lessons").mkdir()
    key, missing, uses = build_key(kit), [], {}
    for lesson in lessons:
        notebook, unanswered = stage_lesson(lesson, site, key)
        (source / f"{lesson.page}.ipynb").write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
        missing += unanswered
        code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
        for name in kit_names_used(code):
            uses.setdefault(name, []).append(lesson.page)
    (source / USES_FILE).write_text(json.dumps(uses, indent=1, sort_keys=True))

    write_api_pages(site, source / "api")
    (source / "_toc.yml").write_text(toc(lessons, list(site.modules)))
    return missing


def write_api_pages(site: Site, folder: Path) -> None:
    """A page per kit module, and the index of them all."""
    folder.mkdir()
    numbered = {lesson.number: lesson for lesson in site.lessons}
    index = ["# The kit's API", "",
             "The real code of the course, from its docstrings. Each module's page names the lessons that "
             "teach it; the lessons' *kit code* links lead here.", "",
             "| module | what it holds |", "|---|---|"]
    for name, path in site.modules.items():
        (folder / f"{name}.md").write_text(api_page(name, path, numbered))
        summary = (ast.get_docstring(ast.parse(path.read_text())) or "").split("\n\n")[0].replace("\n", " ")
        index.append(f"| [`{name}`]({name}.md) | {summary.replace('|', '/')} |")
    (folder / "index.md").write_text("\n".join(index) + "\n")


def build(source: Path, out: Path) -> int:
    """Run Jupyter Book on ``source`` into ``out/_build/html``; every warning fails the build."""
    # the kernels import book.answers (and the tests' worked solutions) from the repository
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    env.setdefault("MPLBACKEND", "Agg")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(source), "--path-output", str(out), "--builder", "html",
               "--warningiserror", "--keep-going", "--quiet"]
    started = time.time()
    code = subprocess.run(command, env=env).returncode
    for log in sorted((out / "_build" / "html" / "reports").rglob("*.err.log")) if code else ():
        if log.stat().st_mtime >= started:  # this build's execution errors, not an earlier one's
            print(f"book: {log.name}, the lesson's failing cell:\n{log.read_text()[-3000:]}")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NN", help="build only these lessons (e.g. 01 12)")
    parser.add_argument("--lessons", type=Path, default=ROOT / "lessons", help="the lessons' folder")
    parser.add_argument("--kit", type=Path, default=ROOT / "kit", help="the kit's folder (for the API pages)")
    parser.add_argument("--out", type=Path, default=BOOK, help="the site goes to OUT/_build/html")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    lessons = find_lessons(args.lessons, args.only)
    source = args.out / "_build" / "source"
    missing = stage(lessons, args.kit, source)
    for exercise in missing:
        print(f"book: no reference answer for exercise {exercise} in book/answers.py; its check shows "
              "'not answered yet'")
    quick = os.environ.get("KIT_QUICK", "0").strip().lower() in {"1", "true", "yes", "on"}  # as kit.config
    mode = "quick" if quick else "full"
    print(f"book: {len(lessons)} lessons, {mode} mode, data from {os.environ.get('KIT_DATA_DIR') or 'data/'}")
    code = build(source, args.out)
    seconds = time.perf_counter() - started
    site = args.out / "_build" / "html" / "index.html"
    print(f"book: {'built' if code == 0 else 'FAILED'} in {seconds:.0f} s: {site}")
    return code


if __name__ == "__main__":
    sys.exit(main())
