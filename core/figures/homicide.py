"""Figure builders for the homicide page: pure functions of DataFrames, no Streamlit."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import geo
from core.figures import maps
from core.figures.common import (CATEGORICAL, NO_DATA_FILL, OUTLINE, RATE_COLORSCALE, base_layout, rate_color,
                                 text_is_data)
from core.strings import t

MARKER_TRACE = "countries"  # name of the clickable trace: one point per country, customdata = iso3


def value_label(row, with_name: bool = True) -> str:
    """'Jamaica 53.1' / 'Montserrat 0.0 (2018)' for an older value / 'Haiti: no data'."""
    short = geo.SHORT_NAMES.get(row.iso3, row.name)
    name = f"{short} " if with_name else ""
    if pd.isna(row.rate_per_100k):
        return t("homicide_chart.name_no_data", name=short) if with_name else t("homicide_chart.no_data")
    label = f"{name}{row.rate_per_100k:.1f}"
    return label if row.is_current else f"{label} ({int(row.value_year)})"


def _hover(row, year: int) -> str:
    if pd.isna(row.rate_per_100k):
        return t("homicide_chart.hover_no_value", name=row.name, year=year)
    when = (f"{int(row.value_year)}" if row.is_current
            else t("homicide_chart.latest_before", value_year=int(row.value_year), year=year))
    return t("homicide_chart.hover", name=row.name, rate=row.rate_per_100k, when=when)


def _marker_trace(values: pd.DataFrame, xs, ys, ceiling: float, year: int, size: int,
                  textposition="middle right", selected: str | None = None) -> go.Scatter:
    return go.Scatter(
        x=xs, y=ys, mode="markers+text", name=MARKER_TRACE,
        customdata=values["iso3"], text=[value_label(r) for r in values.itertuples()],
        textposition=textposition, textfont=dict(size=15),
        hovertext=[_hover(r, year) for r in values.itertuples()], hoverinfo="text",
        marker=dict(
            size=size, color=values["rate_per_100k"].fillna(-1), cmin=0, cmax=ceiling,
            colorscale=[[0, NO_DATA_FILL], [1e-9, NO_DATA_FILL]] if values["rate_per_100k"].isna().all()
            else RATE_COLORSCALE,
            symbol=["circle" if c else "circle-dot" for c in values["is_current"]],
            line=dict(color=[("#000" if iso == selected else OUTLINE) for iso in values["iso3"]],
                      width=[(4 if iso == selected else 1.5) for iso in values["iso3"]]),
            colorbar=dict(title=dict(text=t("homicide_chart.per_100k"), side="top"), thickness=14, len=0.36,
                          orientation="h", x=0.98, xanchor="right", y=0.98, yanchor="top"),
            showscale=True,
        ),
        showlegend=False,
    )


@text_is_data
def rate_map(values: pd.DataFrame, year: int, ceiling: float, selected: str | None = None,
             height: int = 640, east_margin: float = 0.0) -> go.Figure:
    """Choropleth of the 16 countries on shipped outlines; small islands get a symbol and callout.

    `values`: one row per country (iso3, name, lat, lon, rate_per_100k, value_year, is_current).
    """
    fig, xs, ys = maps.country_shapes(values, [rate_color(r, ceiling) for r in values["rate_per_100k"]],
                                      [_hover(r, year) for r in values.itertuples()], [selected] if selected else [])
    positions = [geo.LABEL_POSITION.get(iso3, "middle right") for iso3 in values["iso3"]]
    fig.add_trace(_marker_trace(values, xs, ys, ceiling, year, size=18, textposition=positions, selected=selected))
    return base_layout(maps.frame(fig, east_margin), height, dragmode=False, clickmode="event+select")


@text_is_data
def tile_map(values: pd.DataFrame, year: int, ceiling: float, selected: str | None = None,
             height: int = 640) -> go.Figure:
    """Equal-size tiles, one per country, so that Montserrat counts as much as Guyana."""
    fig = go.Figure()
    xs, ys = [], []
    for row in values.itertuples():
        col, r = geo.TILE_GRID[row.iso3]
        x0, y0 = col, -r
        fig.add_trace(go.Scatter(
            x=[x0 - .46, x0 + .46, x0 + .46, x0 - .46, x0 - .46], y=[y0 - .46, y0 - .46, y0 + .46, y0 + .46, y0 - .46],
            fill="toself", fillcolor=rate_color(row.rate_per_100k, ceiling), mode="lines",
            line=dict(color="#000" if row.iso3 == selected else "white", width=4 if row.iso3 == selected else 1),
            hoveron="fills", hoverinfo="text", text=_hover(row, year), name=row.iso3, showlegend=False))
        xs.append(x0), ys.append(y0)
    marker = _marker_trace(values, xs, ys, ceiling, year, size=2, textposition="middle center")
    marker.text = [f"<b>{r.iso3}</b><br>{value_label(r, with_name=False)}" for r in values.itertuples()]
    marker.textfont = dict(size=15, color=["white" if (r.rate_per_100k or 0) > ceiling * .55 else "#1f1f1f"
                                           for r in values.itertuples()])
    marker.marker.size = 60
    marker.marker.opacity = 0.01
    fig.add_trace(marker)
    fig.update_xaxes(range=[-0.6, 8.6], visible=False, fixedrange=True)
    fig.update_yaxes(range=[-7.6, 0.6], visible=False, scaleanchor="x", fixedrange=True)
    return base_layout(fig, height, dragmode=False, clickmode="event+select")


@text_is_data
def ranking_bars(values: pd.DataFrame, year: int, ceiling: float, height: int = 640) -> go.Figure:
    """Countries ranked by rate, highest on top; older values say their year, no-data rows say so."""
    ranked = values.sort_values("rate_per_100k", ascending=True, na_position="first")
    fig = go.Figure(go.Bar(
        x=ranked["rate_per_100k"].fillna(0), y=ranked["name"], orientation="h",
        marker=dict(color=[rate_color(v, ceiling) for v in ranked["rate_per_100k"]], line=dict(color=OUTLINE, width=.6)),
        text=[value_label(r, with_name=False) for r in ranked.itertuples()], textposition="outside",
        cliponaxis=False, customdata=ranked["iso3"], hoverinfo="text",
        hovertext=[_hover(r, year) for r in ranked.itertuples()], name="rank",
    ))
    fig.update_xaxes(title=t("homicide_chart.per_100k_population"), range=[0, ceiling * 1.15], gridcolor="#eee")
    fig.update_yaxes(automargin=True, tickfont=dict(size=15, color="#1f1f1f"))
    return base_layout(fig, height, bargap=0.25, title=dict(text=t("homicide_chart.ranking", year=year), x=0),
                       margin=dict(l=10, r=10, t=40, b=55))


@text_is_data
def trend_lines(series: pd.DataFrame, benchmarks: pd.DataFrame, primary_source: str,
                height: int = 480, width: int | None = None) -> go.Figure:
    """Country series from the primary source, other sources as markers, benchmark areas dashed."""
    fig = go.Figure()
    dated = series.dropna(subset=["year"])
    for i, (name, group) in enumerate(dated.groupby("name", sort=True)):
        color = CATEGORICAL[i % len(CATEGORICAL)]
        main = group[group["source_id"] == primary_source]
        fig.add_trace(go.Scatter(x=main["year"], y=main["rate_per_100k"], mode="lines+markers", name=name,
                                 line=dict(color=color, width=3), marker=dict(size=6),
                                 hovertemplate=f"{name} %{{x}}: %{{y:.1f}}<extra>{main['source_title'].iloc[0] if len(main) else ''}</extra>"))
        others = group[group["source_id"] != primary_source]
        if len(others):
            fig.add_trace(go.Scatter(
                x=others["year"], y=others["rate_per_100k"], mode="markers", name=t("homicide_chart.quoted", name=name),
                marker=dict(symbol="diamond", size=13, color=color, line=dict(color="black", width=1.5)),
                text=others["source_title"], hovertemplate=f"{name} %{{x}}: %{{y:.1f}}<br>%{{text}}<extra></extra>"))
    for area, dash in (("World", "dash"), ("Latin America and the Caribbean", "dot")):
        bench = benchmarks[(benchmarks["area"] == area) & (benchmarks["source_id"] == primary_source)]
        if len(bench):
            fig.add_trace(go.Scatter(x=bench["year"], y=bench["rate_per_100k"], mode="lines", name=area,
                                     line=dict(color="#555", width=2.5, dash=dash),
                                     hovertemplate=f"{area} %{{x}}: %{{y:.1f}}<extra></extra>"))
    fig.update_xaxes(title=t("homicide_chart.year"), gridcolor="#eee", dtick=5)
    fig.update_yaxes(title=t("homicide_chart.per_100k"), gridcolor="#eee", rangemode="tozero")
    # Legend above the plot and a bottom margin that holds the axis title: the source stamp goes below it.
    return base_layout(fig, height, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                       hovermode="closest", margin=dict(l=10, r=10, t=60, b=55), width=width)
