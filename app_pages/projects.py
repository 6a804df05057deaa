"""Donor projects: who funds what, where, when and how much; filters kept in the URL."""
import datetime as dt
from functools import partial

import streamlit as st

from core import format as fmt
from core import partners, projects, queries, state, tables, ui
from core.figures import projects as charts
from core.strings import t

TODAY = dt.date.today()
names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
donors = projects.slugs(projects.partner_names("donor"))
implementers = projects.slugs(projects.partner_names("implementer"))
themes = projects.slugs(projects.theme_names())
threats = {r.threat_id: t("common.tier_name", tier=r.tier, name=r.name) for r in projects.threat_choices().itertuples()}
first_year, last_year = projects.year_span(TODAY)
years = list(range(first_year, last_year + 1))
ALL_FUNDING = (0.0, projects.funding_ceiling_m())
FUNDING_STEPS = [i / 2 for i in range(int(ALL_FUNDING[1] * 2) + 1)]  # € million, in halves
DEFAULTS = {"p_q": "", "p_country": [], "p_donor": [], "p_impl": [], "p_threat": [], "p_theme": [], "p_year": None,
            "p_fund": ALL_FUNDING, "p_unknown": True, "p_retired": False, "p_map": "count", "p_split": "full"}
CHOICES = {"p_country": names, "p_donor": donors, "p_impl": implementers, "p_threat": threats, "p_theme": themes}
state.restore("p_q", "")
for key, choices in CHOICES.items():
    state.restore(key, [], choices=list(choices), multi=True)
state.restore("p_year", None, int, choices=years)
state.restore("p_fund", ALL_FUNDING, lambda text: projects.snapped(projects.parse_range(text, ALL_FUNDING)))
state.restore("p_unknown", True, projects.parse_flag, choices=[True, False])
state.restore("p_retired", False, projects.parse_flag, choices=[True, False])
state.restore("p_map", "count", choices=["count", "funding"])
state.restore("p_split", "full", choices=["full", "split"])
state.restore("p_project", "")
ui.title(t("projects.title"))
st.caption(t("projects.caption"))


@st.fragment
def projects_part() -> None:
    """Everything the filters change reruns alone when they change (st.fragment), not the page."""
    ui.part_start()
    in_group = ui.group_iso3()
    # A click on a country of the map filters the projects to it.
    points = ((st.session_state.get("p_map_chart") or {}).get("selection") or {}).get("points", [])
    clicked = [p.get("customdata") for p in points if p.get("customdata") in names]
    if clicked and st.session_state.get("p_map_last") != clicked[0]:
        st.session_state["p_country"] = [clicked[0]]
        st.session_state["p_map_last"] = clicked[0]
    st.session_state["p_country"] = [c for c in st.session_state["p_country"] if c in in_group]

    with st.container(border=True):
        top = st.columns([3, 2, 2, 3])
        any_ = t("projects.any")
        top[0].text_input(t("projects.search"), key="p_q", placeholder=t("projects.search_placeholder"))
        top[1].multiselect(t("common.country"), list(in_group), format_func=names.get, key="p_country", placeholder=any_)
        top[2].multiselect(t("common.donor"), list(donors), format_func=lambda k: partners.display_name(donors[k]),
                           key="p_donor", placeholder=any_)
        top[3].multiselect(t("common.implementer"), list(implementers),
                           format_func=lambda k: partners.display_name(implementers[k]), key="p_impl",
                           placeholder=any_)
        low = st.columns([3, 2, 2, 3])
        low[0].multiselect(t("projects.threat"), list(threats), format_func=threats.get, key="p_threat", placeholder=any_)
        low[1].multiselect(t("projects.theme"), list(themes), format_func=themes.get, key="p_theme", placeholder=any_)
        low[2].selectbox(t("common.active_in_year"), [None, *years], key="p_year", placeholder=t("projects.any_year"),
                         format_func=lambda y: t("projects.any_year") if y is None else str(y),
                         help=t("projects.year_help"))
        # A slider of the steps, written by core/format.py: a slider's own format cannot write "12,5". `value`
        # says it is a range (Streamlit reads a select slider's kind from it); the URL's range in the state wins.
        low[3].select_slider(t("projects.funding"), FUNDING_STEPS, value=ALL_FUNDING, key="p_fund",
                             format_func=lambda v: fmt.number(v, 1), help=t("projects.funding_help"))
        flags = st.columns(2)
        flags[0].checkbox(t("projects.unknown"), key="p_unknown", help=t("projects.unknown_help"))
        flags[1].checkbox(t("projects.retired"), key="p_retired", help=t("projects.retired_help"))

    s = st.session_state
    year, narrowed = s["p_year"], s["p_fund"] != ALL_FUNDING
    view = projects.explore(projects.Filters(
        s["p_q"], tuple(s["p_country"]), tuple(donors[k] for k in s["p_donor"]),
        tuple(implementers[k] for k in s["p_impl"]), tuple(s["p_threat"]), tuple(themes[k] for k in s["p_theme"]),
        year, s["p_fund"] if narrowed else None, s["p_unknown"], in_group, TODAY,
        s["p_retired"]))
    listings, totals = view.listings, view.totals
    sources = sorted(set(listings["source_id"])) or list(queries.table_sources(("projects",)))

    cards = st.columns(4)
    cards[0].metric(t("common.projects"), totals["n_projects"], help=t("projects.projects_help"))
    cards[1].metric(t("common.stated_funding"),
                    projects.euro(totals["funding_eur"]) if totals["n_projects"] else t("projects.none"))
    cards[2].metric(t("projects.no_funding"), totals["n_no_funding"], help=t("projects.no_funding_help"))
    cards[3].metric(t("projects.period_unknown"), totals["n_no_dates"])
    st.caption(projects.view_notes(listings, year, narrowed))

    opts = st.columns([2, 3, 3])
    opts[0].radio(t("projects.map_shows"), ["count", "funding"], key="p_map", horizontal=True,
                  format_func={"count": t("common.number_of_projects"), "funding": t("common.stated_funding")}.get)
    opts[1].radio(t("projects.split"), ["full", "split"], key="p_split", horizontal=True,
                  format_func={"full": t("projects.split_full"), "split": t("projects.split_split")}.get)
    split = s["p_split"] == "split"

    # One part at a time: only the open tab's charts and tables are built and drawn.
    tab, tabs = ui.lazy_tabs("p_tab", {"where": t("projects.where"), "funders": t("projects.who_funds"),
                                       "when": t("projects.when"), "implementers": t("projects.who_implements"),
                                       "list": t("projects.tab_list")})
    with tabs[tab]:
        if tab == "where":
            shown = view.by_country[view.by_country["iso3"].isin(in_group)]
            ui.chart(partial(charts.project_map, shown, s["p_map"], split, tuple(s["p_country"])), "p_map_chart",
                     sources, f"projects_map_{s['p_map']}_{s['p_split']}", on_select="rerun", selection_mode="points")
            no_country = int(listings["iso3s"].isna().sum())
            st.caption(t("projects.where_caption_split", n=no_country) if split
                       else t("projects.where_caption_full", n=no_country))
            by_country = projects.country_table(shown, split)
            ui.table(tables.shown(by_country), hide_index=True, width="stretch",
                         height=36 * (len(by_country) + 1) + 3)
        elif tab == "funders":
            ui.chart(partial(charts.funding_bars, view.by_donor, "donor", split), "p_donor_chart", sources,
                     f"projects_funding_by_donor_{s['p_split']}")
        elif tab == "implementers":
            ui.chart(partial(charts.funding_bars, view.by_implementer, "implementer", split), "p_impl_chart", sources,
                     f"projects_funding_by_implementer_{s['p_split']}")
        elif tab == "when":
            dated, undated = projects.timeline_rows(listings)
            if len(dated):
                ui.chart(partial(charts.timeline, dated, TODAY), "p_timeline", sources, "projects_timeline")
            backwards = dated[dated["end_date"] < dated["start_date"]]
            notes = [t("projects.backwards", project=ui.md(r.project_id), period=ui.md(r.period_text)) for r in backwards.itertuples()]
            st.caption(" ".join([t("projects.when_caption"), *notes]))
            st.markdown(t("projects.undated", n=len(undated)))
            # Column names as core/projects.py's view_table writes them.
            ui.table(tables.shown(projects.view_table(undated, None)[[
                t("projects_table.id"), t("common.project"), t("projects_table.period_as_written"), t("common.donor"),
                t("common.implementer")]]), hide_index=True, width="stretch")
        ui.source_caption(sources)

    ids = list(listings["project_id"])
    if s["p_project"] not in ids:
        s["p_project"] = ids[0] if ids else ""
    if tab == "list":
        with tabs[tab]:
            st.subheader(t("projects.table", n=len(listings)))
            table = projects.view_table(listings, year)  # headings from core/projects.py, as above
            not_stated = t("common.not_stated")
            ui.table(tables.shown(table, {t("common.funding_eur"): "eur", t("projects_table.start"): "date",
                                              t("projects_table.end"): "date"}, missing={
                             t("projects_table.start"): not_stated, t("projects_table.end"): not_stated,
                             t("common.funding_eur"): not_stated}),
                         hide_index=True, width="stretch", key="p_table", on_select="rerun",
                         selection_mode="single-row",
                         column_config={t("projects_table.description"): st.column_config.TextColumn(width="large")})
            ui.downloads(table, "donor_projects", sources, key="projects_table")

            st.subheader(t("projects.detail"))
            picked = (s.get("p_table") or {}).get("selection", {}).get("rows", [])
            if picked and picked[0] < len(ids) and s.get("p_table_last") != ids[picked[0]]:
                s["p_project"] = s["p_table_last"] = ids[picked[0]]
            if ids:
                label = dict(zip(listings["project_id"], listings["project_id"] + "  " + listings["name"]))
                st.selectbox(t("projects.pick"), ids, format_func=label.get, key="p_project")
                detail = projects.detail_markdown(s["p_project"], ui.md)
                st.markdown(detail["title"])
                cols = st.columns(2)
                cols[0].markdown(detail["fields"])
                cols[1].markdown(detail["places"])
                st.markdown(detail["threats"])
                st.markdown(detail["source"])
                st.caption(detail["note"])
            else:
                st.info(t("projects.no_match"))

    state.publish([*DEFAULTS, "p_project"], {**DEFAULTS, "p_project": ids[0] if ids else ""})
    ui.footer(sources)
    ui.part_done()


projects_part()
