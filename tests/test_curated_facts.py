"""Facts from the source documents, checked in the built database (not just shapes)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

CURATED = Path(__file__).resolve().parents[1] / "data" / "curated"


def rows(db, sql, params=()):
    return db.execute(sql, params).fetchall()


def test_every_curated_row_names_its_source():
    for path in sorted(CURATED.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                if path.name == "sources.csv":
                    assert row["source_id"] and row["citation"], f"{path.name}:{line}"
                else:
                    assert row["source_id"].strip() and row["source_ref"].strip(), f"{path.name}:{line}"


def test_sixteen_countries_with_memberships(db):
    assert rows(db, "SELECT count(*) FROM countries") == [(16,)]
    assert rows(db, "SELECT iso3 FROM countries WHERE NOT is_caricom_member") == [("DOM",)]
    assert rows(db, "SELECT iso3 FROM countries WHERE NOT in_elpaccto") == [("MSR",)]


def test_ccss_tiers_and_their_threats(db):
    by_tier = dict(rows(db, "SELECT tier, list(threat_id ORDER BY threat_id) FROM threats GROUP BY tier"))
    assert by_tier[1] == sorted(["toc_drugs_guns", "gangs", "cybercrime", "financial_crime", "corruption"])
    assert by_tier[2] == sorted(["human_trafficking", "natural_disasters", "public_order"])
    assert by_tier[3] == sorted(["critical_infrastructure", "terrorism"])
    assert by_tier[4] == sorted(["climate_change", "pandemics", "migratory_pressures"])
    assert rows(db, "SELECT tier, likelihood, impact FROM tiers ORDER BY tier") == [
        (1, "high", "high"), (2, "likely", "high"), (3, "low", "high"), (4, "not assessable", "not assessable")]
    assert rows(db, "SELECT name FROM tiers WHERE tier = 1") == [("Immediate Significant Threats",)]


def test_fourteen_goals_and_actions_per_goal(db):
    assert rows(db, "SELECT count(*) FROM strategic_goals") == [(14,)]
    assert rows(db, "SELECT title FROM strategic_goals WHERE goal_no = 8") == [
        ("Strengthen CARICOM's Resilience to Cybercrime",)]
    per_goal = dict(rows(db, "SELECT goal_no, count(*) FROM ccss_actions GROUP BY goal_no"))
    assert per_goal == {1: 10, 2: 7, 3: 10, 4: 8, 5: 10, 6: 9, 7: 14, 8: 7, 9: 6, 10: 5, 11: 9, 12: 5,
                        13: 3, 14: 4}
    # Goal 12, action iii: "Urge Member States to adopt national action plans against ..." by 2014.
    action = rows(db, "SELECT action, time_frame, time_frame_end_year FROM ccss_actions "
                      "WHERE goal_no = 12 AND action ILIKE 'Urge Member States to adopt national action plans%'")
    assert len(action) == 1 and action[0][1:] == ("2014", 2014)


def test_elpaccto_priorities_kpis_obis(db):
    assert rows(db, "SELECT count(*) FROM elpaccto_priorities") == [(11,)]
    assert rows(db, "SELECT title FROM elpaccto_priorities WHERE priority_no = 1")[0][0].startswith("Cybercrime")
    assert rows(db, "SELECT list(kpi_id ORDER BY kpi_id) FROM kpis")[0][0] == sorted(f"KPI{i}" for i in range(1, 14))
    assert rows(db, "SELECT title FROM kpis WHERE kpi_id = 'KPI1'") == [("Percentage of annual budget implemented",)]
    assert rows(db, "SELECT count(*) FROM obis") == [(12,)]
    assert rows(db, "SELECT kind FROM obis WHERE obi_id = 'OBI2'") == [("qualitative",)]
    # The documents report no results or statuses: none are invented.
    assert rows(db, "SELECT count(*) FROM kpi_results") == [(0,)]
    assert rows(db, "SELECT count(*) FROM action_status") == [(0,)]


@pytest.mark.parametrize("name,amount,start,end,countries", [
    ("PACE Justice", 10_310_000, "2023-03-01", "2027-03-31", {"ATG", "BRB", "BLZ", "DMA", "GUY", "LCA", "KNA", "TTO"}),
    ("SEACOP VI", 6_000_000, "2023-01-01", "2026-12-31", None),
    ("AIRCOP VI", 10_000_000, "2022-05-01", "2026-05-31", {"BRB", "DOM", "JAM", "TTO"}),
    ("COLIBRI II", 23_000_000, "2023-04-01", "2026-08-31", set()),
    ("CariSECURE 2.0", 12_500_000, "2022-04-01", "2026-04-30", {"ATG", "BRB", "GRD", "LCA", "VCT", "TTO"}),
])
def test_annex_project_amounts_periods_countries(db, name, amount, start, end, countries):
    found = rows(db, "SELECT project_id, funding_eur, start_date::VARCHAR, end_date::VARCHAR FROM projects "
                     "WHERE name = ? AND source_id = 'elpaccto_carib_2025'", [name])
    assert len(found) == 1, found
    project_id, funding, s, e = found[0]
    assert (funding, s, e) == (amount, start, end)
    if countries is not None:
        linked = {r[0] for r in rows(db, "SELECT iso3 FROM project_countries WHERE project_id = ?", [project_id])}
        assert linked == countries


def test_cbsi_is_us_and_ongoing_with_no_amount(db):
    assert rows(db, "SELECT donor, ongoing, start_date::VARCHAR, funding_eur FROM projects "
                    "WHERE name LIKE '%Caribbean Basin Security Initiative%'") == [("United States", True, "2010-01-01", None)]


def test_duplicate_annex_row_is_marked(db):
    assert rows(db, "SELECT project_id, duplicate_of FROM projects WHERE duplicate_of IS NOT NULL") == [("EPA-34", "EPA-18")]


def test_quoted_homicide_figures_kept_beside_the_data_set(db):
    jam = dict(rows(db, "SELECT source_id, rate_per_100k FROM homicide_rates WHERE iso3 = 'JAM' AND year = 2022"))
    assert jam == {"elpaccto_carib_2025": 53.3, "owid_unodc_homicide": pytest.approx(53.1, abs=0.05)}
    assert rows(db, "SELECT year, rate_per_100k FROM homicide_rates WHERE iso3 = 'TTO' "
                    "AND source_id = 'elpaccto_carib_2025'") == [(None, 39.5)]
    ccss = dict(rows(db, "SELECT area, rate_per_100k FROM homicide_benchmarks WHERE source_id = 'ccss_2013'"))
    assert ccss == {"CARICOM average": 30, "World": 5, "Mexico": 18, "United States": 4.6}
    assert rows(db, "SELECT rate_per_100k FROM homicide_benchmarks WHERE source_id = 'elpaccto_carib_2025' "
                    "AND area = 'World'") == [(6.1,)]


def test_reference_series_complete_for_the_16(db):
    assert rows(db, "SELECT count(*) FROM homicide_rates WHERE source_id = 'owid_unodc_homicide'") == [(425,)]
    assert rows(db, "SELECT min(year), max(year) FROM homicide_rates WHERE iso3 = 'MSR'") == [(1990, 2018)]
    assert rows(db, "SELECT min(year) FROM homicide_rates WHERE iso3 = 'HTI' AND year IS NOT NULL") == [(2007,)]
    areas = dict(rows(db, "SELECT area, count(*) FROM homicide_benchmarks WHERE source_id = 'owid_unodc_homicide' GROUP BY area"))
    assert areas == {"World": 24, "Latin America and the Caribbean": 24}


def test_us_plan_commitments(db):
    assert rows(db, "SELECT count(*), count(DISTINCT pillar) FROM us_plan_commitments") == [(154, 3)]
    areas_linked = rows(db, "SELECT count(DISTINCT area) FROM us_plan_threats")[0][0]
    assert areas_linked == rows(db, "SELECT count(DISTINCT area) FROM us_plan_commitments")[0][0]


def test_every_threat_link_has_a_rationale(db):
    for table in ("goal_threats", "priority_threats", "project_threats", "us_plan_threats"):
        assert rows(db, f"SELECT count(*) FROM {table} WHERE length(trim(rationale)) < 5") == [(0,)], table
