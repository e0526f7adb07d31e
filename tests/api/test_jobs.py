"""Background jobs through real workers: a Celery worker thread on the app's own broker (the
embedded SQLAlchemy transport), and `celery worker` processes on a real Redis.

A phone submits a case and a reviewer approves it; each time a worker draws the case file ahead,
so the first download is served ready. A job that keeps failing is retried and then shown to an
admin, who sends it again. A worker killed in the middle of a job loses nothing: another worker
finishes it.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from inspector import create_app
from inspector.database import db
from inspector.jobs import enqueue
from inspector.jobs.tasks import EXPIRE_UPLOADS
from inspector.models import FailedJob, Inspection, IssuedDocument
from inspector.services import evidence
from inspector.services.case_file import prepare_case_file

from ..conftest import CHEAP_HASHING, unavailable
from ..console_support import csrf_token, decide, reviewer_session
from ..sync_phone import Phone
from .test_case_file import renders  # noqa: F401  (fixture: the renders the service starts)
from .test_review_flow import _phone_submits_a_case

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # a database of its own, flushed
GIVE_UP_AFTER = 120  # seconds: a guard against a hung worker, not a limit on how fast jobs run


@pytest.fixture(autouse=True)
def pdf_cache(app, tmp_path, monkeypatch) -> Path:
    """Each test's own cache of drawn and issued case files."""
    root = tmp_path / "pdf-cache"
    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(root))
    return root


@contextmanager
def worker_thread(flask_app) -> Iterator[Any]:
    """A Celery worker in a thread of this process, consuming the app's own broker (no eager mode)."""
    celery = flask_app.extensions["celery"]
    celery.control.purge()  # jobs sent by earlier tests name cases that their baseline removed
    with start_worker(celery, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=60):
        yield celery


def eventually(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + GIVE_UP_AFTER
    while not (result := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.1)
    return result


def drawn_ahead(cache: Path) -> list[Path]:
    return sorted((cache / "drawn-ahead").rglob("*.json"))


def cached_case_files(cache: Path) -> set[Path]:
    return set((cache / "case-files").rglob("*.pdf"))


def issued_count(case_id: str) -> int:
    db.session.commit()  # a fresh snapshot: the requests and the worker wrote in their own sessions
    return db.session.scalar(select(func.count()).select_from(IssuedDocument)
                             .where(IssuedDocument.inspection_id == case_id))


def download(api, case_id: str):
    response = api.get(f"/api/v1/inspections/{case_id}/case-file.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


# ---------------------------------------------------------------- drawing case files ahead

def test_case_file_is_drawn_on_submission_and_approval_and_downloads_serve_it_ready(
        app, client, login_as, user, pdf_cache, renders):  # noqa: F811
    phone = Phone(login_as("tuoketuo.zhang"))
    with worker_thread(app):
        case_id = _phone_submits_a_case(phone, user)
        eventually(lambda: drawn_ahead(pdf_cache), "the submitted case file drawn by the worker")
        assert issued_count(case_id) == 0  # drawn, not issued: nobody has downloaded it yet
        ready, drawn_so_far = cached_case_files(pdf_cache), len(renders)

        first = download(phone.api, case_id)

        assert len(renders) == drawn_so_far  # the download drew nothing
        sha = first.headers["X-Document-SHA256"]
        assert pdf_cache / "case-files" / sha[:2] / f"{sha}.pdf" in ready  # it was there before the request
        assert issued_count(case_id) == 1
        document = db.session.scalars(select(IssuedDocument).where(IssuedDocument.sha256 == sha)).one()
        assert document.issued_by_id == user("tuoketuo.zhang").id  # issued to whoever downloaded it

        reviewer = app.test_client()
        reviewer_session(reviewer)
        assert decide(reviewer, case_id, "approve").status_code == 302
        eventually(lambda: len(drawn_ahead(pdf_cache)) == 2, "the approved case file drawn by the worker")
        drawn_so_far = len(renders)
        approved = download(phone.api, case_id)
        assert len(renders) == drawn_so_far
    db.session.commit()
    case_number = db.session.get(Inspection, case_id).case_number
    assert approved.headers["X-Document-Number"] != first.headers["X-Document-Number"]
    assert approved.data.count(b"%PDF-") == 1 and case_number
    assert issued_count(case_id) == 2  # the drawing of the submission was downloaded; no other document

    # What was drawn ahead is byte for byte what the request itself would draw under that number.
    for path in cached_case_files(pdf_cache):
        path.unlink()
    waiting = phone.api.get(f"/api/v1/inspections/{case_id}/case-file.pdf")
    assert waiting.status_code == 202 and waiting.get_json()["message"].startswith("正在生成")
    assert len(renders) == drawn_so_far  # the request drew nothing: it sent the job
    db.session.commit()
    prepare_case_file(case_id)  # the job, run here (the worker is gone)
    again = download(phone.api, case_id)
    assert len(renders) == drawn_so_far + 1
    assert again.headers["X-Document-Number"] == approved.headers["X-Document-Number"]
    assert again.data == approved.data


# ---------------------------------------------------------------- failures

def test_a_failing_job_is_retried_then_shown_to_admins_who_run_it_again(app, client, monkeypatch):
    celery = app.extensions["celery"]
    task = celery.tasks[EXPIRE_UPLOADS]
    monkeypatch.setattr(task, "max_retries", 2)
    monkeypatch.setattr(task, "default_retry_delay", 0)
    calls: list[str] = []
    broken = {"now": True}
    real_expire = evidence.expire_all_uploads

    def expire_all_uploads() -> int:
        calls.append("run")
        if broken["now"]:
            raise OSError("blob directory not writable")
        return real_expire()

    monkeypatch.setattr(evidence, "expire_all_uploads", expire_all_uploads)
    with worker_thread(app):
        enqueue(EXPIRE_UPLOADS)
        db.session.commit()  # sent now, after the commit
        failed = eventually(lambda: db.session.commit() or db.session.scalars(select(FailedJob)).first(),
                            "the failure recorded after the last retry")
        assert len(calls) == 3 and failed.attempts == 3
        assert failed.name == EXPIRE_UPLOADS and failed.last_error == "OSError: blob directory not writable"

        reviewer = app.test_client()
        reviewer_session(reviewer)
        assert reviewer.get("/console/admin/jobs").status_code == 403
        admin = app.test_client()
        reviewer_session(admin, "admin")
        page = admin.get("/console/admin/jobs").get_data(as_text=True)
        assert "失败的后台任务" in page and "清理过期的未完成上传" in page
        assert "OSError: blob directory not writable" in page and "重新执行" in page
        admin.set_cookie("lang", "en")
        assert "Expire unfinished uploads" in admin.get("/console/admin/jobs").get_data(as_text=True)

        broken["now"] = False  # the administrator fixed the directory
        response = admin.post(f"/console/admin/jobs/{failed.id}/retry",
                              data={"csrf_token": csrf_token(admin, "/console/admin/jobs")})
        assert response.status_code == 302
        eventually(lambda: len(calls) == 4, "the job run again")
        again = admin.post(f"/console/admin/jobs/{failed.id}/retry",
                           data={"csrf_token": csrf_token(admin, "/console/admin/jobs")}, follow_redirects=True)
        assert "This job was sent again already." in again.get_data(as_text=True)
    page = admin.get("/console/admin/jobs").get_data(as_text=True)
    assert "Sent again on" in page and "Run again</button>" not in page
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FailedJob)) == 1  # the second run succeeded


def test_a_job_asked_for_in_a_transaction_that_rolls_back_is_never_sent(app, monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(app.extensions["celery"], "send_task", lambda name, **kw: sent.append(name))
    enqueue(EXPIRE_UPLOADS)
    db.session.rollback()
    db.session.commit()
    assert sent == []
    enqueue(EXPIRE_UPLOADS)
    assert sent == []  # not before the commit
    db.session.commit()
    assert sent == [EXPIRE_UPLOADS]


# ---------------------------------------------------------------- a real Redis and real worker processes

@pytest.fixture
def redis_url() -> str:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        unavailable(f"Redis not reachable at {REDIS_URL} ({exc}); scripts/test starts redis-server when installed")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


class WorkerProcess:
    """`celery -A inspector.jobs.worker worker` in its own process group, as on another host."""

    def __init__(self, env: dict[str, str], name: str):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "inspector.jobs.worker", "worker", "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--hostname", f"{name}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, text: str) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and not any(text in line for line in self.lines):
                pytest.fail("the worker exited:\n" + "".join(self.lines[-40:]))
            return any(text in line for line in self.lines)

        eventually(seen, f"{text!r} in the worker's log")

    def kill(self) -> None:
        """SIGKILL to the worker and its pool process: no warm shutdown, nothing handed back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=GIVE_UP_AFTER)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def cases_locked() -> Iterator[None]:
    """Hold the database so that a job reading cases waits: it is caught in the middle."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the worker's transactions take the write lock at BEGIN
    else:
        import psycopg

        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        conn.execute("LOCK TABLE inspection IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def test_a_worker_killed_mid_job_on_redis_loses_nothing(app, login_as, user, pdf_cache, redis_url, tmp_path):
    visibility_timeout = 3
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "BLOB_DIR": app.config["BLOB_DIR"], "SECRET_KEY": app.config["SECRET_KEY"],
              "PDF_CACHE_DIR": str(pdf_cache), "BROKER_URL": redis_url,
              "JOB_VISIBILITY_TIMEOUT": visibility_timeout, **CHEAP_HASHING,
              # The audit anchors of this database: the worker signs with the same key.
              "AUDIT_SIGNING_KEY_FILE": app.config["AUDIT_SIGNING_KEY_FILE"],
              "AUDIT_CHECKPOINT_FILE": app.config["AUDIT_CHECKPOINT_FILE"]}
    web = create_app(config, instance_path=str(tmp_path / "web"))  # the web host, sending to Redis
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "INSPECTOR_BROKER_URL": redis_url,
           "INSPECTOR_BLOB_DIR": config["BLOB_DIR"], "INSPECTOR_PDF_CACHE_DIR": str(pdf_cache),
           "SECRET_KEY": config["SECRET_KEY"], "INSPECTOR_JOB_VISIBILITY_TIMEOUT": str(visibility_timeout),
           "INSPECTOR_AUDIT_SIGNING_KEY_FILE": config["AUDIT_SIGNING_KEY_FILE"],
           "INSPECTOR_AUDIT_CHECKPOINT_FILE": config["AUDIT_CHECKPOINT_FILE"]}
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _phone_submits_a_case(phone, user)  # on the test app: nothing goes to Redis yet
    reviewer = web.test_client()
    reviewer_session(reviewer)
    assert decide(reviewer, case_id, "approve").status_code == 302  # the drawing is sent to Redis

    first = WorkerProcess(env, "first")
    second = None
    try:
        with cases_locked():
            first.wait_for("Task inspector.prepare_case_file")  # received: it is the worker's now
            first.kill()
            taken_at = time.monotonic()
        assert drawn_ahead(pdf_cache) == []  # the job did not finish

        # Redis hands an unacknowledged job to another worker once the visibility timeout passed.
        time.sleep(max(0.0, visibility_timeout + 0.5 - (time.monotonic() - taken_at)))
        second = WorkerProcess(env, "second")
        eventually(lambda: drawn_ahead(pdf_cache), "the case file drawn by the second worker")
        second.wait_for("succeeded")
    finally:
        first.stop()
        if second is not None:
            second.stop()
        with web.app_context():
            db.engine.dispose()
    ready = cached_case_files(pdf_cache)
    response = download(phone.api, case_id)
    sha = response.headers["X-Document-SHA256"]
    assert pdf_cache / "case-files" / sha[:2] / f"{sha}.pdf" in ready
    assert issued_count(case_id) == 1
