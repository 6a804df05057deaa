"""Data management (editors only): import statistics and monitoring results, with preview, log and undo."""
import pandas as pd
import streamlit as st

from core import auth, ui
from core.db import connection, db_path
from loaders import formats, importer
from loaders.template import template_bytes



def finish() -> None:
    """End the page (early or not) with its footer: the sources imported so far."""
    ui.footer(list(importer.read_log()["source_id"]))
    st.stop()


st.title("Data management")
st.caption("Import new official homicide statistics and EL PACCTO 2.0 monitoring results. Every import is "
           "checked row by row before anything is written, becomes its own source, is logged, and can be undone.")

stored_hash = auth.configured_hash()
if not stored_hash:
    st.info("Editing is not enabled on this installation, so nothing can be changed here.\n\n"
            "To enable it, make a password hash with `python -m core.auth` and put the line it prints in "
            "`.streamlit/secrets.toml` (never commit that file), or set the environment variable "
            f"`{auth.ENV_VAR}`. Then restart the dashboard.")
    finish()

if not st.session_state.get("editor"):
    with st.form("sign_in"):
        name = st.text_input("Your name (recorded in the import log)")
        password = st.text_input("Editor password", type="password")
        if st.form_submit_button("Sign in"):
            if name.strip() and auth.verify(password, stored_hash):
                st.session_state["editor"] = name.strip()
                st.rerun()
            st.error("Sign-in failed: check the password, and give your name.")
    finish()

editor = st.session_state["editor"]
st.caption(f"Signed in as {ui.md(editor)}.")


def show_problems(problems) -> None:
    st.error(f"Nothing was written: {len(problems)} problem(s) in the file.")
    st.dataframe(pd.DataFrame([{"file": p.file, "row": p.line, "column": p.column or "", "problem": p.message}
                               for p in problems]), hide_index=True, width="stretch")


def import_panel(kind: str, label: str) -> None:
    upload = st.file_uploader(label, type=["csv", "xlsx"], key=f"upload_{kind}")
    if upload is None:
        return
    data = upload.getvalue()
    cache_key = f"plan_{kind}"
    try:
        if st.session_state.get(cache_key, (None,))[0] != (upload.name, len(data), hash(data)):
            st.session_state[cache_key] = ((upload.name, len(data), hash(data)),
                                           importer.plan(data, upload.name, kind, db_path=db_path()))
        plan = st.session_state[cache_key][1]
    except formats.ImportRejected as rejected:
        st.session_state.pop(cache_key, None)
        show_problems(rejected.problems)
        return
    st.success(f"{plan.file_name}: {plan.parsed.format} format from {plan.parsed.publisher}, "
               f"edition {plan.parsed.edition or 'not stated'}. Valid.")
    cards = st.columns(4)
    for card, title, count in zip(cards, ("Added", "Changed", "Unchanged", "Ignored"),
                                  (plan.added, plan.changed, plan.unchanged, plan.ignored)):
        card.metric(title, count)
    if plan.ignored:
        st.caption(f"Ignored: {plan.parsed.ignored_note}.")
    for name, rows in plan.tables.items():
        if len(rows):
            st.markdown(f"**{name}**: {len(rows)} rows (first 200 shown)")
            st.dataframe(rows.drop(columns=["source_id"]).head(200), hide_index=True, width="stretch")
    if st.button("Apply this import", type="primary", key=f"apply_{kind}"):
        importer.apply(plan, editor, db_path=db_path())
        st.session_state.pop(cache_key, None)
        st.cache_data.clear()
        st.success(f"Applied as {plan.import_id}. The dashboard now shows it; undo it from the log below.")


homicide_tab, kpi_tab, log_tab = st.tabs(["Homicide statistics", "KPI results and action statuses", "Import log"])
with homicide_tab:
    st.markdown("Accepted: the UNODC data portal export (`data_cts_intentional_homicide`, CSV or Excel), the "
                "World Bank WDI CSV (`API_VC.IHR.PSRC.P5_DS2_...csv`) and the Our World in Data grapher CSV. "
                "The format is recognised from the content.")
    import_panel("homicide", "Homicide statistics file")
with kpi_tab:
    cursor = connection().cursor()
    try:
        template = template_bytes(cursor)
    finally:
        cursor.close()
    st.download_button("Download the Excel template", template, "kpi_results_template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="template")
    st.caption("One sheet for KPI results, one for action statuses; the 'lists' sheet gives the valid KPI ids, "
               "periods, breakdowns, countries, statuses and actions.")
    import_panel("kpi", "Filled-in template")
with log_tab:
    log = importer.read_log()
    if log.empty:
        st.caption("No import yet.")
    else:
        st.dataframe(log.iloc[::-1], hide_index=True, width="stretch")
        applied = list(log.loc[log["status"] == "applied", "import_id"])[::-1]
        if applied:
            chosen = st.selectbox("Undo an import", applied, key="undo_choice")
            confirm = st.checkbox("I understand this takes the import's rows out of the dashboard", key="undo_ok")
            if st.button("Undo", disabled=not confirm, key="undo"):
                importer.undo(chosen, editor, db_path=db_path())
                st.cache_data.clear()
                st.success(f"Undone {chosen}; its files stay in the audit trail.")
                st.rerun()

finish()
