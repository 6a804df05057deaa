"""Overview: the situation at a glance, each card naming its source and linking to its page."""
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core import kpi, queries, ui
from core.figures import homicide as homicide_charts

SOURCE = queries.PRIMARY_HOMICIDE_SOURCE
TODAY = dt.date.today()


def link(page: str, label: str, **params: str) -> None:
    """Link to another page; plain text where this app has not registered it (st.page_link would raise)."""
    try:
        st.page_link(page, label=label, icon=":material/arrow_forward:", query_params=params or None)
    except StreamlitPageNotFoundError:
        st.caption(f"{label} (page not available in this app)")


def euro(amount: float) -> str:
    return "none stated" if amount != amount else f"€{amount / 1e6:,.1f}M"  # NaN: nothing stated


st.title("Caribbean security cooperation at a glance")
st.caption("Headline figures for all 16 countries served (the sidebar's country group applies on the detail "
           "pages). Every card names its source; follow its link for detail.")

headline = queries.homicide_headline(SOURCE).iloc[0]
year = int(headline["year"])
projects = kpi.active_projects_summary(TODAY.year, TODAY)
kpis, actions, threats = kpi.kpi_coverage(), kpi.action_coverage(TODAY.year), kpi.threat_coverage()
cards, side = st.columns(2, gap="medium")

with cards.container(border=True):
    st.subheader("Homicide")
    row = st.columns(3)
    row[0].metric(f"Latin America & Caribbean, {year}", f"{headline['lac']:.1f}")
    row[1].metric(f"World, {year}", f"{headline['world']:.1f}")
    row[2].metric(f"Above the world rate, {year}",
                  f"{int(headline['countries_above_world'])} of {int(headline['countries_reporting'])}")
    st.markdown(f"Homicides per 100,000 population. {int(headline['countries_above_world'])} of the "
                f"{int(headline['countries_reporting'])} countries reporting for {year} are above the world rate.")
    ui.source_caption([SOURCE])
    link("app_pages/homicide.py", "Homicide rates: map, ranking, trends")

top = cards.columns(2)
with top[0].container(border=True, height="stretch"):
    st.subheader("Donor projects")
    row = st.columns([2, 3])
    row[0].metric(f"Active in {TODAY.year}", int(projects["n_active"]),
                  help="Active: the execution period overlaps the year; a project the documents call ongoing "
                       "counts until today; a project listed twice counts once.")
    row[1].metric("Stated funding", euro(projects["funding_eur"]),
                  help="Sum of the amounts the documents state for the active projects, in euro.")
    st.markdown(f"{int(projects['n_no_funding'])} of the {int(projects['n_active'])} active projects state no "
                "funding.")
    ui.source_caption(list(projects["source_ids"]))
    link("app_pages/projects.py", "Donor projects")
with top[1].container(border=True, height="stretch"):
    st.subheader("EL PACCTO 2.0 KPIs")
    row = st.columns(2)
    row[0].metric("With a result", f"{int(kpis['n_with_results'])} of {int(kpis['n_kpis'])}")
    row[1].metric("Latest period", kpis["latest_period"] or "none yet")
    ui.source_caption(["elpaccto_carib_2025", *queries.table_sources(("kpi_results",))])
    link("app_pages/kpi_progress.py", "KPI progress")
with cards.container(border=True):
    st.subheader("CCSS action plan")
    row = st.columns(2)
    row[0].metric("Status reported", f"{int(actions['n_reported'])} of {int(actions['n_actions'])}")
    row[1].metric("Latest report", "none yet" if pd.isna(actions["latest_as_of"])
                  else f"{pd.Timestamp(actions['latest_as_of']):%b %Y}")
    st.markdown(f"{int(actions['n_passed'])} actions: time frame passed, no status reported.")
    ui.source_caption(["ccss_2013", *queries.table_sources(("action_status",))])
    link("app_pages/kpi_progress.py", "Action-plan tracker", k_view="actions")

with side.container(border=True):
    st.subheader(f"Homicide rates, {year}")
    values = queries.homicide_map_values(year, SOURCE)
    fig = homicide_charts.rate_map(values, year, queries.homicide_rate_ceiling(), height=470)
    fig.update_xaxes(range=(-92, -35))  # room for the small islands' labels in a half-width column
    st.plotly_chart(fig, key="overview_map", config={"displaylogo": False, "staticPlot": True})
    ui.source_caption([SOURCE])
    link("app_pages/homicide.py", "Open the map")

with side.container(border=True):
    st.subheader("CCSS threats")
    row = st.columns(2)
    row[0].metric(f"In {int(threats['n_tiers'])} tiers", int(threats["n_threats"]))
    row[1].metric("In tier 1", int(threats["n_tier1"]))
    st.markdown(f"Tier 1: {threats['tier1_likelihood']} probability, {threats['tier1_impact']} impact.")
    ui.source_caption(["ccss_2013"])
    link("app_pages/threats.py", "Threat tiers")

ui.footer([SOURCE, "ccss_2013", "elpaccto_carib_2025", *projects["source_ids"],
           *queries.table_sources(("kpi_results", "action_status"))])
