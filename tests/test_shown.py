"""What people read is right: one way to write each kind of figure, tables without raw values, controls
that do what they say, slides that are the saved view, one reader of partners. (The drawing itself at
every size is tests/test_rendered.py.)"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from core import format as fmt
from core import pack, partners, projects, queries, tables, threats
from core.export import to_csv_bytes
from core.figures import homicide as homicide_charts
from core.figures import threats as threat_charts
from core.figures import text as measure
from core.figures.common import Canvas
from tests.rendered import results_folder

ROOT = Path(__file__).resolve().parents[1]
SOURCE = queries.PRIMARY_HOMICIDE_SOURCE


def open_page(page: str, params: dict | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decoded(value):
    """Plotly sends numbers as typed arrays ({"dtype", "bdata"}): back to lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def chart_figures(at: AppTest) -> list:
    """Each chart's figure as the page sent it."""
    return [go.Figure(_decoded(json.loads(c.proto.spec))) for c in at.get("plotly_chart")]


@pytest.fixture
def results_env(tmp_path, monkeypatch):
    """KPI results and statuses imported through the Excel template (tests/rendered.py), for the app to read."""
    import streamlit as st
    env = results_folder(tmp_path)
    monkeypatch.setenv("DASHBOARD_DB", env["DASHBOARD_DB"])
    st.cache_data.clear()
    yield env
    st.cache_data.clear()


# --- 3. one number, one rounding --------------------------------------------------------------------

def test_a_value_is_rounded_once_from_its_full_precision():
    assert fmt.rate(41.1518) == "41.2" and fmt.rate(23.5498) == "23.5"  # never 41.15 -> 41.1, 23.55 -> 23.6
    assert fmt.rate(0.05) == "0.1" and fmt.rate(None) == "not reported" and fmt.rate(float("nan"), missing="–") == "–"
    assert fmt.eur(18_400_000.0) == "€18,400,000" and fmt.eur_short(216_400_000) == "€216.4M"
    assert fmt.eur_short(80_000) == "€80K" and fmt.share(0.485, 1) == "48.5%" and fmt.signed(-1.24) == "−1.2"
    assert fmt.day("2026-11-22") == "22 November 2026" and fmt.month("2026-06-30") == "June 2026"


def test_table_map_ranking_and_profile_show_the_same_rounding(app_db, db):
    year = 2023
    values = queries.homicide_map_values(year, queries.DEFAULT_SERIES)
    full = dict(db.execute("SELECT iso3, rate_per_100k FROM homicide_rates WHERE source_id = ? AND year = ?",
                           [SOURCE, year]).fetchall())
    fig = homicide_charts.rate_map(values, year, 80.0)
    labels = {iso3: text for trace in fig.data if trace.name in ("countries", "islands")
              for iso3, text in zip(trace.customdata, trace.text) if text}
    ranking = homicide_charts.ranking_bars(values, year, 80.0).data[0]
    ranked = dict(zip(ranking.customdata, ranking.text))
    at = open_page("app_pages/homicide.py", {"tab": "table", "year": str(year)})
    table = at.dataframe[0]
    shown = dict(zip(table.value["ISO3"], table.value["Rate per 100,000"]))
    for iso3 in ("HTI", "KNA"):  # 41.1518 and 23.5498 in the source: 41.2 and 23.5 everywhere
        expected = fmt.rate(full.get(iso3, values.set_index("iso3").loc[iso3, "rate_per_100k"]))
        assert labels[iso3].split("<br>")[1].startswith(expected), (iso3, labels[iso3])
        assert ranked[iso3].startswith(expected) and fmt.rate(shown[iso3]) == expected
    assert full["HTI"] == pytest.approx(41.1518, abs=1e-4)  # the full precision is what the table holds


def test_downloads_write_whole_amounts_as_whole_numbers():
    csv = to_csv_bytes(pd.DataFrame({"funding_eur": [18_400_000.0, None], "rate": [41.1518, 2.0]})).decode()
    assert csv.splitlines() == ["funding_eur,rate", "18400000,41.1518", ",2.0"]


# --- 4. raw values --------------------------------------------------------------------------------

VIEWS_WITH_TABLES = [
    ("app_pages/homicide.py", {}), ("app_pages/homicide.py", {"tab": "table"}),
    ("app_pages/threats.py", {"t_tab": "gaps"}),
    ("app_pages/threats.py", {"t_tab": "behind", "t_threat": "human_trafficking", "t_cell": "HTI"}),
    ("app_pages/threats.py", {"t_tab": "behind", "t_threat": "toc_drugs_guns"}),
    ("app_pages/projects.py", {}), ("app_pages/projects.py", {"p_tab": "list"}),
    ("app_pages/projects.py", {"p_tab": "when"}),
    ("app_pages/about_data.py", {}),
]


@pytest.mark.parametrize("page,params", VIEWS_WITH_TABLES)
def test_no_table_shows_a_raw_missing_value(app_db, page, params):
    """The table widget prints a missing value as "None": every table says what is missing in words."""
    at = open_page(page, params)
    assert len(at.dataframe) >= 1
    for frame in at.dataframe:
        value = frame.value
        assert not value.isna().any().any(), (page, params, value.columns[value.isna().any()].tolist())
        assert not value.astype(str).isin(["None", "nan", "NaN", "NaT", "<NA>"]).any().any()


def test_no_kpi_table_shows_a_raw_missing_value(results_env):
    at = open_page("app_pages/kpi_progress.py")
    assert len(at.dataframe) >= 1
    assert not any(frame.value.isna().any().any() for frame in at.dataframe)


def test_about_the_data_names_sources_in_words(app_db):
    at = open_page("app_pages/about_data.py")
    sources = at.dataframe[0].value
    assert "source_id" not in sources.columns and list(sources.columns)[:2] == ["Title", "Publisher"]
    text = " ".join(sources.astype(str).to_numpy().ravel())
    assert "PRODUCT.md" not in text and "owid_unodc_homicide" not in text


def test_decision_pack_lists_views_by_name(app_db):
    views = [("homicide", (("tab", "trends"), ("trend", "JAM,TTO,BRB"))), ("projects", (("p_tab", "funders"),)),
             ("overview", ())]
    at = open_page("app_pages/decision_pack.py", state={"pack_views": views})
    listed = [m.value for m in at.markdown if m.value.startswith("**")]
    assert listed == ["**1.** Homicide rates: trends, Jamaica, Trinidad and Tobago, Barbados",
                      "**2.** Donor projects: Stated funding by donor", "**3.** Overview"]
    assert not any("p_tab=" in m.value or "tab=" in m.value for m in at.markdown)


# --- 5. controls that do what they say ---------------------------------------------------------------

def test_the_year_slider_is_not_on_the_trends_and_the_trends_have_their_own_span(app_db):
    at = open_page("app_pages/homicide.py", {"tab": "trends", "since": "2010"})
    assert [s.key for s in at.select_slider] == ["since"]
    trend = next(f for f in chart_figures(at) if f.data[0].type == "scatter")
    assert min(min(trace.x) for trace in trend.data) >= 2010
    at = open_page("app_pages/homicide.py")
    assert "year" in [s.key for s in at.select_slider]


def test_a_coverage_cell_carries_its_threat_and_column_for_a_click(app_db):
    """Streamlit reports clicks on points: every heatmap cell has an (invisible) point naming its cell."""
    table = threats.threats()
    columns = ["JAM", "HTI"]
    matrix = threats.coverage_matrix(threats.coverage("country"), table, columns, "n_projects")
    fig = threat_charts.coverage_heatmap(matrix, list(table["name"]), ["Jamaica", "Haiti"], "n_projects")
    cells = next(trace for trace in fig.data if trace.name == threat_charts.CELL_TRACE)
    assert len(cells.customdata) == len(table) * 2
    assert ["human_trafficking", "HTI"] in [list(c) for c in cells.customdata]


def test_a_clicked_cell_opens_the_projects_behind_it(app_db):
    at = open_page("app_pages/threats.py")
    at.session_state["coverage_chart"] = {"selection": {"points": [{"customdata": ["human_trafficking", "HTI"]}]}}
    at.run()
    assert not at.exception
    assert at.session_state["t_threat"] == "human_trafficking" and at.session_state["t_cell"] == "HTI"
    assert at.query_params["t_tab"] == "behind"
    assert any(h.value == "Projects behind a cell" for h in at.header)


# --- 6. the slide is the saved view -------------------------------------------------------------------

def test_a_trends_view_becomes_a_trends_slide(app_db):
    params = {"tab": "trends", "trend": "JAM,HTI", "since": "2005"}
    snap = pack.SNAPSHOTS["homicide"](params)
    page = next(f for f in chart_figures(open_page("app_pages/homicide.py", params)) if f.data[0].type == "scatter")
    # The same traces (names and years) as the page draws, at the slide's width.
    assert [(t.name, list(t.x)) for t in snap.figure.data] == [(t.name, list(t.x)) for t in page.data]
    assert snap.figure.layout.annotations[0].text == "Homicide rate per 100,000 population over time"


def test_a_kpi_view_becomes_a_kpi_slide_not_the_action_plan(results_env):
    snap = pack.SNAPSHOTS["kpi_progress"]({})
    title = next(a.text for a in snap.figure.layout.annotations if a.name == "title")
    assert title == "KPI1: result against target, by period" and snap.title.startswith("EL PACCTO 2.0 KPIs")
    actions = pack.SNAPSHOTS["kpi_progress"]({"k_view": "actions"})
    assert next(a.text for a in actions.figure.layout.annotations if a.name == "title").startswith("CCSS action plan")


def test_slides_of_different_views_differ(app_db):
    overview = pack.SNAPSHOTS["overview"]({}).figure.to_plotly_json()
    trends = pack.SNAPSHOTS["homicide"]({"tab": "trends"}).figure.to_plotly_json()
    tiles = pack.SNAPSHOTS["homicide"]({"map": "tiles"}).figure.to_plotly_json()
    assert len({json.dumps(f["data"], default=str) for f in (overview, trends, tiles)}) == 3


# --- 7. one reader of partners -----------------------------------------------------------------------

def test_both_pages_name_donors_alike(app_db):
    assert threats.donors() == projects.partner_names("donor")
    assert not any("(" in d or "/" in d or ";" in d for d in threats.donors())
    assert partners.display_name(partners.NOT_STATED) == "Not stated"


# --- 1. labels the old layout cut or piled up -----------------------------------------------------------

def test_tiles_name_countries_and_print_values_whole(app_db):
    values = queries.homicide_map_values(2023, queries.DEFAULT_SERIES)
    fig = homicide_charts.tile_map(values, 2023, 80.0, canvas=Canvas(980))
    marker = next(t for t in fig.data if t.name == "countries")
    text = dict(zip(marker.customdata, marker.text))
    assert "Belize" in text["BLZ"] and text["BLZ"].endswith("28.1 (2022)")
    assert all(not label.startswith("<b>" + iso3 + "</b>") for iso3, label in text.items())  # names, not codes
    tile = (980 - 20) / 6 * 0.92  # every line of a tile's label fits its tile
    assert all(measure.width(label, 14) <= tile for label in marker.text)


def test_a_heatmap_figure_is_printed_whole_or_not_at_all(app_db):
    table = threats.threats()
    donors = list(threats.donors())
    matrix = threats.coverage_matrix(threats.coverage("donor"), table, donors, "funding_eur")
    unfunded = threats.coverage_matrix(threats.coverage("donor"), table, donors, "n_unfunded")
    fig = threat_charts.coverage_heatmap(matrix, list(table["name"]), donors, "funding_eur", unfunded)
    texts = [x for row in fig.data[0].text for x in row if x]
    assert "124.0+" in texts  # the EU x transnational organised crime cell, whole
    assert fig.layout.meta["cell_values_printed"]


def test_brief_flags_a_period_ending_before_it_starts(app_db):
    at = open_page("app_pages/country_brief.py", {"b_country": "GRD"})
    table = next(m.value for m in at.markdown if m.value.startswith("| Project |"))
    assert "end before start in the document" in table
