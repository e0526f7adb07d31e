"""The jobs: each a thin wrapper over a service function, named once, safe to run twice.

A periodic job is one decorator: `@job("inspector.audit_checkpoint", every=timedelta(minutes=10))`
over a function that calls its service; beat then runs it once per period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., Any]
    every: timedelta | None = None  # periodic: beat sends it once per this period


JOBS: dict[str, Job] = {}

EXPIRE_UPLOADS = "inspector.expire_uploads"
PREPARE_CASE_FILE = "inspector.prepare_case_file"
AUDIT_CHECKPOINT = "inspector.audit_checkpoint"
DEADLINE_REMINDERS = "inspector.deadline_reminders"
ALERT_UNDELIVERED_TASKS = "inspector.alert_undelivered_tasks"
CREATE_RECHECK_TASKS = "inspector.create_recheck_tasks"
PROCESS_PHOTO = "inspector.process_photo"
RUN_EXPORT = "inspector.run_export"
RECOUNT_DEADLINES = "inspector.recount_deadlines"
RESUME_STALLED_JOBS = "inspector.resume_stalled_jobs"


def job(name: str, *, every: timedelta | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function as the job `name`; the Celery app of each Flask app picks it up."""

    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        JOBS[name] = Job(name, run, every)
        return run

    return register


@job(EXPIRE_UPLOADS, every=timedelta(hours=1))
def expire_uploads() -> int:
    """Delete the partial bytes of unfinished uploads past their expiry."""
    from ..services.evidence import expire_all_uploads

    return expire_all_uploads()


@job(PROCESS_PHOTO)
def process_photo(sha256: str) -> str | None:
    """Decode an uploaded photo in full and store its derived sizes (or record why it failed)."""
    from ..services.evidence import process_photo as process

    return process(sha256)


@job(RESUME_STALLED_JOBS, every=timedelta(minutes=5))
def resume_stalled_jobs() -> dict[str, int]:
    """Send again the photo checks and exports whose job message was lost (case files need no
    sweep: a download that finds none drawn asks for it again)."""
    from ..services.evidence import resend_stalled_checks
    from ..services.export_jobs import resend_stalled_exports

    return {"photos": resend_stalled_checks(), "exports": resend_stalled_exports()}


@job(RUN_EXPORT)
def run_export(export_id: str) -> str | None:
    """Write a large console export (XLSX, ZIP) into the cache, counting the cases done."""
    from ..services.export_jobs import run_export as run

    return run(export_id)


@job(PREPARE_CASE_FILE)
def prepare_case_file(inspection_id: str) -> bool:
    """Draw a case's file into the cache so that its first download finds it ready."""
    from ..services.case_file import prepare_case_file as prepare

    return prepare(inspection_id)


@job(AUDIT_CHECKPOINT, every=timedelta(minutes=10))
def audit_checkpoint() -> bool:
    """Sign the audit chain's head when events were added since the last checkpoint."""
    from ..services.audit import checkpoint_if_moved
    from ..services.documents import writing

    with writing():
        return checkpoint_if_moved() is not None


@job(DEADLINE_REMINDERS, every=timedelta(hours=1))
def deadline_reminders() -> int:
    """Put today's deadlines (overdue, due today, due within 2 working days) on their officers'
    notice lists; once a day each, so the hourly run only catches a day the scheduler missed."""
    from ..services.todo.reminders import send_daily_reminders

    return send_daily_reminders()


@job(ALERT_UNDELIVERED_TASKS, every=timedelta(minutes=10))
def alert_undelivered_tasks() -> int:
    """Alert the county of each urgent task that no assigned phone has pulled in time."""
    from ..services.tasks.alerts import raise_undelivered_alerts

    return raise_undelivered_alerts()


@job(CREATE_RECHECK_TASKS, every=timedelta(hours=1))
def create_recheck_tasks() -> int:
    """The working day after a 责令改正 order's due date, its re-inspection task for the county."""
    from ..services.documents import writing
    from ..services.rectification import create_due_rechecks

    with writing():
        return create_due_rechecks()


@job(RECOUNT_DEADLINES, every=timedelta(days=1))
def recount_deadlines() -> int:
    """Count the open filings' deadlines and case clocks again (lab time grows daily; a corrected
    calendar moves working days); each moved date is audited and re-sent to phones."""
    from ..services.documents import writing
    from ..services.todo.recount import recount_open_deadlines

    with writing():
        return recount_open_deadlines()
