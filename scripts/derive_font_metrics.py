"""Derive the character widths the chart layout measures text with (core/figures/font_metrics.json).

    python -m scripts.derive_font_metrics [--font /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]

DejaVu Sans is the widest of the fonts a chart is drawn in here (Chromium's fallback on Debian, where
Plotly's image export runs; Source Sans and Arial in a reader's browser are narrower), so text measured
with it fits in every one of them. Widths are advance widths in thousandths of an em, for Latin,
Latin-1, Latin Extended-A, general punctuation and the currency signs, regular and bold.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import ImageFont

OUT = Path(__file__).resolve().parents[1] / "core" / "figures" / "font_metrics.json"
RANGES = [(0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x20A0, 0x20C0), (0x2190, 0x2200)]


def widths(path: str) -> dict[str, int]:
    font = ImageFont.truetype(path, 1000, layout_engine=ImageFont.Layout.BASIC)
    return {chr(c): round(font.getlength(chr(c))) for lo, hi in RANGES for c in range(lo, hi)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    parser.add_argument("--bold", default="/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    args = parser.parse_args(argv)
    regular, bold = widths(args.font), widths(args.bold)
    OUT.write_text(json.dumps({"font": Path(args.font).stem, "units_per_em": 1000, "ascent": 928, "descent": 236,
                               "regular": regular, "bold": bold}, ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")
    print(f"{OUT}: {len(regular)} characters, regular and bold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
