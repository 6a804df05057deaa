"""The preview's comparisons: what an import adds to or changes in its series, and where it disagrees with
what the dashboard shows now.

- Against its own series (loaders/shown.py resolves it: the newest edition per country-year): a value
  is *changed* only when it differs at the precision the dashboard shows (one decimal), so that a new
  edition that only carries more digits counts as unchanged.
- Against what the dashboard shows for the same country-year (the default series, whatever source that
  value comes from): differences of DIFFERENCE_THRESHOLD or more are listed, largest first.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from loaders import build
from loaders.series import DEFAULT_SERIES
from loaders.tables import RATE_SHOWN_DIGITS

DIFFERENCE_THRESHOLD = 1.0  # per 100,000: a disagreement worth an editor's look
_KEYS = {"homicide_rates": "iso3", "homicide_benchmarks": "area"}
_MACROS = {"homicide_rates": "series_rates", "homicide_benchmarks": "series_benchmarks"}


def shown(value: float) -> Decimal:
    """A rate as the dashboard shows it: rounded once, half away from zero, from its shortest decimal form."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-RATE_SHOWN_DIGITS), rounding=ROUND_HALF_UP)


@dataclass
class Comparison:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)  # vs what the dashboard shows
    compared: int = 0  # new values for which the dashboard shows a value now
    newest_edition: str = ""  # the series' newest edition before this import (YYYY-MM-DD), "" if none


def homicide(tables: dict[str, pd.DataFrame], series_id: str, db_path: Path) -> Comparison:
    result = Comparison()
    found = []
    with build.read_only(db_path) as con:
        row = con.execute("SELECT max(edition_order)::VARCHAR FROM series_editions(?)", [series_id]).fetchone()
        result.newest_edition = (row[0] or "") if row else ""
        for name, key in _KEYS.items():
            rows = tables.get(name)
            if rows is None or rows.empty:
                continue
            macro = _MACROS[name]
            own = con.execute(f"SELECT {key} AS place, year, rate_per_100k AS previous FROM {macro}(?)",
                              [series_id]).df()
            now = con.execute(f"""SELECT v.{key} AS place, v.year, v.rate_per_100k AS shown_value,
                                         s.publisher || ', edition ' || v.edition_order::VARCHAR AS shown_source,
                                         s.publisher AS shown_publisher, v.edition_order::VARCHAR AS shown_edition
                                  FROM {macro}(?) v JOIN sources s USING (source_id)""", [DEFAULT_SERIES]).df()
            new = pd.DataFrame({"place": rows[key].astype(str), "year": rows["year"].astype(int),
                                "new_value": rows["rate_per_100k"].astype(float)})
            merged = new.merge(own.astype({"year": int}), on=["place", "year"], how="left")
            has = merged["previous"].notna()
            same = has & pd.Series([pd.notna(b) and shown(a) == shown(b)
                                    for a, b in zip(merged["new_value"], merged["previous"])], index=merged.index)
            result.added += int((~has).sum())
            result.unchanged += int(same.sum())
            result.changed += int((has & ~same).sum())
            against = new.merge(now.astype({"year": int}), on=["place", "year"], how="inner")
            result.compared += len(against)
            against["difference"] = against["new_value"] - against["shown_value"]
            found.append(against[against["difference"].abs() >= DIFFERENCE_THRESHOLD - 1e-9])
    if found:
        frame = pd.concat(found, ignore_index=True)
        result.differences = frame.reindex(frame["difference"].abs().sort_values(ascending=False).index) \
            .reset_index(drop=True)[["place", "year", "new_value", "shown_value", "difference", "shown_source", "shown_publisher",
                                     "shown_edition"]]
    return result


_OBI_REPORTED = "coalesce({prefix}value::VARCHAR, '') || '|' || coalesce({prefix}assessment, '')"


def kpi(tables: dict[str, pd.DataFrame], db_path: Path) -> Comparison:
    """Against the latest value any KPI import gave for the same key: added, changed, unchanged."""
    result = Comparison()
    keys = {"kpi_results": ["kpi_id", "period", "iso3", "breakdown"], "action_status": ["goal_no", "action_no"],
            "obi_results": ["obi_id", "period", "iso3"]}
    values = {"kpi_results": "value", "action_status": "status", "obi_results": "reported"}
    order = {"action_status": "t.as_of", "kpi_results": "s.accessed", "obi_results": "t.as_of"}
    with build.read_only(db_path) as con:
        for name, rows in tables.items():
            if rows.empty or name not in keys:
                continue
            key, value = keys[name], values[name]
            cols = ", ".join(f"t.{k}" for k in key)
            reported = _OBI_REPORTED.format(prefix="t.") if name == "obi_results" else f"t.{value}"
            previous = con.execute(f"""SELECT {cols}, arg_max({reported}, {order[name]}) AS previous
                                       FROM {name} t JOIN sources s ON s.source_id = t.source_id
                                       GROUP BY ALL""").df()
            if name == "obi_results":  # an OBI result is its value and its words together
                rows = rows.assign(reported=con.execute(
                    f"SELECT {_OBI_REPORTED.format(prefix='')} AS reported FROM rows").df()["reported"].values)
            merged = rows.astype({k: str for k in key}).merge(previous.astype({k: str for k in key}), on=key,
                                                              how="left")
            has = merged["previous"].notna()
            same = has & (merged[value].astype(str) == merged["previous"].astype(str))
            result.added += int((~has).sum())
            result.unchanged += int(same.sum())
            result.changed += int((has & ~same).sum())
    return result
