"""Our World in Data grapher downloads: the full-data CSV, the 'filtered' CSV, and the download zip.

Full data: `Entity,Code,Year,<value column>` and sometimes `World region(s) according to OWID` (filled on
one row per entity, sometimes on a row whose value is empty); no BOM, LF, no final newline. The value
column's title says which series it is (loaders/series.py); its wording changes between editions.
Aggregates: World (code OWID_WRL) and a Latin America and the Caribbean entity whose name depends on the
series and edition (declared below, the first one present is taken).

Filtered ('csvType=filtered', the chart's table or map view): the same columns plus two named `time`;
one row per entity, its latest value; Code and Year are empty except for entities whose latest year is
the chart's end year, and the year is the last `time` column. Countries are then known by their names
(declared below, as Our World in Data writes them). Read, with a note that 'Download full data' gives
every year.

Zip (the chart's 'Download' button): the CSV, `<slug>.metadata.json` (its columns' lastUpdated date is
the edition) and a readme.
"""
from __future__ import annotations

import io
import json
import zipfile

from loaders import cells, rates, series
from loaders.messages import say
from loaders.parsed import Parsed, SeriesNeeded, reject
from loaders.validate import Problem, formula_like

OWID_NAMES = {"Antigua and Barbuda": "ATG", "Bahamas": "BHS", "Barbados": "BRB", "Belize": "BLZ", "Dominica": "DMA",
              "Dominican Republic": "DOM", "Grenada": "GRD", "Guyana": "GUY", "Haiti": "HTI", "Jamaica": "JAM",
              "Montserrat": "MSR", "Saint Kitts and Nevis": "KNA", "Saint Lucia": "LCA",
              "Saint Vincent and the Grenadines": "VCT", "Suriname": "SUR", "Trinidad and Tobago": "TTO"}
# Benchmark entities in order of preference: UN regions, then the GBD and World Bank regions of other series.
BENCHMARK_ENTITIES = (("World", rates.WORLD),
                      ("Latin America and the Caribbean (UN)", rates.LAC),
                      ("Latin America and the Caribbean", rates.LAC),
                      ("Latin America and Caribbean", rates.LAC),
                      ("Latin America & Caribbean", rates.LAC),
                      ("Latin America & Caribbean (WB)", rates.LAC),
                      ("Latin America & Caribbean - World Bank region", rates.LAC))
_PREFERENCE = {name: i for i, (name, _) in enumerate(BENCHMARK_ENTITIES)}
_AREA = dict(BENCHMARK_ENTITIES)
MAX_ZIP_BYTES = 64 * 2**20
MAX_METADATA_BYTES = 2**20


def identify(column: str, file: str, chosen: str | None) -> series.Series:
    """The series a value column holds, from its title; `chosen`: the editor's answer for an ambiguous title."""
    found = series.match_owid_title(column)
    if found.not_a_rate:
        raise reject(file, 1, column, say("owid.not_a_rate", column=repr(column), why=found.not_a_rate))
    if found.series is not None:
        if chosen and chosen != found.series.series_id:
            raise reject(file, 1, column, say("owid.series_mismatch", column=repr(column), found=found.series.title,
                                              chosen=series.SERIES_BY_ID[chosen].title))
        return found.series
    choices = tuple(s.series_id for s in series.OWID_SERIES)
    if found.ambiguous:
        if chosen in choices:
            return series.SERIES_BY_ID[chosen]
        problem = Problem(file, 1, column, say("owid.ambiguous", column=repr(column), choices=", ".join(choices)))
        raise SeriesNeeded(problem, column, choices)
    raise reject(file, 1, column, say("owid.unknown_indicator", column=repr(column),
                                      accepted="; ".join(repr(t) for t in series.accepted_titles())))


def read(data: bytes, file: str, layout: str, chosen: str | None = None, edition: tuple[str, str] = ("", ""),
         where: str | None = None) -> Parsed:
    shown = where or file
    stream = rates.records(data, shown)
    first = next(stream, None)
    if first is None or len(first[1]) < 4:
        raise reject(shown, 1, None, say("owid.no_columns"))
    header = [h.strip() for h in first[1]]
    value_col = header[3]
    if formula_like(value_col) or len(value_col) > 200 or any(ord(c) < 32 for c in value_col):
        raise reject(shown, 1, value_col[:40], say("owid.bad_column_name"))
    found = identify(value_col, shown, chosen)
    filtered = "time" in header[4:]
    time_col = len(header) - 1 - header[::-1].index("time") if filtered else None
    collected = rates.RateRows(shown)
    benchmarks: list[tuple] = []
    last = None
    for line, row in stream:
        if not any(v.strip() for v in row):
            continue
        last = (line, row)
        collected.data_rows += 1
        if len(row) < 4:
            collected.problems.append(Problem(shown, line, None, say("file.short_row", found=len(row),
                                                                    expected=len(header))))
            continue
        entity, code, year, value = row[0].strip(), row[1].strip(), row[2], row[3]
        if filtered and cells.is_blank(year) and time_col is not None and time_col < len(row):
            year = row[time_col]
        iso3 = code if rates.is_country(code) else (OWID_NAMES.get(entity) if not code else None)
        if iso3:
            collected.country(iso3, year, value, line, "Year", value_col, shown_key=entity, key_col="Entity")
        elif entity in _AREA:
            benchmarks.append((entity, year, value, line))
        else:
            collected.skip(code or entity)
    if last is not None and len(last[1]) < len(header) and not filtered:
        raise rates.cut_off(shown, last[0], last[1], len(header))
    _take_benchmarks(collected, benchmarks, value_col)
    collected.require_rows(header_only=collected.data_rows == 0)
    edition_text, edition_date = edition
    parsed = Parsed("homicide", "owid", found.publisher, f"Our World in Data grapher: {value_col}", edition_text,
                    int(edition_date[:4]) if edition_date else None, collected.tables(), collected.ignored,
                    say("ignored.owid"),
                    layout=layout, series_id=found.series_id, edition_date=edition_date)
    if filtered:
        parsed.notes.append(say("owid.filtered"))
    return parsed


def _take_benchmarks(collected: rates.RateRows, rows: list[tuple], value_col: str) -> None:
    """One entity per area: the most preferred present in the file; rows of the others are ignored."""
    best: dict[str, str] = {}
    for entity, *_ in rows:
        area = _AREA[entity]
        if area not in best or _PREFERENCE[entity] < _PREFERENCE[best[area]]:
            best[area] = entity
    for entity, year, value, line in rows:
        if best[_AREA[entity]] == entity:
            collected.area(_AREA[entity], year, value, line, "Year", value_col, shown_key=entity, key_col="Entity")
        else:
            collected.skip()


def read_zip(data: bytes, file: str, layout: str, chosen: str | None = None) -> Parsed:
    """The download zip: its CSV read as above, its metadata's lastUpdated date as the edition."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise reject(file, None, None, say("owid.zip_unreadable")) from exc
    csvs = [i for i in infos if i.filename.lower().endswith(".csv") and "/" not in i.filename.strip("/")]
    if len(csvs) != 1 or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
        raise reject(file, None, None, say("owid.zip_members", members=", ".join(i.filename[:60] for i in infos[:8])))
    member = csvs[0]
    edition = ("", "")
    meta = next((i for i in infos if i.filename.lower().endswith(".metadata.json")), None)
    try:
        text = book.read(member)
        if meta is not None and meta.file_size <= MAX_METADATA_BYTES:
            edition = _edition(json.loads(book.read(meta)))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
        raise reject(file, None, None, say("owid.zip_damaged")) from exc
    return read(text, file, layout, chosen, edition, where=f"{file} [{member.filename[:80]}]")


def _edition(meta: dict) -> tuple[str, str]:
    """The columns' lastUpdated date (YYYY-MM-DD) from an Our World in Data metadata.json."""
    columns = meta.get("columns") if isinstance(meta, dict) else None
    for column in (columns or {}).values():
        updated = column.get("lastUpdated") if isinstance(column, dict) else None
        day = cells.day_first_date(str(updated)) if updated else None
        if day:
            return f"last updated {day.isoformat()}", day.isoformat()
    return "", ""
