"""Hostile and broken files: refused with a message naming the file, quickly, within memory, nothing written.

Workbooks are written here by streaming XML into a zip (no openpyxl), so that a sheet of millions
of rows takes seconds to make, and so that the broken ones can be broken exactly where wanted.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from loaders import importer
from loaders.formats import ImportRejected
from tests.test_importer import env, kpi_xlsx, owid_csv, snapshot  # noqa: F401  (env: a fixture)

ROOT = Path(__file__).resolve().parents[1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def write_xlsx(target, sheets: dict[str, object], dimension: str = "A1") -> None:
    """A minimal workbook; each sheet's rows come as an iterable of XML strings (or a whole part as bytes)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>' + "".join(
                       f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{kind}.worksheet+xml"/>'
                       for i in range(len(sheets))) + "</Types>")
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        names = list(sheets)
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} {REL_NS}><sheets>' + "".join(
            f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
            + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">' + "".join(
                       f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
                   + "</Relationships>")
        for i, rows in enumerate(sheets.values()):
            if isinstance(rows, bytes):
                z.writestr(f"xl/worksheets/sheet{i + 1}.xml", rows)
                continue
            with z.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0"?><worksheet {NS}><dimension ref="{dimension}"/><sheetData>'.encode())
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 10_000:
                        part.write("".join(batch).encode())
                        batch.clear()
                part.write(("".join(batch) + "</sheetData></worksheet>").encode())


def text_row(n: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{n}">{cells}</row>'


def refused(env, data: bytes, name: str, kind: str = "homicide") -> list[str]:
    before = snapshot(env)
    with pytest.raises(ImportRejected) as rejected:
        importer.plan(data, name, kind, **env)
    assert snapshot(env) == before
    return [str(p) for p in rejected.value.problems]


# --- resource limits -------------------------------------------------------------------------------

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from loaders import importer
from loaders.build import CURATED_DIR
data = Path(sys.argv[1]).read_bytes()
started = time.perf_counter()
try:
    importer.plan(data, "cts.xlsx", "homicide", Path(sys.argv[2]), CURATED_DIR, Path(sys.argv[3]))
    outcome = "accepted"
except importer.formats.ImportRejected as exc:
    outcome = str(exc)
# This process's own peak: VmHWM. (getrusage's ru_maxrss survives exec on Linux, so a child of a large
# pytest process would report the parent's peak.)
status = Path("/proc/self/status")
peak_kb = (int(next(l for l in status.read_text().splitlines() if l.startswith("VmHWM")).split()[1])
           if status.exists() else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome, "max_rss_mb": peak_kb / 1024}))
"""


def test_four_million_row_sheet_is_refused_in_seconds_within_memory(env, tmp_path):
    """Finding 4: a workbook under the size limit whose sheet holds 4,000,000 rows (under a UNODC header, so that
    it is recognised and read)."""
    big = tmp_path / "cts.xlsx"
    header = text_row(3, importer.formats.UNODC_HEADER)
    rows = (header if n == 3 else f'<row r="{n}"><c r="A{n}"><v>{n % 10}</v></c></row>' for n in range(1, 4_000_001))
    write_xlsx(big, {"data": rows}, dimension="A1:A4000000")
    result = subprocess.run([sys.executable, "-c", MEASURE, str(big), str(env["imports_dir"]), str(env["db_path"])],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\n{big.stat().st_size / 2**20:.1f} MB xlsx, 4,000,000 rows: {figures}")
    assert "the sheet holds more than 200,000 rows; this importer takes up to 200,000" in figures["outcome"]
    assert figures["outcome"].startswith("cts.xlsx")
    assert figures["seconds"] < 10 and figures["max_rss_mb"] < 300


def test_zip_bomb_is_refused_by_its_compression_ratio(env):
    sheet = (f'<?xml version="1.0"?><worksheet {NS}><sheetData>' + " " * 50_000_000 + "</sheetData></worksheet>")
    buffer = io.BytesIO()
    write_xlsx(buffer, {"data": sheet.encode()})
    assert len(buffer.getvalue()) < 1_000_000
    messages = refused(env, buffer.getvalue(), "bomb.xlsx")
    assert messages[0].startswith("bomb.xlsx: ") and "zip bomb" in messages[0], messages


def test_sheet_reader_ignores_the_declared_dimension(env):
    """The rows are read from the XML: a sheet that declares 'A1' still gives all its rows."""
    buffer = io.BytesIO()
    header = importer.formats.UNODC_HEADER
    row = ["JAM", "Jamaica", "Americas", "Caribbean", "Victims of intentional homicide", "Total", "Total", "Total",
           "Total", "2041", "Rate per 100,000 population", "41.5", "CTS"]
    write_xlsx(buffer, {"data": [text_row(1, ["UNODC Data Portal"]), text_row(3, header), text_row(4, row)]})
    plan = importer.plan(buffer.getvalue(), "cts.xlsx", "homicide", **env)
    assert plan.added == 1 and list(plan.tables["homicide_rates"]["line"]) == [4]


# --- broken and hostile workbooks ------------------------------------------------------------------

def valid_workbook() -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, {"data": [text_row(n, ["x" * 50, str(n)]) for n in range(1, 3000)]})
    return buffer.getvalue()


def corrupt_deflate() -> bytes:
    data = bytearray(valid_workbook())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 200, start + 260):
        data[i] ^= 0x5A
    return bytes(data)


def sheet_part(xml: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, {"data": xml.encode()})
    return buffer.getvalue()


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
          f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
          '</sheetData></worksheet>')
XXE = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
       '</sheetData></worksheet>')

BROKEN = {
    "corrupt deflate stream": (corrupt_deflate, "damaged"),
    "truncated sheet XML": (lambda: sheet_part(f'<?xml version="1.0"?><worksheet {NS}><sheetData><row r="1"><c r='),
                            "not well-formed XML"),
    "entity expansion": (lambda: sheet_part(LAUGHS), "declares a DTD"),
    "external entity": (lambda: sheet_part(XXE), "declares a DTD"),
    "not a zip at all": (lambda: b"PK\x03\x04" + os.urandom(3000), "zip container is damaged"),
    "cell beyond the columns": (lambda: sheet_part(f'<worksheet {NS}><sheetData><row r="1"><c r="XFD1"><v>1</v>'
                                                   '</c></row></sheetData></worksheet>'), "beyond column 100"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_workbook_is_refused_with_a_message_naming_the_file(env, case):
    """Finding 5: zlib.error, ParseError and the like become messages."""
    make, words = BROKEN[case]
    messages = refused(env, make(), "stats.xlsx")
    assert messages[0].startswith("stats.xlsx") and words in messages[0], messages


# --- names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,words", [
    ("..", "may not be '.' or '..'"), ("", "has no name"), ("   ", "has no name"),
    ("a\x00b.csv", "control characters"), ("a\nb.csv", "control characters"),
    ("x" * 300 + ".csv", "the file name is 304 characters long; the limit is 150"),
    ("../../etc/passwd", "may not be"),
])
def test_unsafe_upload_names_are_refused_with_a_message(env, name, words):
    messages = refused(env, owid_csv([("Jamaica", "JAM", 2042, 40.0)]), name)
    assert any(words in m for m in messages), messages


def test_upload_is_stored_under_a_generated_name_and_shown_by_its_own(env):
    name = "統計" * 45 + ".csv"  # 90 CJK characters: 270 bytes, more than a file name may hold
    plan = importer.plan(owid_csv([("Jamaica", "JAM", 2043, 40.0)]), name, "homicide", **env)
    importer.apply(plan, "tester", **env)
    folder = env["imports_dir"] / plan.import_id
    assert sorted(p.name for p in folder.iterdir()) == ["dataset_editions.csv", "homicide_benchmarks.csv",
                                                        "homicide_rates.csv", "sources.csv", "upload.csv"]
    assert importer.read_log(env["imports_dir"])["file_name"].tolist() == [name]


# --- text that a spreadsheet would run ---------------------------------------------------------------

@pytest.mark.parametrize("note", [" =1+1", "\t=HYPERLINK(\"http://example.org\",\"x\")", "-cmd|' /C calc'!A0",
                                  "  @SUM(A1)", "\r=1"])
def test_formula_like_text_is_refused_after_stripping_whitespace(env, note):
    """Finding 3: a leading space or tab used to hide a formula from the check."""
    data = kpi_xlsx(env["db_path"], [["KPI1", "2025", None, "total", 1, None, note]], [])
    messages = refused(env, data, "kpi.xlsx", "kpi")
    assert any("formula-like" in m and "line 2" in m and "'note'" in m for m in messages), messages


def test_a_minus_sign_is_allowed_before_a_number_only(env):
    # Stricter than "- then a non-digit": '-5 on last year' is refused too, as a spreadsheet may run it.
    data = kpi_xlsx(env["db_path"], [["KPI1", "2025", None, "total", 1, None, "-5 on last year"]], [])
    assert any("formula-like" in m for m in refused(env, data, "kpi.xlsx", "kpi"))
    plan = importer.plan(kpi_xlsx(env["db_path"], [["KPI1", "2025", None, "total", 1, None, "-5"]], []), "kpi.xlsx",
                         "kpi", **env)
    assert plan.added == 1


def test_line_breaks_inside_a_cell_keep_the_row_whole(env):
    """Finding 5: a lone CR inside a cell used to split the row in the staging CSV."""
    data = kpi_xlsx(env["db_path"], [["KPI1", "2025", None, "total", 1, None, "first\rsecond"],
                                     ["KPI2", "2025", None, "total", 2, None, "third\r\nfourth"]], [])
    plan = importer.plan(data, "kpi.xlsx", "kpi", **env)
    importer.apply(plan, "tester", **env)
    with duckdb.connect(str(env["db_path"]), read_only=True) as con:
        rows = con.execute("SELECT kpi_id, note, source_ref FROM kpi_results ORDER BY kpi_id").fetchall()
    assert rows == [("KPI1", "first\nsecond", "kpi_results sheet, row 2"),
                    ("KPI2", "third\nfourth", "kpi_results sheet, row 3")]


def test_messages_name_values_plainly(env):
    data = kpi_xlsx(env["db_path"], [["KPI1", "2025", None, "total", -3, None, None]], [])
    messages = refused(env, data, "kpi.xlsx", "kpi")
    assert any("line 2" in m and "'value'" in m and "value -3 " in m for m in messages), messages
    assert not any("np." in m for m in messages), messages


def test_utf16_text_is_read_as_text(env):
    data = owid_csv([("Jamaica", "JAM", 2044, 40.0)]).decode("utf-8")
    plan = importer.plan(data.encode("utf-16"), "owid.csv", "homicide", **env)
    assert plan.added == 1


def test_wdi_last_updated_date_must_be_a_date(env):
    from tests.test_importer import wdi_csv
    data = wdi_csv({("Jamaica", "JAM"): {2020: 46.5}}).replace(b'"2025-07-01"', b'"![t](http://x/x.png) [c](y)"')
    messages = refused(env, data, "API_VC.IHR.PSRC.P5_DS2.csv")
    assert any("Last Updated Date" in m and "is not a date" in m and "line 3" in m for m in messages), messages


def test_build_refuses_formula_like_text_in_curated_files(curated_copy, tmp_path):
    from loaders.build import build
    from loaders.validate import ValidationFailed
    from tests.test_build import edit_cell
    edit_cell(curated_copy, "projects.csv", 0, "name", " =HYPERLINK(\"http://example.org\")")
    with pytest.raises(ValidationFailed) as failure:
        build(curated_copy, tmp_path / "db.duckdb", import_dirs=[])
    assert any("projects.csv, line 2 (row 1), column 'name': formula-like text" in str(p)
               for p in failure.value.problems), [str(p) for p in failure.value.problems]
