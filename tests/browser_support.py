"""What the browser tests share: Debian's Chromium through Playwright, the app on a free loopback port."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def chromium_missing() -> bool:
    """Outside CI a machine without Debian's chromium skips the browser tests; in CI they must run."""
    return not os.path.exists(CHROMIUM) and not os.environ.get("CI")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict, cwd: Path = ROOT, log=None) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` (in `cwd`, its output to `log` or a pipe) on a free loopback port;
    returns once it answers its health check."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=cwd, env=env, stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail("streamlit did not start: " + (proc.stdout.read() if proc.stdout else ""))


def wait_until_idle(page, timeout_s: float = 90) -> None:
    """Wait for the heading (or an exception), then for Streamlit to finish running the script."""
    page.wait_for_selector('[data-testid="stHeading"], [data-testid="stException"]', timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_s * 1000)


def warm_up(url: str, browser) -> None:
    """One full load before the tests time anything: on a fresh clone it builds the database."""
    page = browser.new_page()
    try:
        page.goto(url)
        wait_until_idle(page, timeout_s=180)
    finally:
        page.close()


def sign_in(page, url: str, password: str, name: str = "Browser Test") -> None:
    """Open Data management at `url` and sign in as an editor."""
    page.goto(f"{url}/data_management")
    wait_until_idle(page)
    page.get_by_label("Your name (recorded in the import log)").fill(name)
    page.get_by_label("Editor password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(f"text=Signed in as {name}", timeout=60_000)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, one per test module."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def offline_context(browser, width: int = 1920, height: int = 1080):
    """A browser context whose every request to another host is aborted and remembered (`.blocked`)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    blocked: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "file:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.blocked = blocked
    return context
