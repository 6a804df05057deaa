"""UNODC's own files: the data portal export (long: one value per row) and the older wide workbook.

Portal export (`data_cts_intentional_homicide`, .xlsx, sometimes named .xls, or .csv): title rows (the
word "UNODC", a HYPERLINK formula to UNODC's address, the export date written day first as text,
"08/08/2022"), then a header, then one row per country, indicator, breakdown, year and unit. Columns
are taken by name, so the 2022 order with an Indicator column (13 columns) and the 2024 order without
one (12 columns) read alike. The national total is the row whose Dimension, Category, Sex and Age are
all "Total" and whose unit is the rate per 100,000; UNODC's regional estimates (2022-08 edition on:
codes WORLD and M49_L_AM_CAR) give the World and Latin America and the Caribbean benchmarks.

Wide workbook (~2018, "Intentional homicide victims, counts and rates per 100,000 population"):
sheet "Total Count and Rate", header on row 6 (Region, Subregion, UNODC Name, Source, Type of
Measurement, then the years twice: counts, a blank column, rates); row 5 names the two blocks. No ISO
codes: countries by their UNODC names (declared below, exactly as UNODC writes them).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from loaders import cells, rates, xlsx
from loaders.messages import say
from loaders.parsed import Parsed, reject
from loaders.validate import Problem

HEADER_SEARCH_ROWS = 30
VICTIMS = "victims of intentional homicide"
REGIONAL = "victims of intentional homicide - regional estimate"
AREA_CODES = {"WORLD": rates.WORLD, "M49_L_AM_CAR": rates.LAC}
TOTAL_COLUMNS = ("Dimension", "Category", "Sex", "Age")
# The 16 countries as UNODC names them (its files, 2018-2022).
UNODC_NAMES = {"Antigua and Barbuda": "ATG", "Bahamas": "BHS", "Barbados": "BRB", "Belize": "BLZ", "Dominica": "DMA",
               "Dominican Republic": "DOM", "Grenada": "GRD", "Guyana": "GUY", "Haiti": "HTI", "Jamaica": "JAM",
               "Montserrat": "MSR", "Saint Kitts and Nevis": "KNA", "Saint Lucia": "LCA",
               "Saint Vincent and the Grenadines": "VCT", "Suriname": "SUR", "Trinidad and Tobago": "TTO"}
TITLE = "UNODC data portal: intentional homicide victims (rate per 100,000)"


def _rows(data: bytes, file: str, sheet: str | None) -> Iterator[tuple[int, list[xlsx.Cell]]]:
    """The sheet's rows (xlsx) or the file's records (csv), as cells."""
    if sheet is None:
        for line, row in rates.records(data, file):
            yield line, [xlsx.Cell(v, False) for v in row]
        return
    book = xlsx.Workbook(data)
    try:
        yield from book.rows(sheet)
    except xlsx.Unreadable as exc:
        raise reject(f"{file} [{sheet}]", None, None, str(exc)) from exc


def _text(cell: xlsx.Cell) -> str:
    return "" if cell.value is None else str(cell.value).strip()


def _edition(title_rows: list[list[xlsx.Cell]]) -> tuple[str, str]:
    """(the date as the title rows write it, as YYYY-MM-DD): UNODC writes '08/08/2022', day first."""
    for row in title_rows:
        for cell in row:
            text = _text(cell)
            for found in re.findall(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}", text):
                day = cells.day_first_date(found)
                if day:
                    return found, day.isoformat()
    return "", ""


def read_portal(data: bytes, file: str, sheet: str | None, layout: str, required: tuple[str, ...]) -> Parsed:
    collected = rates.RateRows(file)
    title_rows: list[list[xlsx.Cell]] = []
    columns: _Columns | None = None
    last = None
    for line, row in _rows(data, file, sheet):
        if columns is None:
            names = [_text(c) for c in row]
            if "Iso3_code" in names and "VALUE" in names:
                columns = _Columns(names, required, file, line)
            elif line > HEADER_SEARCH_ROWS:
                break
            else:
                title_rows.append(row)
            continue
        if not any(c.value is not None and str(c.value).strip() for c in row):
            continue
        last = (line, row)
        collected.data_rows += 1
        columns.take(collected, line, row, sheet is None)
    if columns is None:
        raise reject(file, None, None, say("unodc.no_header", rows=HEADER_SEARCH_ROWS))
    if sheet is None and last is not None and len(last[1]) < columns.width:
        raise rates.cut_off(file, last[0], [c.value for c in last[1]], columns.width)
    collected.require_rows(header_only=collected.data_rows == 0)
    edition, edition_date = _edition(title_rows)
    return Parsed("homicide", "unodc", "UNODC", TITLE, edition, int(edition_date[:4]) if edition_date else None,
                  collected.tables(), collected.ignored, say("ignored.unodc"), layout=layout, series_id="unodc",
                  edition_date=edition_date)


class _Columns:
    """The export's columns by name (their order changes between editions), and what a data row means."""

    def __init__(self, names: list[str], required: tuple[str, ...], file: str, line: int):
        index = {n.casefold(): i for i, n in enumerate(names) if n}
        missing = [c for c in required if c.casefold() not in index]
        if missing:
            raise reject(file, line, None, say("unodc.header_lacks", missing=", ".join(missing)))
        self.width = len([n for n in names if n])
        self.code, self.year, self.value = (index["iso3_code"], index["year"], index["value"])
        self.unit = index["unit of measurement"]
        self.indicator = index.get("indicator")
        self.totals = [index[c.casefold()] for c in TOTAL_COLUMNS]
        self.needed = max(self.code, self.year, self.value, self.unit, *self.totals) + 1

    def take(self, collected: rates.RateRows, line: int, row: list[xlsx.Cell], is_text: bool) -> None:
        if is_text and len(row) < self.width:
            collected.problems.append(Problem(collected.file, line, None,
                                                    say("file.short_row", found=len(row), expected=self.width)))
            return
        if len(row) < self.needed:  # a sheet row without the columns that matter: not a value
            collected.skip()
            return
        if not (all(_text(row[i]).casefold() == "total" for i in self.totals)
                and _text(row[self.unit]).casefold().startswith("rate per 100")):
            collected.skip()
            return
        code = _text(row[self.code])
        indicator = _text(row[self.indicator]).casefold() if self.indicator is not None else VICTIMS
        year, value = row[self.year], row[self.value]
        formula = year.formula or value.formula
        if indicator == VICTIMS and rates.is_country(code):
            collected.country(code, year.value, value.value, line, "Year", "VALUE", formula, key_col="Iso3_code")
        elif indicator in (VICTIMS, REGIONAL) and code in AREA_CODES:
            collected.area(AREA_CODES[code], year.value, value.value, line, "Year", "VALUE", formula,
                           key_col="Iso3_code")
        else:
            collected.skip(code)


# --- the older wide workbook ----------------------------------------------------------------------

WIDE_SHEET = "Total Count and Rate"


def read_wide(data: bytes, file: str, sheet: str, layout: str) -> Parsed:
    collected = rates.RateRows(file)
    where = f"{file} [{sheet}]"
    collected.file = where
    book = xlsx.Workbook(data)
    bands: dict[int, str] = {}
    header: list[str] | None = None
    year_cols: dict[int, int] = {}
    try:
        for line, row in book.rows(sheet):
            texts = [_text(c) for c in row]
            if header is None:
                if "UNODC Name" in texts:
                    header = texts
                    rate_from = min((i for i, t in bands.items() if "per 100,000" in t), default=None)
                    if rate_from is None:
                        raise reject(where, line, None, say("unodc.wide_no_rates", sheet=repr(sheet)))
                    year_cols = {i: int(float(t)) for i, t in enumerate(texts)
                                 if i >= rate_from and re.fullmatch(r"\d{4}(\.0)?", t)}
                else:
                    bands.update({i: t for i, t in enumerate(texts) if t})
                continue
            if not any(texts):
                continue
            collected.data_rows += 1
            name = texts[header.index("UNODC Name")] if header.index("UNODC Name") < len(texts) else ""
            iso3 = UNODC_NAMES.get(name)
            if iso3 is None:
                collected.skip(name)
                continue
            for i, year in year_cols.items():
                value = row[i] if i < len(row) else xlsx.EMPTY
                collected.country(iso3, year, value.value, line, header[i],
                                  f"{_column_letter(i)} ({year}, rate per 100,000)", value.formula,
                                  shown_key=name, key_col="UNODC Name")
    except xlsx.Unreadable as exc:
        raise reject(where, None, None, str(exc)) from exc
    if header is None:
        raise reject(where, None, None, say("unodc.no_header", rows=HEADER_SEARCH_ROWS))
    collected.require_rows()
    created = book.created
    return Parsed("homicide", "unodc", "UNODC",
                  "UNODC intentional homicide victims, counts and rates per 100,000 population (workbook)",
                  f"workbook created {created}" if created else "", int(created[:4]) if created else None,
                  collected.tables(), collected.ignored, say("ignored.unodc_wide"),
                  layout=layout, series_id="unodc", edition_date=created)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
