"""Project edits (loaders/project_edits.py, the Data management page's Projects tab): add, edit, retire, undo."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import auth
from loaders import build, formats, importer, project_edits
from loaders.build import CURATED_DIR
from loaders.tables import PROJECT_TABLES, THEMES

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a long editor passphrase"
N_CURATED = 63  # projects in data/curated/projects.csv

NEW = {
    "project_id": "PRJ-01", "name": "EU Caribbean justice phase III", "donor": "EU", "implementer": "FIIAPP",
    "countries": ["JAM", "TTO"], "start_date": "2026-01-01", "end_date": "2028-12-31", "ongoing": False,
    "funding": "12000000", "currency": "EUR", "theme": "Justice and courts",
    "description": "Supports criminal courts and prosecutors.",
    "threats": [{"threat_id": "gangs", "rationale": "criminal courts -- prosecution of organised crime groups"}],
    "source": project_edits.NEW_SOURCE, "source_title": "EU press release on the third phase",
    "source_url": "https://example.org/press/phase-3", "source_publisher": "European Commission",
    "source_date": "2026-11-30", "source_ref": "paragraph 2", "note": "",
}


@pytest.fixture
def data(tmp_path, built_db, monkeypatch):
    """A private database copy and imports folder (the curated files are only read)."""
    db = tmp_path / "dashboard.duckdb"
    shutil.copyfile(built_db, db)
    imports = tmp_path / "imports"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_IMPORTS", str(imports))
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password(PASSWORD, iterations=1000))
    st.cache_data.clear()
    yield {"db_path": db, "imports_dir": imports, "curated_dir": CURATED_DIR}
    st.cache_data.clear()


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    with build.read_only(db) as con:
        return con.execute(sql, params).fetchall()


def project_tables(db: Path) -> dict[str, list[tuple]]:
    """Every row of the four project tables and of sources, sorted: the state a change and its undo are judged by."""
    return {name: sorted(rows(db, f"SELECT * FROM {name}"), key=repr) for name in (*PROJECT_TABLES, "sources")}


def change(data, action: str, values: dict) -> project_edits.ProjectPlan:
    plan = project_edits.plan(action, values, **data)
    project_edits.apply(plan, "Ana", **data)
    return plan


def edit_values(data, project_id: str) -> dict:
    frames = project_edits.current_frames(data["curated_dir"], data["imports_dir"])
    return project_edits.form_values(project_edits.project_rows(frames, project_id))


def files_digest(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- add, edit, retire, undo ------------------------------------------------------------------------------

def test_add_leaves_exactly_the_expected_rows(data):
    before = project_tables(data["db_path"])
    plan = change(data, "add", NEW)
    after = project_tables(data["db_path"])
    db = data["db_path"]
    assert rows(db, "SELECT count(*) FROM projects") == [(N_CURATED + 1,)]
    assert rows(db, """SELECT name, donor, implementer, period_text, start_date, end_date, ongoing, funding_eur,
                              funding_text, theme, retired_on, source_id, source_ref FROM projects
                       WHERE project_id = 'PRJ-01'""") == [
        ("EU Caribbean justice phase III", "EU", "FIIAPP", "2026-01-01 – 2028-12-31", dt.date(2026, 1, 1),
         dt.date(2028, 12, 31), False, 12000000.0, "EUR 12,000,000", "Justice and courts", None, plan.import_id,
         "paragraph 2")]
    assert rows(db, "SELECT iso3 FROM project_countries WHERE project_id = 'PRJ-01' ORDER BY iso3") == [("JAM",), ("TTO",)]
    assert rows(db, "SELECT threat_id, rationale FROM project_threats WHERE project_id = 'PRJ-01'") == [
        ("gangs", "criminal courts -- prosecution of organised crime groups")]
    assert rows(db, "SELECT title, publisher, year, kind, file, accessed FROM sources WHERE source_id = ?",
                [plan.import_id]) == [("EU press release on the third phase", "European Commission", 2026, "document",
                                       "https://example.org/press/phase-3", dt.date(2026, 11, 30))]
    # Nothing else moved: every other row is as it was.
    for name in PROJECT_TABLES:
        assert [r for r in after[name] if r[0] != "PRJ-01"] == before[name]
    assert [r for r in after["sources"] if r[0] != plan.import_id] == before["sources"]
    entry = importer.read_log(data["imports_dir"]).iloc[0]
    assert (entry["kind"], entry["format"], entry["file_name"], entry["imported_by"], entry["status"]) == (
        "project", "project_add", "add PRJ-01", "Ana", "applied")
    assert (entry["added"], entry["changed"]) == ("4", "0")  # the project, two countries, one threat link
    folder = data["imports_dir"] / plan.import_id
    assert sorted(p.name for p in folder.iterdir()) == ["change.json", "project_areas.csv", "project_countries.csv",
                                                        "project_threats.csv", "projects.csv", "sources.csv"]
    assert json.loads((folder / "change.json").read_text())["action"] == "add"


def test_edit_replaces_the_projects_rows_and_nothing_else(data):
    before = project_tables(data["db_path"])
    values = edit_values(data, "EPA-02")
    assert values["funding"] == "6000000" and len(values["threats"]) == 2
    values.update(funding="6500000", threats=values["threats"][:1], countries=values["countries"] + ["HTI"])
    plan = change(data, "edit", values)
    db = data["db_path"]
    assert list(plan.changes["field"]) == ["funding", "funding_eur", "countries", "threats"]
    assert rows(db, "SELECT count(*) FROM projects") == [(N_CURATED,)]
    assert rows(db, "SELECT funding_eur, funding_text, name, source_id FROM projects WHERE project_id = 'EPA-02'") == [
        (6500000.0, "EUR 6,500,000", "SEACOP VI", "elpaccto_carib_2025")]
    assert rows(db, "SELECT threat_id FROM project_threats WHERE project_id = 'EPA-02'") == [("toc_drugs_guns",)]
    assert ("EPA-02", "HTI") in [r[:2] for r in rows(db, "SELECT project_id, iso3 FROM project_countries")]
    after = project_tables(db)
    for name in PROJECT_TABLES:  # other projects untouched
        assert [r for r in after[name] if r[0] != "EPA-02"] == [r for r in before[name] if r[0] != "EPA-02"]
    assert after["sources"] == before["sources"]  # it cites a document the data holds: no new source
    # The areas the form does not show are kept, and so is the citation of every link the edit keeps.
    for name in ("project_areas", "project_countries", "project_threats"):
        kept = [r for r in before[name] if r[0] == "EPA-02"]
        assert set(kept) - {r for r in before["project_threats"] if r[1] == "gangs"} <= set(after[name])
    assert plan.added == 1 and plan.changed == 1 and plan.notes  # HTI added; the project changed; a link removed


def test_retire_keeps_the_row_marked_with_the_date_and_the_reason(data):
    before = project_tables(data["db_path"])
    change(data, "retire", {"project_id": "EPA-03", "retired_on": "2026-11-01",
                            "retired_reason": "Cancelled by the donor"})
    db = data["db_path"]
    after = project_tables(db)
    assert rows(db, "SELECT count(*) FROM projects") == [(N_CURATED,)]
    assert rows(db, "SELECT retired_on, retired_reason FROM projects WHERE project_id = 'EPA-03'") == [
        (dt.date(2026, 11, 1), "Cancelled by the donor")]
    old = next(r for r in before["projects"] if r[0] == "EPA-03")
    new = next(r for r in after["projects"] if r[0] == "EPA-03")
    assert new[:14] == old[:14] and new[16:] == old[16:]  # every other field as it was
    for name in ("project_countries", "project_areas", "project_threats", "sources"):
        assert after[name] == before[name]


def test_undo_of_add_edit_and_retire_each_restores_the_rows_before_it(data):
    states = [project_tables(data["db_path"])]
    plans = [change(data, "add", NEW)]
    states.append(project_tables(data["db_path"]))
    values = edit_values(data, "PRJ-01")
    values.update(name="EU Caribbean justice phase III (EL PACCTO)", countries=["JAM"])
    plans.append(change(data, "edit", values))
    states.append(project_tables(data["db_path"]))
    plans.append(change(data, "retire", {"project_id": "PRJ-01", "retired_on": "2026-11-30",
                                         "retired_reason": "Merged into EPA-01"}))
    assert rows(data["db_path"], "SELECT name, retired_reason FROM projects WHERE project_id = 'PRJ-01'") == [
        ("EU Caribbean justice phase III (EL PACCTO)", "Merged into EPA-01")]
    for plan, expected in zip(reversed(plans), reversed(states)):
        importer.undo(plan.import_id, "Ben", **data)
        assert project_tables(data["db_path"]) == expected
    assert list(importer.read_log(data["imports_dir"])["status"]) == ["undone"] * 3


def test_an_edit_cannot_be_undone_before_a_later_edit_of_the_same_project(data):
    first = change(data, "add", NEW)
    change(data, "retire", {"project_id": "PRJ-01", "retired_on": "2026-11-30", "retired_reason": "Entered twice"})
    log_before = (data["imports_dir"] / "log.csv").read_bytes()
    with pytest.raises(importer.UndoRefused, match="undo those first"):
        importer.undo(first.import_id, "Ben", **data)
    assert (data["imports_dir"] / "log.csv").read_bytes() == log_before


def test_the_database_rebuilt_from_the_files_holds_the_same_rows(data, tmp_path):
    change(data, "add", NEW)
    change(data, "retire", {"project_id": "EPA-03", "retired_on": "2026-11-01", "retired_reason": "Cancelled"})
    again = tmp_path / "again.duckdb"
    build.build(CURATED_DIR, again, imports_dir=data["imports_dir"])
    assert project_tables(again) == project_tables(data["db_path"])


def test_another_currency_is_kept_as_written_and_left_out_of_euro_totals(data):
    change(data, "add", {**NEW, "funding": "2500000", "currency": "USD"})
    assert rows(data["db_path"], "SELECT funding_eur, funding_text, funding_note FROM projects "
                                 "WHERE project_id = 'PRJ-01'") == [
        (None, "USD 2,500,000", "Amount in USD as entered; not converted to euro, so left out of euro totals.")]


def test_retired_projects_are_left_out_of_the_explorer_unless_asked_for(data):
    from core import projects
    change(data, "retire", {"project_id": "EPA-03", "retired_on": "2026-11-01", "retired_reason": "Cancelled"})
    shown = projects.filtered_projects()
    assert "EPA-03" not in set(shown["project_id"]) and len(shown) == N_CURATED - 1
    everything = projects.filtered_projects(include_retired=True)
    assert len(everything) == N_CURATED
    table = projects.view_table(everything, None)
    assert table.loc[table["ID"] == "EPA-03", "Retired"].iloc[0].startswith("retired on ")


# --- refusals -----------------------------------------------------------------------------------------

def test_invalid_input_is_refused_field_by_field_and_every_file_stays_byte_identical(data):
    change(data, "add", NEW)  # an imports folder with a log, so that "unchanged" covers it too
    before = files_digest(data["imports_dir"], data["curated_dir"], data["db_path"].parent)
    bad = {**NEW, "project_id": "PRJ-02", "name": "", "funding": "-5", "theme": "Piracy", "countries": ["JAM", "XXX"],
           "start_date": "2026-13-01", "end_date": "2025-01-01",
           "threats": [{"threat_id": "nope", "rationale": "x"}, {"threat_id": "gangs", "rationale": ""}],
           "source_url": "ftp://example.org", "source_date": "", "description": "=HYPERLINK(\"http://x\")"}
    with pytest.raises(formats.ImportRejected) as refused:
        project_edits.plan("add", bad, **data)
    told = {(p.column, p.message) for p in refused.value.problems}
    expected = {
        ("name", "value is missing (this column may not be empty)"),
        ("funding", "value '-5' must be at least 0"),
        ("theme", "value 'Piracy' must be one of: " + ", ".join(THEMES)),
        ("countries", "'XXX' not found in countries.iso3"),
        ("start_date", "value '2026-13-01' is not a valid date (YYYY-MM-DD)"),
        ("threats", "'nope' not found in threats.threat_id"),
        ("source_url", "value 'ftp://example.org' is not a web address (http:// or https://)"),
        ("source_date", "value is missing (this column may not be empty)"),
    }
    assert expected <= told, told - expected
    assert any(c == "description" and "formula-like text" in m for c, m in told)
    assert files_digest(data["imports_dir"], data["curated_dir"], data["db_path"].parent) == before


@pytest.mark.parametrize(("action", "values", "field", "words"), [
    ("add", {**NEW, "project_id": "EPA-01"}, "project_id", "is a project already"),
    ("add", {**NEW, "project_id": "epa 1"}, "project_id", "must match"),
    ("edit", {**NEW, "project_id": "XYZ-99"}, "project_id", "is not a project"),
    ("retire", {"project_id": "EPA-03", "retired_on": "2026-11-01", "retired_reason": ""}, "retired_reason",
     "value is missing"),
    ("retire", {"project_id": "EPA-03", "retired_on": "2999-01-01", "retired_reason": "x"}, "retired_on",
     "after today"),
    ("add", {**NEW, "end_date": "2025-01-01"}, "end_date", "is before the start"),
    ("add", {**NEW, "currency": "BTC"}, "currency", "must be one of"),
    ("add", {**NEW, "source": "no_such_document"}, "source", "not found in sources.source_id"),
])
def test_each_refusal_names_its_field(data, action, values, field, words):
    before = files_digest(data["imports_dir"], data["db_path"].parent)
    with pytest.raises(formats.ImportRejected) as refused:
        project_edits.plan(action, values, **data)
    assert any(p.column == field and words in p.message for p in refused.value.problems), refused.value.problems
    assert files_digest(data["imports_dir"], data["db_path"].parent) == before


def test_a_change_previewed_before_another_editors_change_is_refused_when_applied(data):
    mine = project_edits.plan("retire", {"project_id": "EPA-03", "retired_on": "2026-11-01",
                                         "retired_reason": "Cancelled"}, **data)
    theirs = edit_values(data, "EPA-03")
    change(data, "edit", {**theirs, "name": "SEACOP renamed"})
    log_before = (data["imports_dir"] / "log.csv").read_bytes()
    with pytest.raises(formats.ImportRejected) as refused:
        project_edits.apply(mine, "Ana", **data)
    assert "changed since this preview" in refused.value.problems[0].message
    assert (data["imports_dir"] / "log.csv").read_bytes() == log_before


# --- the page -------------------------------------------------------------------------------------------

def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("app_pages/data_management.py")
    return at.run()


def sign_in(at: AppTest) -> AppTest:
    at.text_input[0].input("Ana")
    at.text_input[1].input(PASSWORD)
    return at.button[0].click().run()


def project_widgets(at: AppTest) -> list[str]:
    return [w.key for kind in ("text_input", "text_area", "selectbox", "radio", "multiselect", "button",
                               "date_input", "number_input", "checkbox")
            for w in at.get(kind) if str(getattr(w, "key", "") or "").startswith(("pe_", "FormSubmitter:pe_"))]


def test_viewers_cannot_reach_project_edits(data, monkeypatch):
    at = open_page()  # not signed in
    assert not at.exception
    assert project_widgets(at) == [] and not at.tabs
    monkeypatch.delenv(auth.ENV_VAR)  # editing not enabled at all
    at = open_page()
    assert project_widgets(at) == [] and not at.tabs
    assert list(data["imports_dir"].glob("*")) == []


def fill_new_project(at: AppTest) -> None:
    at.text_input(key="pe_name").input(NEW["name"])
    at.text_input(key="pe_donor").input("EU")
    at.multiselect(key="pe_countries").set_value(["JAM", "TTO"])
    at.selectbox(key="pe_theme").set_value("Justice and courts")
    at.number_input(key="pe_funding").set_value(12000000.0)
    at.text_input(key="pe_threat_gangs").input("prosecution of organised crime groups")
    at.text_input(key="pe_source_title").input(NEW["source_title"])
    at.date_input(key="pe_source_date").set_value(dt.date(2026, 11, 30))
    at.text_input(key="pe_source_ref").input("paragraph 2")


def preview_button(at: AppTest):
    return next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:pe_form"))


def test_editor_adds_a_project_from_the_page_sees_the_preview_applies_and_undoes(data):
    at = sign_in(open_page())
    assert [tab.label for tab in at.tabs] == ["Homicide statistics", "KPI results and action statuses", "Projects",
                                              "Import log"]
    assert at.text_input(key="pe_project_id").value == "PRJ-01"
    fill_new_project(at)
    preview_button(at).click().run()
    assert not at.exception and not at.error
    assert any("Project PRJ\\-01 added: valid" in s.value for s in at.success)
    preview = at.dataframe[-1].value
    assert dict(zip(preview["field"], preview["after the change"]))["Name"] == NEW["name"]
    assert rows(data["db_path"], "SELECT count(*) FROM projects") == [(N_CURATED,)]  # nothing written yet
    at.button(key="pe_apply").click().run()
    assert not at.exception
    assert rows(data["db_path"], "SELECT name, funding_eur FROM projects WHERE project_id = 'PRJ-01'") == [
        (NEW["name"], 12000000.0)]
    assert any("applied as" in s.value for s in at.success)
    log = importer.read_log(data["imports_dir"])
    assert list(log["imported_by"]) == ["Ana"] and list(log["format"]) == ["project_add"]
    at.checkbox(key="undo_ok").check().run()
    at.button(key="undo").click().run()
    assert not at.exception
    assert rows(data["db_path"], "SELECT count(*) FROM projects WHERE project_id = 'PRJ-01'") == [(0,)]
    assert list(importer.read_log(data["imports_dir"])["status"]) == ["undone"]


def test_the_page_refuses_invalid_input_naming_each_field(data):
    at = sign_in(open_page())
    at.text_input(key="pe_source_ref").input("paragraph 2")
    preview_button(at).click().run()  # no name, no theme, a new source with no title or date
    assert not at.exception
    told = " ".join(e.value for e in at.error)
    assert "Nothing was written" in told
    for field in ("Name", "Theme", "Title of the document or page", "Date published or read"):
        assert f"**{field}**: value is missing" in told, told
    assert not data["imports_dir"].exists() or not any(data["imports_dir"].iterdir())
    assert rows(data["db_path"], "SELECT count(*) FROM projects") == [(N_CURATED,)]


def test_editor_retires_a_project_from_the_page(data):
    at = sign_in(open_page())
    at.radio(key="pe_action").set_value("retire").run()
    at.selectbox(key="pe_pick").set_value("EPA-03").run()
    at.text_area(key="pe_retired_reason").input("Cancelled by the donor")
    preview_button(at).click().run()
    assert not at.exception and not at.error
    at.button(key="pe_apply").click().run()
    assert rows(data["db_path"], "SELECT retired_on, retired_reason FROM projects WHERE project_id = 'EPA-03'") == [
        (dt.date.today(), "Cancelled by the donor")]


def test_the_donor_projects_page_hides_a_retired_project_unless_asked(data):
    change(data, "retire", {"project_id": "EPA-03", "retired_on": "2026-11-01", "retired_reason": "Cancelled"})

    def listing(retired: bool):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.switch_page("app_pages/projects.py")
        at.query_params["p_tab"] = "list"
        if retired:
            at.query_params["p_retired"] = "1"
        at.run()
        assert not at.exception
        return at, next(d.value for d in at.dataframe if "ID" in getattr(d.value, "columns", []))

    at, table = listing(False)
    assert "EPA-03" not in set(table["ID"]) and "Retired" not in table.columns
    assert at.checkbox(key="p_retired").value is False
    at, table = listing(True)
    assert table.loc[table["ID"] == "EPA-03", "Retired"].iloc[0] == "retired on 1 November 2026: Cancelled"
