"""Read .xlsx workbooks within limits, streaming the XML itself.

A workbook is a zip of XML parts. What it unpacks to is bounded before and while it is read:
the number of parts, each part's compression ratio and the total uncompressed size (from the zip
directory, then counted while streaming), the rows, columns and cells of a sheet, the shared
strings, and the time spent. A sheet is read from its `<row>` and `<c>` elements: its declared
`<dimension>` is ignored (it may be wrong, e.g. "A1" on a full sheet). A part that declares a DTD
(entity expansion, external entities) is refused: a workbook never holds one.

Every failure is an `Unreadable` with a plain message; `loaders.formats` adds the file's name.
"""
from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

MAX_ROWS = 200_000  # a full UNODC export: 76,341 rows in 2022 (3.3 MB); its CSV form is read up to 1,000,000
MAX_COLUMNS = 100
MAX_CELLS = 3_000_000
MAX_PARTS = 2_000
MAX_UNCOMPRESSED = 300 * 2**20  # all parts together
MAX_RATIO = 100  # uncompressed / compressed, per part: sheet XML compresses 5-30 times; a zip bomb, thousands
TIME_BUDGET_S = 60.0
CHUNK = 64 * 1024


class Unreadable(Exception):
    """The workbook cannot be read, or unpacks to more than the limits allow."""


@dataclass(frozen=True, slots=True)
class Cell:
    value: object  # str, int, float, bool, datetime or None
    formula: bool  # the cell holds a formula (its value is the cached result, if any)
    percent: bool = False  # a number shown as a percent (stored 0.485, shown 48.5%)


EMPTY = Cell(None, False)


# --- streaming XML --------------------------------------------------------------------------------

def _refuse_dtd(*_args) -> None:
    raise Unreadable("a part of the workbook declares a DTD or entities, which a workbook never does")


def _parser(start: Callable, end: Callable, text: Callable | None) -> expat.XMLParserType:
    """An expat parser with local element names that refuses DTDs and entities."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = lambda name, attrs: start(name.rpartition(" ")[2], attrs)
    parser.EndElementHandler = lambda name: end(name.rpartition(" ")[2])
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _chunks(source: io.BufferedIOBase, parser: expat.XMLParserType, budget: _Budget) -> Iterator[None]:
    """Feed a part to the parser a chunk at a time, yielding after each (the caller takes what it made)."""
    while chunk := source.read(CHUNK):
        budget.spend(len(chunk))
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _stream(source: io.BufferedIOBase, start: Callable, end: Callable, text: Callable | None,
            budget: _Budget) -> None:
    for _ in _chunks(source, _parser(start, end, text), budget):
        pass


class _Budget:
    """Uncompressed bytes and time for the whole workbook."""

    def __init__(self, time_budget_s: float):
        self.left = MAX_UNCOMPRESSED
        self.deadline = time.monotonic() + time_budget_s
        self.time_budget_s = time_budget_s

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise Unreadable(f"the workbook unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB; "
                             f"this importer takes up to {MAX_UNCOMPRESSED // 2**20} MB")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Unreadable(f"reading the workbook took more than {self.time_budget_s:g} s; "
                             "split the file or remove what the import does not need")


def _is_percent(code: str) -> bool:
    """A number format that shows a percent: a % outside quoted text and escapes."""
    bare = re.sub(r'"[^"]*"|\\.', "", code)
    return "%" in bare


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Za-z]{1,3}", ref)
    if not letters:
        raise ValueError(f"cell reference {ref[:20]!r}")
    index = 0
    for ch in letters.group(0).upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


# --- the workbook ---------------------------------------------------------------------------------

class Workbook:
    """An .xlsx file: its sheet names, rows streamed on demand, its 'modified' date."""

    def __init__(self, data: bytes, time_budget_s: float = TIME_BUDGET_S):
        self.budget = _Budget(time_budget_s)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise Unreadable("not a readable Excel (.xlsx) file: the zip container is damaged") from exc
        if len(infos) > MAX_PARTS:
            raise Unreadable(f"the workbook holds {len(infos)} parts; this importer takes up to {MAX_PARTS}")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise Unreadable(f"the workbook unpacks to {total / 2**20:.0f} MB; "
                             f"this importer takes up to {MAX_UNCOMPRESSED // 2**20} MB")
        for info in infos:
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Unreadable(f"the part {info.filename[:60]!r} unpacks {info.file_size // max(info.compress_size, 1)}"
                                 f" times its size (more than {MAX_RATIO}): refused as a zip bomb")
        self.names = {i.filename for i in infos}
        self._sheets = self._read_sheet_list()
        self._shared: list[str] | None = None
        self._date_styles: set[int] | None = None
        self._percent_styles: set[int] = set()

    # small parts

    def _open(self, name: str):
        if name not in self.names:
            raise Unreadable(f"the workbook has no part {name[:60]!r}")
        return self._guard(lambda: self.zip.open(name))

    def _guard(self, action):
        try:
            return action()
        except Unreadable:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            raise Unreadable("a part of the workbook is damaged (it cannot be decompressed)") from exc
        except expat.ExpatError as exc:
            raise Unreadable(f"a part of the workbook is not well-formed XML ({expat.ErrorString(exc.code)}, "
                             f"line {exc.lineno})") from exc
        except (ValueError, IndexError, KeyError) as exc:
            raise Unreadable(f"a part of the workbook holds a value it cannot hold ({exc.__class__.__name__})") from exc

    def _elements(self, name: str) -> list[tuple[str, dict, str]]:
        """A small part as (element, attributes, text) in document order."""
        found: list[list] = []
        stack: list[list] = []

        def start(tag, attrs):
            item = [tag, attrs, ""]
            found.append(item)
            stack.append(item)

        def text(data):
            if stack:
                stack[-1][2] += data

        def run():
            with self._open(name) as part:
                _stream(part, start, lambda tag: stack.pop(), text, self.budget)

        self._guard(run)
        return [tuple(item) for item in found]

    def _relations(self, name: str) -> dict[str, str]:
        folder, base = posixpath.split(name)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels not in self.names:
            return {}
        targets = {}
        for tag, attrs, _ in self._elements(rels):
            if tag == "Relationship" and "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                targets[attrs["Id"]] = (target.lstrip("/") if target.startswith("/")
                                        else posixpath.normpath(posixpath.join(folder, target)))
        return targets

    def _read_sheet_list(self) -> dict[str, str]:
        book = next((t for r, t in self._relations("").items() if t.endswith(".xml") and "workbook" in t.lower()),
                    "xl/workbook.xml") if "_rels/.rels" in self.names else "xl/workbook.xml"
        rels = self._relations(book)
        sheets = {}
        for tag, attrs, _ in self._elements(book):
            if tag == "sheet":
                rel = next((v for k, v in attrs.items() if k.rpartition(" ")[2] == "id"), None)
                target = rels.get(rel) if rel else None
                if target:
                    sheets[attrs.get("name", "")] = target
        if not sheets:
            raise Unreadable("the workbook lists no sheets")
        self._book = book
        return sheets

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    @property
    def modified(self) -> str:
        """The date the file says it was last saved (docProps/core.xml), YYYY-MM-DD, or ''."""
        return self._core_date("modified")

    @property
    def created(self) -> str:
        """The date the file says it was created (docProps/core.xml), YYYY-MM-DD, or ''."""
        return self._core_date("created")

    def _core_date(self, element: str) -> str:
        if "docProps/core.xml" not in self.names:
            return ""
        for tag, _, text in self._elements("docProps/core.xml"):
            if tag == element and re.match(r"\d{4}-\d{2}-\d{2}", text.strip()):
                return text.strip()[:10]
        return ""

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            target = next((t for t in self._relations(self._book).values() if t.endswith("sharedStrings.xml")),
                          "xl/sharedStrings.xml")
            if target in self.names:
                self._guard(lambda: self._read_shared(target))
        return self._shared

    def _read_shared(self, target: str) -> None:
        strings, parts, state = self._shared, [], {"in_t": False, "phonetic": 0}

        def start(tag, attrs):
            if tag == "si":
                parts.clear()
            elif tag == "rPh":
                state["phonetic"] += 1
            elif tag == "t" and not state["phonetic"]:
                state["in_t"] = True

        def end(tag):
            if tag == "si":
                strings.append("".join(parts))
                if len(strings) > MAX_CELLS:
                    raise Unreadable(f"the workbook holds more than {MAX_CELLS:,} strings")
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "t":
                state["in_t"] = False

        def text(data):
            if state["in_t"]:
                parts.append(data)

        with self._open(target) as part:
            _stream(part, start, end, text, self.budget)

    def _dates(self) -> set[int]:
        """Indexes of the cell styles that show a number as a date."""
        if self._date_styles is None:
            self._date_styles = set()
            target = next((t for t in self._relations(self._book).values() if t.endswith("styles.xml")),
                          "xl/styles.xml")
            if target in self.names:
                formats, xfs, in_xfs = dict(BUILTIN_FORMATS), [], False
                for tag, attrs, _ in self._elements(target):
                    if tag == "numFmt":
                        formats[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
                    elif tag == "cellXfs":
                        in_xfs = True
                    elif tag == "xf" and in_xfs:
                        xfs.append(int(attrs.get("numFmtId", 0)))
                    elif tag in ("cellStyles", "dxfs"):
                        in_xfs = False
                self._date_styles = {i for i, fmt in enumerate(xfs) if is_date_format(formats.get(fmt, "") or "")}
                self._percent_styles = {i for i, fmt in enumerate(xfs) if _is_percent(formats.get(fmt, "") or "")}
        return self._date_styles

    # sheets

    def rows(self, sheet: str, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, cells from column A) for each row the sheet's XML holds, in order, as it is read.

        Refused past `max_rows` rows (counted by the row numbers, so gaps count), MAX_COLUMNS
        columns, MAX_CELLS cells, the uncompressed size or the time budget.
        """
        if sheet not in self._sheets:
            raise Unreadable(f"the workbook has no sheet {sheet[:40]!r}")
        shared, dates = self._shared_strings(), self._dates()
        percents = self._percent_styles
        rows: list[tuple[int, list[Cell]]] = []  # made by the last chunk, handed on after it
        state = {"row": 0, "cells": {}, "col": -1, "type": "n", "style": 0, "formula": False, "text": None,
                 "inline": [], "in_inline": False, "count": 0}

        def start(tag, attrs):
            if tag == "row":
                number = int(attrs["r"]) if "r" in attrs else state["row"] + 1
                if number > max_rows:
                    raise Unreadable(f"the sheet holds more than {max_rows:,} rows; this importer takes up to "
                                     f"{max_rows:,}")
                if number <= state["row"]:
                    raise Unreadable(f"the sheet's rows are out of order (row {number} after row {state['row']})")
                state["row"], state["cells"], state["col"] = number, {}, -1
                self.budget.check_time()
            elif tag == "c":
                col = _column_index(attrs["r"]) if "r" in attrs else state["col"] + 1
                if col >= MAX_COLUMNS:
                    raise Unreadable(f"the sheet has a cell beyond column {MAX_COLUMNS}; this importer reads up "
                                     f"to {MAX_COLUMNS} columns")
                state.update(col=col, type=attrs.get("t", "n"), style=int(attrs.get("s", 0)), formula=False,
                             text=None, inline=[])
                state["count"] += 1
                if state["count"] > MAX_CELLS:
                    raise Unreadable(f"the sheet holds more than {MAX_CELLS:,} cells; this importer takes up to "
                                     f"{MAX_CELLS:,}")
            elif tag == "v":
                state["text"] = ""
            elif tag == "f":
                state["formula"] = True
            elif tag == "t":
                state["in_inline"] = True

        def text(data):
            if state["in_inline"]:
                state["inline"].append(data)
            elif state["text"] is not None:
                state["text"] += data

        def end(tag):
            if tag == "c":
                value = self._value(state, shared, dates)
                percent = state["style"] in percents and isinstance(value, (int, float)) and not isinstance(value, bool)
                state["cells"][state["col"]] = Cell(value, state["formula"], percent)
            elif tag == "t":
                state["in_inline"] = False
            elif tag == "row":
                cells = state["cells"]
                width = max(cells) + 1 if cells else 0
                rows.append((state["row"], [cells.get(i, EMPTY) for i in range(width)]))

        part = self._open(self._sheets[sheet])
        chunks = _chunks(part, _parser(start, end, text), self.budget)
        try:
            while self._guard(lambda: next(chunks, False)) is not False:
                yield from rows
                rows.clear()
        finally:
            part.close()

    @staticmethod
    def _value(state: dict, shared: list[str], dates: set[int]):
        kind, raw = state["type"], state["text"]
        if kind == "inlineStr":
            return "".join(state["inline"])
        if raw is None or (raw == "" and kind != "str"):
            return None
        if kind == "s":
            return shared[int(raw)]
        if kind in ("str", "e", "d"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        number = float(raw)
        if state["style"] in dates:
            return from_excel(number)
        return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", raw.strip()) else number
