"""Figure builders for the threat-tier page: the CCSS matrix and coverage heatmaps.

Both are laid out from measured text at the canvas's width (core/figures/common.py): threat names wrap
to their tier's column and stack without touching; heatmap rows are as tall as their wrapped names,
column names turn upright when they do not fit across, and a cell's figure is printed only when it
fits the cell (else it is in the hover, and the page says so).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import format as fmt
from core.figures import text as measure
from core.figures.common import EDGE, TEXT_COLOR, Canvas, base_layout, plain
from core.strings import t

# Tier colours: ordered by severity, distinguishable in greyscale and for colour-blind viewers.
TIER_FILL = {1: "#b2182b", 2: "#ef8a62", 3: "#fddbc7", 4: "#d9d9d9"}
# Matrix columns (x0, x1) in column units: low probability, likely, high probability, then a gap and
# tier 4 (the CCSS says its probability and impact cannot yet be assessed), which spans both rows.
REGION_X = {3: (0, 1), 2: (1, 2), 1: (2, 3), 4: (3.25, 4.25)}
X_SPAN = 4.25
MATRIX_TRACE = "threats"
CELL_TRACE = "cells"  # invisible symbols over the heatmap's cells: a click on a cell selects it
MARKER = 14


def tier_matrix(threats: pd.DataFrame, tiers: pd.DataFrame, selected: str | None = None,
                canvas: Canvas = Canvas(580)) -> go.Figure:
    """Likelihood-by-impact matrix in the spirit of the CCSS risk and threat assessment matrix.

    The y axis is in px (the figure's height is fixed), so each threat's symbol and wrapped name are
    stacked by their measured heights; the x axis is in tier columns, as wide as the canvas allows."""
    font = canvas.font
    pad = canvas.size(6)
    impact_ticks = [t("threats_chart.high_impact"), t("threats_chart.lower_impact")]
    tick_width = max(measure.width(w, font) for text in impact_ticks for w in text.split(" "))
    left = tick_width + 14 + measure.height("A", font) + 8
    plot_width = canvas.width - left - EDGE
    column = plot_width / X_SPAN * 0.96 - 2 * pad  # the text width a tier column holds
    names = dict(zip(tiers["tier"], tiers["name"]))
    # The names inside the tier columns: at the chart's size, or smaller where a word would not fit its
    # column whole (a projector's larger type in a narrow column), never below a legible floor.
    words = [w for text in [*names.values(), *threats["name"]] for w in str(text).split()]
    label_font = font
    while label_font > canvas.size(11) and max(measure.width(w, label_font, bold=True) for w in words) > column:
        label_font -= 0.5

    headings = {tier: f"<b>{t('threats_chart.tier_short', tier=tier)}</b><br>"
                      + measure.wrapped(plain(names.get(tier, "")), column, label_font)
                for tier in REGION_X}
    entries: dict[int, list[tuple]] = {}
    for tier, group in threats.groupby("tier"):
        entries[int(tier)] = [(row, measure.wrapped(plain(row.name), column, label_font))
                              for row in group.itertuples()]
    marker = canvas.size(MARKER)

    def stack_height(tier: int) -> float:
        body = sum(marker + 4 + measure.height(label, label_font) + canvas.size(12)
                   for _, label in entries.get(tier, []))
        return measure.height(headings[tier], label_font) + canvas.size(14) + body

    lower_note = measure.wrapped(t("threats_chart.no_lower_impact"), plot_width / X_SPAN * 3 * 0.9, font)
    lower = measure.height(lower_note, font) + canvas.size(40)
    high = max(stack_height(tier) for tier in (1, 2, 3)) + pad
    tier4_extra = max(0.0, stack_height(4) - (high + lower))
    high += tier4_extra
    height = high + lower

    fig = go.Figure()
    xs, ys, labels, hovers, ids, colors = [], [], [], [], [], []
    for tier, (x0, x1) in REGION_X.items():
        y0 = 0 if tier == 4 else lower
        fig.add_shape(type="rect", x0=x0 + .02, x1=x1 - .02, y0=y0 + 2, y1=height - 2, line=dict(color="white", width=2),
                      fillcolor=TIER_FILL[tier], opacity=0.35 if tier != 4 else 0.6, layer="below")
        fig.add_annotation(x=(x0 + x1) / 2, y=height - pad, text=headings[tier], showarrow=False,
                           font=dict(size=label_font, color=TEXT_COLOR), yanchor="top", align="center")
        y = height - pad - measure.height(headings[tier], label_font) - canvas.size(14)
        for row, label in entries.get(tier, []):
            xs.append((x0 + x1) / 2)
            ys.append(y - marker / 2)
            labels.append(label)
            hovers.append(t("threats_chart.threat_hover", name=plain(row.name), tier=row.tier,
                            description=measure.wrapped(plain(row.description), 420, 14),
                            ref=plain(row.source_ref)))
            ids.append(row.threat_id)
            colors.append(TIER_FILL[tier])
            y -= marker + 4 + measure.height(label, label_font) + canvas.size(12)
    fig.add_shape(type="rect", x0=0.02, x1=2.98, y0=2, y1=lower - 2, line=dict(color="#bdbdbd", width=1, dash="dot"),
                  fillcolor="white", layer="below")
    fig.add_annotation(x=1.5, y=lower / 2, text=lower_note, showarrow=False, font=dict(size=font, color="#757575"))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=labels, customdata=ids, name=MATRIX_TRACE,
        textposition="bottom center", textfont=dict(size=label_font, color=TEXT_COLOR), cliponaxis=False,
        marker=dict(size=[marker * 1.5 if i == selected else marker for i in ids], color=colors,
                    line=dict(color=["black" if i == selected else "#4d4d4d" for i in ids],
                              width=[4 if i == selected else 1 for i in ids])),
        hovertext=hovers, hoverinfo="text", showlegend=False))
    ticks = [t("threats_chart.low_probability"), t("threats_chart.likely"), t("threats_chart.high_probability"),
             t("threats_chart.not_assessable")]
    tick_texts = [measure.wrapped(x, plot_width / X_SPAN * 0.95, font) for x in ticks]
    tick_height = max(measure.height(x, font) for x in tick_texts)
    axis_title = t("threats_chart.likelihood")
    bottom = 5 + tick_height + 8 + measure.height(axis_title, font) + 8
    fig.update_xaxes(range=[0, X_SPAN], tickvals=[0.5, 1.5, 2.5, 3.75], ticktext=tick_texts,
                     title=dict(text=axis_title, standoff=8), showgrid=False, zeroline=False, fixedrange=True,
                     tickfont=dict(size=font), automargin=False)
    fig.update_yaxes(range=[0, height], tickvals=[lower / 2, lower + high / 2],
                     ticktext=[x.replace(" ", "<br>") for x in (impact_ticks[1], impact_ticks[0])],
                     title=dict(text=t("threats_chart.impact"), standoff=6), showgrid=False, zeroline=False,
                     fixedrange=True, tickfont=dict(size=font), automargin=False)
    return base_layout(fig, canvas, height + bottom + 10, title=t("threats_chart.matrix_title"),
                       margin=dict(l=left, r=EDGE, t=10, b=bottom), dragmode=False, clickmode="event+select",
                       meta={"canvas": canvas.width, "scale": canvas.scale, "lower_impact_top": lower})


def funding_label(eur: float, n_unfunded: float, digits: int = 1) -> str:
    """'12.5' EUR million ('13' with digits=0); '12.5+' when some projects in the cell state no amount;
    'n/s' when none does."""
    if pd.isna(eur):
        return ""
    if eur == 0 and n_unfunded > 0:
        return t("threats_chart.not_stated_short")
    return f"{fmt.number(eur / 1e6, digits)}{'+' if n_unfunded > 0 else ''}"


def coverage_heatmap(matrix: pd.DataFrame, row_labels: list[str], col_labels: list[str], value: str,
                     unfunded: pd.DataFrame | None = None, canvas: Canvas = Canvas()) -> go.Figure:
    """Threats x countries/donors; the value printed in each cell; cells with no project left blank (gaps).

    In funding mode `unfunded` (same shape: projects with no stated amount) qualifies each figure."""
    font = canvas.font
    if value == "funding_eur":
        z = matrix / 1e6
        missing = unfunded.fillna(0) if unfunded is not None else matrix * 0

        def labels(digits: int) -> pd.DataFrame:
            return pd.DataFrame([[funding_label(e, n, digits) for e, n in zip(er, nr)]
                                 for er, nr in zip(matrix.to_numpy(), missing.to_numpy())],
                                index=matrix.index, columns=matrix.columns)
        text = labels(1)
        colorbar_title, title = t("threats_chart.eur_million"), t("threats_chart.coverage_title_funding")
    else:
        z = matrix
        text = z.map(lambda v: "" if pd.isna(v) else fmt.count(v))
        colorbar_title, title = t("threats_chart.projects"), t("threats_chart.coverage_title_count")
    rows = [measure.wrapped(plain(label), max(canvas.width * 0.3, 170), font) for label in row_labels]
    left = max(measure.width(r, font) for r in rows) + 12
    colorbar = measure.width(colorbar_title, font) + 70
    plot_width = canvas.width - left - colorbar - EDGE
    cell = plot_width / max(len(col_labels), 1)
    # Column names across when each fits its column in at most three lines, else upright.
    across = [measure.wrapped(plain(c), cell - 6, font) for c in col_labels]
    if max(len(measure.lines(c)) for c in across) <= 3 and all(measure.width(c, font) <= cell - 4 for c in across):
        columns, angle = across, 0
        top = max(measure.height(c, font) for c in across) + 12
    else:
        columns = [measure.shorten(plain(c), canvas.size(170), font) for c in col_labels]
        angle = -90
        top = max(measure.width(c, font) for c in columns) + 12
    # A figure is printed in its cell only when the longest one fits; else it moves to the hover.
    cell_font = font
    widest = max((measure.width(x, cell_font) for x in text.to_numpy().ravel() if x), default=0)
    while widest > cell - 6 and cell_font > canvas.size(11):
        cell_font -= 1
        widest = max((measure.width(x, cell_font) for x in text.to_numpy().ravel() if x), default=0)
    if widest > cell - 6 and value == "funding_eur":  # whole millions fit where tenths do not
        text = labels(0)
        widest = max((measure.width(x, cell_font) for x in text.to_numpy().ravel() if x), default=0)
    printed = widest <= cell - 6
    row_height = max(max(measure.height(r, font) for r in rows) + 10, cell_font * 2)  # Plotly's rows are even
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=list(range(len(columns))), y=list(range(len(rows))),
        text=text.to_numpy(), texttemplate="%{text}" if printed else "", textfont=dict(size=cell_font),
        colorscale="Blues", zmin=0, xgap=2, ygap=2, hoverongaps=False,
        colorbar=dict(title=dict(text=colorbar_title, side="right", font=dict(size=font)), thickness=14,
                      tickfont=dict(size=font)),
        customdata=[[[str(r), str(c)] for c in matrix.columns] for r in matrix.index], hoverinfo="text",
        hovertext=[[f"{plain(row_labels[i])}<br>{plain(col_labels[j])}: {text.iat[i, j] or t('threats_chart.gap')}"
                    for j in range(len(col_labels))] for i in range(len(row_labels))], name="coverage"))
    # An invisible symbol on every cell: Streamlit reports clicks on points, not on heatmap cells.
    grid = [(i, j) for i in range(len(rows)) for j in range(len(columns))]
    fig.add_trace(go.Scatter(
        x=[j for i, j in grid], y=[i for i, j in grid], mode="markers", name=CELL_TRACE,
        marker=dict(size=min(cell, row_height) * 0.9, symbol="square", color="rgba(0,0,0,0)"),
        customdata=[[str(matrix.index[i]), str(matrix.columns[j])] for i, j in grid], hoverinfo="text",
        hovertext=[f"{plain(row_labels[i])}<br>{plain(col_labels[j])}: {text.iat[i, j] or t('threats_chart.gap')}"
                   for i, j in grid], showlegend=False))
    fig.update_yaxes(autorange="reversed", tickvals=list(range(len(rows))), ticktext=rows, tickfont=dict(size=font),
                     fixedrange=True, automargin=False, showgrid=False, zeroline=False)
    fig.update_xaxes(side="top", tickvals=list(range(len(columns))), ticktext=columns, tickangle=angle,
                     tickfont=dict(size=font), fixedrange=True, automargin=False, showgrid=False, zeroline=False)
    height = row_height * len(rows)
    return base_layout(fig, canvas, height + top + 10, title=title, plot_bgcolor="#f3f3f3",
                       margin=dict(l=left, r=colorbar, t=top, b=10), dragmode=False, clickmode="event+select",
                       meta={"canvas": canvas.width, "scale": canvas.scale, "cell_values_printed": printed})
