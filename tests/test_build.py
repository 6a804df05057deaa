"""The build: validates everything, fails loudly and atomically, prints a count per table."""
from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from loaders.build import build, ensure_built, is_stale
from loaders.tables import TABLES
from loaders.validate import ValidationFailed

ROOT = Path(__file__).resolve().parents[1]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit_cell(curated: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell (row 0 = first data row) of a curated CSV."""
    path = curated / file
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    rows[row][column] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def duplicate_row(curated: Path, file: str, row: int) -> None:
    path = curated / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[row + 1]]), encoding="utf-8")


def test_cli_builds_fast_and_prints_one_line_per_table(tmp_path):
    db = tmp_path / "out.duckdb"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "loaders.build", "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 10, f"build took {elapsed:.1f} s"
    lines = result.stdout.splitlines()
    for table in TABLES:
        assert any(line.split()[0] == table.name and line.rstrip().endswith("rows") for line in lines), table.name
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM projects").fetchone()[0] == int(
            next(line for line in lines if line.startswith("projects ")).split()[1])


CORRUPTIONS = [
    # (file, row, column, bad value, expected words in the message)
    ("homicide_rates.csv", 3, "rate_per_100k", "-5", "at least 0"),
    ("homicide_rates.csv", 10, "iso3", "XXX", "not found in countries.iso3"),
    ("threats.csv", 2, "tier", "7", "not found in tiers.tier"),
    ("tiers.csv", 1, "tier", "7", "at most 4"),
    ("projects.csv", 4, "funding_eur", "ten million", "not a valid number"),
    ("projects.csv", 0, "start_date", "2023-13-45", "not a valid date"),
    ("countries.csv", 0, "is_caricom_member", "maybe", "not a valid true/false"),
    ("project_threats.csv", 0, "threat_id", "piracy", "not found in threats.threat_id"),
]


@pytest.mark.parametrize("file,row,column,value,words", CORRUPTIONS)
def test_corrupt_cell_fails_naming_file_line_column_and_leaves_db_unchanged(
        curated_copy, tmp_path, file, row, column, value, words):
    db = tmp_path / "dashboard.duckdb"
    build(curated_copy, db)
    before = sha256(db)
    edit_cell(curated_copy, file, row, column, value)
    with pytest.raises(ValidationFailed) as failure:
        build(curated_copy, db)
    messages = [str(p) for p in failure.value.problems]
    expected_prefix = f"{curated_copy / file}, line {row + 2} (row {row + 1}), column '{column}'"
    assert any(m.startswith(expected_prefix) and words in m for m in messages), messages
    assert sha256(db) == before
    assert not list(tmp_path.glob(".dashboard.duckdb.*")), "temporary build file left behind"


def test_duplicate_key_fails_naming_both_lines(curated_copy, tmp_path):
    db = tmp_path / "dashboard.duckdb"
    build(curated_copy, db)
    before = sha256(db)
    duplicate_row(curated_copy, "ccss_actions.csv", 4)
    with pytest.raises(ValidationFailed) as failure:
        build(curated_copy, db)
    dupes = [p for p in failure.value.problems if "duplicate key" in p.message]
    assert {p.line for p in dupes} >= {6, 109}, [str(p) for p in failure.value.problems]
    assert all(p.file.endswith("ccss_actions.csv") for p in dupes)
    assert sha256(db) == before


def test_cli_failure_exits_nonzero_and_prints_the_problem(curated_copy, tmp_path):
    edit_cell(curated_copy, "homicide_rates.csv", 0, "rate_per_100k", "-5")
    db = tmp_path / "x.duckdb"
    result = subprocess.run([sys.executable, "-m", "loaders.build", "--curated", str(curated_copy),
                             "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "homicide_rates.csv, line 2 (row 1), column 'rate_per_100k'" in result.stderr
    assert not db.exists()


def test_missing_file_and_unexpected_column_are_reported(curated_copy, tmp_path):
    (curated_copy / "obis.csv").unlink()
    text = (curated_copy / "kpis.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",extra"
    text[1:] = [line + "," for line in text[1:]]
    (curated_copy / "kpis.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failure:
        build(curated_copy, tmp_path / "db.duckdb")
    messages = [str(p) for p in failure.value.problems]
    assert any("obis.csv: file is missing" in m for m in messages), messages
    assert any("kpis.csv, line 1" in m and "column 'extra'" in m for m in messages), messages


def test_staleness_is_decided_from_content_not_modification_times(curated_copy, tmp_path):
    db, imports = tmp_path / "dashboard.duckdb", tmp_path / "imports"
    assert is_stale(curated_copy, db, imports)
    build(curated_copy, db, imports_dir=imports)
    assert not is_stale(curated_copy, db, imports)
    path = curated_copy / "countries.csv"
    os.utime(path, (db.stat().st_mtime + 5, db.stat().st_mtime + 5))
    assert not is_stale(curated_copy, db, imports), "a newer time with the same content is not a change"
    edit_cell(curated_copy, "countries.csv", 0, "name", "Antigua & Barbuda")
    os.utime(path, (db.stat().st_mtime - 5, db.stat().st_mtime - 5))
    assert is_stale(curated_copy, db, imports), "an older time with new content is a change"


def test_database_newer_than_the_log_but_missing_an_applied_import_is_stale(curated_copy, tmp_path):
    """Finding 1: a database built after the log was written, without an import the log lists."""
    from loaders import importer
    from tests.test_importer import owid_csv
    db, imports = tmp_path / "dashboard.duckdb", tmp_path / "imports"
    build(curated_copy, db, imports_dir=imports)
    plan = importer.plan(owid_csv([("Jamaica", "JAM", 2036, 40.0)]), "o.csv", "homicide", imports, curated_copy, db)
    importer.apply(plan, "t", imports, curated_copy, db)
    build(curated_copy, db, import_dirs=[])  # a build that missed the import, published after the log
    assert db.stat().st_mtime >= (imports / "log.csv").stat().st_mtime
    assert is_stale(curated_copy, db, imports)
    assert ensure_built(curated_copy, db, imports)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM homicide_rates WHERE year = 2036").fetchone() == (1,)


def test_metadata_tables_describe_every_column(db):
    declared = {(t.name, c.name) for t in TABLES for c in t.columns}
    stored = set(db.execute("SELECT table_name, column_name FROM meta_columns").fetchall())
    assert stored == declared
    assert db.execute("SELECT data_as_of FROM meta_build").fetchone()[0] is not None


def test_data_readme_dictionary_is_current():
    from loaders.dictionary import README, render
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run: python -m loaders.dictionary"
