"""Table exports (CSV, Excel) that spreadsheets open as data, never as formulas."""
from __future__ import annotations

import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    def escape(value):
        # Leading whitespace does not hide a formula: spreadsheets strip it and run what follows.
        if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
            return "'" + value
        return value
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape)
    return out


def whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns that hold only whole numbers (amounts in euro, counts with gaps) as integers, so a
    download writes 18400000, not 18400000.0; other values keep their full precision."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_float_dtype(values) and values.notna().any() and (values.dropna() % 1 == 0).all():
            out[col] = values.astype("Int64")
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return escape_formulas(whole_numbers(frame)).to_csv(index=False).encode("utf-8")


def to_excel_bytes(frame: pd.DataFrame, sheet: str, about: list[tuple[str, str]],
                   about_sheet: str = "About", about_columns: tuple[str, str] = ("item", "value")) -> bytes:
    """One data sheet plus an 'About' sheet (sources, data date, link), its name and headings in the reader's
    language when given (the file is made later, when its button is clicked)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        escape_formulas(whole_numbers(frame)).to_excel(writer, sheet_name=sheet[:31], index=False)
        escape_formulas(pd.DataFrame(about, columns=list(about_columns))).to_excel(
            writer, sheet_name=about_sheet[:31], index=False)
    return buffer.getvalue()
