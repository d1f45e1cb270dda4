"""Screenshots of the latent explorer's three tabs for the docs: docs/images/latent_explorer_*.png.

Launches the app in this process, drives each tab in headless Chromium
(/usr/bin/chromium, through Playwright) the way a learner would, and saves
one 1280-pixel-wide picture per tab.

Usage:  .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.explorer_app, the launcher the tests use

from tests.explorer_app import serving  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

IMAGES = ROOT / "docs" / "images"


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


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with serving(Path(tempfile.mkdtemp(prefix="gradio-shots-"))) as app, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for name, steps in (
            ("sliders", sliders),
            ("interpolation", interpolation),
            ("playground", playground),
        ):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(app.demo.local_url)
            steps(page)
            page.mouse.move(0, 0)  # no hover highlight
            page.wait_for_timeout(1500)  # let images and the progress bars settle
            path = IMAGES / f"latent_explorer_{name}.png"
            page.screenshot(path=path, full_page=True)
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
