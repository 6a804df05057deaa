"""Import official statistics and monitoring results: preview, apply atomically, undo.

    python -m loaders.importer homicide PATH [--dry-run] [--who NAME]
    python -m loaders.importer kpi PATH [--dry-run] [--who NAME]
    python -m loaders.importer undo IMPORT_ID [--who NAME]
    python -m loaders.importer log

Every import becomes its own `sources` row (publisher, title, edition read from the file) with its
rows under it, so it never overwrites another source's values. The uploaded file is kept under a
generated name (`upload.csv` / `upload.xlsx`) with its normalized rows in
`data/imports/<import_id>/`; its original name and SHA-256 are recorded in `data/imports/log.csv`
(for editors), which lists every import and whether it is applied or undone; the build includes
the applied ones, so the database can always be rebuilt from files.

Apply and undo hold the data folder's write lock (`loaders.lock`) from validation to the rebuilt
database, so two editors, the command line and the app never interleave; a writer that cannot get
it within the bounded wait is told to try again. Apply: the import is written to a staging folder,
the whole database is validated with it, the folder is renamed into place, the log is replaced
atomically, then the database is rebuilt. A process killed at any point leaves either the old state
or the new one, never a mix; its leftovers are removed by the next writer.
"""
from __future__ import annotations

import argparse
import getpass
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from loaders import build, compare, formats, importlog, lock, paths
from loaders.importlog import LOG_COLUMNS, applied_dirs, read_log  # noqa: F401  (the page and tests use them)
from loaders.messages import say
from loaders.paths import CURATED_DIR
from loaders.reference import Reference
from loaders.series import SERIES_BY_ID
from loaders.validate import Problem, ValidationFailed

log = logging.getLogger("dashboard.importer")
TABLE_COLUMNS = {
    "homicide_rates": ["iso3", "year", "rate_per_100k", "source_id", "source_ref", "note"],
    "homicide_benchmarks": ["area", "year", "rate_per_100k", "source_id", "source_ref", "note"],
    "kpi_results": ["kpi_id", "period", "iso3", "breakdown", "value", "target", "source_id", "source_ref", "note"],
    "action_status": ["goal_no", "action_no", "status", "as_of", "source_id", "source_ref", "note"],
    "obi_results": ["obi_id", "period", "iso3", "value", "unit", "baseline", "assessment", "as_of", "source_id",
                    "source_ref", "note"],
    "dataset_editions": ["source_id", "series_id", "edition_date", "edition", "layout", "source_ref"],
}
SOURCE_COLUMNS = ["source_id", "title", "publisher", "year", "kind", "citation", "file", "accessed"]
MAX_NAME_CHARS = 150
_CRASH_AT = os.environ.get("DASHBOARD_IMPORT_CRASH_AT", "")  # fault injection for the atomicity tests


class UndoRefused(Exception):
    """An undo that would leave the data other than it was before the import (a later edit depends on it)."""


@dataclass
class Plan:
    """A validated import, ready to apply: what it would add, change, leave unchanged and ignore.

    `source` is the import's own sources row, or None when its rows cite sources the data holds already
    (a project edit citing a curated document)."""
    parsed: formats.Parsed
    data: bytes
    file_name: str  # as the editor named it: display text only, never a path
    stored_name: str  # the name the file is kept under in its import folder
    sha256: str
    import_id: str
    source: dict
    tables: dict[str, pd.DataFrame]
    added: int
    changed: int
    unchanged: int
    comparison: compare.Comparison = field(default_factory=compare.Comparison)
    notes: list[str] = field(default_factory=list)  # what the editor must know before applying
    # Asked again under the write lock, with the applied imports and the curated folder: problems when the data
    # changed since the preview so that the plan no longer holds (a project edited by another editor meanwhile).
    recheck: Callable[[list[Path], Path], list[Problem]] | None = None

    @property
    def ignored(self) -> int:
        return self.parsed.ignored

    @property
    def differences(self) -> pd.DataFrame:
        """New values that differ from what the dashboard shows by compare.DIFFERENCE_THRESHOLD or more."""
        return self.comparison.differences

    def summary(self) -> str:
        text = (f"rows added {self.added}, changed {self.changed}, unchanged {self.unchanged}, "
                f"ignored {self.ignored}" + (f" ({self.parsed.ignored_note})" if self.ignored else ""))
        if self.parsed.series_id:
            text = (f"series: {SERIES_BY_ID[self.parsed.series_id].title}; edition "
                    f"{self.parsed.edition_date or 'not stated'}\n{text} (changed: different at the one decimal "
                    f"shown)\ncompared with what the dashboard shows: {self.comparison.compared} values, "
                    f"{len(self.differences)} differ by {compare.DIFFERENCE_THRESHOLD:g} or more per 100,000")
        return "\n".join([text, *self.notes])


def check_file_name(name: str) -> str:
    """The upload's name as display text; refuse names that are empty, control characters, paths or too long."""
    if name is None or not str(name).strip():
        raise formats.ImportRejected([Problem("(no name)", None, None, "the file has no name; give it one")])
    shown = repr(name[:60] + ("..." if len(name) > 60 else ""))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise formats.ImportRejected([Problem(shown, None, None,
                                              "the file name holds control characters; rename the file")])
    if name.strip() in (".", "..") or "/" in name or "\\" in name:
        raise formats.ImportRejected([Problem(shown, None, None,
                                              "the file name may not be '.' or '..' or hold / or \\; rename the file")])
    if len(name) > MAX_NAME_CHARS:
        raise formats.ImportRejected([Problem(shown, None, None, f"the file name is {len(name)} characters long; "
                                                                 f"the limit is {MAX_NAME_CHARS}; rename the file")])
    return name


def stored_name(data: bytes) -> str:
    return "upload.xlsx" if data[:4] == b"PK\x03\x04" else "upload.csv"


# --- planning -----------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _normalize(parsed: formats.Parsed, source_id: str) -> dict[str, pd.DataFrame]:
    tables = {}
    for name, rows in parsed.tables.items():
        frame = rows.copy()
        frame["source_id"] = source_id
        where = f"{name} sheet, row" if parsed.format == "kpi_template" else "row"
        frame["source_ref"] = [f"{where} {line}" for line in frame["line"]]
        if "note" not in frame:
            frame["note"] = ""
        tables[name] = frame[TABLE_COLUMNS[name] + ["line"]].reset_index(drop=True)
    if parsed.series_id:
        tables["dataset_editions"] = pd.DataFrame([{
            "source_id": source_id, "series_id": parsed.series_id, "edition_date": parsed.edition_date,
            "edition": parsed.edition, "layout": parsed.layout, "source_ref": parsed.edition_ref, "line": 1}])
    return tables


def _edition(parsed: formats.Parsed, edition: str | None, file_name: str) -> None:
    """The editor's statement of the edition (CLI --edition, the preview's date) for a file that states none."""
    if not edition:
        return
    try:
        day = datetime.strptime(edition.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise formats.ImportRejected([Problem(file_name, None, None, say("edition.bad", typed=repr(edition[:40])))])
    parsed.edition_date = day.isoformat()
    parsed.edition = parsed.edition or f"{day.isoformat()} (stated by the editor)"
    parsed.edition_ref = "edition stated by the editor at import"
    parsed.year = day.year


def _notes(parsed: formats.Parsed, comparison: compare.Comparison, stamp: datetime) -> list[str]:
    notes = list(parsed.notes)
    if not parsed.series_id:
        return notes
    title = SERIES_BY_ID[parsed.series_id].title
    order = parsed.edition_date or f"{stamp:%Y-%m-%d}"
    if not parsed.edition_date:
        notes.append(say("edition.none_stated", order=order, title=title))
    if comparison.newest_edition and order < comparison.newest_edition:
        notes.append(say("edition.older", order=order, title=title, newest=comparison.newest_edition))
    return notes


def plan(data: bytes, file_name: str, kind: str, imports_dir: Path | None = None,
         curated_dir: Path | None = None, db_path: Path | None = None, validate: bool = True,
         series: str | None = None, edition: str | None = None) -> Plan:
    """Parse and validate an upload against the whole database; raise ImportRejected naming rows/columns.

    `series`: the editor's choice for a file whose column does not say whose figures it holds (formats.SeriesNeeded
    asks for it); `edition`: the edition's date (YYYY-MM-DD) for a file that states none.
    Writes nothing under the data folder (its scratch copy goes to the system's temporary folder).
    `validate=False` leaves the whole-database check to `apply`, which makes it anyway, under the lock.
    """
    imports_dir = imports_dir or paths.imports_dir()
    curated_dir, db_path = curated_dir or CURATED_DIR, db_path or paths.db_path()
    file_name = check_file_name(file_name)
    if series is not None and series not in SERIES_BY_ID:
        raise formats.ImportRejected([Problem(file_name, None, None, say(
            "series.unknown", series=repr(series), choices=", ".join(SERIES_BY_ID)))])
    sha = hashlib.sha256(data).hexdigest()
    log_ = read_log(imports_dir)
    again = log_[(log_["sha256"] == sha) & (log_["status"] == "applied")]
    if len(again):
        raise formats.ImportRejected([Problem(file_name, None, None, say("file.already_imported",
                                                                             import_id=again['import_id'].iloc[0]))])
    parsed = formats.parse(data, file_name, series=series, reference=Reference.from_curated(curated_dir))
    if parsed.kind != kind:
        raise formats.ImportRejected([Problem(file_name, None, None, say(
            "file.kind_kpi_not_homicide" if parsed.kind == "kpi" else "file.kind_homicide_not_kpi", format=parsed.format))])
    if parsed.rows == 0:  # readers refuse an empty homicide file themselves; a template with no row is refused here
        raise formats.ImportRejected([Problem(file_name, None, None, say("file.no_rows_header_only"))])
    _edition(parsed, edition, file_name)
    stamp = _now()
    import_id = f"imp_{stamp:%Y%m%d_%H%M%S}_{sha[:8]}"
    shown_edition = parsed.edition or "no edition or date stated in the file"
    stored = stored_name(data)
    # What viewers see of an import: title, publisher, edition. The file's own name and hash are in the log.
    source = {"source_id": import_id, "title": parsed.title, "publisher": parsed.publisher, "year": parsed.year or "",
              "kind": "dataset", "citation": f"{parsed.title}; edition: {shown_edition}",
              "file": f"data/imports/{import_id}/{stored}", "accessed": f"{stamp:%Y-%m-%d}"}
    tables = _normalize(parsed, import_id)
    if db_path == paths.DB_PATH:
        build.ensure_built(curated_dir, db_path, imports_dir)
    comparison = _compare(parsed, tables, db_path)
    result = Plan(parsed, data, file_name, stored, sha, import_id, source, tables, comparison.added,
                  comparison.changed, comparison.unchanged, comparison, _notes(parsed, comparison, stamp))
    if validate:
        with tempfile.TemporaryDirectory(prefix="dashboard-plan-") as scratch:
            folder = _write_import(result, Path(scratch))
            _validate_with(folder, result, imports_dir, curated_dir)
    return result


def _compare(parsed: formats.Parsed, tables: dict[str, pd.DataFrame], db_path: Path) -> compare.Comparison:
    if not db_path.exists():
        rows = sum(len(t) for n, t in tables.items() if n != "dataset_editions")
        return compare.Comparison(added=rows)
    if parsed.kind == "homicide":
        return compare.homicide(tables, parsed.series_id, db_path)
    return compare.kpi(tables, db_path)


def _write_import(plan_: Plan, parent: Path) -> Path:
    folder = parent / plan_.import_id
    folder.mkdir(parents=True)
    (folder / plan_.stored_name).write_bytes(plan_.data)
    sources = pd.DataFrame([plan_.source] if plan_.source else [], columns=SOURCE_COLUMNS)
    sources.to_csv(folder / "sources.csv", index=False, lineterminator="\n")
    for name, frame in plan_.tables.items():
        frame.drop(columns="line").to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return folder


def _validate_with(folder: Path, plan_: Plan, imports_dir: Path, curated_dir: Path) -> dict[str, pd.DataFrame]:
    """Validate the whole database with this import added; map problems back to the user's rows.

    Returns the validated tables (what the database will hold once the import is applied)."""
    try:
        return build.load_curated(curated_dir, applied_dirs(imports_dir) + [folder])
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
          db_path: Path | None = None, timeout: float | None = None) -> None:
    """Apply a plan: validate again, stage, rename, log, rebuild, all under the write lock.

    Raises lock.Busy when another writer holds the lock past the bounded wait (nothing written),
    ImportRejected when the data changed since the plan so that it no longer fits.
    """
    imports_dir = imports_dir or paths.imports_dir()
    curated_dir, db_path = curated_dir or CURATED_DIR, db_path or paths.db_path()
    with lock.writer(imports_dir.parent, timeout, db_path=db_path, imports_dir=imports_dir):
        log_ = read_log(imports_dir)
        again = log_[(log_["sha256"] == plan_.sha256) & (log_["status"] == "applied")]
        if len(again):
            raise formats.ImportRejected([Problem(plan_.file_name, None, None,
                                                  f"this file was already imported as {again['import_id'].iloc[0]}")])
        final = imports_dir / plan_.import_id
        if final.exists():
            if plan_.import_id in set(log_["import_id"]):
                raise formats.ImportRejected([Problem(plan_.file_name, None, None,
                                                      f"an import {plan_.import_id} exists already; upload the file again")])
            shutil.rmtree(final)  # left by a run killed between its rename and its log entry: never applied
        imports_dir.mkdir(parents=True, exist_ok=True)
        if plan_.recheck is not None:
            problems = plan_.recheck(applied_dirs(imports_dir), curated_dir)
            if problems:
                raise formats.ImportRejected(problems)
        staging = Path(tempfile.mkdtemp(dir=imports_dir, prefix=".staging-"))
        try:
            folder = _write_import(plan_, staging)
            frames = _validate_with(folder, plan_, imports_dir, curated_dir)
            if plan_.parsed.kind in ("homicide", "kpi"):
                # counted again: another import may have been applied since the preview
                plan_.comparison = _compare(plan_.parsed, plan_.tables, db_path)
                plan_.added, plan_.changed, plan_.unchanged = (plan_.comparison.added, plan_.comparison.changed,
                                                               plan_.comparison.unchanged)
            _crash_point("after_stage")
            os.rename(folder, final)
            _crash_point("after_rename")
            entry = {"import_id": plan_.import_id, "kind": plan_.parsed.kind, "format": plan_.parsed.format,
                     "file_name": plan_.file_name, "sha256": plan_.sha256,
                     "imported_at": f"{_now():%Y-%m-%dT%H:%M:%SZ}", "imported_by": who,
                     "source_id": plan_.source["source_id"] if plan_.source else "", "added": plan_.added, "changed": plan_.changed,
                     "unchanged": plan_.unchanged, "ignored": plan_.ignored, "status": "applied", "undone_at": "",
                     "undone_by": ""}
            importlog.write_log(pd.concat([log_, pd.DataFrame([entry]).astype(str)], ignore_index=True), imports_dir)
            _crash_point("after_log")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _publish(frames, curated_dir, db_path, imports_dir, timeout)
    log.info("applied %s (%s) by %s", plan_.import_id, plan_.parsed.format, who)


def _publish(frames: dict[str, pd.DataFrame], curated_dir: Path, db_path: Path, imports_dir: Path,
             timeout: float | None) -> None:
    """Rebuild the database from tables just validated (the database's own lock, when it lives elsewhere)."""
    with lock.writer(db_path.parent, timeout, db_path=db_path):
        build.publish(frames, db_path, build.inputs_digest(curated_dir, applied_dirs(imports_dir)))


def undo(import_id: str, who: str, imports_dir: Path | None = None, curated_dir: Path | None = None,
         db_path: Path | None = None, timeout: float | None = None) -> None:
    """Take an import's rows out (its files stay, for the audit trail) and rebuild."""
    imports_dir = imports_dir or paths.imports_dir()
    curated_dir, db_path = curated_dir or CURATED_DIR, db_path or paths.db_path()
    with lock.writer(imports_dir.parent, timeout, db_path=db_path, imports_dir=imports_dir):
        log_ = read_log(imports_dir)
        match = log_["import_id"] == import_id
        if not match.any() or (log_.loc[match, "status"] != "applied").all():
            raise KeyError(f"no applied import {import_id!r}")
        later = _later_edits_of_same_projects(log_, import_id, imports_dir)
        if later:
            raise UndoRefused(say("undo.later_edits", import_id=import_id, later=", ".join(later)))
        remaining = [imports_dir / i for i in log_.loc[(log_["status"] == "applied") & ~match, "import_id"]]
        # Validate first: an import that later imports depend on (none do today) must not vanish silently.
        frames = build.load_curated(curated_dir, remaining)
        log_.loc[match, ["status", "undone_at", "undone_by"]] = ["undone", f"{_now():%Y-%m-%dT%H:%M:%SZ}", who]
        importlog.write_log(log_, imports_dir)
        _publish(frames, curated_dir, db_path, imports_dir, timeout)
    log.info("undid %s by %s", import_id, who)


def _project_ids(folder: Path) -> set[str]:
    path = folder / "projects.csv"
    if not path.exists():
        return set()
    return set(pd.read_csv(path, dtype=str, keep_default_na=False)["project_id"])


def _later_edits_of_same_projects(log_: pd.DataFrame, import_id: str, imports_dir: Path) -> list[str]:
    """Applied imports after `import_id` that edit a project it edits: undoing it first would leave their rows
    standing on nothing (an added project would survive through its later edit). Undo those first."""
    ids = _project_ids(imports_dir / import_id)
    if not ids:
        return []
    position = log_.index[log_["import_id"] == import_id][-1]
    after = log_.loc[(log_.index > position) & (log_["status"] == "applied"), "import_id"]
    return [later for later in after if _project_ids(imports_dir / later) & ids]


# --- command line -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders.importer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for kind in ("homicide", "kpi"):
        p = sub.add_parser(kind, help=f"import a {kind} file")
        p.add_argument("path", type=Path)
        p.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
        p.add_argument("--who", default=getpass.getuser())
        if kind == "homicide":
            p.add_argument("--series", choices=list(SERIES_BY_ID),
                           help="the series of an Our World in Data file whose column does not name it")
            p.add_argument("--edition", metavar="YYYY-MM-DD", help="the edition's date, for a file that states none")
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
        except (KeyError, ValidationFailed, UndoRefused) as exc:
            print(f"Undo refused: {exc}", file=sys.stderr)
            return 1
        except lock.Busy as exc:
            print(f"Undo not done: {exc}.", file=sys.stderr)
            return 3
        print(f"undone {args.import_id}; database rebuilt")
        return 0
    started = time.perf_counter()
    try:
        data = args.path.read_bytes()
        options = {"series": args.series, "edition": args.edition} if args.command == "homicide" else {}
        result = plan(data, args.path.name, args.command, validate=args.dry_run, **options)  # apply validates anyway
    except OSError as exc:
        print(f"Cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    except formats.ImportRejected as exc:
        print(f"Import refused: {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        for problem in exc.problems[:200]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{args.path.name}: {result.parsed.format} format ({result.parsed.layout}), {result.parsed.publisher}, "
          f"edition {result.parsed.edition or 'not stated'}")
    if args.dry_run:
        print(result.summary())
        _print_differences(result)
        print("dry run: nothing written")
        return 0
    try:
        apply(result, args.who)
    except lock.Busy as exc:
        print(f"Import not applied: {exc}. Nothing was written.", file=sys.stderr)
        return 3
    except formats.ImportRejected as exc:
        print(f"Import refused: {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        for problem in exc.problems[:200]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(result.summary())
    _print_differences(result)
    print(f"applied as {result.import_id} in {time.perf_counter() - started:.1f} s; database rebuilt")
    return 0


def _print_differences(result: Plan, limit: int = 10) -> None:
    shown = result.differences.head(limit)
    for row in shown.itertuples():
        print(f"  {row.place} {row.year}: {row.new_value:.1f} here, {row.shown_value:.1f} shown now "
              f"({row.shown_source}); {row.difference:+.1f}")
    if len(result.differences) > limit:
        print(f"  ... and {len(result.differences) - limit} more")


if __name__ == "__main__":
    sys.exit(main())
