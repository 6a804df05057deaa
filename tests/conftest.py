"""Shared fixtures: a database built from the curated files into a temporary folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from loaders.build import CURATED_DIR, build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The curated data built once per test session, never touching data/dashboard.duckdb."""
    path = tmp_path_factory.mktemp("db") / "dashboard.duckdb"
    build(CURATED_DIR, path, import_dirs=[])  # hermetic: no imports a developer may have applied locally
    return path


@pytest.fixture(scope="session")
def db(built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    yield con
    con.close()


@pytest.fixture
def curated_copy(tmp_path) -> Path:
    """A scratch copy of data/curated to corrupt."""
    target = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, target)
    return target


@pytest.fixture
def app_db(built_db, monkeypatch):
    """Point the app at the session's built database, with empty caches."""
    monkeypatch.setenv("DASHBOARD_DB", str(built_db))
    st.cache_data.clear()
    yield built_db
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def page_errors_fail_tests(request, monkeypatch):
    """Pages catch their errors and show a short message (core/errors.py): under AppTest such a
    message fails the test as an exception would, unless the test expects it."""
    if request.node.get_closest_marker("page_error_expected"):
        return
    from streamlit.testing.v1 import AppTest
    original = AppTest.run

    def run(self, *args, **kwargs):
        at = original(self, *args, **kwargs)
        shown = [e.value for e in at.error if "could not be shown completely" in e.value]
        assert not shown, f"a page showed an error (its traceback is in the captured log): {shown}"
        return at

    monkeypatch.setattr(AppTest, "run", run)


@pytest.fixture
def downloads_given(monkeypatch) -> dict[str, object]:
    """File name -> what each download button was given during the runs of the test (a callable: the file
    is made when the button is clicked, not on every run)."""
    from streamlit.delta_generator import DeltaGenerator
    given: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        given[file_name] = data
        return original(self, label, data, file_name, *args, **kwargs)
    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return given
