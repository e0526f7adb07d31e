"""Announcing an open day (region or league bureau) and listing open days: public pages show slot
counts only, staff pages the bookings of the open days in their jurisdiction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from ...clock import now, today_cn
from ...database import db
from ...errors import ApiError
from ...models import OpenDay, OpenDayBooking, OpenDaySlot, User
from ...models.open_day import ACTIVE_STATUSES
from .. import audit
from ..scope import agency_in_scope

ANNOUNCE_ROLES = ("officer", "head", "reviewer", "admin")
STAFF_ROLES = ANNOUNCE_ROLES + ("registrar",)
ANNOUNCING_LEVELS = ("region", "league")  # issue 15 §2: the region or a league announces
MAX_DAYS = 14
# Bookings that take a place in a slot; wait-listed ones wait for a place of the event.
HOLDING = tuple(s for s in ACTIVE_STATUSES if s != "waitlisted")


def invalid(details: dict[str, str]) -> ApiError:
    """A field error whose message is an i18n key (pages show it in the reader's language)."""
    return ApiError("validation_failed", details={k: [v] for k, v in details.items()})


def announce(by: User, data: dict[str, Any]) -> OpenDay:
    """Announce and publish an open day (data as loaded by schemas.open_days.OpenDayIn); commits."""
    if by.role not in ANNOUNCE_ROLES or not by.active or by.agency.level not in ANNOUNCING_LEVELS:
        raise ApiError("forbidden", "Only a region or league bureau announces open days.")
    errors: dict[str, str] = {}
    first, last = data["first_day"], data["last_day"]
    if first < today_cn():
        errors["firstDay"] = "od_err_past"
    if last < first:
        errors["lastDay"] = "od_err_last_before_first"
    elif (last - first).days >= MAX_DAYS:
        errors["lastDay"] = "od_err_too_many_days"
    bands = data["slots"]
    if len({b["band"] for b in bands}) != len(bands):
        errors["slots"] = "od_err_band_twice"
    if errors:
        raise invalid(errors)
    open_day = OpenDay(id=str(uuid.uuid4()), agency_id=by.agency_id, lab=data["lab"].strip(),
                       place=data["place"].strip(), first_day=first, last_day=last,
                       services=[s.strip() for s in data["services"] if s.strip()],
                       contact_phone=data.get("contact_phone"), note=data.get("note"),
                       capacity_samples=data.get("capacity_samples"), published_at=now(), created_by_id=by.id)
    day = first
    while day <= last:
        for band in bands:
            open_day.slots.append(OpenDaySlot(day=day, band=band["band"], capacity=band["capacity"]))
        day += timedelta(days=1)
    db.session.add(open_day)
    db.session.flush()
    audit.record("open_day.announce", "open_day", open_day.id, actor_id=by.id,
                 data={"lab": open_day.lab, "firstDay": first.isoformat(), "lastDay": last.isoformat()})
    db.session.commit()
    return open_day


@dataclass(frozen=True)
class SlotView:
    """What anyone may see of a slot: its day, band and counts; never who booked."""

    id: int
    day: date
    band: str
    capacity: int
    taken: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def past(self) -> bool:
        return self.day < today_cn()


def slot_views(open_day: OpenDay) -> list[SlotView]:
    counts = dict(db.session.execute(
        select(OpenDayBooking.slot_id, func.count()).where(OpenDayBooking.open_day_id == open_day.id,
                                                           OpenDayBooking.status.in_(HOLDING))
        .group_by(OpenDayBooking.slot_id)).all())
    return [SlotView(s.id, s.day, s.band, s.capacity, counts.get(s.id, 0)) for s in open_day.slots]


def public_open_days() -> list[OpenDay]:
    """Published, not cancelled, not yet over; soonest first."""
    return list(db.session.scalars(
        select(OpenDay).where(OpenDay.published_at.is_not(None), OpenDay.cancelled_at.is_(None),
                              OpenDay.last_day >= today_cn()).order_by(OpenDay.first_day, OpenDay.lab)))


def _get(open_day_id: str, lock: bool) -> OpenDay | None:
    """`lock` (booking): on PostgreSQL one booking of the open day at a time, so its slots' and
    samples' places and a phone's limit are counted without a race (SQLite locks at BEGIN)."""
    if not isinstance(open_day_id, str) or len(open_day_id) > 36:
        return None
    query = select(OpenDay).where(OpenDay.id == open_day_id)
    return db.session.scalars(query.with_for_update() if lock else query).first()


def public_open_day(open_day_id: str, *, lock: bool = False) -> OpenDay:
    """A published, not cancelled open day, or `not_found`."""
    open_day = _get(open_day_id, lock)
    if open_day is None or open_day.published_at is None or open_day.cancelled_at is not None:
        raise ApiError("not_found")
    return open_day


def staff_open_days(user: User) -> list[OpenDay]:
    """The open days of the user's jurisdiction, newest first."""
    rows = db.session.scalars(select(OpenDay).order_by(OpenDay.first_day.desc(), OpenDay.created_at.desc()))
    return [o for o in rows if agency_in_scope(user, o.agency)]


def staff_open_day(user: User, open_day_id: str, *, lock: bool = False) -> OpenDay:
    """An open day of the user's jurisdiction, or `not_found`."""
    open_day = _get(open_day_id, lock)
    if open_day is None or user.role not in STAFF_ROLES or not agency_in_scope(user, open_day.agency):
        raise ApiError("not_found")
    return open_day


def bookings_of(open_day: OpenDay) -> list[OpenDayBooking]:
    """The desk's list: every booking of the open day by slot, then by when it was made."""
    return list(db.session.scalars(
        select(OpenDayBooking).join(OpenDaySlot, OpenDaySlot.id == OpenDayBooking.slot_id)
        .where(OpenDayBooking.open_day_id == open_day.id)
        .order_by(OpenDaySlot.day, OpenDaySlot.band, OpenDayBooking.created_at)))
