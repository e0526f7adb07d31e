"""Exports of the cases a reviewer's filters select: CSV, XLSX and a ZIP case bundle.

Every export walks the filtered queue by keyset in batches and turns each batch into output
before reading the next, so memory stays flat however many cases match, and bytes leave as each
batch is written (the XLSX too: see xlsx_stream.py), so no export is silent long enough to time out.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import func, select

from ..database import db
from ..i18n import t
from ..models import (
    Agency, ChecklistTemplate, Finding, Inspection, InspectionInspector, Party, Photo, ReviewDecision, Sample,
    User,
)
from .amendments import plain_number
from .case_view import local_time
from .queue import QueueFilters, keyset_batches
from .scope import get_inspection, hashes_held_by_case

log = logging.getLogger(__name__)

BATCH = 500
CHUNK = 64 * 1024
BOM = "\ufeff"  # so Excel opens a UTF-8 CSV with Chinese text correctly
TABLES = ("inspections", "findings", "samples")


# ---------------------------------------------------------------- rows

@dataclass(frozen=True)
class Table:
    """One exported table: its translated header and a function from a batch of ids to rows."""

    name: str
    header: Callable[[], list[str]]
    rows: Callable[[list[str]], Iterable[list[Any]]]


def _inspection_header() -> list[str]:
    return [t(k) for k in ("col_id", "case_number", "status", "col_revision", "agency", "party_name", "credit_code",
                           "category", "col_template", "inspectors", "place", "col_lat", "col_lon", "col_accuracy",
                           "col_started", "submitted_at", "col_decided", "failed_items", "samples")]


def _inspection_rows(ids: list[str]) -> Iterable[list[Any]]:
    rows = db.session.execute(
        select(Inspection.id, Inspection.case_number, Inspection.status, Inspection.revision, Agency.name, Party.name,
               Party.credit_code, ChecklistTemplate.category, ChecklistTemplate.title, Inspection.place,
               Inspection.lat, Inspection.lon, Inspection.gps_accuracy_m, Inspection.started_at_device,
               Inspection.submitted_at, Inspection.decided_at)
        .join(Party, Party.id == Inspection.party_id).join(Agency, Agency.id == Inspection.agency_id)
        .join(ChecklistTemplate, ChecklistTemplate.id == Inspection.template_id)
        .where(Inspection.id.in_(ids))
    ).all()
    failed = dict(db.session.execute(
        select(Finding.inspection_id, func.count()).where(Finding.inspection_id.in_(ids), Finding.result == "fail",
                                                          Finding.deleted_at.is_(None)).group_by(Finding.inspection_id)).all())
    samples = dict(db.session.execute(
        select(Sample.inspection_id, func.count()).where(Sample.inspection_id.in_(ids), Sample.deleted_at.is_(None))
        .group_by(Sample.inspection_id)).all())
    inspectors: dict[str, list[str]] = {}
    for inspection_id, name, cert in db.session.execute(
            select(InspectionInspector.inspection_id, User.display_name, User.cert_no)
            .join(User, User.id == InspectionInspector.user_id).where(InspectionInspector.inspection_id.in_(ids))
            .order_by(InspectionInspector.inspection_id, InspectionInspector.position)):
        inspectors.setdefault(inspection_id, []).append(f"{name}({cert or '-'})")
    order = {inspection_id: n for n, inspection_id in enumerate(ids)}
    for r in sorted(rows, key=lambda r: order[r[0]]):
        yield [r[0], r[1] or "", t("status_" + r[2]), r[3], r[4], r[5], r[6] or "", t("category_" + r[7]), r[8],
               "、".join(inspectors.get(r[0], [])), r[9] or "", _rounded(r[10], COORDINATE_PLACES),
               _rounded(r[11], COORDINATE_PLACES), _rounded(r[12], 1), local_time(r[13]),
               local_time(r[14]), local_time(r[15]), failed.get(r[0], 0), samples.get(r[0], 0)]


COORDINATE_PLACES = 6  # about 0.1 m: finer than any phone's GPS


def _rounded(value: float | None, places: int) -> float | None:
    """A decimal as people write it (40.3, not 40.300000000000004)."""
    return None if value is None else round(value, places)


class _Labels:
    """Checklist item labels by (template id, item key), loaded once per template."""

    def __init__(self) -> None:
        self.by_template: dict[int, dict[str, str]] = {}

    def __call__(self, template_id: int, key: str) -> str:
        if template_id not in self.by_template:
            template = db.session.get(ChecklistTemplate, template_id)
            self.by_template[template_id] = {i["key"]: i["label"] for i in template.items()} if template else {}
        return self.by_template[template_id].get(key, "")


def _finding_header() -> list[str]:
    return [t(k) for k in ("col_id", "case_number", "party_name", "col_item_key", "item", "result", "col_value", "note")]


def _finding_rows_factory() -> Callable[[list[str]], Iterable[list[Any]]]:
    labels = _Labels()

    def rows(ids: list[str]) -> Iterable[list[Any]]:
        order = {inspection_id: n for n, inspection_id in enumerate(ids)}
        found = db.session.execute(
            select(Inspection.id, Inspection.case_number, Party.name, Inspection.template_id, Finding.item_key,
                   Finding.result, Finding.value, Finding.note)
            .join(Inspection, Inspection.id == Finding.inspection_id).join(Party, Party.id == Inspection.party_id)
            .where(Finding.inspection_id.in_(ids), Finding.deleted_at.is_(None))
        ).all()
        for r in sorted(found, key=lambda r: (order[r[0]], r[4])):
            value = r[6] if r[6] is None or isinstance(r[6], (str, int)) else (
                plain_number(r[6]) if isinstance(r[6], float) else json.dumps(r[6], ensure_ascii=False))
            yield [r[0], r[1] or "", r[2], r[4], labels(r[3], r[4]), t("result_" + r[5]) if r[5] else "",
                   "" if value is None else value, r[7] or ""]

    return rows


def _sample_header() -> list[str]:
    return [t(k) for k in ("col_id", "case_number", "party_name", "sample_name", "col_brand", "col_spec", "batch_no",
                           "col_production_date", "maker", "col_standard", "quantity", "base_quantity",
                           "backup_quantity", "seal_numbers", "note")]


def _sample_rows(ids: list[str]) -> Iterable[list[Any]]:
    order = {inspection_id: n for n, inspection_id in enumerate(ids)}
    found = db.session.execute(
        select(Inspection.id, Inspection.case_number, Party.name, Sample.name, Sample.brand, Sample.spec, Sample.batch_no,
               Sample.production_date, Sample.maker, Sample.standard, Sample.quantity, Sample.base_quantity,
               Sample.backup_quantity, Sample.seal_numbers, Sample.note, Sample.created_at)
        .join(Inspection, Inspection.id == Sample.inspection_id).join(Party, Party.id == Inspection.party_id)
        .where(Sample.inspection_id.in_(ids), Sample.deleted_at.is_(None))
    ).all()
    for r in sorted(found, key=lambda r: (order[r[0]], r[15])):
        yield [r[0], r[1] or "", r[2], r[3], r[4] or "", r[5] or "", r[6] or "",
               r[7].isoformat() if r[7] else "", r[8] or "", r[9] or "", r[10], r[11], r[12] or "",
               "、".join(r[13] or []), r[14] or ""]


def tables() -> dict[str, Table]:
    return {"inspections": Table("inspections", _inspection_header, _inspection_rows),
            "findings": Table("findings", _finding_header, _finding_rows_factory()),
            "samples": Table("samples", _sample_header, _sample_rows)}


Progress = Callable[[int], None]
"""Told the number of cases just written, after each batch (an export job's progress)."""


def _counted(batches: Iterable[list[str]], progress: Progress | None) -> Iterator[list[str]]:
    for ids in batches:
        yield ids
        if progress is not None:
            progress(len(ids))


def _batched_rows(user: User, filters: QueueFilters, table: Table,
                  progress: Progress | None = None) -> Iterator[list[list[Any]]]:
    for ids in _counted(keyset_batches(user, filters, BATCH), progress):
        yield list(table.rows(ids))


# ---------------------------------------------------------------- CSV

def stream_csv(user: User, filters: QueueFilters, name: str) -> Iterator[bytes]:
    """A CSV of one table, one chunk per batch of cases."""
    table = tables()[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(table.header())
    for rows in _batched_rows(user, filters, table):
        writer.writerows(rows)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- XLSX

def stream_xlsx(user: User, filters: QueueFilters, progress: Progress | None = None) -> Iterator[bytes]:
    """A workbook of the three tables, one sheet each, its bytes sent as each batch is written."""
    from .xlsx_stream import StreamingWorkbook

    sink = _Sink()
    all_tables = list(tables().values())
    book = StreamingWorkbook(sink, [t("sheet_" + table.name) for table in all_tables])
    for table in all_tables:
        book.begin_sheet()
        book.write_row(table.header(), bold=True)
        for rows in _batched_rows(user, filters, table, progress):
            for row in rows:
                book.write_row(row)
            yield sink.take()
    book.close()
    yield sink.take()


# ---------------------------------------------------------------- ZIP case bundle

class _Sink(io.RawIOBase):
    """An unseekable file the ZIP writer writes into; the bytes are taken out as they come."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def case_record(inspection: Inspection) -> dict[str, Any]:
    """The case as JSON for the bundle: the same fields the read API gives, plus decisions."""
    from ..schemas.inspections import InspectionOut
    from .inspections import InspectionView

    photos = [{c.key: getattr(p, c.key) for c in Photo.__table__.columns}
              for p in db.session.scalars(select(Photo).where(Photo.inspection_id == inspection.id,
                                                              Photo.deleted_at.is_(None)).order_by(Photo.created_at))]
    for photo in photos:
        photo["uploaded"] = None  # filled by the bundle from the files it could include
    decisions = list(db.session.scalars(select(ReviewDecision).where(ReviewDecision.inspection_id == inspection.id)
                                        .order_by(ReviewDecision.id)))
    record = InspectionOut().dump(InspectionView(inspection, photos, decisions))
    record["templateTitle"] = inspection.template.title
    record["agencyName"] = inspection.agency.name
    return record


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def case_file(user: User, inspection: Inspection):
    """The printed case file, registered as issued like any download of it (services/case_file.py)."""
    from .case_file import case_file_pdf as issue

    return issue(user, inspection)


def _bundle_entries(user: User, inspection: Inspection) -> Iterator[tuple[str, Any]]:
    """(name, bytes or an opener) for one case: record.json, case-file.pdf, photos/…"""
    from ..storage import get_store

    folder = f"{inspection.case_number or inspection.id}"
    folder = folder.replace("/", "_")
    # Issued first, so that record.json names the registered document the bundle carries: whoever
    # unpacks it can check case-file.pdf against the record and the register.
    issued = case_file(user, inspection)
    record = case_record(inspection)
    record["caseFile"] = {"documentNo": issued.document_no, "sha256": issued.sha256,
                          "issuedAt": issued.issued_at.isoformat()}
    store = get_store()
    held = hashes_held_by_case(inspection, (photo["sha256"] for photo in record.get("photos", [])))
    for photo in record.get("photos", []):
        photo["uploaded"] = photo["sha256"] in held and store.exists(photo["sha256"])
    yield f"{folder}/record.json", json.dumps(record, ensure_ascii=False, indent=2, default=_json_default).encode()
    yield f"{folder}/case-file.pdf", issued.pdf
    written: set[str] = set()
    for photo in record.get("photos", []):
        # Content-addressed: one picture attached to several items is one file (a ZIP with two
        # members of one name makes unpacking tools ask which to keep).
        if photo["uploaded"] and photo["sha256"] not in written:
            written.add(photo["sha256"])
            extension = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/heif": "heif",
                         "image/webp": "webp"}.get(photo.get("mediaType") or "", "bin")
            yield f"{folder}/photos/{photo['sha256']}.{extension}", (lambda sha=photo["sha256"]: store.open(sha))


def stream_bundle(user: User, inspection_ids: Iterable[list[str]]) -> Iterator[bytes]:
    """A ZIP of case folders, written and sent one file (and one photo chunk) at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for ids in inspection_ids:
            for inspection_id in ids:
                inspection = get_inspection(user, inspection_id)
                for name, content in _bundle_entries(user, inspection):
                    compress = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
                    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
                    info.compress_type = compress
                    with archive.open(info, "w", force_zip64=not isinstance(content, bytes)) as entry:
                        if isinstance(content, bytes):
                            entry.write(content)
                        else:
                            with content() as source:
                                while chunk := source.read(CHUNK):
                                    entry.write(chunk)
                                    yield sink.take()
                    yield sink.take()
                _forget_case_rows()
    yield sink.take()


def _forget_case_rows() -> None:
    """Drop the finished case's rows from the session (its identity map would grow with every case);
    the user and agencies stay, the scope of the next query needs them."""
    session = db.session
    for obj in list(session.identity_map.values()):
        # Expunging a case cascades to its inspectors, findings…: those still listed are gone already.
        if not isinstance(obj, (User, Agency)) and obj in session:
            session.expunge(obj)


def filtered_bundle(user: User, filters: QueueFilters, progress: Progress | None = None) -> Iterator[bytes]:
    return stream_bundle(user, _counted(keyset_batches(user, filters, 100), progress))


class ExportInterrupted(ConnectionAbortedError):
    """An export failed after its first bytes left: the transfer must break, not end."""


def broken_off_on_failure(stream: Iterator[bytes]) -> Iterator[bytes]:
    """`stream`, but a failure after the first bytes cuts the transfer instead of ending it cleanly.

    Once the 200 and the first bytes are sent, the only way left to tell the browser is to leave the
    body unfinished. A WSGI server treats an ordinary exception by writing an error page into the
    body and closing the chunked stream properly (Werkzeug), which a browser saves as a complete
    file; a connection error it treats as a dropped client and stops without the final chunk
    (Werkzeug and gunicorn alike), so the download fails visibly and no broken ZIP looks finished.
    Before the first byte the failure goes up as it is: the server can still answer 500.
    """
    sent = False
    try:
        for chunk in stream:
            sent = sent or bool(chunk)
            yield chunk
    except Exception as exc:
        if not sent:
            raise
        log.exception("export broken off midway")
        db.session.rollback()
        raise ExportInterrupted(f"export broken off: {exc}") from exc
