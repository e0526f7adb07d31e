"""The 3·15 broadcast exposure fast path (CR-P3: investigated "第一时间", reported to the region).

An officer of the region or a league names the exposed dealers (parties of the registry, or new
ones, which are added to the registry of their county) and one urgent task per dealer is created at
once for the county with jurisdiction (the dealer's county), due the same day in China. Each task
gets two of the county's certified inspectors, those with the fewest open tasks (the county's
officers may reassign them); a county with fewer than two answers 400 and nothing is created. The
region's dashboard lists the exposure tasks as soon as this commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ...database import db, utcnow
from ...errors import ApiError
from ...models import Agency, Party, Task, TaskAssignee, User
from .. import parties as party_service
from ..scope import get_party, task_scope
from . import MIN_INSPECTORS, create_task
from .manage import ensure_manager

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class SameDay:
    """Due the day of the broadcast (the deadline module's `Due` shape)."""

    date: date
    provisional: bool = False


def today_in_china(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CHINA).date()


def least_busy_inspectors(county: Agency, count: int = MIN_INSPECTORS) -> list[User]:
    """The county's active certified inspectors with the fewest open tasks (then by account)."""
    busy = (select(TaskAssignee.user_id, func.count().label("n")).join(Task, Task.id == TaskAssignee.task_id)
            .where(TaskAssignee.recused.is_(False), Task.status.in_(("open", "started")))
            .group_by(TaskAssignee.user_id).subquery())
    return list(db.session.scalars(
        select(User).outerjoin(busy, busy.c.user_id == User.id)
        .where(User.agency_id == county.id, User.role == "inspector", User.active.is_(True),
               User.deleted_at.is_(None), User.cert_no.is_not(None))
        .order_by(func.coalesce(busy.c.n, 0), User.id).limit(count)))


def _dealer(user: User, dealer: dict[str, Any]) -> Party:
    if dealer.get("party_id"):
        return get_party(user, str(dealer["party_id"]))
    name = (dealer.get("name") or "").strip()
    if not name:
        raise ApiError("validation_failed", "A new dealer needs a name.", details={"dealers": ["name is required"]})
    return party_service.create_party(user, {"name": name[:200], "address": (dealer.get("address") or None),
                                             "credit_code": dealer.get("credit_code") or None,
                                             "agency_code": dealer.get("agency_code")}, commit=False)


def create_exposure_tasks(user: User, *, title: str, what_to_check: str | None,
                          dealers: list[dict[str, Any]]) -> list[Task]:
    """One urgent task per named dealer, all in one transaction; 4xx and nothing created on bad input."""
    ensure_manager(user)
    if not dealers:
        raise ApiError("validation_failed", "Name at least one exposed dealer.",
                       details={"dealers": ["Name at least one exposed dealer."], "messageZh": "请至少选择或填写一家被曝光的经销商。"})
    due = SameDay(today_in_china())
    tasks: list[Task] = []
    seen: set[str] = set()
    try:
        for dealer in dealers:
            party = _dealer(user, dealer)
            if party.id in seen:
                continue
            seen.add(party.id)
            county = party.agency
            if county.level != "county":
                raise ApiError("validation_failed", f"{party.name} belongs to no county; choose its county.",
                               details={"dealers": [f"{party.name}: no county"]})
            inspectors = least_busy_inspectors(county)
            if len(inspectors) < MIN_INSPECTORS:
                raise ApiError("validation_failed", f"{county.name} has fewer than two certified inspectors.",
                               details={"dealers": [f"{county.name}: fewer than two inspectors"],
                                        "messageZh": f"{county.name}持证执法人员不足两名，无法派单。"})
            tasks.append(create_task(source_kind="exposure", source_id=None, agency=county, party=party,
                                     title=title, what_to_check=what_to_check, due=due, urgent=True,
                                     assignees=inspectors, created_by=user))
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return tasks


def exposure_tasks(user: User, limit: int = 200) -> list[Task]:
    """The exposure tasks of the user's jurisdiction, newest first (the dashboard's list)."""
    return list(db.session.scalars(
        select(Task).where(task_scope(user), Task.source_kind == "exposure", Task.deleted_at.is_(None))
        .order_by(Task.created_at.desc()).limit(limit)))
