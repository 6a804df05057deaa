"""Presentation mode answers a presenter's clicker and the keyboard: Right, PageDown and Space go to the next
view, Left and PageUp to the previous one, Escape leaves presentation mode. Headless Chromium, offline."""
from __future__ import annotations

import os

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, chromium_missing, start_app, wait_until_idle

pytestmark = pytest.mark.browser
if chromium_missing():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

SEQUENCE = ("homicide", "threats", "projects")
TITLES = {"homicide": "Homicide rates", "threats": "Threat tiers", "projects": "Donor projects"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from loaders.build import CURATED_DIR, build
    db = tmp_path_factory.mktemp("keys") / "dashboard.duckdb"
    build(CURATED_DIR, db, import_dirs=[])
    proc, url = start_app({**os.environ, "DASHBOARD_DB": str(db)})
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def on_view(page, name: str) -> None:
    page.wait_for_function(f"() => location.pathname.endsWith('/{name}')", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_selector(f"h1:has-text('{TITLES[name]}')", timeout=60_000)


def test_each_key_steps_through_the_sequence(app):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{app}/homicide?present=1&seq={','.join(SEQUENCE)}")
        on_view(page, "homicide")
        page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=60_000)
        seen = []
        for key, expected in (("PageDown", "threats"), ("ArrowRight", "projects"), ("ArrowLeft", "threats"),
                              ("PageUp", "homicide"), ("Space", "threats")):
            page.locator("h1").first.click()  # the page has the focus, as after a click on the slide
            page.keyboard.press(key)
            on_view(page, expected)
            seen.append((key, expected))
            assert "present=1" in page.url, key  # still presenting, with the sequence
        page.keyboard.press("ArrowRight")
        on_view(page, "projects")
        page.keyboard.press("ArrowRight")  # the last view: nothing further
        page.wait_for_timeout(1500)
        assert page.url.split("?")[0].endswith("/projects")
        page.keyboard.press("Escape")
        page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert len(seen) == 5
        browser.close()


def test_keys_typed_into_a_field_do_not_step(app):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{app}/projects?present=1&seq=homicide,projects")
        on_view(page, "projects")
        field = page.get_by_label("Search name and description")
        field.click()
        field.type("police ")  # a space typed into the search box stays in the box
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(1500)
        assert page.url.split("?")[0].endswith("/projects")
        browser.close()
