"""Pieces every page shares: the global sidebar filters, source captions, the footer, downloads."""
from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import present, queries, state
from core.export import to_csv_bytes, to_excel_bytes

COUNTRY_GROUPS = {
    "all": "All 16 countries",
    "caricom": "CARICOM members",
    "elpaccto": "EL PACCTO 2.0 partners",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


def md(text: object) -> str:
    """Escape text from the data so that Markdown shows it literally (never as links or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def md_table(frame: pd.DataFrame) -> str:
    """A Markdown table with every cell escaped: prints as a plain table that flows across pages."""
    def cell(value) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) else md(value).replace("\n", " ")
    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def global_filters() -> None:
    """Sidebar filters shared by every page (kept in the URL)."""
    state.restore("group", "all", choices=list(COUNTRY_GROUPS))
    with st.sidebar:
        st.selectbox("Countries", list(COUNTRY_GROUPS), format_func=COUNTRY_GROUPS.get, key="group",
                     help="Which of the 16 countries the rankings, tables and totals include.")
    state.publish(["group"], {"group": "all"})


def group_iso3() -> tuple[str, ...]:
    """The iso3 codes of the country group chosen in the sidebar."""
    countries = queries.countries()
    group = st.session_state.get("group", "all")
    if group == "caricom":
        countries = countries[countries["is_caricom_member"]]
    elif group == "elpaccto":
        countries = countries[countries["in_elpaccto"]]
    return tuple(countries["iso3"])


def source_caption(source_ids: Sequence[str]) -> None:
    """One line under a chart or table: which sources it shows."""
    found = queries.sources(tuple(source_ids))
    names = "; ".join(f"{row.title} ({row.publisher})" for row in found.itertuples())
    st.caption(f"Source: {md(names)}" if names else "Source: not reported")


def footer(source_ids: Sequence[str]) -> None:
    """Every page ends with the sources of what it shows and the data date."""
    st.divider()
    found = queries.sources(tuple(sorted(set(source_ids))))
    lines = [f"- **{md(r.title)}**, {md(r.publisher)}"
             f"{'' if pd.isna(r.year) else ', ' + str(int(r.year))}. {md(r.citation)}"
             for r in found.itertuples()]
    as_of = queries.data_as_of()
    st.caption("**Sources of this page**\n\n" + "\n".join(lines))
    st.caption(f"Data as of {as_of:%d %B %Y}" if as_of is not None else "Data as of: not reported")


def downloads(frame: pd.DataFrame, name: str, source_ids: Sequence[str], key: str) -> None:
    """CSV and Excel downloads of a table; the Excel file carries an About sheet with the sources."""
    found = queries.sources(tuple(source_ids))
    as_of = queries.data_as_of()
    about = [("table", name)] + [("source", f"{r.title} ({r.publisher}). {r.citation}") for r in found.itertuples()]
    about.append(("data as of", f"{as_of:%Y-%m-%d}" if as_of is not None else "not reported"))
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Download CSV", to_csv_bytes(frame), f"{name}.csv", "text/csv", key=f"{key}_csv")
    right.download_button("Download Excel", to_excel_bytes(frame, name, about), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")


PRESENT_SCALE = 1.4  # text and height in presentation mode, for the back of the room


def chart(fig: go.Figure, key: str, source_ids: Sequence[str], name: str, **kwargs):
    """Show a Plotly figure: source and data date stamped on it (so a PNG export carries them),
    PNG export named after it, larger text in presentation mode. Returns the selection event."""
    found = queries.sources(tuple(source_ids))
    as_of = queries.data_as_of()
    stamp = f"Source: {'; '.join(dict.fromkeys(found['publisher']))}" if len(found) else "Source: not reported"
    stamp += f" · data as of {as_of:%d %b %Y}" if as_of is not None else ""
    bottom = fig.layout.margin.b if fig.layout.margin.b is not None else 10
    fig.add_annotation(text=stamp, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       yshift=-bottom - 4, showarrow=False, font=dict(size=12, color="#595959"))
    fig.update_layout(margin_b=bottom + 24)
    if present.is_on():
        fig.update_layout(font_size=(fig.layout.font.size or 14) * PRESENT_SCALE,
                          height=int((fig.layout.height or 450) * 1.15))
        for trace in fig.data:
            size = getattr(getattr(trace, "textfont", None), "size", None)
            if isinstance(size, (int, float)):
                trace.textfont.size = size * PRESENT_SCALE
        # Explicit sizes (ticks, legend) do not follow font_size: scale them too.
        fig.for_each_xaxis(lambda a: a.tickfont.size and a.update(tickfont_size=a.tickfont.size * PRESENT_SCALE))
        fig.for_each_yaxis(lambda a: a.tickfont.size and a.update(tickfont_size=a.tickfont.size * PRESENT_SCALE))
        if fig.layout.legend.font.size:
            fig.update_layout(legend_font_size=fig.layout.legend.font.size * PRESENT_SCALE)
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
              "toImageButtonOptions": {"format": "png", "scale": 2,
                                       "filename": f"{name}_{as_of:%Y-%m-%d}" if as_of is not None else name}}
    return st.plotly_chart(fig, key=key, config=config, **kwargs)


def view_link(url: str | None, params: dict[str, str]) -> str:
    """The current page's address with its filters as query parameters."""
    parts = urlsplit(url or "http://localhost:8501/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))


def share_control(page_path: str, packable: Sequence[str]) -> None:
    """Sidebar: the link to this exact view (st.code has a copy button); save it for a decision pack."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("present", "seq")}
    with st.sidebar.expander("Copy link to this view"):
        st.code(view_link(st.context.url, params), language=None, wrap_lines=True)
        st.caption("Opens this page with the same filters.")
    if page_path in packable:
        saved = st.session_state.setdefault("pack_views", [])
        view = (page_path, tuple(params.items()))
        if st.sidebar.button("Add this view to the decision pack", key="pack_add", disabled=view in saved,
                             width="stretch"):
            saved.append(view)
            st.sidebar.caption(f"Saved: {len(saved)} view(s) in the pack.")


def profile_cards(profile) -> None:
    """Latest homicide rate and its change over 5 and 10 years (a core.homicide.CountryProfile)."""
    cards = st.columns(3)
    if profile.latest_year is None:
        cards[0].metric("Latest rate", "not reported")
    else:
        cards[0].metric(f"Latest rate ({profile.latest_year})", f"{profile.latest_rate:.1f}",
                        help="Victims of intentional homicide per 100,000 population.")
    for card, label, change in ((cards[1], "5 years", profile.change_5y), (cards[2], "10 years", profile.change_10y)):
        card.metric(f"Change over {label}", "not available" if change is None else f"{change:+.1f}",
                    help="Difference in rate per 100,000 from the value that many years before the latest year.")
