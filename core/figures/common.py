"""Shared look and layout of every figure: colours, fonts, the canvas a figure is drawn on, its title and
source stamp, and margins that hold the figure's own labels.

Layout fits by construction: a builder is told its `Canvas` (the narrowest width in px it is drawn at
and the text scale, 1.4 in presentation mode), measures its labels (core/figures/text.py) and sets
margins, ranges, wraps and sizes so that every label lies inside the chart at that width and any wider
one. The same builder serves the page, the PNG export (the page's own figure) and the slide (drawn at
the slide image's width).
"""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from core import format as fmt
from core.figures import text as measure

# Sequential, lightness-monotonic (reads in greyscale and for colour-blind viewers).
RATE_COLORSCALE = "YlOrRd"
NO_DATA_FILL = "#f2f2f2"
CONTEXT_FILL = "#e3e3e3"
OUTLINE = "#4d4d4d"
# Okabe-Ito: distinguishable for the common forms of colour blindness.
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT_FAMILY = "Source Sans Pro, Source Sans, Arial, sans-serif"
TEXT_COLOR = "#1f1f1f"
STAMP_COLOR = "#595959"
BASE_SIZE = 14  # px: body text of a chart (ticks, labels) before the canvas's scale
TITLE_SIZE = 17
STAMP_SIZE = 12
EDGE = 10  # px kept free at the figure's left and right edges
TICK_LEN = 5


@dataclass(frozen=True)
class Canvas:
    """Where a figure is drawn: the narrowest width in px it gets, and the text scale."""
    width: int = 980
    scale: float = 1.0
    fixed: bool = False  # drawn at exactly `width` (a slide image, the printed brief): the figure says so

    def size(self, px: float) -> float:
        return round(px * self.scale, 1)

    @property
    def font(self) -> float:
        return self.size(BASE_SIZE)


def plain(text: object) -> str:
    """Text from the data or a user, shown as text in a chart: Plotly draws <a>, <b>, <br> and entities
    in labels, hover text and annotations as markup, so `<`, `>` and `&` are written as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rate_color(rate: float | None, ceiling: float) -> str:
    if rate is None or rate != rate:  # None or NaN
        return NO_DATA_FILL
    return sample_colorscale(RATE_COLORSCALE, [min(max(rate / ceiling, 0.0), 1.0)])[0]


def title_block(canvas: Canvas, title: str | None) -> tuple[str, float]:
    """The title wrapped to the canvas, and the height it takes at the top of the figure."""
    if not title:
        return "", 0.0
    size = canvas.size(TITLE_SIZE)
    wrapped = measure.wrapped(title, canvas.width - 2 * EDGE, size, bold=True)
    return wrapped, measure.height(wrapped, size) + canvas.size(10)


def bottom_axis(canvas: Canvas, title: str | None = None, tick_size: float | None = None) -> float:
    """Height in px below the plot that a bottom x axis takes: ticks, tick labels and its title."""
    tick = tick_size or canvas.font
    space = TICK_LEN + measure.height("0", tick) + 6
    if title:
        space += measure.height(title, canvas.font) + 8
    return space


def left_labels(canvas: Canvas, labels, tick_size: float | None = None) -> float:
    """Width in px left of the plot that horizontal y tick labels take."""
    tick = tick_size or canvas.font
    return max((measure.width(str(label), tick) for label in labels), default=0.0) + TICK_LEN + 8


LEGEND_SYMBOL = 46  # px a legend entry takes before its text (symbol and gap)
LEGEND_GAP = 14  # px between entries on a row


def legend_entry(canvas: Canvas, names) -> float:
    """The width in px every entry of a horizontal legend gets (the widest name's, so entries align)."""
    return max((measure.width(name, canvas.font) for name in names), default=0) + LEGEND_SYMBOL


def legend_height(canvas: Canvas, names, plot_width: float) -> float:
    """Height in px of a horizontal legend of `names`: Plotly wraps its entries (all `legend_entry` wide)
    within the plot's width."""
    names = list(names)
    if not names:
        return 0.0
    per_row = max(int(plot_width // (legend_entry(canvas, names) + LEGEND_GAP)), 1)
    rows = -(-len(names) // per_row)
    line = max(measure.height(name, canvas.font) for name in names)
    return rows * (line + 1.3 * canvas.font - measure.height("A", canvas.font) + 13) + 8  # Plotly's row pitch


def legend_below(canvas: Canvas, names, above: float, plot_height: float) -> dict:
    """A horizontal legend under the x axis (which takes `above` px), its entries as wide as the widest."""
    return dict(orientation="h", xref="paper", x=0, xanchor="left", yref="paper", y=-above / plot_height,
                yanchor="top", font=dict(size=canvas.font), itemwidth=30, entrywidthmode="pixels",
                entrywidth=legend_entry(canvas, list(names)) - 40)


def nice_step(span: float, plot_px: float, label_px: float) -> float:
    """A tick step (1, 2 or 5 times a power of ten) that leaves room between labels `label_px` wide."""
    most = max(int(plot_px // (label_px * 1.8)), 1)
    raw = span / most if span > 0 else 1
    power = 10 ** int(f"{raw:e}".split("e")[1])
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def base_layout(fig: go.Figure, canvas: Canvas, height: float, title: str | None = None,
                margin: dict | None = None, **kwargs) -> go.Figure:
    """Fonts, the title (wrapped, at the top left) and margins: `margin` is what the figure's own
    labels need around the plot; the title's height is added on top. A page's own settings win."""
    wrapped, title_height = title_block(canvas, title)
    margin = {"l": EDGE, "r": EDGE, "t": 10, "b": 10, **(margin or {})}
    margin["t"] += title_height
    # Margins exactly as measured: Plotly's automatic margins would move the plot under the title and stamp.
    layout = dict(height=round(height + title_height), font=dict(family=FONT_FAMILY, size=canvas.font, color=TEXT_COLOR),
                  margin={**{k: round(v) for k, v in margin.items()}, "autoexpand": False}, paper_bgcolor="white", plot_bgcolor="white",
                  hoverlabel=dict(font_size=canvas.size(15)), meta={"canvas": canvas.width, "scale": canvas.scale},
                  separators=fmt.separators())  # Plotly's own numbers (axis ticks) in the reader's conventions
    if wrapped:  # an annotation: Plotly's own title would move with automatic margins
        fig.add_annotation(text=wrapped, xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="top",
                           xshift=-(margin["l"] - EDGE), yshift=margin["t"] - canvas.size(6), showarrow=False,
                           align="left", font=dict(size=canvas.size(TITLE_SIZE), color=TEXT_COLOR, weight="bold"),
                           name="title")
    if canvas.fixed:
        layout["width"] = canvas.width
    fig.update_layout(**{**layout, **kwargs})
    return fig


def stamp(fig: go.Figure, canvas: Canvas, line: str) -> go.Figure:
    """The source and data date under the plot, wrapped to the canvas, so any export carries them.

    It goes below everything the figure's bottom margin holds; the margin grows by its height."""
    size = canvas.size(STAMP_SIZE)
    margin = fig.layout.margin
    left, bottom = (margin.l or 0), (margin.b or 0)
    wrapped = measure.wrapped(line, canvas.width - 2 * EDGE, size)
    fig.add_annotation(text=wrapped, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       xshift=-(left - EDGE), yshift=-bottom, showarrow=False, align="left",
                       font=dict(size=size, color=STAMP_COLOR), name="stamp")
    extra = measure.height(wrapped, size) + canvas.size(8)
    fig.update_layout(margin=dict(b=round(bottom + extra), autoexpand=False),
                      height=round((fig.layout.height or 450) + extra))
    return fig
