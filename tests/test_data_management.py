"""Data management page: editors only, sign-in, log and undo (the importer itself: test_importer.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import auth
from loaders import importer
from loaders.build import CURATED_DIR
from tests.test_importer import owid_csv

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a long editor passphrase"


@pytest.fixture
def editable(tmp_path, built_db, monkeypatch):
    """A private database copy and imports folder, with an editor password configured."""
    db = tmp_path / "dashboard.duckdb"
    shutil.copyfile(built_db, db)
    imports = tmp_path / "imports"
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_IMPORTS", str(imports))
    monkeypatch.setenv(auth.ENV_VAR, auth.hash_password(PASSWORD, iterations=1000))
    st.cache_data.clear()
    yield {"db_path": db, "imports_dir": imports, "curated_dir": CURATED_DIR}
    st.cache_data.clear()


def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("app_pages/data_management.py")
    return at.run()


def sign_in(at: AppTest, password: str = PASSWORD, name: str = "Ana") -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_without_a_password_nothing_can_be_edited(app_db, monkeypatch):
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    at = open_page()
    assert not at.exception
    assert any("Editing is not enabled" in i.value for i in at.info)
    assert len(at.button) == 0 and len(at.text_input) == 0
    assert not at.get("file_uploader")


def test_wrong_password_is_refused(editable):
    at = sign_in(open_page(), password="guess")
    assert any("Sign-in failed" in e.value for e in at.error)
    assert not at.get("file_uploader")
    assert "editor" not in at.session_state


def test_editor_signs_in_and_sees_import_controls(editable):
    at = sign_in(open_page())
    assert not at.exception
    assert at.session_state["editor"] == "Ana"
    assert len(at.get("file_uploader")) == 2
    assert [t.label for t in at.tabs] == ["Homicide statistics", "KPI results and action statuses", "Import log"]


def test_log_lists_imports_and_undo_takes_rows_out(editable):
    plan = importer.plan(owid_csv([("Jamaica", "JAM", 2035, 44.0)]), "o.csv", "homicide", **editable)
    importer.apply(plan, "Ben", **editable)
    at = sign_in(open_page())
    log = at.dataframe[0].value
    assert list(log["import_id"]) == [plan.import_id] and list(log["imported_by"]) == ["Ben"]
    at.checkbox(key="undo_ok").check().run()
    at.button(key="undo").click().run()
    assert not at.exception
    with duckdb.connect(str(editable["db_path"]), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM homicide_rates WHERE year = 2035").fetchone() == (0,)
    assert importer.read_log(editable["imports_dir"])["status"].tolist() == ["undone"]


def test_password_hash_verification():
    stored = auth.hash_password("s3cret passphrase", iterations=1000)
    assert auth.verify("s3cret passphrase", stored)
    assert not auth.verify("s3cret passphrasE", stored)
    assert not auth.verify("anything", "not-a-hash")
    assert "s3cret" not in stored
