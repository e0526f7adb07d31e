"""The register of issued PDFs (文书登记) and the public look-ups that check a printed page or a file.

Every PDF handed out is a row here: its number, the SHA-256 of its bytes, when and by whom it was
issued, and the token its QR codes lead to. Anyone holding the paper can open /verify/<token>;
anyone holding a file can upload it at /verify and learn whether those exact bytes were issued.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select

from ..database import db, write_intent
from ..models import AuditCheckpoint, AuditEvent, Inspection, IssuedDocument
from ..pdf.data import AuditAnchor
from . import audit
from .audit import checkpoints
from .verification import seals
from .verification.seals import AppendedCheck

CASE_FILE = "case_file"
ISSUE_ACTION = "case_file.issue"

# Crockford's base32 without I, L, O, U: read aloud over the phone or typed from paper without
# confusing 1/I/L or 0/O.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NUMBER_SUFFIX_LENGTH = 6
_HASH_CHUNK = 1024 * 1024
_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024  # the PDF specification lets the header start within the first 1024 bytes


def new_document_no(agency_code: str, issued_at: datetime) -> str:
    """`150122-20260305-K7QM2X`: agency, issue date (China time), six random characters."""
    from ..pdf.wording import local

    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(_NUMBER_SUFFIX_LENGTH))
    return f"{agency_code}-{local(issued_at):%Y%m%d}-{suffix}"


_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what new_verify_token makes (URL-safe base64), with room to grow


def new_verify_token() -> str:
    return secrets.token_urlsafe(16)


@contextmanager
def writing() -> Iterator[None]:
    """One short write transaction, begun afresh and committed at the end.

    Downloads are GET requests, whose SQLite transactions begin without the write lock; the
    read part of the request is ended first so that this one takes the lock at BEGIN and cannot
    fail half-way upgrading a stale snapshot.
    """
    db.session.commit()
    token = write_intent.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        write_intent.reset(token)


def issued_for_content(inspection_id: str, content_sha256: str) -> IssuedDocument | None:
    """The latest case file issued for exactly this printed content, if any."""
    return db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.inspection_id == inspection_id,
                                     IssuedDocument.kind == CASE_FILE,
                                     IssuedDocument.content_sha256 == content_sha256)
        .order_by(IssuedDocument.id.desc())
    ).first()


def sign_audit_head() -> AuditAnchor:
    """A checkpoint of the audit chain's head, signed now (its own write transaction), to print
    on a document about to be issued."""
    with writing():
        return _anchor(audit.make_checkpoint())


def printed_anchor(document: IssuedDocument) -> AuditAnchor | None:
    """The checkpoint a registered document printed, to draw it again; None if it printed none.

    Raises LookupError when its checkpoint row is gone: the same bytes can no longer be drawn.
    """
    return checkpoint_anchor(document.checkpoint_id)


def checkpoint_anchor(checkpoint_id: int | None) -> AuditAnchor | None:
    """The signed head of a checkpoint, to print it again; LookupError when its row is gone."""
    if checkpoint_id is None:
        return None
    row = db.session.get(AuditCheckpoint, checkpoint_id)
    if row is None:
        raise LookupError(f"checkpoint {checkpoint_id} is gone")
    return _anchor(row)


def _anchor(row: AuditCheckpoint) -> AuditAnchor:
    return AuditAnchor(seq=row.seq, head_hash=row.hash, checkpoint_no=row.id, signed_at=row.at,
                       key_id=row.key_id, signature=row.signature)


def register(*, document_no: str, verify_token: str, inspection: Inspection, case_version: int,
             content_sha256: str, pdf: bytes, issued_at: datetime, issued_by_id: int | None,
             device_id: int | None, summary: dict[str, Any], anchor: AuditAnchor | None,
             access_code_hash: str | None = None) -> IssuedDocument:
    """Register an issued case file and leave an audit event, in the caller's write transaction.

    `access_code_hash`: the hash of the access code printed on its cover (verification.access).
    """
    document = IssuedDocument(
        document_no=document_no, inspection_id=inspection.id, inspection_revision=inspection.revision,
        inspection_version=case_version, kind=CASE_FILE, sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf), verify_token=verify_token, issued_at=issued_at, issued_by_id=issued_by_id,
        content_sha256=content_sha256, summary=summary,
        checkpoint_id=anchor.checkpoint_no if anchor else None, audit_seq=anchor.seq if anchor else None,
        audit_hash=anchor.head_hash if anchor else None, access_code_hash=access_code_hash,
    )
    db.session.add(document)
    db.session.flush()
    printed = ({"checkpoint": anchor.checkpoint_no, "auditSeq": anchor.seq, "auditHash": anchor.head_hash}
               if anchor else {})
    audit.record(ISSUE_ACTION, "issued_document", document.id, actor_id=issued_by_id, device_id=device_id,
                 inspection_id=inspection.id,
                 data={"documentNo": document_no, "sha256": document.sha256, "caseVersion": case_version, **printed})
    return document


# ---------------------------------------------------------------- public verification

@dataclass(frozen=True)
class DocumentCheck:
    """What /verify/<token> shows about one issued document and the case it belongs to."""

    document: IssuedDocument
    summary: dict[str, Any]
    issued_for_case: list[IssuedDocument]  # every case file issued for the same case, oldest first
    newer: list[IssuedDocument]  # those issued later with different content
    case_changed: bool  # the case record changed after the latest issued case file was made
    case_deleted: bool
    audit: AnchorCheck | None  # None for a document issued before checkpoints were printed


@dataclass(frozen=True)
class AnchorCheck:
    """The audit head a document printed, held against the server's chain now."""

    seq: int
    head_hash: str
    anchor: AuditAnchor | None  # its signed checkpoint; None when the row is gone
    signature_valid: bool  # signed by this server's key
    chain_agrees: bool  # the chain still has this hash at this event


def _check_anchor(document: IssuedDocument) -> AnchorCheck | None:
    if document.audit_seq is None:
        return None
    try:
        anchor = printed_anchor(document)
    except LookupError:
        anchor = None
    stored = (audit.GENESIS if document.audit_seq == 0 else
              db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == document.audit_seq)))
    signed = False
    if anchor is not None and (anchor.seq, anchor.head_hash) == (document.audit_seq, document.audit_hash):
        try:
            public = checkpoints.signing_key().public_key()
        except (OSError, ValueError):
            public = None
        signed = public is not None and checkpoints.signature_valid(public, checkpoints.SignedHead(
            anchor.seq, anchor.head_hash, anchor.signed_at, anchor.key_id, anchor.signature))
    return AnchorCheck(seq=document.audit_seq, head_hash=document.audit_hash or "", anchor=anchor,
                       signature_valid=signed, chain_agrees=stored == document.audit_hash)


def check_document(token: str) -> DocumentCheck | None:
    """The registered document behind a QR code, or None when no document has this token."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    document = db.session.scalars(select(IssuedDocument).where(IssuedDocument.verify_token == token)).first()
    if document is None:
        return None
    from .case_file import case_version  # the case's version is defined where the case is gathered

    siblings = list(db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.inspection_id == document.inspection_id,
                                     IssuedDocument.kind == document.kind)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)))
    newer = [d for d in siblings if d.id > document.id and d.content_sha256 != document.content_sha256]
    inspection = db.session.get(Inspection, document.inspection_id)
    latest = max(d.inspection_version for d in siblings)
    return DocumentCheck(
        document=document, summary=document.summary or {}, issued_for_case=siblings, newer=newer,
        case_changed=inspection is not None and case_version(inspection.id) > latest,
        case_deleted=inspection is None or inspection.deleted_at is not None,
        audit=_check_anchor(document),
    )


@dataclass(frozen=True)
class UploadCheck:
    """The answer to an uploaded file: `outcome` is match, appended (a registered document
    followed by updates that only add seals, signatures or annotations), appended_changed (one
    followed by updates that change it), no_match, empty, not_pdf, too_large or form_expired."""

    outcome: str
    sha256: str | None = None
    size: int = 0
    document: IssuedDocument | None = None
    appended: AppendedCheck | None = None  # for appended and appended_changed


def check_upload(stream: BinaryIO | None, max_bytes: int) -> UploadCheck:
    """Hash an uploaded file chunk by chunk and look the hash up in the register; a file that
    only begins with a registered document is checked for what was appended (verification.seals)."""
    if stream is None:
        return UploadCheck("empty")
    digest, size, head, chunks = hashlib.sha256(), 0, b"", []
    while chunk := stream.read(_HASH_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            return UploadCheck("too_large", size=size)
        if len(head) < _PDF_MAGIC_WINDOW:
            head += chunk[: _PDF_MAGIC_WINDOW - len(head)]
        digest.update(chunk)
        chunks.append(chunk)
    if size == 0:
        return UploadCheck("empty")
    if _PDF_MAGIC not in head:
        return UploadCheck("not_pdf", sha256=digest.hexdigest(), size=size)
    sha256 = digest.hexdigest()
    document = db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.sha256 == sha256).order_by(IssuedDocument.id)
    ).first()
    if document is not None:
        return UploadCheck("match", sha256=sha256, size=size, document=document)
    data = b"".join(chunks)
    prefix = seals.registered_prefix(data)
    if prefix is None:
        return UploadCheck("no_match", sha256=sha256, size=size)
    appended = seals.check_appended(data, *prefix)
    return UploadCheck("appended" if appended.ok else "appended_changed", sha256=sha256, size=size,
                       document=prefix[0], appended=appended)
