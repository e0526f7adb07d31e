"""Photos and recordings of a complaint or report: stored by the SHA-256 of their bytes in the blob
store (the evidence path), checked by content, read under the register's scope and the reporter's
confidentiality (an attachment marked as identifying the reporter is seen only by those who may
see the reporter, see `confidential.may_see_person`)."""
from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ...database import db
from ...errors import ApiError
from ...models import Blob, BlobHolder, Filing, FilingAttachment, User
from ...storage import get_store
from .. import audit
from . import confidential

CAPTION_MAX = 500


def sniff(head: bytes) -> str | None:
    """The media type these first bytes show: a photo (JPEG, PNG, HEIC) or a recording (m4a, mp3,
    AMR, WAV); None for anything else, whatever its name says."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
            return "image/heic"
        if brand in (b"M4A ", b"M4B ", b"mp42", b"isom", b"3gp4", b"3gp5"):
            return "audio/mp4"
        return None
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def visible(user: User, filing: Filing, attachment: FilingAttachment) -> bool:
    return not attachment.identifies_reporter or confidential.may_see_person(user, filing)


@dataclass
class AttachmentView:
    attachment: FilingAttachment
    arrived: bool  # the bytes are in the store (a phone's photo shows 上传中 until then)


def attachments_for(user: User, filing: Filing) -> list[AttachmentView]:
    """The filing's attachments this user may see, oldest first."""
    rows = db.session.scalars(select(FilingAttachment).where(FilingAttachment.filing_id == filing.id)
                              .order_by(FilingAttachment.id)).all()
    store = get_store()
    return [AttachmentView(a, db.session.get(Blob, a.sha256) is not None and store.exists(a.sha256))
            for a in rows if visible(user, filing, a)]


def attach(user: User, filing: Filing, stream, *, name: str | None, caption: str | None,
           identifies_reporter: bool) -> FilingAttachment:
    """Store the file by its SHA-256 and attach it; 413 over the size limit, 422 when its content is
    not a photo or recording we accept. Nothing is stored or recorded when refused."""
    limit = current_app.config["FILING_ATTACHMENT_MAX_BYTES"]
    if caption and len(caption) > CAPTION_MAX:
        raise ApiError("validation_failed", f"The caption has more than {CAPTION_MAX} characters.",
                       details={"caption": [f"at most {CAPTION_MAX} characters"]})
    store = get_store()
    digest, size, head = hashlib.sha256(), 0, b""
    fd, tmp = tempfile.mkstemp(dir=store.staging_dir, prefix="attach.", suffix=".part")
    path = Path(tmp)
    try:
        with open(fd, "wb") as out:
            while block := stream.read(1024 * 1024):
                size += len(block)
                if size > limit:
                    raise ApiError("too_large", f"The file has more than {limit} bytes; at most {limit} are accepted. "
                                   "Nothing was stored.")
                if len(head) < 64:
                    head = (head + block)[:64]
                digest.update(block)
                out.write(block)
        media_type = sniff(head)
        if size == 0 or media_type is None:
            raise ApiError("unsupported_format", "Not a photo (JPEG, PNG, HEIC) or a recording (m4a, mp3, AMR, WAV) "
                           "by its content. Nothing was stored.")
        sha256 = digest.hexdigest()
        if not store.exists(sha256):
            store.put_file(sha256, path)
    finally:
        path.unlink(missing_ok=True)
    if db.session.get(Blob, sha256) is None:
        db.session.add(Blob(sha256=sha256, size=size, media_type=media_type, exif={}, uploaded_by_id=user.id))
    if db.session.get(BlobHolder, (sha256, user.id)) is None:
        db.session.add(BlobHolder(sha256=sha256, user_id=user.id))
    attachment = FilingAttachment(filing_id=filing.id, sha256=sha256, size=size, media_type=media_type,
                                  caption=(caption or "").strip() or None, name=(name or "")[-255:] or None,
                                  identifies_reporter=identifies_reporter, added_by_id=user.id)
    db.session.add(attachment)
    db.session.flush()
    audit.record("filing.attach", "filing", filing.id, actor_id=user.id,
                 data={"sha256": sha256, "mediaType": media_type, "size": size,
                       "identifiesReporter": identifies_reporter})
    db.session.commit()
    return attachment


def get_attachment(user: User, filing: Filing, attachment_id: int) -> FilingAttachment:
    """The attachment of a filing the user can see (the caller already checked the filing's scope);
    404 when unknown, hidden from them, or its bytes have not arrived."""
    found = db.session.get(FilingAttachment, attachment_id)
    if found is None or found.filing_id != filing.id or not visible(user, filing, found):
        raise ApiError("not_found", "No such attachment.")
    if not get_store().exists(found.sha256):
        raise ApiError("blob_not_uploaded", "The bytes of this file have not been uploaded yet.")
    return found


def open_bytes(attachment: FilingAttachment):
    return get_store().open(attachment.sha256)


def add_from_phone(user: User, filing: Filing, photos: list[dict]) -> None:
    """Record the photos a phone's lead names (in the mutation's transaction); their bytes follow
    through the upload queue, which accepts them from the phone's user (`named_by_recorder`).
    A resent lead adds none twice."""
    have = set(db.session.scalars(select(FilingAttachment.sha256).where(FilingAttachment.filing_id == filing.id)))
    for photo in photos:
        if photo["sha256"] in have:
            continue
        have.add(photo["sha256"])
        db.session.add(FilingAttachment(filing_id=filing.id, sha256=photo["sha256"], size=photo["size"],
                                        media_type=photo["media_type"], name=photo.get("name"),
                                        caption=photo.get("caption"), added_by_id=user.id))
    db.session.flush()
