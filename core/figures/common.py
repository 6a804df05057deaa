"""Shared look of every figure: colours, fonts, layout defaults."""
from __future__ import annotations

import functools

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

# Sequential, lightness-monotonic (reads in greyscale and for colour-blind viewers).
RATE_COLORSCALE = "YlOrRd"
NO_DATA_FILL = "#f2f2f2"
CONTEXT_FILL = "#e3e3e3"
OUTLINE = "#4d4d4d"
# Okabe-Ito: distinguishable for the common forms of colour blindness.
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#1f1f1f")


def rate_color(rate: float | None, ceiling: float) -> str:
    if rate is None or rate != rate:  # None or NaN
        return NO_DATA_FILL
    return sample_colorscale(RATE_COLORSCALE, [min(max(rate / ceiling, 0.0), 1.0)])[0]


def base_layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    layout = dict(height=height, font=FONT, margin=dict(l=10, r=10, t=40, b=10),
                  paper_bgcolor="white", plot_bgcolor="white", hoverlabel=dict(font_size=15))
    fig.update_layout(**{**layout, **kwargs})  # a page's own settings win
    return fig


def esc(text: str) -> str:
    """Text from the data shown literally by Plotly, which renders <a>, <b>, <br> and other tags in
    every label, hover text and annotation: escape & < > as HTML entities (Plotly shows them as
    the characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped(value):
    if isinstance(value, pd.DataFrame):
        texts = [c for c in value.columns if value[c].dtype == object or pd.api.types.is_string_dtype(value[c])]
        if not texts:
            return value
        out = value.copy()
        for col in texts:
            out[col] = out[col].map(lambda v: esc(v) if isinstance(v, str) else v)
        return out
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return type(value)(esc(v) for v in value)
    return value


def text_is_data(builder):
    """For a figure builder: every text of its data arguments (string columns of DataFrames, lists of
    labels) reaches the figure escaped. Plain string arguments (ids, units, modes) pass as they are."""
    @functools.wraps(builder)
    def escaping(*args, **kwargs):
        return builder(*map(_escaped, args), **{k: _escaped(v) for k, v in kwargs.items()})
    return escaping
