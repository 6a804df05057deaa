"""A project added on the Data management page, then undone, in headless Chromium (offline)."""
from __future__ import annotations

import os

import duckdb
import pytest

from tests.browser_support import (browser, chromium_missing, offline_context, start_app,  # noqa: F401
                                   wait_until_idle)

pytestmark = pytest.mark.browser
if chromium_missing():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
PASSWORD = "browser test passphrase"


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory):
    """A server on a private database and imports folder, with an editor password set."""
    from core.auth import ENV_VAR, hash_password
    from loaders.build import CURATED_DIR, build
    folder = tmp_path_factory.mktemp("projects")
    db = folder / "dashboard.duckdb"
    build(CURATED_DIR, db, import_dirs=[])
    env = {**os.environ, "DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(folder / "imports"),
           ENV_VAR: hash_password(PASSWORD, iterations=1000)}
    proc, url = start_app(env)
    yield {"url": url, "db": db, "imports": folder / "imports"}
    proc.terminate()
    proc.wait(timeout=20)


def said(page) -> list[str]:
    """The success, warning and error boxes the page shows now."""
    return [t.strip() for t in page.locator('[data-testid="stAlert"]').all_inner_texts()]


def project_count(db, project_id: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM projects WHERE project_id = ?", [project_id]).fetchone()[0]


def test_a_project_added_on_the_page_and_undone(editor_app, browser):
    context = offline_context(browser, 1440, 900)
    page = context.new_page()
    try:
        page.goto(f"{editor_app['url']}/data_management")
        wait_until_idle(page)
        page.get_by_label("Your name (recorded in the import log)").fill("Browser Test")
        page.get_by_label("Editor password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("text=Signed in as Browser Test", timeout=60_000)
        page.get_by_role("tab", name="Projects").click()
        page.get_by_label("Name", exact=True).fill("Caribbean courts support (browser test)")
        page.get_by_label("Donor", exact=True).fill("EU")
        theme = page.locator(".st-key-pe_theme input")
        theme.click()
        theme.fill("Justice and courts")
        theme.press("Enter")
        page.get_by_label("Tier 1: Gangs and Organised Crime").fill("courts -- prosecution of organised crime")
        # The source: a document the data holds (a new document or web page would be described below it).
        source = page.locator(".st-key-pe_source input")
        source.click()
        source.fill("EL PACCTO 2.0 Strategic Plan")
        source.press("Enter")
        page.get_by_role("textbox", name="Section, page or paragraph").fill("paragraph 2")
        page.get_by_role("button", name="Preview the change").click()
        page.wait_for_selector("text=/Nothing is written until you apply it|Nothing was written/", timeout=60_000)
        page.wait_for_timeout(1000)
        preview = said(page)
        page.screenshot(path=os.environ.get("PROJECT_SHOT", "/tmp/project_preview.png"), full_page=True)
        print("\npreview:", preview)
        assert project_count(editor_app["db"], "PRJ-01") == 0
        page.get_by_role("button", name="Apply this change").click()
        page.wait_for_selector("text=applied as", timeout=60_000)
        applied = said(page)
        print("applied:", applied)
        assert project_count(editor_app["db"], "PRJ-01") == 1
        page.get_by_role("tab", name="Import log").click()
        page.locator(".st-key-undo_ok label").click()
        page.wait_for_selector(".st-key-undo button:not([disabled])", state="attached", timeout=60_000)
        if not page.locator(".st-key-undo button").is_visible():  # the rerun may show the first tab again
            page.get_by_role("tab", name="Import log").click()
        page.locator(".st-key-undo button").click()
        page.wait_for_selector('[data-testid="stAlert"]:has-text("Undone imp_")', timeout=60_000)
        undone = said(page)
        print("undone:", undone)
        log = (editor_app["imports"] / "log.csv").read_text(encoding="utf-8")
        print("log.csv:", log)
        assert project_count(editor_app["db"], "PRJ-01") == 0
        assert any("Project PRJ-01 added: applied as imp_" in s for s in applied)
        assert any(s.startswith("Undone imp_") for s in undone)
        assert ",project,project_add,add PRJ-01," in log and ",Browser Test," in log and ",undone," in log
        assert page.locator('[data-testid="stException"]').count() == 0
        assert context.blocked == []
    finally:
        context.close()
