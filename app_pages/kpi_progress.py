"""KPI progress: EL PACCTO 2.0's KPIs and OBIs, and the CCSS action-plan tracker."""
import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from core import demo, kpi, queries, state, tables, ui
from core.figures import kpi as charts
from core.strings import t

VIEWS = ("kpis", "obis", "actions")
PLAN = "elpaccto_carib_2025"
THIS_YEAR = dt.date.today().year
RESULT_SOURCES = [PLAN, *queries.table_sources(("kpi_results",))]


def view_label(view: str) -> str:
    return {"kpis": t("kpi.view_kpis"), "obis": t("kpi.view_obis"), "actions": t("kpi.view_actions")}[view]


def no_result() -> None:
    st.markdown(f":material/hourglass_empty: {t('kpi.no_result')}")


split_periods = kpi.breakdown_periods()
state.restore("k_view", "kpis", choices=list(VIEWS))
state.restore("k_period", split_periods[-1] if split_periods else None, choices=split_periods)
state.restore("k_party", [], choices=kpi.responsible_parties(), multi=True)
state.restore("k_frame", [], choices=kpi.time_frames(), multi=True)

ui.title(t("kpi.title"))


def in_pairs(rows: list, draw) -> None:
    """Indicators with nothing to chart, two to a row, so the list stays short on a projector."""
    for i in range(0, len(rows), 2):
        for column, row in zip(st.columns(2), rows[i:i + 2]):
            with column.container(border=True, height="stretch"):
                draw(row)


def kpi_heading(row) -> None:
    st.markdown(f"**{row.kpi_id}: {ui.md(row.title)}**")
    disaggregation = t("kpi.no_disaggregation") if pd.isna(row.disaggregation) else row.disaggregation
    unit = t("common.not_stated") if pd.isna(row.unit) else row.unit
    st.caption(t("kpi.unit_line", unit=ui.md(unit), disaggregation=ui.md(disaggregation)))
    if row.n_results == 0:
        no_result()


def show_results(row, totals, breakdowns) -> set[str]:
    """One KPI with results: actual against target per period, trend, and the chosen period's breakdowns."""
    with st.container(border=True):
        kpi_heading(row)
        if totals.empty:
            st.caption(t("kpi.no_regional_total"))
        else:
            # One chart per KPI at first; its trend and breakdowns are built when opened (the page stays quick
            # to draw with many KPIs reporting).
            ui.chart(partial(charts.bullet_chart, totals, row.unit, title=t("kpi.bullet_title", kpi=row.kpi_id)),
                     f"k_bullet_{row.kpi_id}", RESULT_SOURCES, f"{row.kpi_id}_vs_target", boxed=True)
            if len(totals) > 1:
                box, is_open = ui.lazy_expander(t("kpi.trend_open"), key=f"k_trend_open_{row.kpi_id}")
                if is_open:
                    with box:
                        ui.chart(partial(charts.trend_chart, totals, row.unit,
                                         title=t("kpi.trend_title", kpi=row.kpi_id)),
                                 f"k_trend_{row.kpi_id}", RESULT_SOURCES, f"{row.kpi_id}_trend", boxed=True)
        period = st.session_state["k_period"]
        if len(breakdowns):
            box, is_open = ui.lazy_expander(t("kpi.breakdowns", period=period), key=f"k_open_{row.kpi_id}")
            if is_open:
                with box:
                    ui.chart(partial(charts.breakdown_bars, breakdowns, row.unit,
                                     title=t("kpi.breakdown_title", kpi=row.kpi_id, period=period)),
                             f"k_break_{row.kpi_id}", RESULT_SOURCES, f"{row.kpi_id}_breakdown", boxed=True)
        elif period:
            st.caption(t("kpi.no_breakdown", period=ui.md(period)))
        used = set(totals["source_id"]) | set(breakdowns["source_id"])
        ui.source_caption(sorted(used))
    return used


def show_kpis() -> set[str]:
    kpis, totals, periods = kpi.kpi_list(), kpi.kpi_totals(), kpi.kpi_periods()
    st.caption(t("kpi.kpis_caption"))
    cards = st.columns(3)
    cards[0].metric(t("kpi.with_result"), t("common.n_of_total", n=int((kpis["n_results"] > 0).sum()), total=len(kpis)))
    cards[1].metric(t("kpi.latest_period"), periods[-1] if periods else t("common.none_yet"))
    if split_periods:
        cards[2].selectbox(t("kpi.breakdown_period"), split_periods, key="k_period")
    breakdowns = kpi.kpi_breakdowns(st.session_state["k_period"] or "")
    breakdowns = breakdowns[breakdowns["iso3"].isna() | breakdowns["iso3"].isin(ui.group_iso3())]
    used = {PLAN}
    for _, members in kpis.groupby("group_order", sort=True):
        st.subheader(members["group_name"].iloc[0])
        waiting = []  # consecutive KPIs without results, drawn in pairs
        for row in members.itertuples():
            if row.n_results == 0:
                waiting.append(row)
                continue
            in_pairs(waiting, kpi_heading)
            waiting = []
            used |= show_results(row, totals[totals["kpi_id"] == row.kpi_id],
                                 breakdowns[breakdowns["kpi_id"] == row.kpi_id])
        in_pairs(waiting, kpi_heading)
    ui.source_caption([PLAN])
    results = kpi.kpi_results_table()
    if len(results):
        st.subheader(t("kpi.all_results"))
        shown, result_sources = results.drop(columns="source_id"), sorted(set(results["source_id"]))
        ui.table(tables.shown(shown), hide_index=True, width="stretch")
        ui.source_caption(result_sources)
        ui.downloads(shown, "kpi_results", result_sources, "k_results")
    return used


def obi_kind(row) -> str:
    if row.kind == "qualitative":
        return t("kpi.obi_kind_qualitative")
    return t("kpi.obi_kind_both") if row.assessment else t("kpi.obi_kind_quantitative")


def obi_card(row) -> None:
    st.markdown(f"**{row.obi_id}: {ui.md(row.title)}**")
    st.caption(obi_kind(row))
    no_result()


def show_obi_results(row, results: pd.DataFrame) -> None:
    """One OBI with results: its value against the baseline by period (regional figures), the latest
    assessment in words, and every report."""
    with st.container(border=True):
        st.markdown(f"**{row.obi_id}: {ui.md(row.title)}**")
        st.caption(obi_kind(row))
        regional = results[results["iso3"].isna() & results["value"].notna()]
        if len(regional):
            latest_unit = regional["unit"].dropna().iloc[-1] if regional["unit"].notna().any() else None
            if latest_unit:
                st.caption(t("kpi.obi_unit", unit=ui.md(latest_unit)))
            totals = (regional.sort_values("as_of").groupby("period", as_index=False).last()
                      .rename(columns={"baseline": "target"}))
            ui.chart(partial(charts.bullet_chart, totals[["period", "value", "target"]], None,
                             title=t("kpi.obi_chart_title", obi=row.obi_id), reference="baseline"),
                     f"o_bullet_{row.obi_id}", [PLAN, *sorted(set(results["source_id"]))], f"{row.obi_id}_vs_baseline",
                     boxed=True)
        said = results[results["assessment"].notna()].sort_values(["period", "as_of"])
        if len(said):
            last = said.iloc[-1]
            where = last["country"] if isinstance(last["country"], str) else t("kpi_table.regional")
            st.markdown(t("kpi.obi_latest_assessment", period=ui.md(last["period"]), where=ui.md(where)))
            st.markdown("> " + ui.md(last["assessment"]))
        box, is_open = ui.lazy_expander(t("kpi.obi_history", n=len(results)), key=f"o_open_{row.obi_id}")
        if is_open:
            with box:
                history = results.assign(country=results["country"].fillna(t("kpi_table.regional")))
                ui.table(tables.shown(history[["period", "country", "value", "unit", "baseline", "assessment",
                                               "as_of", "source_title"]].rename(columns={
                    "period": t("kpi.col_period"), "country": t("common.country"), "value": t("kpi.col_value"),
                    "unit": t("kpi.col_unit"), "baseline": t("kpi.col_baseline"),
                    "assessment": t("kpi.col_assessment"), "as_of": t("kpi.col_as_of"),
                    "source_title": t("kpi_table.source")}),
                    {t("kpi.col_value"): "number", t("kpi.col_baseline"): "number", t("kpi.col_as_of"): "date"},
                    missing={t("kpi.col_value"): "", t("kpi.col_baseline"): ""}), hide_index=True, width="stretch")
        ui.source_caption(sorted(set(results["source_id"])))


def show_obis() -> set[str]:
    st.caption(t("kpi.obis_caption"))
    results = kpi.obi_results()
    for criterion, members in kpi.obi_list().groupby("criterion", sort=False):
        st.subheader(criterion)
        waiting = []
        for row in members.itertuples():
            if row.n_results == 0:
                waiting.append(row)
                continue
            in_pairs(waiting, obi_card)
            waiting = []
            show_obi_results(row, results[results["obi_id"] == row.obi_id])
        in_pairs(waiting, obi_card)
    ui.source_caption([PLAN])
    return {PLAN, *results["source_id"]}


def show_actions() -> set[str]:
    st.caption(t("kpi.actions_caption"))
    left, right = st.columns(2)
    left.multiselect(t("kpi.party"), kpi.responsible_parties(), key="k_party", placeholder=t("kpi.all_parties"),
                     help=t("kpi.party_help"))
    right.multiselect(t("kpi.time_frame"), kpi.time_frames(), key="k_frame", placeholder=t("kpi.all_time_frames"),
                      format_func=lambda frame: t("common.not_stated") if frame == kpi.NO_FRAME else frame)
    filters = (tuple(st.session_state["k_party"]), tuple(st.session_state["k_frame"]), THIS_YEAR)
    shares, actions = kpi.with_shares(kpi.goal_status_shares(*filters)), kpi.tracker_actions(*filters)
    cards = st.columns(3)
    cards[0].metric(t("kpi.actions_shown"), t("common.n_of_total", n=len(actions),
                                              total=int(kpi.action_coverage(THIS_YEAR)["n_actions"])))
    cards[1].metric(t("kpi.with_status"), t("common.n_of_total", n=int(shares["n_reported"].sum()), total=len(actions)))
    cards[2].metric(t("kpi.passed"), int(actions["time_frame_passed"].sum()), help=t("kpi.passed_help", year=THIS_YEAR))
    used = {"ccss_2013"} | set(actions["status_source_id"].dropna())
    if actions.empty:
        st.info(t("kpi.no_action"))
        return used
    ui.chart(partial(charts.goal_status_bars, shares, title=t("kpi.goal_chart_title")), "k_goal_chart",
             ["ccss_2013", *queries.table_sources(("action_status",))], "ccss_action_plan_status")
    ui.source_caption(sorted(used))
    for goal in shares[shares["n_actions"] > 0].itertuples():
        label = t("kpi.goal_one" if goal.n_actions == 1 else "kpi.goal_other", goal=goal.goal_no, title=goal.title,
                  n=goal.n_actions, reported=goal.n_reported)
        if goal.time_frame_passed:
            label = t("kpi.goal_passed", label=label, n=goal.time_frame_passed, flag=kpi.passed_flag())
        # Each goal's actions are built when its expander is opened, not all 107 on every visit.
        box, is_open = ui.lazy_expander(label, key=f"k_goal_{goal.goal_no}")
        if is_open:
            table = kpi.action_table(actions[actions["goal_no"] == goal.goal_no])
            box.table(table, hide_index=True)  # a static table wraps long actions: readable on a projector
            if demo.is_on():
                box.caption(demo.label())
    hidden = shares.loc[shares["n_actions"] == 0, "goal_no"].tolist()
    if hidden:
        st.caption(t("kpi.hidden_goals", goals=", ".join(map(str, hidden))))
    ui.downloads(kpi.action_table(actions).assign(**{t("kpi.col_goal"): actions["goal_no"].to_numpy()}),
                 "ccss_action_plan",
                 sorted(used), "k_actions")
    return used


@st.fragment
def view_part() -> None:
    """The view and its filters rerun this part alone (st.fragment), not the page."""
    ui.part_start()
    st.radio(t("kpi.view"), list(VIEWS), format_func=view_label, key="k_view", horizontal=True,
             label_visibility="collapsed")
    shown_sources = {"kpis": show_kpis, "obis": show_obis, "actions": show_actions}[st.session_state["k_view"]]()
    state.publish(["k_view", "k_period", "k_party", "k_frame"],
                  {"k_view": "kpis", "k_period": split_periods[-1] if split_periods else None, "k_party": [],
                   "k_frame": []})
    ui.footer(sorted(shown_sources))
    ui.part_done()


view_part()
