"""Look at a rendered page the way a person does: every chart's text inside its chart, no two labels
on top of each other, no value cut off, no raw None/nan/NaT, no exception or "Page not found".

`defects(page)` runs the check on a Playwright page showing the app; `figure_defects(browser, fig, w, h)`
draws a figure as exported (same plotly.js, at the export's size, offline) and checks it the same way.
Used by tests/test_rendered.py and by scripts/audit_rendered.py (screenshots for a person to look at).
"""
from __future__ import annotations

import json
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# Each defect: {"kind", "chart", "text", "detail"}. Geometry in CSS pixels of the page.
CHECK_JS = r"""
() => {
  const defects = [];
  const TOL = 1.5;  // px: anti-aliasing and sub-pixel rounding
  const add = (kind, chart, text, detail) => defects.push({kind, chart, text: (text || '').slice(0, 80), detail});
  const box = r => ({l: r.left, t: r.top, r: r.right, b: r.bottom});

  function shown(el, stop) {
    for (let n = el; n && n !== stop; n = n.parentNode) {
      if (n.nodeType !== 1) continue;
      const s = getComputedStyle(n);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) return false;
      if (n.getAttribute('opacity') === '0' || n.getAttribute('fill-opacity') === '0') return false;
    }
    return true;
  }
  // The four corners of an SVG text's own box, in page pixels (rotated text keeps its true outline).
  function quad(el) {
    const b = el.getBBox();
    const m = el.getScreenCTM();
    if (!m || b.width === 0 || b.height === 0) return null;
    const pt = (x, y) => ({x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f});
    return [pt(b.x, b.y), pt(b.x + b.width, b.y), pt(b.x + b.width, b.y + b.height), pt(b.x, b.y + b.height)];
  }
  function bounds(q) {
    const xs = q.map(p => p.x), ys = q.map(p => p.y);
    return {l: Math.min(...xs), r: Math.max(...xs), t: Math.min(...ys), b: Math.max(...ys)};
  }
  // Separating axis test on two convex quads; overlap counts when deeper than TOL on every axis.
  function overlapDepth(a, b) {
    let depth = Infinity;
    for (const q of [a, b]) {
      for (let i = 0; i < 4; i++) {
        const p = q[i], r = q[(i + 1) % 4];
        const len = Math.hypot(r.x - p.x, r.y - p.y) || 1;
        const nx = -(r.y - p.y) / len, ny = (r.x - p.x) / len;
        const proj = s => s.map(v => v.x * nx + v.y * ny);
        const pa = proj(a), pb = proj(b);
        const d = Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb));
        depth = Math.min(depth, d);
        if (depth <= 0) return 0;
      }
    }
    return depth;
  }
  const inside = (r, frame) => r.l >= frame.l - TOL && r.r <= frame.r + TOL && r.t >= frame.t - TOL && r.b <= frame.b + TOL;

  document.querySelectorAll('.js-plotly-plot').forEach((gd, index) => {
    const keyed = gd.closest('[class*="st-key-"]');
    const chart = (keyed && (keyed.className.match(/st-key-([\w-]+)/) || [])[1]) || ('chart' + index);
    const svg = gd.querySelector('svg.main-svg');
    if (!svg || !gd._fullLayout) { add('not drawn', chart, '', 'no plot'); return; }
    const frame = box(svg.getBoundingClientRect());
    const size = gd._fullLayout._size;
    const plotArea = {l: frame.l + size.l, t: frame.t + size.t, r: frame.l + size.l + size.w, b: frame.t + size.t + size.h};
    // The chart must fit its place on the page (a chart wider than its column is cut by the column).
    const holder = gd.closest('[data-testid="stPlotlyChart"]') || gd.parentNode;
    const place = holder.parentNode ? box(holder.parentNode.getBoundingClientRect()) : frame;
    if (frame.r > place.r + TOL || frame.l < place.l - TOL) add('chart wider than its place', chart, '',
      `chart ${Math.round(frame.r - frame.l)} px, place ${Math.round(place.r - place.l)} px`);
    const labels = [];
    gd.querySelectorAll('svg.main-svg text').forEach(el => {
      if (el.closest('.hoverlayer') || el.closest('.modebar') || el.closest('.legendtoggle')) return;
      const text = (el.textContent || '').trim();
      if (!text || !shown(el, gd)) return;
      const q = quad(el);
      if (!q) return;
      const r = bounds(q);
      // Trace text is cut at the plot area unless the trace draws over the axes (cliponaxis false).
      let limit = frame, where = 'chart';
      const traceGroup = el.closest('g.trace');
      const cd = traceGroup && traceGroup.__data__;
      const trace = cd && cd[0] && cd[0].trace;
      if (trace && trace.cliponaxis !== false && !el.closest('.colorbar')) { limit = plotArea; where = 'plot area'; }
      if (!inside(r, limit)) {
        const out = [r.l < limit.l - TOL ? `left by ${Math.round(limit.l - r.l)}` : '',
                     r.r > limit.r + TOL ? `right by ${Math.round(r.r - limit.r)}` : '',
                     r.t < limit.t - TOL ? `top by ${Math.round(limit.t - r.t)}` : '',
                     r.b > limit.b + TOL ? `bottom by ${Math.round(r.b - limit.b)}` : ''].filter(Boolean).join(', ');
        add('text outside its ' + where, chart, text, out);
      }
      // Heatmap cell text must fit its cell.
      if (trace && trace.type === 'heatmap' && el.classList.contains('heatmap-label')) {
        const xa = gd._fullLayout[(trace.xaxis || 'x').replace('x', 'xaxis')];
        const n = (trace.z && trace.z[0] && trace.z[0].length) || 1;
        const cell = xa._length / n - (trace.xgap || 0);
        if (r.r - r.l > cell + TOL) add('text wider than its cell', chart, text,
          `${Math.round(r.r - r.l)} px in a ${Math.round(cell)} px cell`);
      }
      labels.push({el, text, q});
    });
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        if (labels[i].el.contains(labels[j].el) || labels[j].el.contains(labels[i].el)) continue;
        const d = overlapDepth(labels[i].q, labels[j].q);
        if (d > TOL) add('labels overlap', chart, labels[i].text + '  ×  ' + labels[j].text, `${d.toFixed(1)} px deep`);
      }
    }
  });

  // Metric values and labels, and other boxed text: cut off when their content is wider than their box.
  document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricLabel"], [data-testid="stMetricDelta"]')
    .forEach(el => {
      [el, ...el.querySelectorAll('*')].forEach(n => {
        if (n.scrollWidth > n.clientWidth + 1 && n.clientWidth > 0) {
          add('text cut off', n.closest('[data-testid="stMetric"]') ? 'metric' : 'text', el.innerText, `${n.scrollWidth} px in ${n.clientWidth} px`);
        }
      });
    });
  // Raw values a person should never read.
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const visible = main.innerText || '';
  const raw = visible.match(/(^|[^\w.])(None|nan|NaN|NaT|undefined|null)(?![\w])/g);
  if (raw) add('raw value shown', 'page', [...new Set(raw.map(s => s.trim()))].join(', '), 'in the visible text');
  if (/Page not found/i.test(document.body.innerText)) add('page not found', 'page', 'Page not found', '');
  document.querySelectorAll('[data-testid="stException"]').forEach(el => add('exception', 'page', el.innerText, ''));
  return defects;
}
"""

# Glide data grid draws tables on a canvas; its cells are readable through the grid's accessible table.
TABLE_TEXT_JS = r"""
() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(frame =>
  [...frame.querySelectorAll('table td, table th, [role="gridcell"], [role="columnheader"]')].map(c => c.textContent))
"""


# The views a person looks at: every page, its tabs and main variants (path with its query string).
VIEWS = {
    "overview": "",
    "homicide map": "homicide",
    "homicide tiles": "homicide?map=tiles",
    "homicide trends": "homicide?tab=trends",
    "homicide table": "homicide?tab=table",
    "threats matrix and coverage by country": "threats",
    "threats coverage by country, funding": "threats?t_value=funding_eur",
    "threats coverage by donor": "threats?t_dim=donor",
    "threats coverage by donor, funding": "threats?t_dim=donor&t_value=funding_eur",
    "threats gaps": "threats?t_tab=gaps",
    "threats projects behind a cell": "threats?t_tab=behind&t_threat=human_trafficking&t_cell=HTI",
    "projects map": "projects",
    "projects map, funding": "projects?p_map=funding",
    "projects funders": "projects?p_tab=funders",
    "projects timeline": "projects?p_tab=when",
    "projects implementers": "projects?p_tab=implementers",
    "projects list": "projects?p_tab=list",
    "projects list with retired": "projects?p_tab=list&p_retired=1",
    "kpi progress": "kpi_progress",  # with results imported: bullets, trends and (opened) breakdowns
    "kpi obis": "kpi_progress?k_view=obis",
    "kpi action plan": "kpi_progress?k_view=actions",
    "data management": "data_management",
    "country brief": "country_brief",
    "decision pack": "decision_pack",
    "about the data": "about_data",
}
# (width, height, presentation mode)
SIZES = {"1440x900": (1440, 900, False), "1920x1080": (1920, 1080, False),
         "present 1920x1080": (1920, 1080, True), "present 1280x720": (1280, 720, True)}


def view_url(base: str, path: str, present: bool) -> str:
    if not present:
        return f"{base}/{path}"
    return f"{base}/{path}{'&' if '?' in path else '?'}present=1"


# Parts of a view that open on a click (built only when opened): the test opens them before it looks.
OPEN = {"kpi progress": ["Trend over the reporting periods", "Breakdowns"]}


def open_parts(page, view: str) -> None:
    for label in OPEN.get(view, []):
        expanders = page.locator('[data-testid="stExpander"] summary', has_text=label)
        for i in range(expanders.count()):
            expanders.nth(i).click()
            settle(page)


def defects(page) -> list[dict]:
    """Every defect on the page as shown now (charts must have finished drawing)."""
    found = page.evaluate(CHECK_JS)
    for cells in page.evaluate(TABLE_TEXT_JS):
        raw = sorted({c for c in cells if c.strip() in ("None", "nan", "NaN", "NaT", "<NA>")})
        if raw:
            found.append({"kind": "raw value in a table", "chart": "table", "text": ", ".join(raw), "detail": ""})
    return found


SIGNATURE_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  return [main ? main.innerText.length : -1, document.querySelectorAll('*').length,
          document.querySelectorAll('.js-plotly-plot svg.main-svg').length,
          running ? running.innerText : ''].join('|');
}"""


def settle(page, timeout_ms: int = 90_000, quiet_ms: int = 600) -> None:
    """Wait until the page stops changing (Streamlit sends a page in pieces): the same text, elements and
    drawn charts for `quiet_ms`, with no script running."""
    step, waited, last, same = 200, 0, None, 0
    while waited < timeout_ms:
        now = page.evaluate(SIGNATURE_JS)
        same = same + step if now == last and "Running" not in now else 0
        if same >= quiet_ms:
            return
        last = now
        page.wait_for_timeout(step)
        waited += step
    raise TimeoutError(f"the page kept changing for {timeout_ms} ms")


def wait_for_charts(page, timeout_ms: int = 60_000) -> None:
    """Wait until every Plotly chart on the page has drawn its SVG, then for fonts and layout to settle."""
    settle(page, timeout_ms)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(c => c.querySelector('.js-plotly-plot svg.main-svg'))", timeout=timeout_ms)
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(400)


def figure_page(figure, width: int, height: int) -> str:
    """An offline HTML page drawing one figure at a fixed size, as Plotly's image export does."""
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    spec = json.loads(json.dumps(spec, default=_jsonable))
    layout = {**spec.get("layout", {}), "width": width, "height": height}
    return ("<!doctype html><html><head><meta charset='utf-8'><script>" + PLOTLY_JS.read_text(encoding="utf-8")
            + "</script><style>body{margin:0}</style></head><body><div id='gd'></div><script>"
            f"Plotly.newPlot('gd', {json.dumps(spec.get('data', []))}, {json.dumps(layout)}, "
            "{staticPlot: true}).then(() => document.body.setAttribute('data-drawn', '1'));"
            "</script></body></html>")


def _jsonable(value):
    import numpy as np
    import pandas as pd
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return str(value)


def figure_defects(browser, figure, width: int, height: int, tmp_dir: Path, name: str = "figure",
                   screenshot: Path | None = None) -> list[dict]:
    """Draw `figure` as exported (width x height) in its own offline page and check it."""
    path = tmp_dir / f"{name}_{width}x{height}.html"
    path.write_text(figure_page(figure, width, height), encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-drawn='1']", timeout=30_000)
        page.evaluate("() => document.fonts.ready")
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
        return page.evaluate(CHECK_JS)
    finally:
        context.close()


# --- a database with results imported as the monitoring team imports them ---------------------------

# Test-only KPI results and action statuses (never shipped): the Excel template filled in, then imported.
KPI_ROWS = [
    ["KPI1", "2025", None, "total", 61.5, 80, None],
    ["KPI1", "2026-H1", None, "total", 48.5, 60, None],
    ["KPI3", "2025", None, "total", 40, 50, None],
    ["KPI3", "2026-H1", None, "total", 22, 30, None],
    ["KPI3", "2026-H2", None, "total", 35, 30, None],
    ["KPI3", "2026-H2", "JAM", "total", 9, None, None],
    ["KPI3", "2026-H2", "DOM", "total", 5, None, None],
    ["KPI3", "2026-H2", "TTO", "total", 7, None, None],
    ["KPI3", "2026-H2", None, "type of activity: trainings", 12, None, None],
    ["KPI3", "2026-H2", None, "type of activity: technical assistance to national institutions", 10, None, None],
    ["KPI8", "2026-H2", None, "total", 310, 400, None],
    ["KPI8", "2026-H2", None, "gender: female", 170, None, None],
    ["KPI8", "2026-H2", None, "gender: male", 140, None, None],
]
STATUS_ROWS = [[1, 1, "achieved", "2026-06-30", None], [1, 2, "in progress", "2026-06-30", None],
               [2, 1, "not started", "2026-06-30", None], [7, 1, "achieved", "2026-06-30", None]]


def results_folder(folder: Path) -> dict[str, str]:
    """A data folder (database and imports) with KPI results imported through the template; returns the
    environment variables that point the app at it."""
    import io

    import duckdb
    import openpyxl

    from loaders import importer
    from loaders.build import CURATED_DIR, build
    from loaders.template import template_bytes
    db, imports = folder / "dashboard.duckdb", folder / "imports"
    build(CURATED_DIR, db, import_dirs=[])
    with duckdb.connect(str(db), read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    for row in KPI_ROWS:
        book["kpi_results"].append(row)
    for row in STATUS_ROWS:
        book["action_status"].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    plan = importer.plan(buffer.getvalue(), "kpi_results_2026.xlsx", "kpi", imports_dir=imports,
                         curated_dir=CURATED_DIR, db_path=db)
    importer.apply(plan, "Rendered-page test", imports_dir=imports, curated_dir=CURATED_DIR, db_path=db)
    return {"DASHBOARD_DB": str(db), "DASHBOARD_IMPORTS": str(imports)}
