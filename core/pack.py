"""Decision pack: saved views rendered into one PowerPoint file, a slide per view.

Each page that can go into a pack has a snapshot builder here: from the view's query parameters
to its title, main figure, key numbers and sources. Chart images come from Plotly's own export
(kaleido, driving the Chrome or Chromium installed on the machine); without a browser the pack
still builds, with the key numbers and a line saying why the chart is missing.
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
from pptx.util import Emu, Inches, Pt

from core import kpi, projects, queries, threats
from core.figures.common import Canvas
from core.figures import homicide as homicide_charts
from core.figures import kpi as kpi_charts
from core.figures import projects as project_charts
from core.figures import threats as threat_charts
from core.strings import t
from core.ui import view_link

SLIDE_CANVAS = Canvas(1200, 1.0, fixed=True)  # the chart image's width on a slide, in px
# The country groups of the sidebar (the URL's `group`), as core/ui.py's group_iso3 reads them.
GROUP_COLUMNS = {"caricom": "is_caricom_member", "elpaccto": "in_elpaccto"}


@dataclass
class Snapshot:
    title: str
    figure: go.Figure | None
    key_numbers: list[str]
    source_ids: list[str]
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _int(params: dict, key: str, default: int | None) -> int | None:
    try:
        return int(params[key])
    except (KeyError, TypeError, ValueError):
        return default


def _group(params: dict) -> tuple[str, ...] | None:
    """The iso3 codes of the view's country group; None for all 16."""
    column = GROUP_COLUMNS.get(params.get("group", "all"))
    if column is None:
        return None
    countries = queries.countries()
    return tuple(countries.loc[countries[column], "iso3"])


def homicide_snapshot(params: dict) -> Snapshot:
    source = queries.PRIMARY_HOMICIDE_SOURCE
    first, last = queries.homicide_year_range(source)
    year = min(max(_int(params, "year", last), first), last)
    values = queries.homicide_map_values(year, source)
    ceiling = queries.homicide_rate_ceiling()
    build = homicide_charts.tile_map if params.get("map") == "tiles" else homicide_charts.rate_map
    ranked = values.dropna(subset=["rate_per_100k"]).head(3)
    numbers = [t("pack.homicide_rate", name=r.name, rate=r.rate_per_100k) if r.is_current
               else t("pack.homicide_rate_older", name=r.name, rate=r.rate_per_100k, year=int(r.value_year))
               for r in ranked.itertuples()]
    bench = queries.homicide_benchmarks()
    for area in ("Latin America and the Caribbean", "World"):  # the areas as stored (data, not text)
        row = bench[(bench["area"] == area) & (bench["year"] == year) & (bench["source_id"] == source)]
        if len(row):
            numbers.append(t("pack.homicide_area", area=area, rate=row["rate_per_100k"].iloc[0]))
    older = values[values["rate_per_100k"].notna() & ~values["is_current"]]
    notes = [t("pack.homicide_older", n=len(older))] if len(older) else []
    table = values[["name", "rate_per_100k", "value_year"]].rename(columns={
        "name": t("common.country"), "rate_per_100k": t("homicide_table.rate"), "value_year": t("pack.col_year")})
    return Snapshot(t("pack.homicide_title", year=year), build(values, year, ceiling, canvas=SLIDE_CANVAS), numbers, [source],
                    table, notes)


def threats_snapshot(params: dict) -> Snapshot:
    dimension = params.get("t_dim") if params.get("t_dim") in ("country", "donor") else "country"
    value = params.get("t_value") if params.get("t_value") in ("n_projects", "funding_eur") else "n_projects"
    def chosen(key: str) -> str | None:
        return None if params.get(key) in (None, "any") else params[key]

    args = dict(year=_int(params, "t_year", None), donor=chosen("t_donor"), iso3=chosen("t_country"))
    table = threats.threats()
    cells = threats.coverage(dimension, **args)
    if dimension == "country":
        names = dict(zip(queries.countries()["iso3"], queries.countries()["name"]))
        columns, labels = list(names), list(names.values())
    else:
        columns = labels = list(threats.donors())
    rows = [t("threats.row_label", tier=r.tier, name=r.name) for r in table.itertuples()]
    figure = threat_charts.coverage_heatmap(threats.coverage_matrix(cells, table, columns, value), rows, labels, value,
                                            threats.coverage_matrix(cells, table, columns, "n_unfunded"),
                                            canvas=SLIDE_CANVAS)
    gaps = threats.gaps(**args).head(3)
    numbers = [t("pack.threats_gap", threat=g.threat, tier=g.tier, eur=g.funding_eur, n=g.n_countries)
               for g in gaps.itertuples()]
    titles = {("country", "n_projects"): t("pack.threats_title_country_count"),
              ("country", "funding_eur"): t("pack.threats_title_country_funding"),
              ("donor", "n_projects"): t("pack.threats_title_donor_count"),
              ("donor", "funding_eur"): t("pack.threats_title_donor_funding")}
    return Snapshot(titles[dimension, value], figure, numbers,
                    ["ccss_2013", "elpaccto_carib_2025", "impacs_projects", "eu_celac_drugs_2019"])


def projects_snapshot(params: dict) -> Snapshot:
    """The donor-projects view (p_* parameters): stated funding by donor, and the counts behind it."""
    filters, narrowed = projects.filters_from_params(params, _group(params), date.today())
    view = projects.explore(filters)
    split = params.get("p_split") == "split"
    totals = view.totals
    numbers = [t("pack.projects_counted", n=totals["n_projects"]),
               t("pack.projects_funding", funding=projects.euro(totals["funding_eur"])),
               t("pack.projects_no_funding", n=totals["n_no_funding"])]
    notes = [t("projects_table.note_narrowed")] if narrowed else []
    by_donor = view.by_donor
    figure = project_charts.funding_bars(by_donor, "donor", split, canvas=SLIDE_CANVAS) if len(by_donor) else None
    table = pd.DataFrame({
        t("common.donor"): [project_charts.donor_name(n) for n in by_donor["name"]],
        t("common.projects"): by_donor["n_projects"],
        t("common.stated_funding"): [projects.euro(v) for v in by_donor["funding_split" if split else "funding_full"]],
        t("projects_table.no_stated_figure_count"): by_donor["n_no_funding"]})
    title = (t("pack.projects_title_year", year=filters.year) if filters.year is not None
             else t("pack.projects_title"))
    sources = sorted(set(view.listings["source_id"])) or list(queries.table_sources(("projects",)))
    return Snapshot(title, figure, numbers, sources, table, notes)


def kpi_snapshot(params: dict) -> Snapshot:
    """The KPI-progress view: the action plan's status per goal (k_party, k_frame), and KPI results."""
    def listed(key: str, offered: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v for v in (params.get(key) or "").split(",") if v in offered)

    year = date.today().year
    filters = (listed("k_party", kpi.responsible_parties()), listed("k_frame", kpi.time_frames()), year)
    shares = kpi.with_shares(kpi.goal_status_shares(*filters))
    n_actions, coverage = int(shares["n_actions"].sum()), kpi.kpi_coverage()
    numbers = [t("pack.kpi_with_status", n=int(shares["n_reported"].sum()), total=n_actions),
               t("pack.kpi_passed", n=int(shares["time_frame_passed"].sum())),
               t("pack.kpi_with_result", n=int(coverage["n_with_results"]), total=int(coverage["n_kpis"]))]
    notes = [] if n_actions else [t("kpi.no_action")]
    shown = shares[shares["n_actions"] > 0]
    table = pd.DataFrame({
        t("kpi.col_goal"): shown["goal_no"],
        **{kpi.status_label(status): shown[status] for status in kpi.STATUSES},
        t("kpi.passed"): shown["time_frame_passed"]})
    sources = ["ccss_2013", "elpaccto_carib_2025", *queries.table_sources(("action_status", "kpi_results"))]
    return Snapshot(t("pack.kpi_title"), kpi_charts.goal_status_bars(shares, canvas=SLIDE_CANVAS) if n_actions else None, numbers,
                    sources, table, notes)


def overview_snapshot(params: dict) -> Snapshot:
    """The Overview's headline figures, with the homicide map of their year."""
    source, today = queries.PRIMARY_HOMICIDE_SOURCE, date.today()
    headline = queries.homicide_headline(source).iloc[0]
    year = int(headline["year"])
    active = kpi.active_projects_summary(today.year, today)
    kpis, actions, tiers = kpi.kpi_coverage(), kpi.action_coverage(today.year), kpi.threat_coverage()
    numbers = [
        t("pack.overview_homicide", year=year, lac=headline["lac"], world=headline["world"]),
        t("pack.overview_above", n=int(headline["countries_above_world"]),
          total=int(headline["countries_reporting"])),
        t("pack.overview_projects", year=today.year, n=int(active["n_active"]),
          funding=projects.euro(active["funding_eur"]), n_none=int(active["n_no_funding"])),
        t("pack.kpi_with_result", n=int(kpis["n_with_results"]), total=int(kpis["n_kpis"])),
        t("pack.kpi_with_status", n=int(actions["n_reported"]), total=int(actions["n_actions"])),
        t("pack.overview_threats", n=int(tiers["n_threats"]), tiers=int(tiers["n_tiers"]),
          tier1=int(tiers["n_tier1"])),
    ]
    values = queries.homicide_map_values(year, source)
    figure = homicide_charts.rate_map(values, year, queries.homicide_rate_ceiling(), canvas=SLIDE_CANVAS)
    sources = [source, "ccss_2013", "elpaccto_carib_2025", *active["source_ids"],
               *queries.table_sources(("kpi_results", "action_status"))]
    return Snapshot(t("overview.title"), figure, numbers, sorted(set(sources)))


# Keyed by the page's url path; dashboard.py's PACKABLE lists the same pages.
SNAPSHOTS: dict[str, Callable[[dict], Snapshot]] = {
    "overview": overview_snapshot, "homicide": homicide_snapshot, "threats": threats_snapshot,
    "projects": projects_snapshot, "kpi_progress": kpi_snapshot}


@dataclass(frozen=True)
class SavedView:
    page: str  # url path of the page
    params: tuple[tuple[str, str], ...]  # its query parameters, in order

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)


def chart_png(figure: go.Figure, width: int = 1200, height: int = 700) -> tuple[bytes | None, str]:
    """PNG bytes from Plotly's own export, or None and the reason it could not be made."""
    try:
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


def build_pack(views: list[SavedView], base_url: str, as_of: date | None,
               render: Callable[[go.Figure], tuple[bytes | None, str]] = chart_png) -> bytes:
    """One slide per view: title, chart image (or why not), key numbers, sources and data date, link."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    for view in views:
        snap = SNAPSHOTS[view.page](view.param_dict)
        slide = deck.slides.add_slide(blank)
        _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), [snap.title], 30, bold_first=True)
        image, why = render(snap.figure) if snap.figure is not None else (None, t("pack.no_chart"))
        if image:
            slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(1.2), width=Inches(8.4))
        else:
            _text(slide, Inches(0.5), Inches(1.3), Inches(8.4), Inches(1.0), [why], 14)
            if snap.table is not None:
                rows = snap.table.head(16)
                shape = slide.shapes.add_table(len(rows) + 1, len(rows.columns), Inches(0.5), Inches(2.3),
                                               Inches(8.4), Inches(0.3) * (len(rows) + 1))
                for j, col in enumerate(rows.columns):
                    shape.table.cell(0, j).text = str(col)
                for i, row in enumerate(rows.itertuples(index=False), start=1):
                    for j, cell in enumerate(row):
                        shape.table.cell(i, j).text = "" if pd.isna(cell) else (
                            f"{cell:.1f}" if isinstance(cell, float) else str(cell))
        _text(slide, Inches(9.2), Inches(1.3), Inches(3.7), Inches(4.8),
              [t("pack.key_numbers"), *snap.key_numbers, *snap.notes], 16, bold_first=True)
        found = queries.sources(tuple(snap.source_ids))
        sources = "; ".join(f"{r.title} ({r.publisher})" for r in found.itertuples())
        footer = _text(slide, Inches(0.5), Inches(6.55), Inches(12.3), Inches(0.8),
                       [t("pack.sources", sources=sources),
                        t("pack.data_as_of", date=as_of) if as_of else t("pack.data_as_of_not_reported")], 10)
        link = view_link(f"{base_url.rstrip('/')}/{view.page}", view.param_dict)
        run = footer.text_frame.add_paragraph().add_run()
        run.text = t("pack.live_view", link=link)
        run.font.size = Pt(10)
        run.hyperlink.address = link
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


__all__ = ["SNAPSHOTS", "SavedView", "Snapshot", "build_pack", "chart_png", "Emu"]
