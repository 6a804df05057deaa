"""What the dashboard draws, looked at the way a person does, at every size people use it and as exported.

Every page, tab and main variant (tests/rendered.py VIEWS) at 1440x900, on a 1920x1080 projector, and in
presentation mode at 1920x1080 and 1280x720, on a database with KPI results imported through the Excel
template: every chart's text inside its chart, no two labels on top of each other, heatmap figures inside
their cells, no metric cut off, no raw None/nan/NaT, no "Page not found" or exception. Then the same check
on the exports: each saved view's slide image drawn at its size, and the printed country brief.
"""
from __future__ import annotations

import re

import pytest

from tests.browser_support import (browser, chromium_missing, offline_context, start_app,  # noqa: F401
                                   wait_until_idle)
from tests.rendered import SIZES, VIEWS, defects, figure_defects, open_parts, results_folder, view_url, wait_for_charts

pytestmark = pytest.mark.browser
if chromium_missing():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def results_env(tmp_path_factory) -> dict[str, str]:
    """A data folder with KPI results and action statuses imported as the monitoring team does."""
    return results_folder(tmp_path_factory.mktemp("rendered"))


@pytest.fixture(scope="module")
def app_url(results_env, browser):
    """The app on that data folder."""
    import os
    env = {**os.environ, **results_env}
    proc, url = start_app(env)
    page = browser.new_page()
    page.goto(url)
    wait_until_idle(page, timeout_s=180)
    page.close()
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_is_drawn_right(app_url, browser, size, record_property):
    width, height, present = SIZES[size]
    context = offline_context(browser, width, height)
    page = context.new_page()
    found: list[str] = []
    charts = 0
    for name, path in VIEWS.items():
        page.goto(view_url(app_url, path, present))
        wait_until_idle(page)
        wait_for_charts(page)
        open_parts(page, name)
        charts += page.locator(".js-plotly-plot").count()
        found += [f"{name}: {d['kind']} in {d['chart']}: {d['text']} ({d['detail']})" for d in defects(page)]
    record_property("views", len(VIEWS))
    record_property("charts", charts)
    print(f"{size}: views checked {len(VIEWS)}, charts checked {charts}, defects {len(found)}")
    assert charts >= 25  # the views draw their charts (a page that drew none would pass the checks)
    assert found == [], "\n".join(found)
    assert context.blocked == []
    context.close()


def test_presentation_metric_values_are_larger_than_in_normal_mode(app_url, browser):
    sizes = {}
    for present in (False, True):
        context = offline_context(browser, 1280, 720)
        page = context.new_page()
        page.goto(view_url(app_url, "", present))
        wait_until_idle(page)
        wait_for_charts(page)
        sizes[present] = page.evaluate("""() => {
            const value = document.querySelector('[data-testid="stMetricValue"] p') ||
                          document.querySelector('[data-testid="stMetricValue"]');
            const body = document.querySelector('[data-testid="stMarkdownContainer"] p');
            return [parseFloat(getComputedStyle(value).fontSize), parseFloat(getComputedStyle(body).fontSize)];
        }""")
        context.close()
    (normal_value, _), (present_value, present_body) = sizes[False], sizes[True]
    assert present_value > normal_value and present_value > 2 * present_body, sizes


# --- the exports ------------------------------------------------------------------------------------

SAVED_VIEWS = [
    ("overview", ()),
    ("homicide", (("year", "2010"),)),
    ("homicide", (("map", "tiles"),)),
    ("homicide", (("tab", "trends"), ("trend", "JAM,TTO,BRB"))),
    ("threats", (("t_dim", "donor"), ("t_value", "funding_eur"))),
    ("threats", ()),
    ("threats", (("t_tab", "gaps"),)),
    ("projects", ()),
    ("projects", (("p_tab", "funders"),)),
    ("projects", (("p_tab", "when"),)),
    ("kpi_progress", ()),
    ("kpi_progress", (("k_view", "actions"),)),
]


def test_every_slide_image_is_drawn_right_at_its_size(results_env, browser, tmp_path, monkeypatch):
    """Each saved view's chart as the decision pack exports it (drawn at the slide image's size)."""
    import streamlit as st

    from core import pack
    monkeypatch.setenv("DASHBOARD_DB", results_env["DASHBOARD_DB"])
    st.cache_data.clear()
    found = []
    for i, (page, params) in enumerate(SAVED_VIEWS):
        snap = pack.SNAPSHOTS[page](dict(params))
        if snap.figure is None:
            continue
        fig = snap.figure
        titles = [a.text for a in fig.layout.annotations if a.name == "title"]
        assert titles and titles[0], f"{page} {params}: the exported image has no title"
        assert any(a.name == "stamp" and a.text.startswith("Source:") for a in fig.layout.annotations)
        found += [f"{page} {params}: {d['kind']} {d['text']} ({d['detail']})"
                  for d in figure_defects(browser, fig, int(fig.layout.width), int(fig.layout.height), tmp_path,
                                          name=f"slide{i}")]
    st.cache_data.clear()
    assert found == [], "\n".join(found)


def test_coverage_image_names_every_threat_and_country(results_env, monkeypatch):
    import streamlit as st

    from core import geo, pack, queries, threats
    from core.figures.common import plain
    monkeypatch.setenv("DASHBOARD_DB", results_env["DASHBOARD_DB"])
    st.cache_data.clear()
    fig = pack.SNAPSHOTS["threats"]({}).figure
    rows = [label.replace("<br>", " ") for label in fig.layout.yaxis.ticktext]
    assert len(rows) == 13 and all(name in " ".join(rows) for name in threats.threats()["name"])
    # All 16, whole (the short names the map and the ranking use too)
    assert list(fig.layout.xaxis.ticktext) == [plain(geo.short_name(r.iso3, r.name))
                                               for r in queries.countries().itertuples()]
    st.cache_data.clear()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_printed_brief_is_two_pages_drawn_right_and_flags_backwards_periods(app_url, results_env, browser):
    import duckdb
    with duckdb.connect(results_env["DASHBOARD_DB"], read_only=True) as con:
        iso3s = [r[0] for r in con.execute("SELECT iso3 FROM countries ORDER BY iso3").fetchall()]
    context = offline_context(browser, 1440, 900)
    page = context.new_page()
    pages = {}
    for iso3 in iso3s:
        page.goto(f"{app_url}/country_brief?b_country={iso3}")
        wait_until_idle(page)
        wait_for_charts(page)
        pages[iso3] = {paper: pdf_pages(page.pdf(format=paper, print_background=True)) for paper in ("A4", "Letter")}
    over = {iso3: counts for iso3, counts in pages.items() if max(counts.values()) > 2}
    assert over == {}, over
    # On paper (A4's printable width), the chart and text are drawn right too.
    page.set_viewport_size({"width": 718, "height": 1000})
    page.emulate_media(media="print")
    page.goto(f"{app_url}/country_brief?b_country=GRD")
    wait_until_idle(page)
    wait_for_charts(page)
    assert defects(page) == []
    # A period the document writes with its end before its start is printed as written, and flagged.
    assert "end before start in the document" in page.locator('[data-testid="stMain"]').inner_text()
    context.close()
