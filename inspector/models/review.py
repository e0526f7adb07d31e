"""Reviewers' decisions (approve / return / reject) on submitted inspections."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .sync import Versioned

DECISIONS = ("approve", "return", "reject")


class ReviewDecision(Versioned, db.Model):
    __tablename__ = "review_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # the inspection revision decided on
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    item_comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {item_key: comment}
    case_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer: Mapped[User] = relationship()
