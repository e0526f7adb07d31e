"""Exports written by a job (large XLSX and ZIP): what was asked, how far it is, where the file is."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, db, utcnow


class ExportRun(db.Model):
    """One console export: `query` holds the queue filters as (name, value) pairs, re-read for
    `user` when the job runs; `done` of `total` counts cases written (per sheet for a workbook)."""

    __tablename__ = "export_run"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    query: Mapped[list[Any]] = mapped_column(JSON, default=list)
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, ready, failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last sign of life: progress noted, or the job sent again (`resend_stalled_exports`). A
    # run that is queued or running and silent for JOB_STALL_SECONDS is taken to be lost.
    touched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
