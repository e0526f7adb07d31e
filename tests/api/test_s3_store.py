"""The app on an S3 blob store (moto's server in its own process): a photo uploaded in resumable
chunks over a link that drops, resumed and stored in the bucket under its hash; the received
ranges wait in the bucket, not on the host; case files drawn ahead are cached in the bucket."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import Blob, UploadPart
from inspector.services.case_file import prepare_case_file
from inspector.storage import make_store

from ..sync_phone import Phone
from .evidence_helpers import (
    DroppedLink, add_photo, camera_jpeg, create, head, patch, run_photo_jobs, sha256, tuoketuo_case,
)
from .test_case_file import renders  # noqa: F401  (fixture)
from .test_review_flow import _phone_submits_a_case


@pytest.fixture
def bucket(app, s3_endpoint, tmp_path, monkeypatch) -> str:
    """The app's blob store is a new bucket; its local blob directory and PDF cache stay empty."""
    name = s3_endpoint.new_bucket()
    for key, value in {**s3_endpoint.settings(name, prefix="inspector/"), "BLOB_DIR": str(tmp_path / "blobs"),
                       "PDF_CACHE_DIR": str(tmp_path / "cache")}.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, "blob_store", make_store(app.config, str(tmp_path / "instance")))
    return name


def local_files(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file() and "instance" not in p.parts[-3:]]


def test_photo_cut_mid_chunk_resumes_and_is_stored_in_the_bucket(app, login_as, bucket, s3_endpoint,
                                                                  tmp_path):
    original = camera_jpeg((1200, 900))
    add_photo(tuoketuo_case(), original)
    digest = sha256(original)
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    assert patch(api, location, 0, original[:65536]).status_code == 204

    cut = patch(api, location, 65536, DroppedLink(original[65536:200000], cut=41234))  # the signal drops

    assert cut.status_code == 204
    offset = int(head(api, location).headers["Upload-Offset"])
    assert offset == 65536 + 41234  # what arrived of the cut chunk is kept
    parts = s3_endpoint.keys(bucket, f"inspector/uploads/{upload_id}/")
    assert len(parts) == 2  # the received ranges wait in the bucket, where every host reads them
    client = s3_endpoint.client()
    assert b"".join(client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in parts) == original[:offset]
    assert not (tmp_path / "blobs" / "uploads" / upload_id).exists()

    while offset < len(original):  # the phone resumes from HEAD's offset
        response = patch(api, location, offset, original[offset:offset + 100_000])
        assert response.status_code == 204, response.get_json()
        offset = int(response.headers["Upload-Offset"])

    db.session.rollback()
    assert db.session.get(Blob, digest).size == len(original)
    assert run_photo_jobs() == {digest: "ready"}  # the worker's full decode and sizes, into the bucket too
    assert db.session.scalars(select(UploadPart).where(UploadPart.upload_id == upload_id)).all() == []
    key = f"inspector/blobs/{digest[:2]}/{digest[2:4]}/{digest}"
    assert s3_endpoint.keys(bucket) == sorted([
        key, f"inspector/derived/{digest[:2]}/{digest[2:4]}/{digest}.display.jpg",
        f"inspector/derived/{digest[:2]}/{digest[2:4]}/{digest}.thumb.jpg"])  # the parts are gone
    stored = client.get_object(Bucket=bucket, Key=key)
    assert stored["Metadata"] == {"sha256": digest} and stored["Body"].read() == original
    served = api.get(f"/api/v1/blobs/{digest}")
    assert served.status_code == 200 and served.data == original
    assert api.get(f"/api/v1/blobs/{digest}/thumb").mimetype == "image/jpeg"
    assert list((tmp_path / "blobs").rglob("*.*")) == []  # nothing of it on this host's disk


def test_bytes_that_do_not_match_their_hash_never_reach_the_bucket(app, login_as, bucket, s3_endpoint):
    original = camera_jpeg()
    add_photo(tuoketuo_case(), original)
    damaged = bytearray(original)
    damaged[-50] ^= 0x01
    api = login_as("tuoketuo.zhang")
    location = create(api, original).headers["Location"]

    r = patch(api, location, 0, bytes(damaged))

    assert r.status_code == 422 and r.get_json()["error"]["code"] == "digest_mismatch"
    assert s3_endpoint.keys(bucket) == []


def test_case_file_drawn_ahead_is_cached_in_the_bucket_and_served_from_it(
        app, login_as, user, bucket, s3_endpoint, tmp_path, renders):  # noqa: F811
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _phone_submits_a_case(phone, user)
    db.session.rollback()  # see what the phone's requests committed

    assert prepare_case_file(case_id)  # what the worker's job does, on whichever host it runs

    cached = s3_endpoint.keys(bucket, "inspector/cache/")
    assert any(key.startswith("inspector/cache/case-files/") and key.endswith(".pdf") for key in cached)
    assert any(key.startswith("inspector/cache/drawn-ahead/") for key in cached)
    assert not (tmp_path / "cache").exists()  # not in this host's cache directory
    drawn = len(renders)
    response = phone.api.get(f"/api/v1/inspections/{case_id}/case-file.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert len(renders) == drawn  # served from the bucket, not drawn again
    sha = response.headers["X-Document-SHA256"]
    assert f"inspector/cache/case-files/{sha[:2]}/{sha}.pdf" in cached
    assert hashlib.sha256(response.data).hexdigest() == sha


def test_case_bundle_streams_photos_from_the_bucket_piece_by_piece(app, client, bucket, monkeypatch):
    """A ZIP of a case carries the original as stored, read from the bucket in pieces: a large
    export never holds a whole photo (or the whole ZIP) in memory."""
    import uuid
    import zipfile

    from inspector.models import BlobHolder, Photo
    from inspector.services import exports
    from inspector.storage import get_store

    from .. import factories
    from ..console_support import reviewer_session, submitted_case

    case = submitted_case(party_name="托县案卷包店")
    original = bytes(range(256)) * 12_000  # 3 MB
    sha = hashlib.sha256(original).hexdigest()
    store = get_store()
    staged = store.staging_dir / f"test-{sha}"
    staged.write_bytes(original)
    store.put_file(sha, staged)
    db.session.add(Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256=sha, size=len(original),
                         media_type="image/jpeg", caption="货架"))
    db.session.add(Blob(sha256=sha, size=len(original), media_type="image/jpeg"))
    db.session.flush()
    db.session.add(BlobHolder(sha256=sha, user_id=factories.user("tuoketuo.zhang").id))
    db.session.commit()
    reads: list[int | None] = []
    real_open = store.open

    class Recording:
        def __init__(self, body):
            self.body = body

        def read(self, size=None):
            reads.append(size)
            return self.body.read(size) if size is not None else self.body.read()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.body.close()

    monkeypatch.setattr(store, "open", lambda digest: Recording(real_open(digest)))
    reviewer_session(client)

    r = client.get(f"/console/cases/{case.id}/bundle.zip", buffered=True)

    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.data)) as bundle:
        assert bundle.read(f"{case.id}/photos/{sha}.jpg") == original
    # One whole read is the case file's renderer decoding the photo for print; the ZIP member is
    # copied from the bucket's stream piece by piece.
    pieces = [size for size in reads if size is not None]
    assert reads.count(None) <= 1 and max(pieces) <= exports.CHUNK < len(original)
    assert len(pieces) >= len(original) // exports.CHUNK
