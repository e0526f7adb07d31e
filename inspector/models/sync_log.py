"""What the sync server remembers: mutations received, merge conflicts, submitted revisions, scope exits."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import Device
from .sync import Versioned

MUTATION_STATUSES = ("applied", "applied_with_conflict", "rejected")
CONFLICT_STATUSES = ("open", "resolved")
CONFLICT_RESOLUTIONS = ("server", "client", "updated")


class MutationLog(db.Model):
    """One mutation from one phone, kept with its result so a resent batch gets the same answer.

    A rejected mutation keeps its payload here: the author pulls it back (`rejection`) and
    reviewers see it on the case, so nothing typed on a phone disappears without trace.
    """

    __tablename__ = "mutation_log"
    __table_args__ = (Index("ix_mutation_log_user_id_version", "user_id", "version"),)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(64))
    args: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # No foreign key: a rejected inspection.create names an inspection that never existed.
    inspection_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    # The sync version of the transaction that stored it (pull sends rejections by version).
    version: Mapped[int] = mapped_column(BigInteger)
    client_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    device: Mapped[Device] = relationship()


class Conflict(Versioned, db.Model):
    """Two people changed one field of one record from the same base: the server value was kept,
    the other value waits here until a reviewer (or the author's next informed edit) settles it."""

    __tablename__ = "sync_conflict"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    inspection_id: Mapped[str | None] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), nullable=True, index=True)
    field: Mapped[str] = mapped_column(String(40))  # the wire name, e.g. "narrative"
    server_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    client_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    base_version: Mapped[int] = mapped_column(BigInteger)
    server_writer: Mapped[str | None] = mapped_column(String(64), nullable=True)  # client id or "user:<id>"
    server_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    client_writer: Mapped[str] = mapped_column(String(64))
    client_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), nullable=True)
    mutation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    resolution: Mapped[str | None] = mapped_column(String(10), nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InspectionRevision(db.Model):
    """The record as submitted, once per submission; from the second on, the diff to the one before."""

    __tablename__ = "inspection_revision"
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"path": "findings.G01.result", "old": "fail", "new": "pass"}, …]; None for revision 1.
    diff: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why the inspector amended it
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The phone's clock when it submitted this revision: an amendment's own time (the on-site
    # times on the inspection stay those set at the scene).
    submitted_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    @property
    def created_at(self) -> datetime:
        return self.submitted_at


class ScopeExit(db.Model):
    """A record left one user's sync scope (they were taken off a case): their next pull sends `del`."""

    __tablename__ = "sync_scope_exit"
    __table_args__ = (Index("ix_sync_scope_exit_user_id_version", "user_id", "version"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
