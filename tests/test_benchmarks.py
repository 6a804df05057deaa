"""The benchmark harness's pure parts: page discovery, medians and percentiles, the JSON's shape, the
synthetic inputs. No browser and no server: the benchmark itself is `python -m benchmarks.run`."""
from __future__ import annotations

import csv
import io
import statistics

import duckdb
import pytest

from benchmarks import stats, synth
from benchmarks.pages import ENTRY, FALLBACK, INTERACTIONS, discover_pages, interaction_for

REGISTRY = '''
import streamlit as st
PAGES = {
    "A": [st.Page("app_pages/first.py", title="First", url_path="first"),
          st.Page("app_pages/home.py", title="Home", url_path="home", default=True)],
    "B": [st.Page("app_pages/no_url.py", title="No url path")],
}
extra = st.Page("app_pages/later.py", title="Later", url_path="later")
page = st.navigation(PAGES)
'''


def test_discovery_reads_the_registry_in_order_and_serves_the_default_at_root(tmp_path):
    entry = tmp_path / "dashboard.py"
    entry.write_text(REGISTRY, encoding="utf-8")
    pages = discover_pages(entry)
    assert [(p.script, p.url_path, p.title, p.path) for p in pages] == [
        ("app_pages/first.py", "first", "First", "/first"),
        ("app_pages/home.py", "home", "Home", "/"),
        ("app_pages/no_url.py", "no_url", "No url path", "/no_url"),  # Streamlit's rule: the file's stem
        ("app_pages/later.py", "later", "Later", "/later"),
    ]


def test_without_a_default_the_first_page_is_served_at_root(tmp_path):
    entry = tmp_path / "dashboard.py"
    entry.write_text('import streamlit as st\nst.navigation([st.Page("a.py", url_path="a"), st.Page("b.py")])\n',
                     encoding="utf-8")
    assert [p.path for p in discover_pages(entry)] == ["/", "/b"]


def test_discovery_of_the_real_registry_matches_the_app_pages_it_names():
    text = ENTRY.read_text(encoding="utf-8")
    pages = discover_pages()
    assert len(pages) == text.count("st.Page(")
    assert [p.path for p in pages].count("/") == 1
    assert all((ENTRY.parent / p.script).exists() for p in pages)
    assert len({p.path for p in pages}) == len(pages)


def test_known_pages_have_their_main_filter_and_others_fall_back():
    assert interaction_for(discover_pages()[0]) is INTERACTIONS.get(discover_pages()[0].url_path)
    homicide = next(p for p in discover_pages() if p.url_path == "homicide")
    assert interaction_for(homicide).kind == "slider" and interaction_for(homicide).label == "Year"
    assert FALLBACK.sidebar and not FALLBACK.redraw


@pytest.mark.parametrize("samples", [[3.0], [5.0, 1.0], [4.0, 1.0, 3.0, 2.0, 9.0], [1.5, 2.5, 10.0, 7.0]])
def test_median_matches_the_standard_library(samples):
    assert stats.median(samples) == statistics.median(samples)


def test_failed_runs_are_left_out_and_nothing_gives_none():
    assert stats.median([None, 4.0, None, 2.0, 3.0]) == 3.0
    assert stats.median([None, None]) is None
    assert stats.percentile([], 95) is None


def test_p95_interpolates_between_closest_ranks():
    values = list(range(1, 21))  # 1..20: rank position 0.95 * 19 = 18.05
    assert stats.percentile(values, 95) == pytest.approx(19.05)
    assert stats.percentile(values, 50) == 10.5
    assert stats.percentile(values, 0) == 1 and stats.percentile(values, 100) == 20
    assert stats.percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        stats.percentile(values, 101)


def test_ratios_round_and_refuse_a_missing_base():
    assert stats.ratio(300.0, 200.0) == 1.5
    assert stats.ratio(1000.0, 3000.0) == 0.33
    assert stats.ratio(None, 10.0) is None and stats.ratio(10.0, None) is None and stats.ratio(1.0, 0) is None


def capacity_figures(replicas: int, most: int, levels: list[tuple[int, int, int]]) -> dict:
    return {"replicas": replicas, "balancer": "haproxy" if replicas > 1 else None, "max_users_p95_under_1s": most,
            "levels": [dict(zip(stats.LEVEL_FIELDS, (users, 100, p95 // 2, p95, errors, 500, 900, 150, 45, 400, 20, 1.5)))
                       for users, p95, errors in levels],
            "duration_s": 40.0, "think_s": [2.0, 5.0], "ramp_s": 5.0, "seed": 16}


def sample_result() -> dict:
    empty = 1000.0
    pages = stats.page_figures({"/": [1400.0, 1500.0, None], "/homicide": [2000.0, 2200.0, 2100.0]}, empty)
    return {
        "empty_page_ms": 1000,
        "pages": pages,
        "interaction_ms": {"/": 250, "/homicide": None},
        "build_s": 0.8,
        "import_100k_s": 3.1,
        "scale_100x": stats.scale_figures({"/": [1500.0], "/homicide": [4200.0]}, pages),
        "concurrent": stats.concurrent_figures([1.0] * 19 + [100.0], [5.0], 0, 20, 1, 1.0, [2.0, None, 3.0]),
        "capacity": capacity_figures(1, 25, [(10, 300, 0), (25, 800, 0), (50, 1400, 0)]),
        "capacity_2_replicas": capacity_figures(2, 50, [(10, 250, 0), (50, 900, 0), (100, 2100, 3)]),
        "off_host_requests": 0,
        "cores": 2,
        "versions": {"streamlit": "1", "duckdb": "2", "plotly": "3"},
    }


def test_page_and_scale_figures():
    result = sample_result()
    assert result["pages"] == {"/": {"ready_ms": 1450, "ratio": 1.45}, "/homicide": {"ready_ms": 2100, "ratio": 2.1}}
    assert result["scale_100x"] == {"/": {"ready_ms": 1500, "ratio": 1.03}, "/homicide": {"ready_ms": 4200, "ratio": 2.0}}
    assert result["concurrent"]["p95_ms"] == 6 and result["concurrent"]["p95_ratio"] == 5.95
    assert result["concurrent"]["empty_p95_ms"] == 3 and result["concurrent"]["p95_vs_empty"] == 2.02  # 5.95 / 2.95


def test_a_well_formed_result_has_exactly_the_issue_fields():
    assert stats.check_shape(sample_result()) == []
    assert tuple(sample_result()) == ("empty_page_ms", "pages", "interaction_ms", "build_s", "import_100k_s",
                                      "scale_100x", "concurrent", "capacity", "capacity_2_replicas",
                                      "off_host_requests", "cores", "versions")
    without_haproxy = sample_result()
    del without_haproxy["capacity_2_replicas"]
    assert stats.check_shape(without_haproxy) == []


@pytest.mark.parametrize("damage", [
    lambda r: r.pop("build_s"),
    lambda r: r.update(extra=1),
    lambda r: r["pages"]["/"].update(ms=1),
    lambda r: r["interaction_ms"].pop("/"),
    lambda r: r["concurrent"].pop("errors"),
    lambda r: r["versions"].pop("duckdb"),
    lambda r: r.update(cores="2"),
    lambda r: r.pop("capacity"),
    lambda r: r["capacity"].pop("max_users_p95_under_1s"),
    lambda r: r["capacity_2_replicas"]["levels"][0].pop("p95_ms"),
    lambda r: r["capacity"].update(levels=[]),
])
def test_shape_problems_are_reported(damage):
    result = sample_result()
    damage(result)
    assert stats.check_shape(result)


def test_target_report_marks_each_target():
    lines = stats.target_report(sample_result())
    assert [line.split()[0] for line in lines] == ["met", "NOT", "met", "no", "met", "NOT", "NOT", "met", "met",
                                                   "NOT", "met"]
    assert "capacity, 1 replica: 25 users" in lines[-2] and "(target > 1 replica's 25)" in lines[-1]


# --- synthetic inputs -------------------------------------------------------------------------------

def test_unodc_file_has_the_portal_layout_and_600_national_totals():
    rows = list(csv.reader(io.StringIO(synth.unodc_csv(1_000).decode("utf-8"))))
    header, body = rows[2], rows[3:]
    assert rows[0][0].startswith("UNODC") and header == list(synth.UNODC_HEADER)
    assert len(body) == 1_000
    totals = [r for r in body if r[7] == "Total" and r[8] == "Total"]
    assert len(totals) == 600 and {r[0] for r in totals} == {"JAM", "HTI", "BRB"}


def test_scale_database_has_100_times_the_rows_and_leaves_the_original_alone(built_db, tmp_path):
    with duckdb.connect(str(built_db), read_only=True) as con:
        before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("projects", "project_countries", "project_threats", "project_areas", "homicide_rates")}
        primary = con.execute("SELECT count(*) FROM homicide_rates WHERE source_id = ?",
                              [synth.PRIMARY_HOMICIDE]).fetchone()[0]
        n_kpis, n_actions = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("kpis", "ccss_actions"))
    counts = synth.scale_database(built_db, tmp_path / "scale.duckdb")
    for table in ("projects", "project_countries", "project_threats", "project_areas"):
        assert counts[table] == 100 * before[table]
    assert counts["homicide_rates"] == before["homicide_rates"] + 99 * primary
    assert counts["kpi_results"] == n_kpis * len(synth.KPI_PERIODS) * 19
    assert counts["action_status"] == n_actions * len(synth.STATUS_DATES)
    with duckdb.connect(str(tmp_path / "scale.duckdb"), read_only=True) as con:
        orphans = con.execute("""SELECT count(*) FROM project_countries pc
                                 WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.project_id = pc.project_id)""").fetchone()[0]
        unknown = con.execute("""SELECT count(*) FROM homicide_rates h
                                 WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.source_id = h.source_id)""").fetchone()[0]
        listed = con.execute("SELECT row_count FROM meta_tables WHERE table_name = 'projects'").fetchone()[0]
    assert orphans == 0 and unknown == 0 and listed == counts["projects"]
    with duckdb.connect(str(built_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == before["projects"]


def test_scale_database_is_never_written_under_data(built_db):
    with pytest.raises(ValueError):
        synth.scale_database(built_db, ENTRY.parent / "data" / "scale.duckdb")
