"""Project edits from the Data management page: add a project, edit its fields, retire it.

A change is an import like any other (loaders/importer.py): `plan()` turns the editor's fields into the rows
of the four project tables (projects, project_countries, project_areas, project_threats) and, when the editor
names a document the data does not hold yet, a sources row; `importer.apply` writes them under
`<imports>/<import_id>/` with the change itself (`change.json`), logs who and when, and rebuilds;
`importer.undo` takes it out. The build lets an import's project replace the earlier rows of that project
(`Table.replaced_by_imports` in loaders/tables.py): an edit replaces the project's rows, a retirement keeps
them with `retired_on` and `retired_reason` set.

Every field is checked by the declarations of loaders/tables.py (types, allowed values, patterns, references,
formula-like text) through the build's own validation of the whole database with the change in it; the few
rules the declarations cannot say (a new identifier, an end after the start, a currency, a reason to retire)
are checked here. Problems name the form's field (`Problem.column`) and the value.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from loaders import build, formats, importer, paths
from loaders.importlog import applied_dirs
from loaders.messages import say
from loaders.paths import CURATED_DIR
from loaders.tables import CURRENCIES, PROJECT_TABLES, TABLES_BY_NAME
from loaders.validate import Problem, ValidationFailed, formula_like

ACTIONS = ("add", "edit", "retire")
NEW_SOURCE = ""  # the `source` field's value for a document the data does not hold yet
TEXT_LIMIT = 2000  # characters of a text field; the description may hold DESCRIPTION_LIMIT
DESCRIPTION_LIMIT = 10000
WHERE = "project"  # Problem.file of the form's problems: the page shows the field, not a file

# The form's fields: what the editor types. Lists: countries (ISO3 codes), threats ({threat_id, rationale}).
FIELDS = ("project_id", "name", "donor", "implementer", "countries", "start_date", "end_date", "ongoing",
          "period_text", "funding", "currency", "theme", "description", "threats", "source", "source_title",
          "source_publisher", "source_url", "source_date", "source_ref", "note", "retired_on", "retired_reason")

# (table, column) -> the form's field that holds it: a problem in a column is told at its field.
FIELD_OF = {
    ("projects", "period_text"): "period_text", ("projects", "funding_eur"): "funding",
    ("projects", "funding_text"): "funding", ("projects", "funding_note"): "funding",
    ("projects", "source_id"): "source", ("projects", "duplicate_of"): "project_id",
    ("project_countries", "iso3"): "countries", ("project_countries", "project_id"): "project_id",
    ("project_areas", "area"): "areas", ("project_areas", "project_id"): "project_id",
    ("project_threats", "threat_id"): "threats", ("project_threats", "rationale"): "threat_rationale",
    ("project_threats", "project_id"): "project_id",
    ("sources", "title"): "source_title", ("sources", "publisher"): "source_publisher",
    ("sources", "file"): "source_url", ("sources", "accessed"): "source_date", ("sources", "year"): "source_date",
    ("sources", "citation"): "source_title",
}
for _table in ("project_countries", "project_areas", "project_threats"):
    FIELD_OF[(_table, "source_id")], FIELD_OF[(_table, "source_ref")] = "source", "source_ref"


@dataclass
class ProjectPlan(importer.Plan):
    """An import plan for one project change, with what the preview shows: each field before and after."""
    action: str = ""
    project_id: str = ""
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # field, before, after (only what changes)


# --- the project as the data holds it now ---------------------------------------------------------

def _cell(value: object) -> str:
    """A typed cell back to the text a CSV holds."""
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _text_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    return [{c: _cell(v) for c, v in row.items()} for row in frame.to_dict("records")]


def current_frames(curated_dir: Path | None = None, imports_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table as the files say now (curated plus applied imports), validated."""
    return build.load_curated(curated_dir or CURATED_DIR, applied_dirs(imports_dir or paths.imports_dir()))


def project_rows(frames: dict[str, pd.DataFrame], project_id: str) -> dict[str, list[dict[str, str]]]:
    """The project's rows in the four project tables, as text; empty lists when there is no such project."""
    return {name: _text_rows(frames[name][frames[name]["project_id"] == project_id]) for name in PROJECT_TABLES}


def form_values(rows: dict[str, list[dict[str, str]]]) -> dict:
    """The edit form's starting values for a project (its rows as `project_rows` gives them)."""
    row = rows["projects"][0]
    return {
        "project_id": row["project_id"], "name": row["name"], "donor": row["donor"],
        "implementer": row["implementer"], "countries": [r["iso3"] for r in rows["project_countries"]],
        "start_date": row["start_date"], "end_date": row["end_date"], "ongoing": row["ongoing"] == "true",
        "period_text": row["period_text"], "funding": row["funding_eur"], "currency": "EUR" if row["funding_eur"] else "",
        "theme": row["theme"], "description": row["description"],
        "threats": [{"threat_id": r["threat_id"], "rationale": r["rationale"]} for r in rows["project_threats"]],
        "source": row["source_id"], "source_title": "", "source_publisher": "", "source_url": "", "source_date": "",
        "source_ref": row["source_ref"], "note": row["note"],
        "retired_on": row["retired_on"], "retired_reason": row["retired_reason"],
    }


def next_free_id(frames: dict[str, pd.DataFrame], prefix: str = "PRJ") -> str:
    """The next unused identifier of the editors' own series (PRJ-01, PRJ-02, ...)."""
    used = set(frames["projects"]["project_id"])
    return next(f"{prefix}-{n:02d}" for n in range(1, 1000) if f"{prefix}-{n:02d}" not in used)


# --- from the form to rows ------------------------------------------------------------------------

def _text(change: dict, name: str) -> str:
    value = change.get(name)
    return "" if value is None else str(value).strip()


def _amount_text(amount: float, currency: str) -> str:
    shown = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{currency} {shown}"


def _funding(change: dict, before: dict[str, str] | None, problems: list[Problem]) -> tuple[str, str, str]:
    """(funding_eur, funding_text, funding_note). An amount in another currency is kept as written and left
    out of the euro totals (no rate is invented); an unchanged figure keeps its words as written."""
    typed, currency = _text(change, "funding"), _text(change, "currency").upper()
    if before is not None and typed == before["funding_eur"] and currency in ("", "EUR") and \
            (currency == "EUR" or not typed):
        return before["funding_eur"], before["funding_text"], before["funding_note"]
    if not typed:
        return "", "", ""
    try:
        amount = float(typed.replace(",", "").replace("_", ""))
    except ValueError:
        problems.append(Problem(WHERE, None, "funding", say("project.funding_not_number", typed=repr(typed))))
        return "", "", ""
    if not math.isfinite(amount) or amount < 0:
        problems.append(Problem(WHERE, None, "funding", say("project.funding_negative", typed=repr(typed))))
        return "", "", ""
    if currency not in CURRENCIES:
        problems.append(Problem(WHERE, None, "currency", say("project.currency", typed=repr(currency),
                                                             allowed=", ".join(CURRENCIES))))
        return "", "", ""
    text = _amount_text(amount, currency)
    if currency == "EUR":
        return _cell(amount), text, ""
    return "", text, say("project.funding_other_currency", currency=currency)


def _period_text(change: dict, before: dict[str, str] | None) -> str:
    typed = _text(change, "period_text")
    start, end = _text(change, "start_date"), _text(change, "end_date")
    ongoing = _ongoing(change)
    if before is not None and (start, end, ongoing) == (before["start_date"], before["end_date"], before["ongoing"]):
        return typed or before["period_text"]
    if typed:
        return typed
    if start and end:
        return f"{start} – {end}"
    if start:
        return f"{start} – ongoing" if ongoing == "true" else start
    return ""


def _ongoing(change: dict) -> str:
    value = change.get("ongoing")
    if isinstance(value, str):
        return "true" if value.strip().lower() == "true" else "false"
    return "true" if value else "false"


def _project_row(change: dict, before: dict[str, str] | None, source_id: str, problems: list[Problem]) -> dict:
    funding_eur, funding_text, funding_note = _funding(change, before, problems)
    return {
        "project_id": _text(change, "project_id"), "name": _text(change, "name"), "donor": _text(change, "donor"),
        "implementer": _text(change, "implementer"), "period_text": _period_text(change, before),
        "start_date": _text(change, "start_date"), "end_date": _text(change, "end_date"), "ongoing": _ongoing(change),
        "funding_eur": funding_eur, "funding_text": funding_text, "funding_note": funding_note,
        "theme": _text(change, "theme"), "description": _text(change, "description"),
        "duplicate_of": before["duplicate_of"] if before else "",
        "retired_on": before["retired_on"] if before else "", "retired_reason": before["retired_reason"] if before else "",
        "source_id": source_id, "source_ref": _text(change, "source_ref"), "note": _text(change, "note"),
    }


def _rows_for(action: str, change: dict, before: dict[str, list[dict[str, str]]], source_id: str,
              problems: list[Problem]) -> dict[str, list[dict[str, str]]]:
    if action == "retire":
        rows = {name: [dict(r) for r in before[name]] for name in PROJECT_TABLES}
        rows["projects"][0]["retired_on"] = _text(change, "retired_on")
        rows["projects"][0]["retired_reason"] = _text(change, "retired_reason")
        return rows
    old = before["projects"][0] if before["projects"] else None
    project = _project_row(change, old, source_id, problems)
    pid, ref = project["project_id"], project["source_ref"]
    countries = [str(c).strip() for c in change.get("countries") or []]
    threats = [{"threat_id": str(t.get("threat_id") or "").strip(), "rationale": str(t.get("rationale") or "").strip()}
               for t in change.get("threats") or []]
    # A link the change keeps keeps its own citation; a new one cites the change's source.
    old_countries = {r["iso3"]: r for r in before["project_countries"]}
    old_threats = {(r["threat_id"], r["rationale"]): r for r in before["project_threats"]}
    return {
        "projects": [project],
        "project_countries": [old_countries.get(c, {"project_id": pid, "iso3": c, "source_id": source_id,
                                                    "source_ref": ref}) for c in dict.fromkeys(countries)],
        # Other areas (territories, regions) are not on the form: an edit keeps them as they are.
        "project_areas": [dict(r) for r in before["project_areas"]],
        "project_threats": [old_threats.get((t["threat_id"], t["rationale"]),
                                            {"project_id": pid, **t, "source_id": source_id, "source_ref": ref})
                            for t in threats],
    }


def _source_row(change: dict, import_id: str) -> dict:
    """The sources row of a document the data does not hold yet (a web page, a new agreement)."""
    title, url, day = _text(change, "source_title"), _text(change, "source_url"), _text(change, "source_date")
    title = title or url
    year = day[:4] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else ""
    citation = "; ".join(p for p in (title, url, f"read {day}" if day else "") if p)
    return {"source_id": import_id, "title": title,
            "publisher": _text(change, "source_publisher") or say("project.publisher_not_stated"),
            "year": year, "kind": "document", "citation": citation, "file": url, "accessed": day}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or "") else None
    except ValueError:
        return None


def _formulas(rows: dict[str, list[dict[str, str]]]) -> tuple[list[Problem], dict[str, list[dict[str, str]]]]:
    """Formula-like text (the declared rule of loaders/validate.py), told at its field; and the rows with such
    cells made harmless, so that the validation pass can still tell every other field (the build stops a file at
    its first formula). Rows with a formula are never written: the change is refused."""
    problems, checked = [], {}
    for table, table_rows in rows.items():
        checked[table] = []
        for row in table_rows:
            clean = dict(row)
            for column, value in row.items():
                if formula_like(value):
                    problems.append(Problem(WHERE, None, FIELD_OF.get((table, column), column),
                                            f"formula-like text {value.strip()[:40]!r} is not allowed"))
                    clean[column] = "'" + value.strip()
            checked[table].append(clean)
    return problems, checked


# --- checks the declarations cannot make ----------------------------------------------------------

def _form_checks(action: str, change: dict, before: dict[str, list[dict[str, str]]],
                 frames: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    pid = _text(change, "project_id")
    exists = bool(before["projects"])
    if action == "add" and exists:
        problems.append(Problem(WHERE, None, "project_id", say("project.id_taken", typed=repr(pid))))
    if action in ("edit", "retire") and not exists:
        problems.append(Problem(WHERE, None, "project_id", say("project.id_unknown", typed=repr(pid))))
    if action == "retire":
        if exists and before["projects"][0]["retired_on"]:
            problems.append(Problem(WHERE, None, "project_id", say(
                "project.already_retired", typed=repr(pid), day=before["projects"][0]["retired_on"])))
        for name in ("retired_on", "retired_reason"):
            if not _text(change, name):
                problems.append(Problem(WHERE, None, name, say("project.missing")))
        day = _text(change, "retired_on")
        if _day(day) and _day(day) > date.today():
            problems.append(Problem(WHERE, None, "retired_on", say("project.retired_future", typed=repr(day))))
        return problems
    start, end = _text(change, "start_date"), _text(change, "end_date")
    if _day(start) and _day(end) and _day(end) < _day(start):
        problems.append(Problem(WHERE, None, "end_date", say("project.end_before_start", end=repr(end),
                                                             start=repr(start))))
    if _text(change, "source") == NEW_SOURCE:
        url = _text(change, "source_url")
        if url and not re.fullmatch(r"https?://[^\s]+", url):
            problems.append(Problem(WHERE, None, "source_url", say("project.url", typed=repr(url[:80]))))
    threats = [str(t.get("threat_id") or "").strip() for t in change.get("threats") or []]
    for threat in sorted({t for t in threats if threats.count(t) > 1}):
        problems.append(Problem(WHERE, None, "threats", say("project.threat_twice", typed=repr(threat))))
    for name in FIELDS:
        value = change.get(name)
        texts = [value] if isinstance(value, str) else \
            [t.get("rationale") for t in value or [] if isinstance(t, dict)] if name == "threats" else []
        limit = DESCRIPTION_LIMIT if name == "description" else TEXT_LIMIT
        for text in (str(t) for t in texts if t):
            if len(text) > limit:
                problems.append(Problem(WHERE, None, name, say("project.too_long", length=len(text), limit=limit)))
            elif any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n" for ch in text):
                problems.append(Problem(WHERE, None, name, say("project.control")))
    return problems


# --- validation through the declarations --------------------------------------------------------

def _field_problems(exc: ValidationFailed, import_id: str, rows: dict[str, list[dict[str, str]]]) -> list[Problem]:
    """The build's problems with the change in it, told at the form's fields, with the value."""
    problems = []
    for p in exc.problems:
        path = Path(p.file)
        table = path.stem
        if path.parent.name != import_id:
            problems.append(Problem(WHERE, None, None, str(p)))
            continue
        columns = [c.strip() for c in (p.column or "").split(",") if c.strip()]
        field_name = FIELD_OF.get((table, columns[0]), columns[0]) if columns else None
        message = p.message
        table_rows = rows.get(table, [])
        if table == "project_threats" and p.line and 0 <= p.line - 2 < len(table_rows):
            message = f"{table_rows[p.line - 2]['threat_id'] or '?'}: {message}"
        problems.append(Problem(WHERE, None, field_name, message))
    unique = {(q.column or "", q.message): q for q in problems}
    return list(unique.values())


def _declared_checks(rows: dict[str, list[dict[str, str]]], frames: dict[str, pd.DataFrame], pid: str,
                     source_id: str) -> list[Problem]:
    """The declared allowed values, patterns and references of every cell, each on its own: the build stops at
    a file's type problems and checks references only once every file reads, but a form tells every field."""
    known: dict[tuple[str, str], set[str]] = {}
    problems = []
    for table, table_rows in rows.items():
        for i, row in enumerate(table_rows):
            for col in TABLES_BY_NAME[table].columns:
                value = row.get(col.name, "")
                if not value:
                    continue
                message = None
                if col.allowed and value not in col.allowed:
                    message = f"value {value!r} must be one of: {', '.join(col.allowed)}"
                elif col.pattern and not re.match(col.pattern, value):
                    message = f"value {value!r} must match {col.pattern}"
                elif col.references:
                    other, other_col = col.references.split(".")
                    key = (other, other_col)
                    if key not in known:
                        known[key] = set(frames[other][other_col].dropna().astype(str))
                    extra = {pid} if other == "projects" else {source_id} if other == "sources" else set()
                    if value not in known[key] | extra:
                        message = f"{value!r} not found in {other}.{other_col}"
                if message:
                    problems.append(Problem(WHERE, None, FIELD_OF.get((table, col.name), col.name), message))
    return problems


def _fingerprint(rows: dict[str, list[dict[str, str]]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _counts(before: dict[str, list[dict[str, str]]], after: dict[str, list[dict[str, str]]]) -> tuple[int, int, int, int]:
    """Rows added, changed, unchanged and removed across the project tables (compared by each table's key)."""
    added = changed = unchanged = removed = 0
    for name in PROJECT_TABLES:
        key = TABLES_BY_NAME[name].key
        old = {tuple(r[k] for k in key): r for r in before[name]}
        new = {tuple(r[k] for k in key): r for r in after[name]}
        added += len(new.keys() - old.keys())
        removed += len(old.keys() - new.keys())
        for k in new.keys() & old.keys():
            if new[k] == old[k]:
                unchanged += 1
            else:
                changed += 1
    return added, changed, unchanged, removed


PREVIEW_FIELDS = (("name", "projects", "name"), ("donor", "projects", "donor"),
                  ("implementer", "projects", "implementer"), ("period_text", "projects", "period_text"),
                  ("start_date", "projects", "start_date"), ("end_date", "projects", "end_date"),
                  ("ongoing", "projects", "ongoing"), ("funding", "projects", "funding_text"),
                  ("funding_eur", "projects", "funding_eur"), ("funding_note", "projects", "funding_note"),
                  ("theme", "projects", "theme"), ("description", "projects", "description"),
                  ("source", "projects", "source_id"), ("source_ref", "projects", "source_ref"),
                  ("note", "projects", "note"), ("retired_on", "projects", "retired_on"),
                  ("retired_reason", "projects", "retired_reason"))


def _changes(before: dict[str, list[dict[str, str]]], after: dict[str, list[dict[str, str]]]) -> pd.DataFrame:
    """Each field whose value the change alters: field, before, after (as text; lists joined)."""
    def value(rows, table, column):
        return rows[table][0][column] if rows[table] else ""

    def listed(rows, table):
        if table == "project_countries":
            return ", ".join(r["iso3"] for r in rows[table])
        if table == "project_areas":
            return ", ".join(r["area"] for r in rows[table])
        return "; ".join(f"{r['threat_id']} ({r['rationale']})" for r in rows[table])

    lines = [(name, value(before, table, column), value(after, table, column)) for name, table, column in PREVIEW_FIELDS]
    lines += [(name, listed(before, table), listed(after, table)) for name, table in
              (("countries", "project_countries"), ("areas", "project_areas"), ("threats", "project_threats"))]
    return pd.DataFrame([line for line in lines if line[1] != line[2]], columns=["field", "before", "after"])


def plan(action: str, change: dict, imports_dir: Path | None = None, curated_dir: Path | None = None,
         db_path: Path | None = None) -> ProjectPlan:
    """Check a project change against the declarations and the whole database; raise ImportRejected with a
    problem per field (Problem.column is the form's field) or return the plan the importer applies.

    Writes nothing under the data folder (the scratch copy it validates goes to the system's temporary folder).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown project action {action!r}")
    imports_dir, curated_dir = imports_dir or paths.imports_dir(), curated_dir or CURATED_DIR
    frames = current_frames(curated_dir, imports_dir)
    pid = _text(change, "project_id")
    before = project_rows(frames, pid)
    problems = _form_checks(action, change, before, frames)
    if problems and any(p.column == "project_id" for p in problems):
        raise formats.ImportRejected(problems)  # nothing else can be said of a change to the wrong project

    stamp = importer._now()
    record = {"action": action, **{k: change.get(k) for k in FIELDS if k in change}}
    data = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode("utf-8") + b"\n"
    sha = hashlib.sha256(data).hexdigest()
    import_id = f"imp_{stamp:%Y%m%d_%H%M%S}_{sha[:8]}"
    new_source = action != "retire" and _text(change, "source") == NEW_SOURCE
    source_id = import_id if new_source else (_text(change, "source") if action != "retire"
                                              else before["projects"][0]["source_id"])
    rows = _rows_for(action, change, before, source_id, problems)
    source = _source_row(change, import_id) if new_source else None
    formulas, checked = _formulas({**rows, **({"sources": [source]} if source else {})})
    if formulas:
        problems += formulas
        rows = {name: checked[name] for name in PROJECT_TABLES}
        source = checked["sources"][0] if source else None
    tables = {name: pd.DataFrame(rows[name], columns=[c.name for c in TABLES_BY_NAME[name].columns])
              .assign(line=lambda f: range(2, len(f) + 2)) for name in PROJECT_TABLES}
    title = {"add": say("project.title_add", project=pid), "edit": say("project.title_edit", project=pid),
             "retire": say("project.title_retire", project=pid)}[action]
    parsed = formats.Parsed(kind="project", format=f"project_{action}", publisher=say("project.publisher"),
                            title=title, edition="", year=stamp.year, tables=tables)
    added, changed, unchanged, removed = _counts(before, rows)
    result = ProjectPlan(parsed, data, f"{action} {pid}", "change.json", sha, import_id, source, tables,
                         added, changed, unchanged, action=action, project_id=pid, changes=_changes(before, rows))
    if source is not None:  # the new document by its title, not by the identifier it is given
        result.changes.loc[result.changes["field"] == "source", "after"] = source["title"]
    if removed:
        result.notes.append(say("project.rows_removed", n=removed))
    fingerprint = _fingerprint(before)

    def recheck(import_dirs: list[Path], curated: Path) -> list[Problem]:
        if _fingerprint(project_rows(build.load_curated(curated, import_dirs), pid)) != fingerprint:
            return [Problem(WHERE, None, "project_id", say("project.changed_meanwhile", project=pid))]
        return []

    result.recheck = recheck
    with tempfile.TemporaryDirectory(prefix="dashboard-project-") as scratch:
        folder = importer._write_import(result, Path(scratch))
        try:
            build.load_curated(curated_dir, applied_dirs(imports_dir) + [folder])
        except ValidationFailed as exc:
            problems += _field_problems(exc, import_id, rows)
            problems += _declared_checks(rows, frames, pid, source_id)
    if problems:
        problems = list({(p.column or "", p.message): p for p in problems}.values())
        raise formats.ImportRejected(problems)
    return result


def apply(plan_: ProjectPlan, who: str, imports_dir: Path | None = None, curated_dir: Path | None = None,
          db_path: Path | None = None) -> None:
    """Apply through the importer: the same lock, staging, log entry and rebuild as every import."""
    importer.apply(plan_, who, imports_dir, curated_dir, db_path)
