"""Read curated CSV files and validate them against `loaders.tables` with pandera.

Every problem is reported as a `Problem` naming the file, the CSV line and the
column, so that a curator can open the file and fix it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from loaders.tables import TABLES_BY_NAME, Column, Table

PANDAS_DTYPES = {"str": str, "int": "Int64", "float": "Float64", "bool": "boolean",
                 "date": "datetime64[ns]"}
BOOL_WORDS = {"true": True, "false": False}
_NUMBER = re.compile(r"\s*\d*\.?\d+([eE][-+]?\d+)?\s*")


def formula_like(value: object) -> bool:
    """Text a spreadsheet would run as a formula: it starts with a tab or CR, or, once leading
    whitespace is stripped, with =, +, @, or - followed by anything but a number."""
    if not isinstance(value, str):
        return False
    if value[:1] in ("\t", "\r"):
        return True
    text = value.strip()
    if text[:1] in ("=", "+", "@"):
        return True
    return text[:1] == "-" and len(text) > 1 and not _NUMBER.fullmatch(text[1:])


def shown_value(value: object) -> str:
    """A cell's value as a message shows it: text quoted, numbers plain (never 'np.int64(0)')."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value) if isinstance(value, str) else str(value)


FRIENDLY_TYPES = {"Int64": "whole number", "Float64": "number", "boolean": "true/false value",
                  "datetime64[ns]": "date (YYYY-MM-DD)", "str": "text"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # line of the CSV file (the header is line 1); None for whole-file problems
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line} (row {self.line - 1})"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _checks(col: Column) -> list[pa.Check]:
    checks = []
    if col.min is not None:
        checks.append(pa.Check.ge(col.min, error=f"must be at least {col.min:g}"))
    if col.max is not None:
        checks.append(pa.Check.le(col.max, error=f"must be at most {col.max:g}"))
    if col.allowed:
        checks.append(pa.Check.isin(col.allowed, error=f"must be one of: {', '.join(col.allowed)}"))
    if col.pattern:
        checks.append(pa.Check.str_matches(col.pattern, error=f"must match {col.pattern}"))
    return checks


def type_schema(table: Table) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: pa.Column(PANDAS_DTYPES[c.dtype], nullable=c.nullable, coerce=True) for c in table.columns},
        strict=True, ordered=True, name=table.name,
    )


def check_schema(table: Table) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: pa.Column(PANDAS_DTYPES[c.dtype], _checks(c), nullable=c.nullable) for c in table.columns},
        unique=list(table.key), report_duplicates="all", name=table.name,
    )


def _problems_from(error: pa.errors.SchemaErrors, file: str) -> list[Problem]:
    problems = []
    for case in error.failure_cases.itertuples():
        line = None if pd.isna(case.index) else int(case.index) + 2
        check = str(case.check)
        if check.startswith("coerce_dtype") or check.startswith("dtype("):
            if check.startswith("dtype(") and line is not None:
                continue  # the coerce_dtype row already says it
            dtype = check.split("(", 1)[1].rstrip(")").strip("'")
            message = f"value {shown_value(case.failure_case)} is not a valid {FRIENDLY_TYPES.get(dtype, dtype)}"
        elif check == "not_nullable":
            message = "value is missing (this column may not be empty)"
        elif "uniqueness" in check or check.startswith("unique"):
            message = f"duplicate key: another row has the same {', '.join(error.schema.unique or [])}"
        elif check == "column_in_dataframe":
            message = "column is missing"
            line = 1
        elif check == "column_in_schema":
            message = "unexpected column"
            line = 1
        elif check.startswith("column_ordered"):
            message = "column is out of order (see loaders/tables.py for the order)"
            line = 1
        else:
            message = f"value {shown_value(case.failure_case)} {check}"
        column = case.failure_case if check.startswith("column_") else case.column
        problems.append(Problem(file, line, None if pd.isna(column) else str(column), message))
    # One problem per (line, column, message), in file order.
    unique = {(p.line or 0, p.column or "", p.message): p for p in problems}
    return [unique[k] for k in sorted(unique)]


def read_table(path: Path, table: Table) -> pd.DataFrame:
    """Read and type-check one curated CSV; raise ValidationFailed naming line and column."""
    file = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationFailed([Problem(file, None, None, f"cannot be read as UTF-8 CSV: {exc}")]) from exc
    formulas = [Problem(file, int(i) + 2, col, f"formula-like text {raw.at[i, col].strip()[:40]!r} is not allowed")
                for col in raw.columns for i in raw.index[raw[col].map(formula_like)]]
    if formulas:
        raise ValidationFailed(formulas)
    raw = raw.apply(lambda s: s.str.strip()).replace("", None)
    for col in table.columns:
        if col.dtype == "bool" and col.name in raw:
            raw[col.name] = raw[col.name].map(lambda v: BOOL_WORDS.get(v.lower(), v) if isinstance(v, str) else v)
    try:
        typed = type_schema(table).validate(raw, lazy=True)
        return check_schema(table).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise ValidationFailed(_problems_from(exc, file)) from exc


def check_references(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Every foreign key resolves: single-column `references` and composite ones."""
    problems = []
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        refs = [((c.name,), *c.references.split(".")) for c in table.columns if c.references]
        refs = [(own, other, (other_col,)) for own, other, other_col in refs]
        refs += list(table.composite_references)
        for own, other, other_cols in refs:
            target = frames[other][list(other_cols)].dropna().astype(str).drop_duplicates()
            target.columns = list(own)
            values = frame[list(own)].dropna().astype(str)
            merged = values.reset_index().merge(target, on=list(own), how="left", indicator=True)
            for row in merged[merged["_merge"] == "left_only"].itertuples(index=False):
                shown = ", ".join(str(getattr(row, c)) for c in own)
                problems.append(Problem(files[name], int(row.index) + 2, ", ".join(own),
                                        f"{shown!r} not found in {other}.{', '.join(other_cols)}"))
    return problems
