"""Threat-tier queries: the CCSS threats, and how cooperation projects cover them.

Coverage counts distinct projects; a project the document lists twice (`duplicate_of`) counts
once. Funding sums `funding_eur` of those projects, the full amount in every cell the project
touches (a regional project is counted in each of its countries); projects with no stated
amount are counted apart, so totals are not mistaken for complete.
"""
from __future__ import annotations

import pandas as pd

from core.db import cached, query
from core.partners import NOT_STATED, PARTNERS_SQL

# Projects kept by the filters: active in a year (period overlaps it; ongoing = active until today),
# a donor (as core/partners.py reads donors, the Donor projects page too), a country. Undated projects are
# left out when a year is chosen: they cannot be placed.
_FILTERED = PARTNERS_SQL + """,
    donors AS (SELECT project_id, name AS donor FROM partners WHERE kind = 'donor'),
    filtered AS (
        SELECT p.project_id, p.name, p.donor AS donor_as_written, p.implementer,
               p.period_text, p.funding_eur, p.start_date, p.end_date, p.ongoing
        FROM projects p
        WHERE p.duplicate_of IS NULL AND p.retired_on IS NULL
          AND ($year IS NULL OR (p.start_date IS NOT NULL
               AND year(p.start_date) <= $year
               AND (CASE WHEN p.ongoing AND p.end_date IS NULL THEN year(current_date)
                         ELSE year(p.end_date) END) >= $year))
          AND ($donor IS NULL OR EXISTS (SELECT 1 FROM donors d WHERE d.project_id = p.project_id AND d.donor = $donor))
          AND ($iso3 IS NULL OR EXISTS (SELECT 1 FROM project_countries pc
                                        WHERE pc.project_id = p.project_id AND pc.iso3 = $iso3))
    )"""


def _params(year: int | None, donor: str | None, iso3: str | None) -> dict:
    return {"year": year, "donor": donor, "iso3": iso3}


@cached
def threats() -> pd.DataFrame:
    return query("""
        SELECT t.threat_id, t.tier, r.name AS tier_name, r.likelihood, r.impact, t.name, t.description,
               t.source_id, t.source_ref
        FROM threats t JOIN tiers r ON r.tier = t.tier
        ORDER BY t.tier, t.name""")


@cached
def tiers() -> pd.DataFrame:
    return query("SELECT tier, name, definition, likelihood, impact, source_ref FROM tiers ORDER BY tier")


@cached
def donors() -> tuple[str, ...]:
    """Donors as core/partners.py reads them (the Donor projects page's list), 'Not stated' last."""
    return tuple(query(f"WITH {PARTNERS_SQL} SELECT DISTINCT name FROM partners WHERE kind = 'donor' "
                       f"ORDER BY name = '{NOT_STATED}', lower(name)")["name"])


@cached
def coverage(dimension: str, year: int | None = None, donor: str | None = None,
             iso3: str | None = None) -> pd.DataFrame:
    """One row per (threat, column) with projects: n_projects, funding_eur, n_unfunded.

    `dimension` is 'country' (columns are iso3) or 'donor'.
    """
    if dimension == "country":
        column_sql = "JOIN project_countries pc ON pc.project_id = f.project_id"
        column = "pc.iso3"
    elif dimension == "donor":
        column_sql, column = "JOIN donors d ON d.project_id = f.project_id", "d.donor"
    else:
        raise ValueError(f"unknown dimension {dimension!r}")
    return query(f"""
        WITH {_FILTERED}
        SELECT pt.threat_id, {column} AS col, count(DISTINCT f.project_id) AS n_projects,
               coalesce(sum(f.funding_eur), 0) AS funding_eur,
               count(DISTINCT f.project_id) FILTER (WHERE f.funding_eur IS NULL) AS n_unfunded
        FROM filtered f JOIN project_threats pt ON pt.project_id = f.project_id {column_sql}
        GROUP BY ALL ORDER BY 1, 2""", _params(year, donor, iso3))


@cached
def gaps(year: int | None = None, donor: str | None = None, iso3: str | None = None) -> pd.DataFrame:
    """Tier 1 and 2 threats, least covered first: stated funding, countries reached, projects."""
    return query(f"""
        WITH {_FILTERED},
        per_threat AS (
            SELECT pt.threat_id, count(DISTINCT f.project_id) AS n_projects,
                   coalesce(sum(f.funding_eur), 0) AS funding_eur,
                   count(DISTINCT f.project_id) FILTER (WHERE f.funding_eur IS NULL) AS n_unfunded
            FROM filtered f JOIN project_threats pt ON pt.project_id = f.project_id
            GROUP BY 1
        ),
        reach AS (
            SELECT pt.threat_id, count(DISTINCT pc.iso3) AS n_countries
            FROM filtered f JOIN project_threats pt ON pt.project_id = f.project_id
            JOIN project_countries pc ON pc.project_id = f.project_id
            GROUP BY 1
        )
        SELECT t.tier, t.name AS threat, t.threat_id,
               coalesce(p.funding_eur, 0) AS funding_eur, coalesce(r.n_countries, 0) AS n_countries,
               coalesce(p.n_projects, 0) AS n_projects, coalesce(p.n_unfunded, 0) AS n_unfunded
        FROM threats t LEFT JOIN per_threat p USING (threat_id) LEFT JOIN reach r USING (threat_id)
        WHERE t.tier <= 2
        ORDER BY funding_eur, n_countries, n_projects, t.tier, t.name""", _params(year, donor, iso3))


@cached
def cell_projects(threat_id: str, dimension: str, col: str | None, year: int | None = None,
                  donor: str | None = None, iso3: str | None = None) -> pd.DataFrame:
    """The projects behind one coverage cell (or the whole threat row when `col` is None)."""
    return query(f"""
        WITH {_FILTERED}
        SELECT f.project_id, f.name, f.donor_as_written AS donor, f.implementer,
               (SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM project_countries pc
                JOIN countries c ON c.iso3 = pc.iso3 WHERE pc.project_id = f.project_id) AS countries,
               f.period_text AS period, f.funding_eur, pt.rationale
        FROM filtered f JOIN project_threats pt ON pt.project_id = f.project_id
        WHERE pt.threat_id = $threat
          AND ($col IS NULL
               OR ($dimension = 'donor' AND EXISTS (SELECT 1 FROM donors d
                                                    WHERE d.project_id = f.project_id AND d.donor = $col))
               OR ($dimension = 'country' AND EXISTS (SELECT 1 FROM project_countries pc
                                                      WHERE pc.project_id = f.project_id AND pc.iso3 = $col)))
        ORDER BY f.funding_eur DESC NULLS LAST, f.name""",
        {**_params(year, donor, iso3), "threat": threat_id, "dimension": dimension, "col": col})


@cached
def threat_answers(threat_id: str) -> dict[str, pd.DataFrame]:
    """What answers a threat: CCSS goals, EL PACCTO 2.0 priorities, U.S. Plan areas (with commitments)."""
    goals = query("""
        SELECT g.goal_no, g.title, gt.rationale FROM goal_threats gt
        JOIN strategic_goals g ON g.goal_no = gt.goal_no WHERE gt.threat_id = ? ORDER BY g.goal_no""", [threat_id])
    priorities = query("""
        SELECT p.priority_no, p.title, pt.rationale FROM priority_threats pt
        JOIN elpaccto_priorities p ON p.priority_no = pt.priority_no WHERE pt.threat_id = ?
        ORDER BY p.priority_no""", [threat_id])
    us_areas = query("""
        SELECT ut.area, (SELECT any_value(pillar) FROM us_plan_commitments c WHERE c.area = ut.area) AS pillar,
               (SELECT count(*) FROM us_plan_commitments c WHERE c.area = ut.area) AS commitments,
               ut.rationale
        FROM us_plan_threats ut WHERE ut.threat_id = ? ORDER BY ut.area""", [threat_id])
    return {"goals": goals, "priorities": priorities, "us_areas": us_areas}


@cached
def project_years() -> tuple[int, int]:
    row = query("SELECT min(year(start_date)), year(current_date) FROM projects").iloc[0]
    return int(row.iloc[0]), int(row.iloc[1])


def coverage_matrix(cells: pd.DataFrame, threat_rows: pd.DataFrame, columns: list[str],
                    value: str) -> pd.DataFrame:
    """Pivot coverage into threats (rows, by tier) x columns; cells with no project stay empty (NaN)."""
    wide = cells.pivot_table(index="threat_id", columns="col", values=value, aggfunc="sum")
    return wide.reindex(index=threat_rows["threat_id"], columns=columns)
