"""Lab time as pauses of the case clocks (SMP-R7; 程序规定 第十八条、第六十四条 "检测…所需时间，不计入").

A sample's test pauses a clock from the day it was sent to the lab until the day the report
reached the bureau (that day counts again: CAL-5's [paused_from, resumed_on)); a 复检 pauses it
from the application until the re-test's report arrived (or the application was refused). A pause
still running ends today. The pairs are (first_day, last_day), both paused, as
services/calendar/deadlines.py takes them; overlapping pauses of several samples are merged.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ... import clock
from ...database import db
from ...models import SampleLab

ONE_DAY = timedelta(days=1)


def _report_arrival(lab: SampleLab, check_type: str) -> date | None:
    days = [r.arrived_on for r in lab.reports if r.check_type == check_type]
    return days[0] if days else None


def sample_pauses(lab: SampleLab, today: date | None = None) -> list[tuple[date, date]]:
    """The paused days of one sample's lab life."""
    today = today or clock.today_cn()
    spans: list[tuple[date, date]] = []
    for submission in lab.submissions:
        if submission.purpose != "test":
            continue
        resumed = _report_arrival(lab, "supervisory")
        spans.append((submission.shipped_on, resumed - ONE_DAY if resumed else today))
    for retest in lab.retests:
        report = next((r for r in lab.reports if r.id == retest.retest_report_id), None)
        resumed = report.arrived_on if report else (retest.decided_on if retest.accepted is False else None)
        spans.append((retest.applied_on, resumed - ONE_DAY if resumed else today))
    return [(first, last) for first, last in spans if last >= first]


def merge(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def lab_pauses(inspection_id: str, today: date | None = None) -> list[tuple[date, date]]:
    """Every day the inspection's samples spent at a lab or in a 复检, as pauses for its clocks."""
    labs = db.session.scalars(select(SampleLab).where(SampleLab.inspection_id == inspection_id,
                                                      SampleLab.deleted_at.is_(None))).all()
    return merge([span for lab in labs for span in sample_pauses(lab, today)])
