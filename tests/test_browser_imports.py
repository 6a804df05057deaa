"""An import of a newer edition reaches every view in the running app, and an undo from the command line
shows on the next rerun without a restart. Headless Chromium (Debian's), offline, genuine World Bank files:
the WDI editions of 2022-07-20 (Jamaica to 2020) and 2023-12-18 (to 2021, revised values)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, chromium_missing, sign_in, start_app, wait_until_idle

pytestmark = pytest.mark.browser
if chromium_missing():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
WDI = ROOT / "tests" / "fixtures" / "publishers" / "worldbank"
OLDER = WDI / "API_VC.IHR.PSRC.P5_DS2_en_csv_v2_4355130__LU2022-07-20.csv"
NEWER = WDI / "API_VC.IHR.PSRC.P5_DS2_en_csv_v2_6299884__LU2023-12-18.csv"
PASSWORD = "browser import passphrase"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app on a private database holding the older WDI edition, with an editor password set."""
    from core.auth import ENV_VAR, hash_password
    from loaders import importer
    from loaders.build import CURATED_DIR, build
    folder = tmp_path_factory.mktemp("imports_browser")
    db, imports = folder / "dashboard.duckdb", folder / "imports"
    build(CURATED_DIR, db, import_dirs=[])
    plan = importer.plan(OLDER.read_bytes(), OLDER.name, "homicide", imports, CURATED_DIR, db)
    importer.apply(plan, "setup", imports, CURATED_DIR, db)
    env = {**os.environ, "DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(imports),
           ENV_VAR: hash_password(PASSWORD, iterations=1000)}
    proc, url = start_app(env)
    yield {"url": url, "env": env, "imports": imports}
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def page(app):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        blocked: list[str] = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("data:", "blob:"))
                      or route.request.url.split("/")[2].split(":")[0] in LOCAL_HOSTS
                      else (blocked.append(route.request.url), route.abort()))
        tab = context.new_page()
        tab.blocked = blocked
        yield tab
        context.close()
        browser.close()


def text_of(page, selector: str) -> str:
    page.wait_for_selector(selector, timeout=60_000)
    return page.locator(selector).first.text_content()


def homicide_view(page) -> dict:
    """What the homicide page shows of the series: the slider's year, the map's and ranking's Jamaica, the
    profile, the source under the map."""
    wait_until_idle(page)
    page.wait_for_selector(".st-key-map_chart .js-plotly-plot", timeout=60_000)
    page.wait_for_selector(".st-key-rank_chart .js-plotly-plot", timeout=60_000)
    body = page.locator("body").inner_text()
    return {"year": page.get_by_role("slider").first.get_attribute("aria-valuetext"),
            "map": text_of(page, ".st-key-map_chart"), "ranking": text_of(page, ".st-key-rank_chart"), "body": body}


def showing(page, *texts: str) -> None:
    """Wait until the page shows every text (a run may still be drawing when the status widget is idle)."""
    wait_until_idle(page)
    page.wait_for_function("texts => texts.every(t => document.body.innerText.includes(t))", arg=list(texts),
                           timeout=60_000)


def overview_cards(page) -> str:
    showing(page, "Latin America & Caribbean, ")
    return page.locator("body").inner_text()


def test_a_newer_edition_reaches_every_view_and_a_cli_undo_shows_on_the_next_rerun(app, page):
    url = app["url"]
    # Before: the 2022-07-20 edition (Jamaica's last value 2020: 44.9; World and LAC last given together for 2015).
    page.goto(f"{url}/homicide?series=wdi")
    showing(page, "Latest rate (2020)")
    before = homicide_view(page)
    assert before["year"] == "2020" and "44.9" in before["ranking"] and "Latest rate (2020)" in before["body"]

    # Apply the 2023-12-18 edition as an editor does: upload, preview, apply.
    sign_in(page, url, PASSWORD)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(NEWER))
    page.wait_for_selector("text=Valid.", timeout=90_000)
    assert "Series: World Bank WDI homicide rate (UNODC data). Edition: 2023-12-18." in page.locator("body").inner_text()
    page.get_by_role("button", name="Apply this import").click()
    page.wait_for_selector("text=Applied as", timeout=90_000)

    # The map, ranking, profile and Year slider show it, with its source.
    page.goto(f"{url}/homicide?series=wdi")
    showing(page, "Latest rate (2021)", "Latest value from: World Bank, 2023-12-18")
    after = homicide_view(page)
    assert after["year"] == "2021"
    assert "52.1" in after["map"] and "52.1" in after["ranking"]  # Jamaica 2021: 52.1272718817397
    assert "Latest rate (2021)" in after["body"] and "Latest value from: World Bank, 2023-12-18" in after["body"]
    assert "Source: World Development Indicators" in after["body"] and "(World Bank)" in after["body"]
    # ... and the Overview card, from the same series' own World and LAC figures (2020 in this edition).
    page.goto(f"{url}/?series=wdi")
    showing(page, "Latin America & Caribbean, 2020", "World, 2020")
    cards = overview_cards(page)
    assert "Latin America & Caribbean, 2020" in cards and "World, 2020" in cards and "20.1" in cards
    assert "World Bank" in cards

    # Undo from the command line; the same session's next rerun shows the previous edition, without a restart.
    page.goto(f"{url}/homicide?series=wdi")
    showing(page, "Latest rate (2021)")
    newest = [line.split(",")[0] for line in (app["imports"] / "log.csv").read_text().splitlines()[1:]][-1]
    undone = subprocess.run([sys.executable, "-m", "loaders.importer", "undo", newest, "--who", "cli"], cwd=ROOT,
                            env=app["env"], capture_output=True, text=True, timeout=180)
    assert undone.returncode == 0, undone.stderr
    page.get_by_text("Equal tiles").click()  # any widget: a rerun of this session
    showing(page, "Latest rate (2020)", "Latest value from: World Bank, 2022-07-20")
    again = homicide_view(page)
    assert again["year"] == "2020" and "44.9" in again["ranking"]
    assert "Latest value from: World Bank, 2022-07-20" in again["body"]
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.blocked == []
