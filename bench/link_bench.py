"""Photo uploads over a weak link: how close the phone comes to what the link can carry.

Run from the repository root:

    .venv/bin/python bench/link_bench.py [--scenario steady|cut|cut-periodic|3g ...] [--quick]
                                         [--app-root PATH | --app-ref REF] [--give-up MINUTES] [--keep]
                                         [--timeline]

Default: the scenarios steady and cut. The full run sends ~11 MB upstream per scenario, about
15 minutes each on the 2G link; --quick uses one photo (jolla.jpg, 0.8 MB, and its variant) and
takes a few minutes per scenario. --app-root runs the server and serves the phone app from another
checkout (e.g. a worktree with a changed upload client); --app-ref exports a committed git ref of
this repository (e.g. a branch) to a temporary folder and runs that, so edits in progress in its
worktree do not leak into a run. This checkout's virtualenv runs either. --timeline adds, for each
cut, how long after its end the next upload/push body byte reached the server and which requests
came in between (the proxy records cut times and when each request's body bytes arrived).

Each scenario, on a fresh demo instance: the app server (`flask run --with-threads` and a Celery
worker, as tests/e2e/conftest.py starts them) behind tests/link_proxy.py; Chromium (/usr/bin/chromium,
Playwright, a 390x844 phone) opens the app through the proxy, logs in as tuoketuo.zhang over the
unshaped link and makes sure originals are not held for Wi-Fi (设置: 原图仅在 Wi-Fi 下上传 off; the
Wi-Fi test fails in headless Chromium, so with it on originals would never go). Then, offline,
it starts a 一般检查 inspection and adds six evidence photos: each of the three real photos of
shared/photos (found as tests/real_photos.py finds them: beside this checkout or beside the main
checkout of this worktree) twice, the second copy with one byte of a text EXIF tag changed (the
last character of Software, or of Make/Model where there is no Software; none of the photos has a
UserComment), so each original has its own hash (the two copies' display copies have the same
pixels, so the phone makes the same bytes and queues them once); writes the record and collects
every signature the sign step asks for (five: party, witness, two inspectors, evidence provider;
each drawn differently). Then the link is shaped and the phone goes online (which starts a sync;
立即同步 is tapped if it did not): the clock starts. It stops when the phone's upload queue
(IndexedDB `uploads`: display copies, originals, signatures) shows every entry done. Link profiles
(the latency is one way, added in both directions):

    steady  2G-like: 100 kbit/s up, 200 kbit/s down, 400 ms
    cut     the same, cut for 5 s every 30 s (every connection reset, new ones reset until it ends);
            each cut starts 30 ± 10 s after the one before (seeded, the same in every run): a strictly
            periodic cut phase-locks with retry timers that are multiples of 30 s (main's backoff
            of 15/30/60/120/300 s then always retries into the next cut and never finishes)
    cut-periodic  the same, cuts exactly every 30 s
    3g      3G-like: 750 kbit/s up, 2 Mbit/s down, 150 ms

What is counted (the proxy parses the bytes it forwards to the server as HTTP/1.1 requests):

needed      the sizes of every upload in the phone's queue (display copies, originals, signatures)
            + the bodies of the distinct sync pushes (/api/v1/sync/push, identical bodies of a
            retried push counted once). Request heads, pulls, blob checks and HEADs are overhead,
            not needed bytes.
limit       needed x 8 / upstream rate: the time the link needs for them at best.
ratio       limit / measured time (1.0 = the link carried nothing but needed bytes, all the time).
received    every byte the proxy wrote to the server during the measured time (heads included),
            and the body bytes of upload (/api/v1/uploads...) and push requests among them,
            whether or not their request completed.
discarded   (upload and push body bytes that reached the server - needed) / needed: bytes sent
            again because an interrupted or repeated request's bytes were not kept. Bytes still on
            the line when a cut came (sent by the phone, never delivered) are not in it: they cost
            link time, which the ratio shows.

Ends with `RESULT link_steady_2g <ratio> target >= 0.9`, `RESULT link_cut_2g <ratio> target >= 0.75`,
`RESULT link_discarded_2g <share> target 0.05` (the cut scenario's, the steady one's when cut was not
run or did not finish) and, for 3g and cut-periodic, a ratio for information. A scenario the phone
does not finish before --give-up reports limit / time waited, marked "not finished: at most", and
no discarded share.
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer  # noqa: E402
from tests.e2e.pwa_helpers import (  # noqa: E402
    at_field, confirm_record, go_home, goto_step, login, start_inspection, wait_controlled, wait_saved, watch_errors,
    write_record,
)
from tests.link_proxy import LinkProxy  # noqa: E402
from tests.real_photos import PHOTO_DIRS  # noqa: E402

PHOTOS = ("HMD_Nokia_8.3_5G.jpg", "iphone_13_pro_max.HEIC", "jolla.jpg")
QUICK_PHOTOS = ("jolla.jpg",)
PORTS = range(5500, 5600)


@dataclass(frozen=True)
class Link:
    name: str
    up_bps: int
    down_bps: int
    latency_s: float
    cut_every_s: float | None = None
    cut_for_s: float = 0.0
    cut_jitter_s: float = 0.0


SCENARIOS = {
    "steady": Link("steady 2G", 100_000, 200_000, 0.4),
    "cut": Link("2G, cut 5 s every 30 s", 100_000, 200_000, 0.4, 30, 5, 10),
    "cut-periodic": Link("2G, cut 5 s every 30 s exactly", 100_000, 200_000, 0.4, 30, 5),
    "3g": Link("steady 3G", 750_000, 2_000_000, 0.15),
}
TARGETS = {"steady": 0.9, "cut": 0.75, "discarded": 0.05}

UPLOADS = """() => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { const tx = r.result.transaction('uploads');
    tx.objectStore('uploads').getAll().onsuccess = (e) => { resolve(e.target.result.map((u) =>
      ({ sha256: u.sha256, role: u.role, size: u.size, state: u.state, offset: u.offset || 0,
         inspectionID: u.inspectionID, doneAt: u.doneAt || null }))); r.result.close(); }; }; })"""

SYNC_STATE = """() => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { r.result.transaction('meta').objectStore('meta').get('sync').onsuccess = (e) => {
    resolve(e.target.result ? e.target.result.value : null); r.result.close(); }; }; })"""


# ---------------------------------------------------------------- photos

def find_photos(names: tuple[str, ...]) -> list[Path]:
    found = []
    for name in names:
        path = next((folder / name for folder in PHOTO_DIRS if (folder / name).is_file()), None)
        if path is None:
            sys.exit(f"link_bench: real photo {name} not found in {', '.join(map(str, PHOTO_DIRS))}; "
                     "this bench needs shared/photos beside the checkout (no figures without it)")
        found.append(path)
    return found


def exif_variant(data: bytes) -> tuple[bytes, str]:
    """The same photo with one byte of a text EXIF tag changed (see the module docstring)."""
    import io

    from PIL import Image
    try:
        import pillow_heif
        pillow_heif.register_heif_opener()
    except ImportError:
        pass
    exif = Image.open(io.BytesIO(data)).getexif()
    start = data.find(b"Exif\x00\x00")
    if start < 0:
        raise SystemExit("link_bench: no EXIF block found in a photo")
    for tag, name in ((305, "Software"), (272, "Model"), (271, "Make")):
        value = exif.get(tag)
        if not isinstance(value, str) or not value:
            continue
        at = data.find(value.encode() + b"\x00", start)
        if at < 0:
            continue
        last = at + len(value.encode()) - 1
        old = chr(data[last])
        new = old.swapcase() if old.isalpha() else ("0" if old != "0" else "1")
        return data[:last] + new.encode() + data[last + 1:], f"{name} {value!r} -> {value[:-1] + new!r}"
    raise SystemExit("link_bench: no text EXIF tag to change in a photo")


def prepare_photos(folder: Path, quick: bool) -> list[tuple[Path, str]]:
    """Both copies of each photo, in the order they are added; (path, what differs)."""
    out = []
    for path in find_photos(QUICK_PHOTOS if quick else PHOTOS):
        data = path.read_bytes()
        variant, change = exif_variant(data)
        first = folder / f"a-{path.name}"
        second = folder / f"b-{path.name}"
        first.write_bytes(data)
        second.write_bytes(variant)
        assert hashlib.sha256(data).digest() != hashlib.sha256(variant).digest()
        out += [(first, "as taken"), (second, change)]
    return out


# ---------------------------------------------------------------- server

def free_port(exclude: set[int] = frozenset()) -> int:
    for port in PORTS:
        if port in exclude:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("link_bench: no free port in 5500-5599")


class AppServer(LiveServer):
    """tests/e2e's LiveServer, run from `root` (this checkout or --app-root)."""

    def __init__(self, instance: Path, port: int, root: Path, public_url: str):
        super().__init__(instance, port)
        self.root, self.public_url = root, public_url

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update({"PYTHONPATH": str(self.root), "INSPECTOR_PUBLIC_BASE_URL": self.public_url})
        return env

    def prepare(self) -> None:
        for command in ("init-db", "seed-demo"):
            subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", command], env=self.env(),
                           cwd=self.root, check=True, capture_output=True)

    def start(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "inspector.jobs.worker", "worker", "--pool", "solo",
             "--concurrency", "1", "--loglevel", "WARNING"],
            env=self.env(), cwd=self.root, stdout=(self.instance / "worker.log").open("ab"), stderr=subprocess.STDOUT)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "inspector", "run", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-reload", "--with-threads"],
            env=self.env(), cwd=self.root, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                time.sleep(1)
                if self.process.poll() is not None:  # the port was someone else's
                    raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
                time.sleep(0.1)
        raise RuntimeError("server did not start within 60 s")


# ---------------------------------------------------------------- the phone

def add_photo(page, path: Path, caption: str, shots: Path) -> None:
    """An evidence photo from the gallery: these were taken years ago, so the phone asks why."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    goto_step(page, "photos")
    wait_saved(page)  # a re-render after the last edit must not swallow the chosen file
    before = page.locator("[data-testid=photo]").count()
    added = f"document.querySelectorAll('[data-testid=photo]').length > {before}"
    for attempt in range(2):
        page.set_input_files("[data-testid=evidence-photo]", str(path))
        try:
            page.wait_for_function(f"document.querySelector('[data-testid=photo-reason]') || ({added})",
                                   timeout=45000)
            break
        except PlaywrightTimeout:
            page.screenshot(path=str(shots / f"photo-not-taken-{path.name}-{attempt}.png"))
            if attempt:
                raise
    if page.locator("[data-testid=photo-reason]").count():
        page.fill("[data-testid=photo-reason]", "当事人手机中的照片")
        page.click("[data-testid=photo-reason-ok]")
    page.wait_for_function(added, timeout=120000)
    if page.locator("[data-testid=photo]").count() != before + 1:
        raise RuntimeError(f"{path.name} was attached more than once")
    page.locator("[data-testid=caption]").last.fill(caption)
    wait_saved(page)


def sign_every_slot(page) -> int:
    """Every signature the sign step asks for, each signer's own stroke (so each image is distinct)."""
    goto_step(page, "sign")
    count = page.locator("[data-testid=sign-button]").count()
    for n in range(count):
        page.locator("[data-testid=sign-button]").nth(n).click()
        page.wait_for_selector("[data-testid=preview-document], [data-testid=signature-pad]")
        if page.locator("[data-testid=preview-document]").count():
            confirm_record(page)
        name = page.locator("[data-testid=signer-name]")
        if name.count() and not name.input_value():
            name.fill(["李见证", "王店主", "赵提供"][n % 3])
        box = page.locator("[data-testid=signature-pad]").bounding_box()
        page.mouse.move(box["x"] + 30 + 7 * n, box["y"] + 150)
        page.mouse.down()
        for i in range(12 + n):
            page.mouse.move(box["x"] + 40 + i * (18 + n), box["y"] + 60 + ((i + n) % 4) * 30, steps=2)
        page.mouse.up()
        page.click("[data-testid=signature-ok]")
        page.wait_for_selector("[data-testid=signature-pad]", state="detached")
        page.wait_for_function(f"document.querySelectorAll('.sig-img').length >= {n + 1}")
    return count


def allow_originals_on_any_link(page) -> None:
    page.click("[data-testid=open-settings]")
    box = page.locator("input[data-setting=originalsOnWifi]")
    if box.is_checked():
        box.uncheck()
    page.wait_for_timeout(300)
    assert not box.is_checked()
    go_home(page)


def run_scenario(key: str, link: Link, photos: list[tuple[Path, str]], app_root: Path, work: Path,
                 log=print, give_up_s: float | None = None) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    # Benches running side by side: one at a time picks ports and starts its server on them.
    with open(Path(tempfile.gettempdir()) / "link_bench_ports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server_port = free_port()
        proxy = LinkProxy(("127.0.0.1", server_port), port=free_port({server_port})).start()
        server = AppServer(work, server_port, app_root, proxy.url)
        try:
            server.prepare()
            server.start()
        except BaseException:
            server.stop()
            proxy.stop()
            raise
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
            at_field(phone, proxy.url)
            page = phone.new_page()
            errors = watch_errors(page)
            console: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:200]))
            login(page, proxy.url)
            wait_controlled(page)
            allow_originals_on_any_link(page)

            phone.set_offline(True)  # the inspection is made where there is no signal
            record_id = start_inspection(page)
            for n, (path, change) in enumerate(photos, start=1):
                add_photo(page, path, f"现场照片 {n}", work)
            write_record(page, "检查人员到达现场时，当事人正在营业。货架陈列复合肥料120袋，现场拍照取证。")
            signatures = sign_every_slot(page)
            go_home(page)
            queue = [u for u in page.evaluate(UPLOADS) if u["state"] != "done"]
            assert queue and all(u["inspectionID"] == record_id for u in queue), queue
            upload_bytes = sum(u["size"] for u in queue)
            roles = {r: sum(1 for u in queue if u["role"] == r) for r in ("display", "original", "signature")}
            log(f"  queued: {len(queue)} uploads, {upload_bytes / 1e6:.2f} MB "
                f"({', '.join(f'{n} {r}' for r, n in roles.items())}; {len(photos)} photos, {signatures} signatures)")

            proxy.configure(up_bps=link.up_bps, down_bps=link.down_bps, latency_s=link.latency_s,
                            cut_every_s=link.cut_every_s, cut_for_s=link.cut_for_s, cut_jitter_s=link.cut_jitter_s)
            proxy.reset_counts()
            started = time.monotonic()
            phone.set_offline(False)  # going online starts a sync; 立即同步 when it did not
            page.wait_for_timeout(500)
            button = page.locator("[data-testid=sync-now]")
            if button.is_enabled():
                try:
                    button.click(timeout=3000)
                except PlaywrightTimeout:
                    pass  # a sync began meanwhile
            expected_limit = upload_bytes * 8 / link.up_bps
            deadline = started + (give_up_s or max(600, 4 * expected_limit + 300))
            shas = {u["sha256"] for u in queue}
            finished = None
            last_report = last_move = started
            last_bytes, diagnosed = 0, False
            while time.monotonic() < deadline:
                state = [u for u in page.evaluate(UPLOADS) if u["sha256"] in shas]
                left = [u for u in state if u["state"] != "done"]
                if not left:
                    finished = time.monotonic()
                    break
                moved = (now_bytes := proxy.snapshot()["up_bytes"]) != last_bytes
                if moved:
                    last_bytes, last_move = now_bytes, time.monotonic()
                elif time.monotonic() - last_move > 150 and not diagnosed:
                    diagnosed = True  # nothing reached the server for long: say what the phone and link show
                    snap_now = proxy.snapshot()
                    log(f"  stalled: phone's sync state {page.evaluate(SYNC_STATE)}")
                    log(f"  uploads: {[(u['role'], u['state'], u['offset'], u['size']) for u in left]}")
                    log(f"  open connections: {[(c.id, c.up_bytes, c.down_bytes) for c in snap_now['connections'] if c.closed is None]}")
                    log(f"  last requests: {[(r.method, r.path[:30], r.body_bytes, r.content_length) for r in snap_now['requests'][-6:]]}")
                    log(f"  console: {console[-10:]}")
                if time.monotonic() - last_report > 60:
                    last_report = time.monotonic()
                    done = sum(u["size"] for u in state if u["state"] == "done")
                    now = proxy.snapshot()
                    last = now["requests"][-1] if now["requests"] else None
                    log(f"  {last_report - started:5.0f} s: {len(state) - len(left)}/{len(state)} done, "
                        f"{done / 1e6:.2f} MB; upstream so far {now['up_bytes'] / 1e6:.2f} MB, {now['cuts']} cuts, "
                        f"{sum(1 for c in now['connections'] if c.closed is None)} connections open"
                        + (f"; last request {last.method} {last.path[:40]} {time.monotonic() - last.started:.0f} s ago"
                           if last else ""))
                time.sleep(0.25)
            elapsed = (finished or time.monotonic()) - started
            done_bytes = sum(u["size"] for u in state if u["state"] == "done")
            snap = proxy.snapshot()
            proxy.configure()  # unshaped again, so closing down is quick
            browser.close()
    finally:
        server.stop()
        proxy.stop()

    requests = snap["requests"]
    pushes = [r for r in requests if r.path.startswith("/api/v1/sync/push")]
    uploads = [r for r in requests if r.path.startswith("/api/v1/uploads")]
    distinct_push = {r.sha256: r.content_length for r in pushes if r.complete}
    push_bytes = sum(distinct_push.values())
    needed = upload_bytes + push_bytes
    body_bytes = sum(r.body_bytes for r in pushes + uploads)
    limit = needed * 8 / link.up_bps
    return {
        "key": key, "link": link, "finished": finished is not None, "elapsed": elapsed, "limit": limit,
        "ratio": limit / elapsed, "needed": needed, "upload_bytes": upload_bytes, "push_bytes": push_bytes,
        "pushes": len(pushes), "distinct_pushes": len(distinct_push), "received": snap["up_bytes"],
        "body_bytes": body_bytes, "discarded": (body_bytes - needed) / needed, "cuts": snap["cuts"],
        "connections": len(snap["connections"]), "cut_connections": sum(1 for c in snap["connections"] if c.cut),
        "patches": sum(1 for r in uploads if r.method == "PATCH"),
        "incomplete": sum(1 for r in uploads + pushes if not r.complete),
        "heads": sum(1 for r in uploads if r.method == "HEAD"),
        "creates": sum(1 for r in uploads if r.method == "POST"),
        "requests": len(requests), "errors": errors, "queued": len(queue), "done_bytes": done_bytes,
        "timeline": cut_timeline(snap, started, started + elapsed),
    }


def _short(request) -> str:
    path = request.path.split("?")[0]
    if path.startswith("/api/v1/uploads/"):
        path = "/uploads/" + path.rsplit("/", 1)[-1][:6]
    return f"{request.method} {path.replace('/api/v1', '')}"


def cut_timeline(snap: dict, started: float, ended: float) -> list[str]:
    """Where each cut's seconds go: from the cut's end to the next upload/push body byte at the server,
    and the requests that reached the server in between (times from the cut's end; the data of a request
    sent the moment the link is back arrives after the one-way latency at best). Then how much of the
    whole run body bytes were arriving."""
    requests = snap["requests"]
    bodies = [r for r in requests if r.body_first is not None
              and r.path.startswith(("/api/v1/uploads", "/api/v1/sync/push"))]
    lines, gaps = [], []
    for n, (cut_start, cut_end) in enumerate(snap["cut_times"], start=1):
        if cut_start < started or cut_end > ended:
            continue
        before = [r.body_last for r in bodies if r.body_last <= cut_start]
        idle_before = cut_start - max(before) if before else None
        refused = sum(1 for c in snap["connections"] if c.refused and cut_start <= c.opened <= cut_end)
        after = sorted((r for r in requests if r.started >= cut_end), key=lambda r: r.started)
        first = min((r.body_first for r in bodies if r.body_first >= cut_end), default=None)
        steps = [f"+{r.started - cut_end:.1f} {_short(r)}" for r in after if first is None or r.started <= first][:6]
        gap = None if first is None else first - cut_end
        if gap is not None:
            gaps.append(gap)
        lines.append(f"  cut {n:2d} at {cut_start - started:6.1f} s ({refused} refused): body idle "
                     + (f"{idle_before:.1f} s before it; " if idle_before is not None else "")
                     + (f"next body byte +{gap:.1f} s after it" if gap is not None else "no body after it")
                     + f"; {', '.join(steps)}")
    spans = sorted((max(r.body_first, started), min(r.body_last, ended)) for r in bodies if r.body_last > started)
    flowing, reach = 0.0, started
    for first, last in spans:
        if last > reach:
            flowing += last - max(first, reach)
            reach = last
    cut_s = sum(min(e, ended) - max(s, started) for s, e in snap["cut_times"] if s < ended and e > started)
    if gaps:
        lines.append(f"  after {len(gaps)} cuts: next body byte on average {sum(gaps) / len(gaps):.2f} s after the "
                     f"cut's end (sum {sum(gaps):.0f} s)")
    lines.append(f"  body bytes arriving {flowing:.0f} s of {ended - started:.0f} s; cut {cut_s:.0f} s; "
                 f"neither {ended - started - flowing - cut_s:.0f} s")
    return lines


def report(result: dict, log=print, timeline: bool = False) -> None:
    link = result["link"]
    log(f"{result['key']} ({link.name}: {link.up_bps / 1000:g} kbit/s up, {link.down_bps / 1000:g} kbit/s down, "
        f"{link.latency_s * 1000:.0f} ms one way"
        + (f", cut {link.cut_for_s:g} s every {link.cut_every_s:g}"
           + (f" ± {link.cut_jitter_s:g}" if link.cut_jitter_s else "") + " s" if link.cut_every_s else "") + ")")
    log(f"  needed upstream: {result['needed']:,} bytes = {result['upload_bytes']:,} in {result['queued']} uploads "
        f"+ {result['push_bytes']:,} in {result['distinct_pushes']} distinct push bodies ({result['pushes']} sent)")
    status = "" if result["finished"] else (f"  NOT FINISHED: the bench gave up, {result['done_bytes']:,} of "
                                            f"{result['upload_bytes']:,} upload bytes done")
    log(f"  limit {result['limit']:.0f} s, time {result['elapsed']:.0f} s, ratio {result['ratio']:.2f}{status}")
    log(f"  received upstream: {result['received']:,} bytes in all ({result['requests']} requests on "
        f"{result['connections']} connections), of them {result['body_bytes']:,} upload/push body bytes "
        f"= {result['body_bytes'] / result['needed']:.3f} x needed")
    share = f"{result['discarded']:.3f}" if result["finished"] else "n/a (not finished)"
    log(f"  discarded share: {share}; {result['creates']} creates, {result['patches']} PATCHes, "
        f"{result['heads']} HEADs, {result['incomplete']} upload/push requests cut short; "
        f"{result['cuts']} cuts reset {result['cut_connections']} connections")
    if timeline:
        for line in result["timeline"]:
            log(line)
    if result["errors"]:
        log(f"  page errors: {result['errors'][:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="steady, cut, cut-periodic or 3g (repeatable; default: steady and cut)")
    parser.add_argument("--quick", action="store_true", help="one photo (jolla.jpg) and its variant instead of six")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="checkout to run the server and app from")
    parser.add_argument("--app-ref", help="git ref of this repository to export and run instead")
    parser.add_argument("--give-up", type=float, metavar="MINUTES",
                        help="stop waiting for a scenario after this long (default: 4x its limit + 5 min, at least 10 min)")
    parser.add_argument("--timeline", action="store_true",
                        help="per cut: how long until body bytes flowed again, and the requests in between")
    parser.add_argument("--keep", action="store_true", help="keep the instance folders (logs) and print where")
    args = parser.parse_args()
    scenarios = args.scenario or ["steady", "cut"]
    app_root = args.app_root.resolve()
    exported = None
    if args.app_ref:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", args.app_ref + "^{commit}"],
                                capture_output=True, text=True)
        if commit.returncode != 0:
            sys.exit(f"link_bench: no such git ref: {args.app_ref}")
        exported = Path(tempfile.mkdtemp(prefix="link-bench-app-"))
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit.stdout.strip()], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(exported)], input=archive, check=True)
        app_root = exported
    if not (app_root / "inspector").is_dir():
        sys.exit(f"link_bench: {app_root} is not a checkout of this project")
    if not Path(CHROMIUM).exists():
        sys.exit(f"link_bench: Chromium not found at {CHROMIUM}")
    head = subprocess.run(["git", "-C", str(ROOT if exported else app_root), "log", "-1", "--format=%h %s",
                           *([args.app_ref] if exported else [])], capture_output=True, text=True).stdout.strip()
    source = f"{args.app_ref} exported to {app_root}" if exported else str(app_root)
    print(f"app: {source} ({head}){' [quick: jolla.jpg only]' if args.quick else ''}", flush=True)
    results = {}
    work = Path(tempfile.mkdtemp(prefix="link-bench-"))
    try:
        photos = prepare_photos(work, args.quick)
        for path, change in photos:
            print(f"photo {path.name}: {path.stat().st_size:,} bytes, {change}", flush=True)
        for key in scenarios:
            instance = work / key
            instance.mkdir()
            print(f"running {key} ...", flush=True)
            results[key] = run_scenario(key, SCENARIOS[key], photos, app_root, instance,
                                        log=lambda *a: print(*a, flush=True),
                                        give_up_s=args.give_up * 60 if args.give_up else None)
            report(results[key], timeline=args.timeline)
    finally:
        if args.keep:
            print(f"instance folders kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        if exported:
            shutil.rmtree(exported, ignore_errors=True)
    if args.quick:
        print("(quick run: one photo and its variant; the targets are for the six-photo run)")
    def ratio(key: str) -> str:  # a run that did not finish: the ratio is at most this
        return f"{results[key]['ratio']:.2f}" + ("" if results[key]["finished"] else " (not finished: at most)")

    if "steady" in results:
        print(f"RESULT link_steady_2g {ratio('steady')} target >= {TARGETS['steady']}")
    if "cut-periodic" in results:
        print(f"RESULT link_cut_periodic_2g {ratio('cut-periodic')} (information)")
    if "cut" in results:
        print(f"RESULT link_cut_2g {ratio('cut')} target >= {TARGETS['cut']}")
    two_g = [results[k] for k in ("cut", "steady") if k in results and results[k]["finished"]]
    if two_g:
        print(f"RESULT link_discarded_2g {max(0.0, two_g[0]['discarded']):.3f} target {TARGETS['discarded']}")
    if "3g" in results:
        print(f"RESULT link_steady_3g {ratio('3g')} (information)")


if __name__ == "__main__":
    main()
