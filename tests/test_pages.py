"""Every page under Streamlit's AppTest, run through the entry point from the project root."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py"))
SOURCE = "owid_unodc_homicide"


def open_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def table_of(at: AppTest, header_prefix: str = "Table"):
    return at.dataframe[-1].value


def registered_titles() -> dict[str, str]:
    """Page file -> title, read from the registry in dashboard.py."""
    import re
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    return dict(re.findall(r'st\.Page\("([^"]+)", title=t\("([^"]+)"\)', text))


def test_every_page_file_is_registered():
    assert sorted(registered_titles()) == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(app_db, page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"
    # AppTest falls back to the default page when a switch fails: make sure we are on this one.
    if page != "app_pages/overview.py":
        assert at.title[0].value != "Caribbean security cooperation at a glance", f"did not reach {page}"
    assert any("Data as of" in c.value for c in at.caption), "footer with data date missing"
    assert any("Sources of this page" in c.value for c in at.caption), "footer with sources missing"


def test_entry_point_opens_on_overview(app_db):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Caribbean security cooperation at a glance"


def test_year_slider_sets_ranking_and_table(app_db, db):
    at = open_page("app_pages/homicide.py")
    at.select_slider(key="year").set_value(2010).run()
    assert not at.exception
    top = db.execute("SELECT c.name FROM homicide_rates h JOIN countries c ON c.iso3 = h.iso3 "
                     "WHERE h.year = 2010 AND h.source_id = ? ORDER BY h.rate_per_100k DESC LIMIT 1",
                     [SOURCE]).fetchone()[0]
    ranking = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert ranking["data"][0]["y"][-1] == top
    assert at.query_params["year"] == "2010"
    at.session_state["tab_tabs"] = "Table"  # the table tab, same year
    at.run()
    assert not at.exception
    assert table_of(at).iloc[0]["Country"] == top == "Jamaica"
    assert any(h.value == "Table: 2010" for h in at.header)
    assert at.query_params["tab"] == "table" and at.query_params["year"] == "2010"


def test_only_the_open_tab_is_built(app_db):
    at = open_page("app_pages/homicide.py")
    assert len(at.get("plotly_chart")) == 2  # map and ranking
    assert not any(h.value.startswith("Table") for h in at.header)
    at = open_page("app_pages/homicide.py", {"tab": "trends"})
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 1 and specs[0]["layout"]["legend"]["orientation"] == "h"  # the trend lines only


@pytest.mark.parametrize("year", [1990, 2000, 2007, 2018, 2023])
def test_every_kind_of_year_renders(app_db, year):
    at = open_page("app_pages/homicide.py", {"year": str(year)})
    assert not at.exception
    assert at.select_slider(key="year").value == year


def test_country_selection_updates_the_profile(app_db, db):
    at = open_page("app_pages/homicide.py")
    at.selectbox(key="country").set_value("BRB").run()
    latest_year, rate = db.execute("SELECT year, rate_per_100k FROM homicide_rates WHERE iso3 = 'BRB' "
                                   "AND source_id = ? ORDER BY year DESC LIMIT 1", [SOURCE]).fetchone()
    metric = at.metric[0]
    assert metric.label == f"Latest rate ({latest_year})" and metric.value == f"{rate:.1f}"
    assert any("quote no homicide figure for Barbados" in c.value for c in at.caption)


def test_jamaica_profile_lists_the_quoted_figure(app_db):
    at = open_page("app_pages/homicide.py", {"country": "JAM"})
    quotes = at.dataframe[0].value
    assert 53.3 in list(quotes["Quoted rate"])


def test_url_restores_filters(app_db):
    at = open_page("app_pages/homicide.py", {"year": "2005", "map": "tiles", "country": "GUY",
                                            "trend": "GUY,SUR", "group": "caricom"})
    assert not at.exception
    assert at.select_slider(key="year").value == 2005
    assert at.radio(key="map").value == "tiles"
    assert at.selectbox(key="country").value == "GUY"
    at = open_page("app_pages/homicide.py", {"year": "2005", "trend": "GUY,SUR", "group": "caricom", "tab": "trends"})
    assert at.multiselect(key="trend").value == ["GUY", "SUR"]
    at = open_page("app_pages/homicide.py", {"year": "2005", "group": "caricom", "tab": "table"})
    assert "DOM" not in set(table_of(at)["ISO3"])  # the CARICOM group leaves out the Dominican Republic


def test_bad_url_values_fall_back_to_defaults(app_db):
    at = open_page("app_pages/homicide.py", {"year": "1066", "country": "XXX", "map": "<script>"})
    assert not at.exception
    assert at.select_slider(key="year").value == 2023
    assert at.selectbox(key="country").value == "JAM"
    assert at.radio(key="map").value == "geographic"


def test_tile_map_toggle(app_db):
    at = open_page("app_pages/homicide.py")
    at.radio(key="map").set_value("tiles").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert sum(1 for t in spec["data"] if t.get("fill") == "toself") == 16


def test_presentation_mode_from_url_and_next_view(app_db):
    at = open_page("app_pages/homicide.py", {"present": "1", "seq": "homicide,threats"})
    assert not at.exception
    assert at.toggle(key="present").value is True
    assert at.button(key="present_prev").disabled and not at.button(key="present_next").disabled
    at.button(key="present_next").click().run()
    assert not at.exception
    assert at.title[0].value == "Threat tiers"
    assert at.button(key="present_next").disabled  # the end of the chosen sequence


def test_presentation_mode_exit(app_db):
    at = open_page("app_pages/homicide.py", {"present": "1"})
    at.button(key="present_exit").click().run()
    assert at.toggle(key="present").value is False
    assert at.query_params.get("present") is None


def test_share_link_carries_the_filters():
    from core.ui import view_link
    assert view_link("http://host:8501/homicide?old=1", {"year": "2010", "trend": "JAM,TTO"}) == \
        "http://host:8501/homicide?year=2010&trend=JAM%2CTTO"


def test_saved_views_build_a_decision_pack(app_db):
    at = open_page("app_pages/homicide.py", {"year": "2015"})
    at.button(key="pack_add").click().run()
    assert at.session_state["pack_views"] == [("homicide", (("year", "2015"),))]
    at.switch_page("app_pages/decision_pack.py").run()
    assert not at.exception
    at.button(key="pack_build").click().run()
    assert not at.exception
    assert at.session_state["pack_file"][:2] == b"PK"  # a .pptx is a zip


def test_country_brief_lists_the_countrys_projects(app_db, db):
    at = open_page("app_pages/country_brief.py", {"b_country": "HTI"})
    assert not at.exception
    assert at.title[0].value == "Country brief: Haiti"
    expected = db.execute("""SELECT count(*) FROM projects p WHERE p.duplicate_of IS NULL AND EXISTS
                             (SELECT 1 FROM project_countries c WHERE c.project_id = p.project_id AND c.iso3 = 'HTI')""").fetchone()[0]
    summary = next(m.value for m in at.markdown if m.value.startswith("The source documents name"))
    assert f"**{expected}** projects" in summary
    assert any("No KPI result has been reported for Haiti yet" in c.value for c in at.caption)


# Every page with its own URL filters, and a value for each that differs from the default.
URL_VIEWS = {
    "app_pages/overview.py": {},
    "app_pages/homicide.py": {"year": "2012", "map": "tiles", "country": "HTI", "trend": "HTI,DOM"},
    "app_pages/threats.py": {"t_year": "2024", "t_donor": "Canada", "t_dim": "donor", "t_value": "funding_eur"},
    "app_pages/projects.py": {"p_country": "HTI", "p_year": "2025"},
    "app_pages/kpi_progress.py": {"k_view": "actions"},
    "app_pages/country_brief.py": {"b_country": "GUY"},
    "app_pages/decision_pack.py": {},
    "app_pages/data_management.py": {},
    "app_pages/about_data.py": {},
}


def test_url_views_cover_every_page():
    assert sorted(URL_VIEWS) == PAGES


@pytest.mark.parametrize("page", sorted(URL_VIEWS))
def test_every_page_restores_its_filters_and_the_global_group_from_the_url(app_db, page):
    params = {**URL_VIEWS[page], "group": "elpaccto"}
    at = open_page(page, params)
    assert not at.exception
    assert at.selectbox(key="group").value == "elpaccto"
    for key, value in URL_VIEWS[page].items():
        widget = at.session_state[key]
        shown = ",".join(map(str, widget)) if isinstance(widget, list) else str(widget)
        assert shown == value, (key, shown, value)
        assert at.query_params[key] == value  # and it is written back, so the link stays shareable


def test_about_the_data_builds_a_table_dictionary_when_opened(app_db, db):
    at = open_page("app_pages/about_data.py")
    assert not at.exception
    assert len(at.dataframe) == 1  # the sources; every table's columns wait behind its expander
    n_tables = db.execute("SELECT count(*) FROM meta_tables").fetchone()[0]
    assert sum(e.label.endswith(" rows)") for e in at.expander) == n_tables
    at.session_state["about_projects"] = True
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 2
    documented = set(at.dataframe[1].value.iloc[:, 0])
    actual = {r[0] for r in db.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'projects'").fetchall()}
    assert documented == actual


def test_share_link_is_drawn_when_its_expander_opens(app_db):
    at = open_page("app_pages/homicide.py", {"year": "2015"})
    assert not at.code  # the code block (and its renderer) only when asked for
    at.session_state["share_open"] = True
    at.run()
    assert not at.exception
    assert at.code[0].value.endswith("?year=2015"), at.code[0].value


def test_country_brief_lists_the_largest_projects_when_there_are_many(built_db, tmp_path, monkeypatch):
    """On a database with 100 times the projects, the brief keeps to the 30 largest and says so."""
    import duckdb
    import streamlit as st

    from benchmarks import synth
    scaled = tmp_path / "scale.duckdb"
    synth.scale_database(built_db, scaled)
    monkeypatch.setenv("DASHBOARD_DB", str(scaled))
    st.cache_data.clear()
    try:
        at = open_page("app_pages/country_brief.py", {"b_country": "JAM"})
        assert not at.exception
        con = duckdb.connect(str(scaled), read_only=True)
        n, largest = con.execute("""SELECT count(*), max(funding_eur) FROM projects p WHERE duplicate_of IS NULL
            AND EXISTS (SELECT 1 FROM project_countries c WHERE c.project_id = p.project_id AND c.iso3 = 'JAM')""").fetchone()
        con.close()
        table = next(m.value for m in at.markdown if m.value.startswith("| Project |"))
        rows = table.splitlines()[2:]
        assert len(rows) == 8 and n > 8
        assert f"{largest:,.0f}" in rows[0]  # the largest first
        assert any(f"The 8 projects with the largest stated funding, of {n}" in c.value for c in at.caption)
    finally:
        st.cache_data.clear()
