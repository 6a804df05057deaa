"""Build `data/dashboard.duckdb` from `data/curated/*.csv` and the applied imports.

    python -m loaders.build            # validate everything, build, print a count per table

Every table is validated before anything is written. The database is built into a temporary
file with a name of its own beside the target and renamed into place under the data folder's
write lock (`loaders.lock`), so a failed build leaves the previous database byte-for-byte
untouched and readers see the old database or the new one.

Staleness is decided from content: the database stores a digest of its inputs (the curated files,
the table declarations, the list of applied imports); it is stale when that digest differs from
the inputs' digest now. The first build on a fresh clone happens once: every session that finds
the database missing waits for the lock, then finds it built.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from loaders import importlog, lock, paths
from loaders.paths import CURATED_DIR, DB_PATH, ROOT  # noqa: F401  (ROOT, DB_PATH: used by callers)
from loaders.series import SERIES
from loaders.shown import MACROS
from loaders.tables import TABLES, Table
from loaders.validate import Problem, ValidationFailed, check_references, read_table

log = logging.getLogger("dashboard.build")
BUILD_FORMAT = "3"  # bump when the database's layout changes: databases built before are then stale
FIRST_BUILD_WAIT_S = 300.0  # a session that finds no database waits this long for another's build
SQL_TYPES = {"str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN", "date": "DATE"}


_shown = paths.shown


def load_curated(curated_dir: Path = CURATED_DIR, import_dirs: list[Path] | None = None) -> dict[str, pd.DataFrame]:
    """Read and validate every declared table, plus the rows of applied imports.

    Imports add rows, except where a table declares `replaced_by_imports` (projects): an import holding a
    row of it replaces, in each table named there, the earlier rows of that key (a project edit replaces the
    project's row, countries, areas and threat links). Raise ValidationFailed listing all problems (file,
    line, column).
    """
    import_dirs = importlog.applied_dirs() if import_dirs is None else import_dirs
    parts: dict[str, list[tuple[int, Path, pd.DataFrame]]] = {}  # per table: (0 curated or import n, file, rows)
    files, problems = {}, []
    for table in TABLES:
        path = curated_dir / table.file
        files[table.name] = _shown(path)
        if not path.exists():
            problems.append(Problem(files[table.name], None, None, "file is missing"))
            continue
        parts[table.name] = []
        for order, part in enumerate([path, *(d / table.file for d in import_dirs)]):
            if order and not part.exists():
                continue
            try:
                parts[table.name].append((order, part, _read_validated(part, table)))
            except ValidationFailed as exc:
                problems += [Problem(_shown(part), p.line, p.column, p.message) for p in exc.problems]
    replaced = _replace(parts)
    frames: dict[str, pd.DataFrame] = {}
    origins: dict[str, list[tuple[str, int]]] = {}  # per row of a combined table: (file, line)
    for table in TABLES:
        kept = parts.get(table.name, [])
        if not kept:
            continue
        if len(kept) == 1 and table.name not in replaced:
            frames[table.name] = kept[0][2]
            continue
        # Rows from several files: duplicates across files are problems too.
        origins[table.name] = [(_shown(f), int(i) + 2) for _, f, part in kept for i in part.index]
        combined = pd.concat([part for _, _, part in kept], ignore_index=True)
        dupes = combined.duplicated(subset=list(table.key), keep=False)
        if dupes.any():
            problems.append(Problem(files[table.name], None, ", ".join(table.key),
                                    f"{int(dupes.sum())} rows share a key across curated and imported files"))
        frames[table.name] = combined
    if not problems:
        problems = [_locate(p, files, origins) for p in check_references(frames, files)]
    if problems:
        raise ValidationFailed(problems)
    return frames


def _replace(parts: dict[str, list[tuple[int, Path, pd.DataFrame]]]) -> set[str]:
    """Drop the rows a later import replaces (tables declaring `replaced_by_imports`); the tables touched."""
    touched = set()
    for table in TABLES:
        if not table.replaced_by_imports or table.name not in parts:
            continue
        key = table.key[0]
        for order, _, rows in parts[table.name]:
            if order == 0 or rows.empty:
                continue
            ids = set(rows[key])
            for name in (n for n in table.replaced_by_imports if n in parts):
                kept = []
                for other_order, file, other in parts[name]:
                    if other_order < order:
                        dropped = other[key].isin(ids)
                        if dropped.any():
                            touched.add(name)
                            other = other[~dropped]
                    kept.append((other_order, file, other))
                parts[name] = kept
    return touched


_validated: dict[tuple[str, str, str], pd.DataFrame] = {}


def _read_validated(path: Path, table: Table) -> pd.DataFrame:
    """read_table, remembered per file content in this process: a long-lived process (the app, an
    editor's session) validates an unchanged file once, not at every import."""
    data = path.read_bytes()
    key = (str(path), table.name, hashlib.sha256(data).hexdigest())
    if key not in _validated:
        frame = read_table(path, table)  # raises ValidationFailed: never remembered
        if len(_validated) >= 512:
            _validated.clear()
        _validated[key] = frame
    return _validated[key].copy()


def _locate(problem: Problem, files: dict[str, str], origins: dict[str, list[tuple[str, int]]]) -> Problem:
    """Point a problem in a combined table back to the file and line the row came from."""
    name = next((n for n, f in files.items() if f == problem.file), None)
    if name in origins and problem.line:
        file, line = origins[name][problem.line - 2]
        return Problem(file, line, problem.column, problem.message)
    return problem


def create_sql(table: Table) -> str:
    cols = [f'"{c.name}" {SQL_TYPES[c.dtype]}{"" if c.nullable else " NOT NULL"}' for c in table.columns]
    if not any(table.column(k).nullable for k in table.key):
        cols.append(f"PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE {table.name} ({', '.join(cols)})"


def _write_metadata(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], digest: str) -> None:
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
    con.execute("CREATE TABLE series (series_id VARCHAR PRIMARY KEY, title VARCHAR, publisher VARCHAR, "
                "measure VARCHAR, description VARCHAR, position INTEGER)")
    con.executemany("INSERT INTO series VALUES (?, ?, ?, ?, ?, ?)",
                    [(s.series_id, s.title, s.publisher, s.measure, s.description, i) for i, s in enumerate(SERIES)])
    for macro in MACROS:
        con.execute(macro)
    con.execute("CREATE TABLE meta_build AS SELECT ?::TIMESTAMP AS built_at, "
                "(SELECT max(accessed) FROM sources) AS data_as_of, ?::VARCHAR AS inputs_digest, "
                "?::VARCHAR AS build_id",
                [datetime.now(timezone.utc).replace(tzinfo=None), digest, uuid.uuid4().hex])


def inputs_digest(curated_dir: Path, import_dirs: list[Path], extra_dirs: list[Path] = ()) -> str:
    """SHA-256 of what the database is built from: the curated CSVs (names and bytes), the table and series
    declarations, the applied imports in order (an applied import's folder never changes) and any extra
    folder of rows (the demonstration set: its files, whose content may change)."""
    digest = hashlib.sha256(f"format {BUILD_FORMAT}\n".encode())
    declarations = [paths.TABLES_FILE, paths.SERIES_FILE, paths.SHOWN_FILE]
    for path in [*sorted(curated_dir.glob("*.csv")), *declarations, *(p for d in extra_dirs
                                                                       for p in sorted(d.glob("*.csv")))]:
        data = path.read_bytes()
        digest.update(f"{path.name} {len(data)}\n".encode())
        digest.update(data)
    digest.update(("imports " + " ".join(d.name for d in import_dirs)).encode())
    return digest.hexdigest()


def publish(frames: dict[str, pd.DataFrame], db_path: Path, digest: str) -> None:
    """Write validated tables into a temporary file of this build's own, then rename it over the
    database. The caller holds the data folder's write lock."""
    tmp_path = db_path.with_name(f".{db_path.name}.{os.getpid()}.{threading.get_ident()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with duckdb.connect(str(tmp_path)) as con:
            for table in TABLES:
                con.execute(create_sql(table))
                con.register("incoming", frames[table.name])
                con.execute(f"INSERT INTO {table.name} SELECT * FROM incoming")
                con.unregister("incoming")
            _write_metadata(con, frames, digest)
        os.replace(tmp_path, db_path)
    finally:
        tmp_path.unlink(missing_ok=True)
        tmp_path.with_name(tmp_path.name + ".wal").unlink(missing_ok=True)


def build(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH, import_dirs: list[Path] | None = None,
          imports_dir: Path | None = None, timeout: float | None = None, reason: str = "asked",
          extra_dirs: list[Path] = ()) -> dict[str, int]:
    """Validate, build into a temporary file, rename into place under the write lock. Rows per table.

    `import_dirs`: the applied imports to include (default: those the log of `imports_dir`, or of
    the imports folder in use, lists as applied). Raises lock.Busy after the bounded wait.
    """
    started = time.perf_counter()
    log_dir = None if import_dirs is not None else (imports_dir or paths.imports_dir())
    with lock.writer(db_path.parent, timeout, db_path=db_path, imports_dir=log_dir):
        dirs = importlog.applied_dirs(log_dir) if import_dirs is None else import_dirs
        frames = load_curated(curated_dir, [*dirs, *extra_dirs])
        publish(frames, db_path, inputs_digest(curated_dir, dirs, extra_dirs))
    log.info("built %s (%s): %d imports, %.2f s", _shown(db_path), reason, len(dirs), time.perf_counter() - started)
    return {t.name: len(frames[t.name]) for t in TABLES}


@contextmanager
def read_only(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private read-only view of the database file as it is now.

    Through ATTACH on a new in-memory DuckDB: `duckdb.connect(path)` would hand back the instance
    this process may already hold open on the file, which still reads a replaced database.
    """
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS built (READ_ONLY)", [str(db_path)])
        con.execute("USE built")
        yield con
    finally:
        con.close()


_stored: dict[tuple, str | None] = {}


def stored_digest(db_path: Path) -> str | None:
    """The inputs digest the database was built from (None: missing, unreadable or built before digests).

    Read through a private in-memory DuckDB (ATTACH), never the app's cached instance of the file,
    which may still be reading a replaced one; remembered per file identity (inode, size, time).
    """
    try:
        st = db_path.stat()
    except FileNotFoundError:
        return None
    key = (str(db_path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _stored:
        try:
            with read_only(db_path) as con:
                row = con.execute("SELECT inputs_digest FROM meta_build").fetchone()
            value = row[0] if row else None
        except duckdb.Error:
            value = None
        if len(_stored) > 64:
            _stored.clear()
        _stored[key] = value
    return _stored[key]


def is_stale(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH, imports_dir: Path | None = None,
             extra_dirs: list[Path] = ()) -> bool:
    """Missing, or built from other inputs than today's (content, not modification times)."""
    stored = stored_digest(db_path)
    return stored is None or stored != inputs_digest(curated_dir, importlog.applied_dirs(imports_dir), extra_dirs)


_checked_debris: set[str] = set()
_fresh_at: dict[tuple[str, str, str], float] = {}
FRESH_FOR_S = 1.0  # a database found fresh is not checked again within this time


def ensure_built(curated_dir: Path = CURATED_DIR, db_path: Path = DB_PATH, imports_dir: Path | None = None,
                 extra_dirs: list[Path] = ()) -> bool:
    """Build when the database is missing or stale. True when this call built it.

    A missing database: wait (up to FIRST_BUILD_WAIT_S) for the lock, then build unless another
    session did meanwhile. A stale one while another writer holds the lock: keep serving it (that
    writer publishes the new one). The first call in a process also clears leftovers of killed runs.
    """
    imports_dir = imports_dir or paths.imports_dir()
    key = (str(curated_dir), str(db_path), str(imports_dir))
    if time.monotonic() - _fresh_at.get(key, -FRESH_FOR_S) < FRESH_FOR_S:
        return False  # found fresh a moment ago: every query of a page run asks
    first_call = str(db_path) not in _checked_debris
    _checked_debris.add(str(db_path))
    stale = is_stale(curated_dir, db_path, imports_dir, extra_dirs)
    if not stale and not (first_call and lock.debris(db_path, imports_dir)):
        _fresh_at[key] = time.monotonic()
        return False
    missing = not db_path.exists()
    try:
        with lock.writer(db_path.parent, FIRST_BUILD_WAIT_S if missing else 0.2, db_path=db_path,
                         imports_dir=imports_dir):
            if is_stale(curated_dir, db_path, imports_dir, extra_dirs):  # again: another session may have built it
                build(curated_dir, db_path, imports_dir=imports_dir, reason="missing" if missing else "stale",
                      extra_dirs=extra_dirs)
                return True
    except lock.Busy:
        if missing:
            raise
    return False



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curated", type=Path, default=CURATED_DIR, help="folder of curated CSV files")
    parser.add_argument("--db", type=Path, default=paths.db_path(), help="database file to (re)build")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = build(args.curated, args.db)
    except ValidationFailed as exc:
        print(f"Build failed: {len(exc.problems)} problem(s); {args.db} left unchanged.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except lock.Busy as exc:
        print(f"Build not run: {exc}.", file=sys.stderr)
        return 3
    for name, count in counts.items():
        print(f"{name:<22}{count:>6} rows")
    print(f"built {args.db} in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
