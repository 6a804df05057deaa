"""Homicide logic beyond SQL: the table of the view and the country profile (pure pandas)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core import format as fmt
from core.strings import t


def view_table(values: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    """The map's values as a table, each with its source (publisher and edition), and what other sources say for
    the same country and year.

    Headings and yes/no values in the reader's language (core/strings.py); their English is what the pages
    and downloads have always shown."""
    other_text: dict[str, str] = {}
    for iso3, rate, title in zip(others["iso3"], others["rate_per_100k"], others["source_title"]):
        other_text[iso3] = "; ".join(filter(None, [other_text.get(iso3), f"{fmt.rate(rate)} ({title})"]))
    other_rates = others.groupby("iso3")["rate_per_100k"].agg(list)
    rates = values["rate_per_100k"]  # full precision: shown through core/format.py, rounded once there
    current = values["is_current"].eq(True) & values["rate_per_100k"].notna()  # a value from the chosen year

    def differs(iso3: str, rate: float, is_current: bool) -> str:
        found = other_rates.get(iso3, [])
        if not found or not is_current:
            return ""
        return t("homicide_table.yes") if any(abs(r - rate) >= 0.05 for r in found) else t("homicide_table.no")

    chosen_year = values["is_current"].map({True: t("homicide_table.yes"), False: t("homicide_table.no_earlier")})
    chosen_year.loc[values["rate_per_100k"].isna().to_numpy()] = t("homicide_table.no_data")
    table = pd.DataFrame({
        t("common.country"): values["name"],
        t("homicide_table.iso3"): values["iso3"],
        t("homicide_table.rate"): rates,
        t("homicide_table.value_year"): values["value_year"].astype("Int64"),
        t("homicide_table.chosen_year"): chosen_year,
        t("homicide_table.source"): values["source_label"].fillna(""),
        t("homicide_table.other_sources"): [other_text.get(iso3, "") for iso3 in values["iso3"]],
        t("homicide_table.sources_differ"): [differs(iso3, rate, now) for iso3, rate, now
                                             in zip(values["iso3"], rates, current)],
    })
    return table.reset_index(drop=True)


@dataclass(frozen=True)
class CountryProfile:
    latest_year: int | None
    latest_rate: float | None
    latest_source: str | None  # publisher and edition of the latest value
    change_5y: float | None  # percentage points vs five years before the latest year (None if no value then)
    change_10y: float | None
    quotes: pd.DataFrame  # figures quoted in documents, with the data set's value for the same year


def country_profile(series: pd.DataFrame) -> CountryProfile:
    """`series`: one country's rows from queries.homicide_series (all sources; `role` 'series' marks the values
    of the series shown, which may come from several editions)."""
    main = series[(series["role"] == "series") & series["year"].notna()]
    by_year = main.set_index(main["year"].astype(int))["rate_per_100k"]
    if by_year.empty:
        latest_year = latest_rate = change_5 = change_10 = latest_source = None
    else:
        latest_year = int(by_year.index.max())
        latest_rate = float(by_year[latest_year])
        latest_source = str(main.set_index(main["year"].astype(int))["source_label"][latest_year])
        change_5 = float(latest_rate - by_year[latest_year - 5]) if latest_year - 5 in by_year else None
        change_10 = float(latest_rate - by_year[latest_year - 10]) if latest_year - 10 in by_year else None
    quoted = series[series["role"] == "document"].copy()
    quoted["dataset_value"] = quoted["year"].map(lambda y: by_year.get(int(y)) if pd.notna(y) else None)
    quoted["difference"] = quoted["rate_per_100k"] - quoted["dataset_value"].astype(float)
    return CountryProfile(latest_year, latest_rate, latest_source, change_5, change_10, quoted.reset_index(drop=True))
