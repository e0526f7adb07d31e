"""Urgent tasks that have not reached a phone: the county is alerted (console landing page).

A task is delivered when an assigned phone pulls it (sync/pull.py sets `delivered_at`). An urgent
task still undelivered TASK_URGENT_DELIVERY_HOURS after it was made is marked
`undelivered_alert_at` once; the county's officers see it on their landing page until a phone
pulls it or the task closes. Safe to run twice: a task is alerted once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ...database import db, utcnow
from ...models import Task
from .. import audit


def raise_undelivered_alerts(now: datetime | None = None) -> int:
    """Alert every urgent task overdue for delivery; the number newly alerted."""
    now = now or utcnow()
    limit = now - timedelta(hours=float(current_app.config["TASK_URGENT_DELIVERY_HOURS"]))
    due = list(db.session.scalars(
        select(Task).where(Task.urgent.is_(True), Task.delivered_at.is_(None), Task.undelivered_alert_at.is_(None),
                           Task.status.in_(("open", "started")), Task.deleted_at.is_(None), Task.created_at <= limit)
        .with_for_update(skip_locked=True)))
    for task in due:
        task.undelivered_alert_at = now
        audit.record("task.undelivered_alert", "task", task.id, data={"createdAt": task.created_at.isoformat()})
    db.session.commit()
    return len(due)
