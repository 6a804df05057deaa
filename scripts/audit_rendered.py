"""Load every view of the running app at every size people use, list what is drawn wrong, save screenshots.

    python -m scripts.audit_rendered --url http://127.0.0.1:8501 [--out /tmp/audit] [--views homicide,threats]
                                     [--lang es]

The check is tests/rendered.py's (the rendered-page test uses the same); screenshots are for a person
to look at: one of the whole main column per view and size.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from tests.rendered import SIZES, VIEWS, defects, open_parts, view_url, wait_for_charts

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def wait_until_idle(page, timeout_ms: int = 90_000) -> None:
    page.wait_for_selector('[data-testid="stHeading"], [data-testid="stException"]', timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                           " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
                           timeout=timeout_ms)


def full_screenshot(page, path: Path) -> None:
    """The whole main column: the viewport grows to the content's height for the picture, then shrinks back
    (Streamlit scrolls inside its own container, which a page screenshot does not follow)."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height + 120, 12000))})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def with_lang(path: str, lang: str) -> str:
    """The view's path with ?lang= (nothing for English)."""
    return path if not lang or lang == "en" else f"{path}{'&' if '?' in path else '?'}lang={lang}"


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--out", type=Path, default=Path("/tmp/audit"))
    parser.add_argument("--views", default="", help="comma-separated parts of view names to keep")
    parser.add_argument("--sizes", default="", help="comma-separated size names to keep")
    parser.add_argument("--no-shots", action="store_true")
    parser.add_argument("--lang", default="", help="the interface language (es, fr); English by default")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    views = {n: p for n, p in VIEWS.items() if not args.views or any(v in n for v in args.views.split(","))}
    sizes = {n: s for n, s in SIZES.items() if not args.sizes or n in args.sizes.split(",")}
    report: dict[str, list[dict]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size_name, (width, height, present) in sizes.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path in views.items():
                page.goto(view_url(args.url, with_lang(path, args.lang), present))
                wait_until_idle(page)
                try:
                    wait_for_charts(page)
                except Exception as exc:  # a chart that never draws is a defect too
                    report.setdefault(f"{size_name} | {name}", []).append(
                        {"kind": "chart not drawn", "chart": "", "text": "", "detail": str(exc)[:80]})
                open_parts(page, name)
                found = defects(page)
                report[f"{size_name} | {name}"] = report.get(f"{size_name} | {name}", []) + found
                if not args.no_shots:
                    slug = re.sub(r"[^a-z0-9]+", "_", f"{args.lang}_{size_name}_{name}".lower()).strip("_")
                    full_screenshot(page, args.out / f"{slug}.png")
                for d in found:
                    print(f"{size_name:>18} | {name:<40} | {d['kind']:<26} | {d['chart']:<14} | {d['text']} | {d['detail']}")
            context.close()
        browser.close()
    total = sum(len(v) for v in report.values())
    (args.out / "defects.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"views checked {len(report)}, defects {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
