"""Figure builders for the donor-projects page: pure functions of DataFrames, no Streamlit.

Each takes the `Canvas` it is drawn on and leaves room for its own labels there (core/figures/common.py).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from core import format as fmt
from core import partners
from core import geo
from core.figures import maps
from core.figures import text as measure
from core.figures.common import (CATEGORICAL, EDGE, NO_DATA_FILL, TEXT_COLOR, Canvas, base_layout, bottom_axis,
                                 legend_below, legend_height, nice_step, plain)
from core.projects import NOT_STATED, euro
from core.strings import t

MARKER_TRACE = maps.MARKER_TRACE  # the clickable symbols: one point per country, customdata = iso3
# Sequential and lightness-monotonic; starts above white so that a real zero still shows as land.
COLORSCALE = [[0, "#eef4fa"], [0.5, "#6baed6"], [1, "#08306b"]]
NOT_STATED_COLOR = "#9e9e9e"


def map_value_column(metric: str, split: bool) -> str:
    return "n_projects" if metric == "count" else ("funding_split" if split else "funding_full")


def _map_value(row, metric: str, value) -> str:
    """'25' / '€24.9M' / '–' (projects, none stating an amount) / 'none'; the count of projects with no
    stated figure is in the hover and the table beside the map."""
    if metric == "count":
        return fmt.count(row.n_projects)
    if row.n_projects == 0:
        return t("projects_chart.map_none_value")
    return "–" if pd.isna(value) else euro(value)


def _map_hover(row, split: bool) -> str:
    funding = euro(row.funding_split if split else row.funding_full)
    return t("projects_chart.map_hover_split" if split else "projects_chart.map_hover_full", name=plain(row.name),
             n=fmt.count(row.n_projects), funding=funding, n_none=fmt.count(row.n_no_funding))


def project_map(values: pd.DataFrame, metric: str = "count", split: bool = False,
                selected: tuple[str, ...] = (), canvas: Canvas = Canvas()) -> go.Figure:
    """Projects or stated funding per country on the shipped outlines; the small islands listed beside it.

    `values`: one row per country (iso3, name, lat, lon, n_projects, funding_full, funding_split,
    n_no_funding). `metric`: 'count' or 'funding'; `split` picks the even split of each amount.
    """
    column = map_value_column(metric, split)
    raw = values[column].astype(float)
    ceiling = max(float(raw.max()) if raw.notna().any() else 0.0, 1.0)
    fills = [NO_DATA_FILL if pd.isna(v) else sample_colorscale(COLORSCALE, [v / ceiling])[0] for v in raw]
    legend = (t("projects_chart.projects") if metric == "count"
              else t("projects_chart.funding_split" if split else "projects_chart.funding_full"))
    scale = maps.Scale(COLORSCALE, ceiling, legend, tickprefix="" if metric == "count" else "€",
                       tickformat="" if metric == "count" else "~s")
    rows = list(values.itertuples())
    title = t("projects_chart.map_title_count") if metric == "count" else legend[:1].upper() + legend[1:]
    return maps.country_map(values, fills, [_map_hover(r, split) for r in rows],
                            [plain(geo.short_name(r.iso3, r.name)) for r in rows],
                            [_map_value(r, metric, v) for r, v in zip(rows, raw)], list(raw.fillna(-1)), scale,
                            canvas, title=title, selected=selected)


def donor_name(label: str) -> str:
    """A donor as the charts show it (core/partners.py)."""
    return partners.display_name(label)


def donor_colors(labels: list[str]) -> dict[str, str]:
    """Okabe-Ito colours by donor in a stable order; 'Not stated' always grey."""
    named = sorted({label for label in labels if label != NOT_STATED})
    colors = {label: CATEGORICAL[i % len(CATEGORICAL)] for i, label in enumerate(named)}
    colors[NOT_STATED] = NOT_STATED_COLOR
    return colors


def timeline(rows: pd.DataFrame, today: dt.date, canvas: Canvas = Canvas()) -> go.Figure:
    """Gantt of execution periods coloured by donor; ongoing projects run to today (hatched).

    `rows`: projects with a period (project_id, name, donor_label, start_date, shown_end,
    period_status, period_text), drawn top to bottom in the given order.
    """
    font = canvas.font
    rows = rows.assign(donor_label=rows["donor_label"].fillna(NOT_STATED))
    label_room = canvas.width * 0.34
    labels = [measure.shorten(f"{r.project_id}  {plain(r.name)}", label_room, font) for r in rows.itertuples()]
    colors = donor_colors(list(rows["donor_label"]))
    legend_names = {d: measure.shorten(plain(donor_name(d)), canvas.width * 0.18, font) for d in colors}
    fig = go.Figure()
    in_legend: set[str] = set()
    for donor in colors:
        for status in ("dated", "ongoing"):
            part = rows[(rows["donor_label"] == donor) & (rows["period_status"] == status)]
            if part.empty:
                continue
            start = pd.to_datetime(part["start_date"])
            end = pd.to_datetime(part["shown_end"]) + pd.Timedelta(days=1)  # the end day is included
            fig.add_trace(go.Bar(
                y=[labels[i] for i in part.index], base=start.dt.strftime("%Y-%m-%d"),
                x=(end - start).dt.total_seconds() * 1000, orientation="h", name=legend_names[donor],
                legendgroup=donor, showlegend=donor not in in_legend,
                marker=dict(color=colors[donor], line=dict(color="white", width=0.5),
                            pattern=dict(shape="/" if status == "ongoing" else "", fillmode="overlay",
                                         fgcolor="white", fgopacity=0.7)),
                customdata=part["project_id"], hoverinfo="text",
                hovertext=[t("projects_chart.timeline_hover", project=r.project_id, name=plain(r.name),
                             donor=plain(donor_name(donor)), period=plain(r.period_text))
                           + ("<br>" + t("projects_chart.ongoing") if status == "ongoing" else "")
                           for r in part.itertuples()]))
            in_legend.add(donor)
    today_text = today.isoformat()
    today_label = t("projects_chart.today", date=fmt.day_short(today))
    fig.add_shape(type="line", x0=today_text, x1=today_text, y0=0, y1=1, yref="paper",
                  line=dict(color="#000", width=2, dash="dash"))
    fig.add_annotation(x=today_text, y=1, yref="paper", yanchor="bottom", showarrow=False, text=today_label,
                       font=dict(size=font), xanchor="right")
    left = max((measure.width(lab, font) for lab in labels), default=0) + 12
    plot_width = canvas.width - left - EDGE
    starts = pd.to_datetime(rows["start_date"])
    ends = pd.to_datetime(rows["shown_end"])
    span = (ends.max().year - starts.min().year + 1) if len(rows) else 1
    step = nice_step(span, plot_width, measure.width("2030", font))
    bar = max(font * 1.6, 22)
    plot_height = bar * len(rows)
    axis = bottom_axis(canvas)
    legend_entries = list(legend_names.values())
    legend = legend_height(canvas, legend_entries, plot_width)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], tickfont=dict(size=font), automargin=False)
    fig.update_xaxes(type="date", gridcolor="#e5e5e5", dtick=f"M{int(step * 12)}", tickformat="%Y", tickangle=0,
                     tickfont=dict(size=font), automargin=False)
    top = measure.height(today_label, font) + 8
    return base_layout(fig, canvas, plot_height + top + axis + legend + 10,
                       title=t("projects_chart.timeline_title"), barmode="overlay", bargap=0.25, hovermode="closest",
                       legend=legend_below(canvas, legend_entries, axis, plot_height),
                       margin=dict(l=left, r=EDGE, t=top, b=axis + legend))


def funding_bars(rows: pd.DataFrame, who: str, split: bool, canvas: Canvas = Canvas()) -> go.Figure:
    """Stated funding per donor or implementer, largest on top, with the count of projects that
    state no figure beside every total.

    `rows`: name, n_projects, funding_full, funding_split, n_no_funding.
    """
    font = canvas.font
    value = rows["funding_split" if split else "funding_full"]
    order = rows.assign(value=value.fillna(0)).sort_values(["value", "n_projects"], ascending=True)
    text = []
    for r in order.itertuples():
        stated = euro(r.value) if r.value > 0 else euro(None)
        text.append(stated if not r.n_no_funding or r.value == 0
                    else t("projects_chart.plus_no_figure", funding=stated, n=fmt.count(r.n_no_funding)))
    not_stated, title = _partner_texts(who, split)
    names = [measure.shorten(f"{not_stated if r.name == NOT_STATED else plain(r.name)}", canvas.width * 0.32, font)
             + f" ({fmt.count(r.n_projects)})" for r in order.itertuples()]
    left = max((measure.width(n, font) for n in names), default=0) + 12
    plot = canvas.width - left - EDGE
    label_room = max((measure.width(x, font) for x in text), default=0) + 10
    top = max(float(order["value"].max() / 1e6) if len(order) else 1.0, 1.0)
    reach = top * plot / max(plot - label_room, plot * 0.3)
    axis_title = t("projects_chart.funding_axis")
    fig = go.Figure(go.Bar(
        x=order["value"] / 1e6, y=list(range(len(names))), orientation="h", text=text, textposition="outside",
        cliponaxis=False, customdata=order["name"],
        textfont=dict(size=font, color=TEXT_COLOR),
        marker=dict(color=[NOT_STATED_COLOR if n == NOT_STATED else CATEGORICAL[0] for n in order["name"]]),
        hoverinfo="text", name=who,
        hovertext=[t("projects_chart.bar_hover", name=plain(donor_name(r.name)), n=fmt.count(r.n_projects),
                     funding=euro(r.value or None), n_none=fmt.count(r.n_no_funding)) for r in order.itertuples()]))
    fig.update_xaxes(title=dict(text=axis_title, standoff=6), range=[0, reach], gridcolor="#eee",
                     tickfont=dict(size=font), automargin=False, nticks=6)
    # Rows by position with the names as tick text: two names shortened alike still get a row each.
    fig.update_yaxes(tickvals=list(range(len(names))), ticktext=names, range=[-0.6, len(names) - 0.4],
                     tickfont=dict(size=font), automargin=False, showgrid=False, zeroline=False)
    bar = max(font * 1.8, 24)
    return base_layout(fig, canvas, bar * len(order) + bottom_axis(canvas, axis_title) + 16, title=title,
                       bargap=0.3, margin=dict(l=left, r=EDGE, t=6, b=bottom_axis(canvas, axis_title)))


def _partner_texts(who: str, split: bool) -> tuple[str, str]:
    """(the label of 'Not stated', the chart title) for donors or implementers, each sentence whole."""
    if who == "donor":
        return t("projects_chart.donor_not_stated"), t("projects_chart.by_donor_split" if split
                                                       else "projects_chart.by_donor_full")
    if who == "implementer":
        return t("projects_chart.implementer_not_stated"), t("projects_chart.by_implementer_split" if split
                                                             else "projects_chart.by_implementer_full")
    raise ValueError(who)
