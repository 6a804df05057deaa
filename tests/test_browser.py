"""The running app in headless Chromium (Debian's chromium via Playwright), fully offline.

Every request to anything but the app's own address is blocked and recorded; the test fails
if any was attempted. Runs by default; skipped only outside CI when chromium is not installed.
"""
from __future__ import annotations

import os

import pytest

from tests.browser_support import (browser, chromium_missing, offline_context, sign_in,  # noqa: F401
                                   start_app, wait_until_idle, warm_up)

pytestmark = pytest.mark.browser
if chromium_missing():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def app_url(browser):
    # The real data folder, as on a fresh clone: the app builds the database on first start.
    proc, url = start_app({k: v for k, v in os.environ.items() if k not in ("DASHBOARD_DB", "DASHBOARD_IMPORTS")})
    warm_up(url, browser)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def offline_page(browser):
    """A page whose every non-local request is aborted and remembered."""
    context = offline_context(browser)
    page = context.new_page()
    page.blocked = context.blocked
    yield page
    context.close()


@pytest.mark.parametrize("path", ["", "homicide", "threats", "projects", "kpi_progress", "country_brief",
                                  "decision_pack", "about_data", "data_management"])
def test_each_page_loads_with_heading_and_no_exception(app_url, offline_page, path):
    offline_page.goto(f"{app_url}/{path}")
    wait_until_idle(offline_page)
    offline_page.wait_for_timeout(500)
    assert offline_page.locator('[data-testid="stException"]').count() == 0
    assert offline_page.get_by_text("could not be shown completely").count() == 0  # core/errors.py's message
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
    upload.write_text("Entity,Code,Year,\"Homicide rate per 100,000 population\"\nJamaica,JAM,2040,41.5\n"
                      "France,FRA,2040,1.0\n", encoding="utf-8")
    page = offline_page
    sign_in(page, editor_app["url"], "browser test passphrase")
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


def test_share_link_and_pack_follow_a_part_that_reruns_alone(app_url, offline_page):
    """The Year slider reruns only its part of the page (st.fragment): the open share link and the saved view
    still carry the year it has just written into the URL."""
    page = offline_page
    page.goto(f"{app_url}/homicide")
    wait_until_idle(page)
    page.get_by_text("Copy link to this view").click()
    page.locator('[data-testid="stCode"]').wait_for(timeout=60_000)
    page.get_by_role("slider").first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URLSearchParams(location.search).get('year') === '2020'", timeout=60_000)
    page.wait_for_function("() => (document.querySelector('[data-testid=\"stCode\"]') || {}).innerText"
                           "?.trim().endsWith('/homicide?year=2020')", timeout=60_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Add this view to the decision pack").click()
    page.get_by_text("Saved: 1 view(s) in the pack.").wait_for(timeout=60_000)
    page.get_by_role("link", name="Decision pack").click()
    page.wait_for_selector("h1:has-text('Decision pack')", timeout=60_000)
    wait_until_idle(page)
    assert page.get_by_text("2020").count() >= 1, page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.blocked == []


CELL_CENTRE_JS = """([threat, column]) => {
  const gd = document.querySelector('.st-key-coverage_chart .js-plotly-plot');
  const trace = gd && gd._fullData.find(t => t.name === 'cells');
  if (!trace) return null;
  const i = trace.customdata.findIndex(c => c[0] === threat && c[1] === column);
  if (i < 0) return null;
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.d2p(trace.x[i]), y: box.top + ya._offset + ya.d2p(trace.y[i])};
}"""


def test_a_clicked_coverage_cell_opens_the_projects_behind_it(app_url, offline_page):
    """The coverage part reruns alone for its filters, but a click on a cell also picks the threat for the
    panels above it: the whole page follows."""
    page = offline_page
    page.goto(f"{app_url}/threats")
    wait_until_idle(page)
    page.wait_for_function(f"() => ({CELL_CENTRE_JS})(['human_trafficking', 'HTI'])", timeout=60_000)
    page.locator(".st-key-coverage_chart").scroll_into_view_if_needed()
    centre = page.evaluate(f"() => ({CELL_CENTRE_JS})(['human_trafficking', 'HTI'])")
    page.mouse.click(centre["x"], centre["y"])
    page.wait_for_function("() => new URLSearchParams(location.search).get('t_cell') === 'HTI'", timeout=60_000)
    wait_until_idle(page)
    params = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    assert params["t_threat"] == "human_trafficking" and params["t_tab"] == "behind", params
    page.get_by_text("Projects behind a cell").first.wait_for(timeout=60_000)
    threat_box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first
    assert "Human Trafficking" in threat_box.input_value(), threat_box.input_value()  # the panel above followed
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.blocked == []


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


# --- hardening: hostile text, tracebacks, the first start -----------------------------------------

HOSTILE_LINK, HOSTILE_BOLD = 'gender: <a href="/x">click</a>', "gender: <b>bold</b>"  # short: labels are cut to fit


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """A server on a database holding a KPI result whose breakdown is markup, imported as an editor would."""
    from loaders import importer
    from loaders.build import CURATED_DIR, build
    from tests.test_importer import kpi_xlsx
    folder = tmp_path_factory.mktemp("hostile")
    db, imports = folder / "dashboard.duckdb", folder / "imports"
    build(CURATED_DIR, db, import_dirs=[])
    data = kpi_xlsx(db, [["KPI1", "2025", None, "total", 10, 20, None],
                         ["KPI1", "2025", None, HOSTILE_LINK, 4, None, None],
                         ["KPI1", "2025", None, HOSTILE_BOLD, 6, None, None]], [])
    importer.apply(importer.plan(data, "kpi.xlsx", "kpi", imports, CURATED_DIR, db), "test", imports, CURATED_DIR, db)
    proc, url = start_app({**os.environ, "DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(imports)})
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_markup_in_a_kpi_breakdown_is_drawn_as_text(hostile_app, offline_page):
    """Finding 3: the breakdown used to be drawn as a live link for every viewer."""
    page = offline_page
    page.goto(f"{hostile_app}/kpi_progress")
    wait_until_idle(page)
    page.get_by_text("Breakdowns, 2025").first.click()
    plot = page.locator(".st-key-k_break_KPI1 .js-plotly-plot")
    plot.wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelector('.st-key-k_break_KPI1 .js-plotly-plot')"
                           ".textContent.includes('click')", timeout=60_000)
    shown = plot.text_content()
    assert '<a href="/x">click</a>' in shown and "<b>bold</b>" in shown, shown  # the tags, as text
    assert plot.locator("svg a").count() == 0
    assert plot.locator("svg text b, svg tspan[style*='bold']").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.blocked == []


def test_a_markdown_file_name_is_shown_literally(editor_app, offline_page):
    """Finding 3: an upload's name used to be rendered as Markdown (the browser fetched the image)."""
    name = "[x](javascript:alert(1)) ![i](x) **b**.csv"  # as tried in the attack (a file name holds no '/')
    page = offline_page
    sign_in(page, editor_app["url"], "browser test passphrase")
    data = "Entity,Code,Year,\"Homicide rate per 100,000 population\"\nJamaica,JAM,2045,41.5\n".encode()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    success = page.locator('[data-testid="stAlertContentSuccess"]').first
    success.wait_for(timeout=60_000)
    assert success.inner_text().startswith(name + ": owid format"), success.inner_text()
    assert success.locator("a, img, strong").count() == 0


def test_a_broken_database_shows_a_short_message_and_no_traceback(browser, tmp_path):
    """Finding 5: every traceback used to appear in full, with server paths."""
    broken = tmp_path / "dashboard.duckdb"
    broken.write_bytes(b"this is not a database" * 100)
    proc, url = start_app({**os.environ, "DASHBOARD_DB": str(broken)})
    page = browser.new_page()
    try:
        page.goto(f"{url}/homicide")
        page.wait_for_selector("text=could not be shown completely", timeout=90_000)
        text = page.locator("body").inner_text()
        assert "Traceback" not in text and "site-packages" not in text and str(tmp_path) not in text
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
        proc.terminate()
        out = proc.communicate(timeout=20)[0]
    assert "error on page homicide (reference" in out and "Traceback" in out  # the details: in the server log


def test_first_start_on_a_fresh_copy_with_five_visitors_builds_once(browser, tmp_path):
    """Finding 2: on a fresh clone several first visitors used to crash each other's build."""
    from tests.fresh import clean_env, fresh_copy
    app = fresh_copy(tmp_path / "app")
    assert not (app / "data" / "dashboard.duckdb").exists()
    log = (tmp_path / "server.log").open("w")
    proc, url = start_app(clean_env(), cwd=app, log=log)
    contexts = []
    try:
        pages = []
        for path in ("", "homicide", "projects", "threats", "kpi_progress"):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            contexts.append(context)
            page = context.new_page()
            page.goto(f"{url}/{path}", wait_until="commit")  # all five start before any has finished
            pages.append(page)
        for page in pages:
            wait_until_idle(page, timeout_s=240)
            page.wait_for_timeout(500)
        exceptions = sum(p.locator('[data-testid="stException"]').count() for p in pages)
        errors = sum(p.get_by_text("could not be shown completely").count() for p in pages)
    finally:
        for context in contexts:
            context.close()
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    server_log = (tmp_path / "server.log").read_text()
    builds = server_log.count("dashboard.build: built ")
    print(f"\nfresh copy, 5 pages at once: {exceptions} exceptions, {errors} page errors, {builds} build(s)")
    assert (exceptions, errors, builds) == (0, 0, 1), server_log[-3000:]
    assert (app / "data" / "dashboard.duckdb").exists()
    assert not list((app / "data").glob(".dashboard.duckdb.*")), "a temporary build file was left behind"


def test_tables_offer_no_built_in_csv_download(app_url, offline_page):
    """Finding 3: the table toolbar's "Download as CSV", open to every viewer, exported cells raw."""
    page = offline_page
    page.goto(f"{app_url}/projects")
    wait_until_idle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=60_000)
    table.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(timeout=30_000)
    labels = [b.get_attribute("aria-label") or b.inner_text() for b in toolbar.locator("button").all()]
    assert any("Search" in label or "Fullscreen" in label for label in labels), labels  # the toolbar is there
    assert not any("Download" in label for label in labels), labels
