"""Reading a 12315 export file into a header row and text rows: CSV (UTF-8 or GB18030) or XLSX.

The platform's export columns are not published, so this module knows nothing of their meaning:
it only turns bytes into a table of strings, or says in words why it cannot. The encoding of a
CSV is detected, not asked for: a byte-order mark, else strict UTF-8, else strict GB18030
(what Excel on a Chinese Windows writes); bytes neither decodes, or text that decodes to control
characters, are refused rather than guessed at, so no row of garbage reaches the preview.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

MAX_BYTES = 5 * 1024 * 1024  # a year of a county's 12315 items is a few hundred rows
MAX_ROWS = 5000
MAX_COLUMNS = 60
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


class UnreadableFile(Exception):
    """The file cannot be read as a table; `code` names why (an i18n key `import_bad_<code>`)."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # each as long as `headers`; row n of the file is rows[n - 2]
    encoding: str  # "utf-8", "gb18030" or "xlsx"


def read_table(filename: str, data: bytes) -> Table:
    """The file's first row as headers and every following non-empty row, as text."""
    if not data:
        raise UnreadableFile("empty")
    if len(data) > MAX_BYTES:
        raise UnreadableFile("too_large", mb=MAX_BYTES // (1024 * 1024))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        grid, encoding = _xlsx_grid(data), "xlsx"
    else:
        text, encoding = decode_csv(data)
        grid = list(csv.reader(io.StringIO(text, newline="")))
    grid = [row for row in grid if any(cell.strip() for cell in row)]
    if not grid:
        raise UnreadableFile("empty")
    headers = [cell.strip() for cell in grid[0]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers or len(headers) > MAX_COLUMNS:
        raise UnreadableFile("no_headers")
    if len(set(headers)) != len(headers) or "" in headers:
        raise UnreadableFile("bad_headers")
    if len(grid) == 1:
        raise UnreadableFile("no_rows")
    if len(grid) - 1 > MAX_ROWS:
        raise UnreadableFile("too_many_rows", limit=MAX_ROWS)
    width = len(headers)
    rows = [[cell.strip() for cell in (row + [""] * width)[:width]] for row in grid[1:]]
    return Table(headers, rows, encoding)


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in; refuses bytes that are no text of either."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8", data[3:])]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("gb18030", data)]
    for encoding, body in candidates:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break  # binary bytes that happen to decode: not a CSV
        return text, encoding
    raise UnreadableFile("encoding")


def _xlsx_grid(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only imports needing it pay for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("xlsx") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise UnreadableFile("empty")
        grid: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 20):
            grid.append([cell_text(value) for value in values])
            if len(grid) > MAX_ROWS + 1:
                break
        return grid
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a 12315 number typed into a number cell
    return str(value)
