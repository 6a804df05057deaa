"""Cached query functions shared by pages (countries, sources, homicide): one per question."""
from __future__ import annotations

import pandas as pd

from core.db import cached, query

PRIMARY_HOMICIDE_SOURCE = "owid_unodc_homicide"


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

@cached
def homicide_sources() -> pd.DataFrame:
    """Sources with homicide rows; data sets first (they carry series), then documents."""
    return query("""
        SELECT s.source_id, s.title, s.publisher, s.kind, count(*) AS n_rows,
               min(h.year) AS first_year, max(h.year) AS last_year
        FROM homicide_rates h JOIN sources s USING (source_id)
        GROUP BY ALL ORDER BY s.kind DESC, n_rows DESC""")


@cached
def homicide_year_range(source_id: str) -> tuple[int, int]:
    row = query("SELECT min(year), max(year) FROM homicide_rates WHERE source_id = ?", [source_id]).iloc[0]
    return int(row.iloc[0]), int(row.iloc[1])


@cached
def homicide_rate_ceiling() -> float:
    """Top of the fixed colour scale: the highest rate of any country-year, rounded up to 10."""
    top = query("SELECT max(rate_per_100k) FROM homicide_rates").iloc[0, 0]
    return float(-(-top // 10) * 10)


@cached
def homicide_map_values(year: int, source_id: str) -> pd.DataFrame:
    """One row per country: the source's value for `year`, or its latest earlier value, marked.

    `value_year` says which year the value is from; `is_current` is false where it is older.
    Countries with no value at or before `year` have an empty rate.
    """
    return query("""
        WITH latest AS (
            SELECT iso3, max(year) AS value_year, arg_max(rate_per_100k, year) AS rate_per_100k
            FROM homicide_rates
            WHERE source_id = $source AND year <= $year
            GROUP BY iso3
        )
        SELECT c.iso3, c.name, c.lat, c.lon, l.value_year, l.rate_per_100k,
               coalesce(l.value_year = $year, false) AS is_current,
               $source AS source_id
        FROM countries c LEFT JOIN latest l USING (iso3)
        ORDER BY l.rate_per_100k DESC NULLS LAST, c.name""", {"year": year, "source": source_id})


@cached
def homicide_other_source_values(year: int, source_id: str) -> pd.DataFrame:
    """Values other sources give for the same country and year (to show beside the primary one)."""
    return query("""
        SELECT h.iso3, h.year, h.rate_per_100k, h.source_id, s.title AS source_title, h.source_ref, h.note
        FROM homicide_rates h JOIN sources s USING (source_id)
        WHERE h.year = ? AND h.source_id <> ?
        ORDER BY h.iso3, s.title""", [year, source_id])


@cached
def homicide_series(iso3s: tuple[str, ...]) -> pd.DataFrame:
    """Every row for the chosen countries, all sources (undated quotes included, year empty)."""
    return query("""
        SELECT h.iso3, c.name, h.year, h.rate_per_100k, h.source_id, s.title AS source_title,
               s.kind AS source_kind, h.source_ref, h.note
        FROM homicide_rates h JOIN countries c ON c.iso3 = h.iso3 JOIN sources s ON s.source_id = h.source_id
        WHERE list_contains(?, h.iso3)
        ORDER BY c.name, h.year, s.kind DESC""", [list(iso3s)])


@cached
def homicide_benchmarks() -> pd.DataFrame:
    return query("""
        SELECT b.area, b.year, b.rate_per_100k, b.source_id, s.title AS source_title, s.kind AS source_kind,
               b.source_ref, b.note
        FROM homicide_benchmarks b JOIN sources s USING (source_id)
        ORDER BY b.area, b.year""")


@cached
def homicide_headline(source_id: str) -> pd.DataFrame:
    """Latest year with World and LAC values, and how many of the 16 countries exceed the world rate."""
    return query("""
        WITH bench AS (
            SELECT year,
                   max(rate_per_100k) FILTER (WHERE area = 'World') AS world,
                   max(rate_per_100k) FILTER (WHERE area = 'Latin America and the Caribbean') AS lac
            FROM homicide_benchmarks WHERE source_id = $source GROUP BY year
        ), latest AS (SELECT max(year) AS year FROM bench WHERE world IS NOT NULL AND lac IS NOT NULL)
        SELECT b.year, b.world, b.lac,
               count(h.iso3) AS countries_reporting,
               count(h.iso3) FILTER (WHERE h.rate_per_100k > b.world) AS countries_above_world
        FROM bench b JOIN latest USING (year)
        LEFT JOIN homicide_rates h ON h.year = b.year AND h.source_id = $source
        GROUP BY ALL""", {"source": source_id})
