"""One writer at a time: imports from several processes at once, against a fresh copy of the app.

Each process is the command line (`python -m loaders.importer`), exactly as an editor or a cron job
runs it; the copy keeps the developer's own data folder out of it.
"""
from __future__ import annotations

import json
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


# A writer process: the command line's own entry point, run once per line it reads ("<file> <lock timeout>"),
# so that the five processes start each round's imports at the same moment without paying Python's start-up
# each time. It answers with one JSON line per import: exit status, stdout, stderr.
WRITER = """
import contextlib, io, json, os, sys
from loaders import importer
for line in sys.stdin:
    upload, timeout, who = line.rstrip("\\n").split("\\t")
    os.environ["DASHBOARD_LOCK_TIMEOUT"] = timeout
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = importer.main(["homicide", upload, "--who", who])
        except BaseException as exc:  # a crash is a result too
            status, err = 99, io.StringIO(err.getvalue() + repr(exc))
    print(json.dumps({"status": status, "out": out.getvalue(), "err": err.getvalue()}), flush=True)
"""


def test_five_imports_at_once_ten_rounds_lose_nothing(tmp_path):
    app = fresh_copy(tmp_path / "app")
    built = subprocess.run([sys.executable, "-m", "loaders.build"], cwd=app, env=clean_env(), capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    writers = [subprocess.Popen([sys.executable, "-c", WRITER], cwd=app, env=clean_env(), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for _ in range(WRITERS)]
    applied, refused, failed, lost = [], [], [], []
    try:
        for round_no in range(ROUNDS):
            # Even rounds wait long enough for every writer; odd rounds half a second, so some are refused.
            timeout = "120" if round_no % 2 == 0 else "0.5"
            for i, ((name, iso3), writer) in enumerate(zip(COUNTRIES, writers)):
                upload = tmp_path / f"round{round_no}_writer{i}.csv"
                upload.write_bytes(owid_csv([(name, iso3, 2060 + round_no, 10.0 + i)]))
                writer.stdin.write(f"{upload}\t{timeout}\twriter {i}\n")
            for writer in writers:
                writer.stdin.flush()  # all five lines are out before any answer is read
            round_applied = []
            for writer in writers:
                result = json.loads(writer.stdout.readline())
                if result["status"] == 0 and "applied as imp_" in result["out"]:
                    round_applied.append(result["out"].split("applied as ", 1)[1].split()[0])
                elif result["status"] != 0 and "try again in a moment" in result["err"]:
                    refused.append(result["err"].strip())
                else:
                    failed.append(f"round {round_no}: {result}")
            in_log, in_db = applied_in_log(app), sources_in_db(app)
            lost += [f"round {round_no}: {i} (log: {i in in_log}, database: {i in in_db})"
                     for i in round_applied if i not in in_log or i not in in_db]
            applied += round_applied
    finally:
        for writer in writers:
            writer.stdin.close()
            writer.wait(timeout=60)
    folders = {p.name for p in (app / "data" / "imports").iterdir() if p.is_dir()}
    print(f"\n{ROUNDS} rounds x {WRITERS} writers: {len(applied)} applied, {len(refused)} refused (try again), "
          f"{len(failed)} failed otherwise, {len(lost)} reported applied but lost")
    assert failed == [] and lost == [], failed + lost
    assert len(applied) + len(refused) == ROUNDS * WRITERS
    assert applied_in_log(app) == set(applied) and set(applied) <= sources_in_db(app)
    assert folders == set(applied), "an import folder without its log entry, or the reverse"
    assert applied, "no import was applied at all"
