"""Figure builders for the homicide page: pure functions of DataFrames, no Streamlit.

Each takes the `Canvas` it is drawn on and leaves room for its own labels there (core/figures/common.py).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import format as fmt
from core import geo
from core.figures import maps
from core.figures import text as measure
from core.figures.common import (CATEGORICAL, EDGE, OUTLINE, RATE_COLORSCALE, TEXT_COLOR, Canvas, base_layout,
                                 bottom_axis, left_labels, legend_below, legend_height, nice_step, plain, rate_color)
from core.strings import t

MARKER_TRACE = maps.MARKER_TRACE  # the clickable symbols, customdata = iso3 (the list of islands too)
CLICKABLE = (maps.MARKER_TRACE, maps.LIST_TRACE)


def area_name(area: str) -> str:
    """A benchmark area (stored as UNODC names it) in the reader's words."""
    return {"World": t("homicide_chart.area_world"),
            "Latin America and the Caribbean": t("homicide_chart.area_lac")}.get(area, area)


def value_text(row) -> str:
    """'53.1' / '0.0 (2018)' for an older value / 'no data'."""
    if pd.isna(row.rate_per_100k):
        return t("homicide_chart.no_data")
    return fmt.rate_in_year(row.rate_per_100k, row.value_year, bool(row.is_current))


def value_label(row, with_name: bool = True) -> str:
    """'Jamaica 53.1' / 'Montserrat 0.0 (2018)' for an older value / 'Haiti: no data'."""
    short = geo.short_name(row.iso3, row.name)
    if pd.isna(row.rate_per_100k):
        return t("homicide_chart.name_no_data", name=short) if with_name else t("homicide_chart.no_data")
    return f"{short} {value_text(row)}" if with_name else value_text(row)


def _hover(row, year: int) -> str:
    name = plain(row.name)
    if pd.isna(row.rate_per_100k):
        return t("homicide_chart.hover_no_value", name=name, year=year)
    when = (fmt.year(row.value_year) if row.is_current
            else t("homicide_chart.latest_before", value_year=int(row.value_year), year=year))
    text = t("homicide_chart.hover", name=name, rate=fmt.rate(row.rate_per_100k), when=when)
    source = getattr(row, "source_label", None)
    return text + "<br>" + t("homicide_chart.hover_source", source=plain(source)) if isinstance(source, str) else text


def _scale(ceiling: float, canvas: Canvas) -> maps.Scale:
    return maps.Scale(RATE_COLORSCALE, ceiling, t("homicide_chart.per_100k"))


def rate_map(values: pd.DataFrame, year: int, ceiling: float, selected: str | None = None,
             canvas: Canvas = Canvas()) -> go.Figure:
    """Choropleth of the 16 countries on shipped outlines; the small islands listed beside the map.

    `values`: one row per country (iso3, name, lat, lon, rate_per_100k, value_year, is_current).
    """
    rows = list(values.itertuples())
    return maps.country_map(
        values, [rate_color(r.rate_per_100k, ceiling) for r in rows], [_hover(r, year) for r in rows],
        [plain(geo.short_name(r.iso3, r.name)) for r in rows], [value_text(r) for r in rows],
        list(values["rate_per_100k"].fillna(-1)), _scale(ceiling, canvas), canvas,
        title=t("homicide_chart.map_title", year=year), selected=[selected] if selected else [])


def tile_map(values: pd.DataFrame, year: int, ceiling: float, selected: str | None = None,
             canvas: Canvas = Canvas()) -> go.Figure:
    """Equal-size tiles, one per country, so that Montserrat counts as much as Guyana."""
    rows = list(values.itertuples())
    return maps.tile_map(
        values, [rate_color(r.rate_per_100k, ceiling) for r in rows], [_hover(r, year) for r in rows],
        [plain(geo.short_name(r.iso3, r.name)) for r in rows], [value_text(r) for r in rows],
        list(values["rate_per_100k"].fillna(-1)), _scale(ceiling, canvas), canvas,
        title=t("homicide_chart.map_title", year=year), selected=[selected] if selected else [],
        dark=[(r.rate_per_100k or 0) > ceiling * .55 for r in rows])


def ranking_bars(values: pd.DataFrame, year: int, ceiling: float, canvas: Canvas = Canvas(480)) -> go.Figure:
    """Countries ranked by rate, highest on top; older values say their year, no-data rows say so."""
    ranked = values.sort_values("rate_per_100k", ascending=True, na_position="first")
    font = canvas.font
    names = [plain(geo.short_name(r.iso3, r.name)) for r in ranked.itertuples()]
    texts = [value_label(r, with_name=False) for r in ranked.itertuples()]
    left = left_labels(canvas, names)
    axis_title = t("homicide_chart.per_100k_population")
    label_room = max(measure.width(x, font) for x in texts) + 8
    plot = canvas.width - EDGE - left - EDGE
    # The longest bar's label must end inside the figure: the axis reaches far enough past the top value.
    top = max(float(ranked["rate_per_100k"].max()) if ranked["rate_per_100k"].notna().any() else 1.0, 1.0)
    reach = top * plot / max(plot - label_room, plot * 0.35)
    fig = go.Figure(go.Bar(
        x=ranked["rate_per_100k"].fillna(0), y=names, orientation="h",
        marker=dict(color=[rate_color(v, ceiling) for v in ranked["rate_per_100k"]], line=dict(color=OUTLINE, width=.6)),
        text=texts, textposition="outside", cliponaxis=False, customdata=ranked["iso3"], hoverinfo="text",
        textfont=dict(size=font, color=TEXT_COLOR),
        hovertext=[_hover(r, year) for r in ranked.itertuples()], name="rank"))
    axis_title = measure.wrapped(axis_title, plot, font)
    fig.update_xaxes(title=dict(text=axis_title, standoff=6), range=[0, reach],
                     gridcolor="#eee", tickfont=dict(size=font), automargin=False, nticks=5)
    fig.update_yaxes(tickfont=dict(size=font, color=TEXT_COLOR), automargin=False)
    bar = max(font * 1.5, 22)
    return base_layout(fig, canvas, bar * len(ranked) + bottom_axis(canvas, axis_title) + 10,
                       title=t("homicide_chart.ranking", year=year),
                       margin=dict(l=left, r=EDGE, t=6, b=bottom_axis(canvas, axis_title)), bargap=0.25)


def trend_lines(series: pd.DataFrame, benchmarks: pd.DataFrame, since: int | None = None,
                canvas: Canvas = Canvas(), height: float = 400) -> go.Figure:
    """Country lines from the series shown (`role` 'series': its newest edition per year, whatever edition each
    value comes from), figures quoted in documents as markers, the benchmark areas dashed (`benchmarks`: the
    series' own, as queries.homicide_benchmarks resolves them). Other data sets are not drawn: the table lists them.

    `since`: the first year shown. The legend sits below the plot."""
    fig = go.Figure()
    dated = series.dropna(subset=["year"])
    bench = benchmarks
    if since is not None:
        dated, bench = dated[dated["year"] >= since], benchmarks[benchmarks["year"] >= since]
    font = canvas.font
    entries: list[str] = []
    for i, (name, group) in enumerate(dated.groupby("name", sort=True)):
        color = CATEGORICAL[i % len(CATEGORICAL)]
        shown = plain(name)
        main = group[group["role"] == "series"]
        fig.add_trace(go.Scatter(x=main["year"], y=main["rate_per_100k"], mode="lines+markers", name=shown,
                                 line=dict(color=color, width=3), marker=dict(size=6), hoverinfo="text",
                                 hovertext=[f"{shown} {int(y)}: {fmt.rate(v)}<br>{plain(src)}" for y, v, src
                                            in zip(main["year"], main["rate_per_100k"], main["source_label"])]))
        entries.append(shown)
        others = group[group["role"] == "document"]
        if len(others):
            quoted = t("homicide_chart.quoted", name=shown)
            fig.add_trace(go.Scatter(
                x=others["year"], y=others["rate_per_100k"], mode="markers", name=quoted,
                marker=dict(symbol="diamond", size=13, color=color, line=dict(color="black", width=1.5)),
                hoverinfo="text", hovertext=[f"{shown} {int(y)}: {fmt.rate(v)}<br>{plain(s)}" for y, v, s
                                             in zip(others["year"], others["rate_per_100k"], others["source_title"])]))
            entries.append(quoted)
    for area, dash in (("World", "dash"), ("Latin America and the Caribbean", "dot")):
        rows = bench[bench["area"] == area]
        if len(rows):
            label = area_name(area)
            fig.add_trace(go.Scatter(x=rows["year"], y=rows["rate_per_100k"], mode="lines", name=label,
                                     line=dict(color="#555", width=2.5, dash=dash), hoverinfo="text",
                                     hovertext=[f"{label} {int(y)}: {fmt.rate(v)}<br>{plain(src)}" for y, v, src
                                                in zip(rows["year"], rows["rate_per_100k"], rows["source_label"])]))
            entries.append(label)
    for trace in fig.data:
        trace.name = measure.shorten(trace.name, canvas.width - 2 * EDGE - 60, font)
    axis_x = t("homicide_chart.year")
    axis = bottom_axis(canvas, axis_x)
    # The y axis title runs along the plot's height: wrapped to it (a short chart, a longer language).
    axis_y = measure.wrapped(t("homicide_chart.per_100k"), height - 10 - axis, font)
    left = left_labels(canvas, ["100.0"]) + measure.height(axis_y, font) + 6
    plot_width = canvas.width - left - EDGE
    years = dated["year"].dropna()
    span = (years.max() - years.min()) if len(years) else 10
    legend = legend_height(canvas, [trace.name for trace in fig.data], plot_width)
    fig.update_xaxes(title=dict(text=axis_x, standoff=6), gridcolor="#eee", tickformat="d", tickangle=0,
                     dtick=max(nice_step(span, plot_width, measure.width("2020", font)), 1),
                     tickfont=dict(size=font), automargin=False)
    fig.update_yaxes(title=dict(text=axis_y, standoff=6), gridcolor="#eee", rangemode="tozero",
                     tickfont=dict(size=font), automargin=False)
    return base_layout(fig, canvas, height + legend, title=t("homicide_chart.trends_title"),
                       margin=dict(l=left, r=EDGE, t=10, b=axis + legend),
                       legend=legend_below(canvas, [trace.name for trace in fig.data], axis, height - 10 - axis),
                       hovermode="closest")
