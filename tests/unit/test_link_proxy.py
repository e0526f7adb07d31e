"""The link proxy the weak-link bench runs the phone through: it passes bytes both ways, counts what
reached the server (per connection and per HTTP request), paces a slow line, and a cut resets the
connections that were open and those tried during it."""
from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from tests.link_proxy import LinkProxy


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = str(len(body)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def _post(port: int, body: bytes, timeout: float = 30) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        answer = b""
        while not answer.endswith(str(len(body)).encode()) or b"\r\n\r\n" not in answer:
            piece = s.recv(65536)
            if not piece:
                break
            answer += piece
        return answer


def _wait(predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_bytes_pass_both_ways_and_are_counted_per_connection_and_request(server):
    body = bytes(range(256)) * 400  # 102,400 bytes
    with LinkProxy(server) as proxy:
        answer = _post(proxy.port, body)
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"102400")
        snap = proxy.snapshot()
    [request] = snap["requests"]
    assert (request.method, request.path, request.content_length, request.body_bytes) == (
        "POST", "/api/v1/uploads", 102400, 102400)
    assert request.complete and request.sha256 == __import__("hashlib").sha256(body).hexdigest()
    [connection] = snap["connections"]
    assert connection.up_bytes == snap["up_bytes"] == request.head_bytes + 102400
    assert snap["down_bytes"] == connection.down_bytes >= len(answer)


def test_a_slow_upstream_holds_bytes_back(server):
    """At 80 kbit/s (10 KB/s) 64 KB cannot all reach the server within 2 s (it takes 6.5 s)."""
    body = b"x" * 65536
    with LinkProxy(server) as proxy:
        proxy.configure(up_bps=80_000)
        thread = threading.Thread(target=_post, args=(proxy.port, body), daemon=True)
        started = time.monotonic()
        thread.start()
        time.sleep(2)
        arrived = proxy.snapshot()["up_bytes"]
        elapsed = time.monotonic() - started
        assert 0 < arrived < 65536
        assert arrived <= 10_000 * elapsed + 20_000  # the rate, plus the first pieces and slack
        thread.join(60)
        assert proxy.snapshot()["requests"][0].complete


def test_a_cut_resets_open_connections_and_refuses_new_ones_until_it_ends(server):
    with LinkProxy(server) as proxy:
        proxy.configure(up_bps=40_000)  # 5 KB/s: a 200 KB body is still on its way when the cut comes
        open_socket = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
        body = b"y" * 200_000
        open_socket.sendall(b"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n")
        sender = threading.Thread(target=lambda: _send_quietly(open_socket, body), daemon=True)
        sender.start()
        assert _wait(lambda: proxy.snapshot()["up_bytes"] > 1000)
        proxy.cut(600)  # ended below, so a slow machine cannot see it end early
        assert _wait(lambda: proxy.snapshot()["cuts"] == 1)

        assert _closed(open_socket)  # the connection that was open: reset
        open_socket.close()
        assert _refused_during_cut(proxy.port)

        snap = proxy.snapshot()
        [upload] = [r for r in snap["requests"] if r.content_length == 200_000]
        assert 0 < upload.body_bytes < 200_000 and not upload.complete and upload.sha256 is None
        assert snap["up_bytes"] == sum(c.up_bytes for c in snap["connections"])
        assert all(c.cut for c in snap["connections"])
        assert any(c.refused for c in snap["connections"])

        proxy.configure()  # the cut ends: the link works again
        assert _wait(lambda: not proxy.cutting)
        assert _post(proxy.port, b"after").endswith(b"5")


def test_a_schedule_cuts_again_and_again(server):
    with LinkProxy(server) as proxy:
        proxy.configure(cut_every_s=0.5, cut_for_s=0.2, cut_jitter_s=0.2)
        assert _wait(lambda: proxy.snapshot()["cuts"] >= 3)
        proxy.configure()  # no more cuts
        assert _wait(lambda: not proxy.cutting)
        assert _post(proxy.port, b"steady").endswith(b"6")


def _refused_during_cut(port: int) -> bool:
    """A connection tried during the cut fails: reset while connecting, or right after."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
    except ConnectionError:
        return True
    with s:
        return _closed(s, b"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz")


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        pass


def _closed(sock: socket.socket, request: bytes = b"") -> bool:
    """The peer ended the connection (reset, or closed) without answering."""
    try:
        if request:
            sock.sendall(request)
        return sock.recv(100) == b""
    except OSError:
        return True


def test_latency_delays_each_direction(server):
    """0.5 s one way: a request and its answer take at least a second (a lower bound only)."""
    with LinkProxy(server) as proxy:
        proxy.configure(latency_s=0.5)
        started = time.monotonic()
        assert _post(proxy.port, b"ping").endswith(b"4")
        assert time.monotonic() - started >= 1.0
