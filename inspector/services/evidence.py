"""Evidence bytes: resumable uploads verified against their declared SHA-256, stored once per hash,
processed into derived sizes once, and read back only through records in the reader's scope.

An upload's partial bytes live in the store's staging directory as `<upload id>.part`. Every
request that writes to (or deletes) that file first takes an exclusive, non-blocking `flock` on
it, so two PATCHes of one upload never interleave; no database transaction is held while a
body streams in over a slow link. The database offset only advances after the bytes are fsynced,
so after a crash the file is cut back to the recorded offset and the phone resends from there.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import ClientDisconnected

from .. import imaging
from ..database import db, utcnow
from ..errors import ApiError
from ..models import Blob, BlobHolder, Photo, Signature, Upload, User
from ..models.sync import allocate_version
from ..schemas.base import SHA256_HEX
from ..storage import VARIANTS, get_store
from .scope import blob_in_scope, blobs_named_in_scope

READ_BYTES = 64 * 1024
STORAGE_FULL_RETRY_SECONDS = 300
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
"""Per-chunk Upload-Checksum algorithms (tus requires sha1; the phone sends sha256)."""
EXPIRY_SWEEP_BATCH = 100


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
        _part_path(upload.id).touch(mode=0o600)  # before the commit: a crash leaves a stray file, not a lost one
        try:
            db.session.commit()
        except IntegrityError:  # a retried POST raced this one: answer with the session it created
            db.session.rollback()
            _part_path(upload.id).unlink(missing_ok=True)
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
    """Close an open session under its lock and commit; 423 when another request is writing to it."""
    with _locked_part(upload.id):
        db.session.refresh(upload)
        if upload.status != "open" or not when(upload):
            return False
        _close(upload, status)
        db.session.commit()  # while the lock is held, so no PATCH sees the file gone but the row open
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
    with _locked_part(upload_id) as part:
        # Read after taking the lock: the row as the last writer left it.
        upload = db.session.get(Upload, upload_id, populate_existing=True)
        if upload.status == "open" and part is None and upload.finished_at is not None and _already_stored(upload):
            # This session's verified bytes were moved into the store, but it was not closed: the
            # request that finished it failed or crashed after the move. (Bytes another session
            # stored prove nothing of this one's sender: that case is "lost" below.)
            _finish_stored(upload)
        if upload.status == "open" and (part is None or upload.expires_at <= utcnow()):
            lost = part is None
            _close(upload, "failed" if lost else "expired")
            db.session.commit()
            if lost:
                raise ApiError("upload_gone", "The bytes received so far were lost on the server; "
                               "start a new upload.")
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
        assert part is not None
        start, length, sha256 = upload.offset, upload.length, upload.sha256
        user_id, upload_metadata = upload.user_id, upload.upload_metadata
        db.session.commit()  # no transaction stays open while the body arrives

        offset = _receive(part, start, length, chunk)
        if offset < length:
            now = utcnow()
            db.session.execute(update(Upload).where(Upload.id == upload_id, Upload.offset == start)
                               .values(offset=offset, expires_at=_expiry(now)))
            db.session.commit()
            return UploadState(upload_id, offset, length, "open", _expiry(now), upload_metadata)
        return _finish(upload_id, user_id, sha256, length)


def _offset_error(offset: int) -> ApiError:
    return ApiError("offset_mismatch", f"The upload is at byte {offset}; send the chunk that starts there.",
                    details={"offset": offset}, headers={"Upload-Offset": str(offset)})


@contextmanager
def _storage_full_is_retryable(part: BinaryIO | None = None, start: int = 0) -> Iterator[None]:
    """A full disk (or quota) answers 507 with Retry-After, dropping the chunk's bytes written so far."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        if part is not None:
            part.truncate(start)
        raise ApiError("storage_full", headers={"Retry-After": str(STORAGE_FULL_RETRY_SECONDS)}) from exc


def _receive(part: BinaryIO, start: int, length: int, chunk: Chunk) -> int:
    """Write the body at `start`, streaming; return the new offset. A checksummed chunk is all or nothing."""
    with _storage_full_is_retryable(part, start):
        return _write_chunk(part, start, length, chunk)


def _write_chunk(part: BinaryIO, start: int, length: int, chunk: Chunk) -> int:
    part.truncate(start)  # bytes past the recorded offset were never acknowledged
    part.seek(start)
    hasher = CHECKSUM_ALGORITHMS[chunk.checksum[0]]() if chunk.checksum else None
    room = length - start
    received = 0
    try:
        while piece := chunk.stream.read(min(READ_BYTES, room - received + 1)):
            received += len(piece)
            if received > room:
                part.truncate(start)
                raise ApiError("too_large", f"The body goes past the declared Upload-Length {length}; "
                               "the chunk was discarded.")
            part.write(piece)
            if hasher is not None:
                hasher.update(piece)
    except ClientDisconnected:
        # The link dropped mid-chunk. Unchecked bytes are kept (the phone resumes after them);
        # a checksummed chunk cannot be verified, so it is dropped whole.
        if hasher is not None:
            part.truncate(start)
            return start
    else:
        if hasher is not None and hasher.digest() != chunk.checksum[1]:
            part.truncate(start)
            raise ApiError("checksum_mismatch", f"The chunk of {received} bytes at offset {start} does not match its "
                           f"Upload-Checksum ({chunk.checksum[0]}); it was discarded. Send it again.",
                           details={"offset": start})
    part.flush()
    os.fsync(part.fileno())
    return start + received


def _finish(upload_id: str, user_id: int, sha256: str, length: int) -> UploadState:
    """Verify the whole file, check it is a photo we accept, store it and its derived sizes, record it."""
    part_path = _part_path(upload_id)
    received = _file_sha256(part_path)
    if received != sha256:
        _refuse(upload_id, ApiError(
            "digest_mismatch", "The received bytes have the SHA-256 "
            f"{received}, not the declared {sha256}; nothing was stored. Read the file again and re-send it.",
            details={"declared": sha256, "received": received}))
    try:
        info, derived = imaging.ingest_image(part_path, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except imaging.ImageRejected as exc:
        _refuse(upload_id, ApiError(exc.code, f"Not accepted as a photo: {exc.message}. Nothing was stored."))

    # Noted before the move: if the server fails between moving and recording, the phone's resend
    # finds the bytes stored and this session their verified sender (see _append).
    db.session.execute(update(Upload).where(Upload.id == upload_id).values(finished_at=utcnow()))
    db.session.commit()
    store = get_store()
    with _storage_full_is_retryable():  # the phone's resend finishes it (see _append)
        store.put_file(sha256, part_path)
        _put_derived(sha256, derived)
    _record_blob(upload_id, user_id, _blob_row(sha256, length, info, user_id))
    return UploadState(upload_id, length, length, "complete", None, None)


def _already_stored(upload: Upload) -> bool:
    store = get_store()
    return store.exists(upload.sha256) and store.size(upload.sha256) == upload.length


def _finish_stored(upload: Upload) -> None:
    """Record bytes already in the store for this session (only verified files are ever put there)."""
    sha256, upload_id, user_id, length = upload.sha256, upload.id, upload.user_id, upload.length
    blob = db.session.get(Blob, sha256)
    db.session.commit()  # no transaction stays open while the image is read
    if blob is None:
        with _storage_full_is_retryable():
            info, _ = _ingest_stored(sha256, "Not accepted as a photo")
        blob = _blob_row(sha256, length, info, user_id)
    _record_blob(upload_id, user_id, blob)
    db.session.refresh(upload)


def _blob_row(sha256: str, length: int, info: imaging.ImageInfo, user_id: int) -> Blob:
    return Blob(sha256=sha256, size=length, media_type=info.media_type, width=info.width, height=info.height,
                exif={**info.exif, "orientation": info.orientation}, uploaded_by_id=user_id)


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
    _part_path(upload.id).unlink(missing_ok=True)


def _part_path(upload_id: str) -> Path:
    return get_store().staging_dir / f"{upload_id}.part"


@contextmanager
def _locked_part(upload_id: str) -> Iterator[BinaryIO | None]:
    """The session's partial file, opened and exclusively locked (None when there is no such file);
    423 when another request holds it."""
    try:
        fd = os.open(_part_path(upload_id), os.O_RDWR)
    except FileNotFoundError:
        yield None  # a closed session (its row says so), or bytes lost from disk
        return
    with os.fdopen(fd, "r+b") as part:
        try:
            fcntl.flock(part.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApiError("upload_locked", headers={"Retry-After": "5"}) from None
        yield part


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        while block := fp.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


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
    if _require_named(user, sha256):
        return BlobBytes(imaging.JPEG, f"{sha256}.{variant}", True, stream=io.BytesIO(_derived(sha256, variant)))
    display_copies = db.session.scalars(
        select(Photo.display_sha256).join(Blob, Blob.sha256 == Photo.display_sha256)
        .where(Photo.sha256 == sha256, Photo.deleted_at.is_(None))
    ).all()
    for display_sha in display_copies:
        if blob_in_scope(user, display_sha):
            return BlobBytes(imaging.JPEG, f"{display_sha}.{variant}", False,
                             stream=io.BytesIO(_derived(display_sha, variant)))
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
    _, derived = _ingest_stored(sha256, f"No {variant} can be made of this file")
    return derived[variant]
