"""The course's website (book/build.py, ``make book``): how it is put together, that a broken page
fails its build, and the built site in headless Chromium, page by lesson page.

The tests of the built site read ``book/_build/html``, built by ``make book`` (CI builds it in its
first pass, before the tests). Building it here would execute every lesson a second time, so they
skip, saying so, when the site (or one lesson's page) is not there; under CI they fail instead.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from book import build, lesson_links
from book.answers import ANSWERS
from kit.exercises import CHECKS

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "book" / "_build" / "html"
LESSONS = build.find_lessons(ROOT / "lessons")
EXTERNAL_SOURCE = re.compile(r"""(?:\bsrc|<link[^>]*\bhref)\s*=\s*["']\s*(?:https?:)?//""", re.IGNORECASE)
ON_THE_PAGE = ("data:", "blob:", "about:")  # addresses that are no request to any host
EXTERNAL_CSS = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//|@import\s+["']\s*(?:https?:)?//""", re.I)


def missing(what: str) -> None:
    """Skip: ``what`` is not built (``make book`` builds it); under CI, fail."""
    message = f"{what} is not built: run  make book  (quick mode: KIT_QUICK=1 make book)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# --- how the site is put together -------------------------------------------------------------------


def test_lessons_are_found_by_their_number_and_fall_into_the_plans_parts(tmp_path):
    for name in ("17_from_a_drawing_to_a_voice", "03_mel", "01_sound", "16_speaks", "12_hearing", "notes"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    found = build.find_lessons(tmp_path)
    assert [lesson.number for lesson in found] == [1, 3, 12, 16, 17]
    assert [build.part_of(n) for n in (1, 3, 4, 8, 11, 12, 15, 16, 17)] == [
        "Sound as numbers", "Sound as numbers", "Judging, encoding and sampling digits",
        "From a voice to a digit", "Adversarial generation", "Hearing and seeing together",
        "Hearing and seeing together", "Audio that speaks", "Audio that speaks"]
    assert [lesson.number for lesson in build.find_lessons(tmp_path, only=["3", "16"])] == [3, 16]
    with pytest.raises(SystemExit, match="no lessons"):
        build.find_lessons(tmp_path, only=["9"])


def test_the_table_of_contents_lists_every_lesson_in_its_part_in_course_order():
    toc = build.toc(LESSONS, ["kit.audio"])
    pages = re.findall(r"file: (lessons/\S+)", toc)
    assert pages == [lesson.page for lesson in LESSONS]
    assert toc.index('"Sound as numbers"') < toc.index("lessons/01_") < toc.index('"Judging')
    assert "file: api/kit.audio" in toc


@pytest.mark.parametrize("docstring, numbers", [
    ("Features (lessons 2 and 3).", [2, 3]),
    ("Loaders (lessons 1, 4-7).", [1, 4, 5, 6, 7]),
    ("Plots (lessons 1-3 and every later lesson).", [1, 2, 3]),
    ("Checks for the exercises of lesson 01 (sound as numbers).", [1]),
    ("Lesson 09's exercise checks; see also lesson 12.", [9, 12]),
    ("The configuration, used everywhere.", []),
])
def test_the_lessons_a_module_docstring_names(docstring, numbers):
    assert build.lesson_numbers(docstring) == numbers


def test_kit_links_lead_to_api_pages_and_other_repository_links_keep_their_text():
    site = build.Site(LESSONS, ROOT / "kit")
    lesson = LESSONS[0]
    text = ("[features](../kit/features.py), [splits](../kit/data/splits.py), [data](../kit/data/), "
            "[the table](../docs/reproduction.md#the-table-1-model-itself), [apps](../apps/README.md), "
            "[web](https://example.org), [gone](../kit/no_such_module.py)")
    assert site.rewrite_links(text, lesson.path, lesson.page) == (
        "[features](../api/kit.features.md), [splits](../api/kit.data.splits.md), "
        "[data](../api/kit.data.md), "
        "[the table](../reproduction.md#the-table-1-model-itself), apps, "
        "[web](https://example.org), [gone](../kit/no_such_module.py)")  # the build reports the last one


def test_pictures_of_docs_are_found_where_the_site_stages_them():
    site = build.Site(LESSONS, ROOT / "kit")
    lesson = LESSONS[0]
    text = ("![tab](../docs/images/latent_explorer_match.png) ![row](../docs/results/avc-net-random.png) "
            "![beside](figure.png)")
    assert site.rewrite_links(text, lesson.path, lesson.page) == (
        "![tab](../images/latent_explorer_match.png) ![row](../results/avc-net-random.png) "
        "![beside](figure.png)")


def test_the_kit_names_a_lessons_code_uses_are_found_through_its_imports():
    code = ("%matplotlib inline\nimport kit\nfrom kit import audio, features as F\n"
            "from kit.models import FastAIVAE\n"
            "y = audio.listen(F.stft(x))\nmodel = FastAIVAE()\nprint(kit.config.describe())\nstft = 3")
    used = lesson_links.kit_names_used(code)
    assert {"kit.audio.listen", "kit.features.stft", "kit.models.FastAIVAE", "kit.config.describe"} <= used
    assert "kit.stft" not in used and not any(name.startswith("stft") for name in used)
    assert lesson_links.resolve("kit.models.FastAIVAE").__module__ == "kit.models.aivae"
    assert lesson_links.resolve("kit.features.no_such_function") is None


def test_the_answer_cell_sets_the_learners_function_as_a_solved_answer_cell_would():
    solved = build.answer_cell("13.fusion", "def my_fusion(a, b, c):\n    ...\n\n\nanswer = ...")["source"]
    assert "answer = my_fusion = book_reference('13.fusion')" in solved
    number = build.answer_cell("01.peak_dbfs", "answer = ...  # your code here")["source"]
    assert "answer = book_reference('01.peak_dbfs')" in number


def test_every_exercise_has_a_reference_answer_set_in_a_hidden_cell_before_its_check():
    assert set(ANSWERS) == set(CHECKS), "book/answers.py and kit/exercises disagree"
    lesson = LESSONS[0]
    staged, unanswered = build.stage_lesson(lesson, build.Site(LESSONS, ROOT / "kit"), "key")
    original = json.loads(lesson.path.read_text())["cells"]
    checks = [key for cell in original for key in build.CHECK_CELL.findall("".join(cell["source"]))]
    assert not unanswered and checks
    answered = []
    for cell, following in zip(staged["cells"], staged["cells"][1:], strict=False):
        if cell["metadata"].get("tags") == ["remove-cell"] and "reference(" in cell["source"]:
            key = re.search(r"reference\('([\w.]+)'\)", cell["source"])[1]
            assert cell["source"].endswith("del book_reference")  # no name of the lesson's is taken
            assert build.CHECK_CELL.findall("".join(following["source"])) == [key]
            answered.append(key)
    assert answered == checks
    shown = [cell for cell in staged["cells"] if not cell["id"].startswith("book-")]
    assert [c for c in shown if c["cell_type"] == "code"] == [c for c in original if c["cell_type"] == "code"]
    assert not any("reference(" in "".join(cell["source"]) for cell in original)


# --- a broken page fails the build ------------------------------------------------------------------


TINY_LESSON = {
    "cells": [
        {"cell_type": "markdown", "id": "title", "metadata": {},
         "source": "# Lesson 1 — Tiny\n\nA figure; the kit's code is in [kit/config.py](../kit/config.py)."},
        {"cell_type": "code", "id": "figure", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()"},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}
#: what breaks the tiny lesson: (its cell, what the build's report names)
DEFECTS = {
    "none": (None, ""),
    "a cell that raises": ({"cell_type": "code", "id": "broken", "metadata": {}, "execution_count": None,
                            "outputs": [], "source": "1 / 0"}, "ZeroDivisionError"),
    "a link to no page": ({"cell_type": "markdown", "id": "broken", "metadata": {},
                           "source": "See [lesson 99](99_no_such_lesson.ipynb)."}, "99_no_such_lesson"),
}


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_tiny_book_builds_and_any_broken_cell_or_link_fails_it(defect, tmp_path):
    lessons, kit = tmp_path / "lessons", tmp_path / "kit"
    lessons.mkdir()
    kit.mkdir()
    for module in ("__init__.py", "config.py"):  # a two-module kit: fast API pages
        shutil.copy(ROOT / "kit" / module, kit / module)
    notebook, (broken, named) = json.loads(json.dumps(TINY_LESSON)), DEFECTS[defect]
    if broken:
        notebook["cells"].append(broken)
    (lessons / "01_tiny.ipynb").write_text(json.dumps(notebook))
    env = {**os.environ, "KIT_QUICK": "1", "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "book.build", "--lessons", str(lessons), "--kit", str(kit),
               "--out", str(tmp_path / "site")]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    report = result.stdout[-4000:] + result.stderr[-4000:]
    page = tmp_path / "site" / "_build" / "html" / "lessons" / "01_tiny.html"
    if defect == "none":
        assert result.returncode == 0, report
        html = page.read_text()
        assert "Lesson 1 — Tiny" in html and "<img" in html and 'href="../api/kit.config.html"' in html
    else:
        assert result.returncode != 0, report
        assert named in report


# --- the built site -------------------------------------------------------------------------------


def built_pages(suffix: str) -> list[Path]:
    return sorted(SITE.rglob(f"*{suffix}")) if SITE.is_dir() else []


def test_nothing_in_the_built_site_is_fetched_from_the_network():
    if not (SITE / "index.html").exists():
        missing("the site")
    pages = built_pages(".html")
    assert len(pages) > len(LESSONS)
    for path in pages:
        html = path.read_text(errors="replace")
        html = re.sub(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>', "", html,
                      flags=re.DOTALL)  # inert data: no widget manager is loaded
        found = EXTERNAL_SOURCE.search(html)
        assert not found, f"{path.relative_to(SITE)}: {found and found[0]}"
    for path in built_pages(".css"):
        css = path.read_text(errors="replace")
        assert not EXTERNAL_CSS.search(css), f"{path.relative_to(SITE)} loads from the network"


def test_each_lesson_page_is_named_by_the_api_pages_of_the_kit_it_links_to():
    built = [lesson for lesson in LESSONS if (SITE / f"{lesson.page}.html").exists()]
    if not built:
        missing("the site")
    for lesson in built:
        html = (SITE / f"{lesson.page}.html").read_text()
        modules = set(re.findall(r'href="\.\./api/(kit[\w.]*)\.html', html))
        assert modules, f"{lesson.page}: no link to the kit's API"
        back = [name for name in modules
                if f'href="../{lesson.page}.html"' in (SITE / "api" / f"{name}.html").read_text()]
        assert back, f"none of {sorted(modules)} names {lesson.page}"


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").exists():
        missing("the site")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass


def visit(browser, url: str):
    """A page opened at ``url`` with every request recorded; any request off 127.0.0.1 is refused."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|blob:|about:)"), lambda route: route.abort())
    page.goto(url, wait_until="load")
    return page, requested


def plays_sound(lesson: build.Lesson) -> bool:
    code = "".join("".join(cell["source"]) for cell in json.loads(lesson.path.read_text())["cells"]
                   if cell["cell_type"] == "code")
    return bool(re.search(r"\blisten\(|\bAudio\(", code))


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.path.stem for lesson in LESSONS])
def test_a_lesson_page_has_its_title_figures_sounds_and_math_offline(lesson, site_url, browser):
    if not (SITE / f"{lesson.page}.html").exists():
        missing(f"the page of {lesson.path.name}")
    page, requested = visit(browser, f"{site_url}/{lesson.page}.html")
    try:
        assert lesson.title in page.locator("h1").first.inner_text()
        assert lesson.title.split(" — ")[-1] in page.title()
        assert page.locator(".cell_output img").count() >= 1
        page.wait_for_function("() => [...document.querySelectorAll('.cell_output img')]"
                               ".every(img => img.complete && img.naturalWidth > 0)")
        if plays_sound(lesson):
            assert page.locator(".cell_output audio").count() >= 1
            page.wait_for_function("() => [...document.querySelectorAll('.cell_output audio')]"
                                   ".every(a => a.readyState >= 1 && a.duration > 0)")  # loaded and decoded
        if page.locator(".math").count():
            page.wait_for_function("() => document.querySelectorAll('.MathJax, .MathJax_Display').length > 0")
            assert page.locator(".MathJax_Error, merror").count() == 0
    finally:
        page.close()
    assert [url for url in requested if not url.startswith((site_url, *ON_THE_PAGE))] == []


def test_the_landing_page_shows_the_apps_and_leads_to_every_built_lesson(site_url, browser):
    page, requested = visit(browser, f"{site_url}/index.html")
    try:
        page.wait_for_function("() => [...document.querySelectorAll('article img')]"
                               ".every(img => img.complete && img.naturalWidth > 0)")
        assert page.locator("article img").count() >= 4  # the apps' screenshots
        links = page.locator("article a").evaluate_all("(links) => links.map(a => a.getAttribute('href'))")
        for lesson in LESSONS:
            if (SITE / f"{lesson.page}.html").exists():
                assert f"{lesson.page}.html" in links
        assert "make test" in page.locator("article").inner_text()
    finally:
        page.close()
    assert [url for url in requested if not url.startswith((site_url, *ON_THE_PAGE))] == []
