"""Inspection tasks (检查任务): create, reassign (回避 or 改派), cancel, start and complete.

One notion of a task whatever created it: complaints, reports, draws, re-inspections, 3·15
exposures and officers' manual assignments all call `create_task`. The functions here check the
rules and change the rows inside the caller's transaction (they flush, never commit), so a
complaint accepted and the task it creates commit together; the console's routes call
`tasks.console`, which commits.

Rules: a task names the agency with jurisdiction and at least two active inspectors of that
agency (its subtree) with certificate numbers (行政处罚法 第四十二条); the party, if named, is
that agency's; the creator's jurisdiction covers the agency. An inspector who declares a conflict
(回避) or is taken off stays listed, marked `recused` with the reason and who replaced him. A
cancelled or done task changes no more. Phones learn every change at their next pull (the task is
a Versioned row); an inspection already started for a task that is then cancelled is kept and
shown flagged.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ...database import db, utcnow
from ...errors import ApiError
from ...models import TASK_SOURCES, Agency, Inspection, Party, Task, TaskAssignee, User
from .. import audit

if TYPE_CHECKING:  # the calendar helper's Due(date, provisional)
    from ..calendar.deadlines import Due

MIN_INSPECTORS = 2  # 行政处罚法 第四十二条: 执法人员不得少于两人
MAX_TITLE = 200
MAX_TEXT = 4000
CLOSED = ("done", "cancelled")


def _invalid(field: str, message: str, zh: str | None = None) -> ApiError:
    """400 naming the field; `messageZh` is what the console shows in Chinese."""
    return ApiError("validation_failed", message, details={field: [message], **({"messageZh": zh} if zh else {})})


def check_assignees(agency: Agency, assignees: Iterable[User]) -> list[User]:
    """The inspectors, if they are at least two distinct active inspectors of the agency (or below
    it) with certificate numbers; 400 otherwise."""
    people: list[User] = []
    for user in assignees:
        if user is None:
            raise _invalid("assignees", "No such inspector.", "执法人员不存在。")
        if user.id in {p.id for p in people}:
            raise _invalid("assignees", f"{user.display_name} is named twice.", f"{user.display_name}被重复选择。")
        if user.role != "inspector" or not user.active or user.deleted_at is not None:
            raise _invalid("assignees", f"{user.display_name} is not an active inspector.",
                           f"{user.display_name}不是在岗执法人员。")
        if not user.agency.path.startswith(agency.path):
            raise _invalid("assignees", f"{user.display_name} is not an inspector of {agency.name}.",
                           f"{user.display_name}不是{agency.name}的执法人员。")
        if not user.cert_no:
            raise _invalid("assignees", f"{user.display_name} has no certificate number (执法证号).",
                           f"{user.display_name}没有执法证号。")
        people.append(user)
    if len(people) < MIN_INSPECTORS:
        raise _invalid("assignees", f"A task needs at least {MIN_INSPECTORS} inspectors (行政处罚法 第四十二条).",
                       f"检查任务至少需要{MIN_INSPECTORS}名持证执法人员（行政处罚法第四十二条）。")
    return people


def _clean_text(field: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, f"{field} is required.", "请填写必填项。")
    if len(value) > limit:
        raise _invalid(field, f"{field} is longer than {limit} characters.")
    return value or None


def create_task(*, source_kind: str, source_id: str | None, agency: Agency, party: Party | None, title: str,
                what_to_check: str | None, due: Due | None, urgent: bool, assignees: Iterable[User],
                created_by: User) -> Task:
    """A new open task, flushed in the caller's transaction; 400/403 and nothing added on bad input."""
    if source_kind not in TASK_SOURCES:
        raise _invalid("sourceKind", f"source_kind must be one of {', '.join(TASK_SOURCES)}.")
    if agency is None:
        raise _invalid("agency", "No such agency.")
    if not agency.path.startswith(created_by.agency.path):
        raise ApiError("forbidden", f"{agency.name} is outside your jurisdiction.")
    if party is not None:
        if party.deleted_at is not None or not party.agency.path.startswith(agency.path):
            raise _invalid("party", f"{party.name} is not a party of {agency.name}.",
                           f"{party.name}不属于{agency.name}管辖。")
    title = _clean_text("title", title, MAX_TITLE, required=True)
    what_to_check = _clean_text("whatToCheck", what_to_check, MAX_TEXT)
    people = check_assignees(agency, assignees)
    task = Task(id=str(uuid.uuid4()), source_kind=source_kind, source_id=source_id, agency_id=agency.id,
                party_id=party.id if party else None, title=title, what_to_check=what_to_check,
                due_date=due.date if due else None, due_provisional=bool(due and due.provisional),
                urgent=bool(urgent), status="open", created_by_id=created_by.id, created_at=utcnow())
    task.assignees = [TaskAssignee(user_id=user.id, created_at=task.created_at) for user in people]
    db.session.add(task)
    db.session.flush()
    audit.record("task.create", "task", task.id, actor_id=created_by.id,
                 data={"sourceKind": source_kind, "sourceID": source_id, "agency": agency.code,
                       "partyID": task.party_id, "title": title, "urgent": task.urgent,
                       "dueDate": task.due_date.isoformat() if task.due_date else None,
                       "dueProvisional": task.due_provisional, "assignees": [u.id for u in people]})
    return task


def _ensure_open(task: Task) -> None:
    if task.status in CLOSED:
        raise ApiError("task_closed", f"This task is {task.status}; it can no longer change.",
                       details={"status": task.status})


def cancel_task(task: Task, by: User, reason: str) -> Task:
    """Cancel an open or started task; 409 `task_closed` when it is done or cancelled already.
    An inspection started for it is kept (it is evidence) and shows the task as cancelled."""
    _ensure_open(task)
    reason = _clean_text("reason", reason, MAX_TEXT, required=True)
    task.status, task.cancel_reason = "cancelled", reason
    task.cancelled_by_id, task.cancelled_at = by.id, utcnow()
    audit.record("task.cancel", "task", task.id, actor_id=by.id, reason=reason)
    return task


def replace_assignee(task: Task, *, out: User, into: User, reason: str, by: User, recusal: bool) -> Task:
    """Take `out` off the task (a declared conflict 回避 when `recusal`, else a reassignment 改派) and
    put `into` on it; both stay visible. 400 when `into` is not a fit inspector or already named."""
    _ensure_open(task)
    reason = _clean_text("reason", reason, MAX_TEXT, required=True)
    leaving = next((a for a in task.assignees if a.user_id == out.id and not a.recused), None)
    if leaving is None:
        raise _invalid("out", f"{out.display_name} is not on this task.")
    if any(a.user_id == into.id for a in task.assignees):
        raise _invalid("into", f"{into.display_name} is or was on this task already.",
                           f"{into.display_name}已在（或曾在）该任务中。")
    staying = [a.user for a in task.active_assignees if a.user_id != out.id]
    check_assignees(task.agency, [*staying, into])
    leaving.recused, leaving.reason, leaving.replaced_by_id = True, reason, into.id
    task.assignees.append(TaskAssignee(user_id=into.id, created_at=utcnow()))
    task.updated_at = utcnow()  # a changed row: both phones learn it at the next pull
    audit.record("task.recuse" if recusal else "task.reassign", "task", task.id, actor_id=by.id, reason=reason,
                 data={"out": out.id, "into": into.id})
    return task


def is_assignee(task: Task, user: User, *, ever: bool = False) -> bool:
    """Whether the user is on the task now (or, with `ever`, was at some point)."""
    return any(a.user_id == user.id and (ever or not a.recused) for a in task.assignees)


def start_task(task: Task, inspection: Inspection, by: User) -> None:
    """Link an inspection created from the task. The phone may have started it offline before it
    learned of a cancellation or reassignment: the inspection is kept and linked all the same, so
    the console shows it flagged on the cancelled task."""
    inspection.task_id = task.id
    if task.status == "open":
        task.status = "started"
    audit.record("task.start", "task", task.id, actor_id=by.id, inspection_id=inspection.id)


def complete_task(task: Task, inspection: Inspection) -> Task:
    """Mark the task done by this (submitted) inspection. A cancelled task stays cancelled: the
    inspection done for it keeps its link and is shown flagged."""
    inspection.task_id = task.id
    if task.status in ("open", "started"):
        task.status, task.inspection_id = "done", inspection.id
        audit.record("task.complete", "task", task.id, actor_id=inspection.created_by_id,
                     inspection_id=inspection.id)
    return task


def mark_delivered(task_ids: Iterable[str]) -> None:
    """送达: an assigned phone pulled these tasks. A plain UPDATE, not a change of the task: it
    needs no new sync version (phones need not hear of their own delivery)."""
    db.session.execute(update(Task).where(Task.id.in_(list(task_ids)), Task.delivered_at.is_(None))
                       .values(delivered_at=utcnow()).execution_options(synchronize_session=False))


def task_of(inspection: Inspection) -> Task | None:
    return db.session.get(Task, inspection.task_id) if inspection.task_id else None


def assignees_by_id(ids: Iterable[int]) -> list[User | None]:
    """The users named, in order, None for an unknown id (so the rule says which is wrong)."""
    ids = list(ids)
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [found.get(i) for i in ids]
