"""The dashboard's KPI template (.xlsx, sheets kpi_results, action_status and obi_results), read against office
habits. The obi_results sheet is optional (templates downloaded before it existed have none).

Every cell is read for what its column holds, and every problem of the file is listed in one pass,
each with the file, sheet, row, column and the value as the user typed it:
- numbers: a percent cell is read in the KPI's unit (0.485 shown as 48.5% is 48.5 for a percent KPI; a
  percent outside 0-100 is refused; a percent cell for a KPI that counts a number is refused); a
  decimal comma ('4,9') is 4.9, and '1,234' (a thousand or one and a bit?) is refused with both readings;
  finite values only;
- dates: a real Excel date or YYYY-MM-DD text; '05/06/2025' is refused with its two readings; dates
  between the CCSS (2013) and today;
- periods: YYYY, YYYY-H1/H2, YYYY-Q1..Q4, within the programme (2025-2027) and not after this year; a
  period typed as a date is named as such;
- OBIs: a value where the OBI is quantitative, an assessment in words where it is qualitative or complemented
  by one (section 9.2, obis.csv); a percent cell is percent points, at most 100;
- codes: a KPI, OBI or country that is not one, answered with the one meant where it is clear ('Jamaica':
  did you mean JAM?);
- text: at most a given length per column; no formulas, no control characters.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from loaders import cells, xlsx
from loaders.messages import say
from loaders.parsed import ImportRejected, Parsed, reject
from loaders.reference import CCSS_ADOPTED, PROGRAMME_END, PROGRAMME_START, Reference
from loaders.tables import ACTION_STATUSES
from loaders.validate import Problem, formula_like

KPI_COLUMNS = ["kpi_id", "period", "iso3", "breakdown", "value", "target", "note"]
STATUS_COLUMNS = ["goal_no", "action_no", "status", "as_of", "note"]
OBI_COLUMNS = ["obi_id", "period", "iso3", "value", "unit", "baseline", "assessment", "as_of", "note"]
OBI_SHEET = "obi_results"  # optional: a template made before OBI results has no such sheet
LIMITS = {"kpi_id": 20, "obi_id": 20, "period": 20, "iso3": 60, "breakdown": 200, "note": 2000, "status": 40,
          "unit": 100, "assessment": 4000}
_PERIOD = re.compile(r"(\d{4})(-(H[12]|Q[1-4]))?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Row:
    """One sheet row being read: its cells by column, and the problems found in it."""

    def __init__(self, where: str, line: int, columns: list[str], row: list[xlsx.Cell], problems: list[Problem]):
        self.where, self.line, self.problems = where, line, problems
        self.refused: set[str] = set()  # columns already refused (a formula): not read again
        self.cells = dict(zip(columns, (row + [xlsx.EMPTY] * len(columns))[:len(columns)]))

    def problem(self, column: str, key: str, **values) -> None:
        if column in self.refused:
            return
        cell = self.cells[column]
        shown = cells.typed(cell)
        values.setdefault("typed", shown)
        values.setdefault("typed_short", shown[:40] + ("..." if len(shown) > 40 else ""))
        self.problems.append(Problem(self.where, self.line, column, say(key, **values)))

    def text(self, column: str, required: bool = True) -> str | None:
        value = self.cells[column].value
        if cells.is_blank(value):
            if required:
                self.problem(column, "kpi.missing")
            return None
        try:
            return cells.text(value, LIMITS.get(column, 200))
        except cells.Refused as refused:
            self.problem(column, refused.key, **refused.values)
            return None

    def number(self, column: str, unit: str | None, kpi: str | None, required: bool) -> float | None:
        cell = self.cells[column]
        if cells.is_blank(cell.value):
            if required:
                self.problem(column, "kpi.missing")
            return None
        try:
            value, as_percent = cells.number(cell.value, cell.percent)
        except cells.Refused as refused:
            self.problem(column, refused.key, **refused.values)
            return None
        if as_percent and unit != "percent" and unit is not None:
            self.problem(column, "kpi.percent_for_number", kpi=kpi)
            return None
        if as_percent and isinstance(cell.value, (int, float)):
            value = value * 100  # Excel stores 48.5% as 0.485: the KPI counts percent points
        if value < 0:
            self.problem(column, "kpi.negative")
            return None
        if unit == "percent" and value > 100:
            self.problem(column, "kpi.percent_range", value=f"{value:g}", kpi=kpi)
            return None
        return round(value, 10)


def _formula_and_control(row: _Row) -> None:
    """Refuse formulas and control characters in any cell of the row (those cells are not read further)."""
    for column, cell in row.cells.items():
        if cell.formula or formula_like(cell.value):
            said = (say("kpi.formula_no_value") if cell.value is None
                    else say("kpi.formula", shown=repr(str(cell.value).strip()[:40])))
            row.problems.append(Problem(row.where, row.line, column, said))
            row.refused.add(column)
        elif isinstance(cell.value, str) and _CONTROL.search(cell.value):
            row.problems.append(Problem(row.where, row.line, column, say("kpi.control")))
            row.refused.add(column)


def _sheet(book: xlsx.Workbook, file: str, sheet: str, columns: list[str], problems: list[Problem]):
    """Yield a _Row per non-empty data row; a wrong header is one problem and no rows."""
    where = f"{file} [{sheet}]"
    if sheet not in book.sheet_names:
        problems.append(Problem(where, None, None, say("kpi.no_sheet", columns=", ".join(columns))))
        return
    try:
        rows = iter(book.rows(sheet))
        number, first = next(rows, (1, []))
        header = [str(c.value).strip() if c.value is not None else "" for c in first]
        if header[:len(columns)] != columns:
            problems.append(Problem(where, number, None, say("kpi.header", columns=", ".join(columns),
                                                             found=", ".join(h for h in header if h)[:200])))
            return
        for number, cells_ in rows:
            if all(cells.is_blank(c.value) for c in cells_[:len(columns)]):
                continue
            yield _Row(where, number, columns, cells_, problems)
    except xlsx.Unreadable as exc:
        raise reject(where, None, None, str(exc)) from exc


def _period(row: _Row, today: dt.date) -> str | None:
    value = row.cells["period"].value
    if isinstance(value, (dt.date, dt.datetime)):
        row.problem("period", "kpi.period_date", year=value.year)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if cells.is_blank(value):
        row.problem("period", "kpi.missing")
        return None
    text = str(value).strip().upper()
    found = _PERIOD.fullmatch(text)
    if not found:
        row.problem("period", "kpi.period_format")
        return None
    last = min(today.year, PROGRAMME_END)
    if not PROGRAMME_START <= int(found.group(1)) <= last:
        row.problem("period", "kpi.period_range", first=PROGRAMME_START, last=last, start=PROGRAMME_START,
                    end=PROGRAMME_END)
        return None
    return text


def _known_id(row: _Row, column: str, known, suggest, unknown: str, unknown_suggest: str) -> str | None:
    """An identifier that must be one of `known` (KPIs, OBIs): the typed text, or a problem that suggests the
    identifier meant ('kpi 3' -> KPI3) or names the first and last accepted."""
    text = row.text(column)
    if text is None:
        return None
    if text in known:
        return text
    suggestion = suggest(text)
    if suggestion:
        row.problem(column, unknown_suggest, suggestion=suggestion)
    else:
        ids = sorted(known, key=lambda k: (len(k), k))
        row.problem(column, unknown, first=ids[0], last=ids[-1])
    return None


def _kpi(row: _Row, ref: Reference) -> str | None:
    return _known_id(row, "kpi_id", ref.kpi_units, ref.kpi_suggestion, "kpi.unknown_kpi",
                     "kpi.unknown_kpi_suggest")


def _country(row: _Row, ref: Reference) -> tuple[str | None, bool]:
    """(iso3 or None for a regional result, whether the cell is fine)."""
    if cells.is_blank(row.cells["iso3"].value):
        return None, True
    text = row.text("iso3")
    if text is None:
        return None, False
    if text in ref.countries:
        return text, True
    suggestion = ref.country_suggestion(text)
    if suggestion:
        row.problem("iso3", "kpi.unknown_country_suggest", suggestion=suggestion)
    else:
        row.problem("iso3", "kpi.unknown_country")
    return None, False


def _kpi_rows(book, file, ref: Reference, today: dt.date, problems: list[Problem]) -> pd.DataFrame:
    out = []
    for row in _sheet(book, file, "kpi_results", KPI_COLUMNS, problems):
        before = len(problems)
        _formula_and_control(row)
        kpi_id, period = _kpi(row, ref), _period(row, today)
        iso3, _ = _country(row, ref)
        breakdown = row.text("breakdown")
        unit = ref.kpi_units.get(kpi_id) if kpi_id else None
        value = row.number("value", unit, kpi_id, required=True)
        target = row.number("target", unit, kpi_id, required=False)
        note = row.text("note", required=False)
        if len(problems) == before:
            out.append([row.line, kpi_id, period, iso3, breakdown, value, target, _one_break(note)])
    frame = pd.DataFrame(out, columns=["line", *KPI_COLUMNS])
    _duplicates(frame, ["kpi_id", "period", "iso3", "breakdown"], f"{file} [kpi_results]", problems)
    return frame


def _status_rows(book, file, ref: Reference, today: dt.date, problems: list[Problem]) -> pd.DataFrame:
    out = []
    first_day = dt.date(CCSS_ADOPTED, 1, 1)
    for row in _sheet(book, file, "action_status", STATUS_COLUMNS, problems):
        before = len(problems)
        _formula_and_control(row)
        goal = _whole(row, "goal_no")
        action = _whole(row, "action_no")
        if goal is not None and goal not in ref.actions:
            row.problem("goal_no", "kpi.unknown_goal")
        elif goal is not None and action is not None and not 1 <= action <= ref.actions[goal]:
            row.problem("action_no", "kpi.unknown_action", goal=goal, action=action, last=ref.actions[goal])
        status = row.text("status")
        if status is not None and status.lower() not in ACTION_STATUSES:
            row.problem("status", "kpi.unknown_status", allowed=", ".join(ACTION_STATUSES))
        as_of = None
        if cells.is_blank(row.cells["as_of"].value):
            row.problem("as_of", "kpi.missing")
        else:
            try:
                as_of = cells.date(row.cells["as_of"].value)
                if not first_day <= as_of <= today:
                    row.problem("as_of", "kpi.date_range", first=first_day.isoformat(), last=today.isoformat())
            except cells.Refused as refused:
                row.problem("as_of", refused.key, **refused.values)
        note = row.text("note", required=False)
        if len(problems) == before:
            out.append([row.line, goal, action, status.lower(), as_of.isoformat(), _one_break(note)])
    frame = pd.DataFrame(out, columns=["line", *STATUS_COLUMNS])
    _duplicates(frame, ["goal_no", "action_no", "as_of"], f"{file} [action_status]", problems)
    return frame


def _obi(row: _Row, ref: Reference) -> str | None:
    return _known_id(row, "obi_id", ref.obis, ref.obi_suggestion, "obi.unknown", "obi.unknown_suggest")


def _obi_number(row: _Row, column: str, unit: str | None, obi: str | None) -> float | None:
    """A value or baseline: percent cells are percent points (0-100), whatever the unit says."""
    percent = row.cells[column].percent or bool(unit and ("percent" in unit.lower() or "%" in unit))
    return row.number(column, "percent" if percent else None, obi, required=False)


def _obi_rows(book, file, ref: Reference, today: dt.date, problems: list[Problem]) -> pd.DataFrame:
    out = []
    first_day = dt.date(PROGRAMME_START, 1, 1)
    if OBI_SHEET in book.sheet_names:
        for row in _sheet(book, file, OBI_SHEET, OBI_COLUMNS, problems):
            before = len(problems)
            _formula_and_control(row)
            obi_id, period = _obi(row, ref), _period(row, today)
            iso3, _ = _country(row, ref)
            unit = row.text("unit", required=False)
            value = _obi_number(row, "value", unit, obi_id)
            baseline = _obi_number(row, "baseline", unit, obi_id)
            assessment = row.text("assessment", required=False)
            if obi_id:
                kind, in_words = ref.obis[obi_id]
                if kind == "qualitative" and value is not None:
                    row.problem("value", "obi.value_for_qualitative", obi=obi_id)
                if kind == "quantitative" and value is None and cells.is_blank(row.cells["value"].value):
                    row.problem("value", "obi.value_missing", obi=obi_id)
                if kind == "qualitative" and assessment is None and cells.is_blank(row.cells["assessment"].value):
                    row.problem("assessment", "obi.assessment_missing", obi=obi_id)
                if not in_words and assessment is not None:
                    row.problem("assessment", "obi.assessment_not_asked", obi=obi_id)
            as_of = None
            if cells.is_blank(row.cells["as_of"].value):
                row.problem("as_of", "kpi.missing")
            else:
                try:
                    as_of = cells.date(row.cells["as_of"].value)
                    if not first_day <= as_of <= today:
                        row.problem("as_of", "obi.date_range", first=first_day.isoformat(), last=today.isoformat(),
                                    start=PROGRAMME_START)
                except cells.Refused as refused:
                    row.problem("as_of", refused.key, **refused.values)
            note = row.text("note", required=False)
            if len(problems) == before:
                out.append([row.line, obi_id, period, iso3, value, unit, baseline, _one_break(assessment),
                            as_of.isoformat(), _one_break(note)])
    frame = pd.DataFrame(out, columns=["line", *OBI_COLUMNS])
    _duplicates(frame, ["obi_id", "period", "iso3"], f"{file} [{OBI_SHEET}]", problems)
    return frame


def _whole(row: _Row, column: str) -> int | None:
    value = row.cells[column].value
    if cells.is_blank(value):
        row.problem(column, "kpi.missing")
        return None
    try:
        return cells.whole_number(value)
    except cells.Refused as refused:
        row.problem(column, refused.key, **refused.values)
        return None


def _one_break(text: str | None) -> str | None:
    """One kind of line break inside a cell: a lone CR would end the row in a CSV."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _duplicates(frame: pd.DataFrame, key: list[str], where: str, problems: list[Problem]) -> None:
    if frame.empty:
        return
    dupes = frame[frame.duplicated(subset=key, keep=False)]
    # dropna=False: a regional row's empty country is a value of the key (pandas' str dtype keeps it missing)
    for _, group in dupes.groupby([dupes[k].astype(str) for k in key], dropna=False):
        rows = ", ".join(str(x) for x in group["line"])
        for line in group["line"]:
            problems.append(Problem(where, int(line), ", ".join(key), say("kpi.duplicate", rows=rows,
                                                                            fields=", ".join(key))))


def read(data: bytes, file: str, layout: str, reference: Reference | None = None,
         today: dt.date | None = None) -> Parsed:
    ref = reference or Reference.from_curated()
    today = today or dt.date.today()
    try:
        book = xlsx.Workbook(data)
    except xlsx.Unreadable as exc:
        raise reject(file, None, None, str(exc)) from exc
    problems: list[Problem] = []
    kpi = _kpi_rows(book, file, ref, today, problems)
    status = _status_rows(book, file, ref, today, problems)
    obi = _obi_rows(book, file, ref, today, problems)
    if problems:
        order = {c: i for i, c in enumerate(dict.fromkeys(KPI_COLUMNS + STATUS_COLUMNS + OBI_COLUMNS))}
        raise ImportRejected(sorted(problems, key=lambda p: (p.file, p.line or 0, order.get(p.column, 99))))
    edition = book.modified
    tables = {"kpi_results": kpi, "action_status": status}
    if OBI_SHEET in book.sheet_names:
        tables["obi_results"] = obi
    return Parsed("kpi", "kpi_template", "EL PACCTO 2.0 monitoring team (KPI template)",
                  "KPI results and CCSS action statuses (dashboard template)", edition,
                  int(edition[:4]) if edition else None, tables,
                  layout=layout, edition_date=edition)
