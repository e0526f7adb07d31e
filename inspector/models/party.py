"""Parties (当事人 / 被检查单位): the businesses inspected."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .agency import Agency
from .sync import Versioned


class Party(Versioned, db.Model):
    __tablename__ = "party"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    legal_rep: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # [{"kind": "农药经营许可证", "number": "...", "valid_until": "2028-01-01"}]
    licences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # 主体类型: enterprise 企业 / individual 个体工商户 / cooperative 农民专业合作社 / other.
    entity_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # 经营者身份证号 of an individual business (GB 11643); printed on its 文书, masked on public pages.
    operator_id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    business_scope: Mapped[str | None] = mapped_column(String(500), nullable=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
