"""One way to write every figure the dashboard shows: a function per kind (rate, euro amount, count, share,
year, date), used by every map label, ranking, table, card, slide and export.

Values are rounded once, half away from zero, from their full precision (41.1518 -> 41.2, 23.5498 -> 23.5;
never a rounded value rounded again), then written in the reader's language through Babel's CLDR data
("41.2" / "41,2"; "€216.4M" / "216,4 M€"; "22 November 2026" / "22 de noviembre de 2026").
A missing value is never a zero: it reads "not reported" (or what the caller passes as `missing`).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from loaders.tables import RATE_SHOWN_DIGITS

# The reader's language -> the CLDR locale its numbers and dates follow (British English: day month year).
LOCALES = {"en": "en_GB", "es": "es_ES", "fr": "fr_FR"}
RATE_DIGITS = RATE_SHOWN_DIGITS  # one place decides it: the importer's preview compares at the same precision
# Short amounts' units: millions and thousands as each language abbreviates them (CLDR's short forms).
SHORT_UNITS = {"en_GB": ("M", "K"), "es_ES": ("M", "mil"), "fr_FR": ("M", "k")}


def _locale(lang: str | None) -> str:
    if lang is None:
        from core.strings import current_language  # the language lives with the catalogue
        lang = current_language()
    return LOCALES.get(lang, LOCALES["en"])


def is_missing(value) -> bool:
    """None, NaN, NA or NaT: a value the source does not give."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not one value
        return False


def _missing(missing: str | None, lang: str | None) -> str:
    if missing is not None:
        return missing
    from core.strings import t
    return t("common.not_reported")


def rounded(value: float, digits: int) -> Decimal:
    """`value` rounded once, half away from zero, from its shortest exact decimal form."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(value, digits: int = 0, lang: str | None = None, missing: str | None = None, grouping: bool = True) -> str:
    """A plain number with `digits` decimals in the reader's conventions: 1,234.5 / 1.234,5 / 1 234,5."""
    if is_missing(value):
        return _missing(missing, lang)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(rounded(value, digits), pattern, locale=_locale(lang))


def rate(value, lang: str | None = None, missing: str | None = None) -> str:
    """A homicide rate per 100,000: one decimal (41.2)."""
    return number(value, RATE_DIGITS, lang, missing)


def rate_in_year(value, year, is_current: bool = True, lang: str | None = None, missing: str | None = None) -> str:
    """'41.2', or '28.1 (2022)' for a value from an earlier year than the one shown."""
    text = rate(value, lang, missing)
    return text if is_current or is_missing(value) or is_missing(year) else f"{text} ({int(year)})"


def count(value, lang: str | None = None, missing: str | None = None) -> str:
    """A whole count: 1,234."""
    return number(value, 0, lang, missing)


def signed(value, digits: int = 1, lang: str | None = None, missing: str | None = None) -> str:
    """A change with its sign: +3.6 / −1.2."""
    if is_missing(value):
        return _missing(missing, lang)
    text = number(abs(value), digits, lang)
    return ("+" if rounded(value, digits) > 0 else "−" if rounded(value, digits) < 0 else "") + text


def share(fraction, digits: int = 0, lang: str | None = None, missing: str | None = None) -> str:
    """A share given as a fraction (0.485 -> 48%, or 48.5% with digits=1)."""
    if is_missing(fraction):
        return _missing(missing, lang)
    # The language's own pattern (48% / 48 % / 48 %), with `digits` decimals.
    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern.replace(
        "#,##0", "#,##0" + ("." + "0" * digits if digits else ""), 1)
    return babel_numbers.format_percent(rounded(float(fraction) * 100, digits) / 100, pattern, locale=_locale(lang))


def percent(value, digits: int = 1, lang: str | None = None, missing: str | None = None) -> str:
    """A value already in percent (48.5 -> 48.5%)."""
    if is_missing(value):
        return _missing(missing, lang)
    return share(float(value) / 100, digits, lang)


def eur(amount, lang: str | None = None, missing: str | None = None) -> str:
    """A euro amount in full: €18,400,000 / 18.400.000 € / 18 400 000 € (tables, details)."""
    if is_missing(amount):
        return _missing(missing, lang)
    return _with_euro(number(amount, 0, lang), lang)


def eur_short(amount, lang: str | None = None, missing: str | None = None) -> str:
    """A euro amount in short: €216.4M, €80K / 216,4 M€, 80 mil € / 216,4 M€, 80 k€ (cards, chart labels)."""
    if is_missing(amount):
        return _missing(missing, lang)
    amount = float(amount)
    millions, thousands = SHORT_UNITS.get(_locale(lang), SHORT_UNITS[LOCALES["en"]])
    if abs(amount) >= 1e6:
        value, digits, suffix = amount / 1e6, 1, millions
    elif abs(amount) >= 1e3:
        value, digits, suffix = amount / 1e3, 0, thousands
    else:
        value, digits, suffix = amount, 0, ""
    figure = number(value, digits, lang)
    return _with_euro(figure + ("\u00a0" + suffix if suffix and _locale(lang) != LOCALES["en"] else suffix), lang)


def eur_millions(amount, lang: str | None = None, missing: str | None = None) -> str:
    """A euro amount in millions, for axes and cells titled '€ million': 124.0."""
    if is_missing(amount):
        return _missing(missing, lang)
    return number(float(amount) / 1e6, 1, lang)


def separators(lang: str | None = None) -> str:
    """The decimal and thousands signs of the reader's language, as Plotly's layout.separators wants them."""
    symbols = Locale.parse(_locale(lang)).number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]


def _with_euro(figure: str, lang: str | None) -> str:
    """The euro sign where the language puts it: before in English (−€5), after the figure elsewhere."""
    if _locale(lang) != LOCALES["en"]:
        return f"{figure}\u00a0€"
    sign, figure = (figure[0], figure[1:]) if figure[:1] in "-−" else ("", figure)
    return f"{sign}€{figure}"


def year(value, lang: str | None = None, missing: str | None = None) -> str:
    """A year, never grouped: 2023."""
    if is_missing(value):
        return _missing(missing, lang)
    return str(int(value))


def day(value, lang: str | None = None, missing: str | None = None) -> str:
    """A date in words: 22 November 2026 / 22 de noviembre de 2026 / 22 novembre 2026."""
    when = _as_date(value)
    if when is None:
        return _missing(missing, lang)
    return babel_dates.format_date(when, "long", locale=_locale(lang))


def day_short(value, lang: str | None = None, missing: str | None = None) -> str:
    """A date in short: 22 Nov 2026."""
    when = _as_date(value)
    if when is None:
        return _missing(missing, lang)
    return babel_dates.format_date(when, "medium", locale=_locale(lang))


def month(value, lang: str | None = None, missing: str | None = None) -> str:
    """A month: November 2026."""
    when = _as_date(value)
    if when is None:
        return _missing(missing, lang)
    return babel_dates.format_date(when, "LLLL y", locale=_locale(lang))


def _as_date(value) -> dt.date | None:
    """A date from a date, a timestamp or ISO text; None for a missing or unreadable value."""
    if is_missing(value):  # NaT is a datetime too
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date()
