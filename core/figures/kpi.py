"""Figure builders for KPI progress and the CCSS action-plan tracker: pure functions, no Streamlit.

Each takes the `Canvas` it is drawn on and leaves room for its own labels there (core/figures/common.py).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import format as fmt
from core.figures import text as measure
from core.figures.common import (CATEGORICAL, EDGE, TEXT_COLOR, Canvas, base_layout, bottom_axis, left_labels,
                                 plain)
from core.kpi import status_label
from core.strings import t

ACTUAL = CATEGORICAL[0]  # blue
TARGET_BAND = "#d9d9d9"
# Okabe-Ito hues for reported statuses; "not reported" is a neutral grey: a fact about
# reporting, not a result, so it must not read as failure.
STATUS_COLOURS = {"achieved": "#009E73", "in progress": "#56B4E9", "not started": "#E69F00",
                  "not reported": "#BDBDBD"}


def _number(value: float, unit: str | None) -> str:
    if unit == "percent":
        return fmt.percent(value, 0 if float(value).is_integer() else 1)
    return fmt.number(value, 0 if float(value).is_integer() else 1)


def _of_target(value: float, target: float | None) -> str:
    return "" if pd.isna(target) or not target else " " + t("kpi_chart.of_target", share=fmt.share(value / target))


def _reach(top: float, labels: list[str], plot: float, font: float) -> float:
    """How far the value axis must reach so that the longest label after its bar ends inside the plot."""
    room = max((measure.width(x, font) for x in labels), default=0) + 10
    return max(top, 1e-9) * plot / max(plot - room, plot * 0.3)


def dimension_label(dimension: str) -> str:
    """The two dimensions core.kpi names itself in words; the others ('gender', ...) come from the data as written."""
    return {"country": t("kpi_chart.dimension_country"),
            "breakdown": t("kpi_chart.dimension_breakdown")}.get(dimension, dimension)


def _against_baseline(value: float, baseline: float | None, unit: str | None) -> str:
    if pd.isna(baseline):
        return ""
    digits = 0 if float(value - baseline).is_integer() else 1
    return " " + t("kpi_chart.vs_baseline", change=fmt.signed(value - baseline, digits))


def bullet_chart(totals: pd.DataFrame, unit: str | None, canvas: Canvas = Canvas(), title: str | None = None,
                 reference: str = "target") -> go.Figure:
    """Actual (blue bar) against its target (grey band with a black tick) per period, oldest on top; or, with
    reference="baseline", against the baseline (an OBI).

    `totals`: one indicator's rows (period, value, target); a period without a target shows the actual only.
    """
    font = canvas.font
    rows = totals.sort_values("period")
    periods = [plain(p) for p in rows["period"]]
    top = max(rows["value"].max(), rows["target"].max() if rows["target"].notna().any() else 0)
    with_target = rows[rows["target"].notna()]
    actual = t("kpi_chart.actual")
    if reference == "baseline":
        target, axis_title = t("kpi_chart.baseline"), t("kpi_chart.bullet_axis_baseline")
        labels = [_number(v, unit) + _against_baseline(v, base, unit) for v, base in zip(rows["value"], rows["target"])]
    else:
        target, axis_title = t("kpi_chart.target"), t("kpi_chart.bullet_axis")
        labels = [_number(v, unit) + _of_target(v, goal) for v, goal in zip(rows["value"], rows["target"])]
    left = left_labels(canvas, periods)
    plot = canvas.width - left - EDGE
    fig = go.Figure()
    fig.add_trace(go.Bar(y=[plain(p) for p in with_target["period"]], x=with_target["target"], orientation="h",
                         name=target, marker=dict(color=TARGET_BAND), width=0.8, hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Bar(y=periods, x=rows["value"], orientation="h", name=actual, width=0.38,
                         marker=dict(color=ACTUAL), hoverinfo="text",
                         hovertext=[f"{p}: {_number(v, unit)}" for p, v in zip(periods, rows["value"])]))
    fig.add_trace(go.Scatter(
        y=[plain(p) for p in with_target["period"]], x=with_target["target"], mode="markers", name=target,
        marker=dict(symbol="line-ns", size=canvas.size(30), line=dict(color="black", width=3)), hoverinfo="text",
        hovertext=[f"{plain(p)}: {target} {_number(v, unit)}" for p, v in zip(with_target["period"], with_target["target"])]))
    # The label sits right of the bar or the target band, whichever is longer, so nothing crosses it.
    ends = [max(v, goal) if pd.notna(goal) else v for v, goal in zip(rows["value"], rows["target"])]
    fig.add_trace(go.Scatter(y=periods, x=ends, mode="text", name="label", textposition="middle right",
                             hoverinfo="skip", text=["  " + x for x in labels],
                             textfont=dict(size=font, color=TEXT_COLOR), cliponaxis=False))
    fig.update_xaxes(range=[0, _reach(top, ["  " + x for x in labels], plot, font)], gridcolor="#eee",
                     ticksuffix="%" if unit == "percent" else "", title=dict(text=axis_title, standoff=6),
                     tickfont=dict(size=font), automargin=False, nticks=6)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=periods, autorange="reversed",
                     tickfont=dict(size=font, color=TEXT_COLOR), automargin=False)
    row = max(canvas.size(44), 40)
    return base_layout(fig, canvas, row * len(periods) + bottom_axis(canvas, axis_title) + 16, title=title,
                       barmode="overlay", showlegend=False,
                       margin=dict(l=left, r=EDGE, t=10, b=bottom_axis(canvas, axis_title)))


def trend_chart(totals: pd.DataFrame, unit: str | None, canvas: Canvas = Canvas(), title: str | None = None) -> go.Figure:
    """Actual and target per period as lines (worth drawing from two periods on)."""
    font = canvas.font
    rows = totals.sort_values("period")
    labels = [_number(v, unit) for v in rows["value"]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[plain(p) for p in rows["period"]], y=rows["value"], mode="lines+markers+text",
                             name=t("kpi_chart.actual"), line=dict(color=ACTUAL, width=3), marker=dict(size=9),
                             text=labels, textposition="top center", textfont=dict(size=font), cliponaxis=False))
    targets = rows[rows["target"].notna()]
    if len(targets):
        fig.add_trace(go.Scatter(x=[plain(p) for p in targets["period"]], y=targets["target"], mode="lines+markers",
                                 name=t("kpi_chart.target"),
                                 line=dict(color="#555", width=2.5, dash="dash"), marker=dict(size=8)))
    top = max(rows["value"].max(), targets["target"].max() if len(targets) else 0) or 1
    plot_height = canvas.size(220)
    headroom = (measure.height("0", font) + 14) / plot_height  # the value labels above the highest point
    axis_title = t("kpi_chart.period")
    names = [t("kpi_chart.actual"), t("kpi_chart.target")]
    legend_width = max(measure.width(n, font) for n in names) + 50
    left = left_labels(canvas, [_number(top, unit)]) + 4
    # Half a period of room at each end, so the first and last value labels stay clear of the axes.
    fig.update_xaxes(type="category", title=dict(text=axis_title, standoff=6), tickfont=dict(size=font),
                     automargin=False, range=[-0.5, len(rows) - 0.5])
    fig.update_yaxes(range=[0, top * (1 + headroom) / (1 - headroom)], gridcolor="#eee",
                     ticksuffix="%" if unit == "percent" else "", tickfont=dict(size=font), automargin=False)
    return base_layout(fig, canvas, plot_height + bottom_axis(canvas, axis_title) + 16, title=title,
                       legend=dict(x=1, xanchor="left", y=1, yanchor="top", font=dict(size=font)),
                       margin=dict(l=left, r=legend_width + EDGE, t=16, b=bottom_axis(canvas, axis_title)))


def breakdown_bars(breakdowns: pd.DataFrame, unit: str | None, canvas: Canvas = Canvas(),
                   title: str | None = None) -> go.Figure:
    """One panel of horizontal bars per dimension (country, gender, type of activity, ...).

    `breakdowns`: one KPI's rows for one period (dimension, category, value, target).
    """
    font = canvas.font
    dims = list(dict.fromkeys(breakdowns["dimension"]))
    sizes = [int((breakdowns["dimension"] == d).sum()) for d in dims]
    categories = [measure.shorten(plain(c), canvas.width * 0.3, font) for c in breakdowns["category"]]
    left = left_labels(canvas, categories)
    plot = canvas.width - left - EDGE
    bar = max(canvas.size(30), 26)
    panel_title = measure.height("A", canvas.size(16)) + 10
    heights = [bar * n for n in sizes]
    total = sum(heights) + panel_title * len(dims)
    spacing = panel_title / total if len(dims) > 1 else 0
    fig = make_subplots(rows=len(dims), cols=1, shared_xaxes=True, row_heights=sizes, vertical_spacing=spacing,
                        subplot_titles=[t("kpi_chart.by_dimension", dimension=plain(dimension_label(d))) for d in dims])
    labels_all = []
    for i, dim in enumerate(dims, start=1):
        rows = breakdowns[breakdowns["dimension"] == dim].sort_values("value")
        labels = [_number(v, unit) + _of_target(v, goal) for v, goal in zip(rows["value"], rows["target"])]
        labels_all += labels
        fig.add_trace(go.Bar(
            y=[measure.shorten(plain(c), canvas.width * 0.3, font) for c in rows["category"]], x=rows["value"],
            orientation="h", name=plain(dimension_label(dim)), marker=dict(color=ACTUAL), text=labels, textposition="outside",
            cliponaxis=False, textfont=dict(size=font, color=TEXT_COLOR), showlegend=False, hoverinfo="text",
            hovertext=[f"{plain(c)}: {x}" for c, x in zip(rows["category"], labels)]), row=i, col=1)
    top = breakdowns["value"].max()
    fig.update_xaxes(range=[0, _reach(top, labels_all, plot, font)], gridcolor="#eee",
                     ticksuffix="%" if unit == "percent" else "", tickfont=dict(size=font), automargin=False, nticks=6)
    fig.update_yaxes(tickfont=dict(size=font, color=TEXT_COLOR), automargin=False)
    fig.update_annotations(font_size=canvas.size(16), x=0, xanchor="left", xref="paper")
    return base_layout(fig, canvas, total + panel_title + bottom_axis(canvas) + 10, title=title,
                       margin=dict(l=left, r=EDGE, t=panel_title, b=bottom_axis(canvas)))


def goal_label(goal_no: int, title: str, max_px: float | None = None, size: float = 14) -> str:
    """'Goal 7: Strengthen the Effectiveness of ...' shortened to fit `max_px` (the whole title without it)."""
    label = t("kpi_chart.goal_label", goal=goal_no, title=plain(title))
    return label if max_px is None else measure.shorten(label, max_px, size)


def goal_status_bars(shares: pd.DataFrame, canvas: Canvas = Canvas(), title: str | None = None) -> go.Figure:
    """Stacked 100% bars per goal: share of actions achieved / in progress / not started / not reported.

    `shares`: core.kpi.with_shares output; goals without actions (after filters) are left out.
    Each segment is labelled with its count where it fits (else the count is in the hover), so the chart
    does not depend on colour alone.
    """
    font = canvas.font
    rows = shares[shares["n_actions"] > 0]
    names = [status_label(status) for status in STATUS_COLOURS]
    legend_width = max(measure.width(n, font) for n in names) + 50
    labels = [goal_label(goal, title_, canvas.width * 0.42, font) for goal, title_ in zip(rows["goal_no"], rows["title"])]
    left = max((measure.width(x, font) for x in labels), default=0) + 12
    fig = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        counts, label = rows[status], status_label(status)
        fig.add_trace(go.Bar(
            y=labels, x=rows[f"share {status}"] * 100, orientation="h", name=label, marker=dict(color=colour),
            text=[fmt.count(c) if c else "" for c in counts], textposition="inside", insidetextanchor="middle",
            textfont=dict(size=font, color=TEXT_COLOR), customdata=counts, cliponaxis=True, hoverinfo="text",
            # Written here, not by Plotly's templates, so counts and shares follow the reader's language.
            hovertext=[f"{goal}<br>" + t("kpi_chart.status_hover", status=label, n=fmt.count(c), share=fmt.share(s))
                       for goal, c, s in zip(labels, counts, rows[f"share {status}"])]))
    axis_title = t("kpi_chart.share_axis")
    fig.update_xaxes(range=[0, 100.5], tickvals=[0, 25, 50, 75, 100],
                     ticktext=[fmt.share(v / 100) for v in (0, 25, 50, 75, 100)], gridcolor="#eee",
                     title=dict(text=axis_title, standoff=6), tickfont=dict(size=font), automargin=False)
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=font, color=TEXT_COLOR), automargin=False)
    bar = max(canvas.size(30), 26)
    return base_layout(fig, canvas, bar * len(rows) + bottom_axis(canvas, axis_title) + 16, title=title,
                       barmode="stack", bargap=0.25, uniformtext=dict(minsize=canvas.size(11), mode="hide"),
                       legend=dict(x=1, xanchor="left", y=1, yanchor="top", traceorder="normal", font=dict(size=font)),
                       margin=dict(l=left, r=legend_width + EDGE, t=10, b=bottom_axis(canvas, axis_title)))
