"""The Data management page's project edits panel: a form, a preview of the change, apply.

The logic is loaders/project_edits.py (the change's rows, the declared checks, the plan the importer applies);
this is the layout. Everything the editor types is shown back as data (`ui.md`, dataframes), never as HTML.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import ui
from core.db import db_path, query
from core.strings import t
from loaders import formats, lock, project_edits
from loaders.tables import CURRENCIES, THEMES

ACTIONS = project_edits.ACTIONS
KEY = "pe_"  # every widget and state key of the panel starts with it


def labels() -> dict[str, str]:
    """The form's label of each field, in the current language."""
    return {
        "project_id": t("project_form.field_project_id"),
        "name": t("project_form.field_name"),
        "donor": t("project_form.field_donor"),
        "implementer": t("project_form.field_implementer"),
        "countries": t("project_form.field_countries"),
        "areas": t("project_form.field_areas"),
        "start_date": t("project_form.field_start_date"),
        "end_date": t("project_form.field_end_date"),
        "ongoing": t("project_form.field_ongoing"),
        "period_text": t("project_form.field_period_text"),
        "funding": t("project_form.field_funding"),
        "funding_eur": t("project_form.field_funding_eur"),
        "funding_note": t("project_form.field_funding_note"),
        "currency": t("project_form.field_currency"),
        "theme": t("project_form.field_theme"),
        "description": t("project_form.field_description"),
        "threats": t("project_form.field_threats"),
        "threat_rationale": t("project_form.field_threat_rationale"),
        "source": t("project_form.field_source"),
        "source_ref": t("project_form.field_source_ref"),
        "source_title": t("project_form.field_source_title"),
        "source_url": t("project_form.field_source_url"),
        "source_publisher": t("project_form.field_source_publisher"),
        "source_date": t("project_form.field_source_date"),
        "note": t("project_form.field_note"),
        "retired_on": t("project_form.field_retired_on"),
        "retired_reason": t("project_form.field_retired_reason"),
    }


def field_label(name: str | None) -> str:
    """The form's label of a field (a problem names it), or the name itself for one the form does not show."""
    if not name:
        return t("project_form.whole_change")
    return labels().get(name, name)


def show_problems(problems) -> None:
    """Every problem at its field, in one box: a form has few fields, so a list reads better than a table."""
    lines = [t("project_form.problem_line", field=field_label(p.column), message=ui.md(p.message)) for p in problems]
    st.error("\n".join([t("project_form.problems", n=len(problems)), "", *lines]))


def _choices() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    projects = query("SELECT project_id, name, retired_on FROM projects ORDER BY project_id")
    countries = query("SELECT iso3, name FROM countries ORDER BY name")
    threats = query("SELECT threat_id, tier, name FROM threats ORDER BY tier, name")
    sources = query("SELECT source_id, title FROM sources WHERE kind = 'document' ORDER BY title")
    return projects, countries, threats, sources


def _load(action: str, project_id: str | None, threats: pd.DataFrame) -> None:
    """Put the project's values (or empty ones) into the form's widgets, once per chosen project."""
    wanted = (action, project_id)
    if st.session_state.get(KEY + "loaded") == wanted:
        return
    st.session_state[KEY + "loaded"] = wanted
    st.session_state.pop(KEY + "plan", None)
    if project_id:
        values = project_edits.form_values(project_edits.project_rows(project_edits.current_frames(), project_id))
    else:
        values = {"project_id": project_edits.next_free_id(project_edits.current_frames()), "countries": [],
                  "threats": [], "ongoing": False, "currency": "EUR", "source": project_edits.NEW_SOURCE}
    for name in ("project_id", "name", "donor", "implementer", "period_text", "description", "source_title",
                 "source_publisher", "source_url", "source_ref", "note", "retired_reason"):
        st.session_state[KEY + name] = values.get(name) or ""
    for name in ("start_date", "end_date", "source_date"):
        st.session_state[KEY + name] = dt.date.fromisoformat(values[name]) if values.get(name) else None
    st.session_state[KEY + "retired_on"] = dt.date.today()
    st.session_state[KEY + "ongoing"] = bool(values.get("ongoing"))
    st.session_state[KEY + "countries"] = list(values.get("countries") or [])
    st.session_state[KEY + "funding"] = float(values["funding"]) if values.get("funding") else None
    st.session_state[KEY + "currency"] = values.get("currency") or "EUR"
    st.session_state[KEY + "theme"] = values.get("theme") or None
    st.session_state[KEY + "source"] = values.get("source", project_edits.NEW_SOURCE)
    linked = {r["threat_id"]: r["rationale"] for r in values.get("threats") or []}
    for threat_id in threats["threat_id"]:
        st.session_state[KEY + "threat_" + threat_id] = linked.get(threat_id, "")


def _fields(countries: pd.DataFrame, threats: pd.DataFrame, sources: pd.DataFrame, adding: bool) -> None:
    names = dict(zip(countries["iso3"], countries["name"]))
    titles = dict(zip(sources["source_id"], sources["title"]))
    st.text_input(field_label("project_id"), key=KEY + "project_id", disabled=not adding,
                  help=t("project_form.id_help"))
    st.text_input(field_label("name"), key=KEY + "name")
    left, right = st.columns(2)
    left.text_input(field_label("donor"), key=KEY + "donor")
    right.text_input(field_label("implementer"), key=KEY + "implementer")
    st.multiselect(field_label("countries"), list(names), key=KEY + "countries", format_func=names.get)
    start, end, ongoing = st.columns(3)
    start.date_input(field_label("start_date"), key=KEY + "start_date", min_value=dt.date(1990, 1, 1),
                     max_value=dt.date(2100, 12, 31))
    end.date_input(field_label("end_date"), key=KEY + "end_date", min_value=dt.date(1990, 1, 1),
                   max_value=dt.date(2100, 12, 31))
    ongoing.checkbox(field_label("ongoing"), key=KEY + "ongoing")
    st.text_input(field_label("period_text"), key=KEY + "period_text", help=t("project_form.period_help"))
    amount, currency = st.columns([3, 1])
    amount.number_input(field_label("funding"), key=KEY + "funding", min_value=0.0, step=100000.0, format="%.2f",
                        help=t("project_form.funding_help"))
    currency.selectbox(field_label("currency"), CURRENCIES, key=KEY + "currency")
    st.selectbox(field_label("theme"), THEMES, key=KEY + "theme")
    st.text_area(field_label("description"), key=KEY + "description")
    with st.expander(t("project_form.threats_heading"), expanded=True):
        st.caption(t("project_form.threats_help"))
        for row in threats.itertuples():
            # The threat's name is the CCSS's words: source content, shown as written.
            st.text_input(t("project_form.threat_label", tier=row.tier, name=row.name),
                          key=KEY + "threat_" + row.threat_id)
    st.markdown(t("project_form.source_heading"))
    st.selectbox(field_label("source"), [project_edits.NEW_SOURCE, *titles], key=KEY + "source",
                 format_func=lambda s: titles.get(s, t("project_form.new_source")))
    st.text_input(field_label("source_ref"), key=KEY + "source_ref", help=t("project_form.source_ref_help"))
    title, url = st.columns(2)
    title.text_input(field_label("source_title"), key=KEY + "source_title", help=t("project_form.new_source_help"))
    url.text_input(field_label("source_url"), key=KEY + "source_url", help=t("project_form.new_source_help"))
    publisher, day = st.columns(2)
    publisher.text_input(field_label("source_publisher"), key=KEY + "source_publisher",
                         help=t("project_form.new_source_help"))
    day.date_input(field_label("source_date"), key=KEY + "source_date", min_value=dt.date(1990, 1, 1),
                   help=t("project_form.new_source_help"))
    st.text_area(field_label("note"), key=KEY + "note")


def _change(threats: pd.DataFrame) -> dict:
    """The form's values as the change loaders/project_edits.py checks (text, lists)."""
    state = st.session_state

    def day(name: str) -> str:
        value = state.get(KEY + name)
        return value.isoformat() if value else ""

    funding = state.get(KEY + "funding")
    links = [{"threat_id": i, "rationale": state.get(KEY + "threat_" + i, "")} for i in threats["threat_id"]]
    return {
        "project_id": state.get(KEY + "project_id", ""), "name": state.get(KEY + "name", ""),
        "donor": state.get(KEY + "donor", ""), "implementer": state.get(KEY + "implementer", ""),
        "countries": list(state.get(KEY + "countries") or []), "start_date": day("start_date"),
        "end_date": day("end_date"), "ongoing": bool(state.get(KEY + "ongoing")),
        "period_text": state.get(KEY + "period_text", ""),
        "funding": "" if funding is None else project_edits._cell(float(funding)),
        "currency": state.get(KEY + "currency") or "", "theme": state.get(KEY + "theme") or "",
        "description": state.get(KEY + "description", ""),
        "threats": [link for link in links if str(link["rationale"]).strip()],
        "source": state.get(KEY + "source") or project_edits.NEW_SOURCE,
        "source_title": state.get(KEY + "source_title", ""), "source_url": state.get(KEY + "source_url", ""),
        "source_publisher": state.get(KEY + "source_publisher", ""), "source_date": day("source_date"),
        "source_ref": state.get(KEY + "source_ref", ""), "note": state.get(KEY + "note", ""),
        "retired_on": day("retired_on"), "retired_reason": state.get(KEY + "retired_reason", ""),
    }


def _preview(plan: project_edits.ProjectPlan) -> None:
    st.success(t("project_form.valid", title=ui.md(plan.parsed.title)))
    cards = st.columns(3)
    for card, title, count in zip(cards, (t("data.added"), t("data.changed"), t("data.unchanged")),
                                  (plan.added, plan.changed, plan.unchanged)):
        card.metric(title, count)
    for note in plan.notes:
        st.warning(ui.md(note))
    frame = plan.changes.assign(field=plan.changes["field"].map(field_label)).rename(columns={
        "field": t("project_form.col_field"), "before": t("project_form.col_before"),
        "after": t("project_form.col_after")})
    ui.table(frame, hide_index=True, width="stretch")


def panel(editor: str) -> None:
    """The whole panel: choose what to do, fill in, preview, apply."""
    projects, countries, threats, sources = _choices()
    action = st.radio(t("project_form.action"), ACTIONS, key=KEY + "action", horizontal=True,
                      format_func={"add": t("project_form.action_add"), "edit": t("project_form.action_edit"),
                                   "retire": t("project_form.action_retire")}.get)
    project_id = None
    if action != "add":
        listed = projects[projects["retired_on"].isna()] if action == "retire" else projects
        names = dict(zip(listed["project_id"], listed["name"]))
        project_id = st.selectbox(t("project_form.pick"), list(names), key=KEY + "pick", index=None,
                                  format_func=lambda p: f"{p}: {names[p]}")
        if project_id is None:
            return
    _load(action, project_id, threats)
    with st.form(KEY + "form"):
        if action == "retire":
            st.date_input(field_label("retired_on"), key=KEY + "retired_on", max_value=dt.date.today())
            st.text_area(field_label("retired_reason"), key=KEY + "retired_reason")
        else:
            _fields(countries, threats, sources, adding=action == "add")
        previewed = st.form_submit_button(t("project_form.preview"))
    if previewed:
        st.session_state.pop(KEY + "plan", None)
        change = _change(threats)
        if action != "add":
            change["project_id"] = project_id
        try:
            st.session_state[KEY + "plan"] = project_edits.plan(action, change, db_path=db_path())
        except formats.ImportRejected as rejected:
            show_problems(rejected.problems)
            return
    plan = st.session_state.get(KEY + "plan")
    if plan is None:
        return
    _preview(plan)
    if st.button(t("project_form.apply"), type="primary", key=KEY + "apply"):
        try:
            project_edits.apply(plan, editor, db_path=db_path())
        except lock.Busy:
            st.warning(t("data.busy"))
            return
        except formats.ImportRejected as rejected:  # the project changed since the preview
            st.session_state.pop(KEY + "plan", None)
            show_problems(rejected.problems)
            return
        for name in ("plan", "loaded", "pick"):
            st.session_state.pop(KEY + name, None)
        st.cache_data.clear()
        st.session_state["data_flash"] = t("project_form.applied", title=ui.md(plan.parsed.title),
                                           import_id=ui.md(plan.import_id))
        st.rerun()
