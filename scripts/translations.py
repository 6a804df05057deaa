"""The translation catalogues: English source (core/strings.py) -> gettext template -> one .po per language.

    python -m scripts.translations extract   # locales/dashboard.pot from STRINGS["en"]
    python -m scripts.translations update    # extract, then merge into locales/<lang>/LC_MESSAGES/dashboard.po
    python -m scripts.translations check     # every key translated from the current English, same placeholders
                                             # and markup; exits 1 and lists what is wrong otherwise

Each entry's msgctxt is the string's key, its msgid the English, its msgstr the translation; `#:` names the files
that use the key, `#.` lists what must survive translation (placeholders, markup). When the English of a key
changes, `update` keeps the old translation marked fuzzy, with the English it was made from in a `#.` comment,
for the translator to review; the app ignores a fuzzy entry and shows the English until then. A key that is gone is
dropped; a new key whose English a removed key had gets that translation, fuzzy. There is no compile step:
the app reads the .po files themselves (core/strings.py), so what the translator saved is what runs.
Uses Babel's catalogue reader and writer (babel.messages), not the pybabel command.
"""
from __future__ import annotations

import argparse
import ast
import io
import re
import string
import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from core.strings import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALES_DIR, STRINGS, po_path
from loaders.messages import PREFIX as IMPORT_PREFIX

ROOT = Path(__file__).resolve().parents[1]
POT_PATH = LOCALES_DIR / f"{DOMAIN}.pot"
PROJECT = "Caribbean Security Cooperation Dashboard"
# Markup a translation must keep exactly as in English: Plotly's tags and Markdown's bold and paragraph breaks.
MARKUP = re.compile(r"</?b>|<br>|</?i>|\*\*|\n\n|\n")
HEADER = {
    None: "# {project}: the interface's strings in English (template).",
    "es": "# {project}: the interface in Spanish.",
    "fr": "# {project}: the interface in French.",
}
HEADER_NOTE = """
#
# msgctxt is the string's key (the #: lines say where it is used), msgid the English, msgstr the
# translation. Read locales/README.md first: the terms the region's institutions use, what stays
# in English, and the placeholders ({name}) and markup (<b>, <br>, **) to keep exactly as they are.
# After editing: python -m scripts.translations check
#"""
TEAM = {"es": "Spanish <dashboard team>", "fr": "French <dashboard team>"}


def placeholders(text: str) -> set[str]:
    """The str.format field names of a string."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def markup(text: str) -> list[str]:
    return sorted(MARKUP.findall(text))


# Calls whose first argument is a catalogue key: t("key"), Message("key"); say("key") and Refused("key")
# (loaders/: the importers' messages, loaders/messages.py) name the key without its "import." prefix.
KEY_CALLS = {"t": "", "Message": "", "say": IMPORT_PREFIX, "Refused": IMPORT_PREFIX}


def key_locations() -> dict[str, list[str]]:
    """key -> the files whose t(...), Message(...), say(...) or Refused(...) calls use it (for translators' context)."""
    sources = [ROOT / "dashboard.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "core").rglob("*.py")),
               *sorted((ROOT / "loaders").rglob("*.py"))]
    found: dict[str, list[str]] = defaultdict(list)
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEY_CALLS and node.args:
                prefix = KEY_CALLS[node.func.id]
                first = node.args[0]
                for branch in ([first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]):
                    if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                        where = path.relative_to(ROOT).as_posix()
                        if where not in found[prefix + branch.value]:
                            found[prefix + branch.value].append(where)
    return found


def notes(text: str) -> list[str]:
    """What a translator must keep from the English."""
    out = []
    if placeholders(text):
        out.append("Placeholders: " + ", ".join("{" + p + "}" for p in sorted(placeholders(text))))
    if markup(text):
        kinds = sorted({m.replace("\n", "line break") for m in markup(text)})
        out.append("Keep the markup: " + ", ".join(kinds))
    return out


def template() -> Catalog:
    """The template: every English string, keyed by its msgctxt."""
    catalog = Catalog(domain=DOMAIN, project=PROJECT, version="1", msgid_bugs_address="", charset="utf-8",
                      header_comment=HEADER[None].format(project=PROJECT) + HEADER_NOTE, fuzzy=False)
    locations = key_locations()
    for key, text in STRINGS[DEFAULT_LANGUAGE].items():
        catalog.add(text, "", locations=[(where, None) for where in locations.get(key, [])],
                    auto_comments=notes(text), context=key)
    return catalog


def read(path: Path) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, ignore_obsolete=True)


def merged(lang: str, source: Catalog, old: Catalog | None) -> Catalog:
    """`source` with the translations of `old` carried over: same key and English as they were; same key with
    new English, or a removed key's translation of the same English, fuzzy (with the previous English)."""
    catalog = Catalog(locale=lang, domain=DOMAIN, project=PROJECT, version="1", msgid_bugs_address="",
                      charset="utf-8", fuzzy=False, last_translator=TEAM.get(lang, ""), language_team=TEAM.get(lang, ""),
                      header_comment=HEADER.get(lang, "# {project}: " + lang).format(project=PROJECT) + HEADER_NOTE)
    previous = {m.context: m for m in old if m.id} if old is not None else {}
    by_english = {m.id: m for m in previous.values() if m.string and m.context not in STRINGS[DEFAULT_LANGUAGE]}
    for message in source:
        if not message.id:
            continue
        was = previous.get(message.context)
        flags, string_, english_before, comments = set(), "", None, []
        if was is not None and was.string:
            string_, comments = was.string, list(was.user_comments)
            if was.id != message.id:  # the English changed: keep the translation for review, with the old English
                flags, english_before = {"fuzzy"}, (previous_english(was) if was.fuzzy else None) or was.id
            elif was.fuzzy:
                flags, english_before = {"fuzzy"}, previous_english(was)
        elif message.id in by_english:
            string_, flags = by_english[message.id].string, {"fuzzy"}
        notes_ = list(message.auto_comments) + ([PREVIOUS + english_before] if english_before else [])
        catalog.add(message.id, string_, locations=message.locations, flags=flags, auto_comments=notes_,
                    user_comments=comments, context=message.context)
    return catalog


# The English a fuzzy translation was made from, for its reviewer. Kept as a comment (#.), not as gettext's
# "#| msgid": Babel writes a wrapped "#| msgid" that it cannot read back.
PREVIOUS = "Translated from the previous English: "


def previous_english(message) -> str | None:
    """The previous English recorded on a fuzzy entry (its comment lines joined), if any."""
    lines = list(message.auto_comments)
    for i, line in enumerate(lines):
        if line.startswith(PREVIOUS.strip()):
            return " ".join([line[len(PREVIOUS):].strip(), *[rest.strip() for rest in lines[i + 1:]]]).strip()
    return None


def po_text(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False)
    return buffer.getvalue()


_DATES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.M)


def save(path: Path, text: bytes) -> bool:
    """Write `text` unless only its dates differ from the file's (no churn in version control)."""
    if path.exists() and _DATES.sub(b"", path.read_bytes()) == _DATES.sub(b"", text):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    return True


def extract() -> Catalog:
    source = template()
    print(f"{POT_PATH.relative_to(ROOT)}: {len(STRINGS[DEFAULT_LANGUAGE])} strings"
          + ("" if save(POT_PATH, po_text(source)) else " (unchanged)"))
    return source


def update() -> None:
    source = extract()
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        catalog = merged(lang, source, read(po_path(lang)))
        written = save(po_path(lang), po_text(catalog))
        untranslated = sum(1 for m in catalog if m.id and not m.string)
        fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
        print(f"{po_path(lang).relative_to(ROOT)}: {untranslated} untranslated, {fuzzy} fuzzy"
              + ("" if written else " (unchanged)"))


def problems(lang: str) -> list[str]:
    """What keeps `lang` from showing every string translated: missing, fuzzy, out of date, or a translation
    whose placeholders or markup differ from the English."""
    catalog = read(po_path(lang))
    if catalog is None:
        return [f"{lang}: no file {po_path(lang).relative_to(ROOT)}"]
    english = STRINGS[DEFAULT_LANGUAGE]
    entries = {m.context: m for m in catalog if m.id}
    found = []
    for key, text in english.items():
        entry = entries.get(key)
        if entry is None or not entry.string:
            found.append(f"{lang} {key}: not translated")
        elif entry.id != text:
            found.append(f"{lang} {key}: translated from older English (run update)")
        elif entry.fuzzy:
            found.append(f"{lang} {key}: fuzzy (English changed: review, then remove the fuzzy flag)")
        else:
            if placeholders(entry.string) != placeholders(text):
                found.append(f"{lang} {key}: placeholders {sorted(placeholders(entry.string))}, "
                             f"English has {sorted(placeholders(text))}")
            if markup(entry.string) != markup(text):
                found.append(f"{lang} {key}: markup {markup(entry.string)}, English has {markup(text)}")
    found += [f"{lang} {key}: no such key in English (run update)" for key in entries if key not in english]
    return found


def check() -> int:
    found = [p for lang in LANGUAGES if lang != DEFAULT_LANGUAGE for p in problems(lang)]
    for line in found:
        print(line)
    total = len(STRINGS[DEFAULT_LANGUAGE])
    print(f"{total} strings; " + ", ".join(f"{lang}: {sum(1 for p in found if p.startswith(lang + ' '))} problems"
                                           for lang in LANGUAGES if lang != DEFAULT_LANGUAGE))
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "update", "check"])
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract()
    elif args.command == "update":
        update()
    else:
        return check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
