"""Figure builders for KPI progress and the CCSS action-plan tracker: pure functions, no Streamlit."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.common import CATEGORICAL, base_layout, text_is_data
from core.kpi import status_label
from core.strings import t

ACTUAL = CATEGORICAL[0]  # blue
TARGET_BAND = "#d9d9d9"
# Okabe-Ito hues for reported statuses; "not reported" is a neutral grey: a fact about
# reporting, not a result, so it must not read as failure.
STATUS_COLOURS = {"achieved": "#009E73", "in progress": "#56B4E9", "not started": "#E69F00",
                  "not reported": "#BDBDBD"}


def _number(value: float, unit: str | None) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}%" if unit == "percent" else text


def _of_target(value: float, target: float | None) -> str:
    return "" if pd.isna(target) or not target else " " + t("kpi_chart.of_target", share=value / target)


def dimension_label(dimension: str) -> str:
    """The two dimensions core.kpi names itself in words; the others ('gender', ...) come from the data as written."""
    return {"country": t("kpi_chart.dimension_country"),
            "breakdown": t("kpi_chart.dimension_breakdown")}.get(dimension, dimension)


@text_is_data
def bullet_chart(totals: pd.DataFrame, unit: str | None, height: int | None = None) -> go.Figure:
    """Actual (blue bar) against target (grey band with a black tick) per period, oldest on top.

    `totals`: one KPI's rows (period, value, target); a period without a target shows the actual only.
    """
    rows = totals.sort_values("period")
    periods = list(rows["period"])
    top = max(rows["value"].max(), rows["target"].max() if rows["target"].notna().any() else 0)
    with_target = rows[rows["target"].notna()]
    actual, target = t("kpi_chart.actual"), t("kpi_chart.target")
    fig = go.Figure()
    fig.add_trace(go.Bar(y=with_target["period"], x=with_target["target"], orientation="h", name=target,
                         marker=dict(color=TARGET_BAND), width=0.8, hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Bar(y=rows["period"], x=rows["value"], orientation="h", name=actual, width=0.38,
                         marker=dict(color=ACTUAL), hovertemplate=f"%{{y}}: %{{x}}<extra>{actual}</extra>"))
    fig.add_trace(go.Scatter(
        y=with_target["period"], x=with_target["target"], mode="markers", name=target,
        marker=dict(symbol="line-ns", size=34, line=dict(color="black", width=3)),
        hovertemplate=f"%{{y}}: %{{x}}<extra>{target}</extra>"))
    # The label sits right of the bar or the target band, whichever is longer, so nothing crosses it.
    ends = [max(v, goal) if pd.notna(goal) else v for v, goal in zip(rows["value"], rows["target"])]
    fig.add_trace(go.Scatter(
        y=rows["period"], x=ends, mode="text", name="label", textposition="middle right", hoverinfo="skip",
        text=["  " + _number(v, unit) + _of_target(v, goal) for v, goal in zip(rows["value"], rows["target"])],
        textfont=dict(size=15, color="#1f1f1f"), cliponaxis=False))
    fig.update_xaxes(range=[0, top * 1.45 or 1], gridcolor="#eee", ticksuffix="%" if unit == "percent" else "",
                     title=t("kpi_chart.bullet_axis"))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=periods, autorange="reversed",
                     tickfont=dict(size=15, color="#1f1f1f"))
    return base_layout(fig, height or 110 + 60 * len(periods), barmode="overlay", showlegend=False,
                       margin=dict(l=10, r=10, t=40, b=40))


@text_is_data
def trend_chart(totals: pd.DataFrame, unit: str | None, height: int = 300) -> go.Figure:
    """Actual and target per period as lines (worth drawing from two periods on)."""
    rows = totals.sort_values("period")
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rows["period"], y=rows["value"], mode="lines+markers+text", name=t("kpi_chart.actual"),
                             line=dict(color=ACTUAL, width=3), marker=dict(size=9),
                             text=[_number(v, unit) for v in rows["value"]], textposition="top center",
                             textfont=dict(size=15)))
    targets = rows[rows["target"].notna()]
    if len(targets):
        fig.add_trace(go.Scatter(x=targets["period"], y=targets["target"], mode="lines+markers",
                                 name=t("kpi_chart.target"),
                                 line=dict(color="#555", width=2.5, dash="dash"), marker=dict(size=8)))
    fig.update_xaxes(type="category", title=t("kpi_chart.period"))
    fig.update_yaxes(rangemode="tozero", gridcolor="#eee", ticksuffix="%" if unit == "percent" else "")
    return base_layout(fig, height, legend=dict(orientation="h", y=1.12, x=0), margin=dict(l=10, r=10, t=40, b=40))


@text_is_data
def breakdown_bars(breakdowns: pd.DataFrame, unit: str | None) -> go.Figure:
    """One panel of horizontal bars per dimension (country, gender, type of activity, ...).

    `breakdowns`: one KPI's rows for one period (dimension, category, value, target).
    """
    dims = list(dict.fromkeys(breakdowns["dimension"]))
    sizes = [int((breakdowns["dimension"] == d).sum()) for d in dims]
    fig = make_subplots(rows=len(dims), cols=1, shared_xaxes=True, row_heights=sizes, vertical_spacing=0.12,
                        subplot_titles=[t("kpi_chart.by_dimension", dimension=dimension_label(d)) for d in dims])
    for i, dim in enumerate(dims, start=1):
        rows = breakdowns[breakdowns["dimension"] == dim].sort_values("value")
        fig.add_trace(go.Bar(
            y=rows["category"], x=rows["value"], orientation="h", name=dim, marker=dict(color=ACTUAL),
            text=[_number(v, unit) + _of_target(v, goal) for v, goal in zip(rows["value"], rows["target"])],
            textposition="outside", cliponaxis=False, textfont=dict(size=15), showlegend=False,
            hovertemplate="%{y}: %{x}<extra>" + dimension_label(dim) + "</extra>"), row=i, col=1)
    top = breakdowns["value"].max()
    fig.update_xaxes(range=[0, top * 1.4 or 1], gridcolor="#eee", ticksuffix="%" if unit == "percent" else "")
    fig.update_yaxes(tickfont=dict(size=15, color="#1f1f1f"), automargin=True)
    fig.update_annotations(font_size=16, x=0, xanchor="left")
    return base_layout(fig, 80 + 34 * sum(sizes) + 50 * len(dims))


def goal_label(goal_no: int, title: str, width: int = 48) -> str:
    """'Goal 7: Strengthen the Effectiveness of ...' shortened to one line for the axis."""
    return t("kpi_chart.goal_label", goal=goal_no, title=textwrap.shorten(title, width=width, placeholder="..."))


@text_is_data
def goal_status_bars(shares: pd.DataFrame, height: int | None = None) -> go.Figure:
    """Stacked 100% bars per goal: share of actions achieved / in progress / not started / not reported.

    `shares`: core.kpi.with_shares output; goals without actions (after filters) are left out.
    Each segment is labelled with its count, so the chart does not depend on colour alone.
    """
    rows = shares[shares["n_actions"] > 0]
    labels = [goal_label(goal, title) for goal, title in zip(rows["goal_no"], rows["title"])]
    fig = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        counts, label = rows[status], status_label(status)
        fig.add_trace(go.Bar(
            y=labels, x=rows[f"share {status}"] * 100, orientation="h", name=label, marker=dict(color=colour),
            text=[str(c) if c else "" for c in counts], textposition="inside", insidetextanchor="middle",
            textfont=dict(size=15, color="#1f1f1f"), customdata=counts,
            # Plotly's own placeholders go in as values, so a translation can move them.
            hovertemplate="%{y}<br>" + t("kpi_chart.status_hover", status=label, n="%{customdata}",
                                         share="%{x:.0f}%") + "<extra></extra>"))
    fig.update_xaxes(range=[0, 100.5], tickvals=[0, 25, 50, 75, 100],
                     ticktext=["0%", "25%", "50%", "75%", "100%"], gridcolor="#eee",
                     title=t("kpi_chart.share_axis"))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=15, color="#1f1f1f"), automargin=True)
    return base_layout(fig, height or 110 + 38 * len(rows), barmode="stack", bargap=0.25,
                       legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, traceorder="normal",
                                   font=dict(size=15)), margin=dict(l=10, r=10, t=40, b=55))
