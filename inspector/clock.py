"""The clock that deadlines read, settable for tests and demos, and the Chinese calendar date.

`now()` is the real time in UTC unless it was set: `set_now(dt)` (tests; `None` restores the real
clock) wins over the app's `INSPECTOR_CLOCK` setting (an ISO instant, for a demo that must show
"due tomorrow"). A set clock stands still: it is the instant it was set to.

Statutory dates are calendar dates in Asia/Shanghai (UTC+8 all year; China has had no daylight
saving since 1991): a call received at 07:30 Beijing time, 23:30 UTC the day before, is that day.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_fixed: datetime | None = None


def parse_instant(raw: str) -> datetime:
    """An ISO 8601 instant with its zone (`2026-09-30T07:30:00+08:00`, `…Z`), as aware UTC."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{raw!r} has no time zone: write e.g. 2026-09-30T07:30:00+08:00")
    return moment.astimezone(timezone.utc)


def set_now(moment: datetime | str | None) -> None:
    """Fix the clock at `moment` (aware datetime or ISO instant) for this process; None: real time."""
    global _fixed
    if moment is None:
        _fixed = None
        return
    if isinstance(moment, str):
        moment = parse_instant(moment)
    if moment.tzinfo is None:
        raise ValueError("clock.set_now needs a timezone-aware datetime")
    _fixed = moment.astimezone(timezone.utc)


def _configured() -> datetime | None:
    try:
        from flask import current_app

        raw = current_app.config.get("INSPECTOR_CLOCK")
    except RuntimeError:  # outside an app context: only set_now applies
        return None
    if not raw:
        return None
    return raw if isinstance(raw, datetime) else parse_instant(str(raw))


def now() -> datetime:
    """The current instant, aware UTC: set_now's, else INSPECTOR_CLOCK's, else the real one."""
    if _fixed is not None:
        return _fixed
    configured = _configured()
    if configured is not None:
        return configured.astimezone(timezone.utc)
    return datetime.now(timezone.utc)


def cn_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant (a naive one is refused, not guessed)."""
    if instant.tzinfo is None:
        raise ValueError("cn_date needs a timezone-aware datetime")
    return instant.astimezone(SHANGHAI).date()


def today_cn() -> date:
    """Today in Asia/Shanghai by now()."""
    return cn_date(now())
