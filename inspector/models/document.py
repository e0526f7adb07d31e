"""Issued documents: every PDF handed out is registered by the hash of its bytes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, db, utcnow


class IssuedDocument(db.Model):
    __tablename__ = "issued_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_no: Mapped[str] = mapped_column(String(64), unique=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"), index=True)
    inspection_revision: Mapped[int] = mapped_column(Integer)
    inspection_version: Mapped[int] = mapped_column(BigInteger)  # sync version the PDF was built from
    kind: Mapped[str] = mapped_column(String(20), default="case_file")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    # SHA-256 of everything printed except the document's own number, token and time: a later
    # download of unchanged content is served this same document (services/case_file.py).
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # What the verification page shows, as printed: agency, case number, party, date, pages.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The signed audit checkpoint printed on it (the chain's head when it was issued); None on
    # documents issued before checkpoints existed. No foreign key: deleting a checkpoint row
    # must not be blocked, it must be detected (`verify-audit` compares these with the chain).
    checkpoint_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    audit_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    audit_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Argon2id hash of the access code printed on its cover (services/verification/access.py);
    # None on documents issued before access codes were printed.
    access_code_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)


class AccessCodeAttempt(db.Model):
    """A wrong access code typed on a verify page, kept so that guessing is limited per
    document and per address across workers and hosts."""

    __tablename__ = "access_code_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_document.id"), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
