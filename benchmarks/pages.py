"""Which pages to measure (read from the app's registry at run time) and how to change each one's main filter."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "dashboard.py"


@dataclass(frozen=True)
class Page:
    script: str  # as registered, e.g. "app_pages/homicide.py"
    url_path: str
    title: str
    default: bool = False

    @property
    def path(self) -> str:
        """The address the browser opens: the default page is served at "/"."""
        return "/" if self.default else f"/{self.url_path}"


def discover_pages(entry: Path = ENTRY) -> list[Page]:
    """Every `st.Page(...)` call in the entry script, in registry order (read, not run)."""
    tree = ast.parse(Path(entry).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_st_page(node.func) and node.args):
            continue
        script = _literal(node.args[0])
        if not isinstance(script, str):
            continue  # a page given as a function: not a script this harness can name
        options = {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg}
        # Streamlit's own rule when url_path is not given: the file name without its extension.
        url_path = options.get("url_path") or Path(script).stem
        found.append(((node.lineno, node.col_offset),
                      Page(script, url_path, options.get("title") or url_path, bool(options.get("default")))))
    pages = [page for _, page in sorted(found, key=lambda pair: pair[0])]  # registry (source) order
    if pages and not any(p.default for p in pages):
        first = pages[0]  # st.navigation makes the first page the default when none says so
        pages[0] = Page(first.script, first.url_path, first.title, True)
    return pages


def _is_st_page(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "Page") or (isinstance(func, ast.Name) and func.id == "Page")


def _literal(node: ast.expr):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


# --- the main filter of each page ------------------------------------------------------------

@dataclass(frozen=True)
class Interaction:
    """One control to change back and forth: run i picks option pick[1] (even i) or pick[0] (odd i).

    kind: "slider" (arrow keys; pick unused), "selectbox" (type the option, Enter) or "radio" (click).
    redraw: the change redraws a chart, so "done" waits for a chart to be drawn anew.
    """
    kind: str
    label: str
    sidebar: bool = False
    redraw: bool = True
    pick: tuple[int, int] = (0, 1)

    def describe(self) -> str:
        return f"{self.kind} '{self.label}'" + (" (sidebar)" if self.sidebar else "")


# Pages whose main filter is known; any other page gets the first selectbox or radio of its main
# area, or, with none, the sidebar's country group (a rerun; not every chart depends on it).
INTERACTIONS = {
    "homicide": Interaction("slider", "Year"),
    "threats": Interaction("selectbox", "Active in year"),
    "projects": Interaction("selectbox", "Active in year"),
    "kpi_progress": Interaction("radio", "View", pick=(0, 2)),  # KPIs <-> the action plan (a chart)
    "country_brief": Interaction("selectbox", "Country"),
}
FALLBACK = Interaction("selectbox", "Countries", sidebar=True, redraw=False)


def interaction_for(page: Page) -> Interaction | None:
    """The known interaction, or None: the browser then looks for a generic one on the page."""
    return INTERACTIONS.get(page.url_path)


# --- the same filters, for the load generator (benchmarks/capacity.py) ---------------------------

# The session-state key of each page's main filter widget: the key the app writes into the URL
# (`?year=2010`, `?t_year=2025`, `?p_year=2024`, `?k_view=actions`, `?b_country=BHS`). Any other page
# changes the sidebar's country group (`?group=caricom`), which every page has.
FILTER_KEYS = {
    "homicide": "year",
    "threats": "t_year",
    "projects": "p_year",
    "kpi_progress": "k_view",
    "country_brief": "b_country",
}
FALLBACK_KEY = "group"


def filter_key(page: Page) -> str:
    return FILTER_KEYS.get(page.url_path, FALLBACK_KEY)
