"""The lab periods the reference could not confirm (next-capabilities.md §3.4, §9 item 2) as settings.

总局令第18号 (监督抽查) was not found, so its periods rest on analogues (食品抽检: 送检 5 WD, 报告
20 WD; 工商 流通领域商品质量监测办法) or on nothing at all. Each is a setting (config `LAB_RULES`),
shown with its source status (R read in the text, S secondary, UNCONFIRMED) next to every date
it produces, like the complaints register's (services/complaints/rules.py). A value that is not
usable (not a whole number of days from 1 to 365) is refused with a log warning; the default applies.

The 复检 window itself (15 日, 产品质量法 第十五条) is read in the law [R] and stays in life.py.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context

from ... import clock
from ...models import Sample, SampleLab
from ..calendar.deadlines import Due, natural_days_after, working_days_after

log = logging.getLogger(__name__)
CONFIG_KEY = "LAB_RULES"

# key: (default, unit WD|ND, source status, rule id, what the date is, source)
SETTINGS: dict[str, tuple[int, str, str, str, str]] = {
    "C_SHIP": (5, "WD", "UNCONFIRMED", "SMP-R4", "食品抽检类比：样品 5 个工作日内送达检验机构（总局令第18号未见原文）"),
    "C_LAB": (20, "WD", "UNCONFIRMED", "SMP-R4", "食品抽检类比：收样后 20 个工作日内出具报告（总局令第18号未见原文）"),
    "C_NOTIFY": (5, "WD", "UNCONFIRMED", "SMP-R5", "收到报告后 5 个工作日内告知（期限未确认）"),
    "C_RETEST_ACCEPT": (5, "WD", "UNCONFIRMED", "SMP-R6", "复检申请 5 个工作日内决定是否受理（期限未确认）"),
    "C_KEEP": (60, "ND", "UNCONFIRMED", "SMP-R10", "备份样品于异议期满后保存（肥料产品标准“保存两个月”，推定）"),
}
UNITS = {key: unit for key, (_n, unit, *_rest) in SETTINGS.items()}


@dataclass(frozen=True)
class Setting:
    key: str
    n: int
    unit: str  # WD | ND
    status: str  # R | S | UNCONFIRMED
    rule_id: str
    source: str
    local: bool  # set in this installation's LAB_RULES (本地设置)


def setting(key: str) -> Setting:
    """A lab period: the config's `LAB_RULES[key]` when set and usable (then marked local), else the default."""
    default, unit, status, rule_id, source = SETTINGS[key]
    overrides = (current_app.config.get(CONFIG_KEY) or {}) if has_app_context() else {}
    value = overrides.get(key, default) if isinstance(overrides, dict) else default
    if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 365):
        log.warning("%s[%s] = %r is not usable; the default %r applies", CONFIG_KEY, key, value, default)
        value = default
    if value != default:
        return Setting(key, value, unit, status, rule_id, f"{source}；本地设置 local setting", True)
    return Setting(key, default, unit, status, rule_id, source, False)


def due_after(key: str, start: date) -> tuple[Due, Setting]:
    s = setting(key)
    due = working_days_after(start, s.n) if s.unit == "WD" else natural_days_after(start, s.n)
    return due, s


@dataclass(frozen=True)
class LabDate:
    """One date a lab period produced, with what it rests on (shown next to it)."""

    key: str  # ship | report | retest_report | notify | retest_accept | keep
    start: date
    due: date
    provisional: bool
    setting: Setting
    met_on: date | None  # the day the step was done (None: still open)

    @property
    def open(self) -> bool:
        return self.met_on is None


def sampled_on(sample: Sample) -> date:
    moment = sample.sampled_at or sample.created_at
    return clock.cn_date(moment)


def lab_dates(sample: Sample, lab: SampleLab | None) -> list[LabDate]:
    """Every lab date of the sample so far: when it was to be sent, its report due, the notice
    due, the 复检 acceptance due, and how long the backup sample is kept."""
    out: list[LabDate] = []

    def add(key: str, setting_key: str, start: date | None, met_on: date | None) -> None:
        if start is None:
            return
        due, s = due_after(setting_key, start)
        out.append(LabDate(key, start, due.date, due.provisional, s, met_on))

    tests = [s for s in (lab.submissions if lab else []) if s.purpose == "test"]
    add("ship", "C_SHIP", sampled_on(sample), tests[0].shipped_on if tests else None)
    if lab is None:
        return out
    reports = {r.check_type: r for r in lab.reports}
    for submission in lab.submissions:
        kind = "supervisory" if submission.purpose == "test" else "retest"
        report = reports.get(kind)
        add("report" if kind == "supervisory" else "retest_report", "C_LAB", submission.received_on,
            report.arrived_on if report else None)
    first = reports.get("supervisory")
    if first is not None:
        add("notify", "C_NOTIFY", first.arrived_on, first.notified_on)
    for retest in lab.retests:
        add("retest_accept", "C_RETEST_ACCEPT", retest.applied_on, retest.decided_on)
    if first is not None and first.retest_due is not None and lab.status in ("final_pass", "final_fail",
                                                                               "backup_released"):
        released = next((s.on_date for s in lab.steps if s.action == "release_backup"), None)
        add("keep", "C_KEEP", first.retest_due, released)
    return out
