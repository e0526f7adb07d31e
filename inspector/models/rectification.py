"""What follows an inspection: a 责令改正通知书 with its re-inspection, and the case clocks
(行政处罚 time limits) that run from a suspected violation (next-capabilities.md §4).

A rectification order (责令改正通知书) belongs to a case (an inspection). It is issued on site by the
inspectors under their agency's standing authorisation, or drafted and then approved by a 负责人
in the console; it is delivered (送达: how, when, to whom, signed or refused); the working day after
its due date a re-inspection task goes to the county, and the re-inspection closes it (corrected)
or escalates it (not corrected: a case clock for 立案 consideration).

A case clock is one statutory limit of §4.2 (CASE-1 立案 decision, CASE-8 the 90-day decision, CASE-3
先行登记保存 …): start day, unit and count, an approved extension, pauses that are not counted, the
officer who owns it, and the outcome the statistics count.
"""
from __future__ import annotations

from datetime import date, datetime

from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency
from .inspection import Inspection
from .party import Party
from .sync import Versioned

RECTIFICATION_MODES = ("deadline", "immediate")  # 限期改正 / 立即改正
# pending: awaiting a 负责人's approval (not issued); issued: in force; recheck: a re-inspection task
# is out; closed: corrected; escalated: not corrected, a case clock opened; withdrawn: never issued.
RECTIFICATION_STATUSES = ("pending", "issued", "recheck", "closed", "escalated", "withdrawn")
SERVICE_METHODS = ("direct", "left", "electronic", "post", "entrusted", "forwarded", "public")
PARTY_SIGNATURES = ("signed", "refused", "absent")
RECHECK_OUTCOMES = ("corrected", "not_corrected")
# Who signs the order itself (issue 14): the party (drawn, or a refusal with a witness) and the inspectors.
ORDER_SIGNER_ROLES = ("party", "inspector")

CLOCK_STATUSES = ("open", "decided")
PAUSE_KINDS = ("testing", "suspension", "hearing", "announcement", "identification", "refund")
FILING_OUTCOMES = ("filed", "not_filed")  # 立案 / 不予立案
DECISION_KINDS = ("penalty", "no_penalty", "referral_police", "referral_other")


class RectificationOrder(Versioned, db.Model):
    """Pulled by the phones of the case's inspectors (type `rectification`), stamped with a version
    whenever it changes (issued, approved, served, re-inspected, closed)."""

    __tablename__ = "rectification_order"
    # A pull seeks a case's rows from a version on (see pull_indexes.py).
    __table_args__ = (Index("ix_rectification_order_inspection_id_version", "inspection_id", "version"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made on the phone or the console
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # the county of the case
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    doc_no: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)  # 文号, on issue
    seq_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    facts: Mapped[str] = mapped_column(Text)  # 违法行为
    item_keys: Mapped[list[str]] = mapped_column(JSON, default=list)  # the checklist items it rests on
    basis: Mapped[str] = mapped_column(Text)  # 违反规定 / 依据, from the items' legal basis
    requirements: Mapped[str] = mapped_column(Text)  # 改正内容及要求
    mode: Mapped[str] = mapped_column(String(10), default="deadline")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    report_back: Mapped[bool] = mapped_column(Boolean, default=True)  # 书面报告改正情况
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    issued_on_site: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # Beijing date of issue
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # 送达: how, when, to whom; the party signed, refused (with a witness) or was absent.
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    service_method: Mapped[str | None] = mapped_column(String(12), nullable=True)
    served_to: Mapped[str | None] = mapped_column(String(100), nullable=True)
    party_signature: Mapped[str | None] = mapped_column(String(10), nullable=True)
    refusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    witness_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # The re-inspection: the task created the working day after the due date, and what it found.
    recheck_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recheck_task_id: Mapped[str | None] = mapped_column(ForeignKey("task.id"), nullable=True, index=True)
    recheck_inspection_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalation_clock_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # A final 不合格 lab result's proposed order (SMP-R9): one per sample.
    sample_id: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship()
    agency: Mapped[Agency] = relationship()
    party: Mapped[Party] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    signatures: Mapped[list["RectificationSignature"]] = relationship(
        back_populates="order", order_by="RectificationSignature.created_at")

    @property
    def issued(self) -> bool:
        return self.status not in ("pending", "withdrawn")


class RectificationSignature(db.Model):
    """A signature on a 责令改正通知书, drawn on the phone at the scene, or the party's refusal (reason
    and witness), with what the signer was shown: the hash of the order's content and its revision
    (`attests`, pdf/content.py `rectification_content`). The PDF draws it only where that content is
    the order's as it prints.

    `inspection_id` is the order's case: the image's bytes are held for the case as a signature's
    are (services/scope.held_by_case), `created_by_id` the inspector whose phone recorded it."""

    __tablename__ = "rectification_signature"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made on the phone
    order_id: Mapped[str] = mapped_column(ForeignKey("rectification_order.id"), index=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # party | inspector
    status: Mapped[str] = mapped_column(String(10), default="signed")  # signed | refused
    signer_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)  # an inspector
    image_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    refusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    witness_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signed_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attests: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    confirmation: Mapped[str | None] = mapped_column(String(12), nullable=True)  # seen | read_aloud
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[RectificationOrder] = relationship(back_populates="signatures")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class CaseClock(Versioned, db.Model):
    """One statutory limit of a case (§4.2), from its start day, with pauses and an extension.
    Versioned: the case's inspectors' phones pull it (read-only, CASE-O1)."""

    __tablename__ = "case_clock"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(12), index=True)  # CASE-1, CASE-8 …
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id"), nullable=True, index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"), nullable=True)
    rectification_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The 立案 clue of a sample's final 不合格 result (SMP-R9): one per sample.
    sample_id: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True, index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("case_clock.id"), nullable=True)  # the 立案 clock
    title: Mapped[str] = mapped_column(String(200))  # the suspected violation, in a line
    start_date: Mapped[date] = mapped_column(Date)
    unit: Mapped[str] = mapped_column(String(2))  # WD | ND
    n: Mapped[int] = mapped_column(Integer)
    extension: Mapped[int] = mapped_column(Integer, default=0)  # days added with a 负责人's approval
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)  # the legal last day (最迟)
    due_raw: Mapped[date | None] = mapped_column(Date, nullable=True)  # natural days: the plain count
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    # The outcome: CASE-1 filed (with its 案号) or not; CASE-8 the decision.
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    case_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    fine_yuan: Mapped[float | None] = mapped_column(Numeric(14, 2), nullable=True)
    confiscation: Mapped[bool] = mapped_column(Boolean, default=False)
    goods_value_yuan: Mapped[float | None] = mapped_column(Numeric(14, 2), nullable=True)  # 货值金额
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    agency: Mapped[Agency] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])

    # A pull seeks a case's clocks from a version on (see pull_indexes.py).
    __table_args__ = (Index("ix_case_clock_inspection_id_version", "inspection_id", "version"),)
    pauses: Mapped[list[CaseClockPause]] = relationship(
        order_by="CaseClockPause.first_day", cascade="all, delete-orphan", back_populates="clock")


class CaseClockPause(db.Model):
    """Days not counted (检测/检验, 中止, 听证, 公告 …): first_day to last_day, both included."""

    __tablename__ = "case_clock_pause"
    __table_args__ = (UniqueConstraint("clock_id", "first_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clock_id: Mapped[str] = mapped_column(ForeignKey("case_clock.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clock: Mapped[CaseClock] = relationship(back_populates="pauses")
