"""Where the data lives: the one home of every shared path (build, importer, app, command line).

$DASHBOARD_DB and $DASHBOARD_IMPORTS point the app and the command line elsewhere (tests, a shared
data folder); they are read at each call, so a test can set them for one run.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
CURATED_DIR = DATA_DIR / "curated"
DB_PATH = DATA_DIR / "dashboard.duckdb"  # the default database, built from the files when missing or stale
DEFAULT_IMPORTS_DIR = DATA_DIR / "imports"
DEMO_DIR = DATA_DIR / "demo"  # the illustrative demonstration set: built into its own database, never the official one
TABLES_FILE = Path(__file__).with_name("tables.py")  # the declarations: a change makes the database stale
SERIES_FILE = Path(__file__).with_name("series.py")  # the homicide series, written into the database too
SHOWN_FILE = Path(__file__).with_name("shown.py")  # the SQL macros that resolve a series, written into it too

LOCK_NAME = ".write.lock"  # one per data folder: every writer of that folder holds it
SIGNIN_FILE = ".signin_failures.json"  # the sign-in throttle's persistent counter (core/throttle.py)


def db_path() -> Path:
    """The database in use: $DASHBOARD_DB or data/dashboard.duckdb."""
    return Path(os.environ.get("DASHBOARD_DB") or DB_PATH)


def demo_db_path() -> Path:
    """The demonstration database, beside the database in use: official data plus data/demo."""
    return db_path().with_name("demo.duckdb")


def imports_dir() -> Path:
    """The imports layer in use: $DASHBOARD_IMPORTS or data/imports."""
    return Path(os.environ.get("DASHBOARD_IMPORTS") or DEFAULT_IMPORTS_DIR)


def build_temp_pattern(db: Path) -> str:
    """Glob of the temporary files a build writes beside `db` before publishing it."""
    return f".{db.name}.*.tmp*"


def shown(path: Path) -> str:
    """A path as messages show it: relative to the project when inside it."""
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
