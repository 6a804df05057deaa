"""Tables as people read them: every figure through the one formatter (core/format.py), no raw None/nan.

`shown(frame, kinds)` returns what `st.dataframe` displays. A numeric column with no gaps stays numeric,
formatted for display only (it still sorts as numbers); a column with gaps becomes text, each gap in
words ("not reported"), because the table widget prints a missing value as "None" whatever its format.
Downloads keep full precision (core/export.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from core import format as fmt
from core.strings import t

FORMATTERS: dict[str, Callable] = {
    "rate": fmt.rate, "count": fmt.count, "year": fmt.year, "eur": fmt.eur, "eur_short": fmt.eur_short,
    "eur_millions": fmt.eur_millions, "signed": fmt.signed, "share": fmt.share, "percent": fmt.percent,
    "date": fmt.day_short, "number": lambda v, missing=None: fmt.number(v, 1, missing=missing),
}


def _text(value, missing: str) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return missing
    return str(value)


def shown(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None,
          missing: Mapping[str, str] | None = None) -> Styler | pd.DataFrame:
    """`frame` ready for st.dataframe: `kinds` maps a column to its kind of figure (see FORMATTERS);
    `missing` gives a column's words for a gap (default "not reported"; text columns: empty)."""
    kinds, missing = dict(kinds or {}), dict(missing or {})
    out = frame.copy()
    styled: dict[str, Callable] = {}
    for column in out.columns:
        kind = kinds.get(column)
        series = out[column]
        gap = missing.get(column, t("common.not_reported") if kind else "")
        if kind is None and pd.api.types.is_datetime64_any_dtype(series):
            kind = "date"
        if kind is None:
            if series.dtype == object or pd.api.types.is_string_dtype(series) or series.isna().any():
                out[column] = [_text(v, gap) for v in series]
            continue
        formatter = FORMATTERS[kind]
        if series.isna().any() or series.dtype == object or kind == "date":
            out[column] = [formatter(v, missing=gap) for v in series]
        else:
            styled[column] = formatter
    if not styled:
        return out
    return out.style.format({column: (lambda f: lambda v: f(v))(f) for column, f in styled.items()})


def raw_values(table) -> pd.DataFrame:
    """The data behind what `shown` returns (for tests and downloads)."""
    return table.data if isinstance(table, Styler) else table
