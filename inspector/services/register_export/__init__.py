"""Exports of the complaints register (CSV and XLSX): every filing the user may see, and every
deadline of each with its state on today's Beijing date.

Scoped like the register (`filing_scope`). The person behind a filing is exported only to those
who may see them (`may_see_person`: for a report, the officers handling it); to anyone else the
name and phone read （保密） and the free text (what happened, what is asked) is cleaned of them,
as on the console's pages. Rows leave in batches (exports.py's pattern), so a large register
streams without holding it in memory.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import select

from ... import clock
from ...database import db
from ...i18n import t
from ...models import Filing, User
from ..case_view import local_time
from ..complaints import HIDDEN, deadlines, filing_scope, person_for, redact
from ..exports import BOM, _Sink

BATCH = 200
TABLES = ("filings", "deadlines")


def _filing_ids(user: User) -> list[str]:
    user.agency.path  # loaded now: who may see a reporter is asked of every row while the body streams
    return list(db.session.scalars(select(Filing.id).where(filing_scope(user), Filing.deleted_at.is_(None))
                                   .order_by(Filing.received_at.desc(), Filing.id)))


def _batches(ids: list[str]) -> Iterator[list[Filing]]:
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = {f.id: f for f in db.session.scalars(select(Filing).where(Filing.id.in_(chunk)))}
        yield [rows[i] for i in chunk if i in rows]


def _filing_header() -> list[str]:
    return [t(k) for k in ("export_reg_no", "export_kind", "export_channel", "export_external_ref", "export_received_at",
                           "export_rule_version", "export_handling_agency", "export_handler", "export_status",
                           "export_respondent", "export_respondent_address", "export_category", "export_person",
                           "export_person_phone", "export_facts", "export_requests", "export_linked",
                           "export_due_rule", "export_due_on", "export_due_provisional", "export_due_state")]


def _state(due_on, today) -> str:
    if due_on is None:
        return ""
    return t("export_state_overdue" if today > due_on else "export_state_due_today" if today == due_on
             else "export_state_open")


def _filing_rows(user: User, filings: list[Filing]) -> Iterable[list[Any]]:
    today = clock.today_cn()
    for f in filings:
        person = person_for(user, f)
        if person.hidden:
            name = phone = HIDDEN
            facts, requests = redact(f.facts, f), redact(f.requests, f)
        else:
            name = t("export_anonymous") if person.anonymous else (person.name or "")
            phone = "" if person.anonymous else (person.phone or "")
            facts, requests = f.facts, f.requests or ""
        yield [f.reg_no or "", t("filing_kind_" + f.kind), t("channel_" + f.channel), f.external_ref or "",
               local_time(f.received_at), f.rule_version, f.handling_agency.name,
               f.handler.display_name if f.handler else "", t("filing_status_" + f.status), f.respondent_name,
               f.respondent_address or "", t("category_" + f.product_category), name, phone, facts, requests,
               f.linked_filing.reg_no if f.linked_filing else "",
               t("deadline_rule_" + f.due_rule, f.due_rule) if f.due_rule else "",
               f.due_on.isoformat() if f.due_on else "", t("yes") if f.due_provisional else "",
               _state(f.due_on, today)]


def _deadline_header() -> list[str]:
    return [t(k) for k in ("export_reg_no", "export_kind", "export_deadline", "export_rule_id", "export_start",
                           "export_period", "export_due_on", "export_due_legal", "export_due_provisional",
                           "export_paused", "export_due_state", "export_basis", "export_source_status")]


def _deadline_rows(user: User, filings: list[Filing]) -> Iterable[list[Any]]:
    today = clock.today_cn()
    for f in filings:
        for d in deadlines(f):
            yield [f.reg_no or "", t("filing_kind_" + f.kind), t(d.label), d.rule_id, d.start.isoformat(),
                   t("export_period_" + d.unit, n=d.n), d.due.date.isoformat(),
                   d.due_legal.isoformat() if d.due_legal else "", t("yes") if d.due.provisional else "",
                   t("yes") if d.paused else "", t("export_state_" + d.state(today)), d.basis, d.source_status]


_TABLES: dict[str, tuple[Callable[[], list[str]], Callable[[User, list[Filing]], Iterable[list[Any]]]]] = {
    "filings": (_filing_header, _filing_rows), "deadlines": (_deadline_header, _deadline_rows)}


def stream_csv(user: User, name: str) -> Iterator[bytes]:
    """One table of the register as CSV (UTF-8 with a BOM, so Excel reads the Chinese)."""
    # Which filings, decided now, while the request's session holds the user (the body streams later).
    return _csv_chunks(user, name, _filing_ids(user))


def _csv_chunks(user: User, name: str, ids: list[str]) -> Iterator[bytes]:
    header, rows = _TABLES[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header())
    for filings in _batches(ids):
        writer.writerows(rows(user, filings))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def stream_xlsx(user: User) -> Iterator[bytes]:
    """Both tables as one workbook, a sheet each."""
    return _xlsx_chunks(user, _filing_ids(user))


def _xlsx_chunks(user: User, ids: list[str]) -> Iterator[bytes]:
    from ..xlsx_stream import StreamingWorkbook

    sink = _Sink()
    book = StreamingWorkbook(sink, [t("export_sheet_" + name) for name in TABLES])
    for name in TABLES:
        header, rows = _TABLES[name]
        book.begin_sheet()
        book.write_row(header(), bold=True)
        for filings in _batches(ids):
            for row in rows(user, filings):
                book.write_row(row)
            yield sink.take()
    book.close()
    yield sink.take()
