"""Threat tiers: matrix membership, coverage numbers against SQL, gaps, drill-down, page under AppTest."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import threats
from core.figures import threats as charts

ROOT = Path(__file__).resolve().parents[1]

# Independent SQL for one (threat, country) cell: distinct projects, once each, duplicates excluded.
CELL_SQL = """
    SELECT count(DISTINCT p.project_id), coalesce(sum(p.funding_eur), 0)
    FROM projects p
    WHERE p.duplicate_of IS NULL
      AND p.project_id IN (SELECT project_id FROM project_threats WHERE threat_id = ?)
      AND p.project_id IN (SELECT project_id FROM project_countries WHERE iso3 = ?)"""


def cell(cells: pd.DataFrame, threat_id: str, col: str):
    found = cells[(cells["threat_id"] == threat_id) & (cells["col"] == col)]
    return (0, 0.0) if found.empty else (int(found["n_projects"].iloc[0]), float(found["funding_eur"].iloc[0]))


def test_every_threat_in_the_matrix_once_in_its_tiers_region(app_db, db):
    table = threats.threats()
    fig = charts.tier_matrix(table, threats.tiers())
    trace = next(t for t in fig.data if t.name == charts.MATRIX_TRACE)
    ids = list(trace.customdata)
    expected = [r[0] for r in db.execute("SELECT threat_id FROM threats").fetchall()]
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)) == 13
    tier_of = dict(db.execute("SELECT threat_id, tier FROM threats").fetchall())
    lower = fig.layout.meta["lower_impact_top"]  # the y axis is in px: the lower-impact row ends here
    for threat_id, x, y in zip(ids, trace.x, trace.y):
        x0, x1 = charts.REGION_X[tier_of[threat_id]]
        assert x0 < x < x1, threat_id
        if tier_of[threat_id] != 4:  # tiers 1-3 are high impact
            assert lower < y < fig.layout.yaxis.range[1], threat_id


@pytest.mark.parametrize("threat_id,iso3", [
    ("toc_drugs_guns", "JAM"), ("toc_drugs_guns", "BRB"), ("human_trafficking", "HTI"),
    ("corruption", "ATG"), ("natural_disasters", "JAM"), ("terrorism", "MSR"),
])
def test_coverage_cells_equal_sql(app_db, db, threat_id, iso3):
    expected = db.execute(CELL_SQL, [threat_id, iso3]).fetchone()
    assert cell(threats.coverage("country"), threat_id, iso3) == (expected[0], float(expected[1]))


def test_a_known_gap_is_empty(app_db, db):
    # No project addresses natural disasters anywhere: the whole row is empty.
    assert db.execute("SELECT count(*) FROM project_threats WHERE threat_id = 'natural_disasters'").fetchone() == (0,)
    cells = threats.coverage("country")
    assert cells[cells["threat_id"] == "natural_disasters"].empty
    matrix = threats.coverage_matrix(cells, threats.threats(), ["JAM", "HTI"], "n_projects")
    assert matrix.loc["natural_disasters"].isna().all()
    assert matrix.loc["toc_drugs_guns", "JAM"] >= 1


def test_donor_coverage_and_year_filter(app_db, db):
    # Donors read as the Donor projects page reads them: 'EU (10th EDF)' and 'EU (EEAS); GIZ' are the EU too.
    rows = db.execute("""SELECT p.donor FROM projects p JOIN project_threats t USING (project_id)
                         WHERE t.threat_id = 'toc_drugs_guns' AND p.duplicate_of IS NULL""").fetchall()
    eu = sum(any(part.split("(")[0].strip() == "EU" for part in re.split(r"[/;]", donor or "")) for (donor,) in rows)
    assert eu > 0
    assert cell(threats.coverage("donor"), "toc_drugs_guns", "EU")[0] == eu
    active_2025 = db.execute("""
        SELECT count(DISTINCT p.project_id) FROM projects p JOIN project_threats t USING (project_id)
        JOIN project_countries c USING (project_id)
        WHERE t.threat_id = 'toc_drugs_guns' AND c.iso3 = 'JAM' AND p.duplicate_of IS NULL
          AND year(p.start_date) <= 2025
          AND coalesce(year(p.end_date), CASE WHEN p.ongoing THEN year(current_date) END) >= 2025""").fetchone()[0]
    assert cell(threats.coverage("country", year=2025), "toc_drugs_guns", "JAM")[0] == active_2025
    assert active_2025 < cell(threats.coverage("country"), "toc_drugs_guns", "JAM")[0]


def test_duplicate_listing_counts_once(app_db, db):
    linked = [r[0] for r in db.execute("SELECT threat_id FROM project_threats WHERE project_id = 'EPA-34'").fetchall()]
    for threat_id in linked or ["toc_drugs_guns"]:
        shown = set(threats.cell_projects(threat_id, "country", None)["project_id"])
        assert "EPA-34" not in shown


def test_gap_list_ranks_tier_1_and_2_by_least_funding(app_db, db):
    gaps = threats.gaps()
    assert set(gaps["tier"]) <= {1, 2} and len(gaps) == 8
    assert list(gaps["funding_eur"]) == sorted(gaps["funding_eur"])
    row = gaps.set_index("threat_id").loc["human_trafficking"]
    countries = db.execute("""SELECT count(DISTINCT c.iso3) FROM project_threats t JOIN project_countries c
                              USING (project_id) JOIN projects p USING (project_id)
                              WHERE t.threat_id = 'human_trafficking' AND p.duplicate_of IS NULL""").fetchone()[0]
    assert row.n_countries == countries


def test_threat_answers_list_goals_priorities_and_us_areas(app_db, db):
    answers = threats.threat_answers("cybercrime")
    assert 8 in set(answers["goals"]["goal_no"])  # Goal 8: resilience to cybercrime
    assert 1 in set(answers["priorities"]["priority_no"])  # 7.1 Cybercrime
    us = answers["us_areas"].set_index("area")
    n = db.execute("SELECT count(*) FROM us_plan_commitments WHERE area = 'Cybersecurity and Cyber Crime'").fetchone()[0]
    assert us.loc["Cybersecurity and Cyber Crime", "commitments"] == n


def open_threats(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page("app_pages/threats.py")
    return at.run()


def heatmap_spec(at: AppTest) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s["data"][0]["type"] == "heatmap")


def test_page_count_funding_toggle(app_db, db):
    at = open_threats()
    assert not at.exception
    assert "projects" in heatmap_spec(at)["data"][0]["colorbar"]["title"]["text"]
    at.radio(key="t_value").set_value("funding_eur").run()
    assert not at.exception
    spec = heatmap_spec(at)["data"][0]
    assert "EUR" in spec["colorbar"]["title"]["text"]
    funding = db.execute(CELL_SQL, ["toc_drugs_guns", "JAM"]).fetchone()[1]
    unfunded = db.execute(CELL_SQL.replace("SELECT count(DISTINCT p.project_id), coalesce(sum(p.funding_eur), 0)",
                                           "SELECT count(*), 0") + " AND p.funding_eur IS NULL",
                          ["toc_drugs_guns", "JAM"]).fetchone()[0]
    row = list(threats.threats()["threat_id"]).index("toc_drugs_guns")  # rows in tier order, as the page lists
    layout = heatmap_spec(at)["layout"]
    assert layout["yaxis"]["ticktext"][row].replace("<br>", " ").startswith("T1 · Transnational Organised Crime")
    col = layout["xaxis"]["ticktext"].index("Jamaica")
    # In tenths of a million where they fit the cells, else in whole millions (16 countries at 1440 px)
    assert unfunded > 0 and spec["text"][row][col] in (f"{funding / 1e6:.1f}+", f"{funding / 1e6:.0f}+")


def test_funding_labels():
    assert charts.funding_label(float("nan"), 0) == ""
    assert charts.funding_label(0.0, 2) == "n/s"
    assert charts.funding_label(12_500_000, 0) == "12.5"
    assert charts.funding_label(12_500_000, 1) == "12.5+"


def test_page_drill_down_lists_the_cell_projects(app_db, db):
    at = open_threats({"t_threat": "human_trafficking", "t_tab": "behind"})
    at.selectbox(key="t_cell").set_value("HTI").run()
    assert not at.exception
    shown = at.dataframe[-1].value
    expected = {r[0] for r in db.execute("""
        SELECT p.name FROM projects p JOIN project_threats t USING (project_id) JOIN project_countries c USING (project_id)
        WHERE t.threat_id = 'human_trafficking' AND c.iso3 = 'HTI' AND p.duplicate_of IS NULL""").fetchall()}
    assert set(shown["Name"]) == expected and expected
    assert shown["Rationale"].str.len().min() > 5


def test_page_drill_down_empty_cell_says_gap(app_db):
    at = open_threats({"t_threat": "natural_disasters", "t_cell": "JAM", "t_tab": "behind"})
    assert not at.exception
    assert any("a gap" in i.value for i in at.info)


def test_only_the_open_tabs_are_built(app_db):
    """The matrix and the coverage heatmap on opening; the gaps and the projects behind a cell on their
    tabs; of the threat's answers, the open tab's table only."""
    at = open_threats()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2 and heatmap_spec(at)
    assert len(at.dataframe) == 1 and "Rationale" in at.dataframe[0].value.columns  # the goals
    at = open_threats({"t_tab": "gaps", "t_answers": "us_areas"})
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1  # the matrix
    assert [list(d.value.columns)[:2] for d in at.dataframe] == [["Area", "Pillar"], ["Tier", "Threat"]]
    assert at.query_params["t_tab"] == "gaps" and at.query_params["t_answers"] == "us_areas"


def test_page_filters_restore_from_url(app_db):
    at = open_threats({"t_year": "2025", "t_donor": "EU", "t_dim": "donor"})
    assert not at.exception
    assert at.selectbox(key="t_year").value == 2025
    assert at.selectbox(key="t_donor").value == "EU"
    shown = [label.replace("<br>", " ") for label in heatmap_spec(at)["layout"]["xaxis"]["ticktext"]]
    assert shown == ["Canada", "EU", "France", "GIZ", "United Kingdom", "United States", "Not stated"]
