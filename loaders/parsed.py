"""What a reader makes of a file (`Parsed`), and how it refuses one (`ImportRejected`, `SeriesNeeded`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from loaders.validate import Problem


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class SeriesNeeded(ImportRejected):
    """The file's value column does not say whose figures it holds: the editor must choose among `choices`."""

    def __init__(self, problem: Problem, column: str, choices: tuple[str, ...]):
        self.column, self.choices = column, choices
        super().__init__([problem])


def reject(file: str, line: int | None, column: str | None, message: str) -> ImportRejected:
    return ImportRejected([Problem(file, line, column, message)])


@dataclass
class Parsed:
    kind: str  # homicide | kpi
    format: str  # unodc | wdi | owid | kpi_template: the publisher's family of layouts
    publisher: str
    title: str
    edition: str  # the edition as the file states it ("08/08/2022", "2024-02-21"); "" when it states none
    year: int | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # normalized rows, with a 'line' column
    ignored: int = 0  # rows outside the 16 countries / other indicators
    ignored_note: str = ""
    layout: str = ""  # the declared layout it was read as (loaders/layouts.py)
    series_id: str = ""  # homicide: the series (loaders/series.py) the file is an edition of
    edition_date: str = ""  # the edition as a date, YYYY-MM-DD, when the file states one
    edition_ref: str = ""  # where the file states its edition (the layout's declaration), or that it does not
    notes: list[str] = field(default_factory=list)  # what the preview must say about how the file was read

    @property
    def rows(self) -> int:
        return sum(len(t) for t in self.tables.values())
