"""A message to be written later, in the reader's language: its catalogue key and values (core/strings.py).

Code that runs outside the pages (loaders/: the importers' checks, the command line) says what went wrong
without choosing a language: `Message("import.unknown_kpi", kpi="KPI99")`, its English in STRINGS["en"] like any
other string. A page shows it with `text(message)` in the reader's language; `str(message)` is the English
(logs, the command line, files). Plain strings pass through `text` unchanged, so the importers' messages can
move to keys one at a time. The importers' own messages (loaders/messages.py say(): an English str that carries
its key and values) are written the same way. No Streamlit here: the catalogue is imported only when a message is written.
"""
from __future__ import annotations

from dataclasses import dataclass

from loaders.messages import Said


@dataclass(frozen=True, init=False)
class Message:
    key: str
    values: tuple[tuple[str, object], ...]

    def __init__(self, key: str, /, **values: object):
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", tuple(sorted(values.items())))

    def __str__(self) -> str:
        from core.strings import DEFAULT_LANGUAGE, language
        with language(DEFAULT_LANGUAGE):
            return text(self)


def text(message: Message | Said | str) -> str:
    """The message in the language in force: a Message, or an importer's message (loaders.messages.say), from the
    catalogue; a plain string as it is."""
    if isinstance(message, Message):
        from core import strings  # its keys are checked where each Message(...) is made (tests/test_strings.py)
        return strings.t(message.key, **dict(message.values))
    if isinstance(message, Said):
        from core import strings
        return strings.t(message.key, **message.values)
    return str(message)
