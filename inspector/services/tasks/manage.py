"""The console's task work: list a bureau's tasks, create a manual task, reassign, cancel.

Each write is one transaction (these functions commit); the rules live in the package's
`create_task`, `replace_assignee` and `cancel_task`. Officers, heads and reviewers manage the
tasks of their jurisdiction; nobody sees or changes another's (404, as for cases).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from ...database import db
from ...errors import ApiError
from ...models import Agency, Inspection, Party, Task, TaskAssignee, User
from ..scope import agency_subtree, get_party, get_task, task_scope
from . import assignees_by_id, cancel_task, create_task, replace_assignee

TASK_MANAGERS = ("officer", "head", "reviewer")
LIST_LIMIT = 500


@dataclass(frozen=True)
class ManualDue:
    """A due date typed by an officer (the deadline module's `Due` shape)."""

    date: date
    provisional: bool = False


def ensure_manager(user: User) -> None:
    if user.role not in TASK_MANAGERS:
        raise ApiError("forbidden", "Only officers, heads and reviewers manage tasks.")


@dataclass
class TaskRow:
    task: Task
    inspections: list[Inspection]  # started for it (kept and flagged when the task was cancelled)


def list_tasks(user: User, status: str | None = None) -> list[TaskRow]:
    """The tasks of the user's jurisdiction, newest first, with the inspections started for them."""
    query = (select(Task).where(task_scope(user), Task.deleted_at.is_(None))
             .options(selectinload(Task.assignees).selectinload(TaskAssignee.user), selectinload(Task.party),
                      selectinload(Task.agency))
             .order_by(Task.created_at.desc()).limit(LIST_LIMIT))
    if status:
        query = query.where(Task.status == status)
    tasks = list(db.session.scalars(query))
    started: dict[str, list[Inspection]] = {}
    if tasks:
        for inspection in db.session.scalars(select(Inspection).where(
                Inspection.task_id.in_([t.id for t in tasks]), Inspection.deleted_at.is_(None))):
            started.setdefault(inspection.task_id, []).append(inspection)
    return [TaskRow(task, started.get(task.id, [])) for task in tasks]


def assignable_inspectors(user: User) -> list[User]:
    """Active inspectors with certificate numbers in the user's jurisdiction (the form's choices)."""
    return list(db.session.scalars(
        select(User).join(Agency, Agency.id == User.agency_id)
        .where(User.agency_id.in_(agency_subtree(user)), User.role == "inspector", User.active.is_(True),
               User.deleted_at.is_(None), User.cert_no.is_not(None))
        .order_by(Agency.path, User.username)))


def counties(user: User) -> list[Agency]:
    """The agencies a task may name: the user's own and those below it."""
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(agency_subtree(user)))
                                   .order_by(Agency.path)))


def _agency(user: User, agency_id: Any) -> Agency:
    try:
        agency = db.session.get(Agency, int(agency_id))
    except (TypeError, ValueError):
        agency = None
    if agency is None or not agency.path.startswith(user.agency.path):
        raise ApiError("validation_failed", "Choose an agency of your jurisdiction.",
                       details={"agency": ["Choose an agency of your jurisdiction."]})
    return agency


def _int_ids(values: list[Any]) -> list[int]:
    try:
        return [int(v) for v in values if str(v).strip()]
    except (TypeError, ValueError):
        raise ApiError("validation_failed", "Unknown inspector.", details={"assignees": ["Unknown inspector."]}) from None


def _due(value: str | None) -> ManualDue | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError("validation_failed", "The due date is not a date.",
                       details={"dueDate": ["The due date is not a date (YYYY-MM-DD)."]}) from None
    if not 2000 <= day.year <= 2100:
        raise ApiError("validation_failed", "The due date is out of range.", details={"dueDate": ["Out of range."]})
    return ManualDue(day)


def create_manual_task(user: User, form: dict[str, Any]) -> Task:
    """An officer's own assignment: an agency, a party of it (optional), what to check, ≥ 2 inspectors."""
    ensure_manager(user)
    agency = _agency(user, form.get("agency_id"))
    party = None
    if form.get("party_id"):
        party = get_party(user, str(form["party_id"]))  # 404 outside the user's scope
    task = create_task(source_kind="manual", source_id=None, agency=agency, party=party,
                       title=form.get("title", ""), what_to_check=form.get("what_to_check"),
                       due=_due(form.get("due_date")), urgent=bool(form.get("urgent")),
                       assignees=assignees_by_id(_int_ids(form.get("assignees", []))), created_by=user)
    db.session.commit()
    return task


def _user(user_id: Any, field: str) -> User:
    found = assignees_by_id(_int_ids([user_id]))[0] if str(user_id or "").strip() else None
    if found is None:
        raise ApiError("validation_failed", "Unknown inspector.", details={field: ["Unknown inspector."]})
    return found


def reassign(user: User, task_id: str, form: dict[str, Any]) -> Task:
    """Replace one inspector of a task by another (回避 when `recusal` is ticked, else 改派)."""
    ensure_manager(user)
    task = _lock(user, task_id)
    replace_assignee(task, out=_user(form.get("out"), "out"), into=_user(form.get("into"), "into"),
                     reason=form.get("reason", ""), by=user, recusal=bool(form.get("recusal")))
    db.session.commit()
    return task


def cancel(user: User, task_id: str, reason: str) -> Task:
    ensure_manager(user)
    task = _lock(user, task_id)
    cancel_task(task, user, reason)
    db.session.commit()
    return task


def _lock(user: User, task_id: str) -> Task:
    """The task in the user's scope, locked for this transaction (PostgreSQL), so two officers'
    changes cannot interleave."""
    get_task(user, task_id)
    return db.session.scalars(select(Task).where(Task.id == task_id).with_for_update()).one()


def alerts(user: User) -> list[Task]:
    """Urgent tasks of the user's jurisdiction that have not reached a phone in time and still have
    not (the undelivered-task job raised them)."""
    return list(db.session.scalars(
        select(Task).where(task_scope(user), Task.agency_id.in_(agency_subtree(user)),
                           Task.undelivered_alert_at.is_not(None), Task.delivered_at.is_(None),
                           Task.status.in_(("open", "started")), Task.deleted_at.is_(None))
        .options(selectinload(Task.party), selectinload(Task.agency))
        .order_by(Task.created_at)))


def open_counts(user: User) -> dict[str, int]:
    """Counts for the landing page: open tasks, undelivered ones, alerts."""
    base = and_(task_scope(user), Task.agency_id.in_(agency_subtree(user)), Task.deleted_at.is_(None),
                Task.status.in_(("open", "started")))
    open_count = db.session.scalar(select(func.count()).select_from(Task).where(base)) or 0
    undelivered = db.session.scalar(select(func.count()).select_from(Task)
                                    .where(base, Task.delivered_at.is_(None))) or 0
    return {"open": open_count, "undelivered": undelivered}


def party_choices(user: User, limit: int = 500) -> list[Party]:
    from ..scope import party_scope

    return list(db.session.scalars(select(Party).where(party_scope(user), Party.deleted_at.is_(None))
                                   .order_by(Party.agency_id, Party.name).limit(limit)))
