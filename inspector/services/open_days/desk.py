"""The desk on the day and the lab afterwards: check-in, each sample registered, its result, and a
suspect result forwarded to the complaints register as a 举报 with the farmer's consent.

Results are informational (OPEN-L3): not a 监督抽查, not evidence, not a 检验报告. A forwarded
result is a clue: the 举报 names the seller as the reported party, the farmer as its real-name
reporter (or anonymous, at his choice), and the register keeps the reporter confidential (CR-R5).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.sql import Select

from ...clock import now, today_cn
from ...database import db
from ...errors import ApiError
from ...models import OpenDay, OpenDayBooking, OpenDaySample, User
from .. import audit
from ..calendar.deadlines import working_days_after
from ..complaints import INTAKE_ROLES
from ..complaints.register import add_filing
from ..scope import agency_in_scope
from ..todo import Deadline, source
from .bookings import format_number, parse_number
from .events import STAFF_ROLES, invalid

DISCLAIMER = "本结果仅供参考，不作为执法依据，不是法定检验报告。"


def staff_booking(user: User, booking_id: str) -> OpenDayBooking:
    """A booking of an open day in the user's jurisdiction (404 otherwise)."""
    booking = db.session.get(OpenDayBooking, booking_id) if len(booking_id) <= 36 else None
    if booking is None or user.role not in STAFF_ROLES or not agency_in_scope(user, booking.open_day.agency):
        raise ApiError("not_found")
    return booking


def find_by_number(open_day: OpenDay, number: str) -> OpenDayBooking | None:
    """The desk's search: a booking of the open day (one the user may see) by its number as read out."""
    return db.session.scalars(select(OpenDayBooking).where(OpenDayBooking.open_day_id == open_day.id,
                                                           OpenDayBooking.number == parse_number(number))).first()


def check_in(by: User, booking: OpenDayBooking) -> None:
    if booking.status not in ("booked", "waitlisted"):
        raise ApiError("booking_state")
    booking.status, booking.checked_in_at, booking.checked_in_by_id = "checked_in", now(), by.id
    audit.record("open_day.check_in", "open_day_booking", booking.id, actor_id=by.id)
    db.session.commit()


def register_sample(by: User, booking: OpenDayBooking, data: dict[str, Any]) -> OpenDaySample:
    """Register a sample the farmer brought (data as loaded by schemas.open_days.SampleIn); commits."""
    if booking.status not in ("checked_in", "sample_received", "result_ready"):
        raise ApiError("booking_state")
    received = today_cn()
    due = working_days_after(received, current_app.config["OPEN_DAY_RESULT_WORKING_DAYS"])
    sample = OpenDaySample(
        label=f"{format_number(booking.number)}-{len(booking.samples) + 1}", product=data["product"].strip(),
        brand=data.get("brand"), batch=data.get("batch"), bought_from=data["bought_from"].strip(),
        declared=data.get("declared"), received_at=now(), received_by_id=by.id, result_due=due.date,
        result_due_provisional=due.provisional, extra={})
    booking.samples.append(sample)
    booking.status = "sample_received"
    db.session.flush()
    audit.record("open_day.sample", "open_day_booking", booking.id, actor_id=by.id, data={"label": sample.label})
    db.session.commit()
    return sample


def enter_result(by: User, booking: OpenDayBooking, sample_id: int, data: dict[str, Any]) -> OpenDaySample:
    """Enter (or correct) a sample's result (schemas.open_days.ResultIn); the booking is
    result-ready once every sample has one. Commits."""
    sample = next((s for s in booking.samples if s.id == sample_id), None)
    if sample is None:
        raise ApiError("not_found")
    if booking.filing_id is not None:
        raise ApiError("booking_state", "Forwarded to the register: the result is part of the report now.")
    sample.test_item, sample.declared_value = data["test_item"].strip(), data.get("declared_value")
    sample.measured_value, sample.verdict = data["measured_value"].strip(), data["verdict"]
    sample.result_note, sample.result_at, sample.result_by_id = data.get("result_note"), now(), by.id
    if all(s.result_at is not None for s in booking.samples):
        booking.status = "result_ready"
    audit.record("open_day.result", "open_day_booking", booking.id, actor_id=by.id,
                 data={"label": sample.label, "verdict": sample.verdict})
    db.session.commit()
    return sample


def suspect_samples(booking: OpenDayBooking) -> list[OpenDaySample]:
    return [s for s in booking.samples if s.verdict == "suspect"]


def may_forward(user: User, booking: OpenDayBooking) -> bool:
    return user.role in INTAKE_ROLES and booking.filing_id is None and bool(suspect_samples(booking))


def _clue_text(booking: OpenDayBooking) -> str:
    """The 举报's clues: the open-day result in words, marked informational; no personal data."""
    day = booking.open_day
    lines = [f"实验室开放日快检线索（{day.lab}，{booking.slot.day.isoformat()}，预约号 {format_number(booking.number)}）。",
             DISCLAIMER]
    for s in suspect_samples(booking):
        parts = [f"样品 {s.label}：{s.product}"]
        if s.brand:
            parts.append(f"品牌 {s.brand}")
        if s.batch:
            parts.append(f"批次 {s.batch}")
        parts.append(f"购自 {s.bought_from}")
        result = f"{s.test_item} 标称 {s.declared_value or '—'}，实测 {s.measured_value}"
        lines.append("，".join(parts) + f"；{result}" + (f"（{s.result_note}）" if s.result_note else "") + "。")
    return "\n".join(lines)


def forward_to_register(by: User, booking: OpenDayBooking, data: dict[str, Any]):
    """Make the suspect result a 举报 (schemas.open_days.ForwardIn), recording the farmer's consent;
    refused without consent. Returns the filing; commits."""
    if by.role not in INTAKE_ROLES or not by.active:
        raise ApiError("forbidden", "Only registrars and officers register reports.")
    if booking.filing_id is not None or not suspect_samples(booking):
        raise ApiError("booking_state")
    if not data.get("consent"):
        raise invalid({"consent": "od_err_consent"})
    anonymous = bool(data.get("anonymous"))
    seller = data.get("respondent_name") or suspect_samples(booking)[0].bought_from
    filing = add_filing(by, {
        "kind": "report", "channel": "onsite_event", "received_at": now(),
        "respondent_name": seller.strip()[:200], "respondent_address": data.get("respondent_address"),
        "product_category": data["product_category"], "facts": _clue_text(booking), "anonymous": anonymous,
        **({} if anonymous else {"person_name": booking.name, "person_phone": booking.phone}),
    })
    booking.consent_forward, booking.consent_method = True, data["consent_method"]
    booking.consent_anonymous, booking.consent_at, booking.consent_by_id = anonymous, now(), by.id
    booking.filing_id = filing.id
    audit.record("open_day.forward", "open_day_booking", booking.id, actor_id=by.id,
                 data={"filing": filing.id, "regNo": filing.reg_no, "consentMethod": data["consent_method"],
                       "anonymous": anonymous})
    db.session.commit()
    return filing


@source
def result_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Samples still without a result, on the 待办 of the announcing bureau (OPEN-R3); the title
    names the sample's label and product, never the farmer."""
    rows = db.session.execute(
        select(OpenDaySample.id, OpenDaySample.label, OpenDaySample.product, OpenDaySample.result_due,
               OpenDaySample.result_due_provisional, OpenDay.agency_id)
        .join(OpenDayBooking, OpenDayBooking.id == OpenDaySample.booking_id)
        .join(OpenDay, OpenDay.id == OpenDayBooking.open_day_id)
        .where(OpenDay.agency_id.in_(agency_ids), OpenDaySample.result_at.is_(None)))
    return [Deadline("open_day_sample", str(sample_id), "OPEN-R3", f"{label} {product}", due, bool(provisional),
                     agency_id) for sample_id, label, product, due, provisional, agency_id in rows]
