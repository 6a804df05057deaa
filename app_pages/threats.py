"""Threat tiers: the CCSS matrix, where cooperation projects meet each threat, and the gaps."""
from functools import partial

import streamlit as st

from core import geo, partners, queries, state, tables, threats, ui
from core.figures import threats as charts
from core.strings import t

CCSS = "ccss_2013"
PROJECT_SOURCES = ["elpaccto_carib_2025", "impacs_projects", "eu_celac_drugs_2019"]
ANY = "any"
country_names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
threat_table = threats.threats()
threat_names = dict(zip(threat_table["threat_id"], threat_table["name"]))
first_year, this_year = threats.project_years()
donors = threats.donors()

state.restore("t_year", ANY, lambda v: v if v == ANY else int(v), choices=[ANY, *range(first_year, this_year + 1)])
state.restore("t_donor", ANY, choices=[ANY, *donors])
state.restore("t_country", ANY, choices=[ANY, *country_names])
state.restore("t_threat", "toc_drugs_guns", choices=list(threat_names))
state.restore("t_dim", "country", choices=["country", "donor"])
state.restore("t_value", "n_projects", choices=["n_projects", "funding_eur"])
state.restore("t_cell", ANY)



def clicked(chart_key: str) -> bool:
    """A click on the matrix or a coverage cell selects the threat (and the cell) for the panels; True when
    it changed the threat or the cell."""
    points = ((st.session_state.get(chart_key) or {}).get("selection") or {}).get("points", [])
    picked = points[0].get("customdata") if points else None
    if not picked or st.session_state.get(f"{chart_key}_last") == picked:
        return False
    st.session_state[f"{chart_key}_last"] = picked
    threat_id, cell = (picked, None) if isinstance(picked, str) else picked
    if threat_id not in threat_names:
        return False
    st.session_state["t_threat"] = threat_id
    st.session_state["t_cell"] = cell or ANY
    if cell:  # a coverage cell: open the projects behind it
        st.session_state["t_tab_tabs"] = t("threats.behind_header")
    return True


clicked("tier_chart")
clicked("coverage_chart")
URL_KEYS = ["t_year", "t_donor", "t_country", "t_threat", "t_dim", "t_value", "t_cell"]
URL_DEFAULTS = {"t_year": ANY, "t_donor": ANY, "t_country": ANY, "t_threat": "toc_drugs_guns", "t_dim": "country",
                "t_value": "n_projects", "t_cell": ANY}

ui.title(t("threats.title"))
st.caption(t("threats.caption"))

left, right = st.columns([3, 2])
with left:
    ui.chart(partial(charts.tier_matrix, threat_table, threats.tiers(), st.session_state["t_threat"]), "tier_chart", [CCSS],
             "ccss_threat_tiers", place="wide", on_select="rerun", selection_mode="points")
    ui.source_caption([CCSS])
with right:
    st.selectbox(t("common.threat"), list(threat_names), format_func=threat_names.get, key="t_threat")
    threat = threat_table.set_index("threat_id").loc[st.session_state["t_threat"]]
    st.subheader(t("common.tier_name", tier=threat.tier, name=threat.tier_name))
    st.write(threat.description)
    st.caption(t("threats.ccss_ref", ref=ui.md(threat.source_ref)))
    answers = threats.threat_answers(st.session_state["t_threat"])
    headings = {"goal_no": t("threats.col_goal"), "priority_no": t("threats.col_priority"),
                "area": t("threats.col_area"), "title": t("threats.col_title"), "pillar": t("threats.col_pillar"),
                "commitments": t("threats.col_commitments"), "rationale": t("threats.col_rationale")}
    parts = {"goals": (t("threats.goals"), ["goal_no", "title", "rationale"]),
             "priorities": (t("threats.priorities"), ["priority_no", "title", "rationale"]),
             "us_areas": (t("threats.us_areas"), ["area", "pillar", "commitments", "rationale"])}
    answer, answer_tabs = ui.lazy_tabs("t_answers", {part: label for part, (label, _) in parts.items()})
    with answer_tabs[answer]:
        frame = answers[answer]
        st.markdown(f"**{parts[answer][0]}** ({len(frame)})")
        if frame.empty:
            st.caption(t("threats.none_answers"))
        else:
            ui.table(tables.shown(frame[parts[answer][1]].rename(columns=headings)), hide_index=True,
                         width="stretch")

@st.fragment
def coverage_part() -> None:
    """Where projects meet each threat: its filters rerun this part alone (st.fragment)."""
    ui.part_start()
    if clicked("coverage_chart"):  # a cell picks a threat: the panels above change too
        st.rerun(scope="app")
    st.header(t("threats.coverage_header"))
    filters = st.columns(5)
    filters[0].selectbox(t("common.active_in_year"), [ANY, *range(this_year, first_year - 1, -1)], key="t_year",
                         format_func=lambda v: t("threats.any_year") if v == ANY else str(v))
    filters[1].selectbox(t("common.donor"), [ANY, *donors], key="t_donor",
                         format_func=lambda v: t("threats.all_donors") if v == ANY else partners.display_name(v))
    filters[2].selectbox(t("common.country"), [ANY, *country_names], key="t_country",
                         format_func=lambda v: t("threats.all_countries") if v == ANY else country_names[v])
    filters[3].radio(t("threats.columns"), ["country", "donor"], key="t_dim", horizontal=True,
                     format_func={"country": t("common.countries"), "donor": t("threats.donors")}.get)
    filters[4].radio(t("threats.cell_value"), ["n_projects", "funding_eur"], key="t_value", horizontal=True,
                     format_func={"n_projects": t("common.number_of_projects"), "funding_eur": t("common.funding_eur")}.get)
    chosen = {k: (None if st.session_state[f"t_{k}"] == ANY else st.session_state[f"t_{k}"])
              for k in ("year", "donor", "country")}
    args = dict(year=chosen["year"], donor=chosen["donor"], iso3=chosen["country"])
    dimension, value = st.session_state["t_dim"], st.session_state["t_value"]

    if dimension == "country":
        in_group = set(ui.group_iso3())
        columns = [iso for iso in country_names if iso in in_group]
        col_labels = [geo.short_name(iso, country_names[iso]) for iso in columns]
    else:
        columns = list(donors)
        col_labels = [partners.display_name(d) for d in donors]

    # One part at a time: only the open tab's chart or tables are built and drawn.
    part, part_tabs = ui.lazy_tabs("t_tab", {"coverage": t("threats.tab_coverage"), "gaps": t("threats.tab_gaps"),
                                             "behind": t("threats.behind_header")})
    with part_tabs[part]:
        if part == "coverage":
            cells = threats.coverage(dimension, **args)
            row_labels = [t("threats.row_label", tier=r.tier, name=r.name) for r in threat_table.itertuples()]
            matrix = threats.coverage_matrix(cells, threat_table, columns, value)
            unfunded = threats.coverage_matrix(cells, threat_table, columns, "n_unfunded")
            ui.chart(partial(charts.coverage_heatmap, matrix, row_labels, col_labels, value, unfunded),
                     "coverage_chart", PROJECT_SOURCES, f"threat_coverage_{dimension}_{value}",
                     on_select="rerun", selection_mode="points")
            st.caption(t("threats.coverage_caption"))
            ui.source_caption(PROJECT_SOURCES)

        elif part == "gaps":
            st.header(t("threats.gaps_header"))
            gap_list = threats.gaps(**args)
            ui.table(tables.shown(gap_list.drop(columns="threat_id").rename(columns={
                "tier": t("common.tier"), "threat": t("common.threat"), "funding_eur": t("common.stated_funding_eur"),
                "n_countries": t("threats.countries_reached"), "n_projects": t("common.projects"),
                "n_unfunded": t("threats.projects_no_amount")}), {t("common.stated_funding_eur"): "eur"}),
                hide_index=True, width="stretch")

        else:
            st.header(t("threats.behind_header"))
            cell_options = [ANY, *columns]
            if st.session_state["t_cell"] not in cell_options:
                st.session_state["t_cell"] = ANY
            st.caption(t("threats.behind_caption", threat=ui.md(threat_names[st.session_state["t_threat"]])))
            st.selectbox(t("common.country") if dimension == "country" else t("common.donor"), cell_options, key="t_cell",
                         format_func=lambda v: (t("threats.all") if v == ANY else country_names.get(v, v)))
            drill_threat = st.session_state["t_threat"]
            cell = None if st.session_state["t_cell"] == ANY else st.session_state["t_cell"]
            behind = threats.cell_projects(drill_threat, dimension, cell, **args)
            if behind.empty:
                st.info(t("threats.gap"))
            else:
                not_stated = t("common.not_stated")
                ui.table(tables.shown(behind.drop(columns="project_id").rename(columns={
                    "name": t("threats.col_name"), "donor": t("common.donor"), "implementer": t("common.implementer"),
                    "countries": t("common.countries"), "period": t("common.period"), "funding_eur": t("common.funding_eur"),
                    "rationale": t("threats.col_rationale")}), {t("common.funding_eur"): "eur"},
                    missing={t("common.donor"): not_stated, t("common.implementer"): not_stated,
                             t("common.countries"): not_stated, t("common.period"): not_stated,
                             t("common.funding_eur"): not_stated}), hide_index=True, width="stretch")
                ui.downloads(behind, f"projects_{drill_threat}", PROJECT_SOURCES, key="threat_cell")
    state.publish(URL_KEYS, URL_DEFAULTS)
    ui.part_done()


coverage_part()
ui.footer([CCSS, *PROJECT_SOURCES, "us_carib_plan_2017"])
