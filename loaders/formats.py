"""Read a downloaded file into normalized rows: recognise its layout (loaders/layouts.py), read it with
that layout's reader, name every problem by file, row and column.

The readers, one module per publisher: loaders/unodc.py, loaders/wdi.py, loaders/owid.py,
loaders/kpi_template.py; what they share: loaders/rates.py (streamed text, the checks on rate rows),
loaders/cells.py (numbers, dates and text as people type them). The series a homicide file is an
edition of: loaders/series.py. Messages: loaders/messages.py.

What a file unpacks to is bounded (rows, cells, bytes, time: `loaders.xlsx` for workbooks,
`rates.MAX_TEXT_ROWS` for text, MAX_BYTES for any file), and every reader's failure becomes a message
naming the file. Text is data: a cell that a spreadsheet would run as a formula is refused, whatever
whitespace precedes it.
"""
from __future__ import annotations

import csv
import logging

from loaders import layouts
from loaders.kpi_template import KPI_COLUMNS, STATUS_COLUMNS  # noqa: F401  (the template and tests use them)
from loaders.layouts import UNODC_2022 as _UNODC_2022
from loaders.messages import say
from loaders.parsed import ImportRejected, Parsed, SeriesNeeded, reject  # noqa: F401  (the importer's names)
from loaders.reference import Reference

log = logging.getLogger("dashboard.formats")

# A full UNODC CSV export is close to 20 MB and grows every year; its .xlsx is 3-8 MB. Every text file is read
# as a stream (only the kept rows are held), so the limit is the upload's own size in memory.
MAX_BYTES = 64 * 2**20
UNODC_HEADER = list(_UNODC_2022)
FORMATS = {"unodc": "UNODC data portal export", "wdi": "World Bank WDI CSV", "owid": "Our World in Data grapher CSV",
           "kpi_template": "KPI template"}


def parse(data: bytes, file: str, series: str | None = None, reference: Reference | None = None) -> Parsed:
    """Recognise and read `data`; `series`: the editor's choice for a file whose column names no series."""
    if not data.strip():
        raise reject(file, None, None, say("file.empty"))
    if len(data) > MAX_BYTES:
        raise reject(file, None, None, say("file.too_big", size=f"{len(data) / 2**20:.0f}",
                                           limit=f"{MAX_BYTES // 2**20}"))
    layout = None
    try:
        layout, sheet = layouts.recognise(data, file)
        parsed = layout.read(data, file, sheet, {"series": series, "reference": reference})
        parsed.edition_ref = f"edition from {layout.edition}" if parsed.edition_date else "no edition stated in the file"
        return parsed
    except ImportRejected:
        raise
    except csv.Error as exc:
        raise reject(file, None, None, say("file.bad_csv", detail=str(exc))) from exc
    except UnicodeDecodeError as exc:
        raise reject(file, None, None, say("file.not_text")) from exc
    except Exception as exc:  # a layout the readers did not foresee: say so, keep the details for the log
        log.warning("unexpected error reading %r as %s", file, layout.name if layout else "?", exc_info=True)
        said = (say("file.unexpected_layout", publisher=layout.publisher, layout=layout.name) if layout
                else say("file.unknown_layout"))
        raise reject(file, None, None, said) from exc
