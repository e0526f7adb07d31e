"""A phone's link cut in the middle of a request body, under the servers the project runs on.

The e2e tests and `scripts/run-demo --dev` serve with werkzeug; the README and run-demo serve with
gunicorn (sync workers, and gthread with --threads). Each server is given a real TCP connection
that sends part of the body it announced and is then closed for good (no half-close: the phone's
radio is gone), or reset. What arrived of an unchecked chunk is kept: HEAD's Upload-Offset moves
past it and the upload completes from there, with the whole file's SHA-256 checked at the end.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import multiprocessing
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from inspector.database import db
from inspector.models import Blob

from .evidence_helpers import add_photo, camera_jpeg, sha256, tuoketuo_case
from .evidence_helpers import blob_dir  # noqa: F401  (a fixture these tests use)

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_with_gunicorn(app, port: int, threads: int) -> None:  # runs in a forked child
    from gunicorn.app.base import BaseApplication

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections stay the parent's

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"127.0.0.1:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", threads)
            self.cfg.set("loglevel", "warning")

        def load(self):
            return app

    Server().run()


@pytest.fixture(params=["werkzeug", "gunicorn-sync", "gunicorn-gthread"])
def server_url(request, app, blob_dir) -> Iterator[str]:
    """The test app served over real HTTP on 127.0.0.1 by one of the servers."""
    if request.param == "werkzeug":
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
        return
    port = _free_port()
    threads = 4 if request.param == "gunicorn-gthread" else 1
    db.session.remove()  # no connection of the test's is open across the fork
    child = multiprocessing.get_context("fork").Process(target=_serve_with_gunicorn, args=(app, port, threads), daemon=True)
    child.start()
    try:
        for _ in range(600):  # up when it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert child.is_alive(), "gunicorn exited"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        child.join(timeout=30)


def _request(url: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None):
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        conn.close()


def _offset(url: str, location: str, token: str) -> int:
    status, headers, _ = _request(url, "HEAD", location, {"Authorization": f"Bearer {token}", **TUS})
    assert status == 200
    return int(headers["Upload-Offset"])


def _cut(url: str, head: str, body: bytes, how: str) -> None:
    """Send the request head and part of its body on a raw socket, then the link is gone."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(head.encode())
    for at in range(0, len(body), 2000):  # about 100 KB/s, as a 3G uplink sends
        sock.sendall(body[at:at + 2000])
        time.sleep(0.02)
    time.sleep(0.2)
    if how == "reset":  # RST instead of FIN, as a dropped mobile link or a cutting proxy may do
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _until_offset(url: str, location: str, token: str, before: int) -> int:
    """The server notices the closed connection while reading the body and records what it kept;
    HEAD shows the offset once that is done (a PATCH at the old offset is refused until then)."""
    for _ in range(400):
        offset = _offset(url, location, token)
        if offset != before:
            return offset
        time.sleep(0.05)
    return offset


def _stored(data: bytes) -> bool:
    db.session.rollback()  # see what the server's sessions committed
    return db.session.get(Blob, sha256(data)) is not None


@pytest.fixture
def photo(app) -> bytes:
    data = camera_jpeg((900, 700))
    add_photo(tuoketuo_case(), data)
    return data


def _metadata(data: bytes) -> str:
    return (f"sha256 {base64.b64encode(sha256(data).encode()).decode()},"
            f"filetype {base64.b64encode(b'image/jpeg').decode()}")


@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_patch_cut_half_way_keeps_what_arrived_and_the_upload_completes(request, server_url, login_as, photo, how):
    token = login_as("tuoketuo.zhang").token
    auth = {"Authorization": f"Bearer {token}", **TUS}
    status, headers, _ = _request(server_url, "POST", "/api/v1/uploads", {
        **auth, "Upload-Length": str(len(photo)), "Upload-Metadata": _metadata(photo), "Content-Type": CHUNK},
        photo[:65_536])
    assert status == 201 and headers["Upload-Offset"] == "65536"
    location = headers["Location"]

    _cut(server_url, f"PATCH {location} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
         f"Tus-Resumable: 1.0.0\r\nContent-Type: {CHUNK}\r\nUpload-Offset: 65536\r\n"
         f"Content-Length: 100000\r\n\r\n", photo[65_536:115_536], how)

    # The 50 000 bytes that arrived. After a reset under gunicorn, less what the server's last read
    # had gathered when the reset came (its reads ask for about what arrives in a tenth of a second;
    # under werkzeug they take what arrived, with nothing to lose).
    kept = _until_offset(server_url, location, token, 65_536)
    if how == "close" or "werkzeug" in request.node.name:
        assert kept == 115_536
    else:
        assert 115_536 - 8 * 1024 <= kept <= 115_536
    status, headers, _ = _request(server_url, "PATCH", location, {
        **auth, "Content-Type": CHUNK, "Upload-Offset": str(kept)}, photo[kept:])
    assert status == 204 and headers["Upload-Offset"] == str(len(photo))
    assert _stored(photo)


def test_a_creation_cut_half_way_is_found_again_by_the_next_creation(server_url, login_as, photo):
    """The phone never learnt the address of the upload its cut creation request opened: creating
    the same file again answers with that upload, at the offset of what arrived."""
    token = login_as("tuoketuo.zhang").token
    auth = {"Authorization": f"Bearer {token}", **TUS}
    _cut(server_url, f"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
         f"Tus-Resumable: 1.0.0\r\nContent-Type: {CHUNK}\r\nUpload-Length: {len(photo)}\r\n"
         f"Upload-Metadata: {_metadata(photo)}\r\nContent-Length: 100000\r\n\r\n", photo[:40_000], "close")

    for _ in range(400):  # the cut request's session, once its bytes were recorded
        status, headers, _ = _request(server_url, "POST", "/api/v1/uploads", {
            **auth, "Upload-Length": str(len(photo)), "Upload-Metadata": _metadata(photo)})
        if headers.get("Upload-Offset") == "40000":
            break
        time.sleep(0.05)
    assert status == 201 and headers["Upload-Offset"] == "40000"
    status, headers, _ = _request(server_url, "PATCH", headers["Location"], {
        **auth, "Content-Type": CHUNK, "Upload-Offset": "40000"}, photo[40_000:])
    assert status == 204 and _stored(photo)


def test_a_checksummed_chunk_cut_half_way_is_dropped_whole(server_url, login_as, photo):
    """A client that sends Upload-Checksum gets what it asked for: an unverifiable chunk is not kept."""
    token = login_as("tuoketuo.zhang").token
    auth = {"Authorization": f"Bearer {token}", **TUS}
    status, headers, _ = _request(server_url, "POST", "/api/v1/uploads", {
        **auth, "Upload-Length": str(len(photo)), "Upload-Metadata": _metadata(photo)})
    location = headers["Location"]
    digest = base64.b64encode(hashlib.sha256(photo[:100_000]).digest()).decode()

    _cut(server_url, f"PATCH {location} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
         f"Tus-Resumable: 1.0.0\r\nContent-Type: {CHUNK}\r\nUpload-Offset: 0\r\n"
         f"Upload-Checksum: sha256 {digest}\r\nContent-Length: 100000\r\n\r\n", photo[:60_000], "close")

    for _ in range(400):  # 423 while the server still reads the cut request; 409 had it kept a part
        status, headers, _ = _request(server_url, "PATCH", location, {**auth, "Content-Type": CHUNK, "Upload-Offset": "0"},
                                      photo)
        if status != 423:
            break
        time.sleep(0.05)
    assert status == 204 and _stored(photo)
