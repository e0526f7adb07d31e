"""A TCP proxy on 127.0.0.1 that behaves like a slow, lossy radio link (stdlib only).

    with LinkProxy(("127.0.0.1", server_port)) as proxy:
        proxy.configure(up_bps=100_000, down_bps=200_000, latency_s=0.4, cut_every_s=30, cut_for_s=5)
        page.goto(f"http://127.0.0.1:{proxy.port}/app/")

The link, per direction (client→server is "up", server→client "down"):

- rate: one serial line shared by every connection of that direction. A chunk read from a socket
  occupies the line for len·8/rate seconds after whatever is queued before it (a delay line, so
  throughput is rate-limited, not limited per round trip). At most `buffer_s` seconds of data wait
  for the line; beyond that the proxy stops reading, so the sender's own TCP buffers fill and its
  writes block, as on a real link.
- latency: every chunk is delivered `latency_s` after it left the line (one way).
- cuts: `cut_every_s`/`cut_for_s` cut the link for `cut_for_s` seconds every `cut_every_s` seconds
  (the first cut starts `cut_every_s` after configure). A cut resets every open connection on both
  sides (RST, as a peer gives up on a dead radio link) and drops whatever was still on the line;
  connections opened during a cut are reset at once. `cut(seconds)` cuts now, once. `cut_jitter_s`
  moves each cut by a seeded random amount: a strictly periodic cut phase-locks with retry timers
  that are multiples of its period.

Counting: `up_bytes`/`down_bytes` are the bytes written to the server/the client (bytes still on
the line at a cut are not counted); each `Connection` keeps its own. With `meter_http=True` (the
default) the upstream bytes written to the server are also parsed as HTTP/1.1 requests: each
`Request` keeps its method, path, head length, Content-Length, the body bytes that reached the
server, the SHA-256 of the body when all of it arrived, and when its head and the first and last
byte of its body arrived. `cut_times` lists each cut's (start, end) in time.monotonic() seconds.
`reset_counts()` starts afresh.
"""
from __future__ import annotations

import asyncio
import hashlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

READ_SIZE = 16 * 1024
SOCKET_BUFFER = 64 * 1024


@dataclass
class Request:
    """One HTTP request as the server received it through the proxy."""
    connection: int
    method: str
    path: str
    head_bytes: int
    content_length: int
    body_bytes: int = 0
    sha256: str | None = None  # of the body, once all of it reached the server
    started: float = 0.0  # when its head reached the server
    body_first: float | None = None  # when the first/last byte of its body reached the server
    body_last: float | None = None

    @property
    def complete(self) -> bool:
        return self.body_bytes >= self.content_length


@dataclass
class Connection:
    id: int
    opened: float
    closed: float | None = None
    up_bytes: int = 0
    down_bytes: int = 0
    cut: bool = False  # ended by a cut
    refused: bool = False  # opened during a cut and reset at once


class _HttpMeter:
    """Parses the client→server byte stream of one connection into requests (Content-Length framed;
    a chunked body is counted until the connection ends)."""

    def __init__(self, proxy: "LinkProxy", connection: int):
        self.proxy, self.connection = proxy, connection
        self.head = b""
        self.current: Request | None = None
        self.hasher = None
        self.chunked = False

    def feed(self, data: bytes) -> None:
        while data:
            if self.current is None:
                self.head += data
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    return
                head, data = self.head[:end + 4], self.head[end + 4:]
                self.head = b""
                self._begin(head)
                continue
            request = self.current
            if self.chunked:
                request.body_bytes += len(data)
                return
            take = min(len(data), request.content_length - request.body_bytes)
            if take:
                request.body_last = time.monotonic()
                request.body_first = request.body_first or request.body_last
            request.body_bytes += take
            self.hasher.update(data[:take])
            data = data[take:]
            if request.complete:
                request.sha256 = self.hasher.hexdigest()
                self.current = None

    def _begin(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        self.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = int(headers.get("content-length", "0") or 0)
        request = Request(self.connection, parts[0], parts[1] if len(parts) > 1 else "", len(head), length,
                          started=time.monotonic())
        self.proxy.requests.append(request)
        self.hasher = hashlib.sha256()
        if length == 0 and not self.chunked:
            request.sha256 = self.hasher.hexdigest()
        else:
            self.current = request


class _Line:
    """One direction of the link: a serial line of a given rate followed by a fixed delay."""

    def __init__(self):
        self.rate_bps: float | None = None
        self.latency_s = 0.0
        self.free_at = 0.0  # loop time when the line has sent everything queued

    def send_time(self, now: float, size: int) -> float:
        """Queue `size` bytes; returns the loop time at which they arrive at the other end."""
        start = max(now, self.free_at)
        done = start + (size * 8 / self.rate_bps if self.rate_bps else 0.0)
        self.free_at = done
        return done + self.latency_s

    def backlog_s(self, now: float) -> float:
        return max(0.0, self.free_at - now)


class LinkProxy:
    """See the module docstring. start()/stop() or use as a context manager; `port` is where to connect."""

    def __init__(self, target: tuple[str, int], port: int = 0, *, meter_http: bool = True, buffer_s: float = 1.0):
        self.target, self.requested_port = target, port
        self.port = 0
        self.meter_http, self.buffer_s = meter_http, buffer_s
        self.up, self.down = _Line(), _Line()
        self.cut_every_s: float | None = None
        self.cut_for_s = 0.0
        self.cuts_done = 0
        self.cut_times: list[tuple[float, float]] = []
        self.connections: list[Connection] = []
        self.requests: list[Request] = []
        self.up_bytes = self.down_bytes = 0
        self._open: dict[int, tuple[asyncio.StreamWriter, asyncio.StreamWriter | None]] = {}
        self._tasks: dict[int, list[asyncio.Task]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._schedule: asyncio.Task | None = None
        self._cut_until = 0.0
        self._generation = 0  # bumped by every cut: chunks queued before it are dropped
        self._next_id = 0
        self._halves: dict[int, set[str]] = {}

    # ------------------------------------------------------------ public API (any thread)

    def start(self) -> "LinkProxy":
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._listen())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="link-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("link proxy did not start")
        return self

    def stop(self) -> None:
        if not self._loop:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def __enter__(self) -> "LinkProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def cutting(self) -> bool:
        """Whether the link is cut right now."""
        return time.monotonic() < self._cut_until

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def configure(self, *, up_bps: float | None = None, down_bps: float | None = None, latency_s: float = 0.0,
                  cut_every_s: float | None = None, cut_for_s: float = 0.0, cut_jitter_s: float = 0.0,
                  seed: int = 1) -> None:
        """Set the link (None rate: unlimited); a cut schedule, if given, starts now. With
        `cut_jitter_s`, each gap between cut starts is `cut_every_s` ± up to that much (random, seeded)."""
        def apply() -> None:
            self.up.rate_bps, self.down.rate_bps = up_bps, down_bps
            self.up.latency_s = self.down.latency_s = latency_s
            self.cut_every_s, self.cut_for_s = cut_every_s, cut_for_s
            self._cut_until = 0.0  # a cut in progress ends
            if self._schedule:
                self._schedule.cancel()
                self._schedule = None
            if cut_every_s:
                self._schedule = asyncio.ensure_future(self._cut_schedule(cut_every_s, cut_for_s, cut_jitter_s,
                                                                          random.Random(seed)))
        self._call(apply)

    def cut(self, seconds: float) -> None:
        """Cut the link now for `seconds` (returns at once)."""
        self._call(lambda: asyncio.ensure_future(self._cut(seconds)))

    def reset_counts(self) -> None:
        def apply() -> None:
            self.up_bytes = self.down_bytes = 0
            self.requests.clear()
            self.cut_times.clear()
            self.connections = [c for c in self.connections if c.closed is None]
            for c in self.connections:
                c.up_bytes = c.down_bytes = 0
        self._call(apply)

    def snapshot(self) -> dict:
        """Consistent copies of the counters."""
        def take() -> dict:
            return {"up_bytes": self.up_bytes, "down_bytes": self.down_bytes, "cuts": self.cuts_done,
                    "cut_times": list(self.cut_times),
                    "connections": [Connection(**vars(c)) for c in self.connections],
                    "requests": [Request(**vars(r)) for r in self.requests]}
        return self._call(take)

    def _call(self, fn):
        if threading.current_thread() is self._thread:
            return fn()
        result: dict = {}

        async def wrapper():
            result["value"] = fn()
        asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result(10)
        return result.get("value")

    # ------------------------------------------------------------ the loop

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.requested_port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._schedule:
            self._schedule.cancel()
        self._server.close()
        self._reset_all(cut=False)
        for tasks in list(self._tasks.values()):
            for task in tasks:
                task.cancel()

    async def _cut_schedule(self, every: float, duration: float, jitter: float, rng: random.Random) -> None:
        while True:
            await asyncio.sleep(max(duration, every + rng.uniform(-jitter, jitter)))
            await self._cut(duration)

    async def _cut(self, duration: float) -> None:
        self._cut_until = max(self._cut_until, time.monotonic() + duration)
        self.cuts_done += 1
        self.cut_times.append((time.monotonic(), self._cut_until))
        self._generation += 1
        self.up.free_at = self.down.free_at = 0.0  # what was on the line is lost
        self._reset_all(cut=True)

    def _reset_all(self, cut: bool) -> None:
        for cid, (client, server) in list(self._open.items()):
            self._finish(cid, cut=cut)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._next_id += 1
        cid = self._next_id
        _small_buffer(writer)
        connection = Connection(id=cid, opened=time.monotonic())
        self.connections.append(connection)
        if self.cutting:
            connection.refused = connection.cut = True
            connection.closed = time.monotonic()
            _reset(writer)
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            connection.closed = time.monotonic()
            _reset(writer)
            return
        if self.cutting:  # a cut began while connecting
            connection.refused = connection.cut = True
            connection.closed = time.monotonic()
            _reset(writer)
            _reset(server_writer)
            return
        _small_buffer(server_writer)
        self._open[cid] = (writer, server_writer)
        meter = _HttpMeter(self, cid) if self.meter_http else None
        self._tasks[cid] = [
            asyncio.ensure_future(self._pump(cid, reader, server_writer, self.up, connection, "up", meter)),
            asyncio.ensure_future(self._pump(cid, server_reader, writer, self.down, connection, "down", None)),
        ]

    async def _pump(self, cid: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: _Line,
                    connection: Connection, direction: str, meter: _HttpMeter | None) -> None:
        """Read, pass through the line, deliver in order after the latency; EOF is half-closed through."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        generation = self._generation

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if self._generation != generation or cid not in self._open:
                    return
                if data is None:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                if direction == "up":
                    self.up_bytes += len(data)
                    connection.up_bytes += len(data)
                    if meter:
                        meter.feed(data)
                else:
                    self.down_bytes += len(data)
                    connection.down_bytes += len(data)
                try:
                    await writer.drain()
                except (ConnectionError, OSError):
                    self._finish(cid, cut=False)
                    return

        sender = asyncio.ensure_future(deliver())
        self._tasks.setdefault(cid, []).append(sender)
        try:
            while True:
                while line.rate_bps and line.backlog_s(loop.time()) > self.buffer_s:
                    await asyncio.sleep(min(0.05, line.backlog_s(loop.time()) - self.buffer_s + 0.005))
                size = READ_SIZE
                if line.rate_bps:  # small pieces, so connections share the line fairly
                    size = max(512, min(READ_SIZE, int(line.rate_bps / 8 * 0.05)))
                try:
                    data = await reader.read(size)
                except (ConnectionError, OSError):
                    self._finish(cid, cut=False)
                    return
                if self._generation != generation or cid not in self._open:
                    return
                if not data:
                    queue.put_nowait((loop.time() + line.latency_s, None))
                    await sender
                    self._half_closed(cid, direction)
                    return
                queue.put_nowait((line.send_time(loop.time(), len(data)), data))
        except asyncio.CancelledError:
            sender.cancel()
            raise

    def _half_closed(self, cid: int, direction: str) -> None:
        done = self._halves
        done.setdefault(cid, set()).add(direction)
        if done[cid] == {"up", "down"}:
            del done[cid]
            self._finish(cid, cut=False, graceful=True)

    def _finish(self, cid: int, cut: bool, graceful: bool = False) -> None:
        pair = self._open.pop(cid, None)
        self._halves.pop(cid, None)
        if pair is None:
            return
        for c in self.connections:
            if c.id == cid and c.closed is None:
                c.closed, c.cut = time.monotonic(), cut
        for writer in pair:
            if writer is None:
                continue
            if graceful:
                writer.close()
            else:
                _reset(writer)
        for task in self._tasks.pop(cid, []):
            if task is not asyncio.current_task():
                task.cancel()


def _small_buffer(writer: asyncio.StreamWriter) -> None:
    """Kernel buffers of a modem's size rather than loopback's megabytes: what the sender believes
    sent is at most about this much ahead of what the line carried."""
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
    except (OSError, AttributeError):
        pass


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), as a stack that gave up on its peer does."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


__all__ = ["LinkProxy", "Request", "Connection"]
