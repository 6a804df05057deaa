"""Figure builders for the donor-projects page: pure functions of DataFrames, no Streamlit."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from core import geo
from core.figures import maps
from core.figures.common import CATEGORICAL, FONT, NO_DATA_FILL, OUTLINE, base_layout, text_is_data
from core.projects import NOT_STATED, euro
from core.strings import t

MARKER_TRACE = "countries"  # the clickable symbols: one point per country, customdata = iso3
# Sequential and lightness-monotonic; starts above white so that a real zero still shows as land.
COLORSCALE = [[0, "#eef4fa"], [0.5, "#6baed6"], [1, "#08306b"]]
NOT_STATED_COLOR = "#9e9e9e"
# One size for every text of these charts (ticks included), so presentation mode scales them all.
PAGE_FONT = {**FONT, "size": 15}
# Streamlit's chart theme sets its own (smaller) tick size unless a figure gives one.
TICK_FONT = {"size": 15, "color": "#1f1f1f"}
LABEL_CHARS = 46
EAST_MARGIN = 5.0  # degrees of longitude added east of the homicide map's window


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def map_value_column(metric: str, split: bool) -> str:
    return "n_projects" if metric == "count" else ("funding_split" if split else "funding_full")


def _map_label(row, metric: str, value) -> str:
    """'Jamaica 25' / 'Jamaica €24.9m' / 'Bahamas –' (projects, none stating an amount); the count of
    projects with no stated figure is in the hover and the table beside the map."""
    short = geo.SHORT_NAMES.get(row.iso3, row.name)
    if metric == "count":
        return f"{short} {int(row.n_projects)}"
    if row.n_projects == 0:
        return t("projects_chart.map_none", name=short)
    return f"{short} {'–' if pd.isna(value) else euro(value)}"  # '–': projects, none with a stated amount


def _map_hover(row, split: bool) -> str:
    funding = euro(row.funding_split if split else row.funding_full)
    return t("projects_chart.map_hover_split" if split else "projects_chart.map_hover_full", name=row.name,
             n=int(row.n_projects), funding=funding, n_none=int(row.n_no_funding))


@text_is_data
def project_map(values: pd.DataFrame, metric: str = "count", split: bool = False,
                selected: tuple[str, ...] = (), height: int = 540) -> go.Figure:
    """Projects or stated funding per country on the shipped outlines; small islands get a callout.

    `values`: one row per country (iso3, name, lat, lon, n_projects, funding_full, funding_split,
    n_no_funding). `metric`: 'count' or 'funding'; `split` picks the even split of each amount.
    """
    column = map_value_column(metric, split)
    raw = values[column].astype(float)
    ceiling = max(float(raw.max()) if raw.notna().any() else 0.0, 1.0)
    fills = [NO_DATA_FILL if pd.isna(v) else sample_colorscale(COLORSCALE, [v / ceiling])[0] for v in raw]
    fig, xs, ys = maps.country_shapes(values, fills, [_map_hover(r, split) for r in values.itertuples()], selected)
    title = (t("projects_chart.projects") if metric == "count"
             else t("projects_chart.funding_split" if split else "projects_chart.funding_full"))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", name=MARKER_TRACE, customdata=values["iso3"],
        text=[_map_label(r, metric, v) for r, v in zip(values.itertuples(), raw)],
        textposition=[geo.LABEL_POSITION.get(iso3, "middle right") for iso3 in values["iso3"]],
        textfont=dict(size=15), hoverinfo="text", hovertext=[_map_hover(r, split) for r in values.itertuples()],
        marker=dict(size=18, color=raw.fillna(-1), cmin=0, cmax=ceiling, colorscale=COLORSCALE,
                    line=dict(color=[("#000" if iso in selected else OUTLINE) for iso in values["iso3"]],
                              width=[(4 if iso in selected else 1.5) for iso in values["iso3"]]),
                    colorbar=dict(title=dict(text=title, side="top"), thickness=14, len=0.36, orientation="h",
                                  tickprefix="" if metric == "count" else "€",
                                  tickformat="" if metric == "count" else "~s",
                                  x=0.98, xanchor="right", y=0.98, yanchor="top"), showscale=True),
        showlegend=False))
    # Wider than the homicide map on the east: the callouts' funding labels are longer.
    return base_layout(maps.frame(fig, EAST_MARGIN), height, font=PAGE_FONT, dragmode=False, clickmode="event+select")


def donor_name(label: str) -> str:
    """A donor as the charts show it: the stored 'Not stated' in the reader's words."""
    return t("projects_chart.not_stated") if label == NOT_STATED else label


def donor_colors(labels: list[str]) -> dict[str, str]:
    """Okabe-Ito colours by donor in a stable order; 'Not stated' always grey."""
    named = sorted({label for label in labels if label != NOT_STATED})
    colors = {label: CATEGORICAL[i % len(CATEGORICAL)] for i, label in enumerate(named)}
    colors[NOT_STATED] = NOT_STATED_COLOR
    return colors


@text_is_data
def timeline(rows: pd.DataFrame, today: dt.date, height: int | None = None) -> go.Figure:
    """Gantt of execution periods coloured by donor; ongoing projects run to today (hatched).

    `rows`: projects with a period (project_id, name, donor_label, start_date, shown_end,
    period_status, period_text), drawn top to bottom in the given order.
    """
    rows = rows.assign(donor_label=rows["donor_label"].fillna(NOT_STATED))
    labels = [f"{r.project_id}  {_short(r.name, 40)}" for r in rows.itertuples()]
    colors = donor_colors(list(rows["donor_label"]))
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
                x=(end - start).dt.total_seconds() * 1000, orientation="h", name=donor_name(donor),
                legendgroup=donor, showlegend=donor not in in_legend,
                marker=dict(color=colors[donor], line=dict(color="white", width=0.5),
                            pattern=dict(shape="/" if status == "ongoing" else "", fillmode="overlay",
                                         fgcolor="white", fgopacity=0.7)),
                customdata=part["project_id"], hoverinfo="text",
                hovertext=[t("projects_chart.timeline_hover", project=r.project_id, name=r.name,
                             donor=donor_name(donor), period=r.period_text)
                           + ("<br>" + t("projects_chart.ongoing") if status == "ongoing" else "")
                           for r in part.itertuples()]))
            in_legend.add(donor)
    today_text = today.isoformat()
    fig.add_shape(type="line", x0=today_text, x1=today_text, y0=0, y1=1, yref="paper",
                  line=dict(color="#000", width=2, dash="dash"))
    fig.add_annotation(x=today_text, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=t("projects_chart.today", date=today), font=TICK_FONT)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], tickfont=TICK_FONT, automargin=True)
    fig.update_xaxes(type="date", gridcolor="#e5e5e5", dtick="M24", tickformat="%Y", tickfont=TICK_FONT)
    height = height or 26 * len(rows) + 150
    # Bottom margin: room for the year ticks above the source stamp that ui.chart adds.
    return base_layout(fig, height, font=PAGE_FONT, barmode="overlay", bargap=0.25, hovermode="closest",
                       legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, font=TICK_FONT,
                                   title=dict(text=t("projects_chart.donor") + " ", font=TICK_FONT)),
                       margin=dict(l=10, r=20, t=80, b=45))


@text_is_data
def funding_bars(rows: pd.DataFrame, who: str, split: bool, height: int | None = None,
                 headroom: float = 1.45) -> go.Figure:
    """Stated funding per donor or implementer, largest on top, with the count of projects that
    state no figure beside every total.

    `rows`: name, n_projects, funding_full, funding_split, n_no_funding.
    """
    value = rows["funding_split" if split else "funding_full"]
    order = rows.assign(value=value.fillna(0)).sort_values(["value", "n_projects"], ascending=True)
    text = []
    for r in order.itertuples():
        stated = euro(r.value) if r.value > 0 else euro(None)
        text.append(stated if not r.n_no_funding or r.value == 0
                    else t("projects_chart.plus_no_figure", funding=stated, n=int(r.n_no_funding)))
    not_stated, title = _partner_texts(who, split)
    names = [f"{not_stated if r.name == NOT_STATED else _short(r.name)} ({int(r.n_projects)})"
             for r in order.itertuples()]
    fig = go.Figure(go.Bar(
        x=order["value"] / 1e6, y=names, orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker=dict(color=[NOT_STATED_COLOR if n == NOT_STATED else CATEGORICAL[0] for n in order["name"]]),
        hoverinfo="text", name=who,
        hovertext=[t("projects_chart.bar_hover", name=donor_name(r.name), n=int(r.n_projects),
                     funding=euro(r.value or None), n_none=int(r.n_no_funding)) for r in order.itertuples()]))
    top = float(order["value"].max() / 1e6) if len(order) else 1.0
    fig.update_xaxes(title=t("projects_chart.funding_axis"), range=[0, max(top, 1.0) * headroom], gridcolor="#eee",
                     tickfont=TICK_FONT)
    fig.update_yaxes(tickfont=TICK_FONT, automargin=True)
    return base_layout(fig, height or 30 * len(order) + 160, font=PAGE_FONT, bargap=0.3, title=dict(text=title, x=0),
                       margin=dict(l=10, r=10, t=40, b=75))  # room for the axis title above ui.chart's stamp


def _partner_texts(who: str, split: bool) -> tuple[str, str]:
    """(the label of 'Not stated', the chart title) for donors or implementers, each sentence whole."""
    if who == "donor":
        return t("projects_chart.donor_not_stated"), t("projects_chart.by_donor_split" if split
                                                       else "projects_chart.by_donor_full")
    if who == "implementer":
        return t("projects_chart.implementer_not_stated"), t("projects_chart.by_implementer_split" if split
                                                             else "projects_chart.by_implementer_full")
    raise ValueError(who)
