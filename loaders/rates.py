"""What every homicide reader shares: text read as a stream of CSV records, and the checks on the
(country or area, year, rate) rows a reader keeps, each problem naming file, line and column.

A reader streams its file and hands only the rows it keeps to a `RateRows`, so that a full publisher
file (a UNODC export holds about 100,000 rows, of which the dashboard keeps a few hundred) is never
held in memory as a table.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from loaders import cells
from loaders.messages import say
from loaders.parsed import ImportRejected, reject
from loaders.tables import ISO3_16
from loaders.validate import Problem, formula_like

MAX_RATE = 300.0
MAX_TEXT_ROWS = 1_000_000  # a text file's records; they are streamed, only the rows kept are held
WORLD, LAC = "World", "Latin America and the Caribbean"


# --- text -----------------------------------------------------------------------------------------

def _valid_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def open_text(data: bytes, file: str) -> io.TextIOBase:
    """The file as text, decoded as it is read: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return io.StringIO(data.decode("utf-16"), newline="")
        except UnicodeDecodeError as exc:
            raise reject(file, None, None, say("file.bad_utf16")) from exc
    if b"\x00" in data[:4096]:
        raise reject(file, None, None, say("file.binary"))
    encoding = "utf-8-sig" if _valid_utf8(data) else "cp1252"
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def head_text(data: bytes, file: str, limit: int = 20_000) -> str:
    stream = open_text(data, file)
    try:
        return stream.read(limit)
    except UnicodeDecodeError as exc:
        raise reject(file, None, None, say("file.not_text")) from exc


def records(data: bytes, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for each CSV record, streamed.

    A quoted field left open at the end of the file is a cut-off download: refused as such.
    """
    reader = csv.reader(open_text(data, file), strict=True)
    start, count = 1, 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise reject(file, start, None, say("file.cut_off_quoted", row=start)) from exc
            raise reject(file, start, None, say("file.bad_csv", detail=str(exc))) from exc
        except UnicodeDecodeError as exc:
            raise reject(file, None, None, say("file.not_text")) from exc
        count += 1
        if count > MAX_TEXT_ROWS:
            raise reject(file, None, None, say("file.too_many_rows", limit=f"{MAX_TEXT_ROWS:,}"))
        yield start, row
        start = reader.line_num + 1


def cut_off(file: str, line: int, row: list[str], expected: int) -> ImportRejected:
    return reject(file, line, None, say("file.cut_off", row=line, found=len(row), expected=expected))


# --- the rows a reader keeps ------------------------------------------------------------------------

@dataclass
class RateRows:
    """Country and benchmark rows as a reader finds them, checked together at the end."""
    file: str
    rows: list[tuple] = field(default_factory=list)  # (table, key, year, value, line, year_col, value_col, (shown, key_col))
    problems: list[Problem] = field(default_factory=list)
    ignored: int = 0
    other_codes: Counter = field(default_factory=Counter)  # codes seen outside the 16 (for a zero-row answer)
    data_rows: int = 0  # rows of data the file holds (whatever they are)

    def country(self, iso3: str, year: object, value: object, line: int, year_col: str, value_col: str,
                formula: bool = False, shown_key: str | None = None, key_col: str | None = None) -> None:
        self._add("homicide_rates", iso3, year, value, line, year_col, value_col, formula,
                  (shown_key or iso3, key_col))

    def area(self, area: str, year: object, value: object, line: int, year_col: str, value_col: str,
             formula: bool = False, shown_key: str | None = None, key_col: str | None = None) -> None:
        self._add("homicide_benchmarks", area, year, value, line, year_col, value_col, formula,
                  (shown_key or area, key_col))

    def skip(self, code: str | None = None) -> None:
        self.ignored += 1
        if code:
            self.other_codes[code] += 1

    def _add(self, table, key, year, value, line, year_col, value_col, formula, shown_key) -> None:
        if formula or formula_like(value) or formula_like(year):
            shown = "a formula" if formula else repr(str(value if formula_like(value) else year).strip()[:40])
            self.problems.append(Problem(self.file, line, value_col, say("rates.formula", shown=shown)))
            return
        if cells.is_blank(value):
            self.ignored += 1  # the publisher gives no value for this country-year
            return
        try:
            year = cells.whole_number(year)
        except cells.Refused:
            self.problems.append(Problem(self.file, line, year_col, say("rates.year", typed=cells.typed(year))))
            return
        try:
            number, _ = cells.number(value)
        except cells.Refused as refused:
            key_ = "rates.value" if refused.key == "cell.not_a_number" else refused.key
            self.problems.append(Problem(self.file, line, value_col,
                                         say(key_, typed=cells.typed(value), **refused.values)))
            return
        if not 0 <= number <= MAX_RATE:
            self.problems.append(Problem(self.file, line, value_col,
                                         say("rates.range", value=f"{number:g}", limit=f"{MAX_RATE:g}")))
            return
        self.rows.append((table, key, year, number, line, year_col, value_col, shown_key))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The kept rows as the importer's tables; raise ImportRejected with every problem found."""
        seen: dict[tuple, list[tuple]] = {}
        for row in self.rows:
            seen.setdefault((row[0], row[1], row[2]), []).append(row)
        for (_, _, year), group in seen.items():
            if len(group) > 1:
                for row in group:
                    shown_key, key_col = row[7]
                    self.problems.append(Problem(self.file, row[4], key_col,
                                                 say("rates.duplicate", place=shown_key, year=year)))
        if self.problems:
            raise ImportRejected(sorted(self.problems, key=lambda p: (p.line or 0, p.column or "")))
        frames = {}
        for table, key_col in (("homicide_rates", "iso3"), ("homicide_benchmarks", "area")):
            kept = [r for r in self.rows if r[0] == table]
            frames[table] = pd.DataFrame({key_col: [r[1] for r in kept], "year": [int(r[2]) for r in kept],
                                          "rate_per_100k": [float(r[3]) for r in kept],
                                          "line": [int(r[4]) for r in kept]})
        return frames

    def require_rows(self, header_only: bool = False) -> None:
        """A file that yields no row is refused with one message (never applied as an empty import)."""
        if self.rows or self.problems:
            return
        if header_only or self.data_rows == 0:
            raise reject(self.file, None, None, say("file.no_rows_header_only"))
        near = sorted(c for c in self.other_codes if c.strip().upper() in ISO3_16)
        if near:
            raise reject(self.file, None, None, say("file.no_rows_codes", codes=", ".join(repr(c) for c in near[:5])))
        raise reject(self.file, None, None, say("file.no_rows"))


def is_country(code: str) -> bool:
    return code in ISO3_16
