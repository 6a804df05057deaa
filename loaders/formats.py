"""Read the files the monitoring team downloads into normalized rows, naming bad rows and columns.

Formats, detected from the content (never the file name):
- UNODC data portal export (`data_cts_intentional_homicide`, .xlsx or .csv): title rows, then a header
  with Iso3_code, ..., Indicator, Dimension, Category, Sex, Age, Year, Unit of measurement, VALUE.
- World Bank WDI indicator CSV (`API_VC.IHR.PSRC.P5_DS2_...csv`): metadata rows, then one row per
  country with a column per year.
- Our World in Data grapher CSV: Entity, Code, Year, <value>.
- The dashboard's KPI template (.xlsx): sheets kpi_results and action_status.
Problems name the uploaded file, the row as a spreadsheet shows it, and the column.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
import pandas as pd

from loaders.tables import ISO3_16
from loaders.validate import Problem

MAX_BYTES = 20 * 1024 * 1024  # a national statistics export is a few MB; refuse before parsing
MAX_RATE = 300.0
BENCHMARK_CODES = {"WLD": "World", "LCN": "Latin America and the Caribbean"}
BENCHMARK_ENTITIES = {"World": "World", "Latin America and the Caribbean (UN)": "Latin America and the Caribbean",
                      "Latin America and the Caribbean": "Latin America and the Caribbean"}
UNODC_HEADER = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex",
                "Age", "Year", "Unit of measurement", "VALUE", "Source"]
FORMULA_START = ("=", "+", "@")  # '-' alone starts negative numbers; those are caught as ranges


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Parsed:
    kind: str  # homicide | kpi
    format: str  # unodc | wdi | owid | kpi_template
    publisher: str
    title: str
    edition: str  # "last updated" date or edition read from the file; "" when it says none
    year: int | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # normalized rows, with a 'line' column
    ignored: int = 0  # rows outside the 16 countries / other indicators
    ignored_note: str = ""


def _reject(file: str, line: int | None, column: str | None, message: str) -> ImportRejected:
    return ImportRejected([Problem(file, line, column, message)])


# --- detection -------------------------------------------------------------------------------

def detect(data: bytes, file: str) -> str:
    if not data.strip():
        raise _reject(file, None, None, "the file is empty")
    if len(data) > MAX_BYTES:
        raise _reject(file, None, None, f"the file is {len(data) / 2**20:.0f} MB; the limit is "
                                        f"{MAX_BYTES // 2**20} MB")
    if data[:4] == b"PK\x03\x04":
        try:
            sheets = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise _reject(file, None, None, f"not a readable Excel file ({exc.__class__.__name__})") from exc
        return "kpi_template" if {"kpi_results", "action_status"} <= set(sheets) else "unodc_xlsx"
    text = _text(data, file)
    head = text[:20000]
    if "Iso3_code" in head and "VALUE" in head:
        return "unodc"
    if "Country Code" in head and "Indicator Code" in head:
        return "wdi"
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    if re.match(r'^"?Entity"?,"?Code"?,"?Year"?,', first):
        return "owid"
    raise _reject(file, 1, None, "unrecognised format: expected a UNODC data portal export, a World Bank WDI "
                                 "CSV, an Our World in Data grapher CSV, or the dashboard's KPI template")


def _text(data: bytes, file: str) -> str:
    if b"\x00" in data[:4096]:
        raise _reject(file, None, None, "this is not a text (CSV) file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _reject(file, None, None, "cannot be read as text in UTF-8 or Windows-1252") from exc


# --- shared checks ------------------------------------------------------------------------------

def _formula_problems(frame: pd.DataFrame, file: str, columns: list[str]) -> list[Problem]:
    problems = []
    for col in columns:
        text = frame[col].astype(str)
        bad = text.str.startswith(FORMULA_START) & frame[col].notna()
        for line, value in zip(frame.loc[bad, "line"], text[bad]):
            problems.append(Problem(file, int(line), col, f"formula-like cell {value[:40]!r} is not allowed"))
    return problems


def _rate_rows(frame: pd.DataFrame, file: str, year_col: str, value_col: str, key_cols: list[str],
               key_label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and range checks on (key, year, value) rows; every problem names line and column."""
    problems = _formula_problems(frame, file, [value_col, year_col])
    years = pd.to_numeric(frame[year_col], errors="coerce")
    values = pd.to_numeric(frame[value_col].astype(str).str.replace(",", "", regex=False).str.strip(),
                           errors="coerce")
    for line, raw in zip(frame.loc[years.isna() | (years % 1 != 0), "line"],
                         frame.loc[years.isna() | (years % 1 != 0), year_col]):
        problems.append(Problem(file, int(line), year_col, f"year {raw!r} is not a whole number"))
    bad_value = values.isna() & frame[value_col].notna() & (frame[value_col].astype(str).str.strip() != "")
    for line, raw in zip(frame.loc[bad_value, "line"], frame.loc[bad_value, value_col]):
        if not str(raw).startswith(FORMULA_START):
            problems.append(Problem(file, int(line), value_col, f"value {raw!r} is not a number"))
    out_of_range = (values < 0) | (values > MAX_RATE)
    for line, value in zip(frame.loc[out_of_range, "line"], values[out_of_range]):
        problems.append(Problem(file, int(line), value_col,
                                f"rate {value:g} is outside 0-{MAX_RATE:g} per 100,000"))
    rows = frame.assign(year=years, rate_per_100k=values)
    rows = rows[rows["rate_per_100k"].notna()]
    dupes = rows.duplicated(subset=[*key_cols, "year"], keep=False)
    for line, key, year in zip(rows.loc[dupes, "line"], rows.loc[dupes, key_cols[0]], rows.loc[dupes, "year"]):
        problems.append(Problem(file, int(line), key_label, f"duplicate row: {key} {year:g} appears more than once"))
    return rows, problems


def _split(rows: pd.DataFrame, code_col: str, bench_map: dict[str, str], bench_col: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    countries = rows[rows[code_col].isin(ISO3_16)]
    bench = rows[rows[bench_col].isin(bench_map)]
    ignored = len(rows) - len(countries) - len(bench)
    rates = pd.DataFrame({"iso3": countries[code_col], "year": countries["year"].astype(int),
                          "rate_per_100k": countries["rate_per_100k"], "line": countries["line"]})
    benchmarks = pd.DataFrame({"area": bench[bench_col].map(bench_map), "year": bench["year"].astype(int),
                               "rate_per_100k": bench["rate_per_100k"], "line": bench["line"]})
    return rates, benchmarks, ignored


# --- homicide formats ---------------------------------------------------------------------------

def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def parse_unodc(data: bytes, file: str, is_xlsx: bool) -> Parsed:
    if is_xlsx:
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False).worksheets[0]
        table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        table = _csv_rows(_text(data, file))
    header_at = next((i for i, row in enumerate(table) if "Iso3_code" in row and "VALUE" in row), None)
    if header_at is None:
        raise _reject(file, None, None, "no header row with Iso3_code and VALUE")
    header = [h.strip() for h in table[header_at]]
    missing = [c for c in UNODC_HEADER[:12] if c not in header]
    if missing:
        raise _reject(file, header_at + 1, None, f"header lacks column(s): {', '.join(missing)}")
    titles = " ".join(" ".join(r) for r in table[:header_at])
    body = [r for r in table[header_at + 1:]]
    frame = pd.DataFrame([r + [""] * (len(header) - len(r)) for r in body], columns=None)
    if frame.empty:
        raise _reject(file, header_at + 2, None, "the file has a header but no rows")
    short = [i for i, r in enumerate(body) if 0 < len([c for c in r if c != ""]) < 12]
    problems = [Problem(file, header_at + 2 + i, None, "truncated row: fewer columns than the header")
                for i in short]
    frame = frame.iloc[:, :len(header)]
    frame.columns = header
    frame["line"] = range(header_at + 2, header_at + 2 + len(frame))
    frame = frame[frame["Iso3_code"].astype(str).str.strip() != ""]
    is_total = ((frame["Indicator"].str.lower() == "victims of intentional homicide")
                & frame["Dimension"].str.lower().eq("total") & frame["Category"].str.lower().eq("total")
                & frame["Sex"].str.lower().eq("total") & frame["Age"].str.lower().eq("total")
                & frame["Unit of measurement"].str.lower().str.startswith("rate per 100"))
    wanted = frame[is_total].copy()
    rows, more = _rate_rows(wanted, file, "Year", "VALUE", ["Iso3_code"], "Iso3_code")
    problems += more
    if problems:
        raise ImportRejected(problems)
    rates, benchmarks, ignored = _split(rows, "Iso3_code", {}, "Iso3_code")
    edition = _find_date(titles)
    return Parsed("homicide", "unodc", "UNODC", "UNODC data portal: intentional homicide victims (rate per 100,000)",
                  edition, _year_of(edition), {"homicide_rates": rates, "homicide_benchmarks": benchmarks},
                  ignored + (len(frame) - len(wanted)),
                  "rows outside the 16 countries or not the national total rate")


def parse_wdi(data: bytes, file: str) -> Parsed:
    table = _csv_rows(_text(data, file))
    header_at = next((i for i, r in enumerate(table) if "Country Code" in r and "Indicator Code" in r), None)
    header = [h.strip() for h in table[header_at]]
    meta = {r[0]: r[1] for r in table[:header_at] if len(r) >= 2}
    year_cols = [h for h in header if re.fullmatch(r"\d{4}", h)]
    if not year_cols:
        raise _reject(file, header_at + 1, None, "header has no year columns (1960, 1961, ...)")
    body = table[header_at + 1:]
    problems = [Problem(file, header_at + 2 + i, None, "truncated row: fewer columns than the header")
                for i, r in enumerate(body) if 0 < len(r) < 4]
    frame = pd.DataFrame([(r + [""] * len(header))[:len(header)] for r in body], columns=header)
    frame["line"] = range(header_at + 2, header_at + 2 + len(frame))
    frame = frame[frame["Country Code"].str.strip() != ""]
    codes = set(frame["Indicator Code"])
    if codes - {"VC.IHR.PSRC.P5"}:
        raise _reject(file, header_at + 2, "Indicator Code",
                      f"expected indicator VC.IHR.PSRC.P5 (intentional homicides per 100,000), found {sorted(codes)[:3]}")
    long = frame.melt(id_vars=["Country Code", "line"], value_vars=year_cols, var_name="Year", value_name="value")
    long = long[long["value"].str.strip() != ""]
    # One row per country: a problem names the country's row and the year's column.
    rows, more = _rate_rows(long.rename(columns={"value": "VALUE"}), file, "Year", "VALUE", ["Country Code"],
                            "Country Code")
    for p in more:
        if p.column == "VALUE":
            problems.append(Problem(p.file, p.line, _year_column_of(long, p.line, p.message), p.message))
        else:
            problems.append(p)
    if problems:
        raise ImportRejected(problems)
    rates, benchmarks, ignored = _split(rows, "Country Code", BENCHMARK_CODES, "Country Code")
    edition = meta.get("Last Updated Date", "").strip()
    return Parsed("homicide", "wdi", "World Bank", "World Development Indicators: Intentional homicides "
                  "(per 100,000 people), VC.IHR.PSRC.P5", edition, _year_of(edition),
                  {"homicide_rates": rates, "homicide_benchmarks": benchmarks}, ignored,
                  "country-years outside the 16 countries and the World / Latin America and Caribbean aggregates")


def _year_column_of(long: pd.DataFrame, line: int, message: str) -> str:
    match = long[(long["line"] == line)]
    for year, value in zip(match["Year"], match["value"]):
        if repr(value)[:20] in message or str(value) in message:
            return year
    return "year column"


def parse_owid(data: bytes, file: str) -> Parsed:
    text = _text(data, file)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise _reject(file, None, None, f"not a well-formed CSV: {exc}") from exc
    if len(frame.columns) < 4:
        raise _reject(file, 1, None, "expected Entity, Code, Year and a value column")
    value_col = frame.columns[3]
    frame["line"] = range(2, 2 + len(frame))
    rows, problems = _rate_rows(frame, file, "Year", value_col, ["Entity"], "Entity")
    if problems:
        raise ImportRejected(problems)
    rates, benchmarks, ignored = _split(rows.assign(Code=rows["Code"].str.strip()), "Code", BENCHMARK_ENTITIES, "Entity")
    # OWID's homicide chart is UNODC's series: same publisher as the curated one, so changes are counted.
    publisher = "UNODC, via Our World in Data" if "homicide" in value_col.lower() else "Our World in Data"
    return Parsed("homicide", "owid", publisher, f"Our World in Data grapher: {value_col}", "", None,
                  {"homicide_rates": rates, "homicide_benchmarks": benchmarks}, ignored,
                  "entities outside the 16 countries and the World / Latin America and the Caribbean aggregates")


# --- KPI template -------------------------------------------------------------------------------

KPI_COLUMNS = ["kpi_id", "period", "iso3", "breakdown", "value", "target", "note"]
STATUS_COLUMNS = ["goal_no", "action_no", "status", "as_of", "note"]


def _sheet_rows(sheet, columns: list[str], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    rows, problems = [], []
    iterator = sheet.iter_rows()
    header = [str(c.value).strip() if c.value is not None else "" for c in next(iterator, [])]
    if header[:len(columns)] != columns:
        return pd.DataFrame(), [Problem(f"{file} [{sheet.title}]", 1, None,
                                        f"header must be: {', '.join(columns)}")]
    for cells in iterator:
        values = [c.value for c in cells[:len(columns)]]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        for col, c in zip(columns, cells):
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(FORMULA_START)):
                problems.append(Problem(f"{file} [{sheet.title}]", c.row, col,
                                        f"formula-like cell {str(c.value)[:40]!r} is not allowed"))
        rows.append([cells[0].row] + [None if v is None else v for v in values])
    return pd.DataFrame(rows, columns=["line", *columns]), problems


def parse_kpi_template(data: bytes, file: str) -> Parsed:
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    kpi, p1 = _sheet_rows(book["kpi_results"], KPI_COLUMNS, file)
    status, p2 = _sheet_rows(book["action_status"], STATUS_COLUMNS, file)
    if p1 or p2:
        raise ImportRejected(p1 + p2)
    edition = str(book.properties.modified.date()) if book.properties.modified else ""
    return Parsed("kpi", "kpi_template", "EL PACCTO 2.0 monitoring team (KPI template)",
                  "KPI results and CCSS action statuses (dashboard template)", edition, _year_of(edition),
                  {"kpi_results": kpi, "action_status": status})


def parse(data: bytes, file: str) -> Parsed:
    fmt = detect(data, file)
    try:
        if fmt == "kpi_template":
            return parse_kpi_template(data, file)
        if fmt in ("unodc", "unodc_xlsx"):
            return parse_unodc(data, file, is_xlsx=fmt == "unodc_xlsx")
        return parse_wdi(data, file) if fmt == "wdi" else parse_owid(data, file)
    except ImportRejected:
        raise
    except (KeyError, ValueError, IndexError, TypeError, csv.Error) as exc:
        raise _reject(file, None, None, f"cannot be read as {fmt}: {exc.__class__.__name__}: {exc}") from exc


def _find_date(text: str) -> str:
    match = re.search(r"(\d{4}-\d{2}-\d{2}|\d{1,2} \w+ \d{4}|\w+ \d{4})", text)
    return match.group(1) if match else ""


def _year_of(edition: str) -> int | None:
    match = re.search(r"(19|20)\d{2}", edition or "")
    return int(match.group(0)) if match else None
