"""Where the deadline module gets a year's calendar: the calendar tables (in an app context), or
the pinned `chinesecalendar` package (outside one, e.g. a plain unit test or a script).

Years are cached per process. The cache is keyed by a token read from `calendar_year` once per
app context (its row count, newest version and newest load time), so a year an admin enters in
one server process is seen by every other process at its next request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from threading import Lock
from typing import Any

# 第二条's holidays on fixed solar dates: a year without a notice rests on these and on weekends
# (the lunar ones cannot be placed without the notice; next-capabilities CAL-4, CAL-T5).
FIXED_HOLIDAYS = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节",
                  (10, 3): "国庆节"}


@dataclass(frozen=True)
class YearCalendar:
    year: int
    official: bool
    rest: frozenset[date]  # rest days, weekdays or not (a provisional year: the fixed-date holidays)
    work: frozenset[date]  # 调休 working Saturdays and Sundays

    def is_working_day(self, day: date) -> bool:
        if day in self.work:
            return True
        if day in self.rest:
            return False
        return day.weekday() < 5


def provisional_year(year: int) -> YearCalendar:
    rest = frozenset(date(year, m, d) for (m, d) in FIXED_HOLIDAYS)
    return YearCalendar(year, False, rest, frozenset())


_lock = Lock()
_cache: dict[Any, dict[int, YearCalendar]] = {}
_migrated: set[str] = set()  # database URLs known to have the calendar tables


def _package_year(year: int) -> YearCalendar:
    from .seed import package_days, package_years

    if year not in package_years():
        return provisional_year(year)
    rest: set[date] = set()
    work: set[date] = set()
    for rows in package_days().values():
        for row in rows:
            if row["day"].year == year:
                (rest if row["kind"] == "holiday" else work).add(row["day"])
    return YearCalendar(year, True, frozenset(rest), frozenset(work))


def _app_token() -> Any | None:
    """(database url, rows, newest version, newest load) inside an app context, None outside one."""
    try:
        from flask import current_app, g
    except ImportError:  # pragma: no cover
        return None
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return None
    token = g.get("_calendar_token")
    if token is None:
        from sqlalchemy import func, select

        from ...database import db
        from ...models import CalendarYear

        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url not in _migrated:
            from sqlalchemy import inspect

            # On the session's own connection: a second connection would wait for the write lock
            # that the caller's transaction (a phone's push, say) may already hold on SQLite.
            if not inspect(db.session.connection()).has_table(CalendarYear.__tablename__):
                return None  # a database not migrated yet (a bare test app): the package's years
            _migrated.add(url)
        count, version, loaded = db.session.execute(select(
            func.count(CalendarYear.year), func.max(CalendarYear.version), func.max(CalendarYear.loaded_at))).one()
        token = (app.config["SQLALCHEMY_DATABASE_URI"], count, version, loaded)
        g._calendar_token = token
    return token


def _database_year(year: int) -> YearCalendar:
    from sqlalchemy import select

    from ...database import db
    from ...models import CalendarDay, CalendarYear

    if db.session.get(CalendarYear, year) is None:
        return provisional_year(year)
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))).all()
    rest = frozenset(day for day, kind in rows if kind == "holiday")
    work = frozenset(day for day, kind in rows if kind == "makeup_workday")
    return YearCalendar(year, True, rest, work)


def year_calendar(year: int) -> YearCalendar:
    """The calendar of one year, official or provisional."""
    token = _app_token()
    key = token if token is not None else "package"
    years = _cache.get(key)
    if years is not None and year in years:
        return years[year]
    loaded = _database_year(year) if token is not None else _package_year(year)
    with _lock:
        if key not in _cache:
            if len(_cache) > 8:  # old tokens: forget them
                _cache.clear()
            _cache[key] = {}
        _cache[key][year] = loaded
    return loaded


def invalidate() -> None:
    """Forget every cached year (after an admin entered one); the next call reads the tables."""
    with _lock:
        _cache.clear()
    try:
        from flask import g

        g.pop("_calendar_token", None)
    except RuntimeError:
        pass


def days_of(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
