"""The review queue: a reviewer's cases, filtered and searched, paged by keyset.

One filter object serves the queue page, its tab counts and every export, so what a reviewer
downloads is exactly what the queue shows. Every statement starts from `inspection_scope`.
Pages are ordered newest-submitted first by (submitted_at, id) and continue from the last
row of the previous page, so page 20 000 costs what page 1 costs (index ix_inspection_queue).
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from sqlalchemy import exists, func, or_, select, tuple_
from sqlalchemy.sql import Select

from ..database import db
from ..models import CATEGORIES, Agency, ChecklistTemplate, Finding, Inspection, Party, User
from .case_numbers import CHINA
from .scope import agency_in_scope, inspection_scope

QUEUE_STATUSES = ("submitted", "returned", "approved", "rejected")
ALL = "all"
PAGE_SIZE = 50
COUNT_CAP = 1000  # tab counts stop here ("1000+"): bounded work however large the subtree
MAX_ID = 2**31 - 1  # the largest integer key either database accepts in a comparison
FIRST_YEAR, LAST_YEAR = 1900, 2999  # filter dates outside these cannot be turned into China-time instants


@dataclass(frozen=True)
class QueueFilters:
    """What the reviewer asked for; `problems` lists inputs that were ignored, with the reason."""

    status: str = "submitted"  # one of QUEUE_STATUSES or "all" (every case ever submitted)
    agency_id: int | None = None
    category: str | None = None
    date_from: date | None = None  # submitted on or after, China time
    date_to: date | None = None  # submitted on or before, China time
    failed_only: bool = False
    q: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The filters as URL parameters (for links and exports)."""
        f = replace(self, **changes)
        args = {"status": f.status, "agency": f.agency_id, "category": f.category,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "failed": "1" if f.failed_only else None, "q": f.q}
        return {k: str(v) for k, v in args.items() if v not in (None, "")}


def parse_filters(args: Mapping[str, str], user: User) -> QueueFilters:
    """Filters from query parameters; a bad value is dropped and named in `problems`."""
    problems: list[str] = []
    status = args.get("status") or "submitted"
    if status not in (*QUEUE_STATUSES, ALL):
        problems.append("status")
        status = "submitted"
    agency_id = parse_agency(args.get("agency"), user, problems)
    category = args.get("category") or None
    if category is not None and category not in CATEGORIES:
        problems.append("category")
        category = None
    dates = parse_dates(args, problems)
    q = (args.get("q") or "").strip()[:100] or None
    return QueueFilters(status=status, agency_id=agency_id, category=category, date_from=dates["from"],
                        date_to=dates["to"], failed_only=args.get("failed") in ("1", "on", "true"), q=q,
                        problems=tuple(problems))


def parse_id(raw: str | None) -> int | None:
    """A positive integer key from a query parameter, or None when it cannot be one."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
        return None
    return int(raw)


def parse_agency(raw: str | None, user: User, problems: list[str]) -> int | None:
    """The id of the agency to narrow to, when it is in the user's subtree; else None and a problem."""
    if not raw:
        return None
    agency_id = parse_id(raw)
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None or not agency_in_scope(user, agency):
        problems.append("agency")
        return None
    return agency.id


def parse_dates(args: Mapping[str, str], problems: list[str]) -> dict[str, date | None]:
    """The `from` and `to` days (ISO dates); one that is malformed or out of range is None and a problem."""
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        raw = (args.get(name) or "").strip()
        try:
            day = date.fromisoformat(raw) if raw else None
        except ValueError:
            day = None
            problems.append(name)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            day = None
            problems.append(name)
        dates[name] = day
    return dates


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA)


def has_failed_items():
    return exists().where(Finding.inspection_id == Inspection.id, Finding.result == "fail",
                          Finding.deleted_at.is_(None))


def filtered(user: User, filters: QueueFilters, *, with_status: bool = True) -> Select:
    """SELECT Inspection.id … with the scope and every filter applied (add columns or counts)."""
    stmt = select(Inspection.id).where(inspection_scope(user), Inspection.deleted_at.is_(None),
                                       Inspection.submitted_at.is_not(None))
    if with_status and filters.status != ALL:
        stmt = stmt.where(Inspection.status == filters.status)
    if filters.agency_id is not None:
        path = select(Agency.path).where(Agency.id == filters.agency_id).scalar_subquery()
        stmt = stmt.where(Inspection.agency_id.in_(select(Agency.id).where(Agency.path.startswith(path))))
    if filters.category:
        stmt = stmt.where(Inspection.template_id.in_(
            select(ChecklistTemplate.id).where(ChecklistTemplate.category == filters.category)))
    if filters.date_from:
        stmt = stmt.where(Inspection.submitted_at >= _day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(Inspection.submitted_at < _day_start(filters.date_to + timedelta(days=1)))
    if filters.failed_only:
        stmt = stmt.where(has_failed_items())
    if filters.q:
        q = filters.q
        parties = select(Party.id).where(or_(Party.name.contains(q, autoescape=True),
                                             Party.credit_code == q.upper()))
        stmt = stmt.where(or_(Inspection.party_id.in_(parties),
                              Inspection.case_number.contains(q, autoescape=True)))
    return stmt


# ---------------------------------------------------------------- keyset cursor

def encode_cursor(submitted_at: datetime, inspection_id: str) -> str:
    raw = f"{submitted_at.isoformat()}|{inspection_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The (submitted_at, id) a page continues after; None for the first page or a mangled cursor."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, inspection_id = raw.split("|", 1)
        moment = datetime.fromisoformat(stamp)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return (moment, inspection_id) if moment.tzinfo is not None else None


def after_cursor(stmt: Select, cursor: tuple[datetime, str] | None) -> Select:
    """Rows strictly after the cursor in queue order (a row comparison, so the index bounds the scan)."""
    if cursor is None:
        return stmt
    return stmt.where(tuple_(Inspection.submitted_at, Inspection.id) < tuple_(*cursor))


QUEUE_ORDER = (Inspection.submitted_at.desc(), Inspection.id.desc())


@dataclass(frozen=True)
class QueueRow:
    id: str
    submitted_at: datetime
    status: str
    revision: int
    case_number: str | None
    party_name: str
    credit_code: str | None
    agency_name: str
    category: str
    template_title: str
    failed_items: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def queue_page(user: User, filters: QueueFilters, cursor: str | None = None, limit: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue, newest submitted first."""
    ids = after_cursor(filtered(user, filters), decode_cursor(cursor)).order_by(*QUEUE_ORDER).limit(limit + 1)
    page = ids.subquery()
    rows = db.session.execute(
        select(Inspection.id, Inspection.submitted_at, Inspection.status, Inspection.revision,
               Inspection.case_number, Party.name, Party.credit_code, Agency.short_name,
               ChecklistTemplate.category, ChecklistTemplate.title)
        .join(page, page.c.id == Inspection.id)
        .join(Party, Party.id == Inspection.party_id).join(Agency, Agency.id == Inspection.agency_id)
        .join(ChecklistTemplate, ChecklistTemplate.id == Inspection.template_id)
        .order_by(*QUEUE_ORDER)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    failed = dict(db.session.execute(
        select(Finding.inspection_id, func.count()).where(
            Finding.inspection_id.in_([r.id for r in rows]), Finding.result == "fail", Finding.deleted_at.is_(None))
        .group_by(Finding.inspection_id)
    ).all()) if rows else {}
    result = [QueueRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], failed.get(r[0], 0))
              for r in rows]
    next_cursor = encode_cursor(rows[-1][1], rows[-1][0]) if more and rows else None
    return QueuePage(result, next_cursor)


def status_counts(user: User, filters: QueueFilters) -> dict[str, int]:
    """Cases per status tab under the other filters, each counted up to COUNT_CAP + 1."""
    counts = {}
    for status in QUEUE_STATUSES:
        capped = filtered(user, replace(filters, status=status)).limit(COUNT_CAP + 1).subquery()
        counts[status] = db.session.scalar(select(func.count()).select_from(capped))
    return counts


def count_matching(user: User, filters: QueueFilters) -> int:
    """The exact number of cases the filters match (for an export's progress)."""
    return db.session.scalar(select(func.count()).select_from(filtered(user, filters).subquery()))


def agencies_for_filter(user: User) -> list[Agency]:
    """The agencies a reviewer can narrow the queue to: their subtree, parents before children."""
    return list(db.session.scalars(select(Agency).where(Agency.path.startswith(user.agency.path))
                                   .order_by(Agency.path)))


def keyset_batches(user: User, filters: QueueFilters, batch: int = 500):
    """Every matching inspection id in queue order, a batch at a time (exports)."""
    cursor = None
    while True:
        stmt = after_cursor(filtered(user, filters).add_columns(Inspection.submitted_at), cursor)
        rows = db.session.execute(stmt.order_by(*QUEUE_ORDER).limit(batch)).all()
        if not rows:
            return
        yield [r[0] for r in rows]
        if len(rows) < batch:
            return
        cursor = (rows[-1][1], rows[-1][0])
