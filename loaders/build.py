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


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def load_curated(curated_dir: Path = CURATED_DIR, import_dirs: list[Path] | None = None) -> dict[str, pd.DataFrame]:
    """Read and validate every declared table, plus the rows of applied imports.

    Raise ValidationFailed listing all problems (file, line, column).
    """
    import_dirs = applied_import_dirs() if import_dirs is None else import_dirs
    frames, files, problems = {}, {}, []
    origins: dict[str, list[tuple[str, int]]] = {}  # per row of a combined table: (file, line)
    for table in TABLES:
        path = curated_dir / table.file
        files[table.name] = _shown(path)
        if not path.exists():
            problems.append(Problem(files[table.name], None, None, "file is missing"))
            continue
        parts = []
        for part in [path, *(d / table.file for d in import_dirs if (d / table.file).exists())]:
            try:
                parts.append(read_table(part, table))
            except ValidationFailed as exc:
                problems += [Problem(_shown(part), p.line, p.column, p.message) for p in exc.problems]
        if len(parts) > 1:
            # Rows from several files: duplicates across files are problems too.
            part_files = [path, *(d / table.file for d in import_dirs if (d / table.file).exists())]
            origins[table.name] = [(_shown(f), i + 2) for f, part in zip(part_files, parts) for i in range(len(part))]
            combined = pd.concat(parts, ignore_index=True)
            dupes = combined.duplicated(subset=list(table.key), keep=False)
            if dupes.any():
                problems.append(Problem(files[table.name], None, ", ".join(table.key),
                                        f"{int(dupes.sum())} rows share a key across curated and imported files"))
            frames[table.name] = combined
        elif parts:
            frames[table.name] = parts[0]
    if not problems:
        problems = [_locate(p, files, origins) for p in check_references(frames, files)]
    if problems:
        raise ValidationFailed(problems)
    return frames


def _locate(problem: Problem, files: dict[str, str], origins: dict[str, list[tuple[str, int]]]) -> Problem:
    """Point a problem in a combined table back to the file and line the row came from."""
    name = next((n for n, f in files.items() if f == problem.file), None)
    if name in origins and problem.line:
        file, line = origins[name][problem.line - 2]
        return Problem(file, line, problem.column, problem.message)
    return problem


def applied_import_dirs(imports_dir: Path | None = None) -> list[Path]:
    from loaders import importer  # the import log lives with the importer
    return importer.applied_dirs(imports_dir or importer.IMPORTS_DIR)


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


def build(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH,
          import_dirs: list[Path] | None = None) -> dict[str, int]:
    """Validate, build into a temporary file, rename into place. Returns rows per table.

    `import_dirs`: the applied imports to include (default: those the import log lists as applied).
    """
    frames = load_curated(curated_dir, import_dirs)
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
    """Files whose change makes the database stale: curated CSVs, declarations, the import log."""
    from loaders import importer
    inputs = sorted(curated_dir.glob("*.csv")) + [Path(__file__).with_name("tables.py")]
    log = importer.IMPORTS_DIR / "log.csv"
    return inputs + ([log] if log.exists() else [])


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
