"""待办: every open deadline a person or a bureau has, in the buckets people act on.

Buckets, counted on the official calendar from today's Beijing date (`clock.today_cn`):
- overdue: the due day has passed;
- today: due today;
- soon: due within the next 2 working days (after today, up to the 2nd working day after it);
- provisional: any open deadline whose date rests on a year with no loaded notice (暂定); it is
  counted here as well as in its date bucket, so the officer knows to recheck it.

Deadlines come from `SOURCES`: one function per kind of record (filings' statutory deadlines,
tasks' due dates; the case clocks of issue 14 add theirs with `@source`), each answering the open
deadlines within a jurisdiction, with the officers who handle them. A per-officer list is the
bureau's list filtered to the deadlines the officer handles.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.sql import Select

from ... import clock
from ...database import db
from ...models import Agency, Filing, Task, TaskAssignee, User
from ..calendar.deadlines import working_days_after

BUCKETS = ("overdue", "today", "soon", "provisional")
SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class Deadline:
    """One open deadline: what it is for, when, and who handles it."""

    source_kind: str  # "task", "complaint", "report", …
    source_id: str
    rule: str  # what the date is: "task.due", a rule id such as "CR-S1"
    title: str
    due_date: date
    provisional: bool
    agency_id: int
    officer_ids: frozenset[int] = frozenset()  # empty: the bureau's, nobody named yet


@dataclass
class Todo:
    """Open deadlines by bucket, most pressing first."""

    today: date
    buckets: dict[str, list[Deadline]] = field(default_factory=lambda: {b: [] for b in BUCKETS})

    @property
    def counts(self) -> dict[str, int]:
        return {b: len(items) for b, items in self.buckets.items()}


Source = Callable[[Select], Iterable[Deadline]]
SOURCES: list[Source] = []


def source(fn: Source) -> Source:
    """Register a function answering the open deadlines of the agencies `agency_ids` selects."""
    SOURCES.append(fn)
    return fn


@source
def task_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Open and started tasks with a due date; handled by their inspectors who are not recused."""
    tasks = db.session.scalars(select(Task).where(
        Task.agency_id.in_(agency_ids), Task.status.in_(("open", "started")), Task.due_date.is_not(None))).all()
    if not tasks:
        return []
    people: dict[str, set[int]] = {}
    for task_id, user_id in db.session.execute(select(TaskAssignee.task_id, TaskAssignee.user_id).where(
            TaskAssignee.task_id.in_([t.id for t in tasks]), TaskAssignee.recused.is_(False))):
        people.setdefault(task_id, set()).add(user_id)
    return [Deadline("task", t.id, "task.due", t.title, t.due_date, t.due_provisional, t.agency_id,
                     frozenset(people.get(t.id, ()))) for t in tasks]


@source
def filing_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Each open filing's earliest open statutory deadline (kept in its columns by every step),
    handled by its handler, or by the handling bureau while none is named. The title names the
    registration number and the respondent, never the complainant or reporter."""
    rows = db.session.execute(select(
        Filing.id, Filing.kind, Filing.reg_no, Filing.respondent_name, Filing.due_rule, Filing.due_on,
        Filing.due_provisional, Filing.handling_agency_id, Filing.handler_id,
    ).where(Filing.handling_agency_id.in_(agency_ids), Filing.due_on.is_not(None), Filing.deleted_at.is_(None)))
    return [Deadline(kind, filing_id, rule or "filing.due", f"{reg_no or ''} {respondent or ''}".strip(), due_on,
                     bool(provisional), agency_id, frozenset([handler_id]) if handler_id else frozenset())
            for filing_id, kind, reg_no, respondent, rule, due_on, provisional, agency_id, handler_id in rows]


def bucket_of(deadline: Deadline, today: date, soon_until: date) -> str | None:
    """The date bucket of a deadline, or None when it is further off than `soon_until`."""
    if deadline.due_date < today:
        return "overdue"
    if deadline.due_date == today:
        return "today"
    if deadline.due_date <= soon_until:
        return "soon"
    return None


def _subtree(agency: Agency) -> Select:
    return select(Agency.id).where(Agency.path.startswith(agency.path))


def deadlines_of(agency: Agency) -> list[Deadline]:
    """Every open deadline in the agency's jurisdiction, from every source."""
    found: list[Deadline] = []
    for fn in SOURCES:
        found.extend(fn(_subtree(agency)))
    return found


def todo(user: User, *, mine: bool, today: date | None = None) -> Todo:
    """The user's 待办 (`mine`: the deadlines they handle) or their bureau's (their jurisdiction's)."""
    today = today or clock.today_cn()
    soon_until = working_days_after(today, SOON_WORKING_DAYS).date
    result = Todo(today)
    for deadline in deadlines_of(user.agency):
        if mine and user.id not in deadline.officer_ids:
            continue
        bucket = bucket_of(deadline, today, soon_until)
        if bucket:
            result.buckets[bucket].append(deadline)
        if deadline.provisional:
            result.buckets["provisional"].append(deadline)
    for items in result.buckets.values():
        items.sort(key=lambda d: (d.due_date, d.title))
    return result

from ..case_clocks import todo as _case_clocks_todo  # noqa: E402,F401  (registers their sources)
