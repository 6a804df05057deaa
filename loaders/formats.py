"""Read the files the monitoring team downloads into normalized rows, naming bad rows and columns.

Formats, detected from the content (never the file name):
- UNODC data portal export (`data_cts_intentional_homicide`, .xlsx or .csv): title rows, then a header
  with Iso3_code, ..., Indicator, Dimension, Category, Sex, Age, Year, Unit of measurement, VALUE.
- World Bank WDI indicator CSV (`API_VC.IHR.PSRC.P5_DS2_...csv`): metadata rows, then one row per
  country with a column per year.
- Our World in Data grapher CSV: Entity, Code, Year, <value>.
- The dashboard's KPI template (.xlsx): sheets kpi_results and action_status.
Problems name the uploaded file, the row as a spreadsheet shows it, and the column. What a file
unpacks to is bounded (rows, cells, bytes, time: `loaders.xlsx` for workbooks, MAX_ROWS for text),
and every reader's failure becomes a message naming the file. Text is data: a cell that a
spreadsheet would run as a formula is refused, whatever whitespace precedes it.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from loaders import xlsx
from loaders.tables import ISO3_16
from loaders.validate import Problem, formula_like

log = logging.getLogger("dashboard.formats")

MAX_BYTES = 20 * 1024 * 1024  # a national statistics export is a few MB; refuse before parsing
MAX_RATE = 300.0
BENCHMARK_CODES = {"WLD": "World", "LCN": "Latin America and the Caribbean"}
BENCHMARK_ENTITIES = {"World": "World", "Latin America and the Caribbean (UN)": "Latin America and the Caribbean",
                      "Latin America and the Caribbean": "Latin America and the Caribbean"}
UNODC_HEADER = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex",
                "Age", "Year", "Unit of measurement", "VALUE", "Source"]
MAX_ROWS = xlsx.MAX_ROWS  # rows of a text file, as of a sheet
FORMATS = {"unodc": "UNODC data portal export", "unodc_xlsx": "UNODC data portal export", "wdi": "World Bank WDI CSV",
           "owid": "Our World in Data grapher CSV", "kpi_template": "KPI template"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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
        sheets = _workbook(data, file).sheet_names
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


def _workbook(data: bytes, file: str) -> xlsx.Workbook:
    try:
        return xlsx.Workbook(data)
    except xlsx.Unreadable as exc:
        raise _reject(file, None, None, str(exc)) from exc


def _sheet(book: xlsx.Workbook, sheet: str, file: str) -> Iterator[tuple[int, list[xlsx.Cell]]]:
    """A sheet's rows as they are read; the reader's refusal becomes a message naming file and sheet."""
    try:
        yield from book.rows(sheet)
    except xlsx.Unreadable as exc:
        raise _reject(f"{file} [{sheet}]", None, None, str(exc)) from exc


def _text(data: bytes, file: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _reject(file, None, None, "marked as UTF-16 text but cannot be read as such") from exc
    if b"\x00" in data[:4096]:
        raise _reject(file, None, None, "this is neither a text (CSV) file nor an Excel (.xlsx) workbook")
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
        bad = frame[col].map(formula_like)
        for line, value in zip(frame.loc[bad, "line"], frame.loc[bad, col]):
            problems.append(Problem(file, int(line), col, f"formula-like cell {value.strip()[:40]!r} is not allowed"))
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
        if not formula_like(raw):
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

def _csv_rows(text: str, file: str) -> list[list[str]]:
    rows = []
    for row in csv.reader(io.StringIO(text, newline="")):
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise _reject(file, None, None, f"the file holds more than {MAX_ROWS:,} rows; this importer takes up to "
                                            f"{MAX_ROWS:,}")
    return rows


def _sheet_table(data: bytes, file: str) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """The first sheet as text rows (row n at index n-1) and the (row, column index) of formula cells."""
    book = _workbook(data, file)
    table, formulas = [], []
    for number, cells in _sheet(book, book.sheet_names[0], file):
        table += [[] for _ in range(number - 1 - len(table))]
        table.append(["" if c.value is None else str(c.value) for c in cells])
        formulas += [(number, i) for i, c in enumerate(cells) if c.formula]
    return table, formulas


def parse_unodc(data: bytes, file: str, is_xlsx: bool) -> Parsed:
    formulas: list[tuple[int, int]] = []
    if is_xlsx:
        table, formulas = _sheet_table(data, file)
    else:
        table = _csv_rows(_text(data, file), file)
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
    problems += [Problem(file, row, header[col] if col < len(header) else None, "formula cells are not allowed")
                 for row, col in formulas]
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
    table = _csv_rows(_text(data, file), file)
    header_at = next((i for i, r in enumerate(table) if "Country Code" in r and "Indicator Code" in r), None)
    if header_at is None:
        raise _reject(file, None, None, "no header row with Country Code and Indicator Code")
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
    if edition and not re.fullmatch(r"[0-9A-Za-z ,./-]{1,40}", edition):
        at = next(i for i, r in enumerate(table) if r and r[0] == "Last Updated Date")
        raise _reject(file, at + 1, "Last Updated Date", f"{edition[:40]!r} is not a date (YYYY-MM-DD)")
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
    if len(frame) > MAX_ROWS:
        raise _reject(file, None, None, f"the file holds more than {MAX_ROWS:,} rows; this importer takes up to "
                                        f"{MAX_ROWS:,}")
    if formula_like(value_col) or _CONTROL.search(value_col) or len(value_col) > 200:
        raise _reject(file, 1, value_col[:40], "the value column's name must be plain text (at most 200 characters)")
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


def _sheet_rows(book: xlsx.Workbook, sheet: str, columns: list[str], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    where = f"{file} [{sheet}]"
    rows, problems = [], []
    iterator = iter(_sheet(book, sheet, file))
    first = next(iterator, (1, []))
    header = [str(c.value).strip() if c.value is not None else "" for c in first[1]]
    if header[:len(columns)] != columns:
        return pd.DataFrame(), [Problem(where, first[0], None, f"header must be: {', '.join(columns)}")]
    for number, cells in iterator:
        cells = (cells + [xlsx.Cell(None, False)] * len(columns))[:len(columns)]
        values = [c.value for c in cells]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        for col, c in zip(columns, cells):
            if c.formula or formula_like(c.value):
                shown = "a formula" if c.value is None else repr(str(c.value).strip()[:40])
                problems.append(Problem(where, number, col, f"formula-like cell ({shown}) is not allowed"))
            elif isinstance(c.value, str) and _CONTROL.search(c.value):
                problems.append(Problem(where, number, col, "the cell holds a control character"))
        # One kind of line break inside a cell: a lone CR would end the row in a CSV.
        rows.append([number] + [v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v
                                for v in values])
    return pd.DataFrame(rows, columns=["line", *columns]), problems


def parse_kpi_template(data: bytes, file: str) -> Parsed:
    book = _workbook(data, file)
    kpi, p1 = _sheet_rows(book, "kpi_results", KPI_COLUMNS, file)
    status, p2 = _sheet_rows(book, "action_status", STATUS_COLUMNS, file)
    if p1 or p2:
        raise ImportRejected(p1 + p2)
    edition = book.modified
    return Parsed("kpi", "kpi_template", "EL PACCTO 2.0 monitoring team (KPI template)",
                  "KPI results and CCSS action statuses (dashboard template)", edition, _year_of(edition),
                  {"kpi_results": kpi, "action_status": status})


def parse(data: bytes, file: str) -> Parsed:
    fmt = "unodc"
    try:
        fmt = detect(data, file)
        if fmt == "kpi_template":
            return parse_kpi_template(data, file)
        if fmt in ("unodc", "unodc_xlsx"):
            return parse_unodc(data, file, is_xlsx=fmt == "unodc_xlsx")
        return parse_wdi(data, file) if fmt == "wdi" else parse_owid(data, file)
    except ImportRejected:
        raise
    except csv.Error as exc:
        raise _reject(file, None, None, f"not a well-formed CSV file ({exc})") from exc
    except Exception as exc:  # a layout the readers did not foresee: say so, keep the details for the log
        log.warning("unexpected error reading %r as %s", file, fmt, exc_info=True)
        raise _reject(file, None, None, f"cannot be read as a {FORMATS[fmt]}: its layout is not the expected one"
                      ) from exc


def _find_date(text: str) -> str:
    match = re.search(r"(\d{4}-\d{2}-\d{2}|\d{1,2} \w+ \d{4}|\w+ \d{4})", text)
    return match.group(1) if match else ""


def _year_of(edition: str) -> int | None:
    match = re.search(r"(19|20)\d{2}", edition or "")
    return int(match.group(0)) if match else None
