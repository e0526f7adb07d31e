"""Enforcement agencies (执法机构): region → league/city → county/banner."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import db
from .sync import Versioned

LEVELS = ("region", "league", "county")


class Agency(Versioned, db.Model):
    __tablename__ = "agency"
    __mapper_args__ = {"eager_defaults": False}  # see standing_rectification
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # GB/T 2260 division code
    name: Mapped[str] = mapped_column(String(100))  # 托克托县市场监督管理局
    short_name: Mapped[str] = mapped_column(String(50))  # 托克托县
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True)
    # "/150000/150100/150122/": a subtree is one prefix match.
    path: Mapped[str] = mapped_column(String(64), index=True)
    # Case-number settings (文号): {机关代字}{类别代字}〔{year}〕{第?}{seq}号
    case_code_word: Mapped[str | None] = mapped_column(String(20), nullable=True)
    case_category_words: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case_number_uses_di: Mapped[bool] = mapped_column(Boolean, default=False)
    case_number_padding: Mapped[int] = mapped_column(Integer, default=0)
    # Standing authorisation: its inspectors issue a 责令改正通知书 on site (else a 负责人 approves it).
    # Deferred, its default (true) left to the database and not read back after an insert, so code
    # that writes agencies on a schema before migration 0024 (reference data during an upgrade)
    # never names the column.
    standing_rectification: Mapped[bool] = mapped_column(Boolean, server_default=true(), deferred=True)

    parent: Mapped[Agency | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Agency {self.code} {self.short_name}>"
