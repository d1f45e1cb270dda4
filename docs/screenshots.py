"""Screenshots for the docs: the apps (docs/images/latent_explorer_*.png, compare_models.png) and a
lesson page of the course's website (docs/images/book_lesson.png).

Launches the latent explorer in this process and drives each tab in headless
Chromium (/usr/bin/chromium, through Playwright) the way a learner would,
saving one 1280-pixel-wide picture per tab; then starts the comparison page
(Streamlit) on a folder that links four of the reproduction's runs from
``runs/`` (``COMPARED``; run ``python -m kit reproduce`` first to make them); then opens lesson 1
of the website built by ``make book`` (:data:`BOOK_PAGE`) from a local server.

Usage:  .venv/bin/python docs/screenshots.py [explorer | TAB ...] [compare] [book]
(TAB: one of the explorer's tabs in ``TABS``; ``explorer`` is all of them.)
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.explorer_app, the launcher the tests use

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.explorer_app import serving  # noqa: E402

IMAGES = ROOT / "docs" / "images"
#: The website's page shown in the README, and the section it opens at (a figure and a sound).
BOOK_PAGE = ("lessons/01_sound_as_numbers.html", "the-whole-course-in-one-picture")
#: Runs of ``python -m kit reproduce`` shown on the comparison page's screenshot (folder names under runs/).
COMPARED = (
    "aivae-mnist-fsdd-random-many-to-one_epochs=9_target=0.942_track=True",
    "aivae-mnist-fsdd-random-many-to-one_hd66e6ccce4",
    "fast-aivae-mnist-fsdd-random-resampled_epochs=60",
    "mfcc-vae-mnist-fsdd-random-resampled_epochs=60",
)


def sliders(page: Page) -> None:
    """The AIVAE's sliders after "Randomise" with seed 1."""
    page.locator("#model input").click()
    page.get_by_role("option", name="fast-aivae").click()
    page.locator("#slider-8").wait_for()
    page.locator("#seed input").fill("1")
    page.get_by_role("button", name="Randomise").click()


def interpolation(page: Page) -> None:
    """Both strips: a 3 turning into an 8 (conv VAE) and spoken "one" into "seven" (AIVAE)."""
    page.get_by_role("tab", name="Interpolation").click()
    page.get_by_role("button", name="Interpolate digits").click()
    page.locator("#digits-strip img").nth(7).wait_for()
    page.locator("#clip-pairs tbody tr").first.click()
    page.get_by_role("button", name="Interpolate clips").click()
    page.locator("#clips-strip img").nth(7).wait_for()


def playground(page: Page) -> None:
    """A bundled clip of "seven" drawn."""
    page.get_by_role("tab", name="Audio to image playground").click()
    page.locator("#playground-examples button", has_text="7_seven").first.click()
    page.locator("#playground-digit img").wait_for()


def match(page: Page) -> None:
    """A bundled clip of "seven" finds nine handwritten digits; an MNIST 4 finds three clips."""
    page.get_by_role("tab", name="Find the match").click()
    page.locator("#match-examples button", has_text="7_seven").first.click()
    page.wait_for_function("() => document.querySelectorAll('#match-digits img').length === 9")
    page.get_by_role("button", name="Find clips for this digit").click()
    page.locator("#match-heard-1 audio[src]").wait_for(state="attached")


def voice(page: Page) -> None:
    """A seven drawn with the mouse on the sketchpad, then "Say it"."""
    from tests.test_browser import draw_strokes

    page.get_by_role("tab", name="From a drawing to a voice").click()
    draw_strokes(page, "voice-sketch", [[(0.25, 0.25), (0.75, 0.25), (0.45, 0.85)]])
    page.locator("#voice-say").click()
    page.locator("#voice-audio audio[src]").wait_for(state="attached")
    page.locator("#voice-spectrogram img").wait_for()


#: The latent explorer's screenshots: docs/images/latent_explorer_NAME.png made by the steps.
TABS = {"sliders": sliders, "interpolation": interpolation, "playground": playground, "match": match,
        "voice": voice}


def explorer_tabs(names) -> None:
    with serving(Path(tempfile.mkdtemp(prefix="gradio-shots-"))) as app, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for name in names:
            steps = TABS[name]
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(app.demo.local_url)
            steps(page)
            page.mouse.move(0, 0)  # no hover highlight
            page.wait_for_timeout(1500)  # let images and the progress bars settle
            save(page, IMAGES / f"latent_explorer_{name}.png")
            page.close()
        browser.close()


def compare_page() -> None:
    """The comparison page on the runs in :data:`COMPARED` (the zoo's models are listed below them)."""
    with tempfile.TemporaryDirectory(prefix="compare-shots-") as folder:
        runs = Path(folder) / "runs"
        runs.mkdir()
        for name in COMPARED:
            if not (ROOT / "runs" / name).is_dir():
                raise SystemExit(f"runs/{name} is missing: make it with python -m kit reproduce")
            (runs / name).symlink_to(ROOT / "runs" / name)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "apps" / "compare_models.py"),
                   "--server.headless", "true", "--server.port", str(port),
                   "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
        server = subprocess.Popen(command, cwd=folder, env={**os.environ, "KIT_RUNS_DIR": str(runs)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                     args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1900, "height": 1720})  # Streamlit scrolls inside
                page.set_default_timeout(60_000)
                for _ in range(60):  # the server takes a few seconds to start
                    try:
                        page.goto(f"http://127.0.0.1:{port}")
                        break
                    except Exception:
                        time.sleep(1)
                page.get_by_text("Generated digits").wait_for()
                page.wait_for_timeout(4000)  # let the plots and sample grids arrive
                save(page, IMAGES / "compare_models.png")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        pass


def book_page() -> None:
    """Lesson 1 on the website (book/_build/html), at its first figure and sound, from a local server."""
    site = ROOT / "book" / "_build" / "html"
    if not (site / BOOK_PAGE[0]).exists():
        raise SystemExit(f"{site / BOOK_PAGE[0]} is missing: build the site with make book")
    handler = functools.partial(QuietHandler, directory=str(site))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server, sync_playwright() as playwright:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/{BOOK_PAGE[0]}#{BOOK_PAGE[1]}")
        page.wait_for_function("() => document.querySelectorAll('.MathJax').length > 0")  # typeset
        page.mouse.wheel(0, 240)  # the section's code, its figure and the player of its sound
        page.wait_for_timeout(1000)
        page.screenshot(path=IMAGES / "book_lesson.png")
        print(f"docs/images/book_lesson.png: {(IMAGES / 'book_lesson.png').stat().st_size // 1024} KB")
        browser.close()
        server.shutdown()


def save(page: Page, path: Path) -> None:
    page.screenshot(path=path, full_page=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    wanted = sys.argv[1:] or ["explorer", "compare", "book"]
    unknown = set(wanted) - {"explorer", "compare", "book", *TABS}
    if unknown:
        choices = ", ".join(["explorer", "compare", "book", *TABS])
        raise SystemExit(f"unknown screenshot {', '.join(sorted(unknown))}: choose from {choices}")
    tabs = list(TABS) if "explorer" in wanted else [name for name in TABS if name in wanted]
    if tabs:
        explorer_tabs(tabs)
    if "compare" in wanted:
        compare_page()
    if "book" in wanted:
        book_page()


if __name__ == "__main__":
    main()
