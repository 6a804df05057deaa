"""Every file layout the importer reads, as a declared list: name, publisher, how it is recognised, the
columns it maps, where its edition date comes from, the editions it was checked against.

A file is recognised by its content (first rows, sheet names, zip members), never by its name: users
rename downloads, and UNODC's .xlsx is sometimes named .xls. The first layout that recognises the
file reads it. Layouts marked `refuse` are known files that are not data to import: the message says
what to import instead.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from loaders import kpi_template, owid, rates, unodc, wdi, xlsx
from loaders.messages import say
from loaders.parsed import Parsed, reject

HEAD_ROWS = 30
UNODC_2022 = ("Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age",
              "Year", "Unit of measurement", "VALUE", "Source")
UNODC_2024 = ("Iso3_code", "Country", "Region", "Subregion", "Dimension", "Category", "Sex", "Age", "Year",
              "Unit of measurement", "VALUE", "Source")


@dataclass
class Head:
    """What recognition looks at: the container, its sheets or members, the first rows."""
    container: str  # xlsx | csv | zip
    rows: dict[str, list[list[str]]]  # sheet name ('' for text) -> its first rows as text
    members: list[str]

    def find(self, test: Callable[[list[str]], bool]) -> str | None:
        """The first sheet (or '' for a text file) whose first rows hold a row passing `test`."""
        return next((sheet for sheet, rows in self.rows.items() if any(test(r) for r in rows)), None)


@dataclass(frozen=True)
class Layout:
    name: str
    publisher: str
    looks_like: str  # how a person recognises it
    recognised_by: str  # what the code checks
    columns: str  # the columns it reads and what they become
    edition: str  # where the edition date comes from
    checked_with: str  # the editions it was checked against (tests/fixtures/publishers)
    matches: Callable[[Head], str | None]  # the sheet to read ('' for text) when it recognises the file
    read: Callable[..., Parsed]  # read(data, file, sheet, options) -> Parsed
    refuse: bool = False


def _has(*names: str) -> Callable[[list[str]], bool]:
    return lambda row: all(n in row for n in names)


def _portal(columns: tuple[str, ...], with_indicator: bool) -> Callable[[Head], str | None]:
    def match(head: Head) -> str | None:
        sheet = head.find(lambda r: _has(*columns)(r) and (("Indicator" in r) == with_indicator))
        return sheet if head.container in ("xlsx", "csv") else None
    return match


def _container(kind: str, test: Callable[[list[str]], bool]) -> Callable[[Head], str | None]:
    return lambda head: head.find(test) if head.container == kind else None


def _refusal(key: str) -> Callable[..., Parsed]:
    def read(data: bytes, file: str, sheet: str, options: dict) -> Parsed:
        raise reject(file, None, None, say(key))
    return read


def _owid_header(row: list[str]) -> bool:
    return row[:3] == ["Entity", "Code", "Year"] and len(row) >= 4


def _owid_zip(head: Head) -> str | None:
    if head.container != "zip":
        return None
    csvs = [m for m in head.members if m.lower().endswith(".csv")]
    return "" if len(csvs) == 1 and any(m.lower().endswith(".metadata.json") for m in head.members) else None


LAYOUTS: tuple[Layout, ...] = (
    Layout("kpi_template", "Dashboard (EL PACCTO 2.0 monitoring team)", "the template downloaded from Data management",
           "an .xlsx with sheets kpi_results and action_status (and obi_results, optional: older templates lack it)",
           "kpi_results: kpi_id, period, iso3, breakdown, value, target, note; action_status: goal_no, action_no, "
           "status, as_of, note; obi_results: obi_id, period, iso3, value, unit, baseline, assessment, as_of, note",
           "the workbook's saved date", "tests/test_importer.py, tests/test_kpi_habits.py, tests/test_obi_import.py",
           lambda h: "" if h.container == "xlsx" and {"kpi_results", "action_status"} <= set(h.rows) else None,
           lambda data, file, sheet, options: kpi_template.read(data, file, "kpi_template", options.get("reference"))),
    Layout("unodc_portal_2022", "UNODC", "title rows 'UNODC' and a date (08/08/2022), then 13 columns",
           "a header row (within the first 30) with all of: " + ", ".join(UNODC_2022),
           "Iso3_code -> country or WORLD / M49_L_AM_CAR area; Year; VALUE where Indicator is 'Victims of "
           "intentional homicide' (or its Regional Estimate), Dimension, Category, Sex and Age 'Total', unit "
           "'Rate per 100,000 population'", "the title rows' date, day first (08/08/2022)",
           "UNODC exports of 06/06/2022 and 08/08/2022", _portal(UNODC_2022, True),
           lambda data, file, sheet, options: unodc.read_portal(data, file, sheet or None, "unodc_portal_2022",
                                                                UNODC_2022)),
    Layout("unodc_portal_2024", "UNODC", "title rows, then 12 columns in a new order, no Indicator column "
           "(sometimes named .xls)", "a header row with all of: " + ", ".join(UNODC_2024) + " and no Indicator",
           "as the 2022 layout, every row being victims of intentional homicide",
           "the title rows' date, day first", "no genuine file obtainable: a constructed fixture from the issue's "
           "description", _portal(UNODC_2024, False),
           lambda data, file, sheet, options: unodc.read_portal(data, file, sheet or None, "unodc_portal_2024",
                                                                UNODC_2024)),
    Layout("unodc_wide_2018", "UNODC", "'Indicator Name:' on row 1, years twice on row 6 (counts, then rates)",
           "an .xlsx whose sheet 'Total Count and Rate' has a header row with 'UNODC Name'",
           "UNODC Name (the 16 countries by name) -> country; each year of the block row 5 calls 'per 100,000'",
           "the workbook's creation date", "the workbook created 2018-04-27 (committed 2019)",
           lambda h: unodc.WIDE_SHEET if h.container == "xlsx" and unodc.WIDE_SHEET in h.rows
           and any("UNODC Name" in r for r in h.rows[unodc.WIDE_SHEET]) else None,
           lambda data, file, sheet, options: unodc.read_wide(data, file, sheet, "unodc_wide_2018")),
    Layout("wdi_api_csv", "World Bank", "4 preamble lines ('Data Source', 'Last Updated Date'), then one row per "
           "country with a column per year; BOM, trailing commas", "a header row with Country Code and Indicator "
           "Code, and year columns", "Country Code -> country or WLD / LCN area; each year column; Indicator Code "
           "must be VC.IHR.PSRC.P5", "the 'Last Updated Date' line",
           "WDI editions of 2022-07-20, 2023-12-18, 2024-02-21, 2025-03-24",
           _container("csv", _has("Country Code", "Indicator Code")),
           lambda data, file, sheet, options: wdi.read(data, file, "wdi_api_csv")),
    Layout("wdi_metadata", "World Bank", "the zip's Metadata_Country_... or Metadata_Indicator_... file",
           "a header with Country Code, Region, IncomeGroup or INDICATOR_CODE, SOURCE_NOTE", "(none: refused)",
           "", "the 2023-12-18 zip's companions",
           _container("csv", lambda r: _has("Country Code", "IncomeGroup")(r) or _has("INDICATOR_CODE", "SOURCE_NOTE")(r)),
           lambda data, file, sheet, options: wdi.refuse_metadata(data, file, "wdi_metadata"), refuse=True),
    Layout("owid_grapher_csv", "Our World in Data", "Entity, Code, Year, a value column (and a region column)",
           "the header's first three columns Entity, Code, Year",
           "Code -> country (or, when empty, the entity's name); World and a Latin America and the Caribbean "
           "entity -> areas; the value column's title -> the series (loaders/series.py)",
           "none in the CSV (the zip's metadata.json has it)",
           "UNODC homicide rate 2024-04, 2025-04, 2026-01, 2026-02; IHME GBD 2016, 2017 (two titles), 2019; "
           "WDI via OWID 2020, 2021; filtered download 2025-11-08",
           _container("csv", _owid_header),
           lambda data, file, sheet, options: owid.read(data, file, "owid_grapher_csv", options.get("series"))),
    Layout("owid_metadata_json", "Our World in Data", "the download zip's <chart>.metadata.json",
           "a text file starting with '{' that names 'columns'", "(none: refused)", "", "the 2025-11-08 zip's member",
           lambda h: "" if h.container == "csv" and h.rows.get("") and h.rows[""][0][:1]
           and h.rows[""][0][0].startswith("{") else None,
           _refusal("owid.metadata"), refuse=True),
    Layout("owid_zip", "Our World in Data", "the chart's download zip: the CSV, a metadata.json and a readme",
           "a zip with one .csv and a .metadata.json", "as the CSV", "metadata.json's lastUpdated",
           "filtered download zip of 2025-11-08", _owid_zip,
           lambda data, file, sheet, options: owid.read_zip(data, file, "owid_zip", options.get("series"))),
)
LAYOUTS_BY_NAME = {layout.name: layout for layout in LAYOUTS}


def head(data: bytes, file: str) -> Head:
    """The container and its first rows, as recognition needs them (bounded: HEAD_ROWS rows per sheet)."""
    if data[:4] == b"PK\x03\x04":
        try:
            members = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            members = []
        if "xl/workbook.xml" in members or not members or "[Content_Types].xml" in members:
            try:
                book = xlsx.Workbook(data)
                rows = {sheet: _first_rows(book, sheet) for sheet in book.sheet_names}
            except xlsx.Unreadable as exc:
                raise reject(file, None, None, str(exc)) from exc
            return Head("xlsx", rows, [])
        return Head("zip", {}, members)
    rows = []
    for _, row in rates.records(data, file):
        rows.append([v.strip() for v in row])
        if len(rows) >= HEAD_ROWS:
            break
    return Head("csv", {"": rows}, [])


def _first_rows(book: xlsx.Workbook, sheet: str) -> list[list[str]]:
    rows = []
    for _, cells in book.rows(sheet):
        rows.append(["" if c.value is None else str(c.value).strip() for c in cells])
        if len(rows) >= HEAD_ROWS:
            break
    return rows


def recognise(data: bytes, file: str) -> tuple[Layout, str]:
    found = head(data, file)
    for layout in LAYOUTS:
        sheet = layout.matches(found)
        if sheet is not None:
            return layout, sheet
    raise reject(file, 1 if found.container == "csv" else None, None, say("format.unrecognised"))
