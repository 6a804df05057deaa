"""The illustrative demonstration set: its own database, off by default, labelled wherever it shows."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from loaders.build import CURATED_DIR, build
from loaders.paths import DEMO_DIR
from loaders.tables import TABLES

ROOT = Path(__file__).resolve().parents[1]
LABEL = "Illustrative data - not official results"
PAGES = ["app_pages/overview.py", "app_pages/homicide.py", "app_pages/threats.py", "app_pages/projects.py",
         "app_pages/kpi_progress.py", "app_pages/country_brief.py", "app_pages/about_data.py"]
SOURCE_TABLES = [t.name for t in TABLES if any(c.name == "source_id" for c in t.columns)]


def open_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "info")
             for e in getattr(at, kind)]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


def test_the_official_database_never_holds_a_demonstration_row(built_db, tmp_path):
    official = tmp_path / "official.duckdb"
    build(CURATED_DIR, official, import_dirs=[])
    demo = tmp_path / "demo.duckdb"
    build(CURATED_DIR, demo, import_dirs=[], extra_dirs=[DEMO_DIR])
    for path, expected in ((official, 0), (built_db, 0)):
        with duckdb.connect(str(path), read_only=True) as con:
            for table in SOURCE_TABLES:
                n = con.execute(f"SELECT count(*) FROM {table} WHERE source_id LIKE 'demo%'").fetchone()[0]
                assert n == expected, (path, table)
    with duckdb.connect(str(demo), read_only=True) as con:
        shown = {t: con.execute(f"SELECT count(*) FROM {t} WHERE source_id = 'demo_illustrative'").fetchone()[0]
                 for t in ("kpi_results", "action_status", "homicide_rates")}
        assert all(n > 0 for n in shown.values()), shown
        assert con.execute("SELECT title FROM sources WHERE source_id = 'demo_illustrative'").fetchone() == (LABEL,)


@pytest.mark.parametrize("page", PAGES)
def test_without_the_switch_no_page_shows_the_words(app_db, page):
    at = open_page(page)
    assert LABEL not in all_text(at)
    assert at.toggle(key="demo").value is False


@pytest.mark.parametrize("page,params", [("app_pages/overview.py", {}), ("app_pages/homicide.py", {}),
                                         ("app_pages/homicide.py", {"tab": "trends"}),
                                         ("app_pages/kpi_progress.py", {}),
                                         ("app_pages/kpi_progress.py", {"k_view": "actions"}),
                                         ("app_pages/projects.py", {"p_tab": "list"}),
                                         ("app_pages/threats.py", {})])
def test_with_the_switch_every_chart_table_and_page_carries_the_words(app_db, page, params):
    at = open_page(page, {"demo": "1", **params})
    assert at.toggle(key="demo").value is True
    assert any(LABEL in w.value for w in at.warning)  # the banner
    charts = at.get("plotly_chart")
    assert charts or page.endswith(("threats.py", "projects.py")), page
    for chart in charts:  # drawn in each figure: a PNG export or a slide carries it too
        assert LABEL in json.dumps(json.loads(chart.proto.spec)["layout"]["annotations"]), page
    captions = [c.value for c in at.caption]
    assert captions.count(LABEL) >= len(at.dataframe), page  # under every table
    assert at.query_params["demo"] == "1"


def test_kpi_progress_shows_the_demonstration_results(app_db):
    at = open_page("app_pages/kpi_progress.py", {"demo": "1"})
    titles = [json.loads(c.proto.spec)["layout"]["annotations"] for c in at.get("plotly_chart")]
    assert any("KPI1: result against target" in a.get("text", "") for group in titles for a in group)
    plain = open_page("app_pages/kpi_progress.py")
    assert not plain.get("plotly_chart")  # the official data reports no result


def test_a_demonstration_download_says_so_in_every_row(app_db, downloads_given):
    given = downloads_given
    open_page("app_pages/projects.py", {"demo": "1", "p_tab": "list"})
    csv = given["donor_projects_illustrative.csv"]().decode().splitlines()
    assert csv[0].endswith(",data") and all(line.endswith(LABEL) for line in csv[1:] if line)
    given.clear()
    open_page("app_pages/projects.py", {"p_tab": "list"})
    assert LABEL not in given["donor_projects.csv"]().decode()
