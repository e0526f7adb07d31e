"""Background jobs (Celery): the engine bound to the Flask app, and jobs sent after commit.

The Celery app is made in `create_app` (Flask's documented `FlaskTask` pattern), so every job
runs in an app context of the app that made it; `celery -A inspector.jobs.worker worker` finds
it there. Jobs are sent only once the database transaction that asked for them commits
(`enqueue`): a worker never looks for a row that is not there yet, a rolled-back request sends
nothing, and no job ever runs inside a request.

Delivery: late acknowledgement (a job is acknowledged when it has finished, so a worker killed
mid-job leaves it to another; Redis hands it on after the visibility timeout) and one job
prefetched per worker process. Every job must therefore be safe to run twice. A job that raises
is retried JOB_MAX_RETRIES times, then recorded for admins (`failures`). Periodic jobs are
scheduled by beat, which runs once per deployment, not once per web worker.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from ..database import db
from .tasks import JOBS

log = logging.getLogger(__name__)

_PENDING = "inspector.jobs.pending"  # jobs asked for by the session's open transaction


def init_app(app: Flask) -> Celery:
    """Make the app's Celery app (`app.extensions["celery"]`); nothing connects to the broker here."""
    from .failures import record_failure

    class FlaskTask(Task):
        autoretry_for = (Exception,)
        max_retries = app.config["JOB_MAX_RETRIES"]
        default_retry_delay = app.config["JOB_RETRY_DELAY_SECONDS"]
        retry_jitter = False

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

        def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # after the last retry
            with app.app_context():
                record_failure(self.name, task_id, list(args or ()), dict(kwargs or {}),
                               attempts=self.request.retries + 1, error=exc)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["BROKER_URL"],
        broker_transport_options=_transport_options(app.config["BROKER_URL"], app.config),
        broker_connection_retry_on_startup=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a worker process that dies hands its job back
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # jobs leave their results in the database, not in a result store
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        beat_schedule={job.name: {"task": job.name, "schedule": job.every}
                       for job in JOBS.values() if job.every is not None},
        beat_schedule_filename=str(Path(app.instance_path) / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
    )
    for job in JOBS.values():
        celery.task(name=job.name)(job.run)
    _listen_for_commits()
    app.extensions["celery"] = celery
    return celery


def _transport_options(broker_url: str, config: dict[str, Any]) -> dict[str, Any]:
    if broker_url.startswith(("sqla+", "sqlalchemy+")):
        # kombu passes these to create_engine. SQLite: wait for the other process's write instead
        # of failing at once. (This transport has no visibility timeout: see README, Limits.)
        return {"connect_args": {"timeout": 30}} if "+sqlite" in broker_url else {}
    return {"visibility_timeout": config["JOB_VISIBILITY_TIMEOUT"]}


def enqueue(name: str, *args: Any) -> None:
    """Send job `name` with `args` (JSON values) once the current database transaction commits."""
    if name not in JOBS:
        raise KeyError(f"no job named {name}")
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before the next commit forgets this job too
    session.info.setdefault(_PENDING, []).append((current_app.extensions["celery"], name, list(args)))


def _send_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (a push's mutation): the jobs wait for the transaction's commit
    for celery, name, args in session.info.pop(_PENDING, []):
        try:
            celery.send_task(name, args=args)
        except Exception:  # noqa: BLE001  (the commit stands; a job done ahead of need is only lost time)
            log.exception("could not send job %s%s to the broker", name, tuple(args))


def _forget_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction rolled back, not a savepoint
        session.info.pop(_PENDING, None)


def _listen_for_commits() -> None:
    if not event.contains(Session, "after_commit", _send_pending):
        event.listen(Session, "after_commit", _send_pending)
        event.listen(Session, "after_soft_rollback", _forget_pending)


__all__ = ["JOBS", "enqueue", "init_app"]
