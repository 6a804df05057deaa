"""Build `data/dashboard.duckdb` from `data/curated/*.csv`.

    python -m loaders.build            # validate everything, build, print a count per table

Every table is validated before anything is written. The database is built
into a temporary file beside the target and renamed into place, so a failed
build leaves the previous database byte-for-byte untouched.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from loaders.tables import TABLES, Table
from loaders.validate import Problem, ValidationFailed, check_references, read_table

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
CURATED_DIR = DATA_DIR / "curated"
DB_PATH = DATA_DIR / "dashboard.duckdb"
SQL_TYPES = {"str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN", "date": "DATE"}


def load_curated(curated_dir: Path = CURATED_DIR) -> dict[str, pd.DataFrame]:
    """Read and validate every declared table; raise ValidationFailed listing all problems."""
    frames, files, problems = {}, {}, []
    for table in TABLES:
        path = curated_dir / table.file
        files[table.name] = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        if not path.exists():
            problems.append(Problem(files[table.name], None, None, "file is missing"))
            continue
        try:
            frames[table.name] = read_table(path, table)
        except ValidationFailed as exc:
            problems += [Problem(files[table.name], p.line, p.column, p.message) for p in exc.problems]
    if not problems:
        problems = check_references(frames, files)
    if problems:
        raise ValidationFailed(problems)
    return frames


def create_sql(table: Table) -> str:
    cols = [f'"{c.name}" {SQL_TYPES[c.dtype]}{"" if c.nullable else " NOT NULL"}' for c in table.columns]
    if not any(table.column(k).nullable for k in table.key):
        cols.append(f"PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE {table.name} ({', '.join(cols)})"


def _write_metadata(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Describe the tables inside the database, for the app's "About the data" view and footers."""
    con.execute("CREATE TABLE meta_tables (table_name VARCHAR PRIMARY KEY, description VARCHAR, "
                "file VARCHAR, row_count INTEGER, ships_empty BOOLEAN)")
    con.executemany("INSERT INTO meta_tables VALUES (?, ?, ?, ?, ?)",
                    [(t.name, t.description, f"data/curated/{t.file}", len(frames[t.name]), t.ships_empty)
                     for t in TABLES])
    con.execute("CREATE TABLE meta_columns (table_name VARCHAR, column_name VARCHAR, position INTEGER, "
                "dtype VARCHAR, unit VARCHAR, nullable BOOLEAN, description VARCHAR, references_to VARCHAR)")
    con.executemany("INSERT INTO meta_columns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(t.name, c.name, i, c.dtype, c.unit, c.nullable, c.description, c.references)
                     for t in TABLES for i, c in enumerate(t.columns)])
    con.execute("CREATE TABLE meta_build AS SELECT ?::TIMESTAMP AS built_at, "
                "(SELECT max(accessed) FROM sources) AS data_as_of",
                [datetime.now(timezone.utc).replace(tzinfo=None)])


def build(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH) -> dict[str, int]:
    """Validate, build into a temporary file, rename into place. Returns rows per table."""
    frames = load_curated(curated_dir)
    tmp_path = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp_path.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp_path)) as con:
            for table in TABLES:
                frame = frames[table.name]
                con.execute(create_sql(table))
                con.register("incoming", frame)
                con.execute(f"INSERT INTO {table.name} SELECT * FROM incoming")
                con.unregister("incoming")
            _write_metadata(con, frames)
        os.replace(tmp_path, db_path)
    finally:
        tmp_path.unlink(missing_ok=True)
    return {t.name: len(frames[t.name]) for t in TABLES}


def build_inputs(curated_dir: Path = CURATED_DIR) -> list[Path]:
    """Files whose change makes the database stale: the curated CSVs and the declarations."""
    return sorted(curated_dir.glob("*.csv")) + [Path(__file__).with_name("tables.py")]


def is_stale(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH) -> bool:
    if not db_path.exists():
        return True
    built = db_path.stat().st_mtime
    return any(p.stat().st_mtime > built for p in build_inputs(curated_dir))


def ensure_built(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH) -> bool:
    """Build when the database is missing or older than any input. True when it built."""
    if is_stale(curated_dir, db_path):
        build(curated_dir, db_path)
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curated", type=Path, default=CURATED_DIR, help="folder of curated CSV files")
    parser.add_argument("--db", type=Path, default=DB_PATH, help="database file to (re)build")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = build(args.curated, args.db)
    except ValidationFailed as exc:
        print(f"Build failed: {len(exc.problems)} problem(s); {args.db} left unchanged.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for name, count in counts.items():
        print(f"{name:<22}{count:>6} rows")
    print(f"built {args.db} in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
