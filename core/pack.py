"""Decision pack: saved views rendered into one PowerPoint file, a slide per view.

A slide shows exactly the saved view: its page, its open tab, its filters (the country group too), and the
chart that view shows, built by the same builder with the same arguments as the page, drawn at the slide
image's width with its title, labels, legend and source stamp. Each view is listed by a human name
("Homicide rates: trends, Jamaica, Trinidad and Tobago, Barbados"). Chart images come from Plotly's own
export (kaleido, driving the Chrome or Chromium installed on the machine); without a browser the pack still
builds, with the view's table and key numbers and a line saying why the chart is missing.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from pptx import Presentation
from pptx.util import Inches, Pt

from core import format as fmt
from core import demo, geo, kpi, partners, projects, queries, threats
from core.figures import homicide as homicide_charts
from core.figures import kpi as kpi_charts
from core.figures import projects as project_charts
from core.figures import threats as threat_charts
from core.figures.common import Canvas, stamp
from core.strings import current_language, lang_param, language, t
from core.ui import stamp_line, view_link

SLIDE_CANVAS = Canvas(1200, 1.0, fixed=True)  # the chart image's width on a slide, in px
IMAGE_BOX = (Inches(8.4), Inches(5.15))  # where the chart image goes on the slide: it fits inside, aspect kept
# The country groups of the sidebar (the URL's `group`), as core/ui.py's group_iso3 reads them.
GROUP_COLUMNS = {"caricom": "is_caricom_member", "elpaccto": "in_elpaccto"}
PROJECT_SOURCES = ["elpaccto_carib_2025", "impacs_projects", "eu_celac_drugs_2019"]


@dataclass
class Snapshot:
    title: str
    figure: go.Figure | None  # finished: drawn for the slide, stamped with its sources
    key_numbers: list[str]
    source_ids: list[str]
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _int(params: dict, key: str, default: int | None) -> int | None:
    try:
        return int(params[key])
    except (KeyError, TypeError, ValueError):
        return default


def _choice(params: dict, key: str, choices, default):
    return params.get(key) if params.get(key) in choices else default


def _listed(params: dict, key: str, choices) -> list[str]:
    return [v for v in (params.get(key) or "").split(",") if v in choices]


def _group(params: dict) -> tuple[str, ...]:
    """The iso3 codes of the view's country group (all 16 by default), as the sidebar's filter reads it."""
    countries = queries.countries()
    column = GROUP_COLUMNS.get(params.get("group", "all"))
    return tuple(countries["iso3"] if column is None else countries.loc[countries[column], "iso3"])


def _finished(figure: go.Figure | None, source_ids) -> go.Figure | None:
    return None if figure is None else stamp(figure, SLIDE_CANVAS, stamp_line(list(source_ids)))


# --- each page's view -----------------------------------------------------------------------------------

def homicide_snapshot(params: dict) -> Snapshot:
    series_id = queries.series_or_default(params.get("series", queries.DEFAULT_SERIES))
    first, last = queries.homicide_year_range(series_id)
    names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
    tab = _choice(params, "tab", ("map", "trends", "table"), "map")
    year = min(max(_int(params, "year", last), first), last)
    ceiling = queries.homicide_rate_ceiling()
    values = queries.homicide_map_values(year, series_id)
    shown = values[values["iso3"].isin(_group(params))]
    bench = queries.homicide_benchmarks(series_id)
    if tab == "trends":
        chosen = _listed(params, "trend", names) or ["JAM", "TTO", "BRB"]
        since = _int(params, "since", first)
        since = since if first <= since < last else first
        series = queries.homicide_series(tuple(chosen), series_id)
        drawn = series[series["role"] != "other"]
        sources = sorted(set(drawn["source_id"]) | set(bench["source_id"]))
        figure = homicide_charts.trend_lines(drawn, bench, since=since, canvas=SLIDE_CANVAS)
        latest = series[series["role"] == "series"].dropna(subset=["year"]).sort_values("year")
        numbers = [t("pack.homicide_rate_older", name=names[iso3], rate=fmt.rate(rows["rate_per_100k"].iloc[-1]),
                     year=int(rows["year"].iloc[-1]))
                   for iso3, rows in latest.groupby("iso3", sort=False)]
        return Snapshot(t("pack.homicide_trends_title"), _finished(figure, sources), numbers, sources)
    ranked = shown.dropna(subset=["rate_per_100k"]).head(3)
    numbers = [t("pack.homicide_rate", name=r.name, rate=fmt.rate(r.rate_per_100k)) if r.is_current
               else t("pack.homicide_rate_older", name=r.name, rate=fmt.rate(r.rate_per_100k), year=int(r.value_year))
               for r in ranked.itertuples()]
    for area in ("Latin America and the Caribbean", "World"):  # the areas as stored (data, not text)
        row = bench[(bench["area"] == area) & (bench["year"] == year)]
        if len(row):
            numbers.append(t("pack.homicide_area", area=homicide_charts.area_name(area),
                             rate=fmt.rate(row["rate_per_100k"].iloc[0])))
    older = shown[shown["rate_per_100k"].notna() & ~shown["is_current"]]
    notes = [t("pack.homicide_older", n=len(older))] if len(older) else []
    table = pd.DataFrame({t("common.country"): shown["name"],
                          t("homicide_table.rate"): [fmt.rate_in_year(r.rate_per_100k, r.value_year, r.is_current)
                                                     for r in shown.itertuples()]})
    sources = sorted(set(shown["source_id"].dropna()) | set(bench.loc[bench["year"] == year, "source_id"]))
    if tab == "table":
        return Snapshot(t("pack.homicide_table_title", year=year), None, numbers, sources, table, notes)
    build = homicide_charts.tile_map if params.get("map") == "tiles" else homicide_charts.rate_map
    country = _choice(params, "country", names, "JAM")
    figure = build(shown, year, ceiling, selected=country, canvas=SLIDE_CANVAS)
    return Snapshot(t("pack.homicide_title", year=year), _finished(figure, sources), numbers, sources, table, notes)


def threats_snapshot(params: dict) -> Snapshot:
    dimension = _choice(params, "t_dim", ("country", "donor"), "country")
    value = _choice(params, "t_value", ("n_projects", "funding_eur"), "n_projects")
    part = _choice(params, "t_tab", ("coverage", "gaps", "behind"), "coverage")
    donors = threats.donors()
    names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
    args = dict(year=_int(params, "t_year", None), donor=_choice(params, "t_donor", donors, None),
                iso3=_choice(params, "t_country", names, None))
    table = threats.threats()
    threat_names = dict(zip(table["threat_id"], table["name"]))
    threat = _choice(params, "t_threat", threat_names, "toc_drugs_guns")
    gaps = threats.gaps(**args).head(3)
    numbers = [t("pack.threats_gap", threat=g.threat, tier=g.tier, eur=fmt.eur(g.funding_eur), n=g.n_countries)
               for g in gaps.itertuples()]
    sources = ["ccss_2013", *PROJECT_SOURCES]
    if part == "coverage":
        cells = threats.coverage(dimension, **args)
        if dimension == "country":
            columns = [iso for iso in names if iso in set(_group(params))]
            labels = [geo.short_name(iso, names[iso]) for iso in columns]
        else:
            columns = list(donors)
            labels = [partners.display_name(d) for d in columns]
        rows = [t("threats.row_label", tier=r.tier, name=r.name) for r in table.itertuples()]
        figure = threat_charts.coverage_heatmap(threats.coverage_matrix(cells, table, columns, value), rows, labels,
                                                value, threats.coverage_matrix(cells, table, columns, "n_unfunded"),
                                                canvas=SLIDE_CANVAS)
        return Snapshot(_threat_title(dimension, value), _finished(figure, PROJECT_SOURCES), numbers, sources)
    matrix = threat_charts.tier_matrix(table, threats.tiers(), threat, canvas=SLIDE_CANVAS)
    if part == "gaps":
        listing = threats.gaps(**args)
        shown = pd.DataFrame({t("common.tier"): listing["tier"], t("common.threat"): listing["threat"],
                              t("common.stated_funding_eur"): [fmt.eur(v) for v in listing["funding_eur"]],
                              t("threats.countries_reached"): listing["n_countries"]})
        return Snapshot(t("threats.gaps_header"), _finished(matrix, ["ccss_2013"]), numbers, sources, shown)
    cell = params.get("t_cell") if params.get("t_cell") not in (None, "any") else None
    behind = threats.cell_projects(threat, dimension, cell, **args)
    shown = pd.DataFrame({t("threats.col_name"): behind["name"],
                          t("common.donor"): behind["donor"].fillna(t("common.not_stated")),
                          t("common.funding_eur"): [fmt.eur(v, missing=t("common.not_stated"))
                                                    for v in behind["funding_eur"]]})
    title = t("pack.threats_behind_title", threat=threat_names[threat])
    return Snapshot(title, _finished(matrix, ["ccss_2013"]), numbers, sources, shown)


def _threat_title(dimension: str, value: str) -> str:
    return {("country", "n_projects"): t("pack.threats_title_country_count"),
            ("country", "funding_eur"): t("pack.threats_title_country_funding"),
            ("donor", "n_projects"): t("pack.threats_title_donor_count"),
            ("donor", "funding_eur"): t("pack.threats_title_donor_funding")}[dimension, value]


def projects_snapshot(params: dict) -> Snapshot:
    """The donor-projects view (p_* parameters): its tab's chart, and the counts behind it."""
    today = date.today()
    group = _group(params)
    filters, narrowed = projects.filters_from_params(params, group, today)
    view = projects.explore(filters)
    split = params.get("p_split") == "split"
    metric = _choice(params, "p_map", ("count", "funding"), "count")
    tab = _choice(params, "p_tab", ("where", "funders", "when", "implementers", "list"), "where")
    totals = view.totals
    numbers = [t("pack.projects_counted", n=totals["n_projects"]),
               t("pack.projects_funding", funding=projects.euro(totals["funding_eur"])),
               t("pack.projects_no_funding", n=totals["n_no_funding"])]
    notes = [t("projects_table.note_narrowed")] if narrowed else []
    sources = sorted(set(view.listings["source_id"])) or list(queries.table_sources(("projects",)))
    by_donor = view.by_donor
    table = pd.DataFrame({
        t("common.donor"): [project_charts.donor_name(n) for n in by_donor["name"]],
        t("common.projects"): by_donor["n_projects"],
        t("common.stated_funding"): [projects.euro(v) for v in by_donor["funding_split" if split else "funding_full"]],
        t("projects_table.no_stated_figure_count"): by_donor["n_no_funding"]})
    figure = None
    if tab == "where":
        shown = view.by_country[view.by_country["iso3"].isin(group)]
        figure = project_charts.project_map(shown, metric, split, filters.countries, canvas=SLIDE_CANVAS)
    elif tab == "funders" and len(by_donor):
        figure = project_charts.funding_bars(by_donor, "donor", split, canvas=SLIDE_CANVAS)
    elif tab == "implementers" and len(view.by_implementer):
        figure = project_charts.funding_bars(view.by_implementer, "implementer", split, canvas=SLIDE_CANVAS)
    elif tab == "when":
        dated, _ = projects.timeline_rows(view.listings)
        figure = project_charts.timeline(dated, today, canvas=SLIDE_CANVAS) if len(dated) else None
    elif tab == "list":
        listing = view.listings
        table = pd.DataFrame({t("projects_table.id"): listing["project_id"], t("common.project"): listing["name"],
                              t("common.donor"): listing["donor"].fillna(t("common.not_stated")),
                              t("common.funding_eur"): [fmt.eur(v, missing=t("common.not_stated"))
                                                        for v in listing["funding_eur"]]})
    title = _describe_projects_tab(tab, metric)
    if filters.year is not None:
        title = t("pack.projects_title_year", title=title, year=filters.year)
    return Snapshot(title, _finished(figure, sources), numbers, sources, table, notes)


def _describe_projects_tab(tab: str, metric: str) -> str:
    return {"where": t("pack.projects_where_count") if metric == "count" else t("pack.projects_where_funding"),
            "funders": t("pack.projects_funders"), "when": t("pack.projects_when"),
            "implementers": t("pack.projects_implementers"), "list": t("pack.projects_list")}[tab]


def kpi_snapshot(params: dict) -> Snapshot:
    """The KPI-progress view: KPIs (the first KPI with results, against target), OBIs, or the action plan."""
    year = date.today().year
    view = _choice(params, "k_view", ("kpis", "obis", "actions"), "kpis")
    coverage = kpi.kpi_coverage()
    plan = "elpaccto_carib_2025"
    if view == "actions":
        filters = (tuple(_listed(params, "k_party", kpi.responsible_parties())),
                   tuple(_listed(params, "k_frame", kpi.time_frames())), year)
        shares = kpi.with_shares(kpi.goal_status_shares(*filters))
        n_actions = int(shares["n_actions"].sum())
        numbers = [t("pack.kpi_with_status", n=int(shares["n_reported"].sum()), total=n_actions),
                   t("pack.kpi_passed", n=int(shares["time_frame_passed"].sum())),
                   t("pack.kpi_with_result", n=int(coverage["n_with_results"]), total=int(coverage["n_kpis"]))]
        sources = ["ccss_2013", *queries.table_sources(("action_status",))]
        figure = (kpi_charts.goal_status_bars(shares, canvas=SLIDE_CANVAS, title=t("kpi.goal_chart_title"))
                  if n_actions else None)
        shown = shares[shares["n_actions"] > 0]
        table = pd.DataFrame({t("kpi.col_goal"): shown["goal_no"],
                              **{kpi.status_label(status): shown[status] for status in kpi.STATUSES},
                              t("kpi.passed"): shown["time_frame_passed"]})
        return Snapshot(t("pack.kpi_title"), _finished(figure, sources), numbers, sources, table,
                        [] if n_actions else [t("kpi.no_action")])
    sources = [plan, *queries.table_sources(("kpi_results",))]
    if view == "obis":
        obis = kpi.obi_list()
        table = pd.DataFrame({"OBI": obis["obi_id"], t("kpi.col_title"): obis["title"]})
        return Snapshot(t("pack.obi_title"), None, [t("pack.obi_count", n=len(obis))], [plan], table,
                        [t("kpi.no_result")])
    numbers = [t("pack.kpi_with_result", n=int(coverage["n_with_results"]), total=int(coverage["n_kpis"]))]
    listed = kpi.kpi_list()
    totals = kpi.kpi_totals()
    with_results = [row for row in listed.itertuples() if row.n_results > 0]
    figure, notes = None, []
    if with_results:
        first = with_results[0]  # the first chart the page shows
        rows = totals[totals["kpi_id"] == first.kpi_id]
        if len(rows):
            figure = kpi_charts.bullet_chart(rows, first.unit, canvas=SLIDE_CANVAS,
                                             title=t("kpi.bullet_title", kpi=first.kpi_id))
        numbers += [t("pack.kpi_latest", kpi=r.kpi_id, title=r.title) for r in with_results[:4]]
    else:
        notes.append(t("kpi.no_result"))
    table = pd.DataFrame({"KPI": listed["kpi_id"], t("kpi.col_title"): listed["title"],
                          t("pack.col_results"): listed["n_results"]})
    return Snapshot(t("pack.kpis_title"), _finished(figure, sources), numbers, sources, table, notes)


def overview_snapshot(params: dict) -> Snapshot:
    """The Overview's headline figures, with its homicide map."""
    series_id, today = queries.series_or_default(params.get("series", queries.DEFAULT_SERIES)), date.today()
    headline = queries.homicide_headline(series_id).iloc[0]
    year = int(headline["year"])
    active = kpi.active_projects_summary(today.year, today)
    kpis, actions, tiers = kpi.kpi_coverage(), kpi.action_coverage(today.year), kpi.threat_coverage()
    numbers = [
        t("pack.overview_homicide", year=year, lac=fmt.rate(headline["lac"]), world=fmt.rate(headline["world"])),
        t("pack.overview_above", n=int(headline["countries_above_world"]),
          total=int(headline["countries_reporting"])),
        t("pack.overview_projects", year=today.year, n=int(active["n_active"]),
          funding=projects.euro(active["funding_eur"]), n_none=int(active["n_no_funding"])),
        t("pack.kpi_with_result", n=int(kpis["n_with_results"]), total=int(kpis["n_kpis"])),
        t("pack.kpi_with_status", n=int(actions["n_reported"]), total=int(actions["n_actions"])),
        t("pack.overview_threats", n=int(tiers["n_threats"]), tiers=int(tiers["n_tiers"]),
          tier1=int(tiers["n_tier1"])),
    ]
    values = queries.homicide_map_values(year, series_id)
    map_sources = sorted(set(values["source_id"].dropna()))
    figure = homicide_charts.rate_map(values, year, queries.homicide_rate_ceiling(), canvas=SLIDE_CANVAS)
    sources = [*headline["source_ids"], *map_sources, "ccss_2013", "elpaccto_carib_2025", *active["source_ids"],
               *queries.table_sources(("kpi_results", "action_status"))]
    return Snapshot(t("overview.title"), _finished(figure, map_sources), numbers, sorted(set(sources)))


# Keyed by the page's url path; dashboard.py's PACKABLE lists the same pages.
SNAPSHOTS: dict[str, Callable[[dict], Snapshot]] = {
    "overview": overview_snapshot, "homicide": homicide_snapshot, "threats": threats_snapshot,
    "projects": projects_snapshot, "kpi_progress": kpi_snapshot}


# --- saved views --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedView:
    page: str  # url path of the page
    params: tuple[tuple[str, str], ...]  # its query parameters, in order

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def path(self) -> str:
        """The page's address: the default page (Overview) lives at the app's root."""
        return "" if self.page == "overview" else self.page


def describe(view: SavedView) -> str:
    """A view's human name: 'Homicide rates: trends, Jamaica, Trinidad and Tobago, Barbados'."""
    params = view.param_dict
    names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
    parts: list[str] = []
    if view.page == "overview":
        page = t("nav.page_overview")
    elif view.page == "homicide":
        page = t("nav.page_homicide")
        tab = _choice(params, "tab", ("map", "trends", "table"), "map")
        if tab == "trends":
            chosen = _listed(params, "trend", names) or ["JAM", "TTO", "BRB"]
            parts = [t("pack.name_trends")] + [names[c] for c in chosen]
            if _int(params, "since", None):
                parts.append(t("pack.name_since", year=params["since"]))
        else:
            series_id = queries.series_or_default(params.get("series", queries.DEFAULT_SERIES))
            year = params.get("year") or str(queries.homicide_year_range(series_id)[1])
            parts = [t("pack.name_table") if tab == "table" else
                     t("pack.name_tiles") if params.get("map") == "tiles" else t("pack.name_map"), year]
    elif view.page == "threats":
        page = t("nav.page_threats")
        part = _choice(params, "t_tab", ("coverage", "gaps", "behind"), "coverage")
        if part == "coverage":
            dimension = _choice(params, "t_dim", ("country", "donor"), "country")
            value = _choice(params, "t_value", ("n_projects", "funding_eur"), "n_projects")
            parts = [_threat_title(dimension, value)]
        else:
            parts = [t("threats.gaps_header") if part == "gaps" else t("threats.behind_header")]
        for key in ("t_year", "t_donor"):
            if params.get(key) not in (None, "any"):
                parts.append(params[key])
        if params.get("t_country") in names:
            parts.append(names[params["t_country"]])
    elif view.page == "projects":
        page = t("nav.page_projects")
        tab = _choice(params, "p_tab", ("where", "funders", "when", "implementers", "list"), "where")
        parts = [_describe_projects_tab(tab, _choice(params, "p_map", ("count", "funding"), "count"))]
        parts += [names[c] for c in _listed(params, "p_country", names)]
        if params.get("p_year"):
            parts.append(t("pack.name_active_in", year=params["p_year"]))
        if params.get("p_q"):
            parts.append(f"“{params['p_q']}”")
    elif view.page == "kpi_progress":
        page = t("nav.page_kpi_progress")
        parts = [{"kpis": t("kpi.view_kpis"), "obis": t("kpi.view_obis"), "actions": t("kpi.view_actions")}[
            _choice(params, "k_view", ("kpis", "obis", "actions"), "kpis")]]
    else:
        page = view.page
    group = params.get("group")
    if group in GROUP_COLUMNS:
        parts.append(t("ui.group_caricom") if group == "caricom" else t("ui.group_elpaccto"))
    return page + (": " + ", ".join(parts) if parts else "")


# --- the file -----------------------------------------------------------------------------------------

def chart_png(figure: go.Figure) -> tuple[bytes | None, str]:
    """PNG bytes from Plotly's own export at the figure's own size, or None and the reason it could not be made."""
    try:
        width, height = int(figure.layout.width or SLIDE_CANVAS.width), int(figure.layout.height or 700)
        return pio.to_image(figure, format="png", width=width, height=height, scale=1), ""
    except Exception as exc:  # kaleido raises its own types when no Chrome/Chromium is found
        return None, t("pack.no_image", error=exc.__class__.__name__, detail=str(exc)[:120])


def _text(frame, left, top, width, height, lines: list[str], size: int, bold_first: bool = False):
    box = frame.shapes.add_textbox(left, top, width, height)
    box.text_frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = box.text_frame.paragraphs[0] if i == 0 else box.text_frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold_first and i == 0
    return box


def _table(slide, frame: pd.DataFrame, top) -> None:
    rows = frame.head(14)
    shape = slide.shapes.add_table(len(rows) + 1, len(rows.columns), Inches(0.5), top,
                                   Inches(8.4), Inches(0.3) * (len(rows) + 1))
    for j, col in enumerate(rows.columns):
        shape.table.cell(0, j).text = str(col)
    for i, row in enumerate(rows.itertuples(index=False), start=1):
        for j, cell in enumerate(row):
            shape.table.cell(i, j).text = "" if cell is None or (isinstance(cell, float) and cell != cell) else str(cell)
            for paragraph in shape.table.cell(i, j).text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)


def build_pack(views: list[SavedView], base_url: str, as_of: date | None,
               render: Callable[[go.Figure], tuple[bytes | None, str]] = chart_png, lang: str | None = None) -> bytes:
    """One slide per view: title, chart image (or why not, and the view's table), key numbers, sources and
    data date, link back to the live view. Written in `lang` (default: the language in force), its
    numbers and dates too, and each link opens the live view in it."""
    with language(lang or current_language()):
        return _build_pack(views, base_url, as_of, render)


def _build_pack(views: list[SavedView], base_url: str, as_of: date | None,
                render: Callable[[go.Figure], tuple[bytes | None, str]]) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    for view in views:
        snap = SNAPSHOTS[view.page](view.param_dict)
        slide = deck.slides.add_slide(blank)
        _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), [describe(view)], 26, bold_first=True)
        image, why = render(snap.figure) if snap.figure is not None else (None, "")
        if image:
            width, height = snap.figure.layout.width or SLIDE_CANVAS.width, snap.figure.layout.height or 700
            box_w, box_h = IMAGE_BOX
            if box_w * height / width <= box_h:
                slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(1.2), width=box_w)
            else:
                slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(1.2), height=box_h)
        else:
            top = Inches(1.3)
            if why:
                _text(slide, Inches(0.5), top, Inches(8.4), Inches(0.8), [why], 14)
                top = Inches(2.1)
            if snap.table is not None and len(snap.table):
                _table(slide, snap.table, top)
        notes = [*snap.notes, *([demo.label()] if demo.is_on() else [])]
        _text(slide, Inches(9.2), Inches(1.3), Inches(3.7), Inches(4.8),
              [t("pack.key_numbers"), *snap.key_numbers, *notes], 15, bold_first=True)
        found = queries.sources(tuple(snap.source_ids))
        sources = "; ".join(f"{r.title} ({r.publisher})" for r in found.itertuples())
        footer = _text(slide, Inches(0.5), Inches(6.55), Inches(12.3), Inches(0.8),
                       [t("pack.sources", sources=sources),
                        t("pack.data_as_of", date=fmt.day(as_of)) if as_of else t("pack.data_as_of_not_reported")], 10)
        link = view_link(f"{base_url.rstrip('/')}/{view.path}", {**view.param_dict, **lang_param()})
        run = footer.text_frame.add_paragraph().add_run()
        run.text = t("pack.live_view", link=link)
        run.font.size = Pt(10)
        run.hyperlink.address = link
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
