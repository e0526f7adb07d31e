"""A sample's life after sealing (next-capabilities.md §3.2, §3.5): sent to a lab, received, its
report with one row per test item, the 检验结果告知书 and its delivery, the 复检 window and the
re-test of the backup sample. Every step is a row of `lab_step` (who, when, from which status).

`SampleLab` is one row per sample that entered this life (a sealed sample without one is simply
`sampled`); it is what a phone pulls, stamped with a new version whenever any part of the life
changes, so an inspector's phone shows the result of its samples offline.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .inspection import Inspection, Sample
from .sync import Versioned

# §3.5, in order. planned: a plan's sample not drawn yet; sampled: sealed at the scene.
SAMPLE_LAB_STATUSES = (
    "planned", "sampled", "shipped", "at_lab", "reported", "notified", "objection_window",
    "retest_applied", "retest_accepted", "retest_refused", "retesting", "final_pass", "final_fail",
    "backup_released",
)
VERDICTS = ("conforms", "fails", "not_judged")  # 符合 / 不符合 / 不判定 of one test item
CONCLUSIONS = ("pass", "fail", "not_judged")  # 合格 / 不合格 / 不判定 of a report
CHECK_TYPES = ("supervisory", "retest")  # 监督检验 / 复检
SUBMISSION_PURPOSES = ("test", "retest")  # the 检验样品; the 备份样品 for a 复检


class SampleLab(Versioned, db.Model):
    """Where a sample stands in its lab life; keyed by the sample's id."""

    __tablename__ = "sample_lab"
    id: Mapped[str] = mapped_column(ForeignKey("sample.id", ondelete="CASCADE"), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="sampled")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sample: Mapped[Sample] = relationship()
    inspection: Mapped[Inspection] = relationship()
    steps: Mapped[list[LabStep]] = relationship(order_by="LabStep.id", cascade="all, delete-orphan")
    submissions: Mapped[list[LabSubmission]] = relationship(order_by="LabSubmission.created_at",
                                                            cascade="all, delete-orphan")
    reports: Mapped[list[LabReport]] = relationship(order_by="LabReport.entered_at", cascade="all, delete-orphan",
                                                    foreign_keys="LabReport.sample_id")
    retests: Mapped[list[LabRetest]] = relationship(order_by="LabRetest.created_at", cascade="all, delete-orphan")

    # A pull seeks a case's rows from a version on (see pull_indexes.py).
    __table_args__ = (Index("ix_sample_lab_inspection_id_version", "inspection_id", "version"),)


class LabStep(db.Model):
    """One transition of a sample's lab life: who moved it, when, from what to what."""

    __tablename__ = "lab_step"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[str] = mapped_column(ForeignKey("sample_lab.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    on_date: Mapped[date] = mapped_column(Date)  # the day it happened (as typed; Beijing date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was recorded

    by: Mapped[User] = relationship()


class LabSubmission(db.Model):
    """The 检验样品 (or, for a 复检, the 备份样品) sent to a lab."""

    __tablename__ = "lab_submission"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sample_id: Mapped[str] = mapped_column(ForeignKey("sample_lab.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10), default="test")
    lab_name: Mapped[str] = mapped_column(String(200))
    lab_cma_no: Mapped[str | None] = mapped_column(String(60), nullable=True)  # 资质认定 CMA 编号
    carrier: Mapped[str | None] = mapped_column(String(200), nullable=True)  # who carried it (person, courier + 单号)
    shipped_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the lab took it in
    backup_seal_intact: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # 复检: 备样封条完好
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LabReport(db.Model):
    """A lab's report (检验报告) on one sample, entered in the console or imported from its CSV."""

    __tablename__ = "lab_report"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sample_id: Mapped[str] = mapped_column(ForeignKey("sample_lab.id", ondelete="CASCADE"), index=True)
    check_type: Mapped[str] = mapped_column(String(12), default="supervisory")
    report_no: Mapped[str] = mapped_column(String(80))
    lab_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the report's date
    arrived_on: Mapped[date] = mapped_column(Date)  # the bureau received it: ends the lab pause
    conclusion: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)  # 不合格项目 as the lab wrote it
    source: Mapped[str] = mapped_column(String(10), default="console")  # console | csv
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The 检验结果告知书 and its delivery (送达); delivery starts the 15 日 复检 window (SMP-R6).
    notice_no: Mapped[str | None] = mapped_column(String(80), nullable=True)
    notified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    delivered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    delivery_method: Mapped[str | None] = mapped_column(String(40), nullable=True)
    receiver: Mapped[str | None] = mapped_column(String(100), nullable=True)
    retest_due: Mapped[date | None] = mapped_column(Date, nullable=True)  # due_legal
    retest_due_raw: Mapped[date | None] = mapped_column(Date, nullable=True)
    retest_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)

    items: Mapped[list[LabResultItem]] = relationship(order_by="LabResultItem.position", cascade="all, delete-orphan")


class LabResultItem(db.Model):
    """One test item of a report. Numbers are kept as the decimal text typed (no float noise)."""

    __tablename__ = "lab_result_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("lab_report.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(120))
    method_standard: Mapped[str | None] = mapped_column(String(120), nullable=True)
    requirement_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    limit_low: Mapped[str | None] = mapped_column(String(24), nullable=True)
    limit_high: Mapped[str | None] = mapped_column(String(24), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    declared_value: Mapped[str | None] = mapped_column(String(24), nullable=True)  # 标明值
    allowed_negative_deviation: Mapped[str | None] = mapped_column(String(24), nullable=True)
    measured_value: Mapped[str] = mapped_column(String(24))
    measured_raw: Mapped[str] = mapped_column(String(60))  # as printed by the lab
    verdict: Mapped[str] = mapped_column(String(12))
    is_mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    reference_code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the §3.3 row it came from


class LabRetest(db.Model):
    """A 复检 application against a report, its decision, and the re-test's report."""

    __tablename__ = "lab_retest"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sample_id: Mapped[str] = mapped_column(ForeignKey("sample_lab.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("lab_report.id", ondelete="CASCADE"))
    applied_on: Mapped[date] = mapped_column(Date)
    applicant: Mapped[str] = mapped_column(String(200))
    accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    retest_report_id: Mapped[str | None] = mapped_column(ForeignKey("lab_report.id", ondelete="SET NULL"),
                                                         nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
