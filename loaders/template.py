"""The Excel template for KPI results, CCSS action statuses and OBI results, with the valid values listed."""
from __future__ import annotations

import io

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from loaders.formats import KPI_COLUMNS, STATUS_COLUMNS
from loaders.kpi_template import OBI_COLUMNS, OBI_SHEET
from loaders.tables import ACTION_STATUSES

HELP = {
    "kpi_id": "KPI1 ... KPI13 (see the lists sheet)",
    "period": "2025, 2025-H1 or 2025-Q3",
    "iso3": "country code, empty for a regional result",
    "breakdown": "'total', or a disaggregation such as 'gender: female' (see the lists sheet)",
    "value": "the reported result (a number, 0 or more)",
    "target": "the target for the period, if any",
    "note": "free text",
    "goal_no": "CCSS strategic goal 1-14",
    "action_no": "action number within the goal (see the lists sheet)",
    "status": ", ".join(ACTION_STATUSES),
    "as_of": "date of the report, YYYY-MM-DD",
    "obi_id": "OBI1 ... OBI12 (obi_results sheet; see the lists sheet for which are reported as a number, in words, "
              "or both)",
    "unit": "obi_results: what the value counts, e.g. 'percent of stakeholders' (a percent cell is read as percent)",
    "baseline": "obi_results: the baseline the value is read against, if any",
    "assessment": "obi_results: the assessment in words (qualitative OBIs, and those complemented by one)",
}


def template_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """Build the template from the database's KPIs, countries and actions."""
    book = Workbook()
    kpi_sheet = book.active
    kpi_sheet.title = "kpi_results"
    status_sheet = book.create_sheet("action_status")
    obi_sheet = book.create_sheet(OBI_SHEET)
    lists = book.create_sheet("lists")
    for sheet, columns in ((kpi_sheet, KPI_COLUMNS), (status_sheet, STATUS_COLUMNS), (obi_sheet, OBI_COLUMNS)):
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = 22
    kpis = con.execute("SELECT kpi_id, title, disaggregation FROM kpis ORDER BY length(kpi_id), kpi_id").fetchall()
    countries = con.execute("SELECT iso3, name FROM countries ORDER BY name").fetchall()
    actions = con.execute("SELECT goal_no, action_no, action FROM ccss_actions ORDER BY goal_no, action_no").fetchall()
    obis = con.execute("""SELECT obi_id, title, CASE WHEN kind = 'qualitative' THEN 'in words (assessment)'
                                                     WHEN assessment THEN 'a number (value) and words (assessment)'
                                                     ELSE 'a number (value)' END
                          FROM obis ORDER BY CAST(substr(obi_id, 4) AS INTEGER)""").fetchall()
    lists.append(["column", "what to enter"])
    for column, text in HELP.items():
        lists.append([column, text])
    lists.append([])
    lists.append(["kpi_id", "title", "disaggregations (breakdown values: 'name: value')"])
    for row in kpis:
        lists.append(list(row))
    lists.append([])
    lists.append(["iso3", "country"])
    for row in countries:
        lists.append(list(row))
    lists.append([])
    lists.append(["status"])
    for status in ACTION_STATUSES:
        lists.append([status])
    lists.append([])
    lists.append(["goal_no", "action_no", "action"])
    for row in actions:
        lists.append(list(row))
    lists.append([])
    lists.append(["obi_id", "title", "reported as"])
    for row in obis:
        lists.append(list(row))
    for cell in lists["A"]:
        if cell.value in ("column", "kpi_id", "iso3", "status", "goal_no", "obi_id"):
            for c in lists[cell.row]:
                c.font = Font(bold=True)
    lists.column_dimensions["A"].width = 14
    lists.column_dimensions["B"].width = 60
    lists.column_dimensions["C"].width = 60
    kpi_ids = ",".join(k for k, _, _ in kpis)
    kpi_check = DataValidation(type="list", formula1=f'"{kpi_ids}"', allow_blank=False)
    status_check = DataValidation(type="list", formula1=f'"{",".join(ACTION_STATUSES)}"', allow_blank=False)
    obi_check = DataValidation(type="list", formula1=f'"{",".join(o for o, _, _ in obis)}"', allow_blank=False)
    kpi_sheet.add_data_validation(kpi_check)
    status_sheet.add_data_validation(status_check)
    obi_sheet.add_data_validation(obi_check)
    kpi_check.add("A2:A5000")
    status_check.add("C2:C5000")
    obi_check.add("A2:A5000")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
