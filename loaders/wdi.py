"""The World Bank's WDI indicator CSV (`API_VC.IHR.PSRC.P5_DS2_en_csv_v2_*.csv`), every edition since 2022.

UTF-8 with a BOM; four preamble lines ("Data Source","World Development Indicators", / blank /
"Last Updated Date","YYYY-MM-DD", / blank); the header on line 5 (Country Name, Country Code, Indicator
Name, Indicator Code, 1960 ... the last year); every line ends with a comma (an empty last column);
CRLF or LF. One row per country or aggregate: WLD (World) and LCN (Latin America & Caribbean) are the
benchmarks. The indicator is identified by its code in every row, never by the file's name (users
rename it). The zip's companion files (Metadata_Country_..., Metadata_Indicator_...) are refused with a
message naming the data file to import instead.
"""
from __future__ import annotations

import re

from loaders import cells, rates
from loaders.messages import say
from loaders.parsed import Parsed, reject
from loaders.validate import Problem

INDICATOR = "VC.IHR.PSRC.P5"
AREA_CODES = {"WLD": rates.WORLD, "LCN": rates.LAC}
TITLE = "World Development Indicators: Intentional homicides (per 100,000 people), VC.IHR.PSRC.P5"


def read(data: bytes, file: str, layout: str) -> Parsed:
    collected = rates.RateRows(file)
    header: list[str] | None = None
    meta: dict[str, tuple[int, str]] = {}
    year_cols: list[tuple[int, str]] = []
    last = None
    for line, row in rates.records(data, file):
        if header is None:
            if "Country Code" in row and "Indicator Code" in row:
                header = [h.strip() for h in row]
                year_cols = [(i, h) for i, h in enumerate(header) if re.fullmatch(r"\d{4}", h)]
                if not year_cols:
                    raise reject(file, line, None, say("wdi.no_years"))
                at = {h: i for i, h in enumerate(header)}
            elif len(row) >= 2:
                meta[row[0].strip()] = (line, row[1].strip())
            continue
        if not any(v.strip() for v in row):
            continue
        last = (line, row)
        collected.data_rows += 1
        if len(row) < at["Indicator Code"] + 1:
            collected.problems.append(Problem(file, line, None, say("file.short_row", found=len(row),
                                                                   expected=len(header))))
            continue
        code, country = row[at["Indicator Code"]].strip(), row[at["Country Code"]].strip()
        if code != INDICATOR:
            name = row[at["Indicator Name"]].strip() if "Indicator Name" in at else ""
            raise reject(file, line, "Indicator Code", say("wdi.indicator", found=f"{code} ({name})"))
        for i, year in year_cols:
            value = row[i] if i < len(row) else ""
            if cells.is_blank(value):
                continue
            if rates.is_country(country):
                collected.country(country, year, value, line, year, year, key_col="Country Code")
            elif country in AREA_CODES:
                collected.area(AREA_CODES[country], year, value, line, year, year, key_col="Country Code")
            else:
                collected.skip(country)
    if header is None:
        raise reject(file, None, None, say("wdi.no_header"))
    if last is not None and len(last[1]) < len(header) - 1:  # the trailing comma's empty column may be cut
        raise rates.cut_off(file, last[0], last[1], len(header))
    collected.require_rows(header_only=collected.data_rows == 0)
    edition_line, edition = meta.get("Last Updated Date", (None, ""))
    edition_date = ""
    if edition:
        day = cells.day_first_date(edition) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", edition) else None
        if day is None:
            raise reject(file, edition_line, "Last Updated Date", say("wdi.edition", typed=repr(edition[:40])))
        edition_date = day.isoformat()
    return Parsed("homicide", "wdi", "World Bank", TITLE, edition, int(edition_date[:4]) if edition_date else None,
                  collected.tables(), collected.ignored,
                  say("ignored.wdi"),
                  layout=layout, series_id="wdi", edition_date=edition_date)


def refuse_metadata(data: bytes, file: str, layout: str) -> Parsed:
    what = "countries and their regions" if "IncomeGroup" in rates.head_text(data, file, 500) else "the indicator's definition"
    raise reject(file, None, None, say("wdi.metadata", what=what))
