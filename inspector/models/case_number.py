"""Case-number counters (文号): one sequence per agency, category and year."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import db


class CaseNumberCounter(db.Model):
    """The last sequence number handed out; incremented inside the approving transaction.

    The primary key is the counter's scope, so the increment is one upsert that takes the row
    lock: a rolled-back approval gives its number back, a committed one keeps it for ever.
    """

    __tablename__ = "case_number_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)  # "inspection", "penalty"…
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


def _queue_indexes() -> None:
    """Indexes for the review queue, declared here so the models match migration 0004_review."""
    from sqlalchemy import Index

    from .inspection import Finding, Inspection

    Index("ix_inspection_queue", Inspection.submitted_at, Inspection.id)
    Index("ix_inspection_status_queue", Inspection.status, Inspection.submitted_at, Inspection.id)
    Index("ix_finding_failed", Finding.inspection_id, Finding.result)


_queue_indexes()
