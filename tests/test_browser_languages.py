"""Every page in Spanish and in French in headless Chromium (Debian's chromium via Playwright), offline: no
exception, the title and the navigation in the language, <html lang> set, and the language kept by the
sidebar's navigation, by the share link and by presentation mode."""
from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

from core.strings import language, t
from tests.browser_support import (browser, LOCAL_HOSTS, chromium_missing, start_app,  # noqa: F401
                                   wait_until_idle)

pytestmark = pytest.mark.browser
if chromium_missing():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

# url path -> the key of its title (the country brief's names the country: its prefix is checked)
PAGES = {"": "overview.title", "homicide": "homicide.title", "threats": "threats.title", "projects": "projects.title",
         "kpi_progress": "kpi.title", "country_brief": "brief.title", "decision_pack": "pack.title",
         "about_data": "about.title", "data_management": "data.title"}


def title(lang: str, key: str) -> str:
    with language(lang):
        return t(key, name="Jamaica") if key == "brief.title" else t(key)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from loaders.build import CURATED_DIR, build
    db = tmp_path_factory.mktemp("languages") / "dashboard.duckdb"
    build(CURATED_DIR, db, import_dirs=[])
    proc, url = start_app({**os.environ, "DASHBOARD_DB": str(db)})
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    blocked: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.blocked = blocked
    yield tab
    context.close()


def heading(page) -> str:
    page.wait_for_selector("h1", timeout=90_000)
    return page.locator("h1").first.inner_text().strip()


def nav_titles(lang: str) -> dict[str, str]:
    return {path: title(lang, "nav.page_" + (path or "overview")) for path in PAGES}


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_every_page_loads_in_the_language(app_url, page, lang):
    """Opened with ?lang=, then every page through the sidebar's navigation (the language stays with it)."""
    page.goto(f"{app_url}/?lang={lang}")
    wait_until_idle(page)
    page.wait_for_function("l => document.documentElement.lang === l", arg=lang, timeout=60_000)
    for path, key in PAGES.items():
        page.locator('[data-testid="stSidebarNav"] a', has_text=nav_titles(lang)[path]).click()
        expected = title(lang, key)
        page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
                               arg=expected, timeout=90_000)
        wait_until_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        page.wait_for_function("l => new URLSearchParams(location.search).get('lang') === l", arg=lang,
                               timeout=30_000)
        assert urlparse(page.url).path.rstrip("/").endswith(path), (path, page.url)
    assert page.locator('[data-testid="stSidebarNav"]').inner_text().count(nav_titles(lang)["about_data"]) == 1
    assert page.blocked == []


def test_the_language_is_kept_by_the_share_link_and_presentation_mode(app_url, page):
    page.goto(f"{app_url}/homicide?lang=fr&present=1&seq=homicide,threats")
    wait_until_idle(page)
    assert heading(page) == title("fr", "homicide.title")
    page.get_by_role("button", name=title("fr", "present.next")).click()
    page.wait_for_function("() => location.pathname.endsWith('/threats') && location.search.includes('lang=fr')",
                           timeout=60_000)
    page.wait_for_selector(f"h1:has-text(\"{title('fr', 'threats.title')}\")", timeout=60_000)
    # The share link carries the language; the sidebar's choice takes the page back to English.
    page.goto(f"{app_url}/homicide?lang=es&year=2015")
    wait_until_idle(page)
    page.get_by_text(title("es", "ui.copy_link")).click()
    page.wait_for_selector('[data-testid="stCode"]', timeout=60_000)
    link = page.locator('[data-testid="stCode"]').inner_text().strip()
    assert "lang=es" in link and "year=2015" in link, link
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]', has_text="Language").click()
    page.get_by_role("option", name="English").click()
    page.wait_for_selector(f"h1:has-text(\"{title('en', 'homicide.title')}\")", timeout=60_000)
    page.wait_for_function("() => !location.search.includes('lang=') && document.documentElement.lang === 'en'",
                           timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.blocked == []
