"""Evidence bytes: resumable uploads verified against their declared SHA-256, stored once per hash,
processed into derived sizes once, and read back only through records in the reader's scope.

An upload's received bytes live in the blob store, one part per received range, so that any app
host can take the next chunk (the local directory and an S3 bucket alike); the database lists the
parts (`UploadPart`). A request that appends to (or closes) an upload first takes the upload's
write lease: a short UPDATE of its row that succeeds only when no other request holds an unexpired
lease, so two PATCHes of one upload never interleave, on one host or several; no database
transaction is held while a body streams in over a slow link. A writer renews its lease while it
receives; a crashed one's lease runs out. The offset only advances, in the same transaction that
lists the part, once the part is durably stored, so after a crash the phone resends from the
recorded offset. Finishing assembles the parts into one local file while hashing it.
"""
from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import secrets
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import ClientDisconnected

from .. import imaging
from ..database import db, utcnow
from ..errors import ApiError
from ..models import Blob, BlobHolder, Photo, Signature, Upload, UploadPart, User
from ..models.sync import allocate_version
from ..schemas.base import SHA256_HEX
from ..storage import VARIANTS, get_store
from .scope import blob_in_scope, blobs_named_in_scope

READ_BYTES = 64 * 1024
MIN_READ_BYTES = 2 * 1024  # see _read_chunk
QUICK_READ_SECONDS, SLOW_READ_SECONDS = 0.02, 0.1
STORAGE_FULL_RETRY_SECONDS = 300
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
"""Per-chunk Upload-Checksum algorithms (tus requires sha1; the phone sends sha256)."""
EXPIRY_SWEEP_BATCH = 100
LEASE = timedelta(seconds=60)
"""How long a write lease lasts unless renewed: a crashed writer blocks its upload this long at most."""
RENEW_LEASE_SECONDS = 15
SPOOL_IN_MEMORY = 1024 * 1024  # a chunk larger than this waits on local disk until it is stored
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chunk:
    """Bytes of a PATCH (or of a creation-with-upload POST) to append at `offset`."""

    offset: int
    stream: BinaryIO
    length: int | None  # Content-Length; None for a chunked body
    checksum: tuple[str, bytes] | None = None  # (algorithm, digest) from Upload-Checksum


@dataclass(frozen=True)
class UploadState:
    """What the tus headers report about an upload after a request."""

    id: str
    offset: int
    length: int
    status: str
    expires_at: datetime | None
    upload_metadata: str | None
    blob_present: bool = False


@dataclass(frozen=True)
class BlobBytes:
    """Bytes to send: a local path (sendfile, ranges) or a stream, with how a client may cache them."""

    media_type: str
    etag: str
    immutable: bool
    path: Path | None = None
    stream: BinaryIO | None = None


def sha256_problem(value: str) -> str | None:
    """Why `value` is not a SHA-256 as the API spells it, or None when it is one."""
    if SHA256_HEX.regex.fullmatch(value):
        return None
    shown = value if len(value) <= 80 else value[:77] + "…"
    return f"{shown!r} is not a SHA-256: expected 64 lower-case hexadecimal characters"


def _require_sha256(value: str, where: str) -> None:
    problem = sha256_problem(value)
    if problem:
        raise ApiError("validation_failed", f"{where}: {problem}.", details={"sha256": [problem]})


# ---------------------------------------------------------------- uploads

def create_upload(user: User, device_id: int | None, *, length: int, sha256: str, media_type: str | None,
                  upload_metadata: str | None, chunk: Chunk | None) -> UploadState:
    """Open (or find again) the upload session for these bytes; append a first chunk if one came."""
    expire_uploads()
    _require_sha256(sha256, "Upload-Metadata sha256")
    if media_type is not None and len(media_type) > 64:
        raise ApiError("validation_failed", "Upload-Metadata filetype must be a media type such as image/jpeg.",
                       details={"filetype": ["at most 64 characters"]})
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if length > limit:
        raise ApiError("too_large", f"The file has {length} bytes; at most {limit} are accepted.")
    named = blobs_named_in_scope(user, [sha256])
    if not named:
        raise ApiError("hash_not_referenced", f"No record you can see references the SHA-256 {sha256}; "
                       "sync the record (photo.add / signature.add) before uploading its bytes.")

    blob = db.session.get(Blob, sha256)
    earlier = db.session.scalars(select(Upload).where(
        Upload.user_id == user.id, Upload.sha256 == sha256, Upload.status == "open")).first()
    # Bytes not held for any record the caller can see are not skipped: the caller proves they hold
    # them by sending them once (see scope.held_by_case).
    if blob is not None and named[sha256]:
        if earlier is not None:  # someone else's copy arrived meanwhile: this one is not needed
            _retire(earlier, "terminated")
        if blob.size != length:
            raise ApiError("digest_mismatch", f"These bytes are already stored with {blob.size} bytes, but your "
                           f"file has {length}: it is not the file its record names. Nothing was stored.",
                           details={"storedLength": blob.size, "declaredLength": length})
        upload = _new_upload(user, device_id, sha256, length, media_type, upload_metadata, status="complete")
        db.session.commit()
        _discard(chunk)
        return _state(upload, blob_present=True)

    upload = earlier
    if upload is not None and upload.expires_at <= utcnow():
        _retire(upload, "expired")
        upload = None
    elif upload is not None and upload.length != length:
        # Same hash, different length: at most one of the two files is right; keep the newest claim.
        _retire(upload, "terminated")
        upload = None
    if upload is None:
        upload = _new_upload(user, device_id, sha256, length, media_type, upload_metadata, status="open")
        try:
            db.session.commit()
        except IntegrityError:  # a retried POST raced this one: answer with the session it created
            db.session.rollback()
            upload = db.session.scalars(select(Upload).where(
                Upload.user_id == user.id, Upload.sha256 == sha256, Upload.status == "open")).one()
    else:
        db.session.commit()

    if length == 0 or (chunk is not None and upload.offset == 0):
        return _append(upload.id, chunk or Chunk(0, io.BytesIO(), 0))
    _discard(chunk)  # an earlier session already holds bytes: the phone resumes from its offset
    return _state(upload)


def upload_state(user: User, upload_id: str) -> UploadState:
    """The session's offset and length for HEAD; 404 when unknown, 410 when expired or closed."""
    upload = _owned(user, upload_id)
    _require_usable(upload)
    return _state(upload)


def append_chunk(user: User, upload_id: str, chunk: Chunk) -> UploadState:
    """Append a PATCH body at the session's offset; the last byte triggers verification and storage."""
    _owned(user, upload_id)
    return _append(upload_id, chunk)


def terminate_upload(user: User, upload_id: str) -> None:
    """DELETE: drop an unfinished session and its bytes. A finished upload's bytes stay (they are evidence)."""
    upload = _owned(user, upload_id)
    _require_usable(upload)
    if upload.status == "open":
        _retire(upload, "terminated")


def expire_uploads(limit: int = EXPIRY_SWEEP_BATCH) -> int:
    """Delete the partial bytes of open sessions past their expiry; return how many were expired."""
    now = utcnow()
    expired = db.session.scalars(select(Upload).where(
        Upload.status == "open", Upload.expires_at <= now).limit(limit)).all()
    done = 0
    for upload in expired:
        try:
            done += _retire(upload, "expired", when=lambda u: u.expires_at <= now)
        except ApiError:  # being written right now: its PATCH will find it expired
            continue
    return done


def expire_all_uploads() -> int:
    """Expire every open session past its expiry, batch by batch; return how many were expired."""
    total = 0
    while done := expire_uploads():
        db.session.commit()
        total += done
    db.session.commit()
    return total


def _retire(upload: Upload, status: str, *, when: Callable[[Upload], bool] = lambda _u: True) -> bool:
    """Close an open session under its lease and commit; 423 when another request is writing to it."""
    with _writing(upload.id):
        db.session.refresh(upload)
        if upload.status != "open" or not when(upload):
            return False
        _close(upload, status)
        db.session.commit()  # while the lease is held, so no PATCH sees the parts gone but the row open
        return True


def _new_upload(user: User, device_id: int | None, sha256: str, length: int, media_type: str | None,
                upload_metadata: str | None, *, status: str) -> Upload:
    now = utcnow()
    upload = Upload(id=secrets.token_urlsafe(18), user_id=user.id, device_id=device_id, sha256=sha256,
                    length=length, offset=length if status == "complete" else 0, media_type=media_type,
                    upload_metadata=upload_metadata, status=status, created_at=now, expires_at=_expiry(now),
                    finished_at=now if status == "complete" else None)
    db.session.add(upload)
    return upload


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"])


def _owned(user: User, upload_id: str) -> Upload:
    upload = db.session.get(Upload, upload_id) if len(upload_id) <= 32 else None
    if upload is None or upload.user_id != user.id:
        raise ApiError("not_found", "No such upload.")
    return upload


def _require_usable(upload: Upload) -> None:
    """410 for a session that can take no more bytes (a finished one can still be asked)."""
    if upload.status == "open" and upload.expires_at <= utcnow():
        raise ApiError("upload_gone", f"This upload expired at {upload.expires_at.isoformat()} before it was "
                       "finished and its bytes were deleted; start a new one.")
    messages = {
        "expired": "This upload expired before it was finished and its bytes were deleted; start a new one.",
        "terminated": "This upload was cancelled; start a new one.",
        "failed": "This upload was refused when it was finished (see the error it received) and its bytes "
                  "were deleted; start a new one.",
    }
    if upload.status in messages:
        raise ApiError("upload_gone", messages[upload.status])


def _state(upload: Upload, *, blob_present: bool = False) -> UploadState:
    return UploadState(upload.id, upload.offset, upload.length, upload.status,
                       upload.expires_at if upload.status == "open" else None, upload.upload_metadata,
                       blob_present)


def _append(upload_id: str, chunk: Chunk) -> UploadState:
    with _writing(upload_id) as lease:
        # Read after taking the lease: the row as the last writer left it.
        upload = db.session.get(Upload, upload_id, populate_existing=True)
        if upload.status == "open" and upload.finished_at is not None and _already_stored(upload):
            # This session's bytes were verified (finished_at is noted only then) and stored, but it
            # was not closed: the request that finished it failed or crashed after storing. (Bytes
            # another session stored prove nothing of this one's sender: see _finish.)
            _finish_stored(upload)
        if upload.status == "open" and upload.expires_at <= utcnow():
            _close(upload, "expired")
            db.session.commit()
        _require_usable(upload)
        if upload.status == "complete":
            if chunk.offset == upload.length and not chunk.length:
                return _state(upload)  # a repeated final PATCH with nothing left to send
            raise _offset_error(upload.length)
        if chunk.offset != upload.offset:
            raise _offset_error(upload.offset)
        if chunk.length is not None and upload.offset + chunk.length > upload.length:
            raise ApiError("too_large", f"This chunk would end at byte {upload.offset + chunk.length}, past the "
                           f"declared Upload-Length {upload.length}.")
        start, length, sha256 = upload.offset, upload.length, upload.sha256
        user_id, upload_metadata = upload.user_id, upload.upload_metadata
        db.session.commit()  # no transaction stays open while the body arrives

        offset = _receive(lease, start, length, chunk)
        if offset < length:
            return UploadState(upload_id, offset, length, "open", _expiry(utcnow()), upload_metadata)
        return _finish(upload_id, user_id, sha256, length)


class _Lease:
    """This request's hold on an upload (its row's writer and writing_until)."""

    def __init__(self, upload_id: str, token: str) -> None:
        self.upload_id, self.token = upload_id, token
        self.renewed = time.monotonic()

    def held(self):
        """The condition that this request still holds the lease."""
        return (Upload.id == self.upload_id) & (Upload.writer == self.token)

    def keep(self) -> None:
        """Renew the lease now and then while a body streams in; 423 if another request took it."""
        if time.monotonic() - self.renewed < RENEW_LEASE_SECONDS:
            return
        renewed = db.session.execute(update(Upload).where(self.held()).values(writing_until=utcnow() + LEASE))
        db.session.commit()
        if renewed.rowcount != 1:
            raise _locked("This upload was taken over by another request while this chunk arrived.")
        self.renewed = time.monotonic()


def _locked(message: str | None = None) -> ApiError:
    return ApiError("upload_locked", message, headers={"Retry-After": "5"})


def _writer_token() -> str:
    """Names the request holding a lease: this host, this process, and a random part."""
    return f"{_HOST}.{os.getpid()}.{secrets.token_hex(4)}"


def _abandoned(writer: str | None) -> bool:
    """Whether a lease was taken by a process of this host that is gone: a server that crashed and
    restarted need not wait for its own leases to run out."""
    host, _, rest = (writer or "").partition(".")
    pid = rest.partition(".")[0]
    if host != _HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


@contextmanager
def _writing(upload_id: str) -> Iterator[_Lease]:
    """Hold the upload's write lease for the block; 423 when another request holds it."""
    lease, now = _Lease(upload_id, _writer_token()), utcnow()
    taken = db.session.execute(update(Upload).where(
        Upload.id == upload_id, or_(Upload.writer.is_(None), Upload.writing_until <= now),
    ).values(writer=lease.token, writing_until=now + LEASE))
    db.session.commit()
    if taken.rowcount != 1:
        holder = db.session.scalar(select(Upload.writer).where(Upload.id == upload_id))
        db.session.commit()
        if not _abandoned(holder):
            raise _locked()
        taken = db.session.execute(update(Upload).where(Upload.id == upload_id, Upload.writer == holder)
                                   .values(writer=lease.token, writing_until=now + LEASE))
        db.session.commit()
        if taken.rowcount != 1:
            raise _locked()
    try:
        yield lease
    finally:
        db.session.rollback()  # whatever the block left unfinished
        try:
            db.session.execute(update(Upload).where(lease.held()).values(writer=None, writing_until=None))
            db.session.commit()
        except Exception:  # noqa: BLE001  (the lease runs out by itself)
            db.session.rollback()
            log.warning("could not release the write lease of upload %s", upload_id, exc_info=True)


def _offset_error(offset: int) -> ApiError:
    return ApiError("offset_mismatch", f"The upload is at byte {offset}; send the chunk that starts there.",
                    details={"offset": offset}, headers={"Upload-Offset": str(offset)})


@contextmanager
def _storage_full_is_retryable() -> Iterator[None]:
    """A full disk, quota or bucket answers 507 with Retry-After; nothing of the chunk was kept."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise ApiError("storage_full", headers={"Retry-After": str(STORAGE_FULL_RETRY_SECONDS)}) from exc


def _receive(lease: _Lease, start: int, length: int, chunk: Chunk) -> int:
    """Receive the body (streaming, into a local spool), store it as a part, then record it; return
    the new offset. A checksummed chunk is all or nothing."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        received = _read_chunk(lease, spool, start, length, chunk)
        if received == 0:
            return start
        spool.seek(0)
        name = f"{start:015d}-{lease.token}"
        with _storage_full_is_retryable():
            get_store().put_part(lease.upload_id, name, spool, received)
    offset, now = start + received, utcnow()
    # The last part does not move the offset: finishing does, once the file is verified and stored,
    # so a phone whose final PATCH failed half-way resends it rather than believe the upload done.
    values = {"writing_until": now + LEASE}
    if offset < length:
        values.update(offset=offset, expires_at=_expiry(now))
    # Recorded only while this request holds the lease and nobody moved the offset: a part written
    # by a request that lost its lease stays unlisted (and is deleted with the upload's parts).
    moved = db.session.execute(update(Upload).where(lease.held(), Upload.offset == start, Upload.status == "open")
                               .values(**values))
    if moved.rowcount != 1:
        db.session.rollback()
        raise _locked("This upload was taken over by another request while this chunk arrived; ask for its offset.")
    # Parts past the offset were never acknowledged (a final chunk whose finishing failed): replaced.
    db.session.execute(delete(UploadPart).where(UploadPart.upload_id == lease.upload_id, UploadPart.start >= start))
    db.session.add(UploadPart(upload_id=lease.upload_id, start=start, end=offset, name=name))
    db.session.commit()
    return offset


def _read_chunk(lease: _Lease, spool: BinaryIO, start: int, length: int, chunk: Chunk) -> int:
    """Copy the body into `spool`; return how many bytes to keep."""
    hasher = CHECKSUM_ALGORITHMS[chunk.checksum[0]]() if chunk.checksum else None
    room = length - start
    received = 0
    # The servers' input streams (werkzeug's buffered socket file, gunicorn's Body) wait until a
    # read is filled, and a connection reset (RST) in the middle of that wait loses what the read
    # had gathered. So reads ask for about what arrives in a fraction of a second: small on a 2G
    # link (a reset loses little), up to READ_BYTES on a fast one (few calls).
    want = MIN_READ_BYTES
    try:
        while True:
            began = time.monotonic()
            piece = chunk.stream.read(min(want, room - received + 1))
            if not piece:
                break
            took = time.monotonic() - began
            if took < QUICK_READ_SECONDS:
                want = min(READ_BYTES, want * 2)
            elif took > SLOW_READ_SECONDS:
                want = max(MIN_READ_BYTES, want // 2)
            received += len(piece)
            if received > room:
                raise ApiError("too_large", f"The body goes past the declared Upload-Length {length}; "
                               "the chunk was discarded.")
            spool.write(piece)
            if hasher is not None:
                hasher.update(piece)
            lease.keep()
    except ClientDisconnected:
        # The link dropped mid-chunk. Unchecked bytes are kept (the phone resumes after them);
        # a checksummed chunk cannot be verified, so it is dropped whole.
        return 0 if hasher is not None else received
    if hasher is not None and hasher.digest() != chunk.checksum[1]:
        raise ApiError("checksum_mismatch", f"The chunk of {received} bytes at offset {start} does not match its "
                       f"Upload-Checksum ({chunk.checksum[0]}); it was discarded. Send it again.",
                       details={"offset": start})
    return received


def _finish(upload_id: str, user_id: int, sha256: str, length: int) -> UploadState:
    """Assemble the parts while hashing them, verify the whole file, check its container is a photo we
    accept (structure and EXIF, no pixel decoded), store it, record it; the full decode and the
    derived sizes follow in the `process_photo` job."""
    store = get_store()
    parts = db.session.scalars(select(UploadPart).where(UploadPart.upload_id == upload_id)
                               .order_by(UploadPart.start)).all()
    parts = [(part.start, part.end, part.name) for part in parts]
    db.session.commit()
    try:
        assembled, received = _assemble(store, upload_id, parts, length)
    except FileNotFoundError:
        _close(db.session.get(Upload, upload_id), "failed")
        db.session.commit()
        raise ApiError("upload_gone", "The bytes received so far were lost on the server; "
                       "start a new upload.") from None
    try:
        if received != sha256:
            _refuse(upload_id, ApiError(
                "digest_mismatch", "The received bytes have the SHA-256 "
                f"{received}, not the declared {sha256}; nothing was stored. Read the file again and re-send it.",
                details={"declared": sha256, "received": received}))
        try:
            info = imaging.check_container(assembled, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
        except imaging.ImageRejected as exc:
            _refuse(upload_id, ApiError(exc.code, f"Not accepted as a photo: {exc.message}. Nothing was stored."))

        # Noted before storing: if the server fails between storing and recording, the phone's
        # resend finds the bytes stored and this session their verified sender (see _append).
        db.session.execute(update(Upload).where(Upload.id == upload_id).values(finished_at=utcnow()))
        db.session.commit()
        with _storage_full_is_retryable():  # the phone's resend finishes it (see _append)
            store.put_file(sha256, assembled)
    finally:
        assembled.unlink(missing_ok=True)
    _drop_parts(upload_id)
    _record_blob(upload_id, user_id, _blob_row(sha256, length, info, user_id))
    return UploadState(upload_id, length, length, "complete", None, None)


def _assemble(store, upload_id: str, parts: list[tuple[int, int, str]], length: int) -> tuple[Path, str]:
    """The parts copied in order into one local file, hashed on the way; FileNotFoundError when a part
    is gone or the recorded ranges do not cover the file."""
    digest = hashlib.sha256()
    fd, name = tempfile.mkstemp(dir=store.staging_dir, prefix=f"{upload_id}.", suffix=".assembling")
    path = Path(name)
    try:
        with open(fd, "wb") as out:
            at = 0
            for start, end, part in parts:
                if start != at:
                    raise FileNotFoundError(f"upload {upload_id}: no part starts at byte {at}")
                with store.open_part(upload_id, part) as source:
                    while block := source.read(1024 * 1024):
                        digest.update(block)
                        out.write(block)
                        at += len(block)
                if at != end:
                    raise FileNotFoundError(f"upload {upload_id}: part {part} holds {at - start} bytes, not "
                                            f"{end - start}")
            if at != length:
                raise FileNotFoundError(f"upload {upload_id}: parts end at byte {at}, not {length}")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest()


def _drop_parts(upload_id: str) -> None:
    """Forget an upload's parts once its bytes are stored whole or refused (in the store and the list)."""
    get_store().delete_parts(upload_id)
    db.session.execute(delete(UploadPart).where(UploadPart.upload_id == upload_id))


def _already_stored(upload: Upload) -> bool:
    store = get_store()
    return store.exists(upload.sha256) and store.size(upload.sha256) == upload.length


def _finish_stored(upload: Upload) -> None:
    """Record bytes already in the store for this session (only verified files are ever put there)."""
    sha256, upload_id, user_id, length = upload.sha256, upload.id, upload.user_id, upload.length
    blob = db.session.get(Blob, sha256)
    db.session.commit()  # no transaction stays open while the image is read
    if blob is None:
        info = _check_stored(sha256, "Not accepted as a photo")
        blob = _blob_row(sha256, length, info, user_id)
    _drop_parts(upload_id)
    _record_blob(upload_id, user_id, blob)
    db.session.refresh(upload)


def _blob_row(sha256: str, length: int, info: imaging.ImageInfo, user_id: int) -> Blob:
    return Blob(sha256=sha256, size=length, media_type=info.media_type, width=info.width, height=info.height,
                exif={**info.exif, "orientation": info.orientation}, uploaded_by_id=user_id,
                processing="pending")


def _check_stored(sha256: str, refusal: str) -> imaging.ImageInfo:
    """Check the container of the stored original of sha256 (no pixel decoded)."""
    try:
        return imaging.check_container(_stored_source(sha256), max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except imaging.ImageRejected as exc:
        raise ApiError(exc.code, f"{refusal}: {exc.message}.") from exc


def _stored_source(sha256: str) -> imaging.ImageSource:
    store = get_store()
    path = store.path_for(sha256)
    if path is not None:
        return path
    with store.open(sha256) as fp:
        return fp.read()


def _put_derived(sha256: str, derived: dict[str, bytes]) -> None:
    store = get_store()
    for variant, data in derived.items():
        store.put_derived(sha256, variant, data)


def _ingest_stored(sha256: str, refusal: str) -> tuple[imaging.ImageInfo, dict[str, bytes]]:
    """Read the stored original of sha256 and store its derived sizes; `refusal` opens the error if it fails."""
    store = get_store()
    path = store.path_for(sha256)
    if path is not None:
        source: imaging.ImageSource = path
    else:
        with store.open(sha256) as fp:
            source = fp.read()
    try:
        info, derived = imaging.ingest_image(source, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except imaging.ImageRejected as exc:
        raise ApiError(exc.code, f"{refusal}: {exc.message}.") from exc
    _put_derived(sha256, derived)
    return info, derived


def _refuse(upload_id: str, error: ApiError) -> None:
    """Delete a finished upload's bytes that failed a final check, and answer the error."""
    _close(db.session.get(Upload, upload_id), "failed")
    db.session.commit()
    raise error


def _record_blob(upload_id: str, uploader_id: int, blob: Blob) -> None:
    """Insert the blob row (once per hash), note the session's uploader as a holder, finish the
    session and re-stamp the records that name it."""
    for attempt in (1, 2):
        try:
            db.session.execute(update(Upload).where(Upload.id == upload_id).values(
                status="complete", offset=blob.size, finished_at=utcnow()))
            if db.session.get(Blob, blob.sha256) is None:
                db.session.add(blob)
                db.session.flush()
                _ask_for_processing(blob.sha256)
            if db.session.get(BlobHolder, (blob.sha256, uploader_id)) is None:
                db.session.add(BlobHolder(sha256=blob.sha256, user_id=uploader_id))
                db.session.flush()
            _bump_references(blob.sha256)
            db.session.commit()
            return
        except IntegrityError:  # the same bytes finished at the same moment in another session
            db.session.rollback()
            if attempt == 2:
                raise


def _ask_for_processing(sha256: str) -> None:
    from ..jobs import enqueue  # jobs import the services; the services send jobs only at run time
    from ..jobs.tasks import PROCESS_PHOTO

    enqueue(PROCESS_PHOTO, sha256)


def process_photo(sha256: str) -> str | None:
    """Decode a stored upload in full and store its derived sizes; record "ready", or "failed" with
    the reason. Safe to run twice: a blob no longer pending is left alone. Returns the new state."""
    blob = db.session.get(Blob, sha256, populate_existing=True)
    if blob is None or blob.processing != "pending":
        db.session.rollback()
        return None if blob is None else blob.processing
    db.session.commit()  # no transaction stays open during the decode
    try:
        _, derived = imaging.ingest_image(_stored_source(sha256), max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except imaging.ImageRejected as exc:
        state, reason = "failed", exc.message
    else:
        _put_derived(sha256, derived)
        state, reason = "ready", None
    updated = db.session.execute(update(Blob).where(Blob.sha256 == sha256, Blob.processing == "pending")
                                 .values(processing=state, processing_error=reason))
    if updated.rowcount:
        _bump_references(sha256)  # the next pull tells the phone: delete the original, or keep it
    db.session.commit()
    return state


STALLED_PER_SWEEP = 500  # photo checks sent again per sweep; the rest go at the next


def resend_stalled_checks() -> int:
    """Send the check again for photos still pending JOB_STALL_SECONDS after it was last sent: its
    message was lost (a worker killed outright on the embedded broker, which hands nothing on; a
    broker that was down when the upload finished). Until a check passes, the phone keeps the
    original. Safe beside a check that is merely slow: `process_photo` leaves a photo no longer
    pending alone. Returns how many were sent."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["JOB_STALL_SECONDS"])
    stalled = db.session.scalars(select(Blob.sha256).where(
        Blob.processing == "pending",
        or_(Blob.processing_asked_at < cutoff, (Blob.processing_asked_at.is_(None)) & (Blob.created_at < cutoff)))
        .limit(STALLED_PER_SWEEP)).all()
    if stalled:
        db.session.execute(update(Blob).where(Blob.sha256.in_(stalled)).values(processing_asked_at=now))
        for sha256 in stalled:
            _ask_for_processing(sha256)
        log.warning("photo checks sent again (their job was lost): %d", len(stalled))
    db.session.commit()
    return len(stalled)


def _bump_references(sha256: str) -> None:
    """Give the rows that reference these bytes a new version, so the next pull tells phones they arrived."""
    version = allocate_version(db.session)
    sync = {"synchronize_session": False}
    db.session.execute(update(Photo).where((Photo.sha256 == sha256) | (Photo.display_sha256 == sha256))
                       .values(version=version), execution_options=sync)
    db.session.execute(update(Signature).where(Signature.image_sha256 == sha256).values(version=version),
                       execution_options=sync)


def _close(upload: Upload, status: str) -> None:
    """End a session that will never complete and delete its partial bytes (in the caller's transaction)."""
    upload.status = status
    upload.finished_at = utcnow()
    _drop_parts(upload.id)


def _discard(chunk: Chunk | None) -> None:
    """Read and drop a body the server does not need, so the connection can carry the next request."""
    if chunk is None:
        return
    try:
        while chunk.stream.read(READ_BYTES):
            pass
    except ClientDisconnected:
        pass


# ---------------------------------------------------------------- checking and reading

def check_blobs(user: User, hashes: list[str]) -> dict[str, list[str]]:
    """Which of these hashes the server still lacks for the caller's records, answered only for hashes
    the caller's records name."""
    ordered = list(dict.fromkeys(hashes))
    named = blobs_named_in_scope(user, ordered)  # held: for a record the caller can see
    return {
        "missing": [h for h in ordered if h in named and not named[h]],
        "present": [h for h in ordered if named.get(h)],
        "unknown": [h for h in ordered if h not in named],
    }


def original_bytes(user: User, sha256: str) -> BlobBytes:
    """The original as uploaded, for a caller whose scope holds a record naming it, once someone of
    that record's case has uploaded it."""
    held = _require_named(user, sha256)
    blob = db.session.get(Blob, sha256)
    store = get_store()
    if blob is None or not held or not store.exists(sha256):
        raise ApiError("blob_not_uploaded", "The bytes of this file have not been uploaded yet.")
    path = store.path_for(sha256)
    if path is not None:
        return BlobBytes(blob.media_type, sha256, True, path=path)
    return BlobBytes(blob.media_type, sha256, True, stream=store.open(sha256))


def derived_bytes(user: User, sha256: str, variant: str) -> BlobBytes:
    """A thumbnail or display-size JPEG of the file, made from the original once (lazily if need be).

    Before the original arrives, a photo's sizes are made from the phone's display copy; those
    answers may be cached only until revalidated, since the original's will replace them.
    """
    if variant not in VARIANTS:
        raise ApiError("not_found", f"No size called {variant!r}; use one of {', '.join(VARIANTS)}.")
    processing: ApiError | None = None
    if _require_named(user, sha256):
        try:
            return BlobBytes(imaging.JPEG, f"{sha256}.{variant}", True, stream=io.BytesIO(_derived(sha256, variant)))
        except ApiError as exc:  # the original's sizes are not made yet: the display copy's may be
            if exc.code != "photo_processing":
                raise
            processing = exc
    display_copies = db.session.scalars(
        select(Photo.display_sha256).join(Blob, Blob.sha256 == Photo.display_sha256)
        .where(Photo.sha256 == sha256, Photo.deleted_at.is_(None))
    ).all()
    for display_sha in display_copies:
        if blob_in_scope(user, display_sha):
            try:
                return BlobBytes(imaging.JPEG, f"{display_sha}.{variant}", False,
                                 stream=io.BytesIO(_derived(display_sha, variant)))
            except ApiError as exc:
                if exc.code != "photo_processing":
                    raise
                processing = exc
    if processing is not None:
        raise processing
    raise ApiError("blob_not_uploaded", "Neither this photo nor its display copy has been uploaded yet.")


def _require_named(user: User, sha256: str) -> bool:
    """404 unless a record in the user's scope names these bytes; whether they are held for one."""
    _require_sha256(sha256, "The address")
    named = blobs_named_in_scope(user, [sha256])
    if not named:
        raise ApiError("not_found", "No file with this SHA-256 in your jurisdiction.")
    return named[sha256]


def _derived(sha256: str, variant: str) -> bytes:
    """The stored derived size, made (with its sibling) from the original when it is missing."""
    store = get_store()
    stored = store.open_derived(sha256, variant)
    if stored is not None:
        with stored:
            return stored.read()
    blob = db.session.get(Blob, sha256)
    if blob is not None and blob.processing == "pending":
        raise ApiError("photo_processing", "This photo is still being processed (处理中); its sizes follow shortly.")
    if blob is not None and blob.processing == "failed":
        raise ApiError("corrupt_image", f"No {variant} can be made of this file: {blob.processing_error}.")
    # Stored before sizes were made by the job, or the sizes were lost: make them once, here.
    _, derived = _ingest_stored(sha256, f"No {variant} can be made of this file")
    return derived[variant]
