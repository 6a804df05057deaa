"""Benchmark what users feel: page loads and clicks in Chromium, against the framework's own floor.

    python -m benchmarks.run                 # prints one JSON object on stdout; progress on stderr
    python -m benchmarks.run --out result.json --runs 5 --sessions 20 --rounds 2

Everything it makes (databases, import folders, the empty-page script, server logs) lives in a
temporary folder removed at the end; data/ is never written. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks import browser as br
from benchmarks import stats, synth
from benchmarks.pages import ENTRY, ROOT, Page, discover_pages, interaction_for

WARMUP_LOADS = 1  # per page and server: fills st.cache_data, the browser's cache, Python's imports
WARMUP_CLICKS = 1  # the changed value (the first comes from the page load), so both are cached
_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", file=sys.stderr, flush=True)


# --- build and import ---------------------------------------------------------------------------

def time_builds(folder: Path, runs: int) -> tuple[list[float], Path]:
    """Seconds to build the database from the curated files (validation included), into a temp file."""
    from loaders.build import CURATED_DIR, build
    db = folder / "dashboard.duckdb"
    samples = []
    for i in range(WARMUP_LOADS + runs):
        started = time.perf_counter()
        build(CURATED_DIR, db, import_dirs=[])  # the shipped curated files only, no local imports
        if i >= WARMUP_LOADS:
            samples.append(time.perf_counter() - started)
    return samples, db


def time_imports(folder: Path, built: Path, runs: int) -> list[float]:
    """Seconds to plan and apply a 100,000-row UNODC file, each run on a fresh imports folder and db copy."""
    from loaders import importer
    from loaders.build import CURATED_DIR
    data = synth.unodc_csv(100_000)
    samples = []
    for i in range(WARMUP_LOADS + runs):
        run_dir = folder / f"import_{i}"
        run_dir.mkdir()
        db = run_dir / "dashboard.duckdb"
        shutil.copyfile(built, db)
        started = time.perf_counter()
        plan = importer.plan(data, "data_cts_intentional_homicide.csv", "homicide", run_dir / "imports",
                             CURATED_DIR, db)
        importer.apply(plan, "benchmark", run_dir / "imports", CURATED_DIR, db)
        if i >= WARMUP_LOADS:
            samples.append(time.perf_counter() - started)
        shutil.rmtree(run_dir)
    return samples


# --- the browser part ---------------------------------------------------------------------------

async def measure_loads(servers: dict[str, br.Server], contexts: dict, pages: list[Page],
                        runs: int) -> dict:
    """Interleaved rounds (empty page, every page, every page at 100x), so load drifts hit all alike.

    One tab per server, navigated from page to page: each load is a new Streamlit session. The
    warm-up round runs three loads at a time (nothing is timed; it only fills the caches).
    """
    targets = [("empty", "/")] + [(name, p.path) for name in ("normal", "scale") for p in pages]
    lanes = [[t for i, t in enumerate(targets) if i % 3 == lane] for lane in range(3)]

    async def warm(lane):
        for name, path in lane:
            _, _, tab = await br.load(contexts[name], servers[name].url + path)
            await tab.close()
    await asyncio.gather(*(warm(lane) for lane in lanes if lane))
    log("warm-up loads done")
    tabs = {name: await context.new_page() for name, context in contexts.items()}
    samples: dict[tuple[str, str], list] = defaultdict(list)
    for r in range(runs):
        for name, path in targets:
            ms, _, _ = await br.load(contexts[name], servers[name].url + path, tab=tabs[name])
            samples[(name, path)].append(ms)
        log(f"load round {r + 1}/{runs} done")
    for tab in tabs.values():
        await tab.close()
    return samples


async def measure_interactions(context, server: br.Server, pages: list[Page], runs: int) -> dict[str, list]:
    """One tab per page, kept open; rounds of one change per page, back and forth."""
    opened = {}
    for page in pages:
        ms, _, tab = await br.load(context, server.url + page.path)
        if ms is not None:
            how = await br.find_interaction(tab, interaction_for(page))
            opened[page.path] = (tab, how)
            log(f"interaction on {page.path}: {how.describe()}")
    samples: dict[str, list] = {p.path: [] for p in pages}
    for i in range(WARMUP_CLICKS + runs):
        for path, (tab, how) in opened.items():
            ms = await br.interact(tab, how, i)
            if i >= WARMUP_CLICKS:
                samples[path].append(ms)
    for tab, _ in opened.values():
        await tab.close()
    log("interactions done")
    return samples


async def measure_concurrent(browser, servers: dict[str, br.Server], pages: list[Page], sessions: int,
                             rounds: int, deadline: float) -> dict:
    """`sessions` users at once, each in a browser context of its own, loading a page (round robin)
    and changing its main filter. Then, time allowing, the floor under the same load: as many
    empty pages at once, since here every browser shares the server's cores. Each context is new,
    so each first load also downloads and compiles the frontend's code (empty page and app alike).
    No round starts that would end after `deadline` (perf_counter seconds)."""
    out = {"loads": [], "clicks": [], "errors": 0, "rounds": 0, "empty_loads": []}

    async def one(j: int):
        context = await br.new_context(browser)
        page = pages[j % len(pages)]
        ms, failed, tab = await br.load(context, servers["normal"].url + page.path, timeout_ms=240_000, polling=50)
        click = None
        if ms is not None:
            how = await br.find_interaction(tab, interaction_for(page))
            click = await br.interact(tab, how, 0, timeout_ms=240_000, polling=50)
            failed += click is None
        await context.close()
        return ms, click, failed

    async def floor():
        context = await br.new_context(browser)
        ms, _, _ = await br.load(context, servers["empty"].url + "/", timeout_ms=240_000, polling=50)
        await context.close()
        return ms

    took = 0.0
    for r in range(rounds):
        if r and time.perf_counter() + took > deadline:
            log(f"time budget: no further concurrent round after {r}")
            break
        started = time.perf_counter()
        results = await asyncio.gather(*(one(j) for j in range(sessions)))
        took = time.perf_counter() - started
        out["errors"] += sum(failed for _, _, failed in results)
        out["loads"] += [ms for ms, _, _ in results]
        out["clicks"] += [click for _, click, _ in results]
        out["rounds"] += 1
        log(f"concurrent round {r + 1}: {took:.0f} s, {sum(f for _, _, f in results)} errors")
        if r == 0:
            if time.perf_counter() + 0.45 * took > deadline:  # empty pages cost ~40% of the app's
                log("time budget: no concurrent empty-page round")
                continue
            started = time.perf_counter()
            out["empty_loads"] = await asyncio.gather(*(floor() for _ in range(sessions)))
            log(f"concurrent empty pages: {time.perf_counter() - started:.0f} s")
    return out


async def measure_browser(folder: Path, entry: Path, pages: list[Page], normal_db: Path, scale_db: Path,
                          args) -> dict:
    from playwright.async_api import async_playwright
    empty = folder / "empty_page" / "empty_page.py"
    empty.parent.mkdir()
    empty.write_text(br.EMPTY_PAGE, encoding="utf-8")
    imports = {"DASHBOARD_IMPORTS": str(folder / "imports")}  # an empty import log, whatever data/ holds
    servers = {
        # The same cwd (the repo, for .streamlit/config.toml) and flags for all three.
        "empty": br.start_server(empty, ROOT, {}, folder / "empty.log"),
        "normal": br.start_server(entry, ROOT, {"DASHBOARD_DB": str(normal_db), **imports}, folder / "normal.log"),
        "scale": br.start_server(entry, ROOT, {"DASHBOARD_DB": str(scale_db), **imports}, folder / "scale.log"),
    }
    try:
        for server in servers.values():
            br.wait_healthy(server)
        log("servers up: " + ", ".join(f"{n} {s.url}" for n, s in servers.items()))
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=br.CHROMIUM, args=br.CHROMIUM_ARGS)
            contexts = {name: await br.new_context(browser) for name in servers}  # one "user" per server
            loads = await measure_loads(servers, contexts, pages, args.runs)
            clicks = await measure_interactions(contexts["normal"], servers["normal"], pages, args.runs)
            concurrent = await measure_concurrent(browser, servers, pages, args.sessions, args.rounds,
                                                  _T0 + args.budget)
            await browser.close()
    finally:
        for server in servers.values():
            server.stop()
    return {"loads": loads, "clicks": clicks, "concurrent": concurrent}


# --- capacity at the server: virtual users over Streamlit's protocol (benchmarks/capacity.py) --------

def measure_capacity(folder: Path, db: Path, args) -> dict:
    """`capacity` (one process) and, where HAProxy is installed, `capacity_2_replicas` (deploy/)."""
    from benchmarks import capacity
    from deploy.replicas import haproxy_missing
    levels = [int(x) for x in args.capacity_levels.split(",") if x]
    out = {}
    for replicas in (1, 2):
        if replicas > 1 and haproxy_missing():
            log("haproxy not installed: no capacity_2_replicas (apt-get install haproxy)")
            continue
        out[capacity.result_key(replicas)] = capacity.measure_servers(
            replicas, db, folder / "imports", folder / "capacity", levels, args.capacity_duration,
            args.capacity_refine, args.entry.resolve())
        log(f"capacity with {replicas} replica(s) done")
    return out


# --- the result -----------------------------------------------------------------------------------

def assemble(pages: list[Page], measured: dict, build_samples: list, import_samples: list, sessions: int,
             capacity: dict) -> dict:
    import duckdb
    import plotly
    import streamlit
    loads = measured["loads"]
    empty_ms = stats.median(loads[("empty", "/")])
    page_figures = stats.page_figures({p.path: loads[("normal", p.path)] for p in pages}, empty_ms)
    scale = stats.scale_figures({p.path: loads[("scale", p.path)] for p in pages}, page_figures)
    pooled = [ms for j in range(sessions) for ms in loads[("normal", pages[j % len(pages)].path)]]
    concurrent = measured["concurrent"]
    return {
        "empty_page_ms": stats.rounded(empty_ms),
        "pages": page_figures,
        "interaction_ms": {p.path: stats.rounded(stats.median(measured["clicks"][p.path])) for p in pages},
        "build_s": stats.rounded(stats.median(build_samples), 2),
        "import_100k_s": stats.rounded(stats.median(import_samples), 2),
        "scale_100x": scale,
        "concurrent": stats.concurrent_figures(concurrent["loads"], concurrent["clicks"], concurrent["errors"],
                                               sessions, concurrent["rounds"], stats.median(pooled),
                                               concurrent["empty_loads"]),
        **capacity,
        "off_host_requests": len(br.OFF_HOST),  # requests to any other host: the app is offline, so 0
        "cores": os.cpu_count(),
        "versions": {"streamlit": streamlit.__version__, "duckdb": duckdb.__version__, "plotly": plotly.__version__},
    }


def log_samples(pages: list[Page], measured: dict) -> None:
    """Every timed run, for the record (the JSON keeps medians only); '-' is a failed run."""
    def shown(samples):
        return " ".join("-" if s is None else f"{s:.0f}" for s in samples)
    log(f"empty page: {shown(measured['loads'][('empty', '/')])}")
    for p in pages:
        log(f"{p.path}: load {shown(measured['loads'][('normal', p.path)])} | 100x "
            f"{shown(measured['loads'][('scale', p.path)])} | change {shown(measured['clicks'][p.path])}")
    log(f"concurrent loads: {shown(sorted(s for s in measured['concurrent']['loads'] if s is not None))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure, after the warm-up (default 5)")
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions at once (default 20)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of the concurrent test, as the time budget allows (default 2)")
    parser.add_argument("--budget", type=float, default=590,
                        help="seconds: no further concurrent round starts if it would end later (default 590)")
    parser.add_argument("--capacity-levels", default="10,25,50,100", help="virtual users at once, per level")
    parser.add_argument("--capacity-duration", type=float, default=40,
                        help="measured seconds per capacity level (default 40, after a 5 s ramp)")
    parser.add_argument("--capacity-refine", type=int, default=1,
                        help="extra capacity levels to narrow down the most users within p95 < 1 s (default 1)")
    parser.add_argument("--entry", type=Path, default=ENTRY, help="the app's entry script (its page registry)")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers and temp files are cleaned up
    if not Path(br.CHROMIUM).exists():
        print(f"Chromium not found at {br.CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    pages = discover_pages(args.entry)
    log(f"{len(pages)} pages in {args.entry.name}: " + ", ".join(p.path for p in pages))
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp:
        folder = Path(tmp)
        build_samples, normal_db = time_builds(folder, args.runs)
        log(f"build: {[round(s, 2) for s in build_samples]} s")
        import_samples = time_imports(folder, normal_db, args.runs)
        log(f"import 100k: {[round(s, 2) for s in import_samples]} s")
        counts = synth.scale_database(normal_db, folder / "scale.duckdb")
        log(f"scale database: {counts}")
        measured = asyncio.run(measure_browser(folder, args.entry.resolve(), pages, normal_db,
                                               folder / "scale.duckdb", args))
        capacity = measure_capacity(folder, normal_db, args)  # after the browsers: the servers' cores to themselves
    log_samples(pages, measured)
    result = assemble(pages, measured, build_samples, import_samples, args.sessions, capacity)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    for line in stats.target_report(result):
        log(line)
    log(f"total {time.perf_counter() - _T0:.0f} s")
    problems = stats.check_shape(result)
    if problems:
        print("result shape: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
