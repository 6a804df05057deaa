"""Import official statistics and monitoring results: preview, apply atomically, undo.

    python -m loaders.importer homicide PATH [--dry-run] [--who NAME]
    python -m loaders.importer kpi PATH [--dry-run] [--who NAME]
    python -m loaders.importer undo IMPORT_ID [--who NAME]
    python -m loaders.importer log

Every import becomes its own `sources` row (publisher, edition read from the file, file name,
SHA-256) with its rows under it, so it never overwrites another source's values. The uploaded
file and its normalized rows are kept in `data/imports/<import_id>/`; `data/imports/log.csv`
lists every import and whether it is applied or undone; the build includes the applied ones, so
the database can always be rebuilt from files.

Apply: the import is written to a staging folder, the whole database is validated with it, the
folder is renamed into place, the log is replaced atomically, then the database is rebuilt. A
process killed at any point leaves either the old state or the new one, never a mix.
"""
from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from loaders import formats
from loaders.validate import Problem, ValidationFailed

ROOT = Path(__file__).resolve().parents[1]
# $DASHBOARD_IMPORTS points the app and the command line elsewhere (tests, a shared data folder).
IMPORTS_DIR = Path(os.environ.get("DASHBOARD_IMPORTS", ROOT / "data" / "imports"))
LOG = IMPORTS_DIR / "log.csv"
LOG_COLUMNS = ["import_id", "kind", "format", "file_name", "sha256", "imported_at", "imported_by", "source_id",
               "added", "changed", "unchanged", "ignored", "status", "undone_at", "undone_by"]
TABLE_COLUMNS = {
    "homicide_rates": ["iso3", "year", "rate_per_100k", "source_id", "source_ref", "note"],
    "homicide_benchmarks": ["area", "year", "rate_per_100k", "source_id", "source_ref", "note"],
    "kpi_results": ["kpi_id", "period", "iso3", "breakdown", "value", "target", "source_id", "source_ref", "note"],
    "action_status": ["goal_no", "action_no", "status", "as_of", "source_id", "source_ref", "note"],
}
SOURCE_COLUMNS = ["source_id", "title", "publisher", "year", "kind", "citation", "file", "accessed"]
_CRASH_AT = os.environ.get("DASHBOARD_IMPORT_CRASH_AT", "")  # fault injection for the atomicity tests


@dataclass
class Plan:
    """A validated import, ready to apply: what it would add, change, leave unchanged and ignore."""
    parsed: formats.Parsed
    data: bytes
    file_name: str
    sha256: str
    import_id: str
    source: dict
    tables: dict[str, pd.DataFrame]
    added: int
    changed: int
    unchanged: int

    @property
    def ignored(self) -> int:
        return self.parsed.ignored

    def summary(self) -> str:
        return (f"rows added {self.added}, changed {self.changed}, unchanged {self.unchanged}, "
                f"ignored {self.ignored}" + (f" ({self.parsed.ignored_note})" if self.ignored else ""))


# --- the log ------------------------------------------------------------------------------------

def read_log(imports_dir: Path | None = None) -> pd.DataFrame:
    imports_dir = imports_dir or IMPORTS_DIR
    path = imports_dir / "log.csv"
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_log(log: pd.DataFrame, imports_dir: Path) -> None:
    imports_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=imports_dir, prefix=".log.", suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        log[LOG_COLUMNS].to_csv(f, index=False, lineterminator="\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, imports_dir / "log.csv")


def applied_dirs(imports_dir: Path | None = None) -> list[Path]:
    imports_dir = imports_dir or IMPORTS_DIR
    log = read_log(imports_dir)
    return [imports_dir / i for i in log.loc[log["status"] == "applied", "import_id"]]


# --- planning -----------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _normalize(parsed: formats.Parsed, source_id: str, file_name: str) -> dict[str, pd.DataFrame]:
    tables = {}
    for name, rows in parsed.tables.items():
        frame = rows.copy()
        frame["source_id"] = source_id
        frame["source_ref"] = [f"{file_name}, row {line}" for line in frame["line"]]
        if "note" not in frame:
            frame["note"] = ""
        tables[name] = frame[TABLE_COLUMNS[name] + ["line"]].reset_index(drop=True)
    return tables


def _compare(tables: dict[str, pd.DataFrame], publisher: str, db_path: Path) -> tuple[int, int, int]:
    """Against the latest values the same publisher already gave: added, changed, unchanged."""
    added = changed = unchanged = 0
    keys = {"homicide_rates": ["iso3", "year"], "homicide_benchmarks": ["area", "year"],
            "kpi_results": ["kpi_id", "period", "iso3", "breakdown"], "action_status": ["goal_no", "action_no"]}
    values = {"homicide_rates": "rate_per_100k", "homicide_benchmarks": "rate_per_100k",
              "kpi_results": "value", "action_status": "status"}
    order = {"action_status": "t.as_of", "kpi_results": "s.accessed"}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for name, rows in tables.items():
            if rows.empty:
                continue
            key, value = keys[name], values[name]
            cols = ", ".join(f"t.{k}" for k in key)
            previous = con.execute(f"""
                SELECT {cols}, arg_max(t.{value}, {order.get(name, 's.accessed')}) AS previous
                FROM {name} t JOIN sources s ON s.source_id = t.source_id
                WHERE s.publisher = ? OR ? = 'kpi'
                GROUP BY ALL""", [publisher, "kpi" if name in ("kpi_results", "action_status") else ""]).df()
            merged = rows.astype({k: str for k in key}).merge(previous.astype({k: str for k in key}), on=key,
                                                              how="left")
            has_previous = merged["previous"].notna()
            same = has_previous & (merged[value].astype(str) == merged["previous"].astype(str))
            if value == "rate_per_100k":
                same = has_previous & ((merged[value].astype(float) - pd.to_numeric(merged["previous"])).abs() < 1e-9)
            added += int((~has_previous).sum())
            unchanged += int(same.sum())
            changed += int((has_previous & ~same).sum())
    return added, changed, unchanged


def plan(data: bytes, file_name: str, kind: str, imports_dir: Path | None = None,
         curated_dir: Path | None = None, db_path: Path | None = None) -> Plan:
    """Parse and validate an upload against the whole database; raise ImportRejected naming rows/columns."""
    imports_dir = imports_dir or IMPORTS_DIR
    from loaders.build import CURATED_DIR, DB_PATH, ensure_built
    curated_dir, db_path = curated_dir or CURATED_DIR, db_path or DB_PATH
    file_name = Path(file_name).name
    sha = hashlib.sha256(data).hexdigest()
    log = read_log(imports_dir)
    again = log[(log["sha256"] == sha) & (log["status"] == "applied")]
    if len(again):
        raise formats.ImportRejected([Problem(file_name, None, None,
                                              f"this file was already imported as {again['import_id'].iloc[0]}")])
    parsed = formats.parse(data, file_name)
    if parsed.kind != kind:
        raise formats.ImportRejected([Problem(file_name, None, None,
                                              f"this is a {parsed.kind} file ({parsed.format}), not a {kind} file")])
    stamp = _now()
    import_id = f"imp_{stamp:%Y%m%d_%H%M%S}_{sha[:8]}"
    edition = parsed.edition or "no edition or date stated in the file"
    source = {"source_id": import_id, "title": parsed.title, "publisher": parsed.publisher, "year": parsed.year or "",
              "kind": "dataset", "citation": f"{parsed.title}; edition: {edition}; file {file_name}; SHA-256 {sha}",
              "file": f"data/imports/{import_id}/{file_name}", "accessed": f"{stamp:%Y-%m-%d}"}
    tables = _normalize(parsed, import_id, file_name)
    if db_path.exists() or db_path == DB_PATH:
        if db_path == DB_PATH:
            ensure_built()
        added, changed, unchanged = _compare(tables, parsed.publisher, db_path)
    else:
        added, changed, unchanged = sum(len(t) for t in tables.values()), 0, 0
    result = Plan(parsed, data, file_name, sha, import_id, source, tables, added, changed, unchanged)
    with tempfile.TemporaryDirectory(dir=_staging_root(imports_dir)) as scratch:
        folder = _write_import(result, Path(scratch))
        _validate_with(folder, result, imports_dir, curated_dir)
    return result


def _staging_root(imports_dir: Path) -> Path:
    imports_dir.mkdir(parents=True, exist_ok=True)
    return imports_dir


def _write_import(plan_: Plan, parent: Path) -> Path:
    folder = parent / plan_.import_id
    folder.mkdir(parents=True)
    (folder / plan_.file_name).write_bytes(plan_.data)
    pd.DataFrame([plan_.source])[SOURCE_COLUMNS].to_csv(folder / "sources.csv", index=False, lineterminator="\n")
    for name, frame in plan_.tables.items():
        frame.drop(columns="line").to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return folder


def _validate_with(folder: Path, plan_: Plan, imports_dir: Path, curated_dir: Path) -> None:
    """Validate the whole database with this import added; map problems back to the user's rows."""
    from loaders.build import load_curated
    try:
        load_curated(curated_dir, applied_dirs(imports_dir) + [folder])
    except ValidationFailed as exc:
        problems = []
        for p in exc.problems:
            table = Path(p.file).stem
            if table in plan_.tables and p.line and Path(p.file).parent.name == plan_.import_id:
                lines = plan_.tables[table]["line"]
                sheet = f" [{table}]" if plan_.parsed.format == "kpi_template" else ""
                original = int(lines.iloc[p.line - 2]) if 0 <= p.line - 2 < len(lines) else p.line
                problems.append(Problem(f"{plan_.file_name}{sheet}", original, p.column, p.message))
            else:
                problems.append(p)
        raise formats.ImportRejected(problems) from exc


# --- apply and undo -----------------------------------------------------------------------------

def _crash_point(name: str) -> None:
    if _CRASH_AT == name:
        os._exit(75)


def apply(plan_: Plan, who: str, imports_dir: Path | None = None, curated_dir: Path | None = None,
          db_path: Path | None = None) -> None:
    imports_dir = imports_dir or IMPORTS_DIR
    from loaders.build import CURATED_DIR, DB_PATH, build
    curated_dir, db_path = curated_dir or CURATED_DIR, db_path or DB_PATH
    staging = Path(tempfile.mkdtemp(dir=_staging_root(imports_dir), prefix=".staging-"))
    try:
        folder = _write_import(plan_, staging)
        _validate_with(folder, plan_, imports_dir, curated_dir)
        _crash_point("after_stage")
        os.rename(folder, imports_dir / plan_.import_id)
        _crash_point("after_rename")
        log = read_log(imports_dir)
        entry = {"import_id": plan_.import_id, "kind": plan_.parsed.kind, "format": plan_.parsed.format,
                 "file_name": plan_.file_name, "sha256": plan_.sha256, "imported_at": f"{_now():%Y-%m-%dT%H:%M:%SZ}",
                 "imported_by": who, "source_id": plan_.import_id, "added": plan_.added, "changed": plan_.changed,
                 "unchanged": plan_.unchanged, "ignored": plan_.ignored, "status": "applied", "undone_at": "",
                 "undone_by": ""}
        _write_log(pd.concat([log, pd.DataFrame([entry]).astype(str)], ignore_index=True), imports_dir)
        _crash_point("after_log")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    build(curated_dir, db_path, applied_dirs(imports_dir))


def undo(import_id: str, who: str, imports_dir: Path | None = None, curated_dir: Path | None = None,
         db_path: Path | None = None) -> None:
    """Take an import's rows out (its files stay, for the audit trail) and rebuild."""
    imports_dir = imports_dir or IMPORTS_DIR
    from loaders.build import CURATED_DIR, DB_PATH, build
    log = read_log(imports_dir)
    match = log["import_id"] == import_id
    if not match.any() or (log.loc[match, "status"] != "applied").all():
        raise KeyError(f"no applied import {import_id!r}")
    remaining = [imports_dir / i for i in log.loc[(log["status"] == "applied") & ~match, "import_id"]]
    # Validate first: an import that later imports depend on (none do today) must not vanish silently.
    from loaders.build import load_curated
    load_curated(curated_dir or CURATED_DIR, remaining)
    log.loc[match, ["status", "undone_at", "undone_by"]] = ["undone", f"{_now():%Y-%m-%dT%H:%M:%SZ}", who]
    _write_log(log, imports_dir)
    build(curated_dir or CURATED_DIR, db_path or DB_PATH, remaining)


# --- command line -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders.importer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for kind in ("homicide", "kpi"):
        p = sub.add_parser(kind, help=f"import a {kind} file")
        p.add_argument("path", type=Path)
        p.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
        p.add_argument("--who", default=getpass.getuser())
    u = sub.add_parser("undo", help="undo an applied import")
    u.add_argument("import_id")
    u.add_argument("--who", default=getpass.getuser())
    sub.add_parser("log", help="list imports")
    args = parser.parse_args(argv)

    if args.command == "log":
        print(read_log().to_string(index=False))
        return 0
    if args.command == "undo":
        try:
            undo(args.import_id, args.who)
        except (KeyError, ValidationFailed) as exc:
            print(f"Undo refused: {exc}", file=sys.stderr)
            return 1
        print(f"undone {args.import_id}; database rebuilt")
        return 0
    started = time.perf_counter()
    try:
        data = args.path.read_bytes()
        result = plan(data, args.path.name, args.command)
    except OSError as exc:
        print(f"Cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    except formats.ImportRejected as exc:
        print(f"Import refused: {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        for problem in exc.problems[:200]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{args.path.name}: {result.parsed.format} format, {result.parsed.publisher}, "
          f"edition {result.parsed.edition or 'not stated'}")
    print(result.summary())
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    apply(result, args.who)
    print(f"applied as {result.import_id} in {time.perf_counter() - started:.1f} s; database rebuilt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
