"""Servers and the browser: start `streamlit run` on a free port, open pages in Chromium, time "ready".

"Ready" (READY_JS, the same definition for the empty page and every app page), all of:
  1. a script run that started after the navigation (or the input) has finished: Streamlit's
     `stApp[data-test-script-state]` went to "running" and back to "notRunning", and the connection
     is "CONNECTED";
  2. the main area has a heading (st.title);
  3. nothing is still a placeholder or stale: no `stSkeleton` (elements whose code chunk, e.g.
     Plotly's, is still loading) and no element marked `data-stale="true"` (left from a previous run);
  4. every Plotly chart in the main area has drawn its main layer: it has a layout and, when it
     has traces, at least one trace group in its SVG;
  5. after an input that changes a chart: at least one chart was drawn anew since the input.
The time is read in the page (performance.now()) when the predicate first holds, polled every
animation frame: from navigation start for a page load, from the input event (pointerdown or
keydown, recorded in the page) for an interaction.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.pages import FALLBACK, Interaction

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run",
                 # Offline: every host but this machine resolves to nothing.
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
VIEWPORT = {"width": 1920, "height": 1080}  # the projector
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
OFF_HOST: list[str] = []  # every request to another host seen in any context (there should be none)

EMPTY_PAGE = '''"""The floor: a title and one small Plotly chart, served the same way as the app."""
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Empty page", layout="wide")
st.title("Empty page")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), config={"displaylogo": False})
'''

# Installed before any page script runs: tells when script runs end, remembers the last input's
# time, and defines the "ready" check (window.__benchReady), which says why not when it does not hold.
# A run's end is seen twice: the frontend's state attribute going back to "notRunning", and the
# server's script_finished message (ForwardMsg field 6) on the websocket. The second is needed when
# the frontend renders a short run's start and end in one go, so the attribute never changes.
INSTRUMENT_JS = """
(() => {
  const b = window.__bench = {started: 0, finished: 0, wsFinished: 0, input: null, runStart: null, runEnd: null,
                              wsFirst: null, wsFinishedAt: null};
  new MutationObserver(records => {
    for (const r of records) {
      const state = r.target.getAttribute('data-test-script-state');
      if (state === r.oldValue) continue;
      if (state === 'running') { b.started++; b.runStart = performance.now(); }
      if (state === 'notRunning') { b.finished++; b.runEnd = performance.now(); }
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
  const scriptFinished = bytes => {  // top-level ForwardMsg fields: is script_finished (6) set, ok (0 or 3)?
    let i = 0;
    const varint = () => { let v = 0, scale = 1, x; do { x = bytes[i++]; v += (x & 127) * scale; scale *= 128; }
                           while (x & 128 && i < bytes.length); return v; };
    while (i < bytes.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) { const v = varint(); if (field === 6) return v === 0 || v === 3; }
      else if (wire === 2) { const n = varint(); i += n; }  // not "i += varint()": i is read first
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return false;
    }
    return false;
  };
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', e => {
      b.wsFirst = b.wsFirst || performance.now();  // the first message since the mark: the server answers
      if (e.data instanceof ArrayBuffer && scriptFinished(new Uint8Array(e.data))) {
        b.wsFinished++;
        b.wsFinishedAt = performance.now();
      }
    });
    return ws;
  };
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, prototype: Native.prototype});
  for (const type of ['pointerdown', 'keydown'])
    document.addEventListener(type, e => { if (e.isTrusted) b.input = performance.now(); }, true);
  // Before an input: remember what each chart shows (so a redraw can be told apart) and the counts.
  b.mark = () => {
    b.wsFirst = null;
    document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__benchSeen = gd._fullData; });
    return {started: b.started, finished: b.finished, wsFinished: b.wsFinished};
  };
  const drawn = gd => gd._fullLayout && gd.querySelector('svg.main-svg')
      && (!(gd._fullData || []).some(t => t.visible !== false)
          || gd.querySelector('.cartesianlayer .trace, .heatmaplayer .hm, .pielayer .trace, .imagelayer image'));
  window.__benchReady = (arg) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return {why: 'no app yet'};
    const state = app.getAttribute('data-test-script-state');
    const connection = app.getAttribute('data-test-connection-state');
    if (b.wsFinished <= arg.after.wsFinished || (b.started > arg.after.started && b.finished <= arg.after.finished))
      return {why: `no run finished since (runs started ${b.started}, script ${state}, connection ${connection})`};
    if (state !== 'notRunning' || connection !== 'CONNECTED') return {why: `script ${state}, connection ${connection}`};
    const shown = document.querySelectorAll('[data-testid="stException"]');
    if (shown.length)  // the run ended in an error: done, and counted as a failure
      return {ok: true, t: performance.now(), exceptions: shown.length, error: shown[0].innerText.slice(0, 300)};
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main || !main.querySelector('[data-testid="stHeading"]')) return {why: 'no heading'};
    const pending = document.querySelectorAll('[data-testid="stSkeleton"], [data-stale="true"]').length;
    if (pending) return {why: `${pending} skeleton or stale elements`};
    const plots = [...main.querySelectorAll('.js-plotly-plot')];
    const undrawn = plots.filter(gd => !drawn(gd)).length;
    if (undrawn) return {why: `${undrawn} of ${plots.length} charts not drawn`};
    if (arg.redraw && plots.length && !plots.some(gd => gd._fullData !== gd.__benchSeen))
      return {why: 'no chart redrawn'};
    return {ok: true, t: performance.now(), exceptions: 0};
  };
})();
"""
READY_JS = "(arg) => { const r = window.__benchReady(arg); return r.ok ? r : false; }"


# --- servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(script: Path, cwd: Path, env: dict[str, str], log: Path) -> Server:
    """`streamlit run` headless on a free local port (not yet waited for: see wait_healthy)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.runOnSave", "false",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return Server(f"http://127.0.0.1:{port}", process, log)


def wait_healthy(server: Server, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not start: {server.log.read_text(errors='replace')[-2000:]}")


# --- the browser --------------------------------------------------------------------------------

async def new_context(browser):
    """A context like a user's tab on the projector laptop, offline.

    Requests are watched, not intercepted: Playwright's request interception (context.route)
    turns Chromium's HTTP cache off, so every load would download Streamlit's code chunks again,
    which no returning user's browser does. Nothing can leave the machine anyway (CHROMIUM_ARGS
    resolve every other host to nowhere); a request to another host is recorded in OFF_HOST
    (reported in the JSON) and fails.
    """
    from urllib.parse import urlparse
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(INSTRUMENT_JS)

    def watch(request):
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlparse(url).hostname not in LOCAL_HOSTS:
            OFF_HOST.append(url)
    context.on("request", watch)
    return context


class NotReady(Exception):
    pass


NOTHING_YET = {"started": 0, "finished": 0, "wsFinished": 0}  # the counts before a page's first run


async def wait_ready(page, after: dict, redraw: bool, timeout_ms: float, polling="raf") -> tuple[float, int]:
    """(performance.now() when ready, exceptions shown); NotReady says which condition never held."""
    arg = {"after": after, "redraw": redraw}
    try:
        handle = await page.wait_for_function(READY_JS, arg=arg, polling=polling, timeout=timeout_ms)
    except Exception as exc:
        try:
            why = (await page.evaluate("(arg) => window.__benchReady(arg)", arg)).get("why")
        except Exception:
            why = None
        raise NotReady(f"{type(exc).__name__}; not ready: {why}") from exc
    state = await handle.json_value()
    if state["exceptions"]:
        print(f"  {page.url} shows an exception: {' '.join(state['error'].split())[:240]}", file=sys.stderr)
    return float(state["t"]), int(state["exceptions"])


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [""])[0][:200]


async def load(context, url: str, timeout_ms: float = 60_000, polling="raf", tab=None):
    """Open `url` (in `tab`, or a new one); ms from navigation start to ready, errors, and the tab.

    A failed load (timeout, crash, an exception shown on the page) has no figure: (None, 1, tab).
    """
    tab = tab or await context.new_page()
    try:
        await tab.goto(url, wait_until="commit", timeout=timeout_ms)
        ms, exceptions = await wait_ready(tab, NOTHING_YET, False, timeout_ms, polling)
    except Exception as exc:
        print(f"  load failed {url}: {_first_line(exc)}", file=sys.stderr)
        return None, 1, tab
    if exceptions:
        return None, 1, tab
    return ms, 0, tab


async def find_interaction(page, known: Interaction | None) -> Interaction:
    """The page's known main filter (if the page still has it), else the first selectbox or radio of its
    main area, else the sidebar's country group."""
    if known is not None:
        if await _widget(page, known).count():
            return known
        print(f"  {page.url}: no {known.describe()} on the page; looking for another control", file=sys.stderr)
    main = page.locator('[data-testid="stMain"]')
    for kind, widget in (("selectbox", '[data-testid="stSelectbox"] input[aria-label]'),
                         ("radio", '[data-testid="stRadio"] [role="radiogroup"][aria-label]')):
        found = main.locator(widget)
        if await found.count():
            return Interaction(kind, await found.first.get_attribute("aria-label"), redraw=False)
    return FALLBACK


def _widget(page, how: Interaction):
    area = page.locator('[data-testid="stSidebar"]' if how.sidebar else '[data-testid="stMain"]')
    if how.kind == "slider":
        return area.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{how.label}"]').first
    if how.kind == "selectbox":
        return area.locator(f'[data-testid="stSelectbox"] input[aria-label="{how.label}"]').first
    return area.locator(f'[data-testid="stRadio"]:has([role="radiogroup"][aria-label="{how.label}"])').first


_OPTIONS: dict[tuple[str, str], list[str]] = {}  # (page url path, selectbox label) -> its option texts


async def _option_texts(page, how: Interaction, widget) -> list[str]:
    """A selectbox's options, read once per page and label by opening its list (not timed)."""
    key = (page.url.split("?")[0], how.label)
    if key not in _OPTIONS:
        options = page.get_by_role("option")
        for attempt in range(3):  # on a loaded machine the list may not open at the first key press
            await widget.focus()
            await widget.press("ArrowDown")
            try:
                await options.nth(1).wait_for(timeout=10_000)
                break
            except Exception:
                if attempt == 2:
                    raise
        _OPTIONS[key] = [t.strip() for t in await options.all_inner_texts()]
        await widget.press("Escape")
    return _OPTIONS[key]


async def _change(page, how: Interaction, i: int) -> None:
    """how.pick[1] on even i, how.pick[0] on odd i; the other one if that is already chosen (a change always)."""
    widget = _widget(page, how)
    want, other = (how.pick[1], how.pick[0]) if i % 2 == 0 else how.pick
    if how.kind == "slider":
        value, low, high = [int(await widget.get_attribute(a)) for a in ("value", "min", "max")]
        key = "ArrowLeft" if i % 2 == 0 else "ArrowRight"
        key = {low: "ArrowRight", high: "ArrowLeft"}.get(value, key)
        await widget.focus()
        await widget.press(key)
    elif how.kind == "selectbox":
        texts = await _option_texts(page, how, widget)
        target = texts[want] if texts[want] != await widget.input_value() else texts[other]
        # Type the option and press Enter (the input that counts): no list to open and aim at, which
        # a loaded machine makes flaky.
        await widget.focus()
        await widget.press("Control+a")
        await widget.type(target)
        await widget.press("Enter")
    else:
        options = widget.locator('[data-testid="stRadioOption"]')
        chosen = await options.nth(want).get_attribute("data-selected") == "true"
        await options.nth(other if chosen else want).click()


async def interact(page, how: Interaction, i: int, timeout_ms: float = 60_000, polling="raf") -> float | None:
    """Change the control; ms from the input event to ready (None when it failed)."""
    try:
        page.set_default_timeout(timeout_ms)
        # Only the tab in front of its window gets animation frames (which Plotly and the "raf" polling
        # use): with several tabs open, an interaction in a tab behind would wait for a 1 s fallback.
        await page.bring_to_front()
        if how.kind == "selectbox":
            await _option_texts(page, how, _widget(page, how))  # before the mark: not part of the change
        after = await page.evaluate("() => window.__bench.mark()")
        await _change(page, how, i)
        end, exceptions = await wait_ready(page, after, how.redraw, timeout_ms, polling)
        start = await page.evaluate("() => window.__bench.input")
    except Exception as exc:
        print(f"  interaction failed {page.url} ({how.describe()}): {_first_line(exc)}", file=sys.stderr)
        return None
    if exceptions:
        return None
    return end - start
