"""Imported data reaches every view (the issue's problem 5): a newer edition of the series a view shows
replaces it there, extends the Year slider and updates the Overview; an imported series can be chosen and is
kept in the URL; "latest available" takes the newest edition per country-year with its source; imports and
undos made from the command line show in a running app on its next rerun (caches keyed on the database file).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import queries
from loaders import importer
from loaders.build import CURATED_DIR

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "publishers"
OWID_2026 = FIXTURES / "owid" / "homicide-rate-unodc__sexTotal-ageTotal__Soziale-Ungleichheit__c2026-01.csv"
WDI_2023 = FIXTURES / "worldbank" / "API_VC.IHR.PSRC.P5_DS2_en_csv_v2_6299884__LU2023-12-18.csv"
# A newer edition of the default series, CONSTRUCTED for these tests: the genuine 2026-01 file plus 2024 rows
# with invented values (no genuine edition has 2024 values for the 16 countries yet).
ROWS_2024 = (b"Jamaica,JAM,2024,45.05,\nTrinidad and Tobago,TTO,2024,37.95,\nHaiti,HTI,2024,48.35,\n"
             b"World,OWID_WRL,2024,5.15,\nLatin America and the Caribbean (UN),,2024,18.85,\n")


def newer_owid_edition() -> bytes:
    data = OWID_2026.read_bytes()
    return data + (b"" if data.endswith(b"\n") else b"\n") + ROWS_2024


@pytest.fixture
def data(tmp_path, built_db, monkeypatch):
    """A private database and imports folder that the app under test reads."""
    db = tmp_path / "dashboard.duckdb"
    shutil.copyfile(built_db, db)
    folder = {"imports_dir": tmp_path / "imports", "curated_dir": CURATED_DIR, "db_path": db}
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_IMPORTS", str(folder["imports_dir"]))
    st.cache_data.clear()
    yield folder
    st.cache_data.clear()


def apply(folder, data: bytes, name: str, **options) -> importer.Plan:
    plan = importer.plan(data, name, "homicide", **folder, **options)
    importer.apply(plan, "tester", **folder)
    return plan


def open_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_newer_edition_reaches_the_slider_map_ranking_profile_trends_and_overview(data):
    """After an OWID import the map, ranking, profile and Overview were unchanged, the slider stopped at 2023,
    ?year=2024 was dropped, and an imported World 2024 value appeared nowhere."""
    plan = apply(data, newer_owid_edition(), "homicide-rate-unodc.csv", edition="2026-05-30")
    assert plan.parsed.series_id == queries.DEFAULT_SERIES and plan.added == 5 and plan.changed == 0

    at = open_page("app_pages/homicide.py", {"year": "2024"})
    assert not at.exception
    slider = at.select_slider(key="year")
    assert slider.value == 2024 and max(slider.options, key=int) == "2024"
    assert not at.info  # the linked year is in the series: nothing to say
    values = queries.homicide_map_values(2024, queries.DEFAULT_SERIES).set_index("iso3")
    jam = values.loc["JAM"]
    assert (jam.rate_per_100k, bool(jam.is_current)) == (45.05, True)
    assert jam.source_label == "UNODC, via Our World in Data, 2026-05-30"  # the source beside the value
    assert values.loc["BRB", "value_year"] == 2022 and values.loc["BRB", "source_label"].endswith("2026-05-30")
    assert metrics(at)["Latest rate (2024)"] == "45.1"  # the profile (Jamaica)
    assert any("Latest value from: UNODC, via Our World in Data, 2026-05-30" in c.value.replace("\\", "")
               for c in at.caption)
    bench = queries.homicide_benchmarks(queries.DEFAULT_SERIES).set_index(["area", "year"])
    assert bench.loc[("World", 2024), "rate_per_100k"] == 5.15  # the trends' World line reaches 2024

    overview = open_page("app_pages/overview.py")
    assert not overview.exception
    cards = metrics(overview)
    assert cards["Latin America & Caribbean, 2024"] == "18.9" and cards["World, 2024"] == "5.2"
    assert cards["Above the world rate, 2024"] == "3 of 3"


def test_a_linked_year_outside_the_series_is_said_not_dropped(data):
    at = open_page("app_pages/homicide.py", {"year": "2031"})
    assert not at.exception
    assert at.select_slider(key="year").value == 2023
    assert any("asks for the year 2031, which this series does not cover (1990-2023)" in i.value for i in at.info)


def test_an_imported_series_is_a_choice_kept_in_the_url_with_its_own_benchmarks(data):
    apply(data, WDI_2023.read_bytes(), WDI_2023.name)
    at = open_page("app_pages/homicide.py", {"series": "wdi"})
    assert not at.exception
    assert at.selectbox(key="series").value == "wdi" and at.query_params["series"] in ("wdi", ["wdi"])
    assert at.select_slider(key="year").value == 2021  # WDI 2023-12-18 ends in 2021 for the 16 countries
    jam = queries.homicide_map_values(2021, "wdi").set_index("iso3").loc["JAM"]
    assert (jam.rate_per_100k, jam.source_label) == (52.1272718817397, "World Bank, 2023-12-18")
    headline = queries.homicide_headline("wdi").iloc[0]  # WDI's own WLD and LCN: both given last for 2020
    assert (headline["year"], headline["world"], headline["lac"]) == (2020, 5.60531006626247, 20.1)
    overview = open_page("app_pages/overview.py", {"series": "wdi"})
    cards = metrics(overview)
    assert (cards["Latin America & Caribbean, 2020"], cards["World, 2020"]) == ("20.1", "5.6")
    at.selectbox(key="series").set_value(queries.DEFAULT_SERIES).run()
    assert "series" not in at.query_params  # the default leaves the link short
    assert at.select_slider(key="year").value == 2021  # the reader's year stays where the series has it


def test_latest_available_takes_the_newest_edition_per_country_year_with_its_source(data):
    # A WDI edition dated after the curated one (2025-05-28): constructed by re-dating the genuine 2023-12-18 file.
    newer = WDI_2023.read_bytes().replace(b'"2023-12-18"', b'"2026-01-15"')
    apply(data, newer, "API_VC.IHR.PSRC.P5_DS2_en_csv_v2_redated.csv")
    latest = queries.homicide_map_values(2021, queries.LATEST).set_index("iso3")
    assert (latest.loc["JAM", "rate_per_100k"], latest.loc["JAM", "source_label"]) == (52.1272718817397,
                                                                                        "World Bank, 2026-01-15")
    later = queries.homicide_map_values(2023, queries.LATEST).set_index("iso3")  # WDI has no 2023 for Jamaica
    assert (round(later.loc["JAM", "rate_per_100k"], 4), later.loc["JAM", "source_label"]) == (
        49.2995, "UNODC, via Our World in Data, 2025-05-28")
    at = open_page("app_pages/homicide.py", {"series": "latest", "tab": "table", "year": "2021"})
    assert not at.exception
    table = at.dataframe[-1].value.set_index("ISO3")
    assert table.loc["JAM", "Source"] == "World Bank, 2026-01-15"
    assert "(UNODC, via Our World in Data" not in table.loc["JAM", "Other sources, same year"]  # titles name them
    assert "Homicide rate (per 100,000 population)" in table.loc["JAM", "Other sources, same year"]


def run_cli(*args: str, folder) -> subprocess.CompletedProcess:
    env = {**os.environ, "DASHBOARD_DB": str(folder["db_path"]), "DASHBOARD_IMPORTS": str(folder["imports_dir"])}
    result = subprocess.run([sys.executable, "-m", "loaders.importer", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


def test_cli_import_and_undo_show_in_a_running_app_on_its_next_rerun(data, tmp_path):
    """Query results were cached by the database path only: a CLI import or undo showed only after a restart."""
    at = open_page("app_pages/homicide.py")
    assert at.select_slider(key="year").value == 2023 and metrics(at)["Latest rate (2023)"] == "49.3"
    upload = tmp_path / "homicide-rate-unodc.csv"
    upload.write_bytes(newer_owid_edition())
    run_cli("homicide", str(upload), "--edition", "2026-05-30", folder=data)
    at.run()  # the next rerun of the same session: no restart, no cache cleared by hand
    assert metrics(at)["Latest rate (2024)"] == "45.1"
    assert max(at.select_slider(key="year").options, key=int) == "2024"
    import_id = importer.read_log(data["imports_dir"])["import_id"].iloc[0]
    run_cli("undo", import_id, folder=data)
    at.run()
    assert metrics(at)["Latest rate (2023)"] == "49.3"
    assert max(at.select_slider(key="year").options, key=int) == "2023"
