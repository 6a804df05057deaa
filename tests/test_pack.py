"""Decision pack: three saved views into PowerPoint, read back with python-pptx."""
from __future__ import annotations

import io
from datetime import date

from pptx import Presentation

from core.pack import SavedView, build_pack

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
        "Homicide rates, 2010", "Homicide rates, 2020", "Threat coverage by country: stated funding (EUR million)"]
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
