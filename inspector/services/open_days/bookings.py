"""A farmer's booking from the public page, and the result lookup by booking number and phone.

Abuse limits count per phone number and per browser (a random token in the signed session
cookie), with a high backstop per client address only: farmers share a venue's network or a
carrier's address. A booking number is 8 characters from 31 unambiguous ones (≈ 40 bits), so it
cannot be guessed; a lookup answers the same words whether the number is unknown or the phone is
wrong, and failures are limited per browser and per number typed.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
import uuid
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select

from ...clock import now, today_cn
from ...database import db
from ...errors import ApiError
from ...models import OpenDay, OpenDayBooking, OpenDayLookupFailure, OpenDaySlot, User
from ...models.open_day import ACTIVE_STATUSES
from .. import audit
from .events import HOLDING, invalid, public_open_day

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and written by hand
NUMBER_LENGTH = 8
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalise_phone(raw: str | None) -> str | None:
    """An 11-digit mainland mobile number, from what a person types (spaces, dashes, +86, and the
    full-width digits a Chinese input method gives)."""
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if MOBILE.match(digits) else None


def new_number() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(NUMBER_LENGTH))


def format_number(number: str) -> str:
    return f"{number[:4]}-{number[4:]}"


def parse_number(raw: str | None) -> str:
    """What was typed, as stored: upper case, separators dropped (o and i read as 0 and 1 are not used)."""
    return re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()[:NUMBER_LENGTH * 2]


def new_browser_token() -> str:
    return secrets.token_urlsafe(18)


def browser_key(token: str) -> str:
    """A keyed digest of the browser's token: stored and counted, never shown."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _limit(count: int, limit: int, which: str) -> None:
    if count >= limit:
        raise ApiError("booking_limit", details={"_": [which]})


def _check_limits(phone: str, open_day_id: str, browser: str, address: str) -> None:
    cfg = current_app.config
    today = today_cn()
    active = db.session.scalar(select(func.count()).select_from(OpenDayBooking).where(
        OpenDayBooking.phone == phone, OpenDayBooking.open_day_id == open_day_id,
        OpenDayBooking.status.in_(ACTIVE_STATUSES)))
    _limit(active, cfg["OPEN_DAY_BOOKINGS_PER_PHONE"], "od_limit_phone_event")
    for column, value, limit, which in (
        (OpenDayBooking.phone, phone, cfg["OPEN_DAY_BOOKINGS_PER_PHONE_PER_DAY"], "od_limit_phone_day"),
        (OpenDayBooking.browser, browser, cfg["OPEN_DAY_BOOKINGS_PER_BROWSER_PER_DAY"], "od_limit_browser_day"),
        (OpenDayBooking.address, address, cfg["OPEN_DAY_BOOKINGS_PER_ADDRESS_PER_DAY"], "od_limit_address_day"),
    ):
        count = db.session.scalar(select(func.count()).select_from(OpenDayBooking).where(
            column == value, OpenDayBooking.booked_on == today))
        _limit(count, limit, which)


def _slot_and_phone(open_day, data: dict[str, Any]) -> tuple[OpenDaySlot, str]:
    """The slot of this open day and the phone number; a past day, another open day's slot or a
    number that is not one are refused."""
    slot = db.session.scalars(select(OpenDaySlot).where(OpenDaySlot.id == data["slot_id"],
                                                        OpenDaySlot.open_day_id == open_day.id)).first()
    errors: dict[str, str] = {}
    if slot is None:
        errors["slotID"] = "od_err_slot"
    elif slot.day < today_cn():
        errors["slotID"] = "od_err_past"
    phone = normalise_phone(data["phone"])
    if phone is None:
        errors["phone"] = "od_err_phone"
    if errors:
        raise invalid(errors)
    return slot, phone


def _place(open_day, slot: OpenDaySlot, data: dict[str, Any], phone: str, browser: str, address: str,
           status: str | None = None) -> OpenDayBooking:
    """Add the booking: refused when the slot is full, wait-listed past the event's sample places."""
    taken = db.session.scalar(select(func.count()).select_from(OpenDayBooking).where(
        OpenDayBooking.slot_id == slot.id, OpenDayBooking.status.in_(HOLDING)))
    if taken >= slot.capacity:
        raise ApiError("slot_full", details={"slotID": ["od_err_slot_full"]})
    if status is None:
        status = "booked"
        if open_day.capacity_samples is not None:
            held = db.session.scalar(select(func.count()).select_from(OpenDayBooking).where(
                OpenDayBooking.open_day_id == open_day.id, OpenDayBooking.status.in_(HOLDING)))
            if held >= open_day.capacity_samples:
                status = "waitlisted"
    while True:
        number = new_number()
        if db.session.scalar(select(func.count()).select_from(OpenDayBooking)
                             .where(OpenDayBooking.number == number)) == 0:
            break
    booking = OpenDayBooking(
        id=str(uuid.uuid4()), number=number, open_day_id=open_day.id, slot_id=slot.id, status=status,
        name=data["name"].strip(), phone=phone, product=data["product"].strip(), brand=data.get("brand"),
        batch=data.get("batch"), bought_from=data["bought_from"].strip(), browser=browser, address=address[:64],
        booked_on=today_cn(), created_at=now())
    db.session.add(booking)
    db.session.flush()
    return booking


def book(open_day_id: str, data: dict[str, Any], browser_token: str, address: str) -> OpenDayBooking:
    """Book a slot (data as loaded by schemas.open_days.BookingIn); commits.

    Refuses a past day, a phone number that is not one, a full slot and bookings over the limits;
    past the event's sample capacity the booking is wait-listed (OPEN-A1).
    """
    open_day = public_open_day(open_day_id, lock=True)
    slot, phone = _slot_and_phone(open_day, data)
    browser = browser_key(browser_token)
    _check_limits(phone, open_day.id, browser, address)
    booking = _place(open_day, slot, data, phone, browser, address)
    # The audit trail names the booking, not the person.
    audit.record("open_day.book", "open_day_booking", booking.id, data={"openDay": open_day.id, "slot": slot.id,
                                                                        "status": booking.status})
    db.session.commit()
    return booking


def book_walk_in(by: User, open_day, data: dict[str, Any]) -> OpenDayBooking:
    """A farmer who came without booking, registered at the desk and checked in at once (OPEN-R2).
    The public limits do not apply (the desk's one browser serves everyone); slots still fill.
    `open_day` comes locked (`staff_open_day(..., lock=True)`)."""
    slot, phone = _slot_and_phone(open_day, data)
    booking = _place(open_day, slot, data, phone, f"desk:{by.id}", "desk", status="checked_in")
    booking.checked_in_at, booking.checked_in_by_id = now(), by.id
    audit.record("open_day.walk_in", "open_day_booking", booking.id, actor_id=by.id,
                 data={"openDay": open_day.id, "slot": slot.id})
    db.session.commit()
    return booking


def _lookup_window() -> timedelta:
    return timedelta(minutes=current_app.config["OPEN_DAY_LOOKUP_WINDOW_MINUTES"])


def lookup(number_typed: str, phone_typed: str, browser_token: str) -> OpenDayBooking:
    """The booking with this number and phone, or `booking_not_found` whichever part is wrong.

    After too many failures from this browser, or for this number, answers `rate_limited` first.
    """
    number = parse_number(number_typed)
    browser = browser_key(browser_token)
    since = now() - _lookup_window()
    limit = current_app.config["OPEN_DAY_LOOKUP_FAILURES"]
    for column, value in ((OpenDayLookupFailure.browser, browser), (OpenDayLookupFailure.number, number)):
        count, oldest = db.session.execute(select(func.count(), func.min(OpenDayLookupFailure.at))
                                           .where(column == value, OpenDayLookupFailure.at > since)).one()
        if count >= limit:
            wait = max(1, math.ceil((oldest + _lookup_window() - now()).total_seconds()))
            raise ApiError("rate_limited", details={"retryAfterSeconds": wait}, headers={"Retry-After": str(wait)})
    phone = normalise_phone(phone_typed)
    booking = None
    if phone is not None and len(number) == NUMBER_LENGTH:
        booking = db.session.scalars(select(OpenDayBooking).where(OpenDayBooking.number == number,
                                                                  OpenDayBooking.phone == phone)).first()
    if booking is None:
        db.session.add(OpenDayLookupFailure(browser=browser, number=number[:16], at=now()))
        db.session.commit()
        raise ApiError("booking_not_found")
    db.session.execute(delete(OpenDayLookupFailure).where(OpenDayLookupFailure.browser == browser))
    db.session.commit()
    return booking


FORGOTTEN = "（已删除）"


def forget_contacts(older_than_days: int) -> int:
    """Erase the name and phone (and the browser and address digests) of bookings whose open day
    ended more than `older_than_days` ago (OPEN-R6); what was tested and found stays for the
    statistics, and a 举报 made of a result keeps its reporter under the register's own rules.
    Returns how many bookings were erased; commits."""
    ended_before = today_cn() - timedelta(days=older_than_days)
    rows = db.session.scalars(select(OpenDayBooking).join(OpenDayBooking.open_day).where(
        OpenDay.last_day < ended_before, OpenDayBooking.name != FORGOTTEN)).all()
    for booking in rows:
        booking.name, booking.phone, booking.browser, booking.address = FORGOTTEN, "", "", ""
    erased = len(rows)
    if erased:
        audit.record("open_day.forget_contacts", "open_day_booking", "*",
                     data={"bookings": erased, "endedBefore": ended_before.isoformat()})
    db.session.commit()
    return erased
