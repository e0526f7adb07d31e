"""Reporting upward (上报): the dates each level owes its reports by, and the reports themselves.

A campaign's reporting dates (`ReportDeadline`) are set per level: what the leagues owe the region
(方案 by 3月7日 and 总结 by 3月25日 unless the region set others) and what a league's counties owe
the league (set by that league, earlier). A 3·15 broadcast exposure's 专报 is derived from the
exposure tasks, not stored here. A report (`UpwardReport`) is a draft until submitted; submission
freezes its figures, narrative and typical cases as a JSON snapshot with its SHA-256.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency
from .inspection import Campaign

REPORT_KINDS = ("plan", "summary", "special")  # 方案, 总结, 专报 (3·15 exposure)
REPORT_STATUSES = ("draft", "submitted")


class ReportDeadline(db.Model):
    """A reporting date a bureau set for the level below it (a calendar date, never moved)."""

    __tablename__ = "report_deadline"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    set_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    due_date: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UpwardReport(db.Model):
    __tablename__ = "upward_report"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    narrative: Mapped[str] = mapped_column(Text, default="")
    # Figures the records cannot give, as typed: {"materials": 1200, …}.
    entered: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    typical_case_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # 专报 sections: {"exposed": …, "actions": …, "results": …}.
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    report_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    verify_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    agency: Mapped[Agency] = relationship()
    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
