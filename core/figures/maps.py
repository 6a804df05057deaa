"""The offline country map both map figures share: outlines, labelled symbols, the list of small
islands beside the map, the colour scale; and the equal-tile map.

Every label is measured (core/figures/text.py) at the canvas's width: the map's window widens where a
label needs room, the list column is as wide as its longest entry, and the figure is as tall as the
map and the list need, so nothing is cut or overlaps at that width or any wider one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from core import geo
from core.figures import text as measure
from core.figures.common import CONTEXT_FILL, EDGE, OUTLINE, TEXT_COLOR, Canvas, base_layout

MARKER_TRACE = "countries"  # the clickable symbols: one point per country, customdata = iso3
LIST_TRACE = "islands"  # the list of small islands beside the map, customdata = iso3
MARKER = 16  # px: a labelled country's symbol
ISLAND_MARKER = 11  # px: a listed island's symbol on the map
TEXT_PAD = 4  # px between a symbol and its label (Plotly's own offset is about this)


@dataclass(frozen=True)
class Scale:
    """The colour scale of a map: its colours, top value, title and tick format."""
    colorscale: object
    cmax: float
    title: str
    tickprefix: str = ""
    tickformat: str = ""


def _outline_traces(fig: go.Figure, values: pd.DataFrame, fills, hovers, selected: Sequence[str]) -> None:
    focus, context = geo.outlines()
    fig.add_trace(go.Scatter(x=context.xs, y=context.ys, fill="toself", fillcolor=CONTEXT_FILL, mode="lines",
                             line=dict(color="#bdbdbd", width=0.6), hoverinfo="skip", name="context",
                             showlegend=False))
    for row, fill, hover in zip(values.itertuples(), fills, hovers):
        path = focus[row.iso3]
        chosen = row.iso3 in selected
        fig.add_trace(go.Scatter(
            x=path.xs, y=path.ys, fill="toself", fillcolor=fill, mode="lines",
            line=dict(color="#000" if chosen else OUTLINE, width=2.5 if chosen else 0.8),
            hoveron="fills", hoverinfo="text", text=hover, name=row.iso3, showlegend=False))


def _label_box(position: str, w: float, h: float, marker: float) -> tuple[float, float, float, float]:
    """The label's box around its symbol's centre, in px: (x0, y0, x1, y1), y up."""
    vertical, horizontal = position.split(" ")
    r = marker / 2 + TEXT_PAD
    x0 = {"left": -r - w, "center": -w / 2, "right": r}[horizontal]
    y0 = {"top": r, "middle": -h / 2, "bottom": -r - h}[vertical]
    return x0, y0, x0 + w, y0 + h


def _symbol_box(size: float) -> tuple[float, float, float, float]:
    r = size / 2 + 1
    return -r, -r, r, r


CANDIDATES = ("middle right", "middle left", "top center", "bottom center", "top right", "top left", "bottom right",
              "bottom left")


def _at(lon: float, lat: float, box: tuple, window: tuple, px: float) -> tuple[float, float, float, float]:
    """`box` (around a point) placed at (lon, lat): px from the window's south-west corner, y up."""
    (x0, _), (y0, _) = window
    cx, cy = (lon - x0) * px, (lat - y0) * px * geo.ASPECT
    return cx + box[0], cy + box[1], cx + box[2], cy + box[3]


def _overlap(a: tuple, b: tuple, gap: float = 2.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _window(items: list[tuple[float, float, tuple]], map_width: float) -> tuple[tuple, tuple, float]:
    """The smallest window holding the region and every box, and its scale in px per degree of longitude.

    `items`: (lon, lat, box around the point in px). The scale depends on the window and the window on the
    scale, so a few rounds settle it (the window only grows)."""
    x0, x1 = geo.X_RANGE
    y0, y1 = geo.Y_RANGE
    for _ in range(10):
        px = map_width / (x1 - x0)  # width-limited: the narrowest canvas is the binding case
        py = px * geo.ASPECT  # px per degree of latitude (the y axis's scaleratio)
        nx0 = min([x0] + [lon + box[0] / px for lon, lat, box in items])
        nx1 = max([x1] + [lon + box[2] / px for lon, lat, box in items])
        ny0 = min([y0] + [lat + box[1] / py for lon, lat, box in items])
        ny1 = max([y1] + [lat + box[3] / py for lon, lat, box in items])
        if (nx0, nx1, ny0, ny1) == (x0, x1, y0, y1):
            break
        x0, x1, y0, y1 = nx0, nx1, ny0, ny1
    return (x0, x1), (y0, y1), map_width / (x1 - x0)


def _place_labels(rows: list, sizes: list[tuple[float, float]], symbols: list, marker: float,
                  map_width: float) -> tuple[list[str], tuple, tuple, float]:
    """Each label's position beside its symbol, so that no label touches another label or any symbol.

    A backtracking search over the candidate positions (each label's preferred one first) in the window
    the labels need; the window is then recomputed and the search repeated until both agree.
    `symbols`: (lon, lat, box) of every symbol. Returns the positions and the window that holds them."""
    positions = [geo.LABEL_POSITION.get(row.iso3, "middle right") for row in rows]

    def items(chosen: list[str]) -> list:
        return [(row.lon, row.lat, _label_box(pos, w, h, marker)) for row, pos, (w, h)
                in zip(rows, chosen, sizes)] + symbols

    for _ in range(4):
        xr, yr, px = _window(items(positions), map_width)
        window = (xr, yr)
        fixed = [_at(lon, lat, box, window, px) for lon, lat, box in symbols]
        options = [[(c, _at(row.lon, row.lat, _label_box(c, *size, marker), window, px))
                    for c in [geo.LABEL_POSITION.get(row.iso3, "middle right")]
                    + [c for c in CANDIDATES if c != geo.LABEL_POSITION.get(row.iso3, "middle right")]]
                   for row, size in zip(rows, sizes)]
        options = [[(c, b) for c, b in opts if not any(_overlap(b, f) for f in fixed)] or opts for opts in options]
        found = _search(options, [], budget=[20000]) or _least_overlap(options)
        if found == positions:
            break
        positions = found
    xr, yr, px = _window(items(positions), map_width)
    return positions, xr, yr, px


def _least_overlap(options: list) -> list[str]:
    """When no placement leaves every label free: each label in turn where it touches the fewest others."""
    chosen = [opts[0] for opts in options]
    for _ in range(6):
        for i, opts in enumerate(options):
            others = [box for j, (_, box) in enumerate(chosen) if j != i]
            chosen[i] = min(opts, key=lambda option: sum(_overlap(option[1], other) for other in others))
    return [c for c, _ in chosen]


def _search(options: list, placed: list, budget: list) -> list[str] | None:
    """Depth-first: the first assignment in preference order in which no two labels touch."""
    if len(placed) == len(options):
        return [c for c, _ in placed]
    budget[0] -= 1
    if budget[0] < 0:
        return None
    for candidate, box in options[len(placed)]:
        if not any(_overlap(box, other) for _, other in placed):
            found = _search(options, placed + [(candidate, box)], budget)
            if found is not None:
                return found
    return None


def _colorbar(scale: Scale, canvas: Canvas, length: float) -> dict:
    return dict(title=dict(text=scale.title, side="top", font=dict(size=canvas.font)), thickness=canvas.size(12),
                len=length, lenmode="pixels", orientation="h", x=0, xanchor="left", y=1, yanchor="bottom",
                ypad=canvas.size(6), xpad=0, tickprefix=scale.tickprefix, tickformat=scale.tickformat,
                tickfont=dict(size=canvas.font), outlinewidth=0)


def colorbar_height(canvas: Canvas) -> float:
    """The px a horizontal colour bar with its title and ticks takes above the plot."""
    return measure.height("Ag", canvas.font) * 2 + canvas.size(12) + canvas.size(6) + 5 + canvas.size(14)


def country_map(values: pd.DataFrame, fills: Sequence[str], hovers: Sequence[str], names: Sequence[str],
                value_texts: Sequence[str], marker_values: Sequence[float], scale: Scale, canvas: Canvas,
                title: str | None = None, selected: Sequence[str] = ()) -> go.Figure:
    """Countries filled on the shipped outlines, the larger ones labelled beside their symbol, the small
    islands listed north to south in a column at the right, each entry with its symbol, name and value.

    `values`: one row per country (iso3, name, lat, lon), in the order of the other sequences.
    `names`/`value_texts`: the two lines of each country's label; `marker_values`: the colour scale's values.
    """
    font = canvas.font
    listed = [i for i, iso3 in enumerate(values["iso3"]) if iso3 in geo.LISTED_ISO3]
    listed.sort(key=lambda i: geo.LISTED_ISO3.index(values["iso3"].iloc[i]))
    labelled = [i for i in range(len(values)) if i not in listed]
    label = [f"{n}<br>{v}" for n, v in zip(names, value_texts)]
    marker = canvas.size(MARKER)
    gap = canvas.size(14)
    list_width = max((measure.width(label[i], font) for i in listed), default=0) + marker + TEXT_PAD + 6
    plot_width = canvas.width - 2 * EDGE
    map_width = plot_width - (list_width + gap if listed else 0)

    labelled_rows = [values.iloc[i] for i in labelled]
    sizes = [(measure.width(label[i], font), measure.height(label[i], font)) for i in labelled]
    # Every symbol is an obstacle for the labels (and must fit the window too).
    symbols = [(values.iloc[i].lon, values.iloc[i].lat,
                _symbol_box(marker if i in labelled else canvas.size(ISLAND_MARKER))) for i in range(len(values))]
    placed, (x0, x1), (y0, y1), px = _place_labels(labelled_rows, sizes, symbols, marker, map_width)
    position = dict(zip([r.iso3 for r in labelled_rows], placed))
    map_height = (y1 - y0) * px * geo.ASPECT
    row_height = measure.height("Ag<br>Ag", font) + canvas.size(10)
    plot_height = max(map_height, row_height * len(listed))

    fig = go.Figure()
    _outline_traces(fig, values, fills, hovers, selected)
    sel = set(selected)
    fig.add_trace(go.Scatter(
        x=values["lon"], y=values["lat"], mode="markers+text", name=MARKER_TRACE, customdata=values["iso3"],
        text=[label[i] if i in labelled else "" for i in range(len(values))],
        textposition=[position.get(iso3, "middle right") for iso3 in values["iso3"]],
        textfont=dict(size=font, color=TEXT_COLOR), hovertext=list(hovers), hoverinfo="text", cliponaxis=False,
        marker=dict(size=[marker if i in labelled else canvas.size(ISLAND_MARKER) for i in range(len(values))],
                    color=list(marker_values), cmin=0, cmax=scale.cmax, colorscale=scale.colorscale,
                    line=dict(color=["#000" if iso in sel else OUTLINE for iso in values["iso3"]],
                              width=[4 if iso in sel else 1.5 for iso in values["iso3"]]),
                    colorbar=_colorbar(scale, canvas, min(canvas.size(260), map_width)), showscale=True),
        showlegend=False))
    fig.update_xaxes(range=(x0, x1), visible=False, fixedrange=True, domain=(0, map_width / plot_width),
                     constrain="domain", constraintoward="left")
    fig.update_yaxes(range=(y0, y1), visible=False, scaleanchor="x", scaleratio=geo.ASPECT, fixedrange=True,
                     constrain="domain", constraintoward="top")
    if listed:
        rows = values.iloc[listed]
        fig.add_trace(go.Scatter(
            x=[marker / 2 + 1] * len(listed), y=[k + 0.5 for k in range(len(listed))], xaxis="x2", yaxis="y2",
            mode="markers+text", name=LIST_TRACE, customdata=rows["iso3"], text=[label[i] for i in listed],
            textposition="middle right", textfont=dict(size=font, color=TEXT_COLOR), cliponaxis=False,
            hovertext=[hovers[i] for i in listed], hoverinfo="text",
            marker=dict(size=marker, color=[marker_values[i] for i in listed], cmin=0, cmax=scale.cmax,
                        colorscale=scale.colorscale,
                        line=dict(color=["#000" if iso in sel else OUTLINE for iso in rows["iso3"]],
                                  width=[4 if iso in sel else 1.5 for iso in rows["iso3"]])),
            showlegend=False))
        fig.update_layout(
            xaxis2=dict(domain=(1 - list_width / plot_width, 1), range=(0, list_width), visible=False,
                        fixedrange=True, anchor="y2"),
            yaxis2=dict(domain=(0, 1), range=(max(len(listed), plot_height / row_height), 0), visible=False,
                        fixedrange=True, anchor="x2"))
    top = colorbar_height(canvas)
    return base_layout(fig, canvas, plot_height + top + 10, title=title, margin=dict(t=top, b=10),
                       dragmode=False, clickmode="event+select")


def tile_map(values: pd.DataFrame, fills: Sequence[str], hovers: Sequence[str], names: Sequence[str],
             value_texts: Sequence[str], marker_values: Sequence[float], scale: Scale, canvas: Canvas,
             title: str | None = None, selected: Sequence[str] = (), dark: Sequence[bool] = ()) -> go.Figure:
    """Equal-size tiles, one per country, so that Montserrat counts as much as Guyana; each tile holds
    the country's name (wrapped to the tile) and its value."""
    font = canvas.font
    plot_width = canvas.width - 2 * EDGE
    tile = plot_width / geo.TILE_COLUMNS
    inner = tile * 0.92 - canvas.size(8)
    labels = [measure.wrapped(n, inner, font, bold=True).replace("<br>", "</b><br><b>") for n in names]
    labels = [f"<b>{n}</b><br>{v}" for n, v in zip(labels, value_texts)]
    needed = max(measure.height(lab, font) for lab in labels) + canvas.size(10)
    tile_height = max(tile * 0.75, needed / 0.92)
    fig = go.Figure()
    sel = set(selected)
    for row, fill, hover in zip(values.itertuples(), fills, hovers):
        col, r = geo.TILE_GRID[row.iso3]
        x, y = col + 0.5, -(r + 0.5)
        chosen = row.iso3 in sel
        fig.add_trace(go.Scatter(
            x=[x - .46, x + .46, x + .46, x - .46, x - .46], y=[y - .46, y - .46, y + .46, y + .46, y - .46],
            fill="toself", fillcolor=fill, mode="lines", hoveron="fills", hoverinfo="text", text=hover,
            line=dict(color="#000" if chosen else "white", width=4 if chosen else 1), name=row.iso3, showlegend=False))
    cells = [geo.TILE_GRID[iso3] for iso3 in values["iso3"]]
    fig.add_trace(go.Scatter(
        x=[c + 0.5 for c, r in cells], y=[-(r + 0.5) for c, r in cells], mode="markers+text", name=MARKER_TRACE,
        customdata=values["iso3"], text=labels, textposition="middle center", hovertext=list(hovers),
        hoverinfo="text", textfont=dict(size=font, color=["white" if d else TEXT_COLOR for d in dark] or TEXT_COLOR),
        marker=dict(size=canvas.size(40), opacity=0.01, color=list(marker_values), cmin=0, cmax=scale.cmax,
                    colorscale=scale.colorscale, showscale=True,
                    colorbar=_colorbar(scale, canvas, min(canvas.size(260), plot_width))),
        showlegend=False))
    fig.update_xaxes(range=(0, geo.TILE_COLUMNS), visible=False, fixedrange=True, domain=(0, 1))
    fig.update_yaxes(range=(-geo.TILE_ROWS, 0), visible=False, fixedrange=True)
    top = colorbar_height(canvas)
    return base_layout(fig, canvas, tile_height * geo.TILE_ROWS + top + 10, title=title, margin=dict(t=top, b=10),
                       dragmode=False, clickmode="event+select")
