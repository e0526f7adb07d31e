"""Inspection tasks (检查任务): one notion of a task whatever created it (a complaint or report, a
plan's draw, a re-inspection, a 3·15 exposure, an officer's manual assignment).

A task names the county with jurisdiction, the party to inspect, what to check and by when, and at
least two inspectors (行政处罚法 第四十二条). An inspector who declares a conflict (回避) stays on the
list marked `recused` with the reason, next to the one who replaced him. It reaches the assignees'
phones through the pull; `delivered_at` is set when one of them first pulls it (未送达 until then).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency
from .party import Party
from .sync import Versioned

TASK_SOURCES = ("complaint", "report", "draw", "reinspection", "exposure", "manual")
TASK_STATUSES = ("open", "started", "done", "cancelled")


class Task(Versioned, db.Model):
    __tablename__ = "task"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    source_kind: Mapped[str] = mapped_column(String(16), index=True)
    source_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # the county with jurisdiction
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    what_to_check: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # 暂定: the year has no loaded notice
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the county was alerted that this urgent task had not reached a phone in time.
    undelivered_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    inspection_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the inspection that did it
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    party: Mapped[Party | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assignees: Mapped[list[TaskAssignee]] = relationship(
        order_by="TaskAssignee.id", cascade="all, delete-orphan", back_populates="task")

    @property
    def active_assignees(self) -> list[TaskAssignee]:
        return [a for a in self.assignees if not a.recused]


class TaskAssignee(db.Model):
    """An inspector on a task; a recused one (回避) stays, with the reason and who replaced him."""

    __tablename__ = "task_assignee"
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    recused: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # the declared conflict, or why removed
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="assignees")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    replaced_by: Mapped[User | None] = relationship(foreign_keys=[replaced_by_id])
