"""Cached query functions shared by pages (countries, sources, homicide): one per question."""
from __future__ import annotations

import pandas as pd

from core.db import cached, query
from loaders.series import DEFAULT_SERIES, LATEST  # noqa: F401  (the pages ask them here)

PRIMARY_HOMICIDE_SOURCE = "owid_unodc_homicide"  # the curated source of the default series


# --- countries and sources -------------------------------------------------------------

@cached
def countries() -> pd.DataFrame:
    return query("SELECT iso3, name, is_caricom_member, in_elpaccto, lat, lon FROM countries ORDER BY name")


@cached
def sources(source_ids: tuple[str, ...]) -> pd.DataFrame:
    return query("SELECT source_id, title, publisher, year, kind, citation, accessed FROM sources "
                 "WHERE list_contains(?, source_id) ORDER BY kind DESC, title", [list(source_ids)])


@cached
def table_sources(table_names: tuple[str, ...]) -> tuple[str, ...]:
    """Source ids cited by any row of the given tables (for page footers)."""
    union = " UNION ".join(f"SELECT DISTINCT source_id FROM {name}" for name in table_names
                           if name.isidentifier())
    return tuple(query(f"SELECT source_id FROM ({union}) ORDER BY 1")["source_id"])


@cached
def data_as_of() -> pd.Timestamp | None:
    value = query("SELECT data_as_of FROM meta_build")["data_as_of"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value)


@cached
def table_dictionary() -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = query("SELECT table_name, description, file, row_count, ships_empty FROM meta_tables")
    columns = query("SELECT table_name, column_name, dtype, unit, nullable, description, references_to "
                    "FROM meta_columns ORDER BY table_name, position")
    return tables, columns


# --- homicide ---------------------------------------------------------------------------
# A view shows one series (loaders/series.py): its newest edition per country-year, resolved by the
# database's series_rates / series_benchmarks macros (loaders/shown.py), or LATEST (the newest edition per
# country-year among the recorded-victims series). Every value keeps its source: `source_label` names the
# publisher and the edition beside it.

_LABEL = """s.publisher || coalesce(', ' || strftime(e.edition_date, '%Y-%m-%d'), '')"""


@cached
def homicide_series_choices() -> pd.DataFrame:
    """The series that hold rows now, the default first: id, title, publisher, editions, newest edition, years."""
    return query(f"""
        SELECT r.series_id, r.title, r.publisher, r.measure, count(DISTINCT e.source_id) AS editions,
               max(coalesce(e.edition_date, s.accessed)) AS newest_edition, min(h.year) AS first_year,
               max(h.year) AS last_year
        FROM series r JOIN dataset_editions e USING (series_id) JOIN sources s USING (source_id)
        JOIN homicide_rates h USING (source_id)
        GROUP BY r.series_id, r.title, r.publisher, r.measure, r.position
        ORDER BY r.series_id <> $default, r.position""", {"default": DEFAULT_SERIES})


def series_or_default(series: str) -> str:
    """A series that holds rows (or LATEST); anything else falls back to the default series."""
    known = set(homicide_series_choices()["series_id"])
    return series if series in known or (series == LATEST and known) else DEFAULT_SERIES


@cached
def homicide_year_range(series: str) -> tuple[int, int]:
    row = query("SELECT min(year), max(year) FROM series_rates(?)", [series]).iloc[0]
    if pd.isna(row.iloc[0]):
        row = query("SELECT min(year), max(year) FROM series_rates(?)", [DEFAULT_SERIES]).iloc[0]
    return int(row.iloc[0]), int(row.iloc[1])


@cached
def homicide_rate_ceiling() -> float:
    """Top of the fixed colour scale: the highest rate of any country-year, rounded up to 10."""
    top = query("SELECT max(rate_per_100k) FROM homicide_rates").iloc[0, 0]
    return float(-(-top // 10) * 10)


@cached
def homicide_map_values(year: int, series: str) -> pd.DataFrame:
    """One row per country: the series' value for `year`, or its latest earlier value, marked.

    `value_year` says which year the value is from; `is_current` is false where it is older. Countries
    with no value at or before `year` have an empty rate. `source_id` / `source_label`: where the value
    comes from (with LATEST, each country's own).
    """
    return query(f"""
        WITH latest AS (
            SELECT iso3, max(year) AS value_year, arg_max(rate_per_100k, year) AS rate_per_100k,
                   arg_max(source_id, year) AS source_id
            FROM series_rates($series)
            WHERE year <= $year
            GROUP BY iso3
        )
        SELECT c.iso3, c.name, c.lat, c.lon, l.value_year, l.rate_per_100k,
               coalesce(l.value_year = $year, false) AS is_current, l.source_id,
               {_LABEL} AS source_label
        FROM countries c LEFT JOIN latest l USING (iso3)
        LEFT JOIN sources s ON s.source_id = l.source_id LEFT JOIN dataset_editions e ON e.source_id = l.source_id
        ORDER BY l.rate_per_100k DESC NULLS LAST, c.name""", {"year": year, "series": series})


@cached
def homicide_other_source_values(year: int, series: str) -> pd.DataFrame:
    """Values other sources give for the same country and year (to show beside the series' own)."""
    return query(f"""
        SELECT h.iso3, h.year, h.rate_per_100k, h.source_id, s.title AS source_title, {_LABEL} AS source_label,
               h.source_ref, h.note
        FROM homicide_rates h JOIN sources s USING (source_id) LEFT JOIN dataset_editions e USING (source_id)
        WHERE h.year = $year
          AND NOT EXISTS (SELECT 1 FROM series_rates($series) v
                          WHERE v.iso3 = h.iso3 AND v.year = h.year AND v.source_id = h.source_id)
        ORDER BY h.iso3, s.title""", {"year": year, "series": series})


@cached
def homicide_series(iso3s: tuple[str, ...], series: str) -> pd.DataFrame:
    """Every row for the chosen countries, all sources (undated quotes included, year empty).

    `role`: 'series' for the value the chosen series shows, 'document' for a figure quoted in a document,
    'other' for any other data set's value (other series, older editions)."""
    return query(f"""
        SELECT h.iso3, c.name, h.year, h.rate_per_100k, h.source_id, s.title AS source_title,
               s.kind AS source_kind, {_LABEL} AS source_label, h.source_ref, h.note,
               CASE WHEN v.source_id IS NOT NULL THEN 'series' WHEN s.kind = 'document' THEN 'document'
                    ELSE 'other' END AS role
        FROM homicide_rates h JOIN countries c ON c.iso3 = h.iso3 JOIN sources s ON s.source_id = h.source_id
        LEFT JOIN dataset_editions e ON e.source_id = h.source_id
        LEFT JOIN series_rates($series) v ON v.iso3 = h.iso3 AND v.year = h.year AND v.source_id = h.source_id
        WHERE list_contains($iso3s, h.iso3)
        ORDER BY c.name, h.year, s.kind DESC""", {"iso3s": list(iso3s), "series": series})


@cached
def homicide_benchmarks(series: str) -> pd.DataFrame:
    """World and Latin America and the Caribbean from the series itself; an area the series does not give
    comes from the default series (its source says so)."""
    return query(f"""
        WITH own AS (SELECT * FROM series_benchmarks($series)),
        fallback AS (SELECT * FROM series_benchmarks($default) d WHERE d.area NOT IN (SELECT area FROM own))
        SELECT b.area, b.year, b.rate_per_100k, b.source_id, s.title AS source_title, s.kind AS source_kind,
               {_LABEL} AS source_label
        FROM (SELECT * FROM own UNION ALL SELECT * FROM fallback) b JOIN sources s USING (source_id)
        LEFT JOIN dataset_editions e USING (source_id)
        ORDER BY b.area, b.year""", {"series": series, "default": DEFAULT_SERIES})


@cached
def homicide_headline(series: str) -> pd.DataFrame:
    """Latest year with World and LAC values (the series' own, else the default series'), and how many of
    the 16 countries exceed the world rate that year in the series."""
    bench = homicide_benchmarks(series)
    both = bench.pivot_table(index="year", columns="area", values="rate_per_100k", aggfunc="first")
    both = both.dropna(subset=[a for a in ("World", "Latin America and the Caribbean") if a in both.columns])
    if not {"World", "Latin America and the Caribbean"} <= set(both.columns) or both.empty:
        return pd.DataFrame([{"year": None, "world": None, "lac": None, "countries_reporting": 0,
                              "countries_above_world": 0, "source_ids": ()}])
    year = int(both.index.max())
    world, lac = float(both.loc[year, "World"]), float(both.loc[year, "Latin America and the Caribbean"])
    rates = query("SELECT rate_per_100k, source_id FROM series_rates(?) WHERE year = ?", [series, year])
    used = bench[bench["year"] == year]["source_id"].tolist() + rates["source_id"].tolist()
    return pd.DataFrame([{"year": year, "world": world, "lac": lac, "countries_reporting": len(rates),
                          "countries_above_world": int((rates["rate_per_100k"] > world).sum()),
                          "source_ids": tuple(dict.fromkeys(used))}])
