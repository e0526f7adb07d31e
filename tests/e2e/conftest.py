"""Browser tests: a real server on 127.0.0.1 (its own process, restartable) and Debian's Chromium.

Chromium is driven through Playwright with executable_path=/usr/bin/chromium; browsers are never
downloaded. Without Chromium the tests skip (fail under REQUIRE_FULL_TEST_ENV=1).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from ..conftest import ARTIFACTS, DEMO_PASSWORD, unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`flask run`-like server in a child process, on a fixed port and instance folder, so a test
    can kill it (as a crash would) and start it again on the same data."""

    def __init__(self, instance: Path, port: int):
        self.instance, self.port = instance, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.log = instance / "server.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env.update({
            "DATABASE_URL": f"sqlite:///{self.instance / 'e2e.sqlite3'}",
            "INSPECTOR_BLOB_DIR": str(self.instance / "blobs"),
            # What would default into the checkout's instance folder (where a demo may be running
            # its worker) belongs to this server: its jobs' broker, its PDF cache, its audit anchors.
            "INSPECTOR_BROKER_URL": f"sqla+sqlite:///{self.instance / 'jobs.sqlite3'}",
            "INSPECTOR_PDF_CACHE_DIR": str(self.instance / "cache"),
            "INSPECTOR_AUDIT_SIGNING_KEY_FILE": str(self.instance / "audit-signing-key"),
            "INSPECTOR_AUDIT_CHECKPOINT_FILE": str(self.instance / "audit-checkpoints.jsonl"),
            "SECRET_KEY": "e2e-secret",
            "INSPECTOR_PUBLIC_BASE_URL": self.url,
            "INSPECTOR_PASSWORD_HASH_MEMORY_KIB": "1024",
            "INSPECTOR_PASSWORD_HASH_TIME_COST": "1",
            "PYTHONPATH": str(ROOT),
        })
        return env

    def case_file_pdf(self, api, inspection_id: str) -> bytes:
        """The case file's bytes; when the server answers 202 (正在生成), drawn the way its job would
        (no worker runs beside this server) and asked for again."""
        path = f"/api/v1/inspections/{inspection_id}/case-file.pdf"
        pdf = api.request("GET", path, raw=True)
        if not pdf.startswith(b"%PDF"):
            assert "正在生成" in pdf.decode(), pdf[:300]
            subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", "prepare-case-file", inspection_id],
                           env=self.env(), cwd=ROOT, check=True, capture_output=True)
            pdf = api.request("GET", path, raw=True)
        return pdf

    def prepare(self) -> None:
        """Schema, reference data and the demo dataset."""
        for command in ("init-db", "seed-demo"):
            subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", command], env=self.env(),
                           cwd=ROOT, check=True, capture_output=True)

    def start(self) -> None:
        # Its job worker, as the README's run command starts one: photos count as uploaded (and
        # leave the phone) once the worker's full decode passed.
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "inspector.jobs.worker", "worker", "--pool", "solo",
             "--concurrency", "1", "--loglevel", "WARNING"],
            env=self.env(), cwd=ROOT, stdout=(self.instance / "worker.log").open("ab"), stderr=subprocess.STDOUT)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "inspector", "run", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-reload", "--with-threads"],
            env=self.env(), cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
                time.sleep(0.1)
        raise RuntimeError("server did not start within 30 s")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(timeout=10)
        self.process = None
        if self.worker is not None:
            self.worker.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.worker.wait(timeout=30)
            self.worker = None


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, _free_port())
    server.prepare()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(playwright_browser, request):
    """A phone-sized browser context (its own storage), Chinese locale."""
    context = playwright_browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2,
                                             is_mobile=True, has_touch=True)
    _keep_console(request, "phone", context)
    yield context
    context.close()


@pytest.fixture
def desktop(playwright_browser, request):
    context = playwright_browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    _keep_console(request, "desktop", context)
    yield context
    context.close()


# ---------------------------------------------------------------- what a failed test leaves behind
# A browser test that fails shows, under its traceback, each open page's address and visible text
# (or that the page did not answer), the browser's last console lines and the servers' log tails,
# and leaves a screenshot of each page in test-artifacts/failures/: a failure seen once in CI can
# be read afterwards.
_CONSOLE = pytest.StashKey[dict]()
FAILURES = ARTIFACTS / "failures"


def _keep_console(request, name: str, context) -> None:
    lines: list[str] = []
    request.node.stash.setdefault(_CONSOLE, {})[name] = (context, lines)

    def note(text: str) -> None:
        lines.append(f"{time.strftime('%H:%M:%S')} {text}"[:400])
        del lines[:-60]

    context.on("console", lambda m: note(f"{m.type}: {m.text}"))
    context.on("weberror", lambda e: note(f"uncaught: {e.error}"))
    context.on("page", lambda page: page.on("crash", lambda _: note(f"page crashed: {page.url}")))


def _page_state(label: str, page, item) -> list[str]:
    out = [f"[{label}] {page.url}"]
    try:
        out.append(page.locator("body").inner_text(timeout=3000)[:800])
    except Exception as exc:  # noqa: BLE001  (a busy or crashed page is what this reports)
        out.append(f"(the page did not answer in 3 s: {type(exc).__name__})")
    FAILURES.mkdir(parents=True, exist_ok=True)
    shot = FAILURES / f"{item.name[:80]}-{label.replace(' ', '-')}.png"
    try:
        page.screenshot(path=str(shot), timeout=5000)
        out.append(f"(screenshot: {shot.relative_to(ROOT)})")
    except Exception as exc:  # noqa: BLE001
        out.append(f"(no screenshot: {type(exc).__name__})")
    return out


def _browser_state(item) -> str:
    out: list[str] = []
    for name, (context, lines) in item.stash.get(_CONSOLE, {}).items():
        for n, page in enumerate(context.pages):
            out += _page_state(f"{name} page {n}", page, item)
        out.append(f"[{name}] console, last lines:")
        out += lines[-25:] or ["(none)"]
    server = item.funcargs.get("live_server")
    if isinstance(server, LiveServer):
        for log in (server.log, server.instance / "worker.log"):
            if log.exists():
                out.append(f"[{log.name}] last lines:")
                out += log.read_text(errors="replace").splitlines()[-12:]
    return "\n".join(out)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and item.stash.get(_CONSOLE, None):
        report.sections.append(("browser state at the failure", _browser_state(item)))
    return report


@pytest.fixture(scope="session")
def screenshots() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


__all__ = ["DEMO_PASSWORD", "LiveServer"]
