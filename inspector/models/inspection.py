"""An on-site inspection (现场检查) and what it records: findings, samples, signatures."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency
from .party import Party
from .sync import Versioned
from .template import ChecklistTemplate

INSPECTION_STATUSES = ("draft", "submitted", "returned", "approved", "rejected")
# sampled_party: the 被抽样单位's 经办人 signing one sample's 抽样记录 (with `sample_id`);
# evidence_provider: the 证据提供人 confirming the 证据提取单.
SIGNATURE_ROLES = ("party", "witness", "inspector", "sampled_party", "evidence_provider")
SIGNATURE_STATUSES = ("signed", "refused", "absent")


class Campaign(Versioned, db.Model):
    """A special enforcement action (专项行动), e.g. 2026年“质检利剑”农资打假专项行动."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class Inspection(Versioned, db.Model):
    __tablename__ = "inspection"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), nullable=True, index=True)
    # The task (检查任务) this inspection was started from, if any.
    task_id: Mapped[str | None] = mapped_column(ForeignKey("task.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    # Amendment number: 1 at first submission; each amendment after a return adds one.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    place: Mapped[str | None] = mapped_column(String(300), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    started_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    certificates_answer: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 是否看清楚？
    recusal_answer: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 是否申请回避？
    narrative: Mapped[str | None] = mapped_column(Text, nullable=True)  # 现场情况
    party_statement: Mapped[str | None] = mapped_column(Text, nullable=True)  # 陈述和申辩
    closing_answer: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 以上记录属实
    on_site_person: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 现场负责人
    party_notified: Mapped[str | None] = mapped_column(Text, nullable=True)  # 通知当事人到场情况
    case_number: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    party: Mapped[Party] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()
    created_by: Mapped[User] = relationship()
    inspectors: Mapped[list[InspectionInspector]] = relationship(
        order_by="InspectionInspector.position", cascade="all, delete-orphan", back_populates="inspection"
    )
    findings: Mapped[list[Finding]] = relationship(cascade="all, delete-orphan", back_populates="inspection")
    samples: Mapped[list[Sample]] = relationship(cascade="all, delete-orphan", back_populates="inspection")
    signatures: Mapped[list[Signature]] = relationship(cascade="all, delete-orphan", back_populates="inspection")


class InspectionInspector(db.Model):
    """The inspectors (检查人员) on a record; at least two with certificate numbers to submit."""

    __tablename__ = "inspection_inspector"
    # (user, case): a user's cases are read from the index alone, on every pull page.
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),
                      Index("ix_inspection_inspector_user_id_inspection_id", "user_id", "inspection_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    position: Mapped[int] = mapped_column(Integer, default=1)

    inspection: Mapped[Inspection] = relationship(back_populates="inspectors")
    user: Mapped[User] = relationship()


class Finding(Versioned, db.Model):
    """The answer to one checklist item (检查项结果)."""

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("inspection_id", "item_key"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(40))
    # pass_fail_na: "pass" | "fail" | "na"; other kinds: the value itself (number, text, choice, ISO date)
    result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")


class Sample(Versioned, db.Model):
    """A sample taken for testing (抽样)."""

    __tablename__ = "sample"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(100), nullable=True)
    spec: Mapped[str | None] = mapped_column(String(100), nullable=True)
    batch_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    production_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    maker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    standard: Mapped[str | None] = mapped_column(String(100), nullable=True)
    quantity: Mapped[str] = mapped_column(String(50))  # 抽样数量, e.g. "2 kg"
    base_quantity: Mapped[str] = mapped_column(String(50))  # 抽样基数, e.g. "120 袋"
    backup_quantity: Mapped[str | None] = mapped_column(String(50), nullable=True)  # 备样数量
    seal_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)  # 检验样品封条编号
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Names as in reference/next-capabilities.md §3.2; all optional, so older phones' samples stay valid.
    sample_no: Mapped[str | None] = mapped_column(String(60), nullable=True)  # 抽样单编号
    sampled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # 抽样时间 (its own)
    lab_name: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 检验机构
    price_paid: Mapped[str | None] = mapped_column(String(20), nullable=True)  # 购样费用, yuan as "120.00"
    backup_seal_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)  # 备份样品封条编号
    backup_storage: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 备样存放地点
    backup_condition: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 备样保存条件
    sealed_photo_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # photos of the sealed sample
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="samples")


class Signature(Versioned, db.Model):
    """A signature drawn on the phone, or a party's refusal to sign (拒绝签字) with reason and witness."""

    __tablename__ = "signature"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="signed")
    signer_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    image_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    refusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    witness_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A refusal's witness (besides the name) and the 执法记录仪 recording of it; all optional.
    witness_id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)  # GB 11643, masked publicly
    witness_unit: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 工作单位或职务
    witness_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    recording_file_no: Mapped[str | None] = mapped_column(String(80), nullable=True)  # 执法记录仪 文件编号
    recording_device: Mapped[str | None] = mapped_column(String(80), nullable=True)  # 执法记录仪 设备编号
    recording_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sample_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)  # role sampled_party
    signed_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the signer saw: per document covered, [{document, sha256, revision}] (services/attestation);
    # None on signatures recorded before phones sent it.
    attests: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    confirmation: Mapped[str | None] = mapped_column(String(12), nullable=True)  # "seen" | "read_aloud"
    # The inspector whose phone recorded it: their upload of the image holds the bytes for it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    inspection: Mapped[Inspection] = relationship(back_populates="signatures")
