"""Imports: each format in its real layout, bad input refused with nothing changed, undo, atomicity, speed."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from loaders import importer, paths
from loaders.build import CURATED_DIR, build
from loaders.formats import ImportRejected
from loaders.template import template_bytes

ROOT = Path(__file__).resolve().parents[1]
TOTAL = ["Victims of intentional homicide", "Total", "Total", "Total", "Total"]
RATE_UNIT = "Rate per 100,000 population"


# --- files in the real layouts ------------------------------------------------------------------

def unodc_csv(rows: list[list], title_rows: int = 2) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["UNODC Data Portal: data_cts_intentional_homicide"])
    if title_rows > 1:
        w.writerow(["Last update: 2025-06-30"])
    w.writerow(importer.formats.UNODC_HEADER)
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode("utf-8")


def unodc_row(iso3, country, year, value, indicator=TOTAL, unit=RATE_UNIT):
    return [iso3, country, "Americas", "Caribbean", *indicator[:1], *indicator[1:], year, unit, value, "CTS"]


def unodc_xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["UNODC Data Portal: data_cts_intentional_homicide"])
    sheet.append(["Last update: 2025-06-30"])
    sheet.append(importer.formats.UNODC_HEADER)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def wdi_csv(series: dict[tuple[str, str], dict[int, object]], years=range(1960, 2024)) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_ALL)
    out.write('"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-07-01",\n\n')
    w.writerow(["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, years), ""])
    for (name, code), values in series.items():
        w.writerow([name, code, "Intentional homicides (per 100,000 people)", "VC.IHR.PSRC.P5",
                    *[values.get(y, "") for y in years], ""])
    return out.getvalue().encode("utf-8")


def owid_csv(rows: list[tuple]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Entity", "Code", "Year", "Homicide rate per 100,000 population", "World region according to OWID"])
    for r in rows:
        w.writerow([*r, ""])
    return out.getvalue().encode("utf-8")


def kpi_xlsx(db_path: Path, kpi_rows: list[list], status_rows: list[list]) -> bytes:
    with duckdb.connect(str(db_path), read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    for r in kpi_rows:
        book["kpi_results"].append(r)
    for r in status_rows:
        book["action_status"].append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture
def env(tmp_path, built_db):
    """A scratch imports folder and a copy of the database built from the real curated files."""
    imports = tmp_path / "imports"
    db = tmp_path / "dashboard.duckdb"
    shutil.copyfile(built_db, db)
    return {"imports_dir": imports, "curated_dir": CURATED_DIR, "db_path": db}


def run_import(env, data: bytes, name: str, kind: str = "homicide", who: str = "tester"):
    plan = importer.plan(data, name, kind, **env)
    importer.apply(plan, who, **env)
    return plan


def snapshot(env) -> dict:
    """Everything an import could touch: the files under imports/ and the database's contents."""
    files = {str(p.relative_to(env["imports_dir"])): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(env["imports_dir"].rglob("*")) if p.is_file()} if env["imports_dir"].exists() else {}
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                  for t in ("sources", "homicide_rates", "homicide_benchmarks", "kpi_results", "action_status")}
    return {"files": files, "db": tables}


def value(env, sql, params=()):
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        return con.execute(sql, params).fetchall()


# --- each format ----------------------------------------------------------------------------------

def test_unodc_csv_export_takes_the_national_total_rate(env):
    rows = [unodc_row("JAM", "Jamaica", 2024, "49.9"), unodc_row("BRB", "Barbados", 2024, "16.2"),
            unodc_row("JAM", "Jamaica", 2024, "1200", unit="Counts"),
            unodc_row("JAM", "Jamaica", 2024, "80.1", indicator=["Victims of intentional homicide", "Total", "Total", "Male", "Total"]),
            unodc_row("FRA", "France", 2024, "1.1")]
    plan = run_import(env, unodc_csv(rows), "data_cts_intentional_homicide.csv")
    assert (plan.parsed.format, plan.parsed.publisher, plan.parsed.edition) == ("unodc", "UNODC", "2025-06-30")
    assert (plan.added, plan.changed, plan.unchanged, plan.ignored) == (2, 0, 0, 3)
    got = value(env, "SELECT iso3, year, rate_per_100k FROM homicide_rates WHERE source_id = ? ORDER BY iso3",
                [plan.import_id])
    assert got == [("BRB", 2024, 16.2), ("JAM", 2024, 49.9)]
    source = value(env, "SELECT publisher, citation, file FROM sources WHERE source_id = ?", [plan.import_id])[0]
    assert source[:2] == ("UNODC", "UNODC data portal: intentional homicide victims (rate per 100,000); "
                                   "edition: 2025-06-30")
    # What viewers see names the edition; the file's own name and hash are for editors, in the log.
    assert source[2] == f"data/imports/{plan.import_id}/upload.csv"
    log = importer.read_log(env["imports_dir"]).iloc[0]
    assert (log["file_name"], log["sha256"]) == ("data_cts_intentional_homicide.csv",
                                                 hashlib.sha256(unodc_csv(rows)).hexdigest())


def test_unodc_xlsx_export(env):
    plan = run_import(env, unodc_xlsx([unodc_row("GUY", "Guyana", 2024, 18.5)]), "data_cts_intentional_homicide.xlsx")
    assert plan.parsed.format == "unodc"
    assert value(env, "SELECT rate_per_100k FROM homicide_rates WHERE source_id = ?", [plan.import_id]) == [(18.5,)]


def test_wdi_csv_countries_and_aggregates(env):
    data = wdi_csv({("Jamaica", "JAM"): {2020: 46.5, 2021: 49.4}, ("World", "WLD"): {2021: 5.8},
                    ("Latin America & Caribbean", "LCN"): {2021: 19.9}, ("France", "FRA"): {2021: 1.2}})
    plan = run_import(env, data, "API_VC.IHR.PSRC.P5_DS2_en_csv_v2_1234.csv")
    assert (plan.parsed.format, plan.parsed.publisher, plan.parsed.edition) == ("wdi", "World Bank", "2025-07-01")
    assert value(env, "SELECT year, rate_per_100k FROM homicide_rates WHERE source_id = ? ORDER BY year",
                 [plan.import_id]) == [(2020, 46.5), (2021, 49.4)]
    assert value(env, "SELECT area, rate_per_100k FROM homicide_benchmarks WHERE source_id = ? ORDER BY area",
                 [plan.import_id]) == [("Latin America and the Caribbean", 19.9), ("World", 5.8)]
    assert plan.ignored == 1


def test_owid_csv_counts_changes_against_the_same_publisher(env):
    jam_2022 = value(env, "SELECT rate_per_100k FROM homicide_rates WHERE iso3='JAM' AND year=2022 "
                          "AND source_id='owid_unodc_homicide'")[0][0]
    data = owid_csv([("Jamaica", "JAM", 2022, jam_2022), ("Jamaica", "JAM", 2024, 50.0),
                     ("Barbados", "BRB", 2022, 99.0), ("World", "", 2024, 5.6), ("France", "FRA", 2022, 1.0)])
    plan = run_import(env, data, "homicide-rate-unodc.csv")
    assert (plan.added, plan.changed, plan.unchanged, plan.ignored) == (2, 1, 1, 1)
    # The curated source keeps its own value: a new source never overwrites another's.
    assert value(env, "SELECT count(*) FROM homicide_rates WHERE iso3='BRB' AND year=2022") == [(2,)]


def test_kpi_template_results_and_statuses(env):
    data = kpi_xlsx(env["db_path"], [["KPI1", "2025", None, "total", 42.5, 60, "first half"],
                                     ["KPI4", "2025-H1", "JAM", "gender: female", 12, None, None]],
                    [[1, 2, "achieved", "2025-06-30", None]])
    plan = run_import(env, data, "kpi_results_2025.xlsx", kind="kpi")
    assert value(env, "SELECT kpi_id, period, iso3, value, target FROM kpi_results ORDER BY kpi_id") == [
        ("KPI1", "2025", None, 42.5, 60.0), ("KPI4", "2025-H1", "JAM", 12.0, None)]
    assert value(env, "SELECT goal_no, action_no, status, as_of::VARCHAR FROM action_status") == [
        (1, 2, "achieved", "2025-06-30")]
    assert plan.added == 3


def test_template_lists_valid_values(env):
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    assert book.sheetnames == ["kpi_results", "action_status", "obi_results", "lists"]
    listed = {c.value for c in book["lists"]["A"]}
    assert {f"KPI{i}" for i in range(1, 14)} <= listed and {"achieved", "in progress", "not started"} <= listed


# --- bad input: refused, nothing changes --------------------------------------------------------

BAD_HOMICIDE = {
    "empty file": (b"", "homicide.csv", "empty"),
    "wrong header": (b"country,year,rate\nJamaica,2020,44\n", "homicide.csv", "unrecognised format"),
    "truncated file": (unodc_csv([unodc_row("JAM", "Jamaica", 2024, "49.9")])[:-60], "cts.csv", "was cut off"),
    "text in a numeric column": (owid_csv([("Jamaica", "JAM", 2024, "about fifty")]), "o.csv", "not a number"),
    "negative rate": (owid_csv([("Jamaica", "JAM", 2024, -5)]), "o.csv", "outside 0-300"),
    "absurd rate": (owid_csv([("Jamaica", "JAM", 2024, 301)]), "o.csv", "outside 0-300"),
    "duplicate row": (owid_csv([("Jamaica", "JAM", 2024, 50), ("Jamaica", "JAM", 2024, 51)]), "o.csv", "duplicate row"),
    "formula cell": (owid_csv([("Jamaica", "JAM", 2024, "=1+1")]), "o.csv", "formula-like cell"),
    "year not a number": (owid_csv([("Jamaica", "JAM", "twenty", 50)]), "o.csv", "not a whole number"),
    "binary garbage": (os.urandom(4096), "x.csv", "neither a text (CSV) file nor an Excel"),
}


@pytest.mark.parametrize("case", list(BAD_HOMICIDE))
def test_bad_homicide_input_changes_nothing(env, case):
    run_import(env, owid_csv([("Jamaica", "JAM", 2030, 40.0)]), "earlier.csv")  # some prior state
    before = snapshot(env)
    data, name, words = BAD_HOMICIDE[case]
    with pytest.raises(ImportRejected) as refused:
        importer.plan(data, name, "homicide", **env)
    assert any(words in str(p) for p in refused.value.problems), [str(p) for p in refused.value.problems]
    assert snapshot(env) == before


def test_problems_name_the_row_and_column(env):
    with pytest.raises(ImportRejected) as refused:
        importer.plan(owid_csv([("Jamaica", "JAM", 2023, 40), ("Jamaica", "JAM", 2024, -5)]), "o.csv", "homicide", **env)
    assert str(refused.value.problems[0]).startswith(
        "o.csv, line 3 (row 2), column 'Homicide rate per 100,000 population'")


def test_seventy_megabytes_of_garbage_is_refused_quickly(env):
    """Over the 64 MB limit (a full UNODC CSV export is close to 20 MB): refused before it is read."""
    before = snapshot(env)
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as refused:
        importer.plan(os.urandom(70 * 1024 * 1024), "big.csv", "homicide", **env)
    assert time.perf_counter() - started < 5
    assert "the file is 70 MB; the limit is 64 MB" in str(refused.value.problems[0])
    assert snapshot(env) == before


@pytest.mark.parametrize("kpi_row,status_row,words", [
    (["KPI99", "2025", None, "total", 1, None, None], None, "'KPI99' not found in kpis.kpi_id"),
    (["KPI1", "2025", None, "total", "=SUM(A1)", None, None], None, "formula-like cell"),
    (["KPI1", "last year", None, "total", 3, None, None], None, "must match"),
    (["KPI1", "2025", "XYZ", "total", 3, None, None], None, "not found in countries.iso3"),
    (None, [1, 99, "achieved", "2025-06-30", None], "not found in ccss_actions"),
    (None, [1, 2, "failed", "2025-06-30", None], "must be one of"),
])
def test_bad_kpi_input_changes_nothing(env, kpi_row, status_row, words):
    before = snapshot(env)
    data = kpi_xlsx(env["db_path"], [kpi_row] if kpi_row else [], [status_row] if status_row else [])
    with pytest.raises(ImportRejected) as refused:
        importer.plan(data, "kpi.xlsx", "kpi", **env)
    messages = [str(p) for p in refused.value.problems]
    assert any(words in m and m.startswith("kpi.xlsx [") and "line 2" in m for m in messages), messages
    assert snapshot(env) == before


def test_duplicate_kpi_rows_refused(env):
    row = ["KPI1", "2025", None, "total", 1, None, None]
    with pytest.raises(ImportRejected) as refused:
        importer.plan(kpi_xlsx(env["db_path"], [row, row], []), "kpi.xlsx", "kpi", **env)
    assert any("duplicate key" in str(p) for p in refused.value.problems)


def test_same_file_twice_is_refused(env):
    data = owid_csv([("Jamaica", "JAM", 2031, 40.0)])
    run_import(env, data, "a.csv")
    with pytest.raises(ImportRejected, match="already imported"):
        importer.plan(data, "a.csv", "homicide", **env)


def test_wrong_kind_is_refused(env):
    with pytest.raises(ImportRejected, match="not a kpi file"):
        importer.plan(owid_csv([("Jamaica", "JAM", 2031, 40.0)]), "a.csv", "kpi", **env)


# --- undo, atomicity, command line, speed ---------------------------------------------------------

def test_undo_restores_previous_values_exactly(env):
    before = snapshot(env)["db"]
    plan = run_import(env, owid_csv([("Jamaica", "JAM", 2022, 60.0), ("Haiti", "HTI", 2024, 70.0)]), "o.csv")
    assert snapshot(env)["db"] != before
    importer.undo(plan.import_id, "tester", **env)
    assert snapshot(env)["db"] == before
    log = importer.read_log(env["imports_dir"]).set_index("import_id")
    assert log.loc[plan.import_id, "status"] == "undone" and log.loc[plan.import_id, "undone_by"] == "tester"
    assert (env["imports_dir"] / plan.import_id / "upload.csv").exists()  # kept for the audit trail


def test_import_survives_a_rebuild(env):
    plan = run_import(env, owid_csv([("Jamaica", "JAM", 2032, 41.0)]), "o.csv")
    env["db_path"].unlink()
    build(CURATED_DIR, env["db_path"], importer.applied_dirs(env["imports_dir"]))
    assert value(env, "SELECT rate_per_100k FROM homicide_rates WHERE source_id = ?", [plan.import_id]) == [(41.0,)]


SCRIPT = """
import sys
from pathlib import Path
from loaders import importer, paths
from loaders.build import CURATED_DIR
imports, db, data = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
plan = importer.plan(data.read_bytes(), data.name, "homicide", imports, CURATED_DIR, db)
importer.apply(plan, "crash-test", imports, CURATED_DIR, db)
"""


@pytest.mark.parametrize("crash_at,applied", [("after_stage", False), ("after_rename", False), ("after_log", True)])
def test_process_killed_mid_apply_leaves_old_or_new_state(env, tmp_path, crash_at, applied):
    before = snapshot(env)
    upload = tmp_path / "upload.csv"
    upload.write_bytes(owid_csv([("Jamaica", "JAM", 2033, 42.0)]))
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(env["imports_dir"]), str(env["db_path"]), str(upload)],
                            cwd=ROOT, env={**os.environ, "DASHBOARD_IMPORT_CRASH_AT": crash_at},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 75, result.stderr
    assert snapshot(env)["db"] == before["db"]  # the database was never half-written
    # What a rebuild (the app does one when the log is newer) sees: all of the import or none of it.
    build(CURATED_DIR, env["db_path"], importer.applied_dirs(env["imports_dir"]))
    rows = value(env, "SELECT count(*) FROM homicide_rates WHERE year = 2033")[0][0]
    assert rows == (1 if applied else 0)


def test_cli_dry_run_writes_nothing_and_reports(tmp_path):
    upload = tmp_path / "owid.csv"
    upload.write_bytes(owid_csv([("Jamaica", "JAM", 2034, 42.0), ("France", "FRA", 2034, 1.0)]))
    log = paths.imports_dir() / "log.csv"
    before = log.read_bytes() if log.exists() else None
    result = subprocess.run([sys.executable, "-m", "loaders.importer", "homicide", str(upload), "--dry-run"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "rows added 1, changed 0, unchanged 0, ignored 1" in result.stdout
    assert "dry run: nothing written" in result.stdout
    assert (log.read_bytes() if log.exists() else None) == before


def test_cli_invalid_input_exits_nonzero_naming_row_and_column(tmp_path):
    upload = tmp_path / "owid.csv"
    upload.write_bytes(owid_csv([("Jamaica", "JAM", 2034, -5)]))
    result = subprocess.run([sys.executable, "-m", "loaders.importer", "homicide", str(upload), "--dry-run"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "owid.csv, line 2 (row 1), column 'Homicide rate per 100,000 population'" in result.stderr


def test_import_of_100k_rows_is_fast(env):
    countries = [("Jamaica", "JAM"), ("Haiti", "HTI"), ("Barbados", "BRB")]
    rows = [unodc_row(code, name, 1900 + (i // 3) % 200, f"{(i % 97) / 3:.2f}",
                      indicator=["Victims of intentional homicide", "Total", "Total",
                                 ("Total", "Male", "Female")[i // 600 % 3], "Total"]) for i, (name, code) in
            ((i, countries[i % 3]) for i in range(100_000))]
    # Plenty of rows, one national total per country-year: the rest are other sexes or duplicates of
    # other countries outside the window; keep only the first 600 totals distinct.
    distinct, seen = [], set()
    for r in rows:
        key = (r[0], r[9], r[7])
        if key not in seen:
            seen.add(key)
            distinct.append(r)
    filler = [unodc_row("FRA", "France", 1900 + i % 200, "1.0", indicator=["Victims of intentional homicide", "Total",
              "Total", "Total", f"age {i}"]) for i in range(100_000 - len(distinct))]
    data = unodc_csv(distinct + filler)
    started = time.perf_counter()
    plan = run_import(env, data, "data_cts_intentional_homicide.csv")
    elapsed = time.perf_counter() - started
    assert plan.added + plan.ignored + plan.changed + plan.unchanged >= 100_000 - 1
    assert elapsed < 30, f"{elapsed:.1f} s"


def test_leftovers_of_killed_runs_are_cleaned_at_the_next_start(env, tmp_path):
    """Finding 7: staging folders, scratch folders and 10 MB temporary databases used to stay for ever."""
    from loaders.build import ensure_built
    upload = tmp_path / "upload.csv"
    for i, crash_at in enumerate(("after_stage", "after_rename")):
        upload.write_bytes(owid_csv([("Jamaica", "JAM", 2046 + i, 42.0)]))
        result = subprocess.run([sys.executable, "-c", SCRIPT, str(env["imports_dir"]), str(env["db_path"]),
                                 str(upload)], cwd=ROOT, env={**os.environ, "DASHBOARD_IMPORT_CRASH_AT": crash_at},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 75, result.stderr
    (env["imports_dir"] / "tmpab12cd34").mkdir()
    temp_db = env["db_path"].with_name(f".{env['db_path'].name}.4242.tmp")
    temp_db.write_bytes(b"\0" * 10 * 2**20)
    leftovers = sorted(p.name for p in env["imports_dir"].iterdir() if p.name != "log.csv") + [temp_db.name]
    assert [n for n in leftovers if n.startswith(".staging-")] and [n for n in leftovers if n.startswith("imp_")]
    ensure_built(CURATED_DIR, env["db_path"], env["imports_dir"])  # what the app does at its start
    assert list(env["imports_dir"].iterdir()) == []  # neither run reached the log: nothing of them stays
    assert not temp_db.exists()
    assert not importer.applied_dirs(env["imports_dir"])


def test_two_editors_in_one_app_process_never_interleave(env):
    """Finding 1, inside one server: two sessions (threads) apply at the same moment."""
    import threading
    plans = [importer.plan(owid_csv([(name, iso3, 2048, 30.0)]), f"{iso3}.csv", "homicide", **env)
             for name, iso3 in (("Jamaica", "JAM"), ("Haiti", "HTI"))]
    start, errors = threading.Barrier(2), []

    def editor(plan):
        start.wait()
        try:
            importer.apply(plan, "editor", timeout=120, **env)
        except Exception as exc:  # noqa: BLE001  (any failure fails the test below)
            errors.append(exc)

    threads = [threading.Thread(target=editor, args=(p,)) for p in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert set(importer.read_log(env["imports_dir"])["import_id"]) == {p.import_id for p in plans}
    assert value(env, "SELECT count(*) FROM homicide_rates WHERE year = 2048") == [(2,)]
