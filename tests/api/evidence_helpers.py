"""Photos for the evidence tests: camera-like image bytes, the records that name them, tus requests."""
from __future__ import annotations

import base64
import hashlib
import io
import random
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PIL.ExifTags import GPS, IFD, Base

from inspector.database import db
from inspector.models import Inspection, Photo, Signature
from inspector.storage import LocalBlobStore

from .. import factories

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def camera_jpeg(size: tuple[int, int] = (800, 600), *, orientation: int | None = 6, seed: int = 1) -> bytes:
    """A phone photo: noisy pixels (so it is a few hundred KB), EXIF with time, GPS, make, model, orientation."""
    width, height = size
    image = Image.frombytes("RGB", size, random.Random(seed).randbytes(width * height * 3))
    exif = Image.Exif()
    exif[Base.Make] = "HUAWEI"
    exif[Base.Model] = "ELS-AN00"
    if orientation:
        exif[Base.Orientation] = orientation
    exif[IFD.Exif] = {Base.DateTimeOriginal: "2026:11:30 09:14:03", Base.OffsetTimeOriginal: "+08:00"}
    exif[IFD.GPSInfo] = {GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: (40.0, 16.0, 39.0),
                         GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: (111.0, 11.0, 37.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def small_png(size: tuple[int, int] = (120, 60)) -> bytes:
    """A signature drawn on the phone."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    for x in range(size[0]):
        image.putpixel((x, size[1] // 2), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims ten billion pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
            + chunk(b"IEND", b""))


def tuoketuo_case(status: str = "draft") -> Inspection:
    party = factories.party("150122", "托克托县丰收农资经营部")
    return factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"), status=status)


def add_photo(inspection: Inspection, data: bytes, *, display: bytes | None = None) -> Photo:
    """The record photo.add.v1 would have made: the hashes (and sizes) of the original and display copy."""
    row = Photo(id=str(uuid.uuid4()), inspection_id=inspection.id, sha256=sha256(data), size=len(data),
                media_type="image/jpeg", display_sha256=sha256(display) if display else None,
                display_size=len(display) if display else None, caption="化肥包装标签")
    db.session.add(row)
    db.session.commit()
    return row


def add_signature(inspection: Inspection, data: bytes) -> Signature:
    row = Signature(id=str(uuid.uuid4()), inspection_id=inspection.id, role="party", signer_name="王店主",
                    image_sha256=sha256(data))
    db.session.add(row)
    db.session.commit()
    return row


def metadata(**pairs: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())


def checksum(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def create(api, data: bytes, *, declared: str | None = None, length: int | None = None,
           body: bytes | None = None, extra: dict[str, str] | None = None):
    """POST /uploads for these bytes (declaring their hash unless told otherwise)."""
    headers = {**TUS, "Upload-Length": str(len(data) if length is None else length),
               "Upload-Metadata": metadata(sha256=declared or sha256(data), filetype="image/jpeg",
                                           filename="IMG_0001.jpg"), **(extra or {})}
    if body is not None:
        headers["Content-Type"] = CHUNK
    return api.request("POST", "/api/v1/uploads", headers=headers, data=body)


def patch(api, location: str, offset: int, chunk: bytes | io.BytesIO, *, check: str | None = "sha256",
          extra: dict[str, str] | None = None):
    headers = {**TUS, "Content-Type": CHUNK, "Upload-Offset": str(offset), **(extra or {})}
    if check and isinstance(chunk, bytes) and "Upload-Checksum" not in headers:
        headers["Upload-Checksum"] = checksum(chunk, check)
    if isinstance(chunk, bytes):
        return api.request("PATCH", location, headers=headers, data=chunk)
    return api.request("PATCH", location, headers=headers, input_stream=chunk)


def head(api, location: str):
    return api.request("HEAD", location, headers=TUS)


def upload(api, data: bytes, chunk_size: int = 64 * 1024) -> Any:
    """A whole resumable upload, chunk by chunk with checksums; returns the last response."""
    created = create(api, data)
    assert created.status_code == 201, created.get_json()
    location, offset = created.headers["Location"], int(created.headers["Upload-Offset"])
    response = created
    while offset < len(data):
        response = patch(api, location, offset, data[offset:offset + chunk_size])
        assert response.status_code == 204, response.get_json()
        offset = int(response.headers["Upload-Offset"])
    return response


class DroppedLink(io.BytesIO):
    """A request body whose connection drops after `cut` bytes, as on a 2G link losing signal."""

    def __init__(self, data: bytes, cut: int) -> None:
        super().__init__(data)
        self.cut = cut

    def readinto(self, buffer) -> int:  # type: ignore[override]
        room = self.cut - self.tell()
        if room <= 0:
            raise ConnectionResetError("the phone lost its signal")
        view = memoryview(buffer)[:room]
        return super().readinto(view)

    def read(self, size: int | None = -1) -> bytes:
        room = self.cut - self.tell()
        if room <= 0:
            raise ConnectionResetError("the phone lost its signal")
        return super().read(room if size is None or size < 0 else min(size, room))


def stored_files(blob_dir: Path) -> list[str]:
    """Every file in the blob directory (originals, derived sizes, partial uploads), relative."""
    return sorted(str(p.relative_to(blob_dir)) for p in blob_dir.rglob("*") if p.is_file())


@pytest.fixture
def blob_dir(app, tmp_path, monkeypatch) -> Path:
    """An empty blob directory for this test (the app is shared across tests; its files are not)."""
    root = tmp_path / "blobs"
    monkeypatch.setitem(app.config, "BLOB_DIR", str(root))
    monkeypatch.setitem(app.extensions, "blob_store", LocalBlobStore(root))
    return root


def run_photo_jobs() -> dict[str, str | None]:
    """Run the `process_photo` job in this process for every upload still pending, as a worker would
    (the full decode and the derived sizes); returns each hash's new state."""
    from sqlalchemy import select

    from inspector.models import Blob
    from inspector.services.evidence import process_photo

    db.session.commit()  # end the test's transaction, so that the query sees what the requests stored
    pending = db.session.scalars(select(Blob.sha256).where(Blob.processing == "pending")).all()
    return {digest: process_photo(digest) for digest in pending}
