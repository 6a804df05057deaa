"""Where a page load's time goes, page by page: a diagnostic beside the benchmark (not part of its JSON).

    python -m benchmarks.profile_pages [--scale] [PATH ...]

For each page (default: every registered page, plus the empty page) after two warm-up loads:
  phases, median of 3 loads: boot (navigation -> the script run starts: the browser loading
    Streamlit's code and connecting), run (the run, as the browser sees it: server work and the
    browser handling the elements as they arrive), draw (run end -> ready: charts, tables);
  browser main-thread CPU of one load (Chrome's sampling profiler), by what ran it.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks import browser as br
from benchmarks import synth
from benchmarks.pages import ENTRY, ROOT, discover_pages

# Script file name prefix -> what it is (Streamlit's frontend chunks in 1.67).
CATEGORIES = (
    ("PlotlyChart", "plotly"), ("StreamlitSyntaxHighlighter", "code block"), ("DataFrame", "dataframe"),
    ("react-dom", "react"), ("emotion", "styling"), ("styled-components", "styling"),
    ("StreamlitMarkdown", "markdown"), ("(idle)", "idle"), ("(program)", "browser native"),
    ("(garbage collector)", "browser native"),
)
SHOWN = ("plotly", "code block", "dataframe", "react", "styling", "markdown", "other js", "browser native", "idle")


def category(call_frame: dict) -> str:
    name = call_frame["url"].rsplit("/", 1)[-1] or call_frame["functionName"]
    for prefix, label in CATEGORIES:
        if name.startswith(prefix):
            return label
    return "browser native" if not call_frame["url"] else "other js"


async def cpu_by_category(tab, action) -> dict[str, float]:
    """Browser main-thread CPU (ms) by what ran it, while `await action()` runs (Chrome's sampling profiler)."""
    cdp = await tab.context.new_cdp_session(tab)
    await cdp.send("Profiler.enable")
    await cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    await cdp.send("Profiler.start")
    await action()
    profile = (await cdp.send("Profiler.stop"))["profile"]
    await cdp.detach()
    frames = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    spent: dict[str, float] = collections.Counter()
    for node, delta in zip(profile["samples"], profile["timeDeltas"]):
        spent[category(frames[node])] += delta / 1000
    return spent


async def profile_once(tab, url: str) -> dict[str, float]:
    async def load():
        await tab.goto(url, wait_until="commit")
        await br.wait_ready(tab, br.NOTHING_YET, False, 90_000)
    return await cpu_by_category(tab, load)


async def phases(tab, url: str) -> tuple[float, float, float, float]:
    await tab.goto(url, wait_until="commit")
    ready, _ = await br.wait_ready(tab, br.NOTHING_YET, False, 90_000)
    start, end = await tab.evaluate("() => [window.__bench.runStart, window.__bench.runEnd]")
    return ready, start, end - start, ready - end


async def click_phases(tab, how, i: int) -> tuple[float, float, float, float]:
    """(total, input -> server's first answer, -> script_finished, -> ready) of one change, ms."""
    await tab.bring_to_front()
    if how.kind == "selectbox":
        await br._option_texts(tab, how, br._widget(tab, how))
    after = await tab.evaluate("() => window.__bench.mark()")
    await br._change(tab, how, i)
    end, _ = await br.wait_ready(tab, after, how.redraw, 90_000)
    start, first, finished = await tab.evaluate(
        "() => [window.__bench.input, window.__bench.wsFirst, window.__bench.wsFinishedAt]")
    return end - start, first - start, finished - first, end - finished


async def profile_clicks(tab, how, i: int) -> dict[str, float]:
    return await cpu_by_category(tab, lambda: click_phases(tab, how, i))


async def main_clicks(paths: list[str], db: Path, folder: Path) -> None:
    from playwright.async_api import async_playwright
    from benchmarks.pages import discover_pages, interaction_for
    by_path = {p.path: p for p in discover_pages()}
    env = {"DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(folder / "imports")}
    server = br.start_server(ENTRY, ROOT, env, folder / "app.log")
    try:
        br.wait_healthy(server)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=br.CHROMIUM, args=br.CHROMIUM_ARGS)
            print(f"{'page':<18}{'click':>7}{'server':>7}{'run':>7}{'draw':>7}  | browser CPU ms: "
                  + " ".join(f"{c:>8}" for c in SHOWN))
            for path in paths:
                context = await br.new_context(browser)
                ms, _, tab = await br.load(context, server.url + path, timeout_ms=90_000)
                how = await br.find_interaction(tab, interaction_for(by_path[path]))
                for i in range(2):
                    await click_phases(tab, how, i)
                rows = [await click_phases(tab, how, i) for i in range(2, 7)]
                spent = await profile_clicks(tab, how, 7)
                medians = [statistics.median(column) for column in zip(*rows)]
                print(f"{path:<18}" + "".join(f"{m:>7.0f}" for m in medians) + "  | "
                      + " ".join(f"{spent.get(c, 0):>8.0f}" for c in SHOWN), flush=True)
                await context.close()
            await browser.close()
    finally:
        server.stop()


async def main_async(paths: list[str], db: Path, folder: Path) -> None:
    from playwright.async_api import async_playwright
    empty = folder / "empty_page.py"
    empty.write_text(br.EMPTY_PAGE, encoding="utf-8")
    env = {"DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(folder / "imports")}
    servers = {"empty": br.start_server(empty, ROOT, {}, folder / "empty.log"),
               "app": br.start_server(ENTRY, ROOT, env, folder / "app.log")}
    try:
        for server in servers.values():
            br.wait_healthy(server)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=br.CHROMIUM, args=br.CHROMIUM_ARGS)
            print(f"{'page':<18}{'ready':>7}{'boot':>7}{'run':>7}{'draw':>7}  | browser CPU ms: "
                  + " ".join(f"{c:>8}" for c in SHOWN))
            for name, path in [("empty", "/")] + [("app", path) for path in paths]:
                context = await br.new_context(browser)
                tab = await context.new_page()
                url = servers[name].url + path
                for _ in range(2):
                    await br.load(context, url, tab=tab)
                rows = [await phases(tab, url) for _ in range(3)]
                spent = await profile_once(tab, url)
                medians = [statistics.median(column) for column in zip(*rows)]
                label = "(empty page)" if name == "empty" else path
                print(f"{label:<18}" + "".join(f"{m:>7.0f}" for m in medians) + "  | " + " ".join(f"{spent.get(c, 0):>8.0f}" for c in SHOWN), flush=True)
                await context.close()
            await browser.close()
    finally:
        for server in servers.values():
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_pages", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="page paths (default: every registered page)")
    parser.add_argument("--scale", action="store_true", help="on the 100x database")
    parser.add_argument("--clicks", action="store_true",
                        help="profile each page's main-filter change instead of its load: input -> the "
                             "server's first answer (server), -> script_finished (run), -> ready (draw)")
    args = parser.parse_args(argv)
    from loaders.build import CURATED_DIR, build
    paths = args.paths or [p.path for p in discover_pages()]
    with tempfile.TemporaryDirectory(prefix="dashboard-profile-") as tmp:
        folder = Path(tmp)
        db = folder / "dashboard.duckdb"
        build(CURATED_DIR, db, import_dirs=[])
        if args.scale:
            synth.scale_database(db, folder / "scale.duckdb")
            db = folder / "scale.duckdb"
        asyncio.run((main_clicks if args.clicks else main_async)(paths, db, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
