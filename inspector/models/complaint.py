"""The complaints and reports register (投诉举报登记): filings, the people behind them, every
transition with its notice, pauses of the statutory clocks, and attachments.

One table serves the three kinds (咨询 inquiry, 投诉 complaint, 举报 report); a mixed filing is
two rows linked to each other. The person who complained or reported lives in a table of its own
(`filing_person`) so that no page, export, task or PDF shows them by accident: code reads it only
through services/complaints/confidential.py, which applies the rule of who may see a reporter.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency
from .party import Party
from .sync import Versioned

FILING_KINDS = ("inquiry", "complaint", "report")  # 咨询, 投诉, 举报
# next-capabilities.md §1.2 CR-C1
CHANNELS = (
    "12315_platform", "12315_phone", "12345_hotline", "walk_in", "letter", "fax", "email", "onsite_event",
    "media_exposure", "referral", "inspection_found", "12365", "96333",
)
# 化肥/农药/种子/农膜/农机/其他 (§1.3), in the checklist templates' codes where they exist.
PRODUCT_CATEGORIES = ("fertilizer", "pesticide", "seed", "film", "machinery", "other")
RULE_VERSIONS = ("V20", "V121")
COMPLAINT_STATUSES = (
    "received", "id_requested", "accepted", "mediating", "testing_paused", "recusal_paused",
    "mediated", "mediation_terminated", "rejected", "closed",
)
REPORT_STATUSES = (
    "verifying", "testing_paused", "jurisdiction_disputed", "redirected", "case_opened", "not_opened", "closed",
)
INQUIRY_STATUSES = ("received", "answered")
NOTICE_METHODS = ("internet", "phone", "sms", "email", "letter", "in_person")  # 互联网 电话 短信 电子邮件 信函 当面


class Filing(Versioned, db.Model):
    """One complaint, report or inquiry as registered, with its current status and open deadline."""

    __tablename__ = "filing"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, may be made on a phone
    reg_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # 12315/12345 工单号
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The China calendar day the handling bureau received it: the statutory clocks start here
    # (a transfer restarts it at the new bureau, CR-C2) and the rule version follows it (CR-L1).
    clock_start_on: Mapped[date] = mapped_column(Date)
    rule_version: Mapped[str] = mapped_column(String(8))
    received_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    handling_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The respondent (被投诉人 / 被举报人): a party of the registry, or as told when it is not one.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"), nullable=True, index=True)
    respondent_name: Mapped[str] = mapped_column(String(200))
    respondent_address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    respondent_contact: Mapped[str | None] = mapped_column(String(64), nullable=True)
    respondent_credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    product_category: Mapped[str] = mapped_column(String(16), index=True)
    facts: Mapped[str] = mapped_column(Text)  # what happened / 具体线索 (clues of a report)
    requests: Mapped[str | None] = mapped_column(Text, nullable=True)  # what is asked (诉求)
    harm_known_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    consent_publish: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    consent_mediation: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # 同意委托调解
    # The other half of a mixed filing (投诉 + 举报), or the report opened from a clue in mediation.
    linked_filing_id: Mapped[str | None] = mapped_column(ForeignKey("filing.id"), nullable=True, index=True)
    # Dates the clocks after the first one run from (China calendar days).
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 立案/不予立案, 终止调解
    extension_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The open deadline, kept up to date by every transition so 待办 lists are one query.
    due_rule: Mapped[str | None] = mapped_column(String(40), nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    received_by_agency: Mapped[Agency] = relationship(foreign_keys=[received_by_agency_id])
    handling_agency: Mapped[Agency] = relationship(foreign_keys=[handling_agency_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    party: Mapped[Party | None] = relationship()
    linked_filing: Mapped[Filing | None] = relationship(remote_side=[id], post_update=True)
    transitions: Mapped[list[FilingTransition]] = relationship(
        order_by="FilingTransition.id", cascade="all, delete-orphan", back_populates="filing")
    pauses: Mapped[list[FilingPause]] = relationship(order_by="FilingPause.id", cascade="all, delete-orphan")
    attachments: Mapped[list[FilingAttachment]] = relationship(order_by="FilingAttachment.id",
                                                               cascade="all, delete-orphan")


class FilingPerson(db.Model):
    """The complainant or reporter (real name or anonymous). Read only through
    services/complaints/confidential.py: a reporter is seen by the report's handlers alone."""

    __tablename__ = "filing_person"
    filing_id: Mapped[str] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), primary_key=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    id_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    insider: Mapped[bool] = mapped_column(Boolean, default=False)  # 内部人员 (reports)


class FilingTransition(db.Model):
    """One step of a filing: who, when, why, and the notice sent with it."""

    __tablename__ = "filing_transition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    on_date: Mapped[date] = mapped_column(Date)  # the China calendar day of the step
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    ground: Mapped[str | None] = mapped_column(String(8), nullable=True)  # 不予受理 / 终止调解 ground number
    notice_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    notice_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notice_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Agencies involved in a transfer or dispute, the agency the person was told to go to, etc.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    filing: Mapped[Filing] = relationship(back_populates="transitions")
    by: Mapped[User] = relationship()


class FilingPause(db.Model):
    """A period the clock stops: lab testing (检测/检验/鉴定) or a recusal request; [from, resumed_on)."""

    __tablename__ = "filing_pause"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # testing | recusal
    paused_from: Mapped[date] = mapped_column(Date)
    resumed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class FilingAttachment(db.Model):
    """A photo, receipt or recording of a filing, by the SHA-256 of its bytes (the evidence path)."""

    __tablename__ = "filing_attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str | None] = mapped_column(Text, nullable=True)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)  # the file name as sent
    # A photo or recording that shows who the reporter is: seen only by those who may see the reporter.
    identifies_reporter: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

