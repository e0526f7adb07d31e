"""Resumable evidence uploads (tus 1.0.0): a phone on a weak 2G link sends a photo's bytes after its record."""
from __future__ import annotations

import errno
import io
import shutil
import struct
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspector.database import db, utcnow
from inspector.models import Blob, Photo, Upload, UploadPart
from inspector.services import evidence

from .. import factories
from ..real_photos import real_photo

from .evidence_helpers import (
    CHUNK, TUS, DroppedLink, add_photo, add_signature, camera_jpeg, checksum, create, head, metadata,
    patch, png_bomb, run_photo_jobs, sha256, small_png, stored_files, tuoketuo_case, upload,
)
from .evidence_helpers import blob_dir  # noqa: F401  (a fixture these tests use)


@pytest.fixture
def case(app):
    """A draft case in 托克托县 worked by tuoketuo.zhang and tuoketuo.liu."""
    return tuoketuo_case()


def fresh() -> None:
    """Let the test's own session see what the requests committed."""
    db.session.rollback()


def blob_path(blob_dir, digest: str, variant: str | None = None):
    if variant:
        return blob_dir / "derived" / digest[:2] / digest[2:4] / f"{digest}.{variant}.jpg"
    return blob_dir / "blobs" / digest[:2] / digest[2:4] / digest


def received_parts(blob_dir, location: str) -> list:
    """The parts (received ranges) of this upload waiting in the store."""
    folder = blob_dir / "uploads" / location.rsplit("/", 1)[1]
    return sorted(folder.iterdir()) if folder.is_dir() else []


def received_bytes(blob_dir, location: str) -> int:
    return sum(part.stat().st_size for part in received_parts(blob_dir, location))


def nothing_stored(blob_dir, digest: str) -> None:
    fresh()
    assert db.session.get(Blob, digest) is None
    assert stored_files(blob_dir) == []  # no original, no derived size, no partial upload left
    assert db.session.scalar(select(func.count()).select_from(Upload).where(Upload.status == "open")) == 0


# ---------------------------------------------------------------- the happy path

def test_photo_arrives_in_checked_chunks_and_is_stored_once(case, login_as, blob_dir):
    original = camera_jpeg()
    photo = add_photo(case, original)
    version_before = photo.version
    digest = sha256(original)

    last = upload(login_as("tuoketuo.zhang"), original, chunk_size=64 * 1024)

    assert last.status_code == 204 and int(last.headers["Upload-Offset"]) == len(original)
    fresh()
    blob = db.session.get(Blob, digest)
    assert (blob.size, blob.media_type, blob.width, blob.height) == (len(original), "image/jpeg", 800, 600)
    assert blob.exif["capture_time"] == "2026-11-30T09:14:03+08:00"
    assert blob.exif["gps"]["lat"] == pytest.approx(40.2775, abs=1e-4)
    assert blob.exif["gps"]["lon"] == pytest.approx(111.1936, abs=1e-4)
    assert (blob.exif["make"], blob.exif["model"], blob.exif["orientation"]) == ("HUAWEI", "ELS-AN00", 6)
    assert blob_path(blob_dir, digest).read_bytes() == original  # the original, unchanged, EXIF and all
    # The full decode and the sizes are the job's: the upload only stored the original.
    assert blob.processing == "pending"
    assert stored_files(blob_dir) == [str(blob_path(blob_dir, digest).relative_to(blob_dir))]
    stamped = db.session.get(Photo, photo.id).version
    assert stamped > version_before

    assert run_photo_jobs() == {digest: "ready"}

    fresh()
    assert db.session.get(Blob, digest).processing == "ready"
    assert stored_files(blob_dir) == sorted(str(p.relative_to(blob_dir)) for p in (
        blob_path(blob_dir, digest), blob_path(blob_dir, digest, "thumb"), blob_path(blob_dir, digest, "display")))
    # The record is re-stamped again, so the phones' next pull shows the photo as uploaded.
    assert db.session.get(Photo, photo.id).version > stamped


def test_second_phone_with_the_same_photo_sends_nothing(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    files = stored_files(blob_dir)

    again = create(login_as("tuoketuo.liu"), original)

    assert again.status_code == 201
    assert int(again.headers["Upload-Offset"]) == len(original) and again.get_json()["blobPresent"] is True
    assert head(login_as("tuoketuo.liu"), again.headers["Location"]).headers["Upload-Offset"] == str(len(original))
    assert stored_files(blob_dir) == files


def test_small_file_goes_whole_in_the_creation_request(case, login_as, blob_dir):
    signature = small_png()
    add_signature(case, signature)

    created = create(login_as("tuoketuo.zhang"), signature, body=signature)

    assert created.status_code == 201, created.get_json()
    assert int(created.headers["Upload-Offset"]) == len(signature)
    fresh()
    assert db.session.get(Blob, sha256(signature)).media_type == "image/png"


def test_display_copy_is_accepted_before_the_original(case, login_as, blob_dir):
    original, display = camera_jpeg((1200, 900)), camera_jpeg((400, 300), seed=2)
    photo = add_photo(case, original, display=display)
    version_before = photo.version

    upload(login_as("tuoketuo.zhang"), display)

    fresh()
    assert db.session.get(Blob, sha256(display)) is not None and db.session.get(Blob, sha256(original)) is None
    assert db.session.get(Photo, photo.id).version > version_before


# ---------------------------------------------------------------- weak links

def test_photo_stored_but_not_recorded_before_a_crash_is_recorded_when_the_phone_resends(
        case, login_as, blob_dir, monkeypatch):
    """The server went down after it had moved the verified bytes into the store, before it recorded
    them. The phone asks HEAD, resends its last chunk, and is not made to send the whole photo again."""
    original = camera_jpeg()
    photo = add_photo(case, original)
    version_before = photo.version
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    patch(api, location, 0, original[:65536])
    record_blob = evidence._record_blob
    monkeypatch.setattr(evidence, "_record_blob", lambda *args: (_ for _ in ()).throw(RuntimeError("power cut")))
    with pytest.raises(RuntimeError):
        patch(api, location, 65536, original[65536:])
    monkeypatch.setattr(evidence, "_record_blob", record_blob)  # the server is back
    assert head(api, location).headers["Upload-Offset"] == "65536"

    resent = patch(api, location, 65536, original[65536:])

    assert resent.status_code == 409 and resent.headers["Upload-Offset"] == str(len(original))
    assert head(api, location).headers["Upload-Offset"] == str(len(original))
    fresh()
    assert db.session.get(Blob, sha256(original)).size == len(original)
    assert db.session.get(Photo, photo.id).version > version_before
    assert blob_path(blob_dir, sha256(original)).read_bytes() == original
    run_photo_jobs()
    assert blob_path(blob_dir, sha256(original), "thumb").exists()


def test_upload_cut_mid_chunk_resumes_from_heads_offset(case, login_as, blob_dir):
    """The signal drops 37 913 bytes into the second chunk; the phone asks HEAD and goes on from there."""
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    assert patch(api, location, 0, original[:65536]).status_code == 204

    cut = patch(api, location, 65536, DroppedLink(original[65536:165536], cut=37913))

    assert cut.status_code == 204
    offset = int(head(api, location).headers["Upload-Offset"])
    assert offset == 65536 + 37913  # bytes without a checksum are kept up to where the link dropped
    assert patch(api, location, offset, original[offset:]).status_code == 204
    assert blob_path(blob_dir, sha256(original)).read_bytes() == original


def test_checksummed_chunk_cut_mid_way_is_discarded_whole(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    patch(api, location, 0, original[:65536])
    chunk = original[65536:131072]

    patch(api, location, 65536, DroppedLink(chunk, cut=20000), extra={"Upload-Checksum": checksum(chunk)})

    assert head(api, location).headers["Upload-Offset"] == "65536"
    assert received_bytes(blob_dir, location) == 65536


def test_repeated_creation_returns_the_same_session(case, login_as, blob_dir):
    """The POST's answer was lost on the way back; the phone asks again and resumes the same upload."""
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    first = create(api, original)
    patch(api, first.headers["Location"], 0, original[:50000])

    second = create(api, original)

    assert second.status_code == 201
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Upload-Offset"] == "50000"


def test_chunk_at_the_wrong_offset_is_409_and_changes_nothing(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    patch(api, location, 0, original[:10000])

    r = patch(api, location, 5000, original[5000:20000])

    assert r.status_code == 409 and r.get_json()["error"]["code"] == "offset_mismatch"
    assert r.headers["Upload-Offset"] == "10000"
    assert head(api, location).headers["Upload-Offset"] == "10000"


def test_wrong_chunk_checksum_is_460_and_the_chunk_discarded(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    patch(api, location, 0, original[:10000])
    damaged = bytearray(original[10000:30000])
    damaged[777] ^= 0xFF  # one bit flipped on the way

    r = patch(api, location, 10000, bytes(damaged), extra={"Upload-Checksum": checksum(original[10000:30000])})

    assert r.status_code == 460 and r.get_json()["error"]["code"] == "checksum_mismatch"
    assert r.headers["Tus-Resumable"] == "1.0.0"
    assert head(api, location).headers["Upload-Offset"] == "10000"
    assert received_bytes(blob_dir, location) == 10000
    assert patch(api, location, 10000, original[10000:]).status_code == 204  # the resend goes through


def test_sha1_chunk_checksums_are_accepted_too(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]

    assert patch(api, location, 0, original, check="sha1").status_code == 204
    unsupported = patch(api, location, 0, b"x", extra={"Upload-Checksum": "md5 AAAA"})
    assert unsupported.status_code == 400 and "sha256" in unsupported.get_json()["error"]["message"]


def test_final_hash_mismatch_is_422_and_nothing_is_stored(case, login_as, blob_dir):
    """The phone's bytes changed after it hashed them (a re-compressed file): refused, the phone re-sends."""
    original = camera_jpeg()
    add_photo(case, original)
    other = bytearray(original)
    other[-100] ^= 0x01
    api = login_as("tuoketuo.zhang")
    first = create(api, original)

    r = patch(api, first.headers["Location"], 0, bytes(other))

    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "digest_mismatch" and error["details"]["declared"] == sha256(original)
    assert "nothing was stored" in error["message"]
    nothing_stored(blob_dir, sha256(original))
    assert head(api, first.headers["Location"]).status_code == 410
    again = create(api, original)  # the phone reads the file again and starts over
    assert again.status_code == 201 and again.headers["Location"] != first.headers["Location"]
    assert again.headers["Upload-Offset"] == "0"


def _expired_partial_upload(case, api, original: bytes) -> tuple[str, str]:
    """An upload with 10,000 bytes received whose session expired a minute ago."""
    add_photo(case, original)
    location = create(api, original).headers["Location"]
    patch(api, location, 0, original[:10000])
    upload_id = location.rsplit("/", 1)[1]
    db.session.get(Upload, upload_id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return location, upload_id


def test_expired_upload_answers_410_and_its_bytes_are_swept(case, login_as, blob_dir):
    original, other = camera_jpeg(), camera_jpeg(seed=3)
    add_photo(case, other)
    api = login_as("tuoketuo.zhang")
    location, upload_id = _expired_partial_upload(case, api, original)

    assert head(api, location).status_code == 410
    r = patch(api, location, 10000, original[10000:20000])
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "upload_gone"
    assert received_parts(blob_dir, location) == []

    create(api, other)  # any new upload sweeps what expired meanwhile
    fresh()
    assert db.session.get(Upload, upload_id).status == "expired"


def test_abandoned_capture_is_terminated(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    patch(api, location, 0, original[:10000])

    r = api.request("DELETE", location, headers=TUS)

    assert r.status_code == 204 and r.headers["Tus-Resumable"] == "1.0.0"
    assert head(api, location).status_code == 410
    nothing_stored(blob_dir, sha256(original))


# ---------------------------------------------------------------- refused files

@pytest.mark.parametrize("kind,code,phrase", [
    ("bomb", "decompression_bomb", "megapixel"),
    ("text", "unsupported_format", "text/plain"),
    ("truncated", "truncated_image", "truncated"),
])
def test_files_that_are_not_acceptable_photos_are_refused_and_nothing_is_stored(
        case, login_as, blob_dir, kind, code, phrase):
    data = {
        "bomb": png_bomb(),
        "text": "这不是照片 — a note saved as IMG_0002.jpg\n".encode() * 20,
        "truncated": camera_jpeg()[:200_000],
    }[kind]
    add_photo(case, data)  # the phone hashed exactly these bytes
    api = login_as("tuoketuo.zhang")
    location = create(api, data).headers["Location"]

    r = patch(api, location, 0, data)

    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == code and phrase in error["message"] and "Nothing was stored" in error["message"]
    nothing_stored(blob_dir, sha256(data))


def test_photo_whose_exif_has_a_damaged_tag_is_stored(case, login_as, blob_dir):
    """A camera app wrote its maker tag as a number: the photo is still evidence, and is accepted."""
    exif = Image.Exif()
    exif[0x010F] = "HUA"  # Make
    exif[0x0112] = 6  # Orientation
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "gray").save(out, "JPEG", exif=exif)
    damaged = out.getvalue().replace(struct.pack(">HHI", 0x010F, 2, 4), struct.pack(">HHI", 0x010F, 11, 1))
    add_photo(case, damaged)

    last = upload(login_as("tuoketuo.zhang"), damaged)

    assert last.status_code == 204
    fresh()
    assert db.session.get(Blob, sha256(damaged)).exif["orientation"] == 6
    assert blob_path(blob_dir, sha256(damaged)).read_bytes() == damaged


@pytest.mark.parametrize("bad", ["abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65, ""])
def test_hash_that_is_not_64_hex_characters_is_refused(case, login_as, blob_dir, bad):
    original = camera_jpeg((64, 48))
    api = login_as("tuoketuo.zhang")

    r = create(api, original, body=original, extra={"Upload-Metadata": metadata(sha256=bad)})

    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "validation_failed" and "SHA-256" in error["message"] and "sha256" in error["details"]
    nothing_stored(blob_dir, sha256(original))
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


@pytest.mark.parametrize("upload_metadata", [
    "filetype (a NUL inside the base64 value)",
    "a raw NUL in the header",
])
def test_metadata_with_a_nul_character_is_refused(case, login_as, blob_dir, upload_metadata):
    original = camera_jpeg()
    add_photo(case, original)
    header = (metadata(sha256=sha256(original), filetype="image/jpeg\x00") if upload_metadata.startswith("filetype")
              else metadata(sha256=sha256(original), filetype="image/jpeg") + ",note a\x00b")

    r = create(login_as("tuoketuo.zhang"), original, extra={"Upload-Metadata": header})

    assert r.status_code == 400 and "NUL" in r.get_json()["error"]["message"]
    nothing_stored(blob_dir, sha256(original))


def test_upload_larger_than_the_limit_is_refused(case, login_as, blob_dir, app, monkeypatch):
    original = camera_jpeg()
    add_photo(case, original)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 100_000)
    api = login_as("tuoketuo.zhang")

    r = create(api, original)

    assert r.status_code == 413 and "100000" in r.get_json()["error"]["message"]
    assert api.request("OPTIONS", "/api/v1/uploads").headers["Tus-Max-Size"] == "100000"


def test_chunk_past_the_declared_length_is_refused(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]

    r = patch(api, location, 0, original + b"extra")

    assert r.status_code == 413
    assert head(api, location).headers["Upload-Offset"] == "0"


# ---------------------------------------------------------------- jurisdiction

def test_inspector_cannot_upload_bytes_for_a_photo_of_another_county(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    zhang_upload = create(login_as("tuoketuo.zhang"), original).headers["Location"]
    chen = login_as("donghe.chen")  # 东河区, 包头

    r = create(chen, original, body=original)

    assert r.status_code == 403 and r.get_json()["error"]["code"] == "hash_not_referenced"
    assert head(chen, zhang_upload).status_code == 404
    assert patch(chen, zhang_upload, 0, original).status_code == 404
    assert chen.request("DELETE", zhang_upload, headers=TUS).status_code == 404


def test_bytes_no_record_names_are_refused(case, login_as, blob_dir):
    stray = camera_jpeg(seed=9)

    r = create(login_as("tuoketuo.zhang"), stray, body=stray)

    assert r.status_code == 403 and "sync the record" in r.get_json()["error"]["message"]
    nothing_stored(blob_dir, sha256(stray))


# ---------------------------------------------------------------- the protocol itself

def test_options_lists_the_capabilities(client, app):
    r = client.options("/api/v1/uploads")
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0" and r.headers["Tus-Resumable"] == "1.0.0"
    assert set(r.headers["Tus-Extension"].split(",")) == {
        "creation", "creation-with-upload", "expiration", "checksum", "termination"}
    assert "sha256" in r.headers["Tus-Checksum-Algorithm"].split(",")
    assert int(r.headers["Tus-Max-Size"]) == app.config["MAX_UPLOAD_BYTES"] == 50 * 1024 * 1024


def test_requests_without_the_tus_version_are_412(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")

    r = create(api, original, extra={"Tus-Resumable": "0.2.2"})

    assert r.status_code == 412 and r.headers["Tus-Version"] == "1.0.0"
    assert r.get_json()["error"]["code"] == "tus_version_not_supported"


def test_chunk_with_the_wrong_content_type_is_415(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]

    r = patch(api, location, 0, original, extra={"Content-Type": "image/jpeg"})

    assert r.status_code == 415 and CHUNK in r.get_json()["error"]["message"]


def test_head_is_not_cached_and_echoes_the_metadata(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    created = create(api, original)

    r = head(api, created.headers["Location"])

    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert (r.headers["Upload-Offset"], r.headers["Upload-Length"]) == ("0", str(len(original)))
    assert "sha256 " in r.headers["Upload-Metadata"] and r.headers["Upload-Expires"].endswith("GMT")
    assert head(api, "/api/v1/uploads/no-such-upload").status_code == 404



def test_iphone_heic_photo_is_accepted_and_shown_as_jpeg(case, login_as, blob_dir):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "olive").save(out, "HEIF")
    heic = out.getvalue()
    add_photo(case, heic)
    api = login_as("tuoketuo.zhang")

    upload(api, heic)
    run_photo_jobs()

    fresh()
    assert db.session.get(Blob, sha256(heic)).media_type == "image/heic"
    thumb = api.get(f"/api/v1/blobs/{sha256(heic)}/thumb")
    assert thumb.mimetype == "image/jpeg" and Image.open(io.BytesIO(thumb.data)).size == (320, 240)


@pytest.mark.parametrize("kept", [0.5, 0.999])
def test_iphone_heic_cut_short_is_refused_as_truncated_and_nothing_is_stored(case, login_as, blob_dir, kept):
    """The first half of a real iPhone photo (or all but its last bytes) must not complete as evidence."""
    pytest.importorskip("pillow_heif")
    whole = real_photo("iphone_13_pro_max.HEIC")
    data = whole[:int(len(whole) * kept)]
    add_photo(case, data)  # the phone hashed exactly these bytes
    api = login_as("tuoketuo.zhang")
    location = create(api, data).headers["Location"]

    r = patch(api, location, 0, data)

    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "truncated_image" and "HEIC is truncated" in error["message"]
    nothing_stored(blob_dir, sha256(data))


def test_whole_iphone_heic_is_stored_with_its_exif(case, login_as, blob_dir):
    pytest.importorskip("pillow_heif")
    data = real_photo("iphone_13_pro_max.HEIC")
    add_photo(case, data)
    api = login_as("tuoketuo.zhang")

    upload(api, data, chunk_size=1024 * 1024)

    fresh()
    blob = db.session.get(Blob, sha256(data))
    assert blob.media_type == "image/heic" and (blob.width, blob.height) == (3024, 4032)
    assert blob.exif["capture_time"] == "2022-02-16T12:55:41.762000+01:00"


def test_two_requests_never_write_one_upload_at_once(case, login_as, blob_dir):
    """A phone that retries a PATCH while the first is still streaming (on this host or another) is
    told to wait (423); once that request's lease runs out (its server crashed), the retry goes on."""
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    upload_id = location.rsplit("/", 1)[1]

    # The first PATCH, still receiving: it holds the upload's lease.
    db.session.get(Upload, upload_id).writer = "first-request"
    db.session.get(Upload, upload_id).writing_until = utcnow() + timedelta(seconds=30)
    db.session.commit()
    r = patch(api, location, 0, original[:10000])
    assert r.status_code == 423 and r.headers["Retry-After"]
    assert r.get_json()["error"]["code"] == "upload_locked"
    assert api.request("DELETE", location, headers=TUS).status_code == 423
    assert head(api, location).headers["Upload-Offset"] == "0"

    fresh()
    db.session.get(Upload, upload_id).writing_until = utcnow() - timedelta(seconds=1)  # it never renewed
    db.session.commit()
    assert patch(api, location, 0, original[:10000]).status_code == 204
    fresh()
    assert db.session.get(Upload, upload_id).writer is None  # released when the PATCH ended


def test_a_lease_left_by_a_crashed_server_process_of_this_host_is_taken_at_once(case, login_as, blob_dir):
    """The server was killed mid-PATCH and restarted: the phone's resend need not wait for the dead
    process's lease to run out."""
    import subprocess

    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process of this host that no longer exists
    db.session.get(Upload, upload_id).writer = f"{evidence._HOST}.{gone.pid}.dead"
    db.session.get(Upload, upload_id).writing_until = utcnow() + timedelta(seconds=50)
    db.session.commit()

    assert patch(api, location, 0, original[:10000]).status_code == 204

    fresh()
    another_host = f"{'0' * 8 if evidence._HOST != '0' * 8 else '1' * 8}.{gone.pid}.alive"
    db.session.get(Upload, upload_id).writer = another_host  # whether that one lives, this host cannot tell
    db.session.get(Upload, upload_id).writing_until = utcnow() + timedelta(seconds=50)
    db.session.commit()
    assert patch(api, location, 10000, original[10000:20000]).status_code == 423


def test_a_chunk_whose_lease_was_taken_over_meanwhile_is_not_recorded(case, login_as, blob_dir, monkeypatch):
    """The link stalls mid-chunk longer than the lease; the phone's retry (on another host) takes the
    upload over. The stalled request, when its bytes finally arrive, records nothing: 423."""
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    monkeypatch.setattr(evidence, "RENEW_LEASE_SECONDS", 0)  # renew after every piece that arrives

    class Stalling(io.BytesIO):
        taken = False

        def _after(self) -> None:
            if self.tell() > 30000 and not self.taken:  # meanwhile another request took the upload
                self.taken = True
                with db.engine.begin() as conn:
                    conn.execute(Upload.__table__.update().where(Upload.__table__.c.id == upload_id).values(
                        writer="the-retry", writing_until=utcnow() + timedelta(minutes=1)))

        def read(self, size=-1):
            data = super().read(size)
            self._after()
            return data

        def readinto(self, buffer):
            n = super().readinto(buffer)
            self._after()
            return n

    r = patch(api, location, 0, Stalling(original[:65536]))

    assert r.status_code == 423 and r.get_json()["error"]["code"] == "upload_locked"
    fresh()
    assert db.session.get(Upload, upload_id).offset == 0
    assert db.session.scalars(select(UploadPart).where(UploadPart.upload_id == upload_id)).all() == []
    db.session.get(Upload, upload_id).writing_until = utcnow() - timedelta(seconds=1)  # the retry died too
    db.session.commit()
    assert upload(api, original).status_code == 204
    assert api.get(f"/api/v1/blobs/{sha256(original)}").data == original
    assert received_parts(blob_dir, location) == []  # the stalled request's bytes went with the rest


def test_same_hash_with_another_length_starts_a_new_session(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    first = create(api, original, length=len(original) - 1)
    patch(api, first.headers["Location"], 0, original[:1000])

    second = create(api, original)

    assert second.headers["Location"] != first.headers["Location"] and second.headers["Upload-Offset"] == "0"
    assert head(api, first.headers["Location"]).status_code == 410
    assert received_parts(blob_dir, first.headers["Location"]) == []


def test_stored_hash_announced_with_another_length_is_refused(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)

    r = create(login_as("tuoketuo.liu"), original, length=len(original) + 10)

    assert r.status_code == 422 and r.get_json()["error"]["code"] == "digest_mismatch"


def test_partial_session_is_closed_when_a_colleague_uploads_the_same_photo(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    zhang = login_as("tuoketuo.zhang")
    mine = create(zhang, original).headers["Location"]
    patch(zhang, mine, 0, original[:1000])
    upload(login_as("tuoketuo.liu"), original)

    again = create(zhang, original)

    assert again.get_json()["blobPresent"] is True
    assert received_parts(blob_dir, mine) == []


def test_expire_uploads_command_sweeps_expired_partial_bytes(app, case, login_as, blob_dir):
    location, upload_id = _expired_partial_upload(case, login_as("tuoketuo.zhang"), camera_jpeg())

    result = app.test_cli_runner().invoke(args=["expire-uploads"])

    assert result.exit_code == 0 and "Expired 1 unfinished uploads" in result.output
    assert received_parts(blob_dir, location) == []
    fresh()
    assert db.session.get(Upload, upload_id).status == "expired"


def test_bytes_someone_else_stored_do_not_finish_a_session_that_lost_its_own(case, login_as, blob_dir):
    """陈 names 张's photo in his own case and starts sending it; his partial file is lost. The copy 张
    stored does not count as 陈's upload: 陈 is told to start again, and is not served the photo."""
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    add_photo(factories.inspection(factories.party("150202", "包头市东河区金穗农药店"), ("donghe.chen", "donghe.sun")),
              original)
    chen = login_as("donghe.chen")
    created = create(chen, original)
    assert created.status_code == 201 and created.get_json()["blobPresent"] is False
    location = created.headers["Location"]
    assert patch(chen, location, 0, original[:65536]).status_code == 204
    shutil.rmtree(blob_dir / "uploads" / location.rsplit("/", 1)[1])  # lost on the server

    resent = patch(chen, location, 65536, original[65536:])

    assert resent.status_code == 410 and resent.get_json()["error"]["code"] == "upload_gone"
    assert chen.get(f"/api/v1/blobs/{sha256(original)}").get_json()["error"]["code"] == "blob_not_uploaded"


def test_a_full_disk_refuses_the_chunk_for_now_and_the_resend_completes(app, case, login_as, blob_dir, monkeypatch):
    """Nothing the phone sent is half-kept: 507 with Retry-After, the offset where it was, and the
    same chunk sent again after space was freed finishes the photo."""
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    assert patch(api, location, 0, original[:65536]).status_code == 204

    store = app.extensions["blob_store"]
    real_put_part, space = store.put_part, {"free": False}

    def put_part(*args):
        if not space["free"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_put_part(*args)

    monkeypatch.setattr(store, "put_part", put_part)
    full = patch(api, location, 65536, original[65536:131072])
    assert full.status_code == 507 and full.get_json()["error"]["code"] == "storage_full"
    assert int(full.headers["Retry-After"]) > 0
    assert head(api, location).headers["Upload-Offset"] == "65536"
    assert received_bytes(blob_dir, location) == 65536
    space["free"] = True

    offset = 65536
    while offset < len(original):
        response = patch(api, location, offset, original[offset:offset + 65536])
        assert response.status_code == 204
        offset = int(response.headers["Upload-Offset"])
    assert api.get(f"/api/v1/blobs/{sha256(original)}").data == original


def test_head_answers_are_never_cached_even_when_the_upload_is_unknown(login_as):
    r = head(login_as("tuoketuo.zhang"), "/api/v1/uploads/0123456789abcdef0123456789abcdef")

    assert r.status_code == 404 and r.headers["Cache-Control"] == "no-store"
