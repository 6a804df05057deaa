"""Donor-projects explorer: filters, totals and figures checked against SQL over the built tables;
the page under AppTest (URL round trip, export)."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import projects
from core.figures import projects as charts
from loaders.build import build

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "app_pages" / "projects.py")
TODAY = dt.date(2026, 11, 22)
ALL16 = ("ATG", "BHS", "BRB", "BLZ", "DMA", "DOM", "GRD", "GUY", "HTI", "JAM", "MSR", "KNA", "LCA", "VCT",
         "SUR", "TTO")
# Listings counted once: a repeat (duplicate_of set) is left out.
COUNTED = "duplicate_of IS NULL"


def ids_of(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["project_id"])


def sql_ids(db, sql: str, params=()) -> list[str]:
    return sorted(r[0] for r in db.execute(sql, params).fetchall())


# --- filters against SQL ------------------------------------------------------------------

def test_no_filter_finds_every_listing(app_db, db):
    listings = projects.filtered_projects(today=TODAY)
    assert ids_of(listings) == sql_ids(db, "SELECT project_id FROM projects")
    totals = projects.totals(tuple(listings["project_id"]))
    n_rows, n_repeats = db.execute("SELECT count(*), count(duplicate_of) FROM projects").fetchone()
    assert totals["n_listings"] == n_rows and n_repeats >= 1
    assert totals["n_projects"] == n_rows - n_repeats
    # With the whole sidebar group set, nothing falls out either.
    assert len(projects.filtered_projects(group=ALL16, today=TODAY)) == n_rows


def test_active_in_2025_naming_haiti(app_db, db):
    listings = projects.filtered_projects(countries=("HTI",), year=2025, today=TODAY)
    active = sql_ids(db, """
        SELECT p.project_id FROM projects p JOIN project_countries pc USING (project_id)
        WHERE pc.iso3 = 'HTI' AND year(p.start_date) <= 2025
          AND (year(p.end_date) >= 2025 OR (p.end_date IS NULL AND p.ongoing))""")
    unknown = sql_ids(db, """
        SELECT p.project_id FROM projects p JOIN project_countries pc USING (project_id)
        WHERE pc.iso3 = 'HTI' AND p.start_date IS NULL AND p.end_date IS NULL""")
    assert ids_of(listings[listings["active_in_year"] == True]) == active  # noqa: E712
    assert ids_of(listings[listings["active_in_year"].isna()]) == unknown  # kept, flagged
    assert "EPA-35" in active and "EPA-26" not in ids_of(listings)  # 01/2023-03/2025 in; ended 2022 out
    without_unknown = projects.filtered_projects(countries=("HTI",), year=2025, include_unknown_period=False,
                                                 today=TODAY)
    assert ids_of(without_unknown) == active


def test_ongoing_counts_as_active_until_today(app_db):
    in_2026 = ids_of(projects.filtered_projects(year=2026, today=TODAY))
    in_2027 = ids_of(projects.filtered_projects(year=2027, today=TODAY, include_unknown_period=False))
    assert "EPA-08" in in_2026 and "EPA-08" not in in_2027  # CBSI: '2010 - ongoing'
    assert "EPA-01" in in_2027  # ends 03/2027


def test_total_stated_funding_implemented_by_undp(app_db, db):
    listings = projects.filtered_projects(implementers=("UNDP",), today=TODAY)
    expected_ids = sql_ids(db, "SELECT project_id FROM projects WHERE implementer = 'UNDP' "
                               "OR implementer LIKE 'UNDP/%' OR implementer LIKE '%/UNDP'")
    assert ids_of(listings) == expected_ids and "EPA-15" in expected_ids  # 'UNODC/UNDP' counts for both
    total = db.execute(f"SELECT sum(funding_eur) FROM projects WHERE {COUNTED} AND list_contains(?, project_id)",
                       [expected_ids]).fetchone()[0]
    assert projects.totals(tuple(listings["project_id"]))["funding_eur"] == pytest.approx(total)
    bars = projects.funding_by_partner("implementer", tuple(projects.filtered_projects(today=TODAY)["project_id"]))
    undp = bars.set_index("name").loc["UNDP"]
    assert undp.funding_full == pytest.approx(total) and undp.n_projects == len(expected_ids)
    # Split: the UNODC/UNDP project gives UNDP half of its amount.
    joint = db.execute("SELECT funding_eur FROM projects WHERE implementer = 'UNODC/UNDP'").fetchone()[0]
    assert undp.funding_split == pytest.approx(total - joint / 2)


def test_free_text_search_over_name_and_description(app_db, db):
    found = projects.filtered_projects(search="Firearms", today=TODAY)
    expected = sql_ids(db, "SELECT project_id FROM projects WHERE name ILIKE '%firearms%' "
                           "OR description ILIKE '%firearms%'")
    assert ids_of(found) == expected and len(expected) >= 2
    # The user's % and _ are literal characters, not wildcards.
    percent = sql_ids(db, "SELECT project_id FROM projects WHERE strpos(name, '%') > 0 "
                          "OR strpos(coalesce(description, ''), '%') > 0")
    assert ids_of(projects.filtered_projects(search="%", today=TODAY)) == percent


def test_other_filters_against_sql(app_db, db):
    ranged = projects.filtered_projects(funding_m=(2.0, 10.0), today=TODAY)
    assert ids_of(ranged) == sql_ids(db, "SELECT project_id FROM projects WHERE funding_eur BETWEEN 2e6 AND 10e6")
    threat = projects.filtered_projects(threats=("cybercrime",), themes=("Cybercrime",), today=TODAY)
    assert ids_of(threat) == sql_ids(db, "SELECT project_id FROM projects JOIN project_threats USING (project_id) "
                                         "WHERE threat_id = 'cybercrime' AND theme = 'Cybercrime'")
    eu = projects.filtered_projects(donors=("EU",), today=TODAY)
    assert ids_of(eu) == sql_ids(db, "SELECT project_id FROM projects WHERE donor LIKE 'EU%'")  # 'EU (10th EDF)' too


def test_country_group_keeps_projects_naming_no_country(app_db, db):
    caricom = tuple(r[0] for r in db.execute("SELECT iso3 FROM countries WHERE is_caricom_member").fetchall())
    listings = ids_of(projects.filtered_projects(group=caricom, today=TODAY))
    only_dom = sql_ids(db, "SELECT project_id FROM project_countries GROUP BY project_id "
                           "HAVING bool_and(iso3 = 'DOM')")
    no_country = sql_ids(db, "SELECT project_id FROM projects WHERE project_id NOT IN "
                             "(SELECT project_id FROM project_countries)")
    assert only_dom and not set(only_dom) & set(listings)
    assert set(no_country) <= set(listings)


def test_partner_names_are_split_and_qualifiers_dropped(app_db):
    donors = projects.partner_names("donor")
    assert {"EU", "GIZ", "United Kingdom", "United States", "Canada"} <= set(donors)
    assert "EU (10th EDF)" not in donors and donors[-1] == projects.NOT_STATED
    slugs = projects.slugs(projects.partner_names("implementer"))
    assert all("," not in key for key in slugs) and len(slugs) == len(projects.partner_names("implementer"))


# --- counts and funding -------------------------------------------------------------------

def test_repeated_listing_counts_once(app_db, db):
    original, repeat = db.execute("SELECT duplicate_of, project_id FROM projects WHERE duplicate_of IS NOT NULL "
                                  "LIMIT 1").fetchone()
    name, funding = db.execute("SELECT name, funding_eur FROM projects WHERE project_id = ?", [original]).fetchone()
    listings = projects.filtered_projects(search=name, today=TODAY)
    assert ids_of(listings) == sorted([original, repeat])
    totals = projects.totals(tuple(listings["project_id"]))
    assert (totals["n_listings"], totals["n_projects"], totals["funding_eur"]) == (2, 1, funding)


def test_country_funding_full_and_split(app_db, db):
    ids = tuple(projects.filtered_projects(today=TODAY)["project_id"])
    by_country = projects.country_funding(ids).set_index("iso3")
    expected = db.execute(f"""
        WITH n AS (SELECT project_id, count(*) AS k FROM project_countries GROUP BY 1)
        SELECT pc.iso3, count(*), sum(p.funding_eur), sum(p.funding_eur / n.k),
               count(*) FILTER (WHERE p.funding_eur IS NULL)
        FROM projects p JOIN project_countries pc USING (project_id) JOIN n USING (project_id)
        WHERE p.{COUNTED} GROUP BY 1""").fetchall()
    assert len(by_country) == 16
    for iso3, n, full, split, no_figure in expected:
        row = by_country.loc[iso3]
        assert (row.n_projects, row.n_no_funding) == (n, no_figure)
        assert row.funding_full == pytest.approx(full) and row.funding_split == pytest.approx(split)
    # Split evenly, the countries' shares add up to the funding of the projects that name a country.
    named = db.execute(f"SELECT sum(funding_eur) FROM projects WHERE {COUNTED} AND project_id IN "
                       "(SELECT project_id FROM project_countries)").fetchone()[0]
    assert by_country["funding_split"].sum() == pytest.approx(named)
    assert by_country["funding_full"].sum() > named  # a regional project counts for every country


def test_unknown_dates_listed_apart(app_db, db):
    dated, undated = projects.timeline_rows(projects.filtered_projects(today=TODAY))
    assert ids_of(undated) == sql_ids(db, f"SELECT project_id FROM projects WHERE {COUNTED} "
                                          "AND start_date IS NULL AND end_date IS NULL")
    assert ids_of(dated) == sql_ids(db, f"SELECT project_id FROM projects WHERE {COUNTED} "
                                        "AND start_date IS NOT NULL")
    assert (dated["period_status"] == "ongoing").sum() == db.execute(
        f"SELECT count(*) FROM projects WHERE {COUNTED} AND ongoing AND end_date IS NULL").fetchone()[0]


def test_detail_has_every_field_places_threats_and_source(app_db, db):
    record = projects.project_record("EPA-02").iloc[0]
    fields = dict(projects.detail_fields(record))
    assert fields["Implementer"] == "Expertise France/FIIAPP" and fields["Funding"].startswith("€6.000.000")
    places = projects.project_places("EPA-02")
    n_countries, n_areas = db.execute("SELECT (SELECT count(*) FROM project_countries WHERE project_id = 'EPA-02'),"
                                      " (SELECT count(*) FROM project_areas WHERE project_id = 'EPA-02')").fetchone()
    assert (places["kind"] == "country").sum() == n_countries and (places["kind"] == "other area").sum() == n_areas
    links = projects.project_threat_links("EPA-02")
    assert len(links) == db.execute("SELECT count(*) FROM project_threats WHERE project_id = 'EPA-02'").fetchone()[0]
    assert links["rationale"].str.len().min() > 0
    assert record["source_title"].startswith("EL PACCTO 2.0 Strategic Plan")
    assert dict(projects.detail_fields(projects.project_record("EPA-18").iloc[0]))["Listed twice"].startswith(
        "listed again as EPA-34")


def test_detail_markdown_passes_every_text_from_the_data_through_escape(app_db, db):
    detail = projects.detail_markdown("EPA-02", lambda text: f"<{text}>")
    name, description, source_ref = db.execute("SELECT name, description, source_ref FROM projects "
                                                "WHERE project_id = 'EPA-02'").fetchone()
    assert detail["title"] == f"#### <{name}>"
    assert f"**Description:** <{description}>" in detail["places"]
    assert detail["source"].endswith(f"<{source_ref}>")
    rationales = [r[0] for r in db.execute("SELECT rationale FROM project_threats "
                                           "WHERE project_id = 'EPA-02'").fetchall()]
    assert all(f"<{r}>" in detail["threats"] for r in rationales)
    assert "- **Implementer:** <Expertise France/FIIAPP>" in detail["fields"].splitlines()


def test_url_values_parse_strictly():
    assert projects.parse_range("2.0,10.0", (0.0, 60.0)) == (2.0, 10.0)
    for bad in ("10,2", "-1,5", "0,61", "x,1", "5"):
        with pytest.raises(ValueError):
            projects.parse_range(bad, (0.0, 60.0))
    assert projects.parse_flag("False") is False
    assert projects.parse_flag("0") is False and projects.parse_flag("1") is True  # as state.publish writes flags
    with pytest.raises(ValueError):
        projects.parse_flag("no")


def test_the_published_flag_restores_from_a_copied_link(app_db):
    at = run_page({"p_unknown": "False"})
    assert at.checkbox(key="p_unknown").value is False
    published = at.query_params.get("p_unknown")
    assert published == "0"
    again = run_page({"p_unknown": published})
    assert again.checkbox(key="p_unknown").value is False


def test_country_table_puts_unstated_count_beside_each_total(app_db):
    by_country = projects.country_funding(tuple(projects.filtered_projects(today=TODAY)["project_id"]))
    table = projects.country_table(by_country, split=True).set_index("Country")
    jam = by_country.set_index("name").loc["Jamaica"]
    row = table.loc["Jamaica"]
    assert row["Stated € m, split"] == f"{jam.funding_split / 1e6:,.1f}"
    police = projects.country_funding(tuple(projects.filtered_projects(search="Haitian National Police",
                                                                       today=TODAY)["project_id"]))
    table = projects.country_table(police, split=False).set_index("Country")
    assert table.loc["Jamaica"].tolist() == [0, "none", 0]
    haiti = police.set_index("iso3").loc["HTI", "funding_full"]
    assert table.loc["Haiti", "Stated € m, full"] == f"{haiti / 1e6:,.1f}"
    assert (row["Projects"], row["No stated figure"]) == (jam.n_projects, jam.n_no_funding)
    assert "St Vincent & Gren." in table.index  # short names, so the table fits beside the map
    assert list(table["Projects"]) == sorted(table["Projects"], reverse=True)


def test_euro_never_shows_a_missing_figure_as_zero():
    assert projects.euro(None) == "no stated figure" and projects.euro(float("nan")) == "no stated figure"
    assert projects.euro(71_510_000) == "€71.5M" and projects.euro(80_000) == "€80K"


# --- figures --------------------------------------------------------------------------------

def test_map_draws_16_countries_lists_the_islands_and_funding_labels(app_db):
    values = projects.country_funding(tuple(projects.filtered_projects(today=TODAY)["project_id"]))
    fig = charts.project_map(values, "funding", split=True, selected=("HTI",))
    assert sum(t.name in set(values["iso3"]) and t.fill == "toself" for t in fig.data) == 16
    marker = next(t for t in fig.data if t.name == charts.MARKER_TRACE)
    listed = next(t for t in fig.data if t.name == "islands")  # the small islands, beside the map
    assert len(listed.customdata) == 9 and set(listed.customdata) <= set(marker.customdata)
    labels = {**dict(zip(marker.customdata, marker.text)), **dict(zip(listed.customdata, listed.text))}
    jam = values.set_index("iso3").loc["JAM"]
    assert labels["JAM"] == f"Jamaica<br>{projects.euro(jam.funding_split)}"
    hover = dict(zip(marker.customdata, marker.hovertext))["JAM"]
    assert f"{jam.n_no_funding} projects with no stated figure" in hover
    police = projects.country_funding(tuple(projects.filtered_projects(themes=("Policing and law enforcement",),
                                                                       today=TODAY)["project_id"]))
    unfunded = next(t for t in charts.project_map(police, "funding").data if t.name == charts.MARKER_TRACE)
    assert dict(zip(unfunded.customdata, unfunded.text))["BHS"] == "Bahamas<br>–"  # projects, none with a figure
    counts = next(t for t in charts.project_map(values, "count").data if t.name == charts.MARKER_TRACE)
    assert dict(zip(counts.customdata, counts.text))["JAM"] == f"Jamaica<br>{jam.n_projects}"


def test_timeline_marks_today_colours_by_donor_and_hatches_ongoing(app_db):
    dated, _ = projects.timeline_rows(projects.filtered_projects(today=TODAY))
    fig = charts.timeline(dated, TODAY)
    assert sum(len(t.y) for t in fig.data) == len(dated)
    assert fig.layout.shapes[0].x0 == "2026-11-22" and "today" in fig.layout.annotations[0].text
    ongoing = [t for t in fig.data if t.marker.pattern.shape == "/"]
    assert sum(len(t.y) for t in ongoing) == (dated["period_status"] == "ongoing").sum()
    eu = {t.marker.color for t in fig.data if t.name == "EU"}
    assert len(eu) == 1 and {t.marker.color for t in fig.data if t.name == projects.NOT_STATED} == {"#9e9e9e"}


def test_funding_bars_show_unstated_count_beside_every_total(app_db):
    rows = projects.funding_by_partner("donor", tuple(projects.filtered_projects(today=TODAY)["project_id"]))
    fig = charts.funding_bars(rows, "donor", split=False)
    bar = fig.data[0]
    text = dict(zip(bar.customdata, bar.text))  # bars are rows by position; customdata names the partner
    eu = rows.set_index("name").loc["EU"]
    assert text["EU"] == f"{projects.euro(eu.funding_full)} (+{int(eu.n_no_funding)} no figure)"
    assert text["United States"] == "no stated figure"
    assert text[projects.NOT_STATED].startswith("€")  # projects with no donor named are a bar of their own
    # largest on top, with the words for a missing donor and the count of projects
    assert fig.layout.yaxis.ticktext[-1] == f"Donor not stated ({rows.iloc[0]['n_projects']})"
    assert rows.iloc[0]["name"] == projects.NOT_STATED


# --- the page ------------------------------------------------------------------------------------

def run_page(params: dict | None = None) -> AppTest:
    """The page opened on its "All projects" tab unless `params` name another."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in {"p_tab": "list", **(params or {})}.items():
        at.query_params[key] = value
    return at.run()


def main_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Funding (EUR)" in d.value.columns)


def test_page_shows_every_listing_with_no_filter(app_db, db):
    at = run_page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Donor projects"
    n_rows, n_repeats = db.execute("SELECT count(*), count(duplicate_of) FROM projects").fetchone()
    assert len(main_table(at)) == n_rows
    assert at.metric[0].label == "Projects" and at.metric[0].value == str(n_rows - n_repeats)
    assert any("counted once: EPA-34 = EPA-18" in c.value for c in at.caption)
    assert any("Data as of" in c.value for c in at.caption)


def test_only_the_open_tab_is_built(app_db):
    """The page opens on the map; the other parts are built when their tab is opened, and the open
    tab is in the link."""
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    charts = [c.proto.id for c in at.get("plotly_chart")]
    assert len(charts) == 1 and "p_map_chart" in charts[0]
    assert not any("Funding (EUR)" in d.value.columns for d in at.dataframe)
    assert "p_tab" not in at.query_params  # the default tab keeps the link short
    at.session_state["p_tab_tabs"] = "When"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    charts = [c.proto.id for c in at.get("plotly_chart")]
    assert len(charts) == 1 and "p_timeline" in charts[0]
    assert at.query_params["p_tab"] == "when"
    assert run_page({"p_tab": "when"}).session_state["p_tab_tabs"] == "When"


def test_url_view_equals_widget_view(app_db, db):
    at = run_page()
    at.multiselect(key="p_country").set_value(["HTI"])
    at.selectbox(key="p_year").set_value(2025)
    at.multiselect(key="p_impl").set_value(["undp"])
    at.run()
    assert not at.exception
    by_widgets = sorted(main_table(at)["ID"])
    params = {k: at.query_params[k] for k in at.query_params}
    assert params["p_country"] == "HTI" and params["p_year"] == "2025" and params["p_impl"] == "undp"
    from_url = run_page(params)
    assert sorted(main_table(from_url)["ID"]) == by_widgets
    assert from_url.multiselect(key="p_country").value == ["HTI"] and from_url.selectbox(key="p_year").value == 2025
    expected = sql_ids(db, """
        SELECT p.project_id FROM projects p JOIN project_countries pc USING (project_id)
        WHERE pc.iso3 = 'HTI' AND (p.implementer = 'UNDP' OR p.implementer LIKE '%/UNDP' OR p.implementer LIKE 'UNDP/%')
          AND ((year(p.start_date) <= 2025 AND year(coalesce(p.end_date, DATE '2999-01-01')) >= 2025)
               OR (p.start_date IS NULL AND p.end_date IS NULL))""")
    assert by_widgets == expected and expected


def test_url_restores_every_filter_and_ignores_bad_values(app_db):
    at = run_page({"p_q": "police", "p_theme": "policing-and-law-enforcement", "p_fund": "1.0,20.0",
                   "p_unknown": "False", "p_map": "funding", "p_split": "split", "p_donor": "nobody",
                   "p_year": "1066"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="p_q").value == "police"
    assert at.select_slider(key="p_fund").value == (1.0, 20.0)
    assert at.checkbox(key="p_unknown").value is False
    assert at.radio(key="p_map").value == "funding" and at.radio(key="p_split").value == "split"
    assert at.multiselect(key="p_donor").value == [] and at.selectbox(key="p_year").value is None
    table = main_table(at)
    assert set(table["Theme"]) == {"Policing and law enforcement"}
    assert table["Funding (EUR)"].between(1e6, 20e6).all()


def test_project_detail_opens_from_the_url(app_db):
    at = run_page({"p_project": "EPA-13"})
    assert at.selectbox(key="p_project").value == "EPA-13"
    assert any(m.value == "#### Octopus Project" for m in at.markdown)


@pytest.fixture
def hostile_db(curated_copy, tmp_path, monkeypatch):
    """A database whose first project's name is a spreadsheet formula (the build refuses such text
    in its files, so it is written into the database directly: the export must hold on its own)."""
    db_file = tmp_path / "hostile.duckdb"
    build(curated_copy, db_file)
    import duckdb
    with duckdb.connect(str(db_file)) as con:
        con.execute("UPDATE projects SET name = ? WHERE project_id = 'EPA-01'",
                    ['=HYPERLINK("http://example.org","PACE")'])
    monkeypatch.setenv("DASHBOARD_DB", str(db_file))
    import streamlit as st
    st.cache_data.clear()
    yield db_file
    st.cache_data.clear()


def test_export_of_the_filtered_table_keeps_formulas_as_text(hostile_db, downloads_given):
    given = downloads_given
    at = run_page({"p_impl": "undp"})
    assert not at.exception, [e.value for e in at.exception]
    shown = main_table(at)
    assert callable(given["donor_projects.xlsx"])  # made when clicked, not on every run
    captured = [given["donor_projects.xlsx"]()]
    sheet = openpyxl.load_workbook(io.BytesIO(captured[-1]))["donor_projects"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("ID", "Project") and len(rows) - 1 == len(shown)
    assert sorted(r[0] for r in rows[1:]) == sorted(shown["ID"])
    cell = next(c for c in sheet["B"][1:] if str(c.value).startswith("'="))
    assert cell.value == '\'=HYPERLINK("http://example.org","PACE")' and cell.data_type == "s"
    back = pd.read_excel(io.BytesIO(captured[-1]), sheet_name="donor_projects")
    assert len(back) == len(shown)
