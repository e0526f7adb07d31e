"""Deadline arithmetic on the official working-day calendar (next-capabilities.md §0.3, CAL-5).

- N working days from S: the N-th working day strictly after S (the start day is not counted,
  民法典 第二百零一条), so a call received on a Sunday or a holiday counts from the next working day.
- N natural days from S: `raw` = the N-th day after S; when `raw` is not a working day the period
  ends on the next working day (民法典 第二百零三条) — that is `Due.date`; `Due.raw` keeps the
  plain count for a bureau that alerts on it.
- `pauses`: (first_day, last_day) pairs, both days included, not counted (lab tests, 中止 …):
  working days inside them for working-day periods, every day inside them for natural-day ones.
- A year without a loaded notice is provisional: its working days are Monday–Friday minus the
  fixed-date holidays (1/1, 5/1–2, 10/1–3); a due date whose count touched such a year is
  provisional (shown as 暂定) and is recomputed once the notice is entered.

The JavaScript twin is static/pwa/js/deadlines.js; both run tests/vectors/deadlines.json.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date, timedelta
from typing import Iterable

from .source import year_calendar

ONE_DAY = timedelta(days=1)
MAX_DAYS = 3660  # no period the rules know is longer than ten years: a larger n is a mistake


@dataclass(frozen=True)
class Due:
    """A due date and whether it rests on a year whose notice is not loaded yet."""

    date: Date
    provisional: bool
    # natural-day periods: the N-th day before moving off a rest day (equality ignores it)
    raw: Date | None = field(default=None, compare=False)


def is_working_day(d: Date) -> bool:
    """Mon–Fri minus holidays and 调休 rest days, plus 调休 working weekend days."""
    return year_calendar(d.year).is_working_day(d)


def is_official(year: int) -> bool:
    """Whether the year's notice is loaded (else its deadlines are provisional)."""
    return year_calendar(year).official


def _pause_ranges(pauses: Iterable[tuple[Date, Date]]) -> list[tuple[Date, Date]]:
    ranges = []
    for first, last in pauses:
        if last < first:
            raise ValueError(f"a pause ends ({last}) before it starts ({first})")
        ranges.append((first, last))
    return ranges


def _paused(day: Date, ranges: list[tuple[Date, Date]]) -> bool:
    return any(first <= day <= last for first, last in ranges)


def _check(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n > MAX_DAYS:
        raise ValueError(f"a period is a whole number of days from 0 to {MAX_DAYS}, not {n!r}")


def working_days_after(start: Date, n: int, pauses: Iterable[tuple[Date, Date]] = ()) -> Due:
    """The n-th working day strictly after `start`, paused days not counted (n = 0: start itself)."""
    _check(n)
    ranges = _pause_ranges(pauses)
    day, counted, provisional = start, 0, False
    while counted < n:
        day += ONE_DAY
        calendar = year_calendar(day.year)
        provisional = provisional or not calendar.official
        if calendar.is_working_day(day) and not _paused(day, ranges):
            counted += 1
    return Due(day, provisional)


def next_working_day(day: Date) -> Due:
    """`day` if it is a working day, else the first working day after it."""
    provisional = False
    while True:
        calendar = year_calendar(day.year)
        provisional = provisional or not calendar.official
        if calendar.is_working_day(day):
            return Due(day, provisional)
        day += ONE_DAY


def natural_days_after(start: Date, n: int, pauses: Iterable[tuple[Date, Date]] = ()) -> Due:
    """The n-th day after `start` (paused days not counted), moved to the next working day when
    it is a rest day; `raw` keeps the day before the move."""
    _check(n)
    ranges = _pause_ranges(pauses)
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        if not _paused(day, ranges):
            counted += 1
    legal = next_working_day(day)
    return Due(legal.date, legal.provisional, raw=day)


def working_days_between(a: Date, b: Date) -> int:
    """Working days d with a < d <= b (so working_days_after(a, n).date gives n); negative when
    b is before a (-(working days in b < d <= a))."""
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        if is_working_day(day):
            count += 1
    return count
