"""Pure helpers: medians, percentiles, ratios, and the shape of the JSON the benchmark prints."""
from __future__ import annotations

import math
from collections.abc import Iterable

# The fields the issue asks for, in the order printed.
FIELDS = ("empty_page_ms", "pages", "interaction_ms", "build_s", "import_100k_s", "scale_100x", "concurrent",
          "capacity", "capacity_2_replicas", "off_host_requests", "cores", "versions")
OPTIONAL_FIELDS = ("capacity_2_replicas",)  # only where HAProxy is installed
CAPACITY_FIELDS = ("replicas", "balancer", "max_users_p95_under_1s", "levels", "duration_s", "think_s", "ramp_s",
                   "seed")
LEVEL_FIELDS = ("users", "reruns", "p50_ms", "p95_ms", "errors", "open_p50_ms", "open_p95_ms", "server_cpu_percent",
                "server_cpu_ms_per_run", "server_rss_mb", "client_cpu_percent", "load_avg_1m")
CONCURRENT_FIELDS = ("sessions", "rounds", "p50_ms", "p95_ms", "click_p50_ms", "click_p95_ms", "errors",
                     "single_ms", "p95_ratio", "empty_p95_ms", "p95_vs_empty")
VERSION_FIELDS = ("streamlit", "duckdb", "plotly")


def _values(samples: Iterable[float | None]) -> list[float]:
    return sorted(float(s) for s in samples if s is not None and not math.isnan(s))


def median(samples: Iterable[float | None]) -> float | None:
    """Median of the samples that exist (failed runs are None and left out); None when none exist."""
    return percentile(samples, 50)


def percentile(samples: Iterable[float | None], q: float) -> float | None:
    """q-th percentile with linear interpolation between closest ranks (numpy's default method)."""
    values = _values(samples)
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    position = (len(values) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def ratio(value: float | None, base: float | None, digits: int = 2) -> float | None:
    if value is None or not base:
        return None
    return round(value / base, digits)


def rounded(value: float | None, digits: int = 0) -> float | int | None:
    if value is None:
        return None
    return int(round(value)) if digits == 0 else round(value, digits)


def page_figures(ready: dict[str, list[float | None]], empty_ms: float | None) -> dict[str, dict]:
    """{path: {ready_ms, ratio}}: median time to ready and its ratio to the empty page's."""
    out = {}
    for path, samples in ready.items():
        ms = median(samples)
        out[path] = {"ready_ms": rounded(ms), "ratio": ratio(ms, empty_ms)}
    return out


def scale_figures(scaled: dict[str, list[float | None]], normal: dict[str, dict]) -> dict[str, dict]:
    """{path: {ready_ms, ratio}}: the page at 100x rows, as a ratio to the same page at normal size."""
    out = {}
    for path, samples in scaled.items():
        ms = median(samples)
        out[path] = {"ready_ms": rounded(ms), "ratio": ratio(ms, (normal.get(path) or {}).get("ready_ms"))}
    return out


def concurrent_figures(loads: list[float | None], clicks: list[float | None], errors: int, sessions: int,
                       rounds: int, single_ms: float | None, empty_loads: list[float | None] = ()) -> dict:
    """p50/p95 of the page-ready times of all sessions of all rounds (and of their clicks); p95 as a
    ratio to the single-session figure (the target) and to the empty page loaded by as many at once."""
    p95, empty_p95 = percentile(loads, 95), percentile(empty_loads, 95)
    return {"sessions": sessions, "rounds": rounds, "p50_ms": rounded(percentile(loads, 50)), "p95_ms": rounded(p95),
            "click_p50_ms": rounded(percentile(clicks, 50)), "click_p95_ms": rounded(percentile(clicks, 95)),
            "errors": errors, "single_ms": rounded(single_ms), "p95_ratio": ratio(p95, single_ms),
            "empty_p95_ms": rounded(empty_p95), "p95_vs_empty": ratio(p95, empty_p95)}


def check_shape(result: dict) -> list[str]:
    """What is wrong with a result's shape (empty when it has exactly the fields the issue lists)."""
    problems = []
    expected = tuple(f for f in FIELDS if f in result or f not in OPTIONAL_FIELDS)
    if tuple(result) != expected:
        problems.append(f"fields {list(result)} != {list(expected)}")
    for name in ("capacity", "capacity_2_replicas"):
        figures = result.get(name)
        if figures is None:
            continue
        if tuple(figures) != CAPACITY_FIELDS:
            problems.append(f"{name} fields {list(figures)}")
        for lv in figures.get("levels") or [None]:
            if not isinstance(lv, dict) or tuple(lv) != LEVEL_FIELDS:
                problems.append(f"{name} level {lv!r}")
    for name in ("pages", "scale_100x"):
        for path, figures in (result.get(name) or {}).items():
            if not path.startswith("/") or set(figures) != {"ready_ms", "ratio"}:
                problems.append(f"{name}[{path!r}] = {figures!r}")
    for path, ms in (result.get("interaction_ms") or {}).items():
        if not path.startswith("/") or not (ms is None or isinstance(ms, (int, float))):
            problems.append(f"interaction_ms[{path!r}] = {ms!r}")
    if set(result.get("pages") or {}) != set(result.get("interaction_ms") or {}):
        problems.append("pages and interaction_ms list different pages")
    if tuple(result.get("concurrent") or {}) != CONCURRENT_FIELDS:
        problems.append(f"concurrent fields {list(result.get('concurrent') or {})}")
    if tuple(result.get("versions") or {}) != VERSION_FIELDS:
        problems.append(f"versions fields {list(result.get('versions') or {})}")
    if not isinstance(result.get("cores"), int):
        problems.append("cores is not an integer")
    return problems


# --- the targets ---------------------------------------------------------------------------

TARGETS = {"page_ratio": 1.5, "interaction_ms": 300, "scale_ratio": 2, "concurrent_p95_ratio": 3,
           "build_s": 10, "import_100k_s": 30, "capacity_users": 50}


def target_report(result: dict) -> list[str]:
    """One line per target: 'met' or 'NOT MET', with the measured figure."""
    def line(ok: bool | None, text: str) -> str:
        return f"{'met    ' if ok else 'NOT MET' if ok is False else 'no data'}  {text}"

    out = []
    for path, fig in result["pages"].items():
        r = fig["ratio"]
        out.append(line(None if r is None else r <= TARGETS["page_ratio"],
                        f"page {path}: {fig['ready_ms']} ms = {r} x empty page (target <= {TARGETS['page_ratio']})"))
    for path, ms in result["interaction_ms"].items():
        out.append(line(None if ms is None else ms < TARGETS["interaction_ms"],
                        f"interaction {path}: {ms} ms (target < {TARGETS['interaction_ms']})"))
    for path, fig in result["scale_100x"].items():
        r = fig["ratio"]
        out.append(line(None if r is None else r < TARGETS["scale_ratio"],
                        f"100x rows {path}: {fig['ready_ms']} ms = {r} x normal (target < {TARGETS['scale_ratio']})"))
    c = result["concurrent"]
    ok = None if c["p95_ratio"] is None else c["p95_ratio"] < TARGETS["concurrent_p95_ratio"] and c["errors"] == 0
    out.append(line(ok, f"{c['sessions']} sessions: p95 {c['p95_ms']} ms = {c['p95_ratio']} x single "
                        f"({c['single_ms']} ms), {c['errors']} errors (target < {TARGETS['concurrent_p95_ratio']}, 0); "
                        f"{c['p95_vs_empty']} x the empty page's p95 at the same concurrency ({c['empty_p95_ms']} ms)"))
    for key in ("build_s", "import_100k_s"):
        value = result[key]
        out.append(line(None if value is None else value < TARGETS[key], f"{key}: {value} (target < {TARGETS[key]})"))
    return out + capacity_report(result)


def capacity_report(result: dict) -> list[str]:
    """The most users at p95 < 1 s: at least 50 with one replica, and more with two."""
    def line(ok: bool | None, text: str) -> str:
        return f"{'met    ' if ok else 'NOT MET' if ok is False else 'no data'}  {text}"

    def levels(figures: dict) -> str:
        return ", ".join(f"{lv['users']}: p95 {lv['p95_ms']} ms, {lv['errors']} errors" for lv in figures["levels"])

    one = result["capacity"]
    most = one["max_users_p95_under_1s"]
    out = [line(bool(most and most >= TARGETS["capacity_users"]),
                f"capacity, 1 replica: {most} users at p95 < 1 s (target >= {TARGETS['capacity_users']}); {levels(one)}")]
    two = result.get("capacity_2_replicas")
    if two is None:
        out.append(line(None, "capacity, 2 replicas: not measured (haproxy not installed)"))
    else:
        more = two["max_users_p95_under_1s"]
        out.append(line(None if more is None and most is None else (more or 0) > (most or 0),
                        f"capacity, 2 replicas: {more} users at p95 < 1 s (target > 1 replica's {most}); {levels(two)}"))
    return out
