"""Homicide rates: map for a year, ranking, trends against benchmarks, country profile, table."""
from functools import partial
import streamlit as st

from core import queries, state, tables, ui
from core.figures import homicide as charts
from core.homicide import country_profile, view_table
from core.strings import t

# The series shown (loaders/series.py): the curated one, any imported one, or the latest available edition.
choices = queries.homicide_series_choices()
series_titles = {**dict(zip(choices["series_id"], choices["title"])), queries.LATEST: t("homicide.series_latest")}
state.restore("series", queries.DEFAULT_SERIES, choices=list(series_titles))
if st.session_state["series"] not in series_titles:  # a series whose imports were undone meanwhile
    st.session_state["series"] = queries.DEFAULT_SERIES
SERIES = queries.series_or_default(st.session_state["series"])
first_year, last_year = queries.homicide_year_range(SERIES)
countries = queries.countries()
names = dict(zip(countries["iso3"], countries["name"]))

asked_year = st.query_params.get("year") if "year" not in st.session_state else None
state.restore("year", last_year, int, choices=range(first_year, last_year + 1))
if asked_year is not None and asked_year != str(st.session_state["year"]):  # said once, never silently dropped
    st.session_state["year_not_shown"] = asked_year
if st.session_state["year"] not in range(first_year, last_year + 1):  # another series, another span
    st.session_state["year"] = last_year
state.restore("map", "geographic", choices=["geographic", "tiles"])
state.restore("country", "JAM", choices=list(names))
state.restore("trend", ["JAM", "TTO", "BRB"], choices=list(names), multi=True)
state.restore("since", first_year, int, choices=range(first_year, last_year))
if st.session_state["since"] not in range(first_year, last_year):
    st.session_state["since"] = first_year

ui.title(t("homicide.title"))
st.caption(t("homicide.caption"))
st.selectbox(t("homicide.series"), list(series_titles), format_func=series_titles.get, key="series",
             help=t("homicide.series_help"))
if st.session_state.get("year_not_shown"):
    st.info(t("homicide.year_not_in_series", year=ui.md(st.session_state.pop("year_not_shown")), first=first_year,
              last=last_year))

# One part at a time: only the open tab's charts and tables are built and drawn.
tab, tabs = ui.lazy_tabs("tab", {"map": t("homicide.tab_map"), "trends": t("homicide.trends"),
                                 "table": t("homicide.tab_table")})
in_group = ui.group_iso3()
ceiling = queries.homicide_rate_ceiling()
URL_KEYS = ["series", "year", "map", "country", "trend", "since"]
URL_DEFAULTS = {"series": queries.DEFAULT_SERIES, "year": last_year, "map": "geographic", "country": "JAM",
                "trend": ["JAM", "TTO", "BRB"], "since": first_year}


def year_slider() -> None:
    """The year of the map and the table (the trends have their own span)."""
    st.select_slider(t("homicide.year"), options=list(range(first_year, last_year + 1)), key="year")


def clicked_country() -> None:
    """A click on the map or the ranking selects the country for the profile beside it."""
    for chart_key in ("map_chart", "rank_chart"):  # the map's symbols and its list of islands carry iso3
        event = st.session_state.get(chart_key)
        points = (event or {}).get("selection", {}).get("points", []) if event else []
        clicked = [p.get("customdata") for p in points if p.get("customdata") in names]
        if clicked and st.session_state.get(f"{chart_key}_last") != clicked[0]:
            st.session_state["country"] = st.session_state[f"{chart_key}_last"] = clicked[0]


def finish(footer_sources: set[str]) -> None:
    """The URL (and so the share link) and the sources, written by whichever part ran: a control inside a
    part reruns that part only (st.fragment), not the page."""
    state.publish(URL_KEYS, URL_DEFAULTS)
    ui.footer(sorted(footer_sources))
    ui.part_done()


@st.fragment
def map_part() -> None:
    footer_sources: set[str] = set()
    ui.part_start()
    clicked_country()
    controls = st.columns([3, 1])
    with controls[0]:
        year_slider()
    controls[1].radio(t("homicide.map"), ["geographic", "tiles"], key="map", horizontal=True,
                      format_func={"geographic": t("homicide.map_geographic"), "tiles": t("homicide.map_tiles")}.get,
                      help=t("homicide.map_help"))
    year = st.session_state["year"]
    values = queries.homicide_map_values(year, SERIES)
    shown = values[values["iso3"].isin(in_group)]
    shown_sources = sorted(set(shown["source_id"].dropna()))
    stale = shown[shown["rate_per_100k"].notna() & ~shown["is_current"]]
    build_map = charts.rate_map if st.session_state["map"] == "geographic" else charts.tile_map
    ui.chart(partial(build_map, shown, year, ceiling, selected=st.session_state["country"]), "map_chart",
             shown_sources, f"homicide_map_{year}", on_select="rerun", selection_mode="points")
    if len(stale):
        st.caption(t("homicide.older_values",
                     values=", ".join(f"{ui.md(r.name)} ({int(r.value_year)})" for r in stale.itertuples())))
    ui.source_caption(shown_sources)
    footer_sources |= set(shown_sources)

    left, right = st.columns(2, gap="medium")
    with left:
        ui.chart(partial(charts.ranking_bars, shown, year, ceiling), "rank_chart", shown_sources,
                 f"homicide_ranking_{year}", place="half", on_select="rerun", selection_mode="points")
    with right:
        st.header(t("homicide.profile"))
        st.selectbox(t("common.country"), list(names), format_func=names.get, key="country")
        iso3 = st.session_state["country"]
        country_rows = queries.homicide_series((iso3,), SERIES)
        profile = country_profile(country_rows)
        ui.profile_cards(profile)
        footer_sources |= set(country_rows.loc[country_rows["role"] == "series", "source_id"])
    if len(profile.quotes):
        st.markdown(t("homicide.quotes_heading"))
        headings = {"year": t("homicide.col_year"), "rate_per_100k": t("homicide.col_quoted_rate"),
                    "dataset_value": t("homicide.col_dataset_value"), "difference": t("homicide.col_difference"),
                    "source_title": t("homicide.col_document"), "source_ref": t("homicide.col_where"),
                    "note": t("homicide.col_note")}
        quotes = tables.shown(profile.quotes[list(headings)].rename(columns=headings), {
            headings["year"]: "year", headings["rate_per_100k"]: "rate", headings["dataset_value"]: "rate",
            headings["difference"]: "signed"}, missing={headings["year"]: t("common.not_stated")})
        ui.table(quotes, hide_index=True, width="stretch")
        footer_sources |= set(profile.quotes["source_id"])
    else:
        st.caption(t("homicide.no_quotes", name=ui.md(names[iso3])))
    finish(footer_sources)


@st.fragment
def trends_part() -> None:
    footer_sources: set[str] = set()
    ui.part_start()
    pick = st.columns([3, 2])
    pick[0].multiselect(t("common.countries"), list(names), format_func=names.get, key="trend", max_selections=8,
                        placeholder=t("homicide.choose_countries"))
    pick[1].select_slider(t("homicide.since"), options=list(range(first_year, last_year)), key="since")
    series = queries.homicide_series(tuple(st.session_state["trend"]), SERIES)
    drawn = series[series["role"] != "other"]
    benchmarks = queries.homicide_benchmarks(SERIES)
    trend_sources = sorted(set(drawn["source_id"]) | set(benchmarks["source_id"]))
    ui.chart(partial(charts.trend_lines, drawn, benchmarks, since=st.session_state["since"]), "trend_chart",
             trend_sources, "homicide_trends")
    ui.source_caption(trend_sources)
    footer_sources |= set(trend_sources)
    finish(footer_sources)


@st.fragment
def table_part() -> None:
    footer_sources: set[str] = set()
    ui.part_start()
    year_slider()
    year = st.session_state["year"]
    shown = queries.homicide_map_values(year, SERIES)
    shown = shown[shown["iso3"].isin(in_group)]
    st.header(t("homicide.table", year=year))
    others = queries.homicide_other_source_values(year, SERIES)
    table = view_table(shown, others[others["iso3"].isin(in_group)])
    # The table's own headings and values (core/homicide.py).
    if (table[t("homicide_table.sources_differ")] == t("homicide_table.yes")).any():
        st.info(t("homicide.sources_differ"))
    ui.table(tables.shown(table, {t("homicide_table.rate"): "rate", t("homicide_table.value_year"): "year"}),
                 hide_index=True, width="stretch", height=36 * (len(table) + 1) + 3)
    table_sources = [*shown["source_id"].dropna().unique(), *others["source_id"].unique()]
    ui.downloads(table, f"homicide_rates_{year}", table_sources, key="homicide_table")
    footer_sources |= set(table_sources)

    finish(footer_sources)


with tabs[tab]:
    {"map": map_part, "trends": trends_part, "table": table_part}[tab]()
