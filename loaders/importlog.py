"""The import log (`<imports>/log.csv`): every import, applied or undone. Read by the build, written
by the importer (under the data folder's write lock), replaced atomically."""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pandas as pd

from loaders import paths

LOG_COLUMNS = ["import_id", "kind", "format", "file_name", "sha256", "imported_at", "imported_by", "source_id",
               "added", "changed", "unchanged", "ignored", "status", "undone_at", "undone_by"]


def read_log(imports_dir: Path | None = None) -> pd.DataFrame:
    path = (imports_dir or paths.imports_dir()) / "log.csv"
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_log(log: pd.DataFrame, imports_dir: Path) -> None:
    """Replace the log in one step (a temporary file renamed over it), so readers see old or new."""
    imports_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=imports_dir, prefix=".log.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            log[LOG_COLUMNS].to_csv(f, index=False, lineterminator="\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, imports_dir / "log.csv")
    finally:
        Path(tmp).unlink(missing_ok=True)


def applied_ids(imports_dir: Path | None = None) -> list[str]:
    """The applied imports in log order (read with the csv module: the app asks on every run)."""
    path = (imports_dir or paths.imports_dir()) / "log.csv"
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return [row["import_id"] for row in csv.DictReader(f) if row.get("status") == "applied"]
    except FileNotFoundError:
        return []


def applied_dirs(imports_dir: Path | None = None) -> list[Path]:
    imports_dir = imports_dir or paths.imports_dir()
    return [imports_dir / i for i in applied_ids(imports_dir)]
