"""The calendar a phone pulls (CAL-7): every loaded year's rest and make-up days, so deadlines
show offline. A year that is not listed is provisional on the phone as on the server."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...database import db
from ...models import CalendarDay, CalendarYear


def calendar_version() -> int:
    """The sync version of the newest calendar change (0: only what the migration seeded, unstamped)."""
    return db.session.scalar(select(func.max(CalendarYear.version))) or 0


def calendar_block() -> dict[str, Any]:
    """{version, years: [{year, noticeNo, rest: [ISO dates], work: [ISO dates]}]}, oldest year first.
    Rest and make-up days are listed under the calendar year they fall in."""
    years = db.session.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
    out = {y.year: {"year": y.year, "notice_no": y.notice_no, "rest": [], "work": []} for y in years}
    days = db.session.execute(select(CalendarDay.day, CalendarDay.kind).order_by(CalendarDay.day)).all()
    for day, kind in days:
        target = out.get(day.year)
        if target is not None:
            target["rest" if kind == "holiday" else "work"].append(day)
    return {"version": max((y.version for y in years), default=0), "years": list(out.values())}
