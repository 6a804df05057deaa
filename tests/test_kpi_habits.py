"""The KPI template against office habits (the issue's problem 4): each habit refused, or read as meant, with
a message naming file, sheet, row, column and the value as the user typed it; all problems in one pass."""
from __future__ import annotations

import datetime as dt
import io

import duckdb
import openpyxl
import pytest

from loaders import importer
from loaders.formats import ImportRejected
from loaders.template import template_bytes
from tests.test_importer import env, snapshot, value  # noqa: F401  (env: a fixture)


def template(env, kpi_rows=(), status_rows=(), formats: dict[tuple[str, str], str] | None = None) -> bytes:
    """The dashboard's template with rows typed in; `formats`: (sheet, cell) -> Excel number format."""
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    for row in kpi_rows:
        book["kpi_results"].append(list(row))
    for row in status_rows:
        book["action_status"].append(list(row))
    for (sheet, cell), number_format in (formats or {}).items():
        book[sheet][cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(env, data: bytes) -> list[str]:
    before = snapshot(env)
    with pytest.raises(ImportRejected) as refused:
        importer.plan(data, "kpi.xlsx", "kpi", **env)
    assert snapshot(env) == before  # nothing written
    return [str(p) for p in refused.value.problems]


def test_a_percent_cell_is_read_in_the_kpis_unit(env):
    """48.5% typed in Excel is stored 0.485 with a percent format: KPI1 counts percent, so 48.5."""
    data = template(env, [["KPI1", "2025", None, "total", 0.485, 0.6, None]],
                    formats={("kpi_results", "E2"): "0.0%", ("kpi_results", "F2"): "0%"})
    plan = importer.plan(data, "kpi.xlsx", "kpi", **env)
    importer.apply(plan, "tester", **env)
    assert value(env, "SELECT value, target FROM kpi_results") == [(48.5, 60.0)]


def test_a_percent_outside_0_100_and_a_percent_for_a_count_are_refused(env):
    data = template(env, [["KPI1", "2025", None, "total", 1.2, None, None],
                          ["KPI3", "2025", None, "total", 0.5, None, None]],
                    formats={("kpi_results", "E2"): "0.0%", ("kpi_results", "E3"): "0%"})
    found = problems(env, data)
    assert any("line 2" in m and "'value'" in m and "120% is 120 percent for KPI1" in m for m in found), found
    assert any("line 3" in m and "50% is formatted as a percent, but KPI3 counts a number" in m for m in found), found


def test_an_ambiguous_text_date_is_refused_with_both_readings(env):
    """'05/06/2025' was silently read as 6 May."""
    found = problems(env, template(env, status_rows=[[1, 2, "achieved", "05/06/2025", None]]))
    assert found == ["kpi.xlsx [action_status], line 2 (row 1), column 'as_of': '05/06/2025' may be 6 May 2025 or "
                     "5 June 2025: type it as 2025-05-06 or 2025-06-05"], found


def test_a_column_mixing_real_dates_and_text_names_row_and_value(env):
    """A mixed column gave a message naming a temporary file, with no row and without the user's value."""
    data = template(env, status_rows=[[1, 2, "achieved", dt.datetime(2025, 6, 30), None],
                                      [1, 3, "in progress", "end of June", None]])
    found = problems(env, data)
    assert found == ["kpi.xlsx [action_status], line 3 (row 2), column 'as_of': 'end of June' is not a date: type it "
                     "as YYYY-MM-DD (e.g. 2025-06-30) or as an Excel date"], found
    assert not any("tmp" in m or "dashboard-plan" in m for m in found)


def test_a_real_excel_date_and_an_iso_text_date_are_accepted(env):
    data = template(env, status_rows=[[1, 2, "achieved", dt.datetime(2025, 6, 30), None],
                                      [1, 3, "in progress", "2025-07-15", None]])
    importer.apply(importer.plan(data, "kpi.xlsx", "kpi", **env), "tester", **env)
    assert value(env, "SELECT action_no, as_of::VARCHAR FROM action_status ORDER BY 1") == [
        (2, "2025-06-30"), (3, "2025-07-15")]


def test_a_period_typed_as_a_date_says_so_without_a_regular_expression(env):
    found = problems(env, template(env, [["KPI1", dt.datetime(2025, 1, 1), None, "total", 3, None, None]]))
    assert len(found) == 1 and "'period': 2025-01-01 (a date) is a date, not a period" in found[0], found
    assert "\\d" not in found[0] and "^" not in found[0]


@pytest.mark.parametrize("typed,meant", [("Jamaica", "JAM"), ("jam", "JAM"), ("Trinidad", "TTO"),
                                         ("Saint Lucia", "LCA")])
def test_a_country_name_is_answered_with_its_code(env, typed, meant):
    found = problems(env, template(env, [["KPI1", "2025", typed, "total", 3, None, None]]))
    assert found == [f"kpi.xlsx [kpi_results], line 2 (row 1), column 'iso3': {typed!r} not found in countries.iso3: "
                     f"did you mean {meant}?"], found


def test_every_problem_of_a_file_is_listed_in_one_pass(env):
    """When a sheet had type errors its other errors were not listed: several uploads to find them all."""
    data = template(env, [["KPI1", "2025", None, "total", "abc", None, None],  # type error
                          ["KPI99", "2025", None, "total", 3, None, None],  # unknown KPI
                          ["KPI2", "2025", "Jamaica", "total", 4, None, None]],  # a country name
                    [[1, 99, "achieved", "2025-06-30", None],  # no such action
                     [1, 2, "done", "2025-06-31", None]])  # bad status and no such date
    found = problems(env, data)
    expected = [("kpi_results", 2, "value", "'abc' is not a number"),
                ("kpi_results", 3, "kpi_id", "'KPI99' not found in kpis.kpi_id"),
                ("kpi_results", 4, "iso3", "did you mean JAM?"),
                ("action_status", 2, "action_no", "action 1.99 not found in ccss_actions"),
                ("action_status", 3, "status", "'done' must be one of: achieved, in progress, not started"),
                ("action_status", 3, "as_of", "'2025-06-31' is not a date of the calendar")]
    for sheet, line, column, words in expected:
        assert any(m.startswith(f"kpi.xlsx [{sheet}], line {line} ") and f"column '{column}'" in m and words in m
                   for m in found), (sheet, line, column, words, found)
    assert len(found) == len(expected), found


@pytest.mark.parametrize("row,column,words", [
    (["KPI1", "2099", None, "total", 3, None, None], "period", "period '2099' is outside 2025-"),
    (["KPI1", 9999, None, "total", 3, None, None], "period", "period 9999 is outside 2025-"),
    (["KPI1", "2024", None, "total", 3, None, None], "period", "the programme runs 2025-2027"),
    (["KPI3", "2025", None, "total", 1e308, None, None], "value", "1e+308 is too large"),
    (["KPI3", "2025", None, "total", "inf", None, None], "value", "'inf' is not a finite number"),
    (["KPI3", "2025", None, "total", "1,234", None, None], "value", "'1,234' may be 1.234 (decimal comma) or 1234"),
    # A cell holds at most 32,767 characters (openpyxl cuts a million to that, as Excel would).
    (["KPI3", "2025", None, "total", 3, None, "x" * 1_000_000], "note", "is 32767 characters long; the limit is 2000"),
    (["KPI3", "2025", None, "b" * 300, 3, None, None], "breakdown", "is 300 characters long; the limit is 200"),
])
def test_values_beyond_what_a_result_can_be_are_refused(env, row, column, words):
    found = problems(env, template(env, [row]))
    assert any(f"column '{column}'" in m and words in m and "line 2" in m for m in found), found


def test_a_status_dated_after_today_is_refused(env):
    found = problems(env, template(env, status_rows=[[1, 2, "achieved", "2099-01-01", None]]))
    assert any("'as_of'" in m and "'2099-01-01' is outside 2013-01-01 to" in m for m in found), found


def test_a_decimal_comma_is_read_as_a_decimal(env):
    """'4,9' was stored as 49."""
    data = template(env, [["KPI3", "2025", None, "total", "4,9", "12,5", None]])
    importer.apply(importer.plan(data, "kpi.xlsx", "kpi", **env), "tester", **env)
    assert value(env, "SELECT value, target FROM kpi_results") == [(4.9, 12.5)]
