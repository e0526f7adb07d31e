"""Phone app: bytes on the wire for a first load, Lighthouse mobile performance, offline cold start.

Run: .venv/bin/python bench/pwa_bench.py   (Debian's Chromium; Lighthouse needs Node.js, see below)

1. First load on the wire: the server runs as the README documents it (gunicorn, 2 workers x 4
   threads, wsgi:app) on a fresh demo instance. A new phone-sized Chromium profile opens /app/ and
   waits until the service worker has precached the shell and controls the page, then until the
   network is quiet. Every response the browser received is summed twice: by Chromium (Playwright's
   encoded body sizes, the service worker's own fetches included) and by gunicorn's access log (body
   bytes sent, %(B)s). Target: at most 200 KB.
2. Lighthouse 12.2.3 (pinned; `npm i -E lighthouse@12.2.3 --prefix /tmp/lighthouse-12.2.3`, or set
   LIGHTHOUSE to its cli/index.js), mobile preset (simulated slow 4G, 4x CPU), performance only,
   on /app/ with CHROME_PATH=/usr/bin/chromium; the median of 5 runs. Target: at least 0.95.
   When Node or Lighthouse is missing this is said and no figure is printed for it.
3. Cold start: after one online login, the server is stopped; each run opens a new tab on /app/
   and waits for the first usable screen. Ratio = median app time / median blank-page time.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer, _free_port  # noqa: E402
from tests.e2e.pwa_helpers import login, wait_controlled  # noqa: E402

RUNS = 7
LIGHTHOUSE_RUNS = 5
FIRST_LOAD_TARGET_KB = 200
LIGHTHOUSE_TARGET = 0.95
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_DIR = Path(os.environ.get("LIGHTHOUSE_DIR", f"/tmp/lighthouse-{LIGHTHOUSE_VERSION}"))
# Both timings include opening a tab (~120 ms here). On top of that the app loads its module
# graph (~45 small files) from Cache Storage, opens IndexedDB, reads drafts, settings and sync
# state and renders once. Target: at most 4x a blank page.
COLD_START_TARGET = 4
ACCESS_FORMAT = '"%(r)s" %(s)s %(B)s'


class Gunicorn:
    """The README's serving command on a demo instance, with an access log that counts bytes."""

    def __init__(self, server: LiveServer):
        self.server, self.process = server, None
        self.access_log = server.instance / "access.log"

    def start(self) -> None:
        command = [str(ROOT / ".venv/bin/gunicorn"), "--workers", "2", "--threads", "4",
                   "--bind", f"127.0.0.1:{self.server.port}", "--access-logfile", str(self.access_log),
                   "--access-logformat", ACCESS_FORMAT, "wsgi:app"]
        self.process = subprocess.Popen(command, env=self.server.env(), cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.server.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

    def logged(self) -> list[tuple[str, int, int]]:
        rows = []
        for line in self.access_log.read_text().splitlines():
            m = re.match(r'"(\S+ \S+) \S+" (\d+) (\d+|-)', line)
            if m:
                rows.append((m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) != "-" else 0))
        return rows


def first_load(server: LiveServer) -> dict:
    from playwright.sync_api import sync_playwright

    gunicorn = Gunicorn(server)
    gunicorn.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
            seen: list[tuple[str, int, int, bool]] = []

            def finished(request) -> None:
                response = request.response()
                sizes = request.sizes()
                seen.append((request.url, response.status if response else 0,
                             sizes["responseBodySize"] + sizes["responseHeadersSize"],
                             request.service_worker is not None))

            context.on("requestfinished", finished)
            page = context.new_page()
            page.goto(server.url + "/app/")
            page.wait_for_selector("[data-testid=login-form]")
            wait_controlled(page)
            quiet_since, count = time.monotonic(), len(seen)
            while time.monotonic() - quiet_since < 2:
                time.sleep(0.2)
                if len(seen) != count:
                    quiet_since, count = time.monotonic(), len(seen)
            browser.close()
    finally:
        gunicorn.stop()
    logged = gunicorn.logged()
    return {
        "browser_kb": sum(s[2] for s in seen) / 1024, "browser_requests": len(seen),
        "worker_requests": sum(1 for s in seen if s[3]),
        "server_kb": sum(b for _, _, b in logged) / 1024, "server_requests": len(logged),
        "not_modified": sum(1 for _, s, _ in logged if s == 304),
        "twice": sorted(u for u in {r for r, s, _ in logged if s == 200}
                        if sum(1 for r, s, _ in logged if r == u and s == 200) > 1),
    }


def lighthouse(server: LiveServer) -> tuple[float | None, str]:
    cli = Path(os.environ.get("LIGHTHOUSE", LIGHTHOUSE_DIR / "node_modules/lighthouse/cli/index.js"))
    node = shutil.which("node")
    if not node or not cli.exists():
        return None, (f"lighthouse: not run ({'node' if not node else cli} missing; "
                      f"npm i -E lighthouse@{LIGHTHOUSE_VERSION} --prefix {LIGHTHOUSE_DIR})")
    gunicorn = Gunicorn(server)
    gunicorn.start()
    for _ in range(4):  # both workers past their first request, as a server in service would be
        urllib.request.urlopen(server.url + "/app/").read()
    scores, details = [], []
    try:
        with tempfile.TemporaryDirectory() as out:
            for run in range(LIGHTHOUSE_RUNS):
                report = Path(out) / f"lh{run}.json"
                result = subprocess.run(
                    [node, str(cli), server.url + "/app/", "--only-categories=performance", "--output=json",
                     f"--output-path={report}", "--quiet",
                     "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                    env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300)
                if result.returncode != 0 or not report.exists():
                    return None, f"lighthouse: failed to run: {result.stderr.strip()[-800:]}"
                data = json.loads(report.read_text())
                score = data["categories"]["performance"]["score"]
                audits = data["audits"]
                scores.append(score)
                details.append(f"run {run + 1}: score {score:.2f}, FCP {audits['first-contentful-paint']['displayValue']}, "
                               f"LCP {audits['largest-contentful-paint']['displayValue']}, "
                               f"TBT {audits['total-blocking-time']['displayValue']}, "
                               f"CLS {audits['cumulative-layout-shift']['displayValue']}, "
                               f"SI {audits['speed-index']['displayValue']}")
    finally:
        gunicorn.stop()
    version = subprocess.run([node, str(cli), "--version"], capture_output=True, text=True).stdout.strip()
    return statistics.median(scores), f"lighthouse {version} mobile, /app/:\n  " + "\n  ".join(details)


def cold_start_ratio(server: LiveServer) -> tuple[float, float, float]:
    from playwright.sync_api import sync_playwright

    gunicorn = Gunicorn(server)
    gunicorn.start()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        page = context.new_page()
        login(page, server.url)
        wait_controlled(page)
        page.close()
        gunicorn.stop()  # from here on the server is unreachable
        app_times, blank_times = [], []
        for _ in range(RUNS):
            page = context.new_page()
            start = time.perf_counter()
            page.goto(server.url + "/app/")
            page.wait_for_selector("[data-testid=sync-panel]")
            app_times.append(time.perf_counter() - start)
            page.close()
            page = context.new_page()
            start = time.perf_counter()
            page.goto("data:text/html,<!doctype html><title>blank</title><p id=x>ok</p>")
            page.wait_for_selector("#x")
            blank_times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    app_ms, blank_ms = statistics.median(app_times) * 1000, statistics.median(blank_times) * 1000
    return app_ms, blank_ms, app_ms / blank_ms


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp), _free_port())
        server.prepare()
        load = first_load(server)
        print(f"first load through gunicorn (2 workers x 4 threads), until the service worker precached the shell:")
        print(f"  browser: {load['browser_kb']:.1f} KB in {load['browser_requests']} responses "
              f"({load['worker_requests']} by the service worker), encoded bodies + headers")
        print(f"  server:  {load['server_kb']:.1f} KB of bodies in {load['server_requests']} responses "
              f"({load['not_modified']} were 304); downloaded twice: {load['twice'] or 'none'}")
        score, detail = lighthouse(server)
        print(detail)
        app_ms, blank_ms, ratio = cold_start_ratio(server)
        print(f"offline cold start to first usable screen: {app_ms:.0f} ms (median of {RUNS}); blank page {blank_ms:.0f} ms")
    print(f"RESULT pwa_first_load_kb {max(load['browser_kb'], load['server_kb']):.1f} target {FIRST_LOAD_TARGET_KB}")
    if score is not None:
        print(f"RESULT pwa_lighthouse_mobile_performance {score:.2f} target >= {LIGHTHOUSE_TARGET}")
    print(f"RESULT pwa_cold_start_ratio {ratio:.2f} target {COLD_START_TARGET}")


if __name__ == "__main__":
    main()
