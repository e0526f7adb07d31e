"""A spreadsheet (XLSX) written as a stream: rows leave as they are written.

A workbook library can only hand out its bytes once the last row is in (xlsxwriter builds the
ZIP at close), which for a large export means minutes of silence before the first byte, and a
proxy or browser timing out. An XLSX is a ZIP of XML parts; the parts that describe the book
are known before the first row, and each sheet's XML can be deflated as it is produced. So this
writer emits the fixed parts, then each sheet row by row with inline strings (no shared-string
table to hold in memory), into a ZIP written to an unseekable sink that the caller drains.

Only what exports need: text and numbers, a bold header row, several sheets.
"""
from __future__ import annotations

import re
import zipfile
from datetime import datetime
from typing import IO, Any, Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 forbids (control characters other than tab, newline, carriage return).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31
STYLES = (HEAD + f'<styleSheet xmlns="{MAIN}">'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: Any, style: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    text = escape(_ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


class StreamingWorkbook:
    """Sheets named up front, then filled one after the other: `begin_sheet`, `write_row`s, next."""

    def __init__(self, sink: IO[bytes], sheet_names: list[str]):
        self.names = [self._safe_name(n, i) for i, n in enumerate(sheet_names)]
        self.zip = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._sheet: IO[bytes] | None = None
        self._sheet_index = -1
        self._row = 0
        self._letters = [column_letter(i) for i in range(64)]
        self._write_package_parts()

    @staticmethod
    def _safe_name(name: str, index: int) -> str:
        cleaned = _SHEET_NAME_BAD.sub("_", name)[:MAX_SHEET_NAME]
        return cleaned or f"Sheet{index + 1}"

    def _part(self, name: str, text: str) -> None:
        info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, text.encode("utf-8"))

    def _write_package_parts(self) -> None:
        n = len(self.names)
        sheets_ct = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
        self._part("[Content_Types].xml", HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' + sheets_ct + '</Types>'))
        self._part("_rels/.rels", HEAD + f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        sheets = "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in enumerate(self.names, start=1))
        self._part("xl/workbook.xml", HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        self._part("xl/_rels/workbook.xml.rels", HEAD + f'<Relationships xmlns="{PKG_REL}">{rels}'
                   f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
        self._part("xl/styles.xml", STYLES)

    def begin_sheet(self) -> None:
        """Start the next sheet (in the order named); ends the one before."""
        self._end_sheet()
        self._sheet_index += 1
        info = zipfile.ZipInfo(f"xl/worksheets/sheet{self._sheet_index + 1}.xml",
                               date_time=datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self._sheet = self.zip.open(info, "w")
        self._sheet.write((HEAD + f'<worksheet xmlns="{MAIN}"><sheetData>').encode())
        self._row = 0

    def write_row(self, values: Iterable[Any], *, bold: bool = False) -> None:
        self._row += 1
        style = ' s="1"' if bold else ""
        r = self._row
        cells = "".join(_cell(f"{self._letters[i]}{r}", v, style) for i, v in enumerate(values))
        self._sheet.write(f'<row r="{r}">{cells}</row>'.encode())

    def _end_sheet(self) -> None:
        if self._sheet is not None:
            self._sheet.write(b"</sheetData></worksheet>")
            self._sheet.close()
            self._sheet = None

    def close(self) -> None:
        self._end_sheet()
        while self._sheet_index + 1 < len(self.names):  # sheets never begun are written empty
            self.begin_sheet()
            self._end_sheet()
        self.zip.close()
