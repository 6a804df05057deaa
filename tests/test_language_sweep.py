"""Every page, tab and opened part under ?lang=es and ?lang=fr shows no English from the interface: the visible
text (titles, captions, labels, options, help, metrics, tables' headings and cells, alerts, chart titles, axes,
legends, labels and hovers) is compared against the English catalogue; text from the data (the source
documents' names and titles, countries, partners) is allowed. Each page says once that such text stays English.

Runs every view under Streamlit's AppTest on a database with KPI results imported, as the monitoring team does.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import strings
from core.strings import DEFAULT_LANGUAGE, STRINGS, t
from tests.rendered import results_folder
from tests.test_pages import ROOT

ENGLISH = STRINGS[DEFAULT_LANGUAGE]
# Proto fields that carry visible text (at any depth: a tab's label sits in its block).
TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "code_text", "caption"}
# Plotly keys that carry visible text.
CHART_KEYS = {"text", "name", "hovertext", "hovertemplate", "ticktext"}
SPLIT = re.compile(r"\{[^}]*\}|</?b>|<br>|</?i>|\*\*|\n+|:material/[a-z_]+:")

# page, query parameters, session state (opened parts), for every tab and variant a person sees.
VIEWS = [
    ("overview", {}, {}),
    ("homicide", {}, {"share_open": True}),
    ("homicide", {"tab": "trends", "trend": "JAM,HTI,DOM"}, {}),
    ("homicide", {"tab": "table", "year": "2021"}, {}),
    ("threats", {"t_value": "funding_eur"}, {}),
    ("threats", {"t_dim": "donor", "t_answers": "priorities"}, {}),
    ("threats", {"t_tab": "gaps", "t_answers": "us_areas"}, {}),
    ("threats", {"t_tab": "behind", "t_threat": "human_trafficking", "t_cell": "HTI"}, {}),
    ("projects", {"p_map": "funding", "p_split": "split"}, {}),
    ("projects", {"p_tab": "funders", "p_year": "2025"}, {}),
    ("projects", {"p_tab": "when"}, {}),
    ("projects", {"p_tab": "implementers"}, {}),
    ("projects", {"p_tab": "list"}, {}),
    ("kpi_progress", {}, {"k_open_KPI3": True, "k_open_KPI8": True}),
    ("kpi_progress", {"k_view": "obis"}, {}),
    ("kpi_progress", {"k_view": "actions"}, {"k_goal_1": True, "k_goal_2": True}),
    ("country_brief", {"b_country": "JAM"}, {}),
    ("decision_pack", {}, {"pack_views": [("homicide", (("tab", "trends"),)), ("threats", (("t_tab", "gaps"),)),
                                          ("projects", (("p_tab", "when"),)), ("kpi_progress", (("k_view", "obis"),)),
                                          ("overview", ())]}),
    ("data_management", {}, {}),
    ("data_management", {}, {"editor": "Sweep"}),
    ("about_data", {}, {"about_projects": True}),
    ("homicide", {"present": "1"}, {}),
    # The Series choice, the demonstration set (its banner, its KPI and OBI results, its homicide edition).
    ("homicide", {"series": "latest"}, {}),
    ("homicide", {"demo": "1", "series": "latest", "tab": "table"}, {}),
    ("overview", {"demo": "1"}, {}),
    ("kpi_progress", {"demo": "1"}, {"k_open_KPI1": True, "k_open_KPI3": True}),
    ("kpi_progress", {"demo": "1", "k_view": "obis"}, {"o_open_OBI1": True, "o_open_OBI2": True, "o_open_OBI3": True}),
    ("kpi_progress", {"demo": "1", "k_view": "actions"}, {"k_goal_1": True}),
]


@pytest.fixture(scope="module")
def sweep_db(tmp_path_factory):
    """KPI results and action statuses imported (so the KPI charts and tables show), and the data's own text."""
    from loaders.build import ensure_built
    from loaders.paths import DEMO_DIR
    env = results_folder(tmp_path_factory.mktemp("sweep"))
    demo_db = Path(env["DASHBOARD_DB"]).with_name("demo.duckdb")  # loaders.paths.demo_db_path() for this folder
    ensure_built(db_path=demo_db, imports_dir=Path(env["DASHBOARD_IMPORTS"]), extra_dirs=[DEMO_DIR])
    values = set()
    for db in (env["DASHBOARD_DB"], demo_db):  # the data's own text, the demonstration set's too
        with duckdb.connect(str(db), read_only=True) as con:
            columns = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                                  "WHERE data_type = 'VARCHAR'").fetchall()
            for table, column in columns:
                values |= {str(v) for (v,) in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
                           if v}
    return env, values


@pytest.fixture
def app(sweep_db, monkeypatch):
    env, _ = sweep_db
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from core.auth import ENV_VAR, hash_password
    monkeypatch.setenv(ENV_VAR, hash_password("sweep", iterations=1000))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def texts_of_proto(message, found: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name == "spec":  # a Plotly figure, as JSON
            texts_of_chart(json.loads(value), found)
        elif field.type == field.TYPE_MESSAGE:
            for item in (value if hasattr(value, "__len__") else [value]):  # repeated, or one message
                texts_of_proto(item, found)
        elif field.type == field.TYPE_STRING and field.name in TEXT_FIELDS:
            found.extend([value] if isinstance(value, str) else value)


def texts_of_chart(spec, found: list[str], key: str = "") -> None:
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == "title" and isinstance(v, str):
                found.append(v)
            texts_of_chart(v, found, k)
    elif isinstance(spec, list):
        for item in spec:
            texts_of_chart(item, found, key)
    elif isinstance(spec, str) and key in CHART_KEYS:
        found.append(spec)


def visible_texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows: elements' text fields, tables' headings and cells, charts' text."""
    found: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in ("html", "bidi_component"):
            texts_of_proto(proto, found)
        if getattr(node, "type", "") in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            found.extend(map(str, frame.columns))
            found.extend(str(v) for v in frame.to_numpy().ravel() if isinstance(v, str))
        children = getattr(node, "children", None) or {}
        for child in (children.values() if isinstance(children, dict) else children):
            walk(child)
    walk(at._tree)
    return [text for text in found if text and text.strip()]


def english_only(lang: str, data: set[str]) -> tuple[set[str], list[str]]:
    """What would show only if the interface spoke English: whole strings (short labels and values) and the
    longer fragments of sentences, leaving out what the translation or the data also say."""
    translated = strings.translations(lang)
    corpus = "\n".join([*translated.values(), *data]).lower()
    whole, fragments = set(), set()
    for key, english in ENGLISH.items():
        if translated[key] == english:
            continue
        if "{" not in english and english not in data:
            whole.add(english.strip())
        for part in SPLIT.split(english):
            part = part.strip(" :;,.()'")
            if len(part) >= 10 and len(part.split()) >= 2 and part.lower() not in corpus:
                fragments.add(part)
    return whole, sorted(fragments, key=len, reverse=True)


def open_view(page: str, params: dict, state: dict, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in {**params, "lang": lang}.items():
        at.query_params[key] = value
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def english_shown(texts: list[str], whole: set[str], fragments: list[str]) -> list[str]:
    shown = []
    for text in texts:
        plain = text.replace("\\", "")  # Markdown escapes of data
        if plain.strip() in whole:
            shown.append(plain.strip())
        lowered = plain.lower()
        shown += [f"{f!r} in {plain[:80]!r}" for f in fragments if f.lower() in lowered]
    return shown


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_no_english_from_the_interface_on_any_page(app, sweep_db, lang):
    whole, fragments = english_only(lang, sweep_db[1])
    assert len(whole) > 150 and len(fragments) > 300  # the comparison has teeth
    problems: dict[str, list[str]] = {}
    with strings.language(lang):
        note = t("ui.source_language")
    for page, params, state in VIEWS:
        at = open_view(page, params, state, lang)
        name = f"{page} {params or ''} {sorted(state) or ''}"
        assert not at.exception, (name, [e.value for e in at.exception])
        texts = visible_texts(at)
        assert sum(note in text for text in texts) == 1, f"{name}: the note on source content, once"
        found = english_shown(texts, whole, fragments)
        if found:
            problems[name] = sorted(set(found))
    assert problems == {}


def test_the_sweep_sees_english(app, sweep_db):
    """The same comparison on the English pages finds the interface (so a missed translation would show)."""
    whole, fragments = english_only("es", sweep_db[1])
    at = open_view("homicide", {"tab": "table"}, {}, "en")
    found = english_shown(visible_texts(at), whole, fragments)
    assert "Homicide rates" in found and any("Rate per 100,000" in f for f in found + list(whole))
    assert not any(t == "Los nombres" for t in visible_texts(at))


# --- Data management with a file uploaded: the preview, a refusal, a series to choose, a template's errors ---

OWID = ROOT / "tests" / "fixtures" / "publishers" / "owid"
FILTERED = "homicide-rate-unodc.filtered__GUH-2025__dl2025-11-08.csv"  # a preview: notes, no edition, differences
IHME_2017 = "homicide-rate__IHME-interpersonal-violence__WorldData-R__c2020-08.csv"  # renamed: ambiguous
GINI = "economic-inequality-gini-index__cmsc122__c2021-03.csv"  # another indicator: refused


def kpi_template_with_errors(db: str) -> bytes:
    import io

    import openpyxl

    from loaders.template import template_bytes
    with duckdb.connect(db, read_only=True) as con:
        book = openpyxl.load_workbook(io.BytesIO(template_bytes(con)))
    for row in (["KPI99", "2025-H3", "XXX", "total", -3, 80, None], ["KPI1", "2025", "JAM", "total", "12,5", 80, None],
                ["KPI1", "2019", None, "total", "=1+1", None, None]):
        book["kpi_results"].append(row)
    book["action_status"].append([99, 1, "done", "2031-01-01", None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def uploads(db: str) -> list[tuple[str, str, bytes]]:
    """(uploader, file name, content) for each thing the page says about a file."""
    renamed = (OWID / IHME_2017).read_bytes().replace(
        b'"Deaths - Interpersonal violence - Sex: Both - Age: All Ages (Rate) (homicides per 100,000)"', b"Deaths", 1)
    return [("upload_homicide", FILTERED, (OWID / FILTERED).read_bytes()),
            ("upload_homicide", "homicide-rate.csv", renamed),
            ("upload_homicide", GINI, (OWID / GINI).read_bytes()),
            ("upload_homicide", "garbage.csv", b"\x00\x01\x02binary" * 50),
            ("upload_kpi", "kpi_results.xlsx", kpi_template_with_errors(db))]


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_no_english_in_the_import_preview_and_its_problems(app, sweep_db, lang):
    """An editor uploads files under ?lang=: the preview (counts, notes, differences), the series to choose and
    the problems listed (the importers' messages, loaders/messages.py) are in the language."""
    from core.messages import text
    whole, fragments = english_only(lang, sweep_db[1])
    problems: dict[str, list[str]] = {}
    for uploader, name, content in uploads(sweep_db[0]["DASHBOARD_DB"]):
        at = open_view("data_management", {}, {"editor": "Sweep"}, lang)
        widget = next(w for w in at.get("file_uploader") if w.proto.id.endswith(uploader) or uploader in w.proto.id)
        widget.set_value((name, content, "application/octet-stream"))
        with strings.language(lang):  # AppTest writes the other widgets' options (format_func) in this thread
            at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
        texts = visible_texts(at)
        shown = "\n".join(texts)
        with strings.language(lang):
            said = {"preview": t("data.changed_help"), "problems": t("data.problems", n=1)[:12],
                    "choose": t("data.series_choice")}
        assert any(words in shown for words in said.values()), (name, texts[:20])  # the page told something
        found = english_shown(texts, whole, fragments)
        if found:
            problems[name] = sorted(set(found))
    assert problems == {}
    with strings.language(lang):  # and the sweep would see an importer's message left in English
        english_problem = "the file holds a header and no data rows, so there is nothing to import"
        assert english_shown([english_problem], whole, fragments) and text(english_problem) == english_problem
