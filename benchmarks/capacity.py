"""Capacity at the server: virtual users speaking Streamlit's own protocol, no browser.

    python -m benchmarks.capacity                    # its own server on a temp database; 10, 25, 50, 100 users
    python -m benchmarks.capacity --replicas 2       # 2 replicas behind HAProxy (deploy/replicas.py)
    python -m benchmarks.capacity --url http://127.0.0.1:8500 --pid 1234   # a running server (--pid: its CPU, memory)

Each virtual user is a tab (benchmarks/protocol.py): it opens a session on a page (users spread over the
registry's pages), then, after a think time of 2-5 s (seeded), changes the page's main filter to
another value, which the app writes into the URL, and times the rerun until `script_finished`; and again
until the level's time is up. Users arrive over the first RAMP_S seconds; the reruns started after that,
for `duration` seconds, are the level's figures. Prints `{"capacity": {...}}`; see benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import procstat, stats
from benchmarks.pages import ENTRY, ROOT, Page, discover_pages, filter_key
from benchmarks.protocol import Session, page_cookie

LEVELS = (10, 25, 50, 100)
RAMP_S = 5.0  # users arrive over this many seconds
THINK_S = (2.0, 5.0)
RUN_TIMEOUT_S = 60.0  # a rerun or an open that takes longer is an error
TARGET_P95_MS = 1000
DEFAULT_DURATION_S = 40.0
DEFAULT_SEED = 16


def log(message: str) -> None:
    print(f"[capacity] {message}", file=sys.stderr, flush=True)


@dataclass
class Tally:
    """What one level's users saw."""
    reruns: list[float] = field(default_factory=list)
    opens: list[float] = field(default_factory=list)
    runs: int = 0  # every script run asked of the server, timed or not (ramp, drain, errors)
    errors: int = 0
    examples: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors += 1
        if message not in self.examples and len(self.examples) < 5:
            self.examples.append(message)


async def virtual_user(url: str, page: Page, rng: random.Random, window: tuple[float, float], tally: Tally) -> None:
    """One tab: open `page`, then change its main filter after each think time until the window closes."""
    start, end = window
    await asyncio.sleep(rng.uniform(0, RAMP_S))
    key = filter_key(page)
    try:
        cookie = await asyncio.to_thread(page_cookie, url, page.path)  # the page's HTML (and a sticky cookie)
        session, run = await Session.open(url, "" if page.default else page.url_path, cookie=cookie,
                                          timeout_s=RUN_TIMEOUT_S)
    except Exception as exc:  # refused, reset, timed out: the user got no page
        tally.error(f"{page.path}: open failed: {exc!r}")
        return
    try:
        tally.opens.append(run.ms)
        tally.runs += 1
        if run.errors or key not in session.widgets:
            tally.error(f"{page.path}: open: {run.errors or f'no widget {key!r}'}")
            return
        while True:
            await asyncio.sleep(rng.uniform(*THINK_S))
            if time.perf_counter() >= end:
                return
            widget = session.widgets[key]
            label = rng.choice([o for o in widget.options if o not in widget.value])
            before, started = session.url_value(key), time.perf_counter()
            run = await session.rerun(key, label, timeout_s=RUN_TIMEOUT_S)
            tally.runs += 1
            problems = run.errors or ([] if session.url_value(key) != before else [f"{key} unchanged in the URL"])
            if started >= start:
                if problems:
                    tally.error(f"{page.path} {key}={label}: {problems}")
                else:
                    tally.reruns.append(run.ms)
            if run.status is None:
                return  # timed out: this session's socket may still be busy with the late run
    except Exception as exc:  # the connection dropped mid-session
        tally.error(f"{page.path}: {exc!r}")
    finally:
        await session.close()


async def _sample_memory(pids: list[int], peak: list[int]) -> None:
    while True:
        peak[0] = max(peak[0], procstat.rss_bytes([p for root in pids for p in procstat.tree(root)]))
        await asyncio.sleep(1.0)


async def run_level(url: str, pages: list[Page], users: int, duration_s: float, seed: int,
                    pids: list[int]) -> dict:
    """`users` virtual users at once for RAMP_S + duration_s seconds; their figures and the server's."""
    tally, peak = Tally(), [0]
    load = procstat.load_average()
    tree = [p for root in pids for p in procstat.tree(root)]
    cpu_before, client_before, began = procstat.cpu_seconds(tree), _own_cpu(), time.perf_counter()
    window = (began + RAMP_S, began + RAMP_S + duration_s)
    sampler = asyncio.create_task(_sample_memory(pids, peak)) if pids else None
    await asyncio.gather(*(virtual_user(url, pages[j % len(pages)], random.Random(f"{seed}-{users}-{j}"),
                                        window, tally) for j in range(users)))
    if sampler:
        sampler.cancel()
    wall = time.perf_counter() - began
    tree = [p for root in pids for p in procstat.tree(root)]
    cpu = procstat.cpu_seconds(tree) - cpu_before
    result = {
        "users": users,
        "reruns": len(tally.reruns),
        "p50_ms": stats.rounded(stats.percentile(tally.reruns, 50)),
        "p95_ms": stats.rounded(stats.percentile(tally.reruns, 95)),
        "errors": tally.errors,
        "open_p50_ms": stats.rounded(stats.percentile(tally.opens, 50)),
        "open_p95_ms": stats.rounded(stats.percentile(tally.opens, 95)),
        # CPU as a percentage of one core over the level (200 = both cores of a 2-core machine)
        "server_cpu_percent": stats.rounded(100 * cpu / wall) if pids else None,
        # CPU per script run: what the machine's noise changes least (waiting for a core costs no CPU)
        "server_cpu_ms_per_run": stats.rounded(1000 * cpu / tally.runs) if pids and tally.runs else None,
        "server_rss_mb": stats.rounded(peak[0] / 2**20) if pids else None,  # peak, replicas and balancer summed
        "client_cpu_percent": stats.rounded(100 * (_own_cpu() - client_before) / wall),
        "load_avg_1m": load[0],
    }
    log(f"{users} users: {json.dumps(result)}" + (f"; errors such as {tally.examples}" if tally.examples else ""))
    return result


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def passes(level: dict) -> bool:
    return level["p95_ms"] is not None and level["p95_ms"] < TARGET_P95_MS and level["errors"] == 0


def max_users(levels: list[dict]) -> int | None:
    """The most users that met p95 < 1 s without errors, below the fewest that did not (noise-proof)."""
    ceiling = min((lv["users"] for lv in levels if not passes(lv)), default=float("inf"))
    return max((lv["users"] for lv in levels if passes(lv) and lv["users"] < ceiling), default=None)


def next_level(levels: list[dict]) -> int | None:
    """Between the last level that passed and the first that failed (to 5 users), or twice the largest
    when all passed; None when there is nothing left worth testing."""
    low = max_users(levels) or 0
    above = [lv["users"] for lv in levels if lv["users"] > low and not passes(lv)]
    if not above:
        return low * 2 if low else None
    high = min(above)
    candidate = int(round((low + high) / 2 / 5) * 5)
    return candidate if low < candidate < high else None


async def measure(url: str, pages: list[Page], levels=LEVELS, duration_s: float = DEFAULT_DURATION_S,
                  seed: int = DEFAULT_SEED, pids: list[int] = (), refine: int = 1) -> dict:
    """Every level, then up to `refine` levels more to narrow down the most users within the target."""
    results = []
    for users in levels:
        results.append(await run_level(url, pages, users, duration_s, seed, list(pids)))
    for _ in range(refine):
        users = next_level(results)
        if users is None:
            break
        results.append(await run_level(url, pages, users, duration_s, seed, list(pids)))
    results.sort(key=lambda lv: lv["users"])
    return {"max_users_p95_under_1s": max_users(results), "levels": results, "duration_s": duration_s,
            "think_s": list(THINK_S), "ramp_s": RAMP_S, "seed": seed}


async def warm_up(urls: list[str], pages: list[Page]) -> None:
    """Each page once on each server, its filter changed once: imports, st.cache_data, figures."""
    for url in urls:
        for page in pages:
            session, _ = await Session.open(url, "" if page.default else page.url_path, timeout_s=180)
            widget = session.widgets.get(filter_key(page))
            if widget is not None:
                await session.rerun(widget.key, next(o for o in widget.options if o not in widget.value))
            await session.close()


@contextlib.contextmanager
def servers(replicas: int, folder: Path, env: dict[str, str], entry: Path = ENTRY) -> Iterator[tuple]:
    """(url, pids, replica urls): one `streamlit run` for 1 replica; N behind HAProxy (deploy/) for more."""
    from benchmarks import browser as br
    from deploy import replicas as deploy
    folder.mkdir(parents=True, exist_ok=True)
    if replicas == 1:
        server = br.start_server(entry, ROOT, env, folder / "server.log")
        try:
            br.wait_healthy(server)
            yield server.url, [server.process.pid], [server.url]
        finally:
            server.stop()
        return
    ports = [br.free_port() for _ in range(replicas + 1)]
    with deploy.start(ports[0], ports[1:], folder, env, entry=entry) as cluster:
        yield cluster.url, cluster.pids, cluster.replica_urls


def measure_servers(replicas: int, db: Path, imports: Path, folder: Path, levels=LEVELS,
                    duration_s: float = DEFAULT_DURATION_S, refine: int = 1, entry: Path = ENTRY) -> dict:
    """Start the server(s) on `db`, warm them up, measure every level, stop them."""
    pages = discover_pages(entry)
    env = {"DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(imports)}
    with servers(replicas, folder / f"replicas_{replicas}", env, entry) as (url, pids, replica_urls):
        log(f"{replicas} replica(s) at {url}; warming up")
        asyncio.run(warm_up(replica_urls, pages))
        result = asyncio.run(measure(url, pages, levels, duration_s, pids=pids, refine=refine))
    return {"replicas": replicas, "balancer": "haproxy" if replicas > 1 else None, **result}


def result_key(replicas: int) -> str:
    """The JSON field: `capacity` for one process, `capacity_2_replicas` for two behind the balancer."""
    return "capacity" if replicas == 1 else f"capacity_{replicas}_replicas"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capacity", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="measure this running server instead of starting one")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="with --url: a server process whose CPU and memory (with its children) to report")
    parser.add_argument("--replicas", default="1",
                        help="without --url: app processes to start, comma-separated for several runs (e.g. 1,2)")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="users at once, comma-separated")
    parser.add_argument("--duration", type=float, default=DEFAULT_DURATION_S, help="measured seconds per level")
    parser.add_argument("--refine", type=int, default=1, help="extra levels to narrow down the most users (default 1)")
    parser.add_argument("--entry", type=Path, default=ENTRY, help="the app's entry script (its page registry)")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x]
    if args.url:
        pages = discover_pages(args.entry)
        out = {"capacity": {"replicas": None, "balancer": None, **asyncio.run(
            measure(args.url, pages, levels, args.duration, pids=args.pid, refine=args.refine))}}
    else:
        from loaders.build import CURATED_DIR, build
        with tempfile.TemporaryDirectory(prefix="dashboard-capacity-") as tmp:
            folder = Path(tmp)
            db = folder / "data" / "dashboard.duckdb"
            build(CURATED_DIR, db, import_dirs=[])  # the shipped files only, as benchmarks.run builds it
            out = {result_key(n): measure_servers(n, db, folder / "data" / "imports", folder, levels, args.duration,
                                                  args.refine, args.entry)
                   for n in (int(x) for x in args.replicas.split(","))}
    print(json.dumps({**out, "cores": os.cpu_count(), "load_avg": procstat.load_average()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
