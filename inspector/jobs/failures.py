"""Jobs that failed after their retries: recorded for admins, who can send them again."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from ..database import db, utcnow
from ..errors import ApiError
from ..models import FailedJob, User

log = logging.getLogger(__name__)
_ERROR_LENGTH = 4000


def record_failure(name: str, task_id: str, args: list[Any], kwargs: dict[str, Any], *, attempts: int,
                   error: BaseException) -> None:
    """Keep a failed job; a database that cannot take the record only leaves the worker's log."""
    try:
        db.session.rollback()
        db.session.add(FailedJob(task_id=task_id, name=name, args=args, kwargs=kwargs, attempts=attempts,
                                 last_error=f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]))
        db.session.commit()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("could not record the failure of job %s %s", name, task_id)


def list_failed_jobs(admin: User) -> list[FailedJob]:
    """Failed jobs, those not yet sent again first, newest first."""
    _ensure_admin(admin)
    return list(db.session.scalars(
        select(FailedJob).order_by(FailedJob.retried_at.is_not(None), FailedJob.failed_at.desc(),
                                   FailedJob.id.desc())))


def retry_failed_job(admin: User, job_id: int) -> FailedJob:
    """Send a failed job again with its arguments (after this commit); 409 when it was sent already."""
    from . import JOBS, enqueue

    _ensure_admin(admin)
    failed = db.session.get(FailedJob, job_id, with_for_update=True)
    if failed is None:
        raise ApiError("not_found", "No such failed job.")
    if failed.retried_at is not None:
        raise ApiError("job_retried", "This job was sent again already.")
    if failed.name not in JOBS or failed.kwargs:
        raise ApiError("job_unknown", f"This server has no job {failed.name} to run.")
    failed.retried_at, failed.retried_by_id = utcnow(), admin.id
    enqueue(failed.name, *failed.args)
    db.session.commit()
    return failed


def _ensure_admin(user: User) -> None:
    if user.role != "admin":
        raise ApiError("forbidden", "Only an administrator may see and retry failed jobs.")
