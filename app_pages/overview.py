"""Overview: the situation at a glance, each card naming its source and linking to its page."""
import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import format as fmt
from core import kpi, queries, state, ui
from core.figures import homicide as homicide_charts
from core.strings import lang_param, t

TODAY = dt.date.today()


def link(page: str, label: str, **params: str) -> None:
    """Link to another page; plain text where this app has not registered it (st.page_link would raise)."""
    try:
        params = {**params, **lang_param()}  # the link keeps the reader's language
        st.page_link(page, label=label, icon=":material/arrow_forward:", query_params=params or None)
    except StreamlitPageNotFoundError:
        st.caption(t("overview.page_unavailable", label=label))


ui.title(t("overview.title"))
st.caption(t("overview.caption"))

# The homicide series shown: the default one (its newest edition), or the one a link names (?series=).
state.restore("series", queries.DEFAULT_SERIES)
SERIES = queries.series_or_default(st.session_state["series"])
headline = queries.homicide_headline(SERIES).iloc[0]
year = int(headline["year"])
series_link = {} if SERIES == queries.DEFAULT_SERIES else {"series": SERIES}
projects = kpi.active_projects_summary(TODAY.year, TODAY)
kpis, actions, threats = kpi.kpi_coverage(), kpi.action_coverage(TODAY.year), kpi.threat_coverage()

with st.container(border=True):
    st.subheader(t("overview.homicide"))
    above, reporting = int(headline["countries_above_world"]), int(headline["countries_reporting"])
    row = st.columns(3)
    row[0].metric(t("overview.lac_year", year=year), fmt.rate(headline["lac"]))
    row[1].metric(t("overview.world_year", year=year), fmt.rate(headline["world"]))
    row[2].metric(t("overview.above_world_year", year=year), t("common.n_of_total", n=above, total=reporting))
    st.markdown(t("overview.homicide_summary", n=above, total=reporting, year=year))
    ui.source_caption(list(headline["source_ids"]))
    link("app_pages/homicide.py", t("overview.link_homicide"), **series_link)

first, second = st.columns(2, gap="medium")
with first.container(border=True, height="stretch"):
    st.subheader(t("overview.donor_projects"))
    row = st.columns(2)
    row[0].metric(t("overview.active_in", year=TODAY.year), fmt.count(projects["n_active"]),
                  help=t("overview.active_help"))
    row[1].metric(t("common.stated_funding"), fmt.eur_short(projects["funding_eur"], missing=t("overview.none_stated")),
                  help=t("overview.funding_help"))
    st.markdown(t("overview.no_funding_summary", n=int(projects["n_no_funding"]), total=int(projects["n_active"])))
    ui.source_caption(list(projects["source_ids"]))
    link("app_pages/projects.py", t("overview.donor_projects"))
with second.container(border=True, height="stretch"):
    st.subheader(t("overview.kpis"))
    row = st.columns(2)
    row[0].metric(t("overview.with_result"), t("common.n_of_total", n=int(kpis["n_with_results"]),
                                               total=int(kpis["n_kpis"])))
    row[1].metric(t("overview.latest_period"), kpis["latest_period"] or t("common.none_yet"))
    ui.source_caption(["elpaccto_carib_2025", *queries.table_sources(("kpi_results",))])
    link("app_pages/kpi_progress.py", t("overview.link_kpi"))

first, second = st.columns(2, gap="medium")
with first.container(border=True, height="stretch"):
    st.subheader(t("overview.action_plan"))
    row = st.columns(2)
    row[0].metric(t("overview.status_reported"), t("common.n_of_total", n=int(actions["n_reported"]),
                                                   total=int(actions["n_actions"])))
    row[1].metric(t("overview.latest_report"), t("common.none_yet") if pd.isna(actions["latest_as_of"])
                  else fmt.month(actions["latest_as_of"]))
    st.markdown(t("overview.passed_summary", n=int(actions["n_passed"])))
    ui.source_caption(["ccss_2013", *queries.table_sources(("action_status",))])
    link("app_pages/kpi_progress.py", t("overview.link_tracker"), k_view="actions")
with second.container(border=True, height="stretch"):
    st.subheader(t("overview.threats"))
    row = st.columns(2)
    row[0].metric(t("overview.in_tiers", n=int(threats["n_tiers"])), fmt.count(threats["n_threats"]))
    row[1].metric(t("overview.in_tier1"), fmt.count(threats["n_tier1"]))
    # The tiers' likelihood and impact are stored words ('high', 'likely', ...): shown in the reader's words.
    likelihood = {"high": t("overview.likelihood_high"), "likely": t("overview.likelihood_likely"),
                  "low": t("overview.likelihood_low"), "not assessable": t("overview.likelihood_not_assessable")}
    impact = {"high": t("overview.impact_high"), "not assessable": t("overview.impact_not_assessable")}
    st.markdown(t("overview.tier1_summary",
                  likelihood=likelihood.get(threats["tier1_likelihood"], threats["tier1_likelihood"]),
                  impact=impact.get(threats["tier1_impact"], threats["tier1_impact"])))
    ui.source_caption(["ccss_2013"])
    link("app_pages/threats.py", t("overview.link_threats"))

with st.container(border=True):
    values = queries.homicide_map_values(year, SERIES)
    map_sources = sorted(set(values["source_id"].dropna()))
    ui.chart(partial(homicide_charts.rate_map, values, year, queries.homicide_rate_ceiling()), "overview_map",
             map_sources, f"homicide_map_{year}", boxed=True, static=True)
    link("app_pages/homicide.py", t("overview.link_map"), year=str(year), **series_link)

state.publish(["series"], {"series": queries.DEFAULT_SERIES})
ui.footer([*headline["source_ids"], *map_sources, "ccss_2013", "elpaccto_carib_2025", *projects["source_ids"],
           *queries.table_sources(("kpi_results", "action_status"))])
