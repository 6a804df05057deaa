"""Donor projects: who funds what, where, when and how much; filters kept in the URL."""
import datetime as dt

import streamlit as st

from core import projects, queries, state, ui
from core.figures import projects as charts

TODAY = dt.date.today()
names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
donors = projects.slugs(projects.partner_names("donor"))
implementers = projects.slugs(projects.partner_names("implementer"))
themes = projects.slugs(projects.theme_names())
threats = {r.threat_id: f"Tier {r.tier}: {r.name}" for r in projects.threat_choices().itertuples()}
first_year, last_year = projects.year_span(TODAY)
years = list(range(first_year, last_year + 1))
ALL_FUNDING = (0.0, projects.funding_ceiling_m())
DEFAULTS = {"p_q": "", "p_country": [], "p_donor": [], "p_impl": [], "p_threat": [], "p_theme": [], "p_year": None,
            "p_fund": ALL_FUNDING, "p_unknown": True, "p_map": "count", "p_split": "full"}
CHOICES = {"p_country": names, "p_donor": donors, "p_impl": implementers, "p_threat": threats, "p_theme": themes}
state.restore("p_q", "")
for key, choices in CHOICES.items():
    state.restore(key, [], choices=list(choices), multi=True)
state.restore("p_year", None, int, choices=years)
state.restore("p_fund", ALL_FUNDING, lambda text: projects.parse_range(text, ALL_FUNDING))
state.restore("p_unknown", True, projects.parse_flag, choices=[True, False])
state.restore("p_map", "count", choices=["count", "funding"])
state.restore("p_split", "full", choices=["full", "split"])
state.restore("p_project", "")
in_group = ui.group_iso3()
# A click on a country of the map filters the projects to it.
points = ((st.session_state.get("p_map_chart") or {}).get("selection") or {}).get("points", [])
clicked = [p.get("customdata") for p in points if p.get("customdata") in names]
if clicked and st.session_state.get("p_map_last") != clicked[0]:
    st.session_state["p_country"] = [clicked[0]]
    st.session_state["p_map_last"] = clicked[0]
st.session_state["p_country"] = [c for c in st.session_state["p_country"] if c in in_group]

st.title("Donor projects")
st.caption("Donor and cooperation programmes named in the source documents: who funds and implements them, "
           "where, when, and how much. Filters combine; the link in the address bar keeps them.")
with st.container(border=True):
    top = st.columns([3, 2, 2, 3])
    top[0].text_input("Search name and description", key="p_q", placeholder="e.g. firearms, police, cyber")
    top[1].multiselect("Country", list(in_group), format_func=names.get, key="p_country", placeholder="any")
    top[2].multiselect("Donor", list(donors), format_func=donors.get, key="p_donor", placeholder="any")
    top[3].multiselect("Implementer", list(implementers), format_func=implementers.get, key="p_impl",
                       placeholder="any")
    low = st.columns([3, 2, 2, 3])
    low[0].multiselect("CCSS threat", list(threats), format_func=threats.get, key="p_threat", placeholder="any")
    low[1].multiselect("Theme", list(themes), format_func=themes.get, key="p_theme", placeholder="any")
    low[2].selectbox("Active in year", [None, *years], key="p_year", placeholder="any year",
                     format_func=lambda y: "any year" if y is None else str(y),
                     help="A project is active in every year its period overlaps; an ongoing one until today.")
    low[3].slider("Stated funding, € million", *ALL_FUNDING, key="p_fund", step=0.5, format="%.1f",
                  help="Once narrowed, projects that state no amount are left out.")
    st.checkbox("Include projects whose period is unknown", key="p_unknown",
                help="Their dates are not stated, so no year filter can place them.")

s = st.session_state
year, narrowed = s["p_year"], s["p_fund"] != ALL_FUNDING
view = projects.explore(projects.Filters(
    s["p_q"], tuple(s["p_country"]), tuple(donors[k] for k in s["p_donor"]),
    tuple(implementers[k] for k in s["p_impl"]), tuple(s["p_threat"]), tuple(themes[k] for k in s["p_theme"]),
    year, s["p_fund"] if narrowed else None, s["p_unknown"], in_group, TODAY))
listings, totals = view.listings, view.totals
sources = sorted(set(listings["source_id"])) or list(queries.table_sources(("projects",)))

cards = st.columns(4)
cards[0].metric("Projects", totals["n_projects"], help="Each project counted once, even where listed twice.")
cards[1].metric("Stated funding", projects.euro(totals["funding_eur"]) if totals["n_projects"] else "none")
cards[2].metric("Projects with no stated funding", totals["n_no_funding"],
                help="Not in the funding total: the total is not complete.")
cards[3].metric("Period unknown", totals["n_no_dates"])
st.caption(projects.view_notes(listings, year, narrowed))

st.subheader("Where")
opts = st.columns([2, 3, 3])
opts[0].radio("Map shows", ["count", "funding"], key="p_map", horizontal=True,
              format_func={"count": "Number of projects", "funding": "Stated funding"}.get)
opts[1].radio("A project naming several countries gives", ["full", "split"], key="p_split", horizontal=True,
              format_func={"full": "its full amount to each", "split": "an amount split evenly"}.get)
split = s["p_split"] == "split"
shown = view.by_country[view.by_country["iso3"].isin(in_group)]
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.project_map(shown, s["p_map"], split, tuple(s["p_country"])), "p_map_chart", sources,
             f"projects_map_{s['p_map']}_{s['p_split']}", on_select="rerun", selection_mode="points")
with right:
    by_country = projects.country_table(shown, split)
    st.dataframe(by_country, hide_index=True, width="stretch", height=36 * (len(by_country) + 1) + 3)
no_country = int(listings["iso3s"].isna().sum())
st.caption(f"Projects naming each country; click a country to filter to it. Funding: "
           f"{'each amount split evenly among' if split else 'the full amount of a project to each of'} the "
           f"dashboard countries it names; projects that state no amount are counted beside the total, not in it "
           f"('–' on the map: projects, none stating an amount). "
           f"{no_country} listings name no dashboard country (regional or elsewhere) and are not on the map.")
ui.source_caption(sources)

st.subheader("Who funds")
ui.chart(charts.funding_bars(view.by_donor, "donor", split), "p_donor_chart", sources,
         f"projects_funding_by_donor_{s['p_split']}")
ui.source_caption(sources)

st.subheader("When")
dated, undated = projects.timeline_rows(listings)
if len(dated):
    ui.chart(charts.timeline(dated, TODAY), "p_timeline", sources, "projects_timeline")
backwards = dated[dated["end_date"] < dated["start_date"]]
st.caption("Hatched bars: ongoing, drawn to today. Each project once." + "".join(
    f" {r.project_id}: the source prints an end before the start ({r.period_text}); drawn as printed."
    for r in backwards.itertuples()))
st.markdown(f"**Period unknown: {len(undated)} projects** (no dates in the source; not on the timeline)")
st.dataframe(projects.view_table(undated, None)[["ID", "Project", "Period as written", "Donor", "Implementer"]],
             hide_index=True, width="stretch")
ui.source_caption(sources)

st.subheader("Who implements")
ui.chart(charts.funding_bars(view.by_implementer, "implementer", split), "p_impl_chart", sources,
         f"projects_funding_by_implementer_{s['p_split']}")
ui.source_caption(sources)

st.subheader(f"Table: {len(listings)} listings")
table = projects.view_table(listings, year)
st.dataframe(table, hide_index=True, width="stretch", key="p_table", on_select="rerun",
             selection_mode="single-row", column_config={
                 "Funding (EUR)": st.column_config.NumberColumn(format="€%,.0f"),
                 "Description": st.column_config.TextColumn(width="large")})
ui.downloads(table, "donor_projects", sources, key="projects_table")

st.subheader("Project detail")
ids = list(listings["project_id"])
picked = (s.get("p_table") or {}).get("selection", {}).get("rows", [])
if picked and picked[0] < len(ids) and s.get("p_table_last") != ids[picked[0]]:
    s["p_project"] = s["p_table_last"] = ids[picked[0]]
if s["p_project"] not in ids:
    s["p_project"] = ids[0] if ids else ""
if ids:
    label = dict(zip(listings["project_id"], listings["project_id"] + "  " + listings["name"]))
    st.selectbox("Project (or select a row of the table)", ids, format_func=label.get, key="p_project")
    detail = projects.detail_markdown(s["p_project"], ui.md)
    st.markdown(detail["title"])
    cols = st.columns(2)
    cols[0].markdown(detail["fields"])
    cols[1].markdown(detail["places"])
    st.markdown(detail["threats"])
    st.markdown(detail["source"])
    st.caption(detail["note"])
else:
    st.info("No project matches these filters.")

state.publish([*DEFAULTS, "p_project"], {**DEFAULTS, "p_project": ids[0] if ids else ""})
ui.footer(sources)
