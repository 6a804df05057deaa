"""The running app in headless Chromium (Debian's chromium via Playwright), fully offline.

Every request to anything but the app's own address is blocked and recorded; the test fails
if any was attempted. Runs by default; skipped only outside CI when chromium is not installed.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

pytestmark = pytest.mark.browser
if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` on a free loopback port; returns once it answers its health check."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail("streamlit did not start: " + (proc.stdout.read() if proc.stdout else ""))


def warm_up(url: str, browser) -> None:
    """One full load before the tests time anything: on a fresh clone it builds the database."""
    page = browser.new_page()
    try:
        page.goto(url)
        wait_until_idle(page, timeout_s=180)
    finally:
        page.close()


@pytest.fixture(scope="module")
def app_url(browser):
    # The real data folder, as on a fresh clone: the app builds the database on first start.
    proc, url = start_app({k: v for k, v in os.environ.items() if k not in ("DASHBOARD_DB", "DASHBOARD_IMPORTS")})
    warm_up(url, browser)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def offline_page(browser):
    """A page whose every non-local request is aborted and remembered."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    blocked: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.blocked = blocked
    yield page
    context.close()


def wait_until_idle(page, timeout_s: float = 90) -> None:
    """Wait for the heading, then for Streamlit to finish running the script."""
    page.wait_for_selector('[data-testid="stHeading"]', timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_s * 1000)


@pytest.mark.parametrize("path", ["", "homicide", "threats", "projects", "kpi_progress", "country_brief",
                                  "decision_pack", "about_data", "data_management"])
def test_each_page_loads_with_heading_and_no_exception(app_url, offline_page, path):
    offline_page.goto(f"{app_url}/{path}")
    wait_until_idle(offline_page)
    offline_page.wait_for_timeout(500)
    assert offline_page.locator('[data-testid="stException"]').count() == 0
    assert offline_page.locator('[data-testid="stSidebarNav"]').count() == 1
    assert offline_page.blocked == []


def test_homicide_map_draws_all_16_countries_offline(app_url, offline_page):
    offline_page.goto(f"{app_url}/homicide?year=2015")
    wait_until_idle(offline_page)
    # The map by its element key (Streamlit gives keyed elements a st-key-<key> class), not by position.
    plot = offline_page.locator(".st-key-map_chart .js-plotly-plot")
    plot.wait_for(timeout=60_000)
    offline_page.wait_for_function(
        "() => document.querySelector('.st-key-map_chart .js-plotly-plot') &&"
        " document.querySelector('.st-key-map_chart .js-plotly-plot').querySelectorAll('path.point').length >= 16",
        timeout=60_000)
    # One clickable symbol per country (16) on the map, the 9 small states again in the list beside it (with
    # their names and values), and a filled outline per country plus the grey context.
    assert plot.locator("g.trace.scatter path.point").count() == 16 + 9
    assert plot.locator("g.textpoint text").count() == 16  # 7 labels on the map, 9 in the list
    assert plot.locator("path.js-fill").count() >= 17
    labels = " ".join(plot.locator("g.textpoint text").all_text_contents())
    for name in ("Montserrat", "Barbados", "Grenada", "St Kitts & Nevis", "Antigua & Barbuda", "Dominica",
                 "Saint Lucia", "St Vincent & Gren."):
        assert name in labels
    assert offline_page.locator('[data-testid="stException"]').count() == 0
    assert offline_page.blocked == [], offline_page.blocked


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory):
    """A second server on a private database and imports folder, with an editor password set."""
    from core.auth import ENV_VAR, hash_password
    from loaders.build import CURATED_DIR, build
    folder = tmp_path_factory.mktemp("editor")
    db = folder / "dashboard.duckdb"
    build(CURATED_DIR, db, import_dirs=[])
    env = {**os.environ, "DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(folder / "imports"),
           ENV_VAR: hash_password("browser test passphrase", iterations=1000)}
    proc, url = start_app(env)
    yield {"url": url, "db": db, "imports": folder / "imports"}
    proc.terminate()
    proc.wait(timeout=20)


def test_editor_uploads_previews_and_applies_an_import(editor_app, offline_page, tmp_path):
    import duckdb
    upload = tmp_path / "homicide-rate-unodc.csv"
    upload.write_text("Entity,Code,Year,Homicide rate per 100,000 population\nJamaica,JAM,2040,41.5\n"
                      "France,FRA,2040,1.0\n", encoding="utf-8")
    page = offline_page
    page.goto(f"{editor_app['url']}/data_management")
    wait_until_idle(page)
    page.get_by_label("Your name (recorded in the import log)").fill("Browser Test")
    page.get_by_label("Editor password").fill("browser test passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Signed in as Browser Test", timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(upload))
    page.wait_for_selector("text=Valid.", timeout=60_000)
    page.get_by_role("button", name="Apply this import").click()
    page.wait_for_selector("text=Applied as", timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    with duckdb.connect(str(editor_app["db"]), read_only=True) as con:
        assert con.execute("SELECT rate_per_100k FROM homicide_rates WHERE iso3 = 'JAM' AND year = 2040").fetchall() == [(41.5,)]
    assert (editor_app["imports"] / "log.csv").read_text(encoding="utf-8").count("Browser Test") == 1
    assert page.blocked == []


def ranking_labels(page) -> list[str]:
    bars = page.locator(".st-key-rank_chart .js-plotly-plot")
    return bars.locator("g.trace.bars text").all_text_contents()


def test_copied_link_opens_the_same_view(app_url, offline_page, browser):
    page = offline_page
    page.goto(f"{app_url}/homicide")
    wait_until_idle(page)
    page.get_by_role("slider").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URLSearchParams(location.search).get('year') === '2018'", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_function("() => document.querySelector('.st-key-rank_chart .js-plotly-plot')"
                           " && document.querySelector('.st-key-rank_chart').textContent.includes('Ranking, 2018')",
                           timeout=60_000)
    before = ranking_labels(page)
    page.get_by_text("Copy link to this view").click()
    link = page.locator('[data-testid="stCode"]').inner_text().strip()
    assert link.endswith("/homicide?year=2018"), link

    fresh = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    fresh.goto(link)
    wait_until_idle(fresh)
    fresh.wait_for_function("() => document.querySelector('.st-key-rank_chart .js-plotly-plot')"
                            " && document.querySelector('.st-key-rank_chart').textContent.includes('Ranking, 2018')",
                            timeout=60_000)
    assert fresh.get_by_role("slider").first.get_attribute("aria-valuetext") == "2018"
    assert ranking_labels(fresh) == before and len(before) == 16
    fresh.context.close()


def test_presentation_mode_hides_sidebar_and_steps_to_the_next_view(app_url, offline_page):
    page = offline_page
    page.goto(f"{app_url}/homicide?present=1&seq=homicide,threats")
    wait_until_idle(page)
    page.get_by_role("button", name="Next ▶").wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=60_000)
    assert page.locator("h1").first.inner_text() == "Homicide rates"
    page.get_by_role("button", name="Next ▶").click()
    page.wait_for_function("() => location.pathname.endsWith('/threats')", timeout=60_000)
    wait_until_idle(page)
    page.wait_for_selector("h1:has-text('Threat tiers')", timeout=60_000)
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=60_000)
    assert page.get_by_role("button", name="Next ▶").is_disabled()  # last view of the sequence
    page.get_by_role("button", name="Exit").click()
    page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.blocked == []
