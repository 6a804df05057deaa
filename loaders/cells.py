"""Cell values as people type them: numbers (decimal comma, percent), dates (ISO, Excel, ambiguous text), text.

Every function returns a value or the reason it cannot be one (a `loaders.messages` key and its values),
so that a reader can list every problem of a file in one pass, each with the value as the user typed it.
"""
from __future__ import annotations

import datetime as dt
import math
import re

from loaders.xlsx import Cell

_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ABS = 1e12  # no figure the dashboard takes comes near; 1e308 and 'inf' are typing accidents


class Refused(Exception):
    """A cell that cannot be read as what its column holds: `key` names the message, `values` fill it."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(key)


def typed(cell: Cell | object) -> str:
    """The value as the user typed it (and sees it in Excel): text quoted, a percent cell as 48.5%."""
    value = cell.value if isinstance(cell, Cell) else cell
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d} (a date)" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M} (a date)"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d} (a date)"
    if isinstance(cell, Cell) and cell.percent and isinstance(value, (int, float)):
        return f"{value * 100:g}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def number(value: object, percent_cell: bool = False) -> tuple[float, bool]:
    """A number from a cell: (value, typed_as_percent). Text may use a decimal comma ('4,9') or end in '%'.

    Raises Refused for text that is no number, a comma that may be a thousands separator ('1,234'),
    and values that are not finite or beyond MAX_ABS.
    """
    as_percent = False
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise Refused("cell.not_a_number")
    if isinstance(value, (int, float)):
        result, as_percent = float(value), percent_cell
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if text.endswith("%"):
            text, as_percent = text[:-1], True
        if _PLAIN.fullmatch(text):
            result = float(text)
        elif _THOUSANDS.fullmatch(text):
            if text.count(",") == 1 and "." not in text:  # '1,234': a thousand and more, or one and a bit?
                raise Refused("cell.comma_ambiguous", decimal=text.replace(",", "."), thousands=text.replace(",", ""))
            result = float(text.replace(",", ""))
        elif _DECIMAL_COMMA.fullmatch(text):
            result = float(text.replace(",", "."))
        elif text.lower() in ("inf", "+inf", "-inf", "infinity", "nan"):
            raise Refused("cell.not_finite")
        else:
            raise Refused("cell.not_a_number")
    else:
        raise Refused("cell.not_a_number")
    if not math.isfinite(result):
        raise Refused("cell.not_finite")
    if abs(result) > MAX_ABS:
        raise Refused("cell.too_large", limit=f"{MAX_ABS:g}")
    return result, as_percent


def whole_number(value: object) -> int:
    """A whole number from a cell (an integer, a float with no fraction, or text of digits)."""
    if isinstance(value, bool):
        raise Refused("cell.not_whole")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\.0*\s*", value):
        return int(float(value))
    raise Refused("cell.not_whole")


def date(value: object) -> dt.date:
    """A date from a cell: a real Excel date, or text written YYYY-MM-DD.

    Other text is refused; when day and month could be swapped ('05/06/2025') the message gives both readings.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise Refused("cell.no_such_date") from None
        found = _SLASHED.fullmatch(text)
        if found:
            a, b, year = (int(x) for x in found.groups())
            readings = []
            for day, month in ((a, b), (b, a)):
                try:
                    readings.append(dt.date(year, month, day))
                except ValueError:
                    pass
            readings = sorted(set(readings))
            if len(readings) == 2:
                first, second = readings
                raise Refused("cell.date_ambiguous", first=_long(first), second=_long(second),
                              first_iso=first.isoformat(), second_iso=second.isoformat())
            if len(readings) == 1:
                raise Refused("cell.date_not_iso", iso=readings[0].isoformat())
        raise Refused("cell.not_a_date")
    raise Refused("cell.not_a_date")


def day_first_date(text: str) -> dt.date | None:
    """A publisher's date written day first, as UNODC writes its export date ('08/08/2022'), or ISO."""
    text = text.strip()
    if _ISO.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    found = _SLASHED.fullmatch(text)
    if not found:
        return None
    day, month, year = (int(x) for x in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def text(value: object, limit: int) -> str:
    """Text from a cell, stripped; refused past `limit` characters."""
    result = value if isinstance(value, str) else typed(value)
    result = result.strip()
    if len(result) > limit:
        raise Refused("cell.too_long", length=len(result), limit=limit)
    return result


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
