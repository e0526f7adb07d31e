"""Importing a 12315 export: read, map, preview, and only on confirmation register the filings.

Nothing of a file is stored before the user confirms its preview: the preview is computed from
the bytes the browser sends back with each step, and a file with any row in error cannot be
confirmed (the user fixes the file and uploads it again, so no half of a file is ever in the
register). The 12315 number (`external_ref`) is the key: a row whose number the register already
holds, or that an earlier row of the same file carries, is shown as already imported and skipped,
so importing the same file twice adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ...database import db, utcnow
from ...errors import ApiError
from ...models import ImportMapping, User
from . import filings
from .mapping import FIELD_KEYS, guess, header_key, mapping_problems, row_fields
from .reading import Table, UnreadableFile, read_table


@dataclass
class RowPreview:
    row_no: int  # the row number a spreadsheet shows (the header is row 1)
    fields: dict[str, object]
    problems: list[tuple[str, str]]
    duplicate: bool = False


@dataclass
class Preview:
    table: Table
    mapping: dict[str, str]
    rows: list[RowPreview] = field(default_factory=list)

    @property
    def errors(self) -> list[RowPreview]:
        return [r for r in self.rows if r.problems]

    @property
    def new(self) -> list[RowPreview]:
        return [r for r in self.rows if not r.problems and not r.duplicate]

    @property
    def duplicates(self) -> list[RowPreview]:
        return [r for r in self.rows if not r.problems and r.duplicate]


class MappingRefused(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("mapping refused")
        self.problems = problems


class ImportRefused(Exception):
    """Confirmation refused: the preview has rows in error."""


def open_file(filename: str, data: bytes) -> Table:
    """The file as a table (UnreadableFile says why it is not one)."""
    return read_table(filename, data)


def proposed_mapping(user: User, table: Table) -> tuple[dict[str, str], bool]:
    """The mapping to offer for this file shape, and whether it is one the agency saved before."""
    saved = db.session.scalars(select(ImportMapping).where(
        ImportMapping.agency_id == user.agency_id, ImportMapping.header_key == header_key(table.headers))).first()
    if saved is not None:
        return {k: v for k, v in saved.mapping.items() if k in FIELD_KEYS and v in table.headers}, True
    return guess(table.headers), False


def preview(user: User, table: Table, mapping: dict[str, str], *, now: datetime | None = None) -> Preview:
    """Every row checked and matched against the register; nothing is written."""
    mapping = {k: v for k, v in mapping.items() if v}
    problems = mapping_problems(table.headers, mapping)
    if problems:
        raise MappingRefused(problems)
    now = now or utcnow()
    result = Preview(table, mapping)
    for n, row in enumerate(table.rows, start=2):
        fields_, row_problems = row_fields(row, table.headers, mapping, now)
        if not row_problems:  # the register's own rules (a complaint's person, the rules' first day…)
            row_problems = filings.import_problems(user, fields_)
        result.rows.append(RowPreview(n, fields_, row_problems))
    refs = [r.fields["external_ref"] for r in result.rows if r.fields.get("external_ref")]
    known = filings.known_refs(refs)
    seen: set[str] = set()
    for r in result.rows:
        ref = r.fields.get("external_ref")
        if ref and (ref in known or ref in seen):
            r.duplicate = True
        if ref:
            seen.add(ref)
    return result


def confirm(user: User, table: Table, mapping: dict[str, str]) -> Preview:
    """Register the new rows of a preview without errors, remember the mapping; one commit, so a
    file is in the register whole or not at all."""
    if user.role not in filings.IMPORT_ROLES:
        raise ApiError("forbidden", "Only registrars and officers register complaints and reports.")
    result = preview(user, table, mapping)
    if result.errors:
        raise ImportRefused()
    key = header_key(table.headers)
    saved = db.session.scalars(select(ImportMapping).where(
        ImportMapping.agency_id == user.agency_id, ImportMapping.header_key == key)).first()
    if saved is None:
        saved = ImportMapping(agency_id=user.agency_id, header_key=key)
        db.session.add(saved)
    saved.headers = list(table.headers)
    saved.mapping = dict(result.mapping)
    saved.updated_by_id = user.id
    saved.updated_at = utcnow()
    for row in result.new:
        filings.register_imported(user, row.fields)
    db.session.commit()
    return result


__all__ = ["ImportRefused", "MappingRefused", "Preview", "RowPreview", "UnreadableFile", "confirm", "open_file",
           "preview", "proposed_mapping"]
