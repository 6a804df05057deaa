"""Measure chart text before it is drawn, so a layout can leave room for it (or wrap it) by construction.

Widths come from DejaVu Sans's advance widths (core/figures/font_metrics.json, made by
scripts/derive_font_metrics.py): the widest of the fonts a chart is drawn in (Chromium's fallback on
the export machine; a reader's Source Sans or Arial is narrower), so measured text fits in all of them.
Plotly's markup (<br>, <b>) is understood; other characters default to a wide glyph.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

_METRICS = json.loads((Path(__file__).with_name("font_metrics.json")).read_text(encoding="utf-8"))
_UNKNOWN = 1000  # an unknown glyph (CJK, symbols) counts as a full em
LINE_HEIGHT = 1.3  # Plotly's line spacing for multi-line text, in ems
BOX_HEIGHT = (_METRICS["ascent"] + _METRICS["descent"]) / 1000  # one line's box, in ems
_TAG = re.compile(r"<(/?)(b|i|sup|sub|span)[^>]*>", re.I)


@functools.lru_cache(maxsize=4096)
def _em_width(line: str, bold: bool) -> float:
    table = _METRICS["bold" if bold else "regular"]
    return sum(table.get(ch, _UNKNOWN) for ch in line) / 1000


def lines(text: str) -> list[str]:
    """The lines Plotly draws for a label: split at <br>, markup removed."""
    return [_TAG.sub("", part) for part in re.split(r"<br\s*/?>", str(text), flags=re.I)]


def width(text: str, size: float, bold: bool = False) -> float:
    """Width in px of the widest line of `text` drawn at `size` px."""
    bold = bold or "<b>" in str(text).lower()
    return max((_em_width(line, bold) for line in lines(text)), default=0.0) * size


def height(text: str, size: float) -> float:
    """Height in px of `text`'s box (every line) at `size` px."""
    n = len(lines(text))
    return size * (BOX_HEIGHT + (n - 1) * LINE_HEIGHT)


def wrap(text: str, max_px: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to `max_px`; a word longer than a line is cut into pieces that fit."""
    out: list[str] = []
    for paragraph in lines(text):
        current = ""
        for word in paragraph.split(" "):
            trial = f"{current} {word}" if current else word
            if width(trial, size, bold) <= max_px:
                current = trial
                continue
            if current:
                out.append(current)
            while width(word, size, bold) > max_px and len(word) > 1:
                cut = max(1, next(i for i in range(len(word), 0, -1) if width(word[:i], size, bold) <= max_px)
                          if width(word[0], size, bold) <= max_px else 1)
                out.append(word[:cut])
                word = word[cut:]
            current = word
        out.append(current)
    return out


def wrapped(text: str, max_px: float, size: float, bold: bool = False) -> str:
    """`wrap` joined with Plotly's line break."""
    return "<br>".join(wrap(text, max_px, size, bold))


def shorten(text: str, max_px: float, size: float, bold: bool = False) -> str:
    """`text` as is when it fits on one line, else cut with an ellipsis so that it does."""
    text = str(text)
    if width(text, size, bold) <= max_px:
        return text
    for end in range(len(text) - 1, 0, -1):
        trial = text[:end].rstrip(" ,;:-") + "…"
        if width(trial, size, bold) <= max_px:
            return trial
    return "…"
