"""KPI progress, the CCSS action-plan tracker and the Overview: queries, figures and pages.

The shipped database holds definitions only; the "with results" tests write fixture rows into a
copy of the built database and check that the pages show exactly those values.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import kpi, ui
from core.figures import kpi as charts

ROOT = Path(__file__).resolve().parents[1]
KPI_PAGE = str(ROOT / "app_pages" / "kpi_progress.py")
OVERVIEW_PAGE = str(ROOT / "app_pages" / "overview.py")
THIS_YEAR = dt.date.today().year
NO_RESULT = "No result reported yet."

# Fixture results: (kpi_id, period, iso3, breakdown, value, target)
RESULTS = [
    ("KPI3", "2025", None, "total", 40, 50),
    ("KPI3", "2026-H1", None, "total", 22, 30),
    ("KPI3", "2026-H2", None, "total", 35, 30),
    ("KPI3", "2026-H1", "JAM", "total", 9, None),
    ("KPI3", "2026-H1", "DOM", "total", 5, None),
    ("KPI3", "2026-H1", None, "type of activity: trainings", 12, None),
    ("KPI3", "2026-H1", None, "type of activity: technical activities", 10, None),
    ("KPI8", "2026-H1", None, "total", 310, 400),
    ("KPI8", "2026-H1", None, "gender: female", 170, None),
    ("KPI8", "2026-H1", None, "gender: male", 140, None),
]
# Fixture statuses: (goal_no, action_no, status, as_of). Action 1.2's later report supersedes its first.
STATUSES = [
    (1, 1, "achieved", "2025-06-30"), (1, 2, "in progress", "2025-06-30"), (1, 2, "achieved", "2026-06-30"),
    (1, 3, "not started", "2026-06-30"), (2, 1, "in progress", "2026-06-30"), (7, 1, "achieved", "2026-06-30"),
]


def run_kpi_page(view: str = "kpis", params: dict | None = None) -> AppTest:
    at = AppTest.from_file(KPI_PAGE, default_timeout=60)
    at.query_params["k_view"] = view
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart(at: AppTest, key: str) -> dict:
    """The Plotly spec of the chart with this widget key."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, key
    return json.loads(found[0].proto.spec)


def plain(values) -> list:
    """Plotly packs numeric arrays as {'dtype', 'bdata'} (base64): unpack them to a list."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def trace(spec: dict, name: str) -> dict:
    """One trace's data as plain lists."""
    found = next(t for t in spec["data"] if t.get("name") == name)
    return {k: plain(found[k]) for k in ("x", "y", "text") if k in found}


@pytest.fixture
def results_db(built_db, tmp_path, monkeypatch):
    """A copy of the built database with fixture KPI results and action statuses; the app reads it."""
    path = tmp_path / "with_results.duckdb"
    shutil.copy(built_db, path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO sources VALUES ('test_results', 'Fixture results', 'Tests', 2026, 'dataset', "
                "'Rows written by tests/test_kpi.py', NULL, DATE '2026-07-01')")
    con.executemany("INSERT INTO kpi_results VALUES (?, ?, ?, ?, ?, ?, 'test_results', 'fixture', NULL)", RESULTS)
    con.executemany("INSERT INTO action_status VALUES (?, ?, ?, ?, 'test_results', 'fixture', NULL)", STATUSES)
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    st.cache_data.clear()
    yield duckdb.connect(str(path), read_only=True)
    st.cache_data.clear()


# --- shipped data: definitions only ---------------------------------------------------------

def test_kpis_in_plan_order_and_groups(app_db, db):
    kpis = kpi.kpi_list()
    assert list(kpis["kpi_id"]) == [f"KPI{i}" for i in range(1, 14)]
    groups = [g for (g,) in db.execute("SELECT group_name FROM kpis ORDER BY CAST(substr(kpi_id, 4) AS INT)")
              .fetchall()]
    assert list(dict.fromkeys(kpis.sort_values("group_order")["group_name"])) == list(dict.fromkeys(groups))
    assert len(set(groups)) == 8 and (kpis["n_results"] == 0).all()


def test_shipped_data_lists_every_kpi_with_no_result(app_db, db):
    at = run_kpi_page("kpis")
    text = [m.value for m in at.markdown]
    captions = " ".join(c.value for c in at.caption)
    for kpi_id, title, disaggregation in db.execute("SELECT kpi_id, title, disaggregation FROM kpis").fetchall():
        assert f"**{kpi_id}: {ui.md(title)}**" in text
        assert ui.md(disaggregation or "none stated in the plan") in captions
    assert sum(NO_RESULT in t for t in text) == 13
    assert not at.get("plotly_chart"), "no empty or zero chart when nothing is reported"
    groups = {g for (g,) in db.execute("SELECT DISTINCT group_name FROM kpis").fetchall()}
    assert groups <= {s.value for s in at.subheader}
    assert at.metric[0].value == "0 of 13"


def test_shipped_data_lists_every_obi_with_no_result(app_db, db):
    at = run_kpi_page("obis")
    text = [m.value for m in at.markdown]
    for obi_id, title, kind in db.execute("SELECT obi_id, title, kind FROM obis").fetchall():
        assert f"**{obi_id}: {ui.md(title)}**" in text
    assert sum(NO_RESULT in t for t in text) == 12
    # Section 9.2's classification: 4 qualitative; 8 quantitative, 7 of them complemented with an assessment.
    kinds = [c.value for c in at.caption if c.value.startswith(("Quantitative", "Qualitative"))]
    assert kinds.count("Qualitative") == 4 and kinds.count("Quantitative") == 1
    assert kinds.count("Quantitative, complemented with a qualitative assessment") == 7


def test_obi_results_show_value_against_baseline_and_the_latest_assessment(app_db):
    """The demonstration set holds OBI results (the shipped data reports none)."""
    at = AppTest.from_file(KPI_PAGE, default_timeout=60)
    at.query_params["k_view"] = "obis"
    at.session_state["demo"] = True  # the sidebar switch (dashboard.py draws it; this runs the page alone)
    at.run()
    assert not at.exception
    titles = [a["text"] for c in at.get("plotly_chart") for a in json.loads(c.proto.spec)["layout"]["annotations"]
              if a.get("name") == "title"]
    assert titles == ["OBI1: reported value against the baseline, by period",
                      "OBI3: reported value against the baseline, by period"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = next(trace["text"] for trace in spec["data"] if trace.get("mode") == "text")
    assert [label.strip() for label in labels] == ["68 (+8 against the baseline)", "74 (+14 against the baseline)"]
    quotes = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert any("translation of materials into Spanish and French" in q for q in quotes)  # OBI1's latest, 2026
    assert sum(NO_RESULT in m.value for m in at.markdown) == 12 - 4  # OBI1, 2, 3 and 6 report


def test_every_action_appears_under_its_goal(app_db, db):
    at = run_kpi_page("actions")
    goals = db.execute("SELECT goal_no, title FROM strategic_goals ORDER BY goal_no").fetchall()
    assert not at.table  # each goal's actions are built when its expander opens
    for goal_no, _ in goals:
        at.session_state[f"k_goal_{goal_no}"] = True
    at.run()
    assert not at.exception
    at_expanders = [e for e in at.expander if e.label.startswith("Goal ")]
    assert len(at_expanders) == 14
    for expander, (goal_no, title) in zip(at_expanders, goals):
        assert expander.label.startswith(f"Goal {goal_no}: {title}:")
        expected = db.execute("SELECT action_no, action, coalesce(indicator, 'not stated') FROM ccss_actions "
                              "WHERE goal_no = ? ORDER BY action_no", [goal_no]).fetchall()
        table = expander.table[0].value
        assert list(zip(table["No."], table["Action"], table["Performance indicator"])) == expected
        assert set(table["Latest status"]) == {"not reported"}
    assert sum(len(e.table[0].value) for e in at_expanders) == db.execute(
        "SELECT count(*) FROM ccss_actions").fetchone()[0]


def open_goals(at: AppTest) -> AppTest:
    """Open every goal's expander (their tables are built only when open)."""
    for goal_no in range(1, 15):
        at.session_state[f"k_goal_{goal_no}"] = True
    return at.run()


def test_passed_time_frames_are_flagged_as_unreported(app_db, db):
    passed = db.execute("SELECT goal_no, action_no FROM ccss_actions WHERE time_frame_end_year < ? "
                        "ORDER BY goal_no, action_no", [THIS_YEAR]).fetchall()
    actions = kpi.tracker_actions((), (), THIS_YEAR)
    flagged = actions[actions["time_frame_passed"]]
    assert list(zip(flagged["goal_no"], flagged["action_no"])) == passed and len(passed) > 0
    assert (kpi.action_table(actions)["Reporting"] == kpi.passed_flag()).sum() == len(passed)
    at = run_kpi_page("actions")
    assert at.metric[2].label == "Time frame passed, no status reported"
    assert at.metric[2].value == str(len(passed))
    # A time frame ending in the current year has not passed yet.
    in_2014 = kpi.tracker_actions((), (), 2014)
    assert set(in_2014.loc[in_2014["time_frame_passed"], "time_frame_end_year"]) == {2013}
    assert not kpi.tracker_actions((), (), 2000)["time_frame_passed"].any()


def test_not_reported_is_neutral_grey():
    red, green, blue = (int(charts.STATUS_COLOURS["not reported"][i:i + 2], 16) for i in (1, 3, 5))
    assert red == green == blue


def test_filter_by_responsible_party_and_time_frame(app_db, db):
    expected = db.execute("""
        SELECT goal_no, action_no FROM ccss_actions
        WHERE list_contains(string_split(responsible, '; '), 'CFATF') AND time_frame IN ('Ongoing', '2016')
        ORDER BY goal_no, action_no""").fetchall()
    actions = kpi.tracker_actions(("CFATF",), ("2016", "Ongoing"), THIS_YEAR)
    assert list(zip(actions["goal_no"], actions["action_no"])) == expected and expected
    at = open_goals(run_kpi_page("actions", {"k_party": "CFATF", "k_frame": "2016,Ongoing"}))
    assert at.multiselect(key="k_party").value == ["CFATF"]
    assert at.metric[0].value.startswith(f"{len(expected)} of ")
    assert sum(len(e.table[0].value) for e in at.expander) == len(expected)
    assert {int(e.label.split(":")[0].removeprefix("Goal ")) for e in at.expander} == {g for g, _ in expected}


def test_actions_without_a_time_frame_can_be_chosen(app_db, db):
    missing = db.execute("SELECT count(*) FROM ccss_actions WHERE time_frame IS NULL").fetchone()[0]
    assert kpi.time_frames()[-1] == kpi.NO_FRAME
    assert len(kpi.tracker_actions((), (kpi.NO_FRAME,), THIS_YEAR)) == missing


# --- with fixture results -----------------------------------------------------------------------

def test_goal_shares_show_exactly_the_reported_statuses(results_db):
    shares = kpi.with_shares(kpi.goal_status_shares((), (), THIS_YEAR)).set_index("goal_no")
    goal1 = shares.loc[1]  # 10 actions: 1.1 and 1.2 achieved (1.2's latest report), 1.3 not started
    assert (goal1["n_actions"], goal1["achieved"], goal1["in progress"], goal1["not started"],
            goal1["not reported"]) == (10, 2, 0, 1, 7)
    assert [goal1[f"share {s}"] for s in kpi.STATUSES] == pytest.approx([0.2, 0.0, 0.1, 0.7])
    assert shares.loc[2, "share in progress"] == pytest.approx(1 / 7)
    assert shares.loc[7, "share achieved"] == pytest.approx(1 / 14)
    assert shares.loc[3, "share not reported"] == 1.0

    at = run_kpi_page("actions")
    spec = chart(at, "k_goal_chart")
    assert trace(spec, "achieved")["x"][0] == pytest.approx(20.0)
    assert trace(spec, "not started")["x"][0] == pytest.approx(10.0)
    assert trace(spec, "not reported")["x"][0] == pytest.approx(70.0)
    assert trace(spec, "in progress")["x"][1] == pytest.approx(100 / 7)
    assert at.metric[1].value == "5 of 107"
    open_goals(at)
    goal1_table = at.expander[0].table[0].value.set_index("No.")
    assert list(goal1_table.loc[[1, 2, 3], "Latest status"]) == ["achieved", "achieved", "not started"]
    assert goal1_table.loc[2, "As of"] == "30 Jun 2026"


def test_reported_actions_are_not_flagged(results_db):
    db = results_db
    expected = db.execute("""
        SELECT count(*) FROM ccss_actions a
        WHERE time_frame_end_year < ? AND NOT EXISTS (
            SELECT 1 FROM action_status s WHERE s.goal_no = a.goal_no AND s.action_no = a.action_no)""",
                          [THIS_YEAR]).fetchone()[0]
    actions = kpi.tracker_actions((), (), THIS_YEAR).set_index(["goal_no", "action_no"])
    assert int(actions["time_frame_passed"].sum()) == expected
    assert not actions.loc[(1, 1), "time_frame_passed"]  # 2016 time frame, but a status is reported


def test_kpi_actual_against_target(results_db):
    at = run_kpi_page("kpis")
    bullet = chart(at, "k_bullet_KPI3")
    actual, target = trace(bullet, "actual"), trace(bullet, "target")
    expected = results_db.execute("SELECT period, value, target FROM kpi_results WHERE kpi_id = 'KPI3' "
                                  "AND iso3 IS NULL AND breakdown = 'total' ORDER BY period").fetchall()
    assert list(zip(actual["y"], actual["x"])) == [(p, v) for p, v, _ in expected]
    assert list(zip(target["y"], target["x"])) == [(p, t) for p, _, t in expected]
    assert trace(bullet, "label")["text"][0].strip() == "40 (80% of target)"
    assert not [c for c in at.get("plotly_chart") if "k_trend_" in c.proto.id]  # one chart per KPI at first
    at.session_state["k_trend_open_KPI3"] = True
    at.run()
    trend = chart(at, "k_trend_KPI3")
    assert trace(trend, "actual")["y"] == [40, 22, 35] and trace(trend, "target")["y"] == [50, 30, 30]
    text = [m.value for m in at.markdown]
    assert sum(NO_RESULT in t for t in text) == 13 - 2  # KPI3 and KPI8 have results
    assert at.metric[0].value == "2 of 13" and at.metric[1].value == "2026-H2"


def test_breakdowns_of_the_chosen_period(results_db):
    at = run_kpi_page("kpis", {"k_period": "2026-H1"})
    assert not [c for c in at.get("plotly_chart") if "k_break_" in c.proto.id]  # built when opened
    at.session_state["k_open_KPI8"] = at.session_state["k_open_KPI3"] = True
    at.run()
    spec = chart(at, "k_break_KPI8")
    gender = trace(spec, "gender")
    assert dict(zip(gender["y"], gender["x"])) == {"female": 170, "male": 140}
    kpi3 = chart(at, "k_break_KPI3")
    assert dict(zip(trace(kpi3, "country")["y"], trace(kpi3, "country")["x"])) == {
        "Jamaica": 9, "Dominican Republic": 5}
    assert dict(zip(trace(kpi3, "type of activity")["y"], trace(kpi3, "type of activity")["x"])) == {
        "trainings": 12, "technical activities": 10}
    # The sidebar's CARICOM group leaves out the Dominican Republic.
    at.session_state["group"] = "caricom"  # the entry point's sidebar sets it; here the page runs alone
    at.run()
    assert trace(chart(at, "k_break_KPI3"), "country")["y"] == ["Jamaica"]


def test_most_recent_source_wins_for_the_same_figure(results_db):
    path = Path(results_db.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()[0])
    results_db.close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO sources VALUES ('older_results', 'Older', 'Tests', 2025, 'dataset', 'x', NULL, "
                "DATE '2025-01-01')")
    con.execute("INSERT INTO kpi_results VALUES ('KPI3', '2025', NULL, 'total', 99, 50, 'older_results', 'x', NULL)")
    con.close()
    st.cache_data.clear()
    totals = kpi.kpi_totals()
    assert totals[(totals["kpi_id"] == "KPI3") & (totals["period"] == "2025")]["value"].tolist() == [40]


# --- Overview -------------------------------------------------------------------------------------

def overview_app(tmp_path: Path) -> AppTest:
    """A scratch entry registering the pages the Overview links to (placeholders for the ones not built)."""
    pages = tmp_path / "app_pages"
    pages.mkdir()
    for name in ("overview", "homicide", "kpi_progress"):
        (pages / f"{name}.py").symlink_to(ROOT / "app_pages" / f"{name}.py")
    for name in ("projects", "threats"):  # linked to, never run here
        (pages / f"{name}.py").write_text(f"import streamlit as st\nst.title('{name}')\n")
    (tmp_path / "entry.py").write_text(
        "import streamlit as st\nfrom core import ui\n"
        "page = st.navigation([st.Page('app_pages/overview.py', default=True), "
        "st.Page('app_pages/homicide.py'), st.Page('app_pages/projects.py'), "
        "st.Page('app_pages/kpi_progress.py'), st.Page('app_pages/threats.py')])\n"
        "ui.global_filters()\npage.run()\n")
    return AppTest.from_file(str(tmp_path / "entry.py"), default_timeout=60)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_active_projects_count_each_project_once(app_db, db):
    summary = kpi.active_projects_summary(2024, dt.date(2024, 6, 30))
    rows = db.execute("""
        SELECT project_id, funding_eur FROM projects
        WHERE duplicate_of IS NULL
          AND (start_date <= DATE '2024-12-31' OR (start_date IS NULL AND ongoing))
          AND coalesce(end_date, CASE WHEN ongoing THEN DATE '2024-06-30' END) >= DATE '2024-01-01'""").fetchall()
    assert summary["n_active"] == len(rows) > 0
    assert summary["funding_eur"] == pytest.approx(sum(f for _, f in rows if f is not None))
    assert summary["n_no_funding"] == sum(f is None for _, f in rows)
    ids = {p for p, _ in rows}
    assert "EPA-18" in ids and "EPA-34" not in ids  # the duplicate listing counts once


def test_overview_cards_against_sql(app_db, db, tmp_path):
    at = overview_app(tmp_path).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    today = dt.date.today()
    n_active, funding, no_funding = db.execute("""
        SELECT count(*), sum(funding_eur), count(*) FILTER (WHERE funding_eur IS NULL) FROM projects
        WHERE duplicate_of IS NULL AND (start_date <= make_date($y, 12, 31) OR (start_date IS NULL AND ongoing))
          AND coalesce(end_date, CASE WHEN ongoing THEN $t END) >= make_date($y, 1, 1)""",
                                               {"y": today.year, "t": today}).fetchone()
    assert shown[f"Active in {today.year}"] == str(n_active)
    assert shown["Stated funding"] == f"€{funding / 1e6:,.1f}M"
    assert any(m.value.startswith(f"{no_funding} of the {n_active} active projects state no funding")
               for m in at.markdown)
    assert shown["With a result"] == "0 of 13" and shown["Latest period"] == "none yet"
    n_actions, n_passed = db.execute("SELECT count(*), count(*) FILTER (WHERE time_frame_end_year < ?) "
                                     "FROM ccss_actions", [today.year]).fetchone()
    assert shown["Status reported"] == f"0 of {n_actions}" and shown["Latest report"] == "none yet"
    assert any(m.value.startswith(f"{n_passed} actions: time frame passed") for m in at.markdown)
    assert shown["In 4 tiers"] == "13" and shown["In tier 1"] == str(
        db.execute("SELECT count(*) FROM threats WHERE tier = 1").fetchone()[0])
    world, lac = db.execute("SELECT max(rate_per_100k) FILTER (WHERE area = 'World'), max(rate_per_100k) FILTER "
                            "(WHERE area <> 'World') FROM homicide_benchmarks WHERE source_id = "
                            "'owid_unodc_homicide' AND year = 2023").fetchone()
    assert shown["World, 2023"] == f"{world:.1f}" and shown["Latin America & Caribbean, 2023"] == f"{lac:.1f}"
    links = {(link.proto.label, link.proto.page, link.proto.query_string) for link in at.get("page_link")}
    assert {("Donor projects", "projects", ""), ("Threat tiers", "threats", ""), ("KPI progress", "kpi_progress", ""),
            ("Action-plan tracker", "kpi_progress", "k_view=actions")} <= links
    assert ("Homicide rates: map, ranking, trends", "homicide", "") in links
    # Every card names its source; the map carries its own, stamped on the chart.
    assert len(at.caption) >= 5 and sum(c.value.startswith("Source:") for c in at.caption) == 5


def test_overview_with_results(results_db, tmp_path):
    at = overview_app(tmp_path).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    assert shown["With a result"] == "2 of 13" and shown["Latest period"] == "2026-H2"
    assert shown["Status reported"] == "5 of 107" and shown["Latest report"] == "June 2026"
    assert any("Fixture results" in c.value for c in at.caption)


def test_overview_without_registered_pages_names_them_instead_of_failing(app_db):
    at = AppTest.from_file(OVERVIEW_PAGE, default_timeout=60).run()
    assert not at.exception
    assert any(c.value == "Donor projects (page not available in this app)" for c in at.caption)
    assert len(at.get("plotly_chart")) == 1  # the small map


# --- figures --------------------------------------------------------------------------------------

def test_goal_status_bars_leave_out_goals_the_filters_empty(app_db):
    shares = kpi.with_shares(kpi.goal_status_shares(("CFATF",), (), THIS_YEAR))
    fig = charts.goal_status_bars(shares)
    assert [t.name for t in fig.data] == list(kpi.STATUSES)
    assert len(fig.data[0].y) == int((shares["n_actions"] > 0).sum()) < 14
    assert fig.data[3].marker.color == charts.STATUS_COLOURS["not reported"]
