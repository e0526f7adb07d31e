"""The daily reminder: each deadline overdue, due today or due within 2 working days is put once a
day on the notice list of the officers who handle it (or, while nobody is named, of the bureau's
officers and heads). No e-mail: officers read the list in the console.

The job runs hourly and writes at most one reminder per officer, deadline and Beijing date (a
unique key), so a restart of the scheduler never skips a day and a second run adds nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ... import clock
from ...database import db, utcnow
from ...models import Agency, Reminder, User
from ..calendar.deadlines import working_days_after
from . import SOON_WORKING_DAYS, bucket_of, deadlines_of

BUREAU_ROLES = ("officer", "head")  # who hears of a deadline nobody is named for yet


def _bureau_people(agency_id: int, cache: dict[int, list[int]]) -> list[int]:
    if agency_id not in cache:
        cache[agency_id] = list(db.session.scalars(select(User.id).where(
            User.agency_id == agency_id, User.role.in_(BUREAU_ROLES), User.active.is_(True),
            User.deleted_at.is_(None))))
    return cache[agency_id]


def send_daily_reminders(today: date | None = None) -> int:
    """Write today's reminders not yet written; the number written."""
    today = today or clock.today_cn()
    soon_until = working_days_after(today, SOON_WORKING_DAYS).date
    already = {(r.user_id, r.source_kind, r.source_id, r.rule) for r in db.session.execute(
        select(Reminder.user_id, Reminder.source_kind, Reminder.source_id, Reminder.rule).where(Reminder.day == today))}
    bureau: dict[int, list[int]] = {}
    written = 0
    for root in db.session.scalars(select(Agency).where(Agency.parent_id.is_(None))):
        for deadline in deadlines_of(root):
            bucket = bucket_of(deadline, today, soon_until)
            if bucket is None:
                continue
            for user_id in sorted(deadline.officer_ids) or _bureau_people(deadline.agency_id, bureau):
                key = (user_id, deadline.source_kind, deadline.source_id, deadline.rule)
                if key in already:
                    continue
                already.add(key)
                db.session.add(Reminder(user_id=user_id, day=today, source_kind=deadline.source_kind,
                                        source_id=deadline.source_id, rule=deadline.rule,
                                        title=deadline.title[:300], due_date=deadline.due_date,
                                        provisional=deadline.provisional, bucket=bucket, created_at=utcnow()))
                written += 1
    db.session.commit()
    return written


def reminders_for(user: User, limit: int = 200) -> list[Reminder]:
    """The user's reminders, newest day first, unread before read."""
    return list(db.session.scalars(select(Reminder).where(Reminder.user_id == user.id)
                                   .order_by(Reminder.day.desc(), Reminder.read_at.is_not(None), Reminder.due_date)
                                   .limit(limit)))


def unread_count(user: User) -> int:
    return len(db.session.scalars(select(Reminder.id).where(
        Reminder.user_id == user.id, Reminder.read_at.is_(None))).all())


def mark_all_read(user: User) -> int:
    """Mark the user's unread reminders read; how many were."""
    unread = db.session.scalars(select(Reminder).where(Reminder.user_id == user.id, Reminder.read_at.is_(None))).all()
    for reminder in unread:
        reminder.read_at = utcnow()
    db.session.commit()
    return len(unread)
