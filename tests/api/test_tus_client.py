"""Conformance with a real tus client: tuspy uploads through the endpoint over real HTTP."""
from __future__ import annotations

import hashlib
import io
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from tusclient.client import TusClient
from tusclient.exceptions import TusUploadFailed
from tusclient.uploader import Uploader
from werkzeug.serving import make_server

from inspector.database import db
from inspector.models import Blob

from .evidence_helpers import add_photo, camera_jpeg, sha256, tuoketuo_case
from .evidence_helpers import blob_dir  # noqa: F401  (a fixture these tests use)


class Sha256Uploader(Uploader):
    """tuspy checksums each chunk with sha1 unless told otherwise; the phone app uses sha256."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def live_url(app, blob_dir) -> Iterator[str]:
    """The test app served over HTTP on 127.0.0.1. Requests run in the server's threads, each in its
    own app context and database session, never in the test's."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def photo(app) -> bytes:
    data = camera_jpeg((900, 700))
    add_photo(tuoketuo_case(), data)
    return data


def tus_client(live_url: str, api) -> TusClient:
    return TusClient(f"{live_url}/api/v1/uploads", headers={"Authorization": f"Bearer {api.token}"})


def uploader(client: TusClient, data: bytes, url: str | None = None) -> Sha256Uploader:
    return Sha256Uploader(file_stream=io.BytesIO(data), client=client, url=url, chunk_size=64 * 1024,
                          upload_checksum=True, metadata={"sha256": sha256(data), "filetype": "image/jpeg"})


def stored(data: bytes) -> bool:
    db.session.rollback()  # see what the server's sessions committed
    return db.session.get(Blob, sha256(data)) is not None


def test_tuspy_uploads_a_photo_with_sha256_chunk_checksums(live_url, login_as, photo, blob_dir):
    client = tus_client(live_url, login_as("tuoketuo.zhang"))

    upload = uploader(client, photo)
    upload.upload()

    assert upload.offset == len(photo) and stored(photo)
    digest = sha256(photo)
    assert (blob_dir / "blobs" / digest[:2] / digest[2:4] / digest).read_bytes() == photo


def test_tuspy_resumes_an_interrupted_upload_from_the_servers_offset(live_url, login_as, photo):
    client = tus_client(live_url, login_as("tuoketuo.zhang"))
    first = uploader(client, photo)
    first.upload(stop_at=150_001)  # the app was closed here
    assert not stored(photo)

    resumed = uploader(client, photo, url=first.url)  # asks HEAD for the offset
    assert resumed.offset == 150_001
    resumed.upload()

    assert stored(photo)


def test_connection_dropped_mid_chunk_keeps_what_arrived(live_url, login_as, photo):
    """A real socket sends 30 000 of the 100 000 bytes it announced, then the signal is gone."""
    api = login_as("tuoketuo.zhang")
    client = tus_client(live_url, api)
    first = uploader(client, photo)
    first.upload(stop_at=65_536)
    path = urlsplit(first.url).path
    host, port = urlsplit(live_url).hostname, urlsplit(live_url).port

    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall((
            f"PATCH {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {api.token}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: 65536\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n").encode()
            + photo[65_536:95_536])
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(4096)  # the server noticed the drop and recorded the offset
    assert answer.startswith(b"HTTP/1.1 204")

    resumed = uploader(client, photo, url=first.url)
    assert resumed.offset == 95_536
    resumed.upload()
    assert stored(photo)


def test_tuspy_upload_of_bytes_that_do_not_match_the_record_fails(live_url, login_as, photo):
    client = tus_client(live_url, login_as("tuoketuo.zhang"))
    other = camera_jpeg((900, 700), seed=4)
    bad = Sha256Uploader(file_stream=io.BytesIO(other), client=client, chunk_size=64 * 1024, upload_checksum=True,
                         metadata={"sha256": sha256(photo), "filetype": "image/jpeg"})

    with pytest.raises(TusUploadFailed) as failure:
        bad.upload()

    assert failure.value.status_code == 422 and b"digest_mismatch" in failure.value.response_content
    assert not stored(photo) and not stored(other)
