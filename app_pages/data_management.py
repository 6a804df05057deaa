"""Data management (editors only): import statistics and monitoring results, with preview, log and undo."""
import math

import pandas as pd
import streamlit as st

from core import auth, messages, project_form, tables, ui
from core import format as fmt
from core.db import connection, db_path
from core.strings import t
from core.throttle import Throttle
from loaders import compare, formats, importer, lock
from loaders.series import SERIES_BY_ID
from loaders.template import template_bytes


def finish() -> None:
    """End the page (early or not) with its footer: the sources imported so far."""
    ui.footer(list(importer.read_log()["source_id"]))
    st.stop()


ui.title(t("data.title"))
st.caption(t("data.caption"))

stored_hash = auth.configured_hash()
if not stored_hash:
    st.info(t("data.not_enabled", env_var=auth.ENV_VAR))
    finish()

if not st.session_state.get("editor"):
    with st.form("sign_in"):
        name = st.text_input(t("data.your_name"))
        password = st.text_input(t("data.password"), type="password")
        if st.form_submit_button(t("data.sign_in")):
            throttle = Throttle(st.context.ip_address, st.session_state.setdefault("sign_in_failures", []))
            wait, locked = throttle.wait()
            if wait > 0:  # too soon after a failure: the password is not even checked
                st.error(t("data.sign_in_locked", minutes=math.ceil(wait / 60)) if locked
                         else t("data.sign_in_wait", seconds=math.ceil(wait)))
            elif name.strip() and auth.verify(password, stored_hash):
                throttle.succeeded()
                st.session_state["editor"] = name.strip()
                st.rerun()
            else:
                throttle.failed(name)
                st.error(t("data.sign_in_failed"))
    finish()

editor = st.session_state["editor"]
st.caption(t("data.signed_in", name=ui.md(editor)))
if st.session_state.get("data_flash"):
    st.success(st.session_state.pop("data_flash"))


def show_problems(problems) -> None:
    st.error(t("data.problems", n=len(problems)))
    frame = pd.DataFrame([{t("data.col_file"): p.file, t("data.col_row"): p.line,
                           t("data.col_column"): p.column or "",
                           t("data.col_problem"): messages.text(p.message)} for p in problems])
    ui.table(tables.shown(frame, {t("data.col_row"): "count"}, missing={t("data.col_row"): t("data.whole_file")}),
                 hide_index=True, width="stretch")


def import_panel(kind: str, label: str) -> None:
    upload = st.file_uploader(label, type=["csv", "xlsx", "xls", "zip"] if kind == "homicide" else ["xlsx"],
                              key=f"upload_{kind}")
    if upload is None:
        return
    data = upload.getvalue()
    fingerprint = (upload.name, len(data), hash(data))
    if st.session_state.get(f"file_{kind}") != fingerprint:  # a new file: earlier answers were for another one
        st.session_state[f"file_{kind}"] = fingerprint
        for answer in (f"series_{kind}", f"edition_{kind}"):
            st.session_state.pop(answer, None)
    series, edition = st.session_state.get(f"series_{kind}"), st.session_state.get(f"edition_{kind}")
    cache_key = f"plan_{kind}"
    wanted = (fingerprint, series, edition)
    try:
        if st.session_state.get(cache_key, (None,))[0] != wanted:
            options = {"series": series, "edition": edition.isoformat() if edition else None} if kind == "homicide" else {}
            st.session_state[cache_key] = (wanted, importer.plan(data, upload.name, kind, db_path=db_path(), **options))
        plan = st.session_state[cache_key][1]
    except formats.SeriesNeeded as needed:
        st.session_state.pop(cache_key, None)
        show_problems(needed.problems)
        st.selectbox(t("data.series_choice"), list(needed.choices), index=None, key=f"series_{kind}",
                     format_func=lambda s: SERIES_BY_ID[s].title)
        return
    except formats.ImportRejected as rejected:
        st.session_state.pop(cache_key, None)
        show_problems(rejected.problems)
        return
    preview(plan, kind)
    if st.button(t("data.apply"), type="primary", key=f"apply_{kind}"):
        try:
            importer.apply(plan, editor, db_path=db_path())
        except lock.Busy:
            st.warning(t("data.busy"))
            return
        except formats.ImportRejected as rejected:  # the data changed since the preview
            st.session_state.pop(cache_key, None)
            show_problems(rejected.problems)
            return
        st.session_state.pop(cache_key, None)
        st.cache_data.clear()
        st.success(t("data.applied", import_id=ui.md(plan.import_id)))


def preview(plan, kind: str) -> None:
    """What the import would do, told truly: its series and edition, the counts at the precision shown, how it
    was read, where it disagrees with what the dashboard shows now, its rows."""
    parsed = plan.parsed
    # The file's name and what it says of itself are data: shown literally, never as Markdown.
    st.success(t("data.valid", file=ui.md(plan.file_name), format=parsed.format, publisher=ui.md(parsed.publisher),
                 edition=ui.md(parsed.edition or t("common.not_stated"))))
    if parsed.series_id:
        st.markdown(t("data.series_line", series=ui.md(SERIES_BY_ID[parsed.series_id].title),
                      edition=parsed.edition_date or t("common.not_stated")))
    if kind == "homicide" and (not parsed.edition_date or st.session_state.get(f"edition_{kind}")):
        st.date_input(t("data.edition_date"), value=None, key=f"edition_{kind}", help=t("data.edition_help"))
    cards = st.columns(4)
    for card, title, count in zip(cards, (t("data.added"), t("data.changed"), t("data.unchanged"), t("data.ignored")),
                                  (plan.added, plan.changed, plan.unchanged, plan.ignored)):
        card.metric(title, count)
    st.caption(t("data.changed_help"))
    if plan.ignored:
        st.caption(t("data.ignored_note", note=messages.text(parsed.ignored_note)))
    for note in plan.notes:  # the importer's notes (loaders/messages.py), in the reader's language
        st.warning(ui.md(messages.text(note)))
    if parsed.series_id:
        differences(plan)
    for name, rows in plan.tables.items():
        if len(rows) and name != "dataset_editions":
            st.markdown(t("data.rows", table=name, n=len(rows)))
            ui.table(tables.shown(rows.drop(columns=["source_id"]).head(200)), hide_index=True, width="stretch")


def differences(plan) -> None:
    found, threshold = plan.differences, fmt.rate(compare.DIFFERENCE_THRESHOLD)
    compared = plan.comparison.compared
    if found.empty:
        st.caption(t("data.no_differences", compared=compared, threshold=threshold))
        return
    st.markdown(t("data.differences", compared=compared, n=len(found), threshold=threshold))
    headings = {"place": t("data.col_place"), "year": t("data.col_year"), "new_value": t("data.col_new"),
                "shown_value": t("data.col_shown"), "difference": t("data.col_difference"),
                "shown_source": t("data.col_shown_source")}
    found = found.assign(shown_source=[t("data.shown_source", publisher=publisher, edition=edition)
                                       for publisher, edition in zip(found["shown_publisher"], found["shown_edition"])])
    frame = found[list(headings)].rename(columns=headings)
    ui.table(tables.shown(frame, {headings["year"]: "year", headings["new_value"]: "rate",
                                      headings["shown_value"]: "rate", headings["difference"]: "signed"}),
                 hide_index=True, width="stretch")


homicide_tab, kpi_tab, project_tab, log_tab = st.tabs([t("data.tab_homicide"), t("data.tab_kpi"),
                                                      t("data.tab_projects"), t("data.tab_log")])
with homicide_tab:
    st.markdown(t("data.homicide_formats"))
    import_panel("homicide", t("data.homicide_file"))
with kpi_tab:
    cursor = connection().cursor()
    try:
        template = template_bytes(cursor)
    finally:
        cursor.close()
    st.download_button(t("data.template"), template, "kpi_results_template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="template")
    st.caption(t("data.template_caption"))
    import_panel("kpi", t("data.kpi_file"))
with project_tab:
    st.caption(t("project_form.caption"))
    project_form.panel(editor)
with log_tab:
    log = importer.read_log()
    if log.empty:
        st.caption(t("data.no_import"))
    else:
        # What an editor looks for first (when, what, by whom, its status) on the left; the file's hash last.
        first = ["imported_at", "status", "import_id", "kind", "file_name", "imported_by", "added", "changed",
                 "unchanged", "ignored", "undone_at", "undone_by", "format", "source_id", "sha256"]
        ui.table(tables.shown(log.iloc[::-1][[c for c in first if c in log.columns]]), hide_index=True,
                     width="stretch", column_config={"sha256": st.column_config.TextColumn(width="small")})
        applied = list(log.loc[log["status"] == "applied", "import_id"])[::-1]
        if applied:
            chosen = st.selectbox(t("data.undo_choice"), applied, key="undo_choice")
            confirm = st.checkbox(t("data.undo_confirm"), key="undo_ok")
            if st.button(t("data.undo"), disabled=not confirm, key="undo"):
                try:
                    importer.undo(chosen, editor, db_path=db_path())
                except lock.Busy:
                    st.warning(t("data.busy"))
                    finish()
                except importer.UndoRefused as refused:
                    st.error(ui.md(refused))
                    finish()
                st.cache_data.clear()
                # Said on the next run too: the rerun below redraws the page without the undone import.
                st.session_state["data_flash"] = t("data.undone", import_id=ui.md(chosen))
                st.rerun()

finish()
