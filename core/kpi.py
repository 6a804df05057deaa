"""KPI progress, the CCSS action-plan tracker and the Overview's headline figures (cached queries).

The documents define the KPIs, OBIs and actions but report no results or statuses: every
function here must read well on empty `kpi_results` / `action_status` tables.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core import format as fmt
from core.db import cached, query
from core.strings import t

# Stored values (action_status.status, and the URL's k_frame): the words shown for them come from status_label()
# and common.not_stated, so a translation never changes what is stored or linked.
STATUSES = ("achieved", "in progress", "not started", "not reported")
NO_FRAME = "not stated"


def status_label(status: str) -> str:
    """A stored status in words."""
    return {"achieved": t("kpi_table.status_achieved"), "in progress": t("kpi_table.status_in_progress"),
            "not started": t("kpi_table.status_not_started"),
            "not reported": t("kpi_table.status_not_reported")}.get(status, status)


def passed_flag() -> str:
    """The reporting flag of an action whose time frame ended with no status reported."""
    return t("kpi_table.passed_flag")

# Where several sources report the same figure, the most recently accessed source wins
# (ties by source id, so the choice is stable).
_LATEST_RESULTS = """
    SELECT r.*, s.accessed
    FROM kpi_results r JOIN sources s USING (source_id)
    QUALIFY row_number() OVER (PARTITION BY r.kpi_id, r.period, r.iso3, r.breakdown
                               ORDER BY s.accessed DESC, r.source_id) = 1"""

# Actions after the responsible-party and time-frame filters, each with its latest reported status.
# $parties / $frames: empty list = no filter. $year: the current year (time frames before it passed).
_FILTERED_ACTIONS = """
    WITH latest AS (
        SELECT goal_no, action_no, status, as_of, source_id
        FROM action_status
        QUALIFY row_number() OVER (PARTITION BY goal_no, action_no ORDER BY as_of DESC, source_id) = 1
    )
    SELECT a.goal_no, a.action_no, a.action, a.indicator, a.responsible,
           coalesce(a.time_frame, '""" + NO_FRAME + """') AS time_frame, a.time_frame_end_year,
           coalesce(l.status, 'not reported') AS status, l.as_of, l.source_id AS status_source_id,
           coalesce(l.status IS NULL AND a.time_frame_end_year < $year, false) AS time_frame_passed,
           a.source_id
    FROM ccss_actions a LEFT JOIN latest l USING (goal_no, action_no)
    WHERE (len($parties) = 0
           OR len(list_intersect(list_transform(string_split(coalesce(a.responsible, ''), ';'), lambda p: trim(p)),
                                 $parties)) > 0)
      AND (len($frames) = 0 OR list_contains($frames, coalesce(a.time_frame, '""" + NO_FRAME + """')))"""


def _filters(parties: tuple[str, ...], frames: tuple[str, ...], year: int) -> dict:
    return {"parties": list(parties), "frames": list(frames), "year": year}


# --- KPIs and OBIs ----------------------------------------------------------------------

@cached
def kpi_list() -> pd.DataFrame:
    """The 13 KPIs in plan order, with their group's position and whether results exist."""
    return query(f"""
        WITH results AS (
            SELECT kpi_id, count(*) AS n_results, max(period) AS latest_period FROM ({_LATEST_RESULTS})
            GROUP BY kpi_id
        ), numbered AS (
            SELECT *, CAST(substr(kpi_id, 4) AS INTEGER) AS kpi_no FROM kpis
        )
        SELECT k.kpi_id, k.group_name, min(k.kpi_no) OVER (PARTITION BY k.group_name) AS group_order,
               k.title, k.disaggregation, k.unit, k.source_id, k.source_ref,
               coalesce(r.n_results, 0) AS n_results, r.latest_period
        FROM numbered k LEFT JOIN results r USING (kpi_id)
        ORDER BY k.kpi_no""")


@cached
def kpi_totals() -> pd.DataFrame:
    """Regional totals per KPI and period (iso3 empty, breakdown 'total'): actual against target."""
    return query(f"""
        SELECT kpi_id, period, value, target, source_id
        FROM ({_LATEST_RESULTS})
        WHERE iso3 IS NULL AND breakdown = 'total'
        ORDER BY kpi_id, period""")


@cached
def kpi_periods() -> tuple[str, ...]:
    return tuple(query("SELECT DISTINCT period FROM kpi_results ORDER BY period")["period"])


@cached
def breakdown_periods() -> tuple[str, ...]:
    """Periods with at least one breakdown (anything but a regional total)."""
    return tuple(query("SELECT DISTINCT period FROM kpi_results WHERE iso3 IS NOT NULL OR breakdown <> 'total' "
                       "ORDER BY period")["period"])


@cached
def kpi_breakdowns(period: str) -> pd.DataFrame:
    """One period's breakdowns per KPI: regional ones by dimension ('gender: female') and country totals.

    Country rows broken down further (a country by gender) are left to the results table.
    """
    return query(f"""
        SELECT r.kpi_id,
               CASE WHEN r.iso3 IS NOT NULL THEN 'country'
                    WHEN contains(r.breakdown, ':') THEN trim(split_part(r.breakdown, ':', 1))
                    ELSE 'breakdown' END AS dimension,
               CASE WHEN r.iso3 IS NOT NULL THEN c.name
                    WHEN contains(r.breakdown, ':') THEN trim(r.breakdown[strpos(r.breakdown, ':') + 1:])
                    ELSE r.breakdown END AS category,
               r.iso3, r.value, r.target, r.source_id
        FROM ({_LATEST_RESULTS}) r LEFT JOIN countries c USING (iso3)
        WHERE r.period = $period
          AND ((r.iso3 IS NULL AND r.breakdown <> 'total') OR (r.iso3 IS NOT NULL AND r.breakdown = 'total'))
        ORDER BY r.kpi_id, dimension, r.value DESC""", {"period": period})


@cached
def kpi_results() -> pd.DataFrame:
    """Every reported result, as stored (country empty for a regional figure)."""
    return query("""
        SELECT r.kpi_id, r.period, c.name AS country, r.breakdown, r.value, r.target,
               s.title AS source_title, r.source_ref, r.note, r.source_id
        FROM kpi_results r JOIN sources s USING (source_id) LEFT JOIN countries c USING (iso3)
        ORDER BY CAST(substr(r.kpi_id, 4) AS INTEGER), r.period, r.iso3 NULLS FIRST, r.breakdown""")


def kpi_results_table() -> pd.DataFrame:
    """Every reported result for the table and downloads, with the headings shown (source_id kept last).

    Outside the cache, so the headings follow the reader's language."""
    rows = kpi_results()
    return pd.DataFrame({
        t("kpi_table.kpi"): rows["kpi_id"],
        t("kpi_table.period"): rows["period"],
        t("common.country"): rows["country"].fillna(t("kpi_table.regional")),
        t("kpi_table.breakdown"): rows["breakdown"],
        t("kpi_table.result"): rows["value"],
        t("kpi_table.target"): rows["target"],
        t("kpi_table.source"): rows["source_title"],
        t("kpi_table.where"): rows["source_ref"],
        t("kpi_table.note"): rows["note"],
        "source_id": rows["source_id"],
    })


@cached
def obi_list() -> pd.DataFrame:
    """The 12 opinion-based indicators in plan order, with how many results each has."""
    return query("""
        SELECT o.obi_id, o.criterion, o.title, o.kind, o.assessment, o.source_id, o.source_ref,
               (SELECT count(*) FROM obi_results r WHERE r.obi_id = o.obi_id) AS n_results
        FROM obis o ORDER BY CAST(substr(o.obi_id, 4) AS INTEGER)""")


@cached
def obi_results() -> pd.DataFrame:
    """Every reported OBI result (country empty for a regional one), newest report last within a period."""
    return query("""
        SELECT r.obi_id, r.period, r.iso3, c.name AS country, r.value, r.unit, r.baseline, r.assessment,
               r.as_of, s.title AS source_title, r.source_ref, r.source_id
        FROM obi_results r JOIN sources s USING (source_id) LEFT JOIN countries c USING (iso3)
        ORDER BY CAST(substr(r.obi_id, 4) AS INTEGER), r.period, r.iso3 NULLS FIRST, r.as_of""")


# --- CCSS action-plan tracker -------------------------------------------------------------

@cached
def responsible_parties() -> tuple[str, ...]:
    """Every party named in the action plan's 'responsible' column, as written."""
    return tuple(query("""
        SELECT DISTINCT trim(p) AS party
        FROM (SELECT unnest(string_split(responsible, ';')) AS p FROM ccss_actions WHERE responsible IS NOT NULL)
        WHERE trim(p) <> '' ORDER BY party""")["party"])


@cached
def time_frames() -> tuple[str, ...]:
    """Time frames as written: years in order, then the others ('Ongoing', ...), then 'not stated'."""
    return tuple(query(f"""
        SELECT DISTINCT coalesce(time_frame, '{NO_FRAME}') AS time_frame,
               time_frame IS NULL AS missing, time_frame_end_year
        FROM ccss_actions
        ORDER BY missing, time_frame_end_year NULLS LAST, time_frame""")["time_frame"])


@cached
def goals() -> pd.DataFrame:
    return query("SELECT goal_no, title, source_id FROM strategic_goals ORDER BY goal_no")


@cached
def tracker_actions(parties: tuple[str, ...], frames: tuple[str, ...], year: int) -> pd.DataFrame:
    """The filtered actions with their latest status and the passed-time-frame flag."""
    return query(_FILTERED_ACTIONS + " ORDER BY a.goal_no, a.action_no", _filters(parties, frames, year))


@cached
def goal_status_shares(parties: tuple[str, ...], frames: tuple[str, ...], year: int) -> pd.DataFrame:
    """Per goal (all 14, also those the filters empty): counts and shares of each latest status."""
    return query(f"""
        WITH f AS ({_FILTERED_ACTIONS})
        SELECT g.goal_no, g.title, count(f.action_no) AS n_actions,
               count(*) FILTER (WHERE f.status = 'achieved') AS achieved,
               count(*) FILTER (WHERE f.status = 'in progress') AS "in progress",
               count(*) FILTER (WHERE f.status = 'not started') AS "not started",
               count(*) FILTER (WHERE f.status = 'not reported') AS "not reported",
               count(*) FILTER (WHERE f.status <> 'not reported') AS n_reported,
               count(*) FILTER (WHERE f.time_frame_passed) AS time_frame_passed
        FROM strategic_goals g LEFT JOIN f USING (goal_no)
        GROUP BY g.goal_no, g.title ORDER BY g.goal_no""", _filters(parties, frames, year))


def with_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Add a share (0-1) column per status; goals with no action get empty shares, not zeros."""
    out = counts.copy()
    total = out["n_actions"].where(out["n_actions"] > 0)
    for status in STATUSES:
        out[f"share {status}"] = out[status] / total
    return out


def action_table(actions: pd.DataFrame) -> pd.DataFrame:
    """The tracker's table: what a reader needs, with the reporting flag in words."""
    not_stated = t("common.not_stated")
    return pd.DataFrame({
        t("kpi_table.no"): actions["action_no"],
        t("kpi_table.action"): actions["action"],
        t("kpi_table.indicator"): actions["indicator"].fillna(not_stated),
        t("kpi_table.responsible"): actions["responsible"].fillna(not_stated),
        t("kpi_table.time_frame"): actions["time_frame"].replace(NO_FRAME, not_stated),
        t("kpi_table.latest_status"): actions["status"].map(status_label),
        t("kpi_table.reporting"): actions["time_frame_passed"].map({True: passed_flag(), False: ""}),
        t("kpi_table.as_of"): [fmt.day_short(d, missing="")
                               for d in actions["as_of"]],
    }).reset_index(drop=True)


# --- Overview headline figures --------------------------------------------------------------

@cached
def active_projects_summary(year: int, today: dt.date) -> pd.Series:
    """Projects active in `year` (period overlaps it; 'ongoing' = active until today), counted once.

    A listing with `duplicate_of` set is the same project as another row: left out; a retired project too.
    """
    return query("""
        WITH p AS (
            SELECT *, coalesce(end_date, CASE WHEN ongoing THEN $today END) AS until
            FROM projects WHERE duplicate_of IS NULL AND retired_on IS NULL
        ), active AS (
            SELECT * FROM p
            WHERE (start_date <= make_date($year, 12, 31) OR (start_date IS NULL AND ongoing))
              AND until >= make_date($year, 1, 1)
        )
        SELECT count(*) AS n_active, sum(funding_eur) AS funding_eur,
               count(*) FILTER (WHERE funding_eur IS NULL) AS n_no_funding,
               list(DISTINCT source_id ORDER BY source_id) AS source_ids
        FROM active""", {"year": year, "today": today}).iloc[0]


@cached
def kpi_coverage() -> pd.Series:
    return query("""
        SELECT count(*) AS n_kpis, count(*) FILTER (WHERE kpi_id IN (SELECT kpi_id FROM kpi_results)) AS n_with_results,
               (SELECT max(period) FROM kpi_results) AS latest_period
        FROM kpis""").iloc[0]


@cached
def action_coverage(year: int) -> pd.Series:
    """How many actions have a reported status, and how many passed their time frame without one."""
    return query(f"""
        WITH f AS ({_FILTERED_ACTIONS})
        SELECT count(*) AS n_actions, count(*) FILTER (WHERE status <> 'not reported') AS n_reported,
               count(*) FILTER (WHERE status = 'achieved') AS n_achieved,
               count(*) FILTER (WHERE time_frame_passed) AS n_passed,
               max(as_of) AS latest_as_of
        FROM f""", _filters((), (), year)).iloc[0]


@cached
def threat_coverage() -> pd.Series:
    """How many threats the CCSS lists, in how many tiers, and how many sit in tier 1."""
    return query("""
        SELECT count(*) AS n_threats, count(DISTINCT t.tier) AS n_tiers,
               count(*) FILTER (WHERE t.tier = 1) AS n_tier1,
               any_value(r.likelihood) AS tier1_likelihood, any_value(r.impact) AS tier1_impact
        FROM threats t CROSS JOIN (SELECT likelihood, impact FROM tiers WHERE tier = 1) r""").iloc[0]
