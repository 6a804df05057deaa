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

from core import queries, threats
from core.figures import homicide as homicide_charts
from core.figures import threats as threat_charts
from core.ui import view_link


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


def homicide_snapshot(params: dict) -> Snapshot:
    source = queries.PRIMARY_HOMICIDE_SOURCE
    first, last = queries.homicide_year_range(source)
    year = min(max(_int(params, "year", last), first), last)
    values = queries.homicide_map_values(year, source)
    ceiling = queries.homicide_rate_ceiling()
    build = homicide_charts.tile_map if params.get("map") == "tiles" else homicide_charts.rate_map
    ranked = values.dropna(subset=["rate_per_100k"]).head(3)
    numbers = [f"{r.name}: {r.rate_per_100k:.1f} per 100,000" + ("" if r.is_current else f" ({int(r.value_year)})")
               for r in ranked.itertuples()]
    bench = queries.homicide_benchmarks()
    for area in ("Latin America and the Caribbean", "World"):
        row = bench[(bench["area"] == area) & (bench["year"] == year) & (bench["source_id"] == source)]
        if len(row):
            numbers.append(f"{area}: {row['rate_per_100k'].iloc[0]:.1f}")
    older = values[values["rate_per_100k"].notna() & ~values["is_current"]]
    notes = [f"{len(older)} countries show their latest earlier value."] if len(older) else []
    table = values[["name", "rate_per_100k", "value_year"]].rename(
        columns={"name": "Country", "rate_per_100k": "Rate per 100,000", "value_year": "Year"})
    return Snapshot(f"Homicide rates, {year}", build(values, year, ceiling, height=600), numbers, [source],
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
    rows = [f"T{r.tier} · {r.name}" for r in table.itertuples()]
    figure = threat_charts.coverage_heatmap(threats.coverage_matrix(cells, table, columns, value), rows, labels, value,
                                            threats.coverage_matrix(cells, table, columns, "n_unfunded"))
    gaps = threats.gaps(**args).head(3)
    numbers = [f"Gap: {g.threat} (Tier {g.tier}): EUR {g.funding_eur:,.0f} stated, {g.n_countries} countries"
               for g in gaps.itertuples()]
    what = "number of projects" if value == "n_projects" else "stated funding (EUR million)"
    return Snapshot(f"Threat coverage by {dimension}: {what}", figure, numbers,
                    ["ccss_2013", "elpaccto_carib_2025", "impacs_projects", "eu_celac_drugs_2019"])


SNAPSHOTS: dict[str, Callable[[dict], Snapshot]] = {"homicide": homicide_snapshot, "threats": threats_snapshot}


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
        return None, f"Chart image not available: {exc.__class__.__name__} ({str(exc)[:120]}). " \
                     "Install Chrome or Chromium on this machine for chart images."


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
    frozen = f"{as_of:%d %B %Y}" if as_of else "not reported"
    for view in views:
        snap = SNAPSHOTS[view.page](view.param_dict)
        slide = deck.slides.add_slide(blank)
        _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), [snap.title], 30, bold_first=True)
        image, why = render(snap.figure) if snap.figure is not None else (None, "This view has no chart.")
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
              ["Key numbers", *snap.key_numbers, *snap.notes], 16, bold_first=True)
        found = queries.sources(tuple(snap.source_ids))
        sources = "; ".join(f"{r.title} ({r.publisher})" for r in found.itertuples())
        footer = _text(slide, Inches(0.5), Inches(6.55), Inches(12.3), Inches(0.8),
                       [f"Sources: {sources}", f"Data as of {frozen} (frozen when this pack was built)."], 10)
        link = view_link(f"{base_url.rstrip('/')}/{view.page}", view.param_dict)
        run = footer.text_frame.add_paragraph().add_run()
        run.text = f"Live view: {link}"
        run.font.size = Pt(10)
        run.hyperlink.address = link
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


__all__ = ["SNAPSHOTS", "SavedView", "Snapshot", "build_pack", "chart_png", "Emu"]
