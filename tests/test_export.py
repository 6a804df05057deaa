"""Exports open as data: formula-like cells stay text."""
import io

import openpyxl
import pandas as pd

from core.export import escape_formulas, to_csv_bytes, to_excel_bytes

HOSTILE = pd.DataFrame({"name": ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "plain"], "value": [1.5, -2.0, 3.0, 4.0, 5.0]})


def test_escape_prefixes_formula_like_text_only():
    out = escape_formulas(HOSTILE)
    assert list(out["name"]) == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "plain"]
    assert list(out["value"]) == [1.5, -2.0, 3.0, 4.0, 5.0]  # numbers are untouched


def test_excel_cells_stay_text_and_about_sheet_names_sources():
    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(HOSTILE, "data", [("source", "UNODC")])))
    sheet = book["data"]
    assert [c.value for c in sheet["A"]][1:] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "plain"]
    assert all(c.data_type == "s" for c in sheet["A"][1:])
    assert [c.value for c in book["About"]["B"]][1:] == ["UNODC"]


def test_csv_reads_back_in_pandas():
    back = pd.read_csv(io.BytesIO(to_csv_bytes(HOSTILE)))
    assert back["name"].iloc[0] == "'=1+1" and back["value"].iloc[1] == -2.0


def test_leading_spaces_do_not_hide_a_formula():
    out = escape_formulas(pd.DataFrame({"name": ["  =1+1", " \t=HYPERLINK(\"x\")", " plain"]}))
    assert list(out["name"]) == ["'  =1+1", "' \t=HYPERLINK(\"x\")", " plain"]
