"""Large XLSX and ZIP exports written by a job: the console asks, the `run_export` job writes the
file into the case-file cache (shared by every host with the S3 store) while counting the cases
done, and the console's page shows the progress and offers the file when it is ready.

Small exports stay streamed by the request: both use the same writers (services/exports.py), the
job only collects what the stream would have sent."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from werkzeug.datastructures import MultiDict

from ...database import db, utcnow
from ...errors import ApiError
from ...models import ExportRun, User
from .. import exports as writers
from .. import queue as queue_service

log = logging.getLogger(__name__)

JOB_KINDS = ("cases.xlsx", "bundle.zip")
SHEETS = 3  # a workbook writes every case once per table


def runs_as_job(kind: str, total_cases: int) -> bool:
    """Whether an export of this kind and size is written by a job rather than streamed."""
    return kind in JOB_KINDS and total_cases > current_app.config.get("EXPORT_STREAM_MAX_CASES", 200)


def start_export(user: User, kind: str, query: list[tuple[str, str]], total_cases: int, filename: str) -> ExportRun:
    """Record the export and send its job once the row is committed."""
    from ...jobs import enqueue
    from ...jobs.tasks import RUN_EXPORT

    run = ExportRun(id=secrets.token_hex(16), user_id=user.id, kind=kind, query=[list(pair) for pair in query],
                    filename=filename, status="queued", done=0,
                    total=total_cases * (SHEETS if kind.endswith(".xlsx") else 1))
    db.session.add(run)
    enqueue(RUN_EXPORT, run.id)
    db.session.commit()
    return run


def get_export(user: User, export_id: str) -> ExportRun:
    run = db.session.get(ExportRun, export_id)
    if run is None or run.user_id != user.id:
        raise ApiError("not_found", "No such export of yours.")
    return run


def export_file(user: User, export_id: str) -> tuple[ExportRun, bytes]:
    """The finished file; 404 when it is not ready or the cache let it go (ask for it again)."""
    run = get_export(user, export_id)
    data = _cache(run).get(run.id) if run.status == "ready" else None
    if data is None:
        raise ApiError("not_found", "This export is not ready, or was cleared from the cache; ask for it again.")
    return run, data


def run_export(export_id: str) -> str | None:
    """Write the export's file into the cache, noting cases done as it goes. Safe to run twice: a
    finished one is left alone, one that another worker is writing (it noted progress within
    JOB_STALL_SECONDS) too, and an interrupted one starts again from the beginning."""
    run = db.session.get(ExportRun, export_id)
    if run is None or run.status == "ready":
        return None if run is None else run.status
    if not _claim(export_id):
        db.session.rollback()
        return "running"  # another worker is writing it
    user = db.session.get(User, run.user_id)
    filters = queue_service.parse_filters(MultiDict([tuple(pair) for pair in run.query]), user)
    done = 0

    def progress(cases: int) -> None:
        nonlocal done
        done += cases
        _note(export_id, done=done)

    if run.kind.endswith(".xlsx"):
        stream = writers.stream_xlsx(user, filters, progress)
    else:
        stream = writers.filtered_bundle(user, filters, progress)
    cache = _cache(run)
    try:
        data = b"".join(stream)
    except Exception as exc:
        db.session.rollback()
        _note(export_id, status="failed", error=str(exc), finished_at=utcnow())
        raise
    cache.put(export_id, data)
    db.session.rollback()
    _note(export_id, status="ready", done=done, size=len(data), finished_at=utcnow())
    return "ready"


def _claim(export_id: str) -> bool:
    """Mark the run as this worker's (running, nothing done yet), unless another worker is writing
    it: running, with progress noted within JOB_STALL_SECONDS."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["JOB_STALL_SECONDS"])
    with db.engine.begin() as connection:
        return connection.execute(update(ExportRun).where(
            ExportRun.id == export_id, ExportRun.status != "ready",
            or_(ExportRun.status != "running", _silent_since(cutoff)))
            .values(status="running", done=0, error=None, touched_at=now)).rowcount == 1


def _silent_since(cutoff):
    return or_(ExportRun.touched_at < cutoff, ExportRun.touched_at.is_(None) & (ExportRun.created_at < cutoff))


def resend_stalled_exports() -> int:
    """Send the job again for exports queued or running but silent for JOB_STALL_SECONDS: its
    message was lost (a worker killed outright on the embedded broker, a broker that was down when
    it was asked for). They show as queued again. Returns how many were sent."""
    from ...jobs import enqueue
    from ...jobs.tasks import RUN_EXPORT

    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["JOB_STALL_SECONDS"])
    stalled = db.session.scalars(select(ExportRun.id).where(
        ExportRun.status.in_(("queued", "running")), _silent_since(cutoff))).all()
    if stalled:
        db.session.execute(update(ExportRun).where(ExportRun.id.in_(stalled))
                           .values(status="queued", done=0, touched_at=now))
        for export_id in stalled:
            enqueue(RUN_EXPORT, export_id)
        log.warning("exports sent again (their job was lost): %d", len(stalled))
    db.session.commit()
    return len(stalled)


def progress_view(run: ExportRun) -> dict[str, Any]:
    percent = 100 if run.status == "ready" else (min(99, run.done * 100 // run.total) if run.total else 0)
    return {"state": run.status, "done": run.done, "total": run.total, "percent": percent}


def _note(export_id: str, **values: Any) -> None:
    """Write the run's progress on a connection of its own, so the export's reads are untouched."""
    with db.engine.begin() as connection:
        connection.execute(update(ExportRun).where(ExportRun.id == export_id).values(**values, touched_at=utcnow()))


def _cache(run: ExportRun):
    from ..case_file import _cache_root, _FileCache

    return _FileCache(_cache_root() / "exports", "." + run.kind.rsplit(".", 1)[1])
