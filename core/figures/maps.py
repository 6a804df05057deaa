"""The offline country map both map figures share: outlines, island callouts, axes."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from core import geo
from core.figures.common import CONTEXT_FILL, OUTLINE


def country_shapes(values: pd.DataFrame, fills: Sequence[str], hovers: Sequence[str],
                   selected: Sequence[str] = ()) -> tuple[go.Figure, list[float], list[float]]:
    """Grey context, each country filled and hoverable, leader lines to the small islands' callouts.

    `values`: one row per country with iso3, lat, lon. Returns the figure and where each country's
    symbol goes (its point, or its callout position), in the order of `values`.
    """
    focus, context = geo.outlines()
    fig = go.Figure(go.Scatter(x=context.xs, y=context.ys, fill="toself", fillcolor=CONTEXT_FILL, mode="lines",
                               line=dict(color="#bdbdbd", width=0.6), hoverinfo="skip", name="context",
                               showlegend=False))
    for row, fill, hover in zip(values.itertuples(), fills, hovers):
        path = focus[row.iso3]
        chosen = row.iso3 in selected
        fig.add_trace(go.Scatter(
            x=path.xs, y=path.ys, fill="toself", fillcolor=fill, mode="lines",
            line=dict(color="#000" if chosen else OUTLINE, width=2.5 if chosen else 0.8),
            hoveron="fills", hoverinfo="text", text=hover, name=row.iso3, showlegend=False))
    callouts = geo.callout_positions()
    xs, ys = [], []
    leader_xs: list[float | None] = []
    leader_ys: list[float | None] = []
    for row in values.itertuples():
        if row.iso3 in callouts:
            cx, cy = callouts[row.iso3]
            leader_xs += [row.lon, cx, None]
            leader_ys += [row.lat, cy, None]
            xs.append(cx), ys.append(cy)
        else:
            xs.append(row.lon), ys.append(row.lat)
    if leader_xs:  # all leader lines in one trace: fewer traces, less for the browser to draw
        fig.add_trace(go.Scatter(x=leader_xs, y=leader_ys, mode="lines", hoverinfo="skip", connectgaps=False,
                                 line=dict(color="#7f7f7f", width=1), showlegend=False, name="leader"))
    return fig, xs, ys


def frame(fig: go.Figure, east_margin: float = 0.0) -> go.Figure:
    """The region's window with true proportions; no zoom or pan (a map, not a plot)."""
    fig.update_xaxes(range=(geo.X_RANGE[0], geo.X_RANGE[1] + east_margin), visible=False, fixedrange=True)
    fig.update_yaxes(range=geo.Y_RANGE, visible=False, scaleanchor="x", scaleratio=geo.ASPECT, fixedrange=True)
    return fig
