"""A resumable upload session (tus): bytes of one declared SHA-256 arriving in chunks."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, db, utcnow

UPLOAD_STATUSES = ("open", "complete", "terminated", "expired", "failed")
"""open: receiving chunks; complete: verified and stored; terminated: DELETE by the phone;
expired: past expires_at, partial bytes deleted; failed: final check refused, bytes deleted."""


class Upload(db.Model):
    __tablename__ = "upload"
    __table_args__ = (
        # One open session per person and hash, so a phone that retries its POST gets the same one.
        Index("uq_upload_open_sha256", "user_id", "sha256", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_upload_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, used in the URL
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))  # declared by the phone, checked at the end
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes received and stored (as parts)
    media_type: Mapped[str | None] = mapped_column(String(64), nullable=True)  # as declared; content decides
    upload_metadata: Mapped[str | None] = mapped_column(Text, nullable=True)  # Upload-Metadata, echoed by HEAD
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The write lease: the request appending to (or closing) this upload, on whichever host, and
    # until when it holds it unless it renews it. A crashed writer's lease simply runs out.
    writer: Mapped[str | None] = mapped_column(String(32), nullable=True)
    writing_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UploadPart(db.Model):
    """A received range of an unfinished upload, kept in the blob store as the part `name`."""

    __tablename__ = "upload_part"

    upload_id: Mapped[str] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    end: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
