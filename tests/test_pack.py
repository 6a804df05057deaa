"""Decision pack: saved views into PowerPoint, read back with python-pptx; a snapshot per packable page."""
from __future__ import annotations

import io
from datetime import date

from pathlib import Path

from pptx import Presentation
from streamlit.testing.v1 import AppTest

from core import projects
from core.pack import SNAPSHOTS, SavedView, build_pack

ROOT = Path(__file__).resolve().parents[1]

VIEWS = [
    SavedView("homicide", (("year", "2010"),)),
    SavedView("homicide", (("year", "2020"), ("map", "tiles"))),
    SavedView("threats", (("t_value", "funding_eur"), ("t_year", "2025"))),
]


def slide_texts(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def links(slide) -> list[str]:
    return [run.hyperlink.address for shape in slide.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for run in p.runs if run.hyperlink.address]


def test_pack_of_three_views_has_charts_footers_and_links(app_db):
    data = build_pack(VIEWS, "http://dashboard.local:8501", date(2026, 11, 22))
    deck = Presentation(io.BytesIO(data))
    slides = list(deck.slides)
    assert len(slides) == 3
    assert [slide_texts(s).splitlines()[0] for s in slides] == [
        "Homicide rates: map, 2010", "Homicide rates: equal tiles, 2020",
        "Threat tiers: Threat coverage by country: stated funding (EUR million), 2025"]
    for slide in slides:
        text = slide_texts(slide)
        assert "Sources: " in text and "Data as of 22 November 2026" in text
        assert any(shape.shape_type == 13 for shape in slide.shapes)  # a picture: the chart image
    assert links(slides[0]) == ["http://dashboard.local:8501/homicide?year=2010"]
    assert links(slides[1]) == ["http://dashboard.local:8501/homicide?year=2020&map=tiles"]
    assert links(slides[2]) == ["http://dashboard.local:8501/threats?t_value=funding_eur&t_year=2025"]
    assert "Jamaica: 52.6 per 100,000" in slide_texts(slides[0])  # the ranking's top, 2010


def test_pack_without_a_browser_still_builds_with_tables(app_db):
    no_browser = lambda fig: (None, "Chart image not available: no Chrome or Chromium found.")  # noqa: E731
    deck = Presentation(io.BytesIO(build_pack(VIEWS[:1], "http://x", date(2026, 11, 22), render=no_browser)))
    slide = deck.slides[0]
    assert "Chart image not available" in slide_texts(slide)
    assert not any(shape.shape_type == 13 for shape in slide.shapes)
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert table.cell(0, 0).text == "Country" and table.cell(1, 0).text == "Jamaica"


# --- one view of every kind a pack can hold -------------------------------------------------------

EVERY_KIND = [
    SavedView("overview", ()),
    SavedView("homicide", (("year", "2015"),)),
    SavedView("threats", (("t_dim", "donor"),)),
    SavedView("projects", (("p_country", "HTI"), ("p_year", "2025"))),
    SavedView("kpi_progress", (("k_view", "actions"), ("k_frame", "2013"))),
]


def key_numbers(slide) -> list[str]:
    """The lines of the key-numbers box, under its heading."""
    box = next(s.text_frame.text for s in slide.shapes
               if s.has_text_frame and s.text_frame.text.startswith("Key numbers"))
    return box.splitlines()[1:]


def test_pack_with_one_view_of_each_kind(app_db):
    assert set(SNAPSHOTS) == {view.page for view in EVERY_KIND}
    deck = Presentation(io.BytesIO(build_pack(EVERY_KIND, "http://dashboard.local:8501", date(2026, 11, 22))))
    slides = list(deck.slides)
    assert len(slides) == 5
    assert [slide_texts(s).splitlines()[0] for s in slides] == [
        "Overview", "Homicide rates: map, 2015", "Threat tiers: Threat coverage by donor: number of projects",
        "Donor projects: Projects per country, Haiti, active in 2025", "KPI progress: CCSS action plan"]
    for slide, view in zip(slides, EVERY_KIND):
        text = slide_texts(slide)
        assert "Sources: " in text and "Data as of 22 November 2026 (frozen when this pack was built)." in text
        assert any(shape.shape_type == 13 for shape in slide.shapes), view.page  # the chart image
        assert len(key_numbers(slide)) >= 3, view.page
    assert [links(s) for s in slides] == [
        ["http://dashboard.local:8501/"],  # the Overview is the app's root: /overview is no page
        ["http://dashboard.local:8501/homicide?year=2015"],
        ["http://dashboard.local:8501/threats?t_dim=donor"],
        ["http://dashboard.local:8501/projects?p_country=HTI&p_year=2025"],
        ["http://dashboard.local:8501/kpi_progress?k_view=actions&k_frame=2013"]]


def test_projects_snapshot_counts_each_project_once(app_db, db):
    n, funding, n_none = db.execute("""SELECT count(*), sum(funding_eur), count(*) FILTER (WHERE funding_eur IS NULL)
                                       FROM projects WHERE duplicate_of IS NULL""").fetchone()
    snap = SNAPSHOTS["projects"]({})
    assert snap.key_numbers == [f"Projects (each counted once): {n}", f"Stated funding: €{funding / 1e6:,.1f}M",
                                f"Projects with no stated funding: {n_none} (not in the total)"]
    assert snap.title == "Projects per country" and snap.figure is not None  # the page's first tab: the map
    # Bars by donor: the donors the projects name, 'Donor not stated' for those naming none.
    assert sorted(snap.table["Donor"]) == sorted(projects.partner_names("donor"))


def test_projects_snapshot_shows_the_numbers_of_the_live_view(app_db):
    """The same URL parameters give the slide the numbers the page shows."""
    params = {"p_country": "HTI", "p_year": "2025", "p_unknown": "0"}
    page = AppTest.from_file(str(ROOT / "app_pages" / "projects.py"), default_timeout=60)
    for key, value in params.items():
        page.query_params[key] = value
    page.run()
    assert not page.exception
    metrics = {m.label: m.value for m in page.metric}
    assert SNAPSHOTS["projects"](params).key_numbers == [
        f"Projects (each counted once): {metrics['Projects']}", f"Stated funding: {metrics['Stated funding']}",
        f"Projects with no stated funding: {metrics['Projects with no stated funding']} (not in the total)"]


def test_projects_snapshot_ignores_what_the_page_ignores(app_db):
    assert SNAPSHOTS["projects"]({"p_country": "XXX", "p_year": "1066", "p_donor": "nobody", "p_fund": "5,1"}) \
        .key_numbers == SNAPSHOTS["projects"]({}).key_numbers


def test_kpi_snapshot_counts_statuses_and_passed_time_frames(app_db, db):
    this_year = date.today().year
    total, passed = db.execute("""
        SELECT count(*), count(*) FILTER (WHERE time_frame_end_year < ? AND NOT EXISTS (SELECT 1 FROM action_status s
               WHERE s.goal_no = a.goal_no AND s.action_no = a.action_no))
        FROM ccss_actions a WHERE time_frame = '2013'""", [this_year]).fetchone()
    reported = db.execute("""SELECT count(DISTINCT (goal_no, action_no)) FROM action_status
                             WHERE (goal_no, action_no) IN (SELECT (goal_no, action_no) FROM ccss_actions
                                                            WHERE time_frame = '2013')""").fetchone()[0]
    n_kpis, with_results = db.execute("SELECT count(*), count(*) FILTER (WHERE kpi_id IN "
                                      "(SELECT kpi_id FROM kpi_results)) FROM kpis").fetchone()
    snap = SNAPSHOTS["kpi_progress"]({"k_view": "actions", "k_frame": "2013"})
    assert snap.key_numbers == [f"CCSS actions with a reported status: {reported} of {total}",
                                f"Time frame passed, no status reported: {passed} actions",
                                f"EL PACCTO 2.0 KPIs with a reported result: {with_results} of {n_kpis}"]
    assert total > 0 and int(snap.table["not reported"].sum()) == total - reported


def test_overview_snapshot_has_the_headline_figures(app_db, db):
    n, tiers, tier1 = db.execute("SELECT count(*), count(DISTINCT tier), count(*) FILTER (WHERE tier = 1) "
                                 "FROM threats").fetchone()
    numbers = SNAPSHOTS["overview"]({}).key_numbers
    assert numbers[-1] == f"CCSS threats: {n} in {tiers} tiers, {tier1} in tier 1"
    year, world = db.execute("""SELECT year, rate_per_100k FROM homicide_benchmarks WHERE area = 'World'
                                AND source_id = 'owid_unodc_homicide' ORDER BY year DESC LIMIT 1""").fetchone()
    assert numbers[0].startswith(f"Homicide rate {year}: ") and f"World {world:.1f} per 100,000" in numbers[0]


def test_new_kinds_without_a_browser_still_build_with_tables(app_db):
    no_browser = lambda fig: (None, "Chart image not available: no Chrome or Chromium found.")  # noqa: E731
    data = build_pack(EVERY_KIND[3:], "http://x", date(2026, 11, 22), render=no_browser)
    slides = list(Presentation(io.BytesIO(data)).slides)
    tables = [next(shape.table for shape in slide.shapes if shape.has_table) for slide in slides]
    assert [table.cell(0, 0).text for table in tables] == ["Donor", "Goal"]
    assert all("Chart image not available" in slide_texts(slide) for slide in slides)


def test_pack_is_written_in_the_language_it_is_built_in(app_db):
    """Slides, key numbers, dates, tables, the chart's own text and the link back: all in Spanish."""
    figures = []

    def capture(fig):
        figures.append(fig)
        return None, ""

    views = [SavedView("homicide", (("year", "2010"),)), SavedView("kpi_progress", (("k_view", "obis"),))]
    deck = Presentation(io.BytesIO(build_pack(views, "http://x", date(2026, 11, 22), render=capture, lang="es")))
    first, second = (slide_texts(s) for s in deck.slides)
    assert first.splitlines()[0] == "Tasas de homicidios: mapa, 2010"
    assert "Cifras clave" in first and "Jamaica: 52,6 por cada 100.000 habitantes" in first
    assert "Datos a 22 de noviembre de 2026 (fijados al generar este dosier)." in first
    assert second.splitlines()[0] == "Avance de los KPI: Indicadores basados en opiniones"
    table = next(shape.table for shape in deck.slides[0].shapes if shape.has_table)
    assert (table.cell(0, 0).text, table.cell(0, 1).text) == ("País", "Tasa por cada 100.000")
    assert links(deck.slides[0]) == ["http://x/homicide?year=2010&lang=es"]
    texts = [a.text for a in figures[0].layout.annotations]
    assert any("Tasa de homicidios por cada 100.000 habitantes, 2010" in x for x in texts)
    assert any(x.startswith("Fuente: ") and " · datos a " in x and " de 20" in x for x in texts)  # the stamp
    # Outside a session, and after the pack: English again.
    assert slide_texts(Presentation(io.BytesIO(build_pack(views[:1], "http://x", None, render=capture))).slides[0]
                       ).splitlines()[0] == "Homicide rates: map, 2010"
