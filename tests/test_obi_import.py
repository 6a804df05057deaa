"""OBI results through the KPI template's obi_results sheet: imported, shown in the OBI view, refused with sheet,
row, column and value, undone."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders import importer
from loaders.formats import ImportRejected
from loaders.template import template_bytes
from tests.test_importer import env, snapshot, value  # noqa: F401  (env: a fixture)

ROOT = Path(__file__).resolve().parents[1]
KPI_PAGE = str(ROOT / "app_pages" / "kpi_progress.py")
THIS_YEAR = dt.date.today().year


def obi_template(env, obi_rows=(), formats: dict[str, str] | None = None, with_sheet: bool = True) -> bytes:
    """The dashboard's template with rows typed in the obi_results sheet; `formats`: cell -> Excel number format."""
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    for row in obi_rows:
        book["obi_results"].append(list(row))
    for cell, number_format in (formats or {}).items():
        book["obi_results"][cell].number_format = number_format
    if not with_sheet:
        del book["obi_results"]
        book["kpi_results"].append(["KPI1", "2025", None, "total", 40, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS = [
    ["OBI1", "2025", None, 0.68, "percent of stakeholders satisfied", 0.6, "Peer exchanges praised.", "2025-12-15", None],
    ["OBI2", "2025", None, None, None, None, "Follow-up after trainings named as an area for improvement.",
     dt.datetime(2025, 12, 15), "focal points' survey"],
    ["OBI3", "2025-H2", "JAM", 71, "percent of stakeholders", None, None, "2025-12-15", None],
]
PERCENT = {"D2": "0%", "F2": "0%"}  # 68% and 60% typed in Excel


def test_the_template_has_an_obi_sheet_and_lists_the_obis(env):
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    assert book.sheetnames == ["kpi_results", "action_status", "obi_results", "lists"]
    assert [c.value for c in book["obi_results"][1]] == ["obi_id", "period", "iso3", "value", "unit", "baseline",
                                                         "assessment", "as_of", "note"]
    rows = {r[0]: r[2] for r in book["lists"].iter_rows(values_only=True) if r and str(r[0] or "").startswith("OBI")}
    assert list(rows) == [f"OBI{i}" for i in range(1, 13)]
    assert rows["OBI2"] == "in words (assessment)" and rows["OBI1"] == "a number (value) and words (assessment)"


def test_obi_rows_are_imported_previewed_logged_and_undone(env):
    before = snapshot(env)
    plan = importer.plan(obi_template(env, ROWS, PERCENT), "obi_2025.xlsx", "kpi", **env)
    assert len(plan.tables["obi_results"]) == 3 and plan.added == 3  # what the preview shows
    importer.apply(plan, "Ana", **env)
    assert value(env, """SELECT obi_id, period, iso3, value, unit, baseline, assessment, as_of::VARCHAR, source_ref
                         FROM obi_results ORDER BY obi_id""") == [
        ("OBI1", "2025", None, 68.0, "percent of stakeholders satisfied", 60.0, "Peer exchanges praised.",
         "2025-12-15", "obi_results sheet, row 2"),
        ("OBI2", "2025", None, None, None, None, "Follow-up after trainings named as an area for improvement.",
         "2025-12-15", "obi_results sheet, row 3"),
        ("OBI3", "2025-H2", "JAM", 71.0, "percent of stakeholders", None, None, "2025-12-15", "obi_results sheet, row 4")]
    log = importer.read_log(env["imports_dir"])
    assert list(log["imported_by"]) == ["Ana"] and list(log["added"]) == ["3"]
    assert (env["imports_dir"] / plan.import_id / "obi_results.csv").exists()
    # The same rows again, one changed: counted as such.
    again = [list(r) for r in ROWS]
    again[2][3] = 75
    second = importer.plan(obi_template(env, again, {**PERCENT, "I2": "@"}), "obi_2025_v2.xlsx", "kpi", **env)
    assert (second.added, second.changed, second.unchanged) == (0, 1, 2)
    importer.undo(plan.import_id, "Ben", **env)
    assert value(env, "SELECT count(*) FROM obi_results") == [(0,)]
    assert snapshot(env)["db"] == before["db"]


def test_a_template_without_the_obi_sheet_still_imports(env):
    plan = importer.plan(obi_template(env, with_sheet=False), "old_template.xlsx", "kpi", **env)
    assert "obi_results" not in plan.tables
    importer.apply(plan, "Ana", **env)
    assert value(env, "SELECT kpi_id, value FROM kpi_results") == [("KPI1", 40.0)]


def refused(env, rows, formats=None) -> list[str]:
    before = snapshot(env)
    with pytest.raises(ImportRejected) as caught:
        importer.plan(obi_template(env, rows, formats), "obi.xlsx", "kpi", **env)
    assert snapshot(env) == before  # nothing written
    return [str(p) for p in caught.value.problems]


def test_invalid_obi_rows_are_refused_with_sheet_row_column_and_value_all_in_one_pass(env):
    found = refused(env, [
        ["obi 3", "2025", None, 50, None, None, None, "2025-12-15", None],                 # row 2: did you mean
        ["OBI13", "2025", None, 50, None, None, None, "2025-12-15", None],                 # row 3: no such OBI
        ["OBI2", "2025", None, 40, None, None, "words", "2025-12-15", None],               # row 4: a value, qualitative
        ["OBI12", "2025", None, None, None, None, "words", "2025-12-15", None],            # row 5: no value (quantitative)
        ["OBI5", "2025", None, None, None, None, None, "2025-12-15", None],                # row 6: no words (qualitative)
        ["OBI1", "2025", None, 1.2, None, None, None, "2025-12-15", None],                 # row 7: 120 percent
        ["OBI1", "2031", "Jamaica", 50, None, None, None, "05/06/2025", None],            # row 8: period, country, date
        ["OBI3", "2025", None, "inf", None, -3, "words", "2025-12-15", "=1+1"],            # row 9: infinite, negative,
        # words for an OBI assessed by number only, a formula
    ], formats={"D7": "0%"})
    sheet = "obi.xlsx [obi_results]"
    expected = [
        (2, "obi_id", "'obi 3' not found in obis.obi_id: did you mean OBI3?"),
        (3, "obi_id", "'OBI13' not found in obis.obi_id: the OBIs are OBI1 to OBI12"),
        (4, "value", "OBI2 is qualitative (section 9.2)"),
        (5, "value", "OBI12 is quantitative (section 9.2)"),
        (6, "assessment", "OBI5 is qualitative (section 9.2), so it is reported in words"),
        (7, "value", "120% is 120 percent for OBI1"),
        (8, "period", f"period '2031' is outside 2025-{min(THIS_YEAR, 2027)}"),
        (8, "iso3", "did you mean JAM?"),
        (8, "as_of", "'05/06/2025' may be"),
        (9, "value", "'inf' is not a finite number"),
        (9, "baseline", "value -3 must be at least 0"),
        (9, "assessment", "OBI3 is quantitative with no assessment in words"),
        (9, "note", "formula-like cell"),
    ]
    for line, column, words in expected:
        assert any(m.startswith(f"{sheet}, line {line} (row {line - 1}), column '{column}'") and words in m
                   for m in found), (line, column, words, found)


def test_duplicate_obi_rows_are_refused(env):
    row = ["OBI1", "2025", None, 50, None, None, None, "2025-12-15", None]
    found = refused(env, [row, row])
    assert any("line 2" in m and "rows 2, 3 have the same obi_id, period, iso3" in m for m in found), found


def test_imported_obi_results_show_in_the_obi_view(env, monkeypatch):
    importer.apply(importer.plan(obi_template(env, ROWS, PERCENT), "obi_2025.xlsx", "kpi", **env), "Ana", **env)
    monkeypatch.setenv("DASHBOARD_DB", str(env["db_path"]))
    st.cache_data.clear()
    try:
        at = AppTest.from_file(KPI_PAGE, default_timeout=60)
        at.query_params["k_view"] = "obis"
        at.run()
        assert not at.exception
        titles = [a["text"] for c in at.get("plotly_chart") for a in json.loads(c.proto.spec)["layout"]["annotations"]
                  if a.get("name") == "title"]
        assert titles == ["OBI1: reported value against the baseline, by period"]  # OBI3 has no regional value
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        labels = next(trace["text"] for trace in spec["data"] if trace.get("mode") == "text")
        assert [label.strip() for label in labels] == ["68 (+8 against the baseline)"]
        quotes = " ".join(m.value for m in at.markdown if m.value.startswith("> "))
        assert "Peer exchanges praised" in quotes and "Follow" in quotes and "after trainings" in quotes
        assert "Illustrative data" not in " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    finally:
        st.cache_data.clear()
