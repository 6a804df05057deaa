"""One writer at a time: imports from several processes at once, against a fresh copy of the app.

Each process is the command line (`python -m loaders.importer`), exactly as an editor or a cron job
runs it; the copy keeps the developer's own data folder out of it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from tests.fresh import clean_env, fresh_copy
from tests.test_importer import owid_csv

ROUNDS, WRITERS = 10, 5
COUNTRIES = [("Jamaica", "JAM"), ("Haiti", "HTI"), ("Barbados", "BRB"), ("Guyana", "GUY"), ("Belize", "BLZ")]


def applied_in_log(app: Path) -> set[str]:
    log = app / "data" / "imports" / "log.csv"
    if not log.exists():
        return set()
    frame = pd.read_csv(log, dtype=str, keep_default_na=False)
    return set(frame.loc[frame["status"] == "applied", "import_id"])


def sources_in_db(app: Path) -> set[str]:
    with duckdb.connect(str(app / "data" / "dashboard.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT DISTINCT source_id FROM homicide_rates").fetchall()}


def test_five_imports_at_once_ten_rounds_lose_nothing(tmp_path):
    app = fresh_copy(tmp_path / "app")
    built = subprocess.run([sys.executable, "-m", "loaders.build"], cwd=app, env=clean_env(), capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    applied, refused, failed, lost = [], [], [], []
    for round_no in range(ROUNDS):
        # Even rounds wait long enough for every writer; odd rounds wait half a second, so some are refused.
        env = clean_env(DASHBOARD_LOCK_TIMEOUT="120" if round_no % 2 == 0 else "0.5")
        procs = []
        for i, (name, iso3) in enumerate(COUNTRIES[:WRITERS]):
            upload = tmp_path / f"round{round_no}_writer{i}.csv"
            upload.write_bytes(owid_csv([(name, iso3, 2060 + round_no, 10.0 + i)]))
            procs.append(subprocess.Popen([sys.executable, "-m", "loaders.importer", "homicide", str(upload),
                                           "--who", f"writer {i}"], cwd=app, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
        round_applied = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            if proc.returncode == 0 and "applied as imp_" in out:
                round_applied.append(out.split("applied as ", 1)[1].split()[0])
            elif proc.returncode != 0 and "try again in a moment" in err:
                refused.append(err.strip())
            else:
                failed.append(f"round {round_no}: exit {proc.returncode}: {out[-300:]} {err[-600:]}")
        in_log, in_db = applied_in_log(app), sources_in_db(app)
        lost += [f"round {round_no}: {i} (log: {i in in_log}, database: {i in in_db})"
                 for i in round_applied if i not in in_log or i not in in_db]
        applied += round_applied
    folders = {p.name for p in (app / "data" / "imports").iterdir() if p.is_dir()}
    print(f"\n{ROUNDS} rounds x {WRITERS} writers: {len(applied)} applied, {len(refused)} refused (try again), "
          f"{len(failed)} failed otherwise, {len(lost)} reported applied but lost")
    assert failed == [] and lost == [], failed + lost
    assert len(applied) + len(refused) == ROUNDS * WRITERS
    assert applied_in_log(app) == set(applied) and set(applied) <= sources_in_db(app)
    assert folders == set(applied), "an import folder without its log entry, or the reverse"
    assert applied, "no import was applied at all"
