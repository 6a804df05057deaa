"""Figure builders for the threat-tier page: the CCSS matrix and coverage heatmaps."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from core.figures.common import base_layout, text_is_data
from core.strings import t

# Tier colours: ordered by severity, distinguishable in greyscale and for colour-blind viewers.
TIER_FILL = {1: "#b2182b", 2: "#ef8a62", 3: "#fddbc7", 4: "#d9d9d9"}
TIER_TEXT = {1: "white", 2: "#1f1f1f", 3: "#1f1f1f", 4: "#1f1f1f"}
# Matrix regions (x0, x1) on the likelihood axis, high impact row (y 1-2); tier 4 spans both rows
# in its own column because the CCSS says its probability and impact cannot yet be assessed.
REGION_X = {3: (0, 1), 2: (1, 2), 1: (2, 3), 4: (3.25, 4.25)}
LIKELIHOOD_TICKS = (0.5, 1.5, 2.5, 3.75)  # low probability, likely, high probability, not yet assessable
MATRIX_TRACE = "threats"
HIGH_ROW = (0.8, 3.2)  # y span of the high-impact row; below it the (empty) lower-impact row


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(text, width))


@text_is_data
def tier_matrix(threats: pd.DataFrame, tiers: pd.DataFrame, selected: str | None = None,
                height: int = 720) -> go.Figure:
    """Likelihood-by-impact matrix in the spirit of the CCSS risk and threat assessment matrix."""
    fig = go.Figure()
    names = dict(zip(tiers["tier"], tiers["name"]))
    for tier, (x0, x1) in REGION_X.items():
        y0 = 0 if tier == 4 else HIGH_ROW[0]
        fig.add_shape(type="rect", x0=x0 + .02, x1=x1 - .02, y0=y0 + .02, y1=HIGH_ROW[1] - .02, line=dict(color="white", width=2),
                      fillcolor=TIER_FILL[tier], opacity=0.35 if tier != 4 else 0.6, layer="below")
        heading = t("threats_chart.tier_heading", tier=tier, name=_wrap(names.get(tier, ''), 16))
        fig.add_annotation(x=(x0 + x1) / 2, y=HIGH_ROW[1] - .06, text=heading,
                           showarrow=False, font=dict(size=15), yanchor="top")
    fig.add_shape(type="rect", x0=0.02, x1=2.98, y0=0.02, y1=HIGH_ROW[0] - .02, line=dict(color="#bdbdbd", width=1, dash="dot"),
                  fillcolor="white", layer="below")
    fig.add_annotation(x=1.5, y=HIGH_ROW[0] / 2, text=t("threats_chart.no_lower_impact"), showarrow=False,
                       font=dict(size=14, color="#757575"))
    xs, ys, labels, hovers, ids, colors, text_colors = [], [], [], [], [], [], []
    for tier, group in threats.groupby("tier"):
        x0, x1 = REGION_X[int(tier)]
        top, bottom = (HIGH_ROW[1] - .7, HIGH_ROW[0] + .55) if tier != 4 else (HIGH_ROW[1] - .6, 0.3)
        step = (top - bottom) / max(len(group) - 1, 1) if len(group) > 1 else 0
        for i, row in enumerate(group.itertuples()):
            xs.append((x0 + x1) / 2)
            ys.append(top - i * step if len(group) > 1 else (top + bottom) / 2)
            labels.append(_wrap(row.name, 24))
            hovers.append(t("threats_chart.threat_hover", name=row.name, tier=row.tier,
                            description=_wrap(row.description, 60), ref=row.source_ref))
            ids.append(row.threat_id)
            colors.append(TIER_FILL[int(tier)])
            text_colors.append("#1f1f1f")
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=labels, customdata=ids, name=MATRIX_TRACE,
        textposition="bottom center", textfont=dict(size=14, color=text_colors),
        marker=dict(size=[22 if i == selected else 14 for i in ids], color=colors,
                    line=dict(color=["black" if i == selected else "#4d4d4d" for i in ids],
                              width=[4 if i == selected else 1 for i in ids])),
        hovertext=hovers, hoverinfo="text", showlegend=False))
    ticks = [t("threats_chart.low_probability"), t("threats_chart.likely"), t("threats_chart.high_probability"),
             t("threats_chart.not_assessable")]
    fig.update_xaxes(range=[-0.05, 4.3], tickvals=list(LIKELIHOOD_TICKS), ticktext=ticks,
                     title=t("threats_chart.likelihood"), showgrid=False, zeroline=False, fixedrange=True,
                     tickfont=dict(size=15))
    fig.update_yaxes(range=[-0.05, HIGH_ROW[1] + .05], tickvals=[HIGH_ROW[0] / 2, sum(HIGH_ROW) / 2],
                     ticktext=[t("threats_chart.lower_impact"), t("threats_chart.high_impact")],
                     title=t("threats_chart.impact"), showgrid=False, zeroline=False, fixedrange=True, tickfont=dict(size=15))
    return base_layout(fig, height, dragmode=False, clickmode="event+select", margin=dict(l=10, r=10, t=10, b=70))


def funding_label(eur: float, n_unfunded: float) -> str:
    """'12.5' EUR million; '12.5+' when some projects in the cell state no amount; 'n/s' when none does."""
    if pd.isna(eur):
        return ""
    if eur == 0 and n_unfunded > 0:
        return t("threats_chart.not_stated_short")
    return f"{eur / 1e6:.1f}{'+' if n_unfunded > 0 else ''}"


@text_is_data
def coverage_heatmap(matrix: pd.DataFrame, row_labels: list[str], col_labels: list[str], value: str,
                     unfunded: pd.DataFrame | None = None, height: int | None = None) -> go.Figure:
    """Threats x countries/donors; the value printed in each cell; cells with no project left blank (gaps).

    In funding mode `unfunded` (same shape: projects with no stated amount) qualifies each figure.
    """
    if value == "funding_eur":
        z = matrix / 1e6
        missing = unfunded.fillna(0) if unfunded is not None else matrix * 0
        text = pd.DataFrame([[funding_label(e, n) for e, n in zip(er, nr)]
                             for er, nr in zip(matrix.to_numpy(), missing.to_numpy())],
                            index=matrix.index, columns=matrix.columns)
        colorbar_title, scale = t("threats_chart.eur_million"), "Blues"
    else:
        z = matrix
        text = z.map(lambda v: "" if pd.isna(v) else f"{int(v)}")
        colorbar_title, scale = t("threats_chart.projects"), "Blues"
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=col_labels, y=row_labels, text=text.to_numpy(), texttemplate="%{text}",
        textfont=dict(size=14), colorscale=scale, zmin=0, xgap=2, ygap=2, hoverongaps=False,
        colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=14),
        customdata=[[(r, c) for c in matrix.columns] for r in matrix.index],
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=14), fixedrange=True)
    fig.update_xaxes(side="top", tickangle=-40, tickfont=dict(size=14), fixedrange=True)
    return base_layout(fig, height or 90 + 34 * len(row_labels), plot_bgcolor="#f3f3f3",
                       margin=dict(l=10, r=10, t=150, b=10))
