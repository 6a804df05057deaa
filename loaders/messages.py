"""The importer's messages, in one place: a key per message, its English text with str.format placeholders.

Readers and the importer build every message with `say(key, **values)`. The English here is the source of the
catalogue's `import.<key>` strings (core/strings.py adds them to STRINGS["en"]; the .po files translate them).
`say()` returns a `Said`: a `str` holding the English, so the command line, the logs, the files and every
concatenation stay English as before, that also carries its key and values, so that the Data management page
writes it in the reader's language (`core.messages.text`). Values are already written (numbers, dates, the
cell as the user typed it, names quoted with repr); no format specs or conversions here. No Streamlit here.
"""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    # cells (loaders/cells.py)
    "cell.not_a_number": "{typed} is not a number",
    "cell.not_finite": "{typed} is not a finite number",
    "cell.too_large": "{typed} is too large (the limit is {limit})",
    "cell.comma_ambiguous": "{typed} may be {decimal} (decimal comma) or {thousands} (thousands separator): "
                            "type it without the comma, as {decimal} or {thousands}",
    "cell.not_whole": "{typed} is not a whole number",
    "cell.not_a_date": "{typed} is not a date: type it as YYYY-MM-DD (e.g. 2025-06-30) or as an Excel date",
    "cell.no_such_date": "{typed} is not a date of the calendar",
    "cell.date_ambiguous": "{typed} may be {first} or {second}: type it as {first_iso} or {second_iso}",
    "cell.date_not_iso": "{typed} is a date written as text: type it as {iso} (YYYY-MM-DD) or as an Excel date",
    "cell.too_long": "{typed_short} is {length} characters long; the limit is {limit}",
    # KPI template (loaders/kpi_template.py)
    "kpi.header": "the header must be: {columns} (found: {found})",
    "kpi.no_sheet": "the sheet is missing; its header must be: {columns}",
    "kpi.missing": "value is missing (this column may not be empty)",
    "kpi.unknown_kpi": "{typed} not found in kpis.kpi_id: the KPIs are {first} to {last}",
    "kpi.unknown_kpi_suggest": "{typed} not found in kpis.kpi_id: did you mean {suggestion}?",
    "kpi.period_date": "{typed} is a date, not a period: type the period as text, e.g. {year} or {year}-H1 or "
                       "{year}-Q3",
    "kpi.period_format": "period {typed} must match YYYY, YYYY-H1/H2 or YYYY-Q1..Q4 (e.g. 2025, 2025-H1, 2025-Q3)",
    "kpi.period_range": "period {typed} is outside {first}-{last} (the programme runs {start}-{end}; a result cannot "
                        "be for a year after this one)",
    "kpi.unknown_country": "{typed} not found in countries.iso3 (a country's ISO3 code; empty for a regional result)",
    "kpi.unknown_country_suggest": "{typed} not found in countries.iso3: did you mean {suggestion}?",
    "kpi.negative": "value {typed} must be at least 0",
    "kpi.percent_range": "{typed} is {value} percent for {kpi}, which counts a percentage: it must be 0-100",
    "kpi.percent_for_number": "{typed} is formatted as a percent, but {kpi} counts a number: type the number",
    "kpi.unknown_action": "action {goal}.{action} not found in ccss_actions (goal_no, action_no): goal {goal} has "
                          "actions 1-{last}",
    "kpi.unknown_goal": "goal {typed} not found in ccss_actions: the CCSS goals are 1-14",
    "kpi.unknown_status": "status {typed} must be one of: {allowed}",
    "kpi.date_range": "{typed} is outside {first} to {last} (the CCSS dates from 2013; a report cannot be dated after "
                      "today)",
    "kpi.duplicate": "duplicate key: rows {rows} have the same {fields}",
    "kpi.formula": "formula-like cell ({shown}) is not allowed",
    "kpi.formula_no_value": "formula-like cell (a formula) is not allowed",
    "kpi.control": "the cell holds a control character",
    "obi.unknown": "{typed} not found in obis.obi_id: the OBIs are {first} to {last}",
    "obi.unknown_suggest": "{typed} not found in obis.obi_id: did you mean {suggestion}?",
    "obi.value_for_qualitative": "{obi} is qualitative (section 9.2): report it in words in the assessment column, "
                                 "not as a value",
    "obi.value_missing": "value is missing: {obi} is quantitative (section 9.2), so it is reported as a number",
    "obi.assessment_missing": "assessment is missing: {obi} is qualitative (section 9.2), so it is reported in words",
    "obi.assessment_not_asked": "{obi} is quantitative with no assessment in words (section 9.2): leave this empty, "
                                "or put the remark in the note column",
    "obi.date_range": "{typed} is outside {first} to {last} (the programme starts in {start}; a report cannot be "
                      "dated after today)",
    # homicide files
    "rates.year": "year {typed} is not a whole number",
    "rates.value": "value {typed} is not a number",
    "rates.range": "rate {value} is outside 0-{limit} per 100,000",
    "rates.duplicate": "duplicate row: {place} {year} appears more than once",
    "rates.formula": "formula-like cell {shown} is not allowed",
    "file.cut_off": "the file ends in the middle of row {row} (it has {found} of the header's {expected} columns): "
                    "the download or copy was cut off; download the file again",
    "file.short_row": "row has {found} of the header's {expected} columns",
    "file.no_rows": "the file holds no row for the 16 countries or the World / Latin America and the Caribbean "
                    "aggregates, so there is nothing to import",
    "file.no_rows_header_only": "the file holds a header and no data rows, so there is nothing to import",
    "file.no_rows_codes": "the file holds no row for the 16 countries: its codes include {codes}; country codes are "
                          "upper-case ISO3 codes (JAM, TTO, HTI, ...)",
    "file.empty": "the file is empty",
    "file.not_text": "cannot be read as text in UTF-8 or Windows-1252",
    "file.bad_utf16": "marked as UTF-16 text but cannot be read as such",
    "file.binary": "this is neither a text (CSV) file nor an Excel (.xlsx) workbook",
    "file.bad_csv": "not a well-formed CSV file ({detail})",
    "file.cut_off_quoted": "the file ends in the middle of row {row} (inside a quoted field): the download or copy was "
                           "cut off; download the file again",
    "file.unexpected_layout": "cannot be read as a {publisher} file ({layout}): its layout is not the expected one",
    "file.unknown_layout": "cannot be read as any known layout: its layout is not the expected one",
    "file.already_imported": "this file was already imported as {import_id}",
    "file.kind_homicide_not_kpi": "this is a homicide file ({format}), not a kpi file",
    "file.kind_kpi_not_homicide": "this is a kpi file ({format}), not a homicide file",
    "file.too_big": "the file is {size} MB; the limit is {limit} MB",
    "file.too_many_rows": "the file holds more than {limit} rows; this importer takes up to {limit}",
    "owid.unknown_indicator": "the column {column} is not a homicide rate this dashboard knows. Accepted Our World in "
                              "Data columns: {accepted}",
    "owid.not_a_rate": "the column {column} holds {why}, not a homicide rate per 100,000; for homicide rates, "
                       "download Our World in Data's chart 'Homicide rate' (homicide-rate-unodc)",
    "owid.metadata": "this is the metadata (JSON) of an Our World in Data download: import the CSV file, or the "
                     "whole zip, instead",
    "owid.ambiguous": "the column {column} does not say whose homicide figures it holds: choose the series "
                      "({choices}); on the command line, --series ID",
    "owid.series_mismatch": "the column {column} holds {found}, not {chosen}",
    "owid.no_columns": "expected Entity, Code, Year and a value column",
    "owid.bad_column_name": "the value column's name must be plain text (at most 200 characters)",
    "owid.filtered": "this is a 'filtered' download of the chart (each country's latest value only): read as such; "
                     "'Download full data' on the chart's page gives every year",
    "owid.zip_unreadable": "not a readable zip file",
    "owid.zip_damaged": "a part of the zip is damaged (it cannot be decompressed)",
    "owid.zip_members": "the zip holds no Our World in Data CSV file (found: {members})",
    "wdi.indicator": "this World Bank file holds {found}, not VC.IHR.PSRC.P5 (intentional homicides per 100,000 "
                     "people)",
    "wdi.metadata": "this is the World Bank's metadata file from the download's zip ({what}); import the data file "
                    "API_VC.IHR.PSRC.P5_DS2_....csv from the same zip",
    "wdi.no_years": "header has no year columns (1960, 1961, ...)",
    "wdi.no_header": "no header row with Country Code and Indicator Code",
    "wdi.edition": "{typed} is not a date (YYYY-MM-DD)",
    "unodc.no_header": "no header row with Iso3_code and VALUE (or, in the older workbook, UNODC Name and years) in "
                       "the first {rows} rows",
    "unodc.header_lacks": "header lacks column(s): {missing}",
    "unodc.wide_no_rates": "the sheet {sheet} has no block of rates per 100,000 (row 5 names the blocks)",
    # what a reader leaves out (the preview's "Ignored" count)
    "ignored.owid": "entities outside the 16 countries and the World / Latin America and the Caribbean aggregates",
    "ignored.wdi": "country-years outside the 16 countries and the World / Latin America and Caribbean aggregates",
    "ignored.unodc": "rows of other indicators, breakdowns, units or places than the 16 countries' national total rate "
                     "and the World / Latin America and the Caribbean estimates",
    "ignored.unodc_wide": "countries outside the 16; the counts block",
    "format.unrecognised": "unrecognised format: expected a UNODC data portal export, a World Bank WDI CSV, an Our "
                           "World in Data grapher CSV (or its zip), or the dashboard's KPI template",
    "series.unknown": "unknown series {series}: the series are {choices}",
    "edition.bad": "edition {typed} is not a date (YYYY-MM-DD)",
    "edition.none_stated": "The file states no edition date: it counts as of its import ({order}), newer than any "
                           "edition of '{title}' already imported. State its edition if it is older "
                           "(--edition YYYY-MM-DD).",
    "edition.older": "This edition ({order}) is older than the newest edition of '{title}' in the dashboard "
                     "({newest}): its values stay behind the newer ones, listed as other sources.",
    # project edits (loaders/project_edits.py): each message is told at the form's field it names
    "project.id_taken": "{typed} is a project already: edit it, or give the new project another identifier",
    "project.id_unknown": "{typed} is not a project of the dashboard",
    "project.already_retired": "{typed} was retired on {day}; undo that retirement in the import log instead",
    "project.missing": "value is missing (this field may not be empty)",
    "project.retired_future": "value {typed} is after today: a project is retired on or before the day it is entered",
    "project.end_before_start": "value {end} is before the start {start}",
    "project.url": "value {typed} is not a web address (http:// or https://)",
    "project.threat_twice": "threat {typed} is linked twice: link each threat once, with one rationale",
    "project.too_long": "the text is {length} characters long; the limit is {limit}",
    "project.control": "the text holds a control character",
    "project.funding_not_number": "value {typed} is not a number",
    "project.funding_negative": "value {typed} must be at least 0",
    "project.currency": "value {typed} must be one of: {allowed}",
    "project.funding_other_currency": "Amount in {currency} as entered; not converted to euro, so left out of euro "
                                      "totals.",
    "project.publisher_not_stated": "not stated",
    "project.publisher": "Dashboard editors (Data management page)",
    "project.title_add": "Project {project} added",
    "project.title_edit": "Project {project} edited",
    "project.title_retire": "Project {project} retired",
    "project.rows_removed": "{n} row(s) of the project's countries or threat links are taken out by this change.",
    "project.changed_meanwhile": "project {project} changed since this preview (another editor's change was applied): "
                                 "review the change again",
    "undo.later_edits": "{import_id} cannot be undone while later changes of the same project are applied ({later}): "
                        "undo those first",
}


PREFIX = "import."  # the messages' keys in the interface's catalogue (core/strings.py): import.cell.not_a_number


class Said(str):
    """A message as `say()` writes it: the English `str` itself (equal to it, printed, logged, concatenated as
    it), with `key` (the catalogue's, "import.<key>") and `values`, for `core.messages.text` to write it in the
    reader's language. What is built from it (f-strings, +, str()) is a plain English str."""

    key: str
    values: dict

    def __new__(cls, key: str, /, **values) -> "Said":
        said = super().__new__(cls, MESSAGES[key].format(**values))
        said.key, said.values = PREFIX + key, values
        return said

    def __reduce__(self):  # pickled (copied, cached) with its key and values, not as the bare English
        return _said, (self.key[len(PREFIX):], self.values)


def _said(key: str, values: dict) -> Said:
    return Said(key, **values)


def say(key: str, /, **values) -> Said:
    """The message `key` with its placeholders filled (a key missing from the catalogue is a programming error)."""
    return Said(key, **values)
