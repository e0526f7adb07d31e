"""Lab open days (实验室开放日): a bureau's announced days of free testing for farmers, their time
slots, the farmers' bookings, the samples brought and their informational results.

A booking's person (name, phone) is seen by event staff only; public pages show slot counts.
Results are informational, not a 检验报告; a suspect result may become a 举报 in the complaints
register with the farmer's recorded consent (`filing_id`, `consent_*`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency

# next-capabilities.md §6.3 OPEN-R1, without the notice/collection steps (the farmer looks up).
BOOKING_STATUSES = ("waitlisted", "booked", "checked_in", "sample_received", "result_ready", "no_show", "cancelled")
ACTIVE_STATUSES = ("waitlisted", "booked", "checked_in", "sample_received", "result_ready")
VERDICTS = ("normal", "suspect")  # 未见异常 / 疑似不合格
CONSENT_METHODS = ("in_person", "phone")  # 当面 / 电话


class OpenDay(db.Model):
    """One announced open day (or run of days) of one lab."""

    __tablename__ = "open_day"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # the announcing bureau
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), nullable=True)
    lab: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300))
    first_day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date, index=True)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)  # what can be tested
    contact_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Samples the lab can take over the whole event; bookings past it are wait-listed (OPEN-R2).
    capacity_samples: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    created_by: Mapped[User] = relationship()
    slots: Mapped[list[OpenDaySlot]] = relationship(
        order_by="(OpenDaySlot.day, OpenDaySlot.band)", cascade="all, delete-orphan", back_populates="open_day")


class OpenDaySlot(db.Model):
    """A time band of one day with the number of bookings it takes; full means refused."""

    __tablename__ = "open_day_slot"
    __table_args__ = (UniqueConstraint("open_day_id", "day", "band", name="uq_open_day_slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    open_day_id: Mapped[str] = mapped_column(ForeignKey("open_day.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    band: Mapped[str] = mapped_column(String(11))  # "09:00-11:30"
    capacity: Mapped[int] = mapped_column(Integer)

    open_day: Mapped[OpenDay] = relationship(back_populates="slots")


class OpenDayBooking(db.Model):
    """A farmer's booking: who, what he brings, the slot, its state, and the 举报 it became."""

    __tablename__ = "open_day_booking"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # 预约号, shown formatted XXXX-XXXX
    open_day_id: Mapped[str] = mapped_column(ForeignKey("open_day.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("open_day_slot.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(11), index=True)
    product: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batch: Mapped[str | None] = mapped_column(String(100), nullable=True)
    bought_from: Mapped[str] = mapped_column(String(300))  # the seller (name, place)
    # Keyed digest of the browser's token: the per-browser limit counts it, nothing else reads it.
    browser: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64))  # the client address, a backstop limit only
    booked_on: Mapped[date] = mapped_column(Date, index=True)  # China calendar day of the booking
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # The farmer's consent to forward a suspect result as a 举报, as staff recorded it.
    consent_forward: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    consent_method: Mapped[str | None] = mapped_column(String(12), nullable=True)
    consent_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    filing_id: Mapped[str | None] = mapped_column(ForeignKey("filing.id"), nullable=True, index=True)

    open_day: Mapped[OpenDay] = relationship()
    slot: Mapped[OpenDaySlot] = relationship()
    samples: Mapped[list[OpenDaySample]] = relationship(order_by="OpenDaySample.id", cascade="all, delete-orphan",
                                                        back_populates="booking")


class OpenDaySample(db.Model):
    """One sample registered at the desk, and its quick-test result (informational only)."""

    __tablename__ = "open_day_sample"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("open_day_booking.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(24), unique=True)  # written on the bag: booking number + n
    product: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batch: Mapped[str | None] = mapped_column(String(100), nullable=True)
    bought_from: Mapped[str] = mapped_column(String(300))
    declared: Mapped[str | None] = mapped_column(Text, nullable=True)  # what the bag's label declares
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    result_due: Mapped[date] = mapped_column(Date)  # OPEN-R3
    result_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    test_item: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 总养分
    declared_value: Mapped[str | None] = mapped_column(String(64), nullable=True)  # ≥45%
    measured_value: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 32%
    verdict: Mapped[str | None] = mapped_column(String(8), nullable=True)
    result_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)

    booking: Mapped[OpenDayBooking] = relationship(back_populates="samples")


class OpenDayLookupFailure(db.Model):
    """A failed result lookup, counted per browser and per booking number typed (never per address
    alone: farmers share one venue network or one carrier address)."""

    __tablename__ = "open_day_lookup_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    browser: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(16), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
