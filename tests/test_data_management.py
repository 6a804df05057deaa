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
    assert [t.label for t in at.tabs] == ["Homicide statistics", "KPI results and action statuses", "Projects",
                                          "Import log"]


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


# --- sign-in throttling (finding 6) ----------------------------------------------------------------

class Clock:
    """The throttle's clock, moved by the test: the delays are the real defaults, no test sleeps."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def attempt(at: AppTest, password: str) -> str:
    at.text_input[0].input("Ana")
    at.text_input[1].input(password)
    at.button[0].click().run()
    return " ".join(e.value for e in at.error)


def test_ten_wrong_passwords_are_throttled_and_the_eleventh_waits_for_the_lockout(editable, monkeypatch, caplog):
    import logging
    from core import throttle
    logging.getLogger("dashboard.auth").addHandler(caplog.handler)  # the app's logger does not propagate
    clock = Clock()
    monkeypatch.setattr(throttle, "_now", clock)
    settings = throttle.Settings.from_env()
    assert (settings.delay_s, settings.lockout_after, settings.lockout_s) == (1.0, 10, 900.0)  # the defaults
    at = open_page()
    delays = []
    for failure in range(1, 11):
        assert "Sign-in failed" in attempt(at, f"wrong guess {failure}")
        if failure < 10:
            # Straight away again: refused without a check, and the wait grows with each failure.
            clock.now += 0.5
            message = attempt(at, PASSWORD)
            assert "Too soon after a failed sign-in" in message and "editor" not in at.session_state, message
            delays.append(min(2.0 ** (failure - 1), 30.0))
            clock.now += delays[-1]
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30, 30]
    clock.now += 60
    assert "sign-in is locked for about 14 min" in attempt(at, PASSWORD)  # the 11th, right: it waits
    assert "editor" not in at.session_state
    other = open_page()  # another browser session, same client: locked too (the counter is shared)
    assert "locked" in attempt(other, PASSWORD) and "editor" not in other.session_state
    clock.now += 900
    attempt(other, PASSWORD)
    assert other.session_state["editor"] == "Ana"
    assert sum("failed editor sign-in" in r.getMessage() for r in caplog.records) == 10
    assert (editable["imports_dir"].parent / ".signin_failures.json").exists()


def test_throttle_delays_grow_and_lock_out():
    from core.throttle import Settings, wait_after
    settings = Settings(delay_s=1, max_delay_s=30, lockout_after=10, window_s=900, lockout_s=900)
    assert wait_after([], 100, settings) == (0.0, False)
    assert wait_after([100], 100, settings) == (1.0, False)
    assert wait_after([90, 100], 100, settings) == (2.0, False)
    assert wait_after([float(i) for i in range(10)], 9, settings) == (900.0, True)
    assert wait_after([float(i) for i in range(10)], 2000, settings) == (0.0, False)  # outside the window


# --- what viewers see of imports (finding 8), names as text (finding 3) ------------------------------

def test_viewers_see_publisher_and_edition_not_file_names_or_hashes(editable):
    import hashlib
    data = owid_csv([("Jamaica", "JAM", 2037, 44.0)])
    plan = importer.plan(data, "ministry-internal-draft-v3.csv", "homicide", **editable)
    importer.apply(plan, "Ben", **editable)
    at = open_page()  # a viewer: not signed in
    shown = " ".join([c.value for c in at.caption] + [m.value for m in at.markdown])
    assert "Our World in Data grapher" in shown and "UNODC, via Our World in Data" in shown
    assert "ministry" not in shown and hashlib.sha256(data).hexdigest() not in shown
    assert plan.sha256[:12] not in shown
