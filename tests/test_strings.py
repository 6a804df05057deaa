"""The string catalogue (core/strings.py): every key the code uses exists, none is unused, placeholders agree,
no format spec in a placeholder; the language in force picks the translation, and English shows where a
translation is missing, fuzzy or made from older English. (The catalogues themselves: test_translations.py.)"""
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
SOURCES = sorted([ROOT / "dashboard.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "core").rglob("*.py"),
                  *(ROOT / "loaders").rglob("*.py")])


def placeholders(text: str) -> set[str]:
    """The str.format field names of a string ("{date:%d %B %Y}" -> "date")."""
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def t_calls() -> list[tuple[str, int, list[str], set[str]]]:
    """Every t(...) and Message(...) call in the code: file, line, the key(s) it may use, the placeholders it passes."""
    calls = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # t("key", ...) writes a string now; Message("key", ...) (core/messages.py) writes it later.
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("t", "Message"):
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
    assert sorted(set(STRINGS["en"]) - USED - IMPORT_KEYS) == []  # the importers' messages: below


# --- the importers' messages (loaders/messages.py): in the catalogue as import.<key>, said with say(key) ---

from loaders.messages import MESSAGES, PREFIX, Said, say  # noqa: E402

IMPORT_KEYS = {PREFIX + key for key in MESSAGES}
LOADERS = [path for path in sorted((ROOT / "loaders").glob("*.py")) if path.name != "messages.py"]


def say_calls() -> list[tuple[str, str | None, set[str] | None]]:
    """Every say(...) call in loaders/: where, its key (None when not a literal), the names it passes (None when
    it spreads a dict)."""
    calls = []
    for path in LOADERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "say":
                first = node.args[0]
                key = first.value if isinstance(first, ast.Constant) else None
                names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", key, names))
    return calls


def test_the_importers_messages_are_in_the_catalogue():
    assert {key: STRINGS["en"][key] for key in IMPORT_KEYS} == {PREFIX + k: v for k, v in MESSAGES.items()}
    assert len(MESSAGES) > 60


def test_every_importer_message_is_said_and_every_said_key_exists():
    """Each message is named in loaders/ (say("key"), Refused("key"), row.problem(column, "key"), a choice of
    keys); each literal say() names a message and passes exactly its placeholders."""
    literals = {node.value for path in LOADERS for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert sorted(set(MESSAGES) - literals) == []
    calls = say_calls()
    assert len(calls) > 50
    assert [(where, key) for where, key, _ in calls if key is not None and key not in MESSAGES] == []
    wrong = [(where, key, sorted(names), sorted(placeholders(MESSAGES[key]))) for where, key, names in calls
             if key is not None and names is not None and names != placeholders(MESSAGES[key])]
    assert wrong == []


def test_a_said_message_is_the_english_str_and_the_page_writes_it_in_the_readers_language():
    import copy
    import pickle

    from core.messages import text
    from loaders.validate import Problem
    said = say("file.too_big", size="70", limit="64")
    english = "the file is 70 MB; the limit is 64 MB"
    # Everywhere a str goes today (the command line, logs, files, comparisons, concatenation): the English.
    assert said == english and isinstance(said, str) and hash(said) == hash(english)
    assert str(said) == english and type(str(said)) is str and f"{said}!" == english + "!" and said + "." == english + "."
    assert str(Problem("x.csv", None, None, said)) == "x.csv: " + english
    assert (said.key, said.values) == ("import.file.too_big", {"size": "70", "limit": "64"})
    for copied in (pickle.loads(pickle.dumps(said)), copy.deepcopy(said)):
        assert isinstance(copied, Said) and copied == english and copied.key == said.key
    assert text(said) == english
    with strings.language("es"):
        assert text(said) == "el archivo ocupa 70\u00a0MB; el límite es 64\u00a0MB"
        assert str(said) == english  # str() stays English: the command line and the logs
    with strings.language("fr"):
        assert text(said) == "le fichier fait 70\u00a0Mo\u202f; la limite est de 64\u00a0Mo"
        assert text(say("owid.ambiguous", column="'x'", choices="a, b")).startswith("la colonne 'x' ne dit pas")


def test_a_refused_file_is_told_in_the_readers_language():
    """A real refusal (an importer's Problem) as the Data management page writes it."""
    from core.messages import text
    from loaders import formats
    with pytest.raises(formats.ImportRejected) as refused:
        formats.parse(b"\x00\x01binary" * 10, "x.csv")
    problem = refused.value.problems[0]
    assert str(problem) == "x.csv: this is neither a text (CSV) file nor an Excel (.xlsx) workbook"
    with strings.language("es"):
        assert text(problem.message) == "no es un archivo de texto (CSV) ni un libro de Excel (.xlsx)"


def test_each_call_passes_exactly_the_placeholders_of_its_string():
    wrong = [(where, key, sorted(passed), sorted(placeholders(STRINGS["en"][key])))
             for where, _, keys, passed in CALLS for key in keys if passed != placeholders(STRINGS["en"][key])]
    assert not wrong


def test_no_placeholder_carries_a_format_spec():
    """Numbers and dates arrive written by core/format.py in the reader's language, never formatted by a string."""
    specs = [(key, text) for key, text in STRINGS["en"].items()
             if any(spec or conversion for _, field, spec, conversion in string.Formatter().parse(text)
                    if field is not None)]
    assert specs == []


def test_english_is_the_only_catalogue_in_code():
    assert set(STRINGS) == {strings.DEFAULT_LANGUAGE} and set(strings.LANGUAGES) == {"en", "es", "fr"}


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


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgctxt "homicide.title"
msgid "Homicide rates"
msgstr "Taux d'homicides"

msgctxt "homicide.table"
msgid "Table: {year}"
msgstr "Tableau : {year}"

#, fuzzy
msgctxt "threats.title"
msgid "Threat tiers"
msgstr "Niveaux (à revoir)"

msgctxt "projects.title"
msgid "Donor projects, as they were"
msgstr "Projets (ancienne version)"
"""


@pytest.fixture
def french_only_partly(tmp_path, monkeypatch):
    """A French catalogue with two entries translated, one fuzzy, one translated from older English."""
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "dashboard.po").write_text(PO, encoding="utf-8")
    monkeypatch.setattr(strings, "LOCALES_DIR", tmp_path)
    strings.translations.cache_clear()
    yield
    strings.translations.cache_clear()


def test_a_language_lacking_a_key_falls_back_to_english(french_only_partly):
    with strings.language("fr"):
        assert strings.current_language() == "fr"
        assert t("homicide.title") == "Taux d'homicides"
        assert t("homicide.table", year=2020) == "Tableau : 2020"
        assert t("kpi.title") == "KPI progress"  # not in the file: English
        assert t("threats.title") == "Threat tiers"  # fuzzy: not used until reviewed
        assert t("projects.title") == "Donor projects"  # made from older English: not used
        with pytest.raises(KeyError):
            t("homicide.no_such_string")
    assert t("homicide.title") == "Homicide rates"


def test_a_language_block_sets_the_numbers_too():
    from core import format as fmt
    with strings.language("es"):
        assert fmt.rate(41.15) == "41,2" and fmt.day(dt.date(2026, 11, 22)) == "22 de noviembre de 2026"
    with strings.language("fr"):
        assert fmt.number(1234.5, 1) == "1\u202f234,5" and fmt.eur_short(216.4e6) == "216,4\u00a0M\u00a0€"
    with strings.language("xx"):  # unknown: English
        assert strings.current_language() == "en" and fmt.rate(41.15) == "41.2"
    assert fmt.eur(18_400_000) == "€18,400,000"


def test_lang_param_is_empty_for_english():
    assert strings.lang_param() == {}
    with strings.language("es"):
        assert strings.lang_param() == {"lang": "es"}


def _script():
    import streamlit as st

    from core.strings import t
    st.session_state["lang"] = st.query_params.get("lang", "en")
    st.title(t("homicide.title"))
    st.header(t("homicide.table", year=2020))


@pytest.mark.parametrize("lang, title, header", [("fr", "Taux d'homicides", "Tableau : 2020"),
                                                 ("de", "Homicide rates", "Table: 2020"),
                                                 ("en", "Homicide rates", "Table: 2020")])
def test_the_session_language_picks_the_strings(french_only_partly, lang, title, header):
    """st.session_state["lang"] chooses; an unknown language gives English."""
    at = AppTest.from_function(_script, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert at.title[0].value == title
    assert at.header[0].value == header


def test_a_message_is_written_later_in_the_readers_language():
    """core/messages.py: what loaders/ will raise, shown by the page in the reader's language."""
    from core.messages import Message, text
    busy = Message("data.busy")
    wait = Message("data.sign_in_wait", seconds=30)
    assert str(wait) == "Too soon after a failed sign-in: wait 30 s, then try again."
    with strings.language("es"):
        assert text(wait) == "Demasiado pronto tras un intento fallido: espere 30 s y vuelva a intentarlo."
        assert str(busy).startswith("Another import")  # str() is the English, for logs and the command line
        assert text("a plain message") == "a plain message"  # not yet moved to a key: shown as it is
    assert Message("data.busy") == busy and hash(Message("data.sign_in_wait", seconds=30)) == hash(wait)
