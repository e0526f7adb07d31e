"""Evidence bytes: content-addressed blobs and the photos (证据照片) that reference them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .inspection import Inspection
from .sync import Versioned


class Blob(db.Model):
    """Bytes stored once per SHA-256; originals are never changed."""

    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    exif: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # The full decode and the derived sizes run in a job after the upload finishes (`process_photo`):
    # "pending" until then, "ready" once the decode passed and the sizes are stored, "failed" with
    # `processing_error` (for people) when the pixels cannot be decoded.
    processing: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready", index=True)
    processing_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When the check was last sent again (`resend_stalled_checks`); the first time is `created_at`.
    processing_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BlobHolder(db.Model):
    """A user who proved they hold these bytes by uploading them (the digest matched).

    A record naming a hash is no such proof: hashes are printed on every case file. The bytes are
    shown for a record only when they are held for it (services/scope.held_by_case: its author, or
    someone of its case who uploaded them after the record was made); anyone else who names them
    must upload them once.
    """

    __tablename__ = "blob_holder"
    sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(Versioned, db.Model):
    """A photo in a record: its hash and metadata sync first, the bytes follow."""

    __tablename__ = "photo"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))
    # The smaller copy the phone made for showing; it uploads before the original.
    display_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    display_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    caption: Mapped[str | None] = mapped_column(Text, nullable=True)
    item_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    taken_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exif_taken_at: Mapped[str | None] = mapped_column(String(40), nullable=True)  # as written by the camera
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # Why a photo taken far from the inspection's time or place belongs to it (asked on the phone).
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship()
