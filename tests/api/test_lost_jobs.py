"""Job messages that were lost: a photo check or an export whose job never reached a worker (the
broker was down when it was sent) or died with one (a worker killed outright on the embedded
broker, which hands nothing on) is sent again by the periodic `resume_stalled_jobs` once nothing
has moved for JOB_STALL_SECONDS, and then finishes: the phone is told its photo arrived (and may
delete the original), the reviewer's export page offers the file. Something still moving is left
alone.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from sqlalchemy import update

from inspector.database import db, utcnow
from inspector.jobs.tasks import PROCESS_PHOTO, RUN_EXPORT, resume_stalled_jobs
from inspector.models import Blob, ExportRun
from inspector.services import export_jobs

from .. import factories
from ..console_support import reviewer_session
from ..sync_phone import Phone
from .evidence_helpers import blob_dir  # noqa: F401  (a fixture these tests use)
from .evidence_helpers import camera_jpeg, sha256, tuoketuo_case, upload
from .test_console_exports import _checked_bundle, _export_page, _phone_submits_case_with_photo
from .test_jobs import WorkerProcess, eventually, worker_thread
from .test_photo_ingest import add_photo_from_phone, photo_seen_by


def stall(app) -> timedelta:
    """A little more than JOB_STALL_SECONDS: rows dated this far back have been silent too long."""
    return timedelta(seconds=app.config["JOB_STALL_SECONDS"] + 60)


def _written_fresh(statement) -> None:
    """Run a write from a fresh transaction: the requests and workers wrote in their own."""
    db.session.commit()
    db.session.execute(statement)
    db.session.commit()


def photo_check_silent(app, data: bytes) -> None:
    """Date the photo's check back by more than JOB_STALL_SECONDS (as if that time had passed)."""
    _written_fresh(update(Blob).where(Blob.sha256 == sha256(data)).values(created_at=utcnow() - stall(app)))


def export_silent(app, export_id: str) -> None:
    """Date the export's last progress back by more than JOB_STALL_SECONDS."""
    _written_fresh(update(ExportRun).where(ExportRun.id == export_id).values(touched_at=utcnow() - stall(app)))


def broker_down(name, **_):
    raise ConnectionError("the broker does not answer")


def test_a_photo_check_never_sent_is_sent_after_the_stall_and_then_the_phone_may_delete_the_original(
        app, login_as, blob_dir, monkeypatch):
    case = tuoketuo_case()
    data = camera_jpeg(seed=21)
    phone = Phone(login_as("tuoketuo.zhang"))
    photo_id = add_photo_from_phone(phone, case, data)
    celery = app.extensions["celery"]
    with monkeypatch.context() as down:
        down.setattr(celery, "send_task", broker_down)
        finished = upload(phone.api, data)  # the upload finishes; its check is not sent
    assert finished.status_code == 204
    assert photo_seen_by(phone, photo_id)["processing"] == "pending"

    with worker_thread(app):
        db.session.commit()
        assert resume_stalled_jobs() == {"photos": 0, "exports": 0}  # not silent long enough yet
        photo_check_silent(app, data)
        assert resume_stalled_jobs()["photos"] == 1
        seen = eventually(lambda: (p := photo_seen_by(phone, photo_id))["uploaded"] and p, "the check, sent again")
    assert (seen["processing"], seen["processingError"]) == ("ready", None)
    db.session.commit()
    assert resume_stalled_jobs()["photos"] == 0  # done: nothing to send again


def test_a_photo_check_still_pending_is_sent_again_once_per_stall(app, login_as, blob_dir, monkeypatch):
    case = tuoketuo_case()
    data = camera_jpeg(seed=22)
    phone = Phone(login_as("tuoketuo.zhang"))
    add_photo_from_phone(phone, case, data)
    sent: list[tuple[str, list]] = []
    monkeypatch.setattr(app.extensions["celery"], "send_task", lambda name, args=(), **_: sent.append((name, args)))
    upload(phone.api, data)
    assert sent == [(PROCESS_PHOTO, [sha256(data)])]
    photo_check_silent(app, data)

    assert resume_stalled_jobs()["photos"] == 1
    assert resume_stalled_jobs()["photos"] == 0  # sent just now: the next sweep waits a stall again
    assert sent == [(PROCESS_PHOTO, [sha256(data)])] * 2


def test_an_export_whose_worker_died_is_sent_again_and_one_being_written_is_left_alone(
        client, app, login_as, user, blob_dir, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_CASES", 1)
    shops = [factories.party("150122", "托克托县丰收农资经营部"), factories.party("150122", "托克托县五谷农资店")]
    phone = Phone(login_as("tuoketuo.zhang"))
    first, _ = _phone_submits_case_with_photo(phone, user, shops[0], seed=5)
    second, _ = _phone_submits_case_with_photo(phone, user, shops[1], seed=6)
    sent: list[tuple[str, list]] = []
    monkeypatch.setattr(app.extensions["celery"], "send_task", lambda name, args=(), **_: sent.append((name, args)))
    reviewer_session(client)
    location = client.get("/console/export/bundle.zip").headers["Location"]
    export_id = location.rsplit("/", 1)[1]
    assert sent == [(RUN_EXPORT, [export_id])]

    # A worker took it, wrote a case and died (its message gone with it, as on the embedded broker).
    export_jobs._note(export_id, status="running", done=1)
    assert _export_page(client, location)[0] == "running"
    db.session.commit()
    assert export_jobs.run_export(export_id) == "running"  # a second delivery meanwhile: left to the writer
    assert _export_page(client, location) == ("running", "已写入 1／2 条（50%）")  # its progress untouched
    assert resume_stalled_jobs()["exports"] == 0  # it moved just now

    export_silent(app, export_id)
    assert resume_stalled_jobs()["exports"] == 1
    assert sent[-1] == (RUN_EXPORT, [export_id])
    assert _export_page(client, location)[0] == "queued"
    assert resume_stalled_jobs()["exports"] == 0

    db.session.commit()
    assert export_jobs.run_export(export_id) == "ready"  # the job sent again, as a worker runs it
    assert "导出文件已生成" in client.get(location).get_data(as_text=True)
    assert set(_checked_bundle(client.get(f"{location}/file"), streamed=False)) == {first, second}


# ---------------------------------------------------------------- a real worker killed on the embedded broker

@contextmanager
def photos_locked() -> Iterator[None]:
    """Hold the database so that a photo check waits: it is caught in the middle."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the check's last write waits for the lock
    else:
        import psycopg

        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        conn.execute("LOCK TABLE blob IN ACCESS EXCLUSIVE MODE")  # its first read waits
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def test_a_photo_check_whose_worker_was_killed_on_the_embedded_broker_is_finished_by_the_next(
        app, login_as, blob_dir, tmp_path):
    broker = app.extensions["celery"].conf.broker_url
    assert broker.startswith("sqla+sqlite")  # the embedded default: no visibility timeout
    app.extensions["celery"].control.purge()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "INSPECTOR_BROKER_URL": broker,
           "INSPECTOR_BLOB_DIR": app.config["BLOB_DIR"], "SECRET_KEY": app.config["SECRET_KEY"],
           "INSPECTOR_AUDIT_SIGNING_KEY_FILE": app.config["AUDIT_SIGNING_KEY_FILE"],
           "INSPECTOR_AUDIT_CHECKPOINT_FILE": app.config["AUDIT_CHECKPOINT_FILE"],
           "INSPECTOR_PDF_CACHE_DIR": str(tmp_path / "cache")}
    case = tuoketuo_case()
    data = camera_jpeg(seed=23)
    phone = Phone(login_as("tuoketuo.zhang"))
    photo_id = add_photo_from_phone(phone, case, data)
    upload(phone.api, data)  # the check is sent to the embedded broker

    first = WorkerProcess(env, "first")
    second = None
    try:
        with photos_locked():
            first.wait_for(f"Task {PROCESS_PHOTO}")  # received: the message is the worker's now
            first.kill()
        second = WorkerProcess(env, "second")
        second.wait_for("ready")
        photo_check_silent(app, data)
        assert resume_stalled_jobs()["photos"] == 1
        seen = eventually(lambda: (p := photo_seen_by(phone, photo_id))["uploaded"] and p, "the second worker's check")
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert seen["processing"] == "ready"
    assert phone.api.get(f"/api/v1/blobs/{sha256(data)}/thumb").status_code == 200
