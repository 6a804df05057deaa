"""The Spanish and French catalogues (locales/): every key translated from the current English, the same
placeholders and markup, the region's terms; the template and catalogues as `update` writes them; `update`
keeps, flags and reuses translations as it says; numbers, money and dates in each language's conventions."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.catalog import Catalog

from core import format as fmt
from core import strings
from core.strings import DEFAULT_LANGUAGE, LANGUAGES, STRINGS, language, t
from scripts import translations

OTHERS = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]
ENGLISH = STRINGS[DEFAULT_LANGUAGE]


def entries(lang: str) -> dict[str, object]:
    return {m.context: m for m in translations.read(strings.po_path(lang)) if m.id}


@pytest.mark.parametrize("lang", OTHERS)
def test_every_key_exists_in_every_language(lang):
    found = entries(lang)
    assert sorted(set(ENGLISH) - set(found)) == []
    assert sorted(set(found) - set(ENGLISH)) == []
    untranslated = sorted(k for k, m in found.items() if not m.string or m.fuzzy or m.id != ENGLISH[k])
    assert untranslated == [], "run `python -m scripts.translations update` and translate these"
    assert strings.translations(lang).keys() == ENGLISH.keys()  # what the app uses: all of it


@pytest.mark.parametrize("lang", OTHERS)
def test_placeholders_match(lang):
    wrong = [(key, sorted(translations.placeholders(m.string)), sorted(translations.placeholders(ENGLISH[key])))
             for key, m in entries(lang).items()
             if translations.placeholders(m.string) != translations.placeholders(ENGLISH[key])]
    assert wrong == []


@pytest.mark.parametrize("lang", OTHERS)
def test_markup_matches(lang):
    """Plotly's <b>, <br>, <i> and Markdown's ** and line breaks, as in English."""
    wrong = [key for key, m in entries(lang).items() if translations.markup(m.string) != translations.markup(ENGLISH[key])]
    assert wrong == []


@pytest.mark.parametrize("lang", OTHERS)
def test_check_command_finds_nothing(lang):
    assert translations.problems(lang) == []


# Strings the same as in English, on purpose: symbols, names, ids, and words both languages share.
SAME_AS_ENGLISH = {
    "both": {"ui.language", "present.position", "threats.ccss_ref", "homicide_table.iso3", "projects_table.id",
             "kpi_table.kpi", "kpi.goal_passed"},
    "es": {"homicide_table.no", "projects_table.no", "kpi_table.regional",  # "no", "Regional"
           "pack.homicide_area", "pack.kpi_latest"},  # "{area}: {rate}" (French puts a space before the colon)
    "fr": {"about.sources", "about.tables", "homicide.col_document", "homicide_table.source", "kpi_table.action",
           "kpi_table.note", "kpi_table.source", "nav.programme", "nav.situation", "projects_table.description",
           "projects_table.source", "threats_chart.impact", "ui.excel_source",
           "project_form.field_description", "project_form.field_note"},  # French "Description", "Note", as the tables
}


@pytest.mark.parametrize("lang", OTHERS)
def test_every_translation_fills_in_and_differs_from_english(lang):
    """Each string formats with the English placeholders' values, and is not the English but where listed."""
    same = []
    with language(lang):
        for key, english in ENGLISH.items():
            values = {name: f"<{name}>" for name in translations.placeholders(english)}
            text = t(key, **values)
            assert all(v in text for v in values.values()), key
            if text == english.format(**values):
                same.append(key)
    assert sorted(same) == sorted(SAME_AS_ENGLISH["both"] | SAME_AS_ENGLISH[lang])


def test_the_regions_terms():
    with language("es"):
        assert "tasa de homicidios por cada 100.000 habitantes" in t("homicide_chart.map_title", year=2023).lower()
        assert "Estrategia de Delincuencia y Seguridad de la CARICOM" in t("threats.caption")
    with language("fr"):
        assert "taux d'homicides pour 100\u202f000 habitants" in t("homicide_chart.map_title", year=2023).lower()
        assert "Stratégie de la CARICOM en matière de criminalité et de sécurité" in t("threats.caption")
    for lang in OTHERS:  # names stay names
        found = strings.translations(lang)
        for key, english in ENGLISH.items():
            for name in ("CARICOM", "IMPACS", "EL PACCTO 2.0", "CCSS", "KPI", "OBI"):
                if name in english:
                    assert name in found[key], (lang, key, name)


def test_french_typography():
    """A no-break space before ':' and inside « », a narrow one before ';' (never a plain space there)."""
    plain = [key for key, text in strings.translations("fr").items() if re.search(r" [:;!?»]|« ", text)]
    assert plain == []


def test_template_and_catalogues_are_as_update_writes_them():
    """locales/ is up to date with the code: `python -m scripts.translations update` would change nothing."""
    undated = lambda text: translations._DATES.sub(b"", text)  # noqa: E731
    source = translations.template()
    assert undated(translations.po_text(source)) == undated(translations.POT_PATH.read_bytes())
    for lang in OTHERS:
        path = strings.po_path(lang)
        merged = translations.merged(lang, source, translations.read(path))
        assert undated(translations.po_text(merged)) == undated(path.read_bytes()), lang


def _catalog(messages: dict[str, str], translated: dict[str, str] | None = None, fuzzy=()) -> Catalog:
    catalog = Catalog(locale="es", fuzzy=False)
    for key, english in messages.items():
        catalog.add(english, (translated or {}).get(key, ""), context=key, flags={"fuzzy"} if key in fuzzy else ())
    return catalog


def _roundtrip(message) -> Catalog:
    """One message written as a .po file and read back."""
    import io

    from babel.messages.pofile import read_po
    catalog = Catalog(locale="es", fuzzy=False)
    catalog.add(message.id, message.string, flags=message.flags, auto_comments=message.auto_comments,
                context=message.context)
    return read_po(io.BytesIO(translations.po_text(catalog)))


def test_update_keeps_flags_and_reuses_translations(monkeypatch):
    monkeypatch.setattr(translations, "STRINGS", {"en": {"a": "Same", "b": "New English", "d": "Moved",
                                                          "x": "Newer English"}})
    old = _catalog({"a": "Same", "b": "Old English", "c": "Moved", "gone": "Gone"},
                   {"a": "Igual", "b": "Inglés antiguo", "c": "Movido", "gone": "Ido"})
    new = {m.context: m for m in translations.merged("es", _catalog({"a": "Same", "b": "New English", "d": "Moved"}),
                                                     old) if m.id}
    assert (new["a"].string, new["a"].fuzzy) == ("Igual", False)
    assert (new["b"].string, new["b"].fuzzy) == ("Inglés antiguo", True)
    assert translations.previous_english(new["b"]) == "Old English"  # for the reviewer
    again = {m.context: m for m in translations.merged("es", _catalog({"b": "Newer English"}), _roundtrip(new["b"]))}
    assert again["b"].fuzzy and translations.previous_english(again["b"]) == "Old English"  # still what it was made from
    assert (new["d"].string, new["d"].fuzzy) == ("Movido", True)  # a removed key's translation of the same English
    assert set(new) == {"a", "b", "d"}


@pytest.mark.parametrize("lang, expected", [
    ("en", ("41.2", "1,234.5", "€216.4M", "€18,400,000", "22 November 2026", "49%")),
    ("es", ("41,2", "1.234,5", "216,4\u00a0M\u00a0€", "18.400.000\u00a0€", "22 de noviembre de 2026", "49\u00a0%")),
    ("fr", ("41,2", "1\u202f234,5", "216,4\u00a0M\u00a0€", "18\u202f400\u202f000\u00a0€", "22 novembre 2026",
            "49\u00a0%")),
])
def test_numbers_money_and_dates_follow_the_language(lang, expected):
    with language(lang):
        assert (fmt.rate(41.15), fmt.number(1234.5, 1), fmt.eur_short(216.4e6), fmt.eur(18_400_000),
                fmt.day(dt.date(2026, 11, 22)), fmt.share(0.485)) == expected
