"""A fresh copy of the app (code, curated data, outlines, config; no database, no imports, no secrets)
in a temporary folder: what a fresh clone holds, for tests that start from nothing or that let
several processes write the data folder without touching the developer's own."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["dashboard.py", "app_pages", "core", "loaders", "static", ".streamlit/config.toml", "data/curated",
          "data/geo"]


def fresh_copy(target: Path) -> Path:
    for rel in COPIED:
        source, dest = ROOT / rel, target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest)
    return target


def clean_env(**extra: str) -> dict[str, str]:
    """The environment less anything that points the app at other data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_") and k != "PYTHONPATH"}
    return {**env, **extra}
