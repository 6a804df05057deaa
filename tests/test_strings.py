"""The string catalogue (core/strings.py): every key the code uses exists, none is unused, placeholders agree."""
from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import strings
from core.strings import STRINGS, t

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([ROOT / "dashboard.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "core").rglob("*.py")])


def placeholders(text: str) -> set[str]:
    """The str.format field names of a string ("{date:%d %B %Y}" -> "date")."""
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def t_calls() -> list[tuple[str, int, list[str], set[str]]]:
    """Every t(...) call in the code: file, line, the key(s) it may use, the placeholder names it passes."""
    calls = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t":
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                first = node.args[0] if node.args else None
                # A key is a literal, or a choice between literals (t("a" if x else "b")): so this test sees it.
                branches = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                assert all(isinstance(b, ast.Constant) and isinstance(b.value, str) for b in branches), \
                    f"{where}: the key of t() must be a string literal"
                assert len(node.args) == 1 and all(k.arg for k in node.keywords), f"{where}: placeholders by name only"
                calls.append((where, node.lineno, [b.value for b in branches], {k.arg for k in node.keywords}))
    return calls


CALLS = t_calls()
USED = {key for _, _, keys, _ in CALLS for key in keys}


def test_the_code_uses_the_catalogue():
    assert len(CALLS) > 250 and len(USED) > 250


def test_every_key_used_in_the_code_is_in_english():
    missing = sorted((where, key) for where, _, keys, _ in CALLS for key in keys if key not in STRINGS["en"])
    assert not missing


def test_no_unused_keys():
    assert sorted(set(STRINGS["en"]) - USED) == []


def test_each_call_passes_exactly_the_placeholders_of_its_string():
    wrong = [(where, key, sorted(passed), sorted(placeholders(STRINGS["en"][key])))
             for where, _, keys, passed in CALLS for key in keys if passed != placeholders(STRINGS["en"][key])]
    assert not wrong


def test_every_language_has_english_placeholders_and_no_extra_keys():
    assert set(strings.LANGUAGES) == set(STRINGS) and strings.DEFAULT_LANGUAGE in STRINGS
    for lang, table in STRINGS.items():
        assert not set(table) - set(STRINGS["en"]), lang
        for key, text in table.items():
            assert placeholders(text) == placeholders(STRINGS["en"][key]), (lang, key)


def test_english_strings_are_filled_in():
    assert t("homicide.table", year=2023) == "Table: 2023"
    assert t("ui.data_as_of", date="1 May 2026") == "Data as of 1 May 2026"
    assert t("brief.title", name="Haiti") == "Country brief: Haiti"
    assert t("brief.projects_summary", n=3, name="Haiti", eur="€1,234,567", n_unstated=1) == (
        "The source documents name **3** projects that include Haiti; **€1,234,567** stated in total, full "
        "amounts of regional projects included; **1** state no amount.")
    assert t("present.next") == "Next ▶" and t("data.sign_in") == "Sign in"


def test_a_missing_placeholder_value_is_an_error():
    with pytest.raises(KeyError):
        t("homicide.table")


def test_an_unknown_key_raises():
    with pytest.raises(KeyError, match="homicide.no_such_string"):
        t("homicide.no_such_string")


def test_outside_a_streamlit_run_the_language_is_english():
    assert strings.current_language() == "en"


def test_a_language_lacking_a_key_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(STRINGS, "fr", {"homicide.title": "Taux d'homicide", "homicide.table": "Tableau : {year}"})
    monkeypatch.setattr(strings, "current_language", lambda: "fr")
    assert t("homicide.title") == "Taux d'homicide"
    assert t("homicide.table", year=2020) == "Tableau : 2020"
    assert t("threats.title") == "Threat tiers"  # not translated yet: English
    with pytest.raises(KeyError):
        t("homicide.no_such_string")


def _script():
    import streamlit as st

    from core.strings import t
    st.session_state["lang"] = st.query_params.get("lang", "en")
    st.title(t("homicide.title"))
    st.header(t("homicide.table", year=2020))


@pytest.mark.parametrize("lang, title", [("fr", "Taux d'homicide"), ("de", "Homicide rates"), ("en", "Homicide rates")])
def test_the_session_language_picks_the_strings(monkeypatch, lang, title):
    """st.session_state["lang"] chooses; a key the language lacks, or an unknown language, gives English."""
    monkeypatch.setitem(STRINGS, "fr", {"homicide.title": "Taux d'homicide"})
    at = AppTest.from_function(_script, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value == title
    assert at.header[0].value == "Table: 2020"
