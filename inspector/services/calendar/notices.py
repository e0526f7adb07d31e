"""An admin enters a year's State Council holiday notice (国务院办公厅关于…部分节假日安排的通知).

The form gives, for each of the seven 全体公民放假的节日 (全国年节及纪念日放假办法 第二条), its rest
days and its make-up working days (调休上班). Validation (next-capabilities CAL-3) rejects the
whole notice, saving nothing, when: a date is not a date or lies outside the year (元旦 may start
in the last days of the December before, as the 2023 notice did); a date is given twice; a
make-up working day is not a Saturday or Sunday; a holiday is missing (中秋 may be merged into
国庆); a fixed-date holiday leaves out its day (1/1, 5/1–2, 10/1–3); or more than 6 working days in
a row adjoin a holiday (第七条) without 特殊情形 ticked. Entering a year again replaces it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Mapping

from sqlalchemy import delete, select

from ...database import db
from ...errors import ApiError
from ...i18n import t
from ...models import CalendarDay, CalendarYear, User
from ...models.sync import allocate_version
from .. import audit
from ...clock import now
from .source import invalidate

# (form key, name in the notice, fixed days it must rest on)
HOLIDAYS: tuple[tuple[str, str, tuple[tuple[int, int], ...]], ...] = (
    ("yuandan", "元旦", ((1, 1),)),
    ("chunjie", "春节", ()),
    ("qingming", "清明节", ()),
    ("laodong", "劳动节", ((5, 1), (5, 2))),
    ("duanwu", "端午节", ()),
    ("zhongqiu", "中秋节", ()),
    ("guoqing", "国庆节", ((10, 1), (10, 2), (10, 3))),
)
FIRST_YEAR, LAST_YEAR = 2004, 2100
MAX_RUN = 6  # 第七条: 法定节假日假期前后连续工作一般不超过6天
YUANDAN_EARLIEST = (12, 25)  # 元旦 rest of a notice may begin in the December before
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–|\.\.)\s*")
_SPLIT = re.compile(r"[,，、;；\s]+")
_NOTICE_NO = re.compile(r"[〔\[（(【]\s*\d{4}\s*[〕\]）)】]\s*\d+\s*号$")  # …〔2025〕7号


@dataclass
class NoticeForm:
    """What the admin typed, kept to show again on an error (nothing typed is lost)."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "NoticeForm":
        keys = ["year", "notice_no", "notice_date", "source_url", "merged", "special"]
        keys += [f"{kind}_{key}" for key, _n, _f in HOLIDAYS for kind in ("rest", "work")]
        return cls({k: str(data.get(k, "") or "").strip() for k in keys})

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def flag(self, key: str) -> bool:
        return self.get(key).lower() in ("1", "on", "true", "yes")


class Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, fieldname: str, key: str, **values: Any) -> None:
        self.items.append({"field": fieldname, "message": t(key, **values)})

    def __bool__(self) -> bool:
        return bool(self.items)


def _parse_day(text: str) -> date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_dates(text: str) -> tuple[list[date], list[str]]:
    """Dates and ranges ("2027-02-05至2027-02-13, 2027-02-20") as days; and the parts not understood."""
    days: list[date] = []
    bad: list[str] = []
    normal = _RANGE.sub("至", text.strip())
    for part in (p for p in _SPLIT.split(normal) if p):
        if "至" in part:
            ends = part.split("至")
            first, last = (_parse_day(ends[0]), _parse_day(ends[-1])) if len(ends) == 2 else (None, None)
            if first is None or last is None or last < first or (last - first).days > 40:
                bad.append(part)
                continue
            days.extend(first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            day = _parse_day(part)
            if day is None:
                bad.append(part)
            else:
                days.append(day)
    return days, bad


def _in_notice_year(day: date, year: int, key: str) -> bool:
    if day.year == year:
        return True
    return key == "yuandan" and day.year == year - 1 and (day.month, day.day) >= YUANDAN_EARLIEST


def _working(day: date, rest: set[date], work: set[date], year: int) -> bool:
    if day in work:
        return True
    if day in rest:
        return False
    if date(year - 1, 12, 1) <= day <= date(year, 12, 31):
        return day.weekday() < 5
    from .deadlines import is_working_day

    return is_working_day(day)


def _run(start: date, step: int, rest: set[date], work: set[date], year: int) -> int:
    count, day = 0, start
    while _working(day, rest, work, year) and count <= MAX_RUN + 7:
        count += 1
        day += timedelta(days=step)
    return count


def validate(form: NoticeForm) -> tuple[int | None, dict[str, tuple[list[date], list[date]]], Problems]:
    """The year and {holiday key: (rest days, make-up days)}, with every problem found."""
    problems = Problems()
    year: int | None = None
    raw_year = form.get("year")
    if not raw_year.isdigit() or not FIRST_YEAR <= int(raw_year) <= LAST_YEAR:
        problems.add("year", "cal_err_year", first=FIRST_YEAR, last=LAST_YEAR)
    else:
        year = int(raw_year)
    notice_no = form.get("notice_no")
    if not notice_no:
        problems.add("notice_no", "cal_err_notice_no")
    elif len(notice_no) > 80:
        problems.add("notice_no", "cal_err_too_long", n=80)
    elif not _NOTICE_NO.search(notice_no):
        problems.add("notice_no", "cal_err_notice_no_form")
    if form.get("notice_date") and _parse_day(form.get("notice_date")) is None:
        problems.add("notice_date", "cal_err_notice_date")
    url = form.get("source_url")
    if url and (not re.match(r"^https?://\S+$", url) or len(url) > 500):
        problems.add("source_url", "cal_err_url")

    merged = form.flag("merged")
    entries: dict[str, tuple[list[date], list[date]]] = {}
    seen: dict[date, str] = {}
    for key, name, fixed in HOLIDAYS:
        rest, bad_rest = parse_dates(form.get(f"rest_{key}"))
        work, bad_work = parse_dates(form.get(f"work_{key}"))
        for part in bad_rest:
            problems.add(f"rest_{key}", "cal_err_not_date", holiday=name, text=part)
        for part in bad_work:
            problems.add(f"work_{key}", "cal_err_not_date", holiday=name, text=part)
        if not rest and not bad_rest and not (key == "zhongqiu" and merged):
            problems.add(f"rest_{key}", "cal_err_missing_holiday", holiday=name)
        if year is not None:
            for kind, days in (("rest", rest), ("work", work)):
                for day in days:
                    if not _in_notice_year(day, year, key):
                        problems.add(f"{kind}_{key}", "cal_err_outside_year", holiday=name, day=day.isoformat(),
                                     year=year)
            for m, d in fixed:
                if rest and date(year, m, d) not in rest:
                    problems.add(f"rest_{key}", "cal_err_fixed_day", holiday=name, day=date(year, m, d).isoformat())
        for day in work:
            if day.weekday() < 5:
                problems.add(f"work_{key}", "cal_err_makeup_weekday", holiday=name, day=day.isoformat())
        for kind, days in (("rest", rest), ("work", work)):
            for day in days:
                if day in seen:
                    problems.add(f"{kind}_{key}", "cal_err_twice", day=day.isoformat(), holiday=name, other=seen[day])
                else:
                    seen[day] = name
        entries[key] = (rest, work)

    if year is not None and not problems:
        held = db.session.execute(select(CalendarDay.day, CalendarDay.year).where(
            CalendarDay.day.in_(list(seen)), CalendarDay.year != year)).all()
        for day, other in held:
            problems.add("year", "cal_err_held_by_other", day=day.isoformat(), other=other)
        if not form.flag("special"):
            rest_all = {d for r, _w in entries.values() for d in r}
            work_all = {d for _r, w in entries.values() for d in w}
            for key, name, _fixed in HOLIDAYS:
                rest = entries[key][0]
                if not rest:
                    continue
                block_start, block_end = min(rest), max(rest)
                while not _working(block_start - timedelta(days=1), rest_all, work_all, year):
                    block_start -= timedelta(days=1)
                while not _working(block_end + timedelta(days=1), rest_all, work_all, year):
                    block_end += timedelta(days=1)
                before = _run(block_start - timedelta(days=1), -1, rest_all, work_all, year)
                after = _run(block_end + timedelta(days=1), 1, rest_all, work_all, year)
                if max(before, after) > MAX_RUN:
                    problems.add(f"work_{key}", "cal_err_long_run", holiday=name, n=max(before, after), max=MAX_RUN)
    return year, entries, problems


def enter_notice(admin: User, data: Mapping[str, Any]) -> CalendarYear:
    """Validate and save a year's notice (replacing that year); ApiError with every problem, and
    nothing saved, when it does not hold."""
    if admin.role != "admin" or admin.agency is None or admin.agency.level != "region":
        raise ApiError("forbidden", "Only an administrator of the region enters the holiday calendar.")
    form = NoticeForm.from_mapping(data)
    year, entries, problems = validate(form)
    if problems or year is None:
        raise ApiError("validation_failed", t("cal_notice_rejected"),
                       details={"problems": [p["message"] for p in problems.items],
                                "fields": sorted({p["field"] for p in problems.items})})
    row = db.session.get(CalendarYear, year)
    replaced = row is not None
    previous = None
    if row is None:
        row = CalendarYear(year=year)
        db.session.add(row)
    else:
        previous = {"source": row.source, "notice_no": row.notice_no}
        db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row.source = "notice"
    row.notice_no = form.get("notice_no")
    row.notice_date = _parse_day(form.get("notice_date")) if form.get("notice_date") else None
    row.source_url = form.get("source_url") or None
    row.special = form.flag("special")
    row.loaded_by_id = admin.id
    row.loaded_at = now()
    row.version = allocate_version(db.session)
    db.session.flush()
    names = {key: name for key, name, _f in HOLIDAYS}
    for key, (rest, work) in entries.items():
        for day in rest:
            db.session.add(CalendarDay(day=day, year=year, kind="holiday", name=names[key]))
        for day in work:
            db.session.add(CalendarDay(day=day, year=year, kind="makeup_workday", name=names[key]))
    audit.record("calendar.notice", "calendar_year", year, actor_id=admin.id, data={
        "notice_no": row.notice_no, "notice_date": row.notice_date.isoformat() if row.notice_date else None,
        "source_url": row.source_url, "special": row.special, "replaced": previous,
        "rest": sorted(d.isoformat() for r, _w in entries.values() for d in r),
        "work": sorted(d.isoformat() for _r, w in entries.values() for d in w)})
    db.session.commit()
    invalidate()
    _notify(year, replaced)
    return row


# Code that keeps provisional deadlines (tasks, complaints) registers here to recompute them
# when a year's notice is entered (CAL-4): fn(year) runs after the commit.
_listeners: list = []


def on_year_loaded(fn) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def _notify(year: int, _replaced: bool) -> None:
    for fn in list(_listeners):
        fn(year)


def list_years() -> list[dict[str, Any]]:
    """Every loaded year, newest first, with its counts (the admin page's table)."""
    rows = db.session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc())).all()
    days = db.session.execute(select(CalendarDay.year, CalendarDay.kind)).all()
    counts: dict[tuple[int, str], int] = {}
    for y, kind in days:
        counts[(y, kind)] = counts.get((y, kind), 0) + 1
    return [{"row": r, "holidays": counts.get((r.year, "holiday"), 0),
             "makeup": counts.get((r.year, "makeup_workday"), 0)} for r in rows]


def year_days(year: int) -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)))


def load_package_years() -> list[int]:
    """Years the installed chinesecalendar covers that have no row yet, loaded as official."""
    from .seed import package_days

    loaded = set(db.session.scalars(select(CalendarYear.year)))
    added = []
    for year, rows in sorted(package_days().items()):
        if year in loaded:
            continue
        taken = set(db.session.scalars(select(CalendarDay.day).where(CalendarDay.day.in_([r["day"] for r in rows]))))
        db.session.add(CalendarYear(year=year, source="chinesecalendar", special=False, loaded_at=now(),
                                    version=allocate_version(db.session)))
        db.session.flush()
        db.session.add_all(CalendarDay(year=year, **r) for r in rows if r["day"] not in taken)
        added.append(year)
    if added:
        audit.record("calendar.seed", "calendar_year", ",".join(map(str, added)), data={"years": added})
    db.session.commit()
    invalidate()
    for year in added:
        _notify(year, False)
    return added
