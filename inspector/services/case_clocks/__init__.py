"""Case clocks: the 行政处罚 time limits of next-capabilities.md §4.2, tracked, not run.

The system does not conduct the 行政处罚 procedure. From a finding of a suspected violation it keeps
each limit's dates, its owner, its pauses and its outcome:

- CASE-1 立案/不予立案 within 15 working days of discovery, +15 with a 负责人's approval;
- CASE-8 the decision within 90 days of 立案 (natural days: `due_raw` is the plain count, the
  bureau is alerted on it; `due_date` is 最迟, moved off a rest day), +30 with approval;
- CASE-3 先行登记保存 decided within 7 working days;
- the other limits of §4.2 (CASE-4, -5, -6, -9, -10, -11) with the same machinery.

Each value is a setting (config `CASE_CLOCK_RULES`, e.g. `{"CASE-1": {"n": 15, "extension": 15}}`).
Pauses (检测/检验/检疫/鉴定, 中止, 听证, 公告 …) are whole days, first to last, not counted. Outcomes:
CASE-1 `filed` (with its 案号, which starts a CASE-8 clock on the day of 立案) or `not_filed`;
CASE-8 the decision (fine, confiscation, 货值, referral to the police). `stats` counts them.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select

from ... import clock
from ...database import db, utcnow
from ...errors import ApiError
from ...models import (
    DECISION_KINDS, FILING_OUTCOMES, PAUSE_KINDS, Agency, CaseClock, CaseClockPause, Inspection, User,
)
from .. import audit
from ..calendar.deadlines import natural_days_after, working_days_after
from ..scope import agency_in_scope, agency_subtree

log = logging.getLogger(__name__)
HEAD = "head"
OPENERS = ("officer", HEAD)  # who records a suspected violation and its outcomes in the console


@dataclass(frozen=True)
class Rule:
    rule_id: str
    step_zh: str
    unit: str  # WD | ND
    n: int
    extension: int  # days a 负责人 may add once (0: none)
    basis: str


RULES: dict[str, Rule] = {r.rule_id: r for r in (
    Rule("CASE-1", "核查后决定是否立案", "WD", 15, 15, "市场监督管理行政处罚程序规定 第十八条"),
    Rule("CASE-3", "先行登记保存后作出处理决定", "WD", 7, 0, "行政处罚法 第五十六条、第八十五条"),
    Rule("CASE-4", "查封、扣押期限", "ND", 30, 30, "行政强制法 第二十五条"),
    Rule("CASE-5", "法制审核", "WD", 10, 0, "市场监督管理行政处罚程序规定"),
    Rule("CASE-6", "陈述申辩、听证申请期限", "WD", 5, 0, "行政处罚法 第六十四条、第八十五条"),
    Rule("CASE-8", "立案后作出处理决定", "ND", 90, 30, "行政处罚法 第六十条；市场监督管理行政处罚程序规定 第六十四条"),
    Rule("CASE-9", "决定书送达（当事人不在场）", "WD", 7, 0, "行政处罚法 第六十一条、第八十五条"),
    Rule("CASE-10", "行政处罚信息公示", "WD", 20, 0, "市场监督管理行政处罚信息公示规定 第九条"),
    Rule("CASE-11", "缴纳罚款", "ND", 15, 0, "行政处罚法 第六十七条"),
)}
# Clocks an officer opens by hand; CASE-8 starts from a CASE-1 decided `filed`.
OPENABLE = ("CASE-1", "CASE-3", "CASE-4", "CASE-5", "CASE-6", "CASE-9", "CASE-10", "CASE-11")


def rule(rule_id: str) -> Rule:
    """The rule with the config's `CASE_CLOCK_RULES` override of n / extension, when valid."""
    base = RULES[rule_id]
    overrides = (current_app.config.get("CASE_CLOCK_RULES") or {}) if has_app_context() else {}
    mine = overrides.get(rule_id) if isinstance(overrides, dict) else None
    if not isinstance(mine, dict):
        return base
    values = {}
    for key in ("n", "extension"):
        value = mine.get(key, getattr(base, key))
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 365:
            values[key] = value
        else:
            log.warning("CASE_CLOCK_RULES[%s][%s] = %r is not usable; %r applies", rule_id, key, value,
                        getattr(base, key))
    return Rule(base.rule_id, base.step_zh, base.unit, values.get("n", base.n), values.get("extension", base.extension),
                base.basis + "（本地设置）" if values != {"n": base.n, "extension": base.extension} else base.basis)


def invalid(field: str, message: str, zh: str) -> ApiError:
    return ApiError("validation_failed", message, details={field: [message], "messageZh": zh, "message_zh": zh})


def _date(field: str, value: Any, zh: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise invalid(field, f"{field} is not a date (YYYY-MM-DD).", zh) from None


# ---------------------------------------------------------------- dates

@dataclass(frozen=True)
class ListedPause:
    """One pause as the clock page lists it: a recorded one, or lab time (kind "lab", 检验检测期间)."""

    kind: str
    first_day: date
    last_day: date
    note: str | None = None


def lab_pauses_of(clock_row: CaseClock) -> list[tuple[date, date]]:
    """The days the case's samples spent at a lab or in a 复检 (SMP-R7: not counted, 第十八条、第六十四条)."""
    if not clock_row.inspection_id:
        return []
    from ..labs import lab_pauses

    return lab_pauses(clock_row.inspection_id)


def pauses_of(clock_row: CaseClock) -> list[tuple[date, date]]:
    """Every day the clock does not count: its recorded pauses and its case's lab time, merged."""
    from ..labs.pauses import merge

    return merge([(p.first_day, p.last_day) for p in clock_row.pauses] + lab_pauses_of(clock_row))


def listed_pauses(clock_row: CaseClock) -> list[ListedPause]:
    rows = [ListedPause(p.kind, p.first_day, p.last_day, p.note) for p in clock_row.pauses]
    rows += [ListedPause("lab", first, last) for first, last in lab_pauses_of(clock_row)]
    return sorted(rows, key=lambda p: (p.first_day, p.last_day))


def refresh(clock_row: CaseClock) -> bool:
    """Count an open clock again (lab time grows each day a sample is at the lab); True when its due
    date moved. Decided clocks keep the dates they had."""
    if clock_row.status != "open":
        return False
    before = (clock_row.due_date, clock_row.due_raw, clock_row.due_provisional)
    recompute(clock_row)
    return (clock_row.due_date, clock_row.due_raw, clock_row.due_provisional) != before


def refresh_inspection(inspection_id: str) -> None:
    """After a sample's lab step: the open clocks of its inspection counted with the new lab time."""
    from sqlalchemy.orm.attributes import flag_modified

    for row in db.session.scalars(select(CaseClock).where(CaseClock.inspection_id == inspection_id,
                                                          CaseClock.status == "open")):
        refresh(row)
        flag_modified(row, "due_date")  # a pause began or ended: the phones pull the clock again


def recompute(clock_row: CaseClock) -> None:
    """Due dates from the start, n + extension, and the pauses (CAL-5)."""
    total = clock_row.n + clock_row.extension
    if clock_row.unit == "WD":
        due = working_days_after(clock_row.start_date, total, pauses_of(clock_row))
        clock_row.due_date, clock_row.due_raw = due.date, None
    else:
        due = natural_days_after(clock_row.start_date, total, pauses_of(clock_row))
        clock_row.due_date, clock_row.due_raw = due.date, due.raw
    clock_row.due_provisional = due.provisional


def paused_on(clock_row: CaseClock, day: date | None = None) -> bool:
    """Whether the clock stands still on the day (a recorded pause or lab time covers it)."""
    day = day or clock.today_cn()
    return any(first <= day <= last for first, last in pauses_of(clock_row))


def alert_date(clock_row: CaseClock) -> date:
    """The day the bureau is alerted: a natural-day limit's plain count, else the due date."""
    return clock_row.due_raw or clock_row.due_date


@dataclass(frozen=True)
class Progress:
    """How far a clock has run, as the case header shows it: 已用 x 日 / 剩余 y 日 (暂停 z 日)."""

    used: int
    left: int
    paused: int
    unit: str


def progress(clock_row: CaseClock, today: date | None = None) -> Progress:
    from ..calendar.deadlines import working_days_between

    today = today or clock.today_cn()
    end = alert_date(clock_row)
    paused = sum((min(last, today) - first).days + 1 for first, last in pauses_of(clock_row) if first <= today)
    if clock_row.unit == "WD":
        used, left = working_days_between(clock_row.start_date, today), working_days_between(today, end)
    else:
        used, left = (today - clock_row.start_date).days - paused, (end - today).days
    return Progress(max(used, 0), left, max(paused, 0), clock_row.unit)


# ---------------------------------------------------------------- reading

def clock_scope(user: User):
    return CaseClock.agency_id.in_(agency_subtree(user))


def get_clock(user: User, clock_id: str) -> CaseClock:
    found = db.session.scalars(select(CaseClock).where(CaseClock.id == clock_id, clock_scope(user))).first()
    if found is None:
        raise ApiError("not_found", "No such case clock.")
    refresh(found)
    return found


def clocks_of(user: User, *, inspection_id: str | None = None, open_only: bool = False) -> list[CaseClock]:
    query = select(CaseClock).where(clock_scope(user))
    if inspection_id:
        query = query.where(CaseClock.inspection_id == inspection_id)
    if open_only:
        query = query.where(CaseClock.status == "open")
    rows = list(db.session.scalars(query.order_by(CaseClock.due_date, CaseClock.created_at)))
    for row in rows:
        refresh(row)
    return sorted(rows, key=lambda r: r.due_date)


# ---------------------------------------------------------------- changes

def _ensure_role(by: User, agency: Agency, roles: tuple[str, ...], zh: str) -> None:
    if by.role not in roles or not agency_in_scope(by, agency):
        raise ApiError("forbidden", f"Only a {' or '.join(roles)} of the jurisdiction may do this.",
                       details={"message_zh": zh})


def _ensure_open(clock_row: CaseClock) -> None:
    if clock_row.status != "open":
        raise ApiError("conflict", "This clock is decided; it no longer changes.",
                       details={"status": clock_row.status, "message_zh": "该时限已有结论，不能再修改。", "messageZh": "该时限已有结论，不能再修改。"})


def open_clock(by: User, *, rule_id: str, agency: Agency, inspection: Inspection | None, start_date: date,
               owner: User | None = None, title: str, rectification_id: str | None = None,
               parent: CaseClock | None = None, check_role: bool = True) -> CaseClock:
    """Start a clock: the suspected violation found (CASE-1), goods preserved (CASE-3) …"""
    if check_role:
        _ensure_role(by, agency, OPENERS, "只有本辖区的业务科室人员或负责人可以登记涉嫌违法线索。")
    if rule_id not in RULES:
        raise invalid("rule", f"rule must be one of {', '.join(RULES)}.", "时限规则无效。")
    today = clock.today_cn()
    if start_date > today:
        raise invalid("startDate", "The start day is in the future.", "起算日期不能晚于今天。")
    if check_role and inspection is not None and inspection.created_at \
            and start_date < clock.cn_date(inspection.created_at):
        raise invalid("startDate", "A violation is not found before its inspection began.",
                      "发现日期不能早于检查记录的创建日期。")
    title = (title or "").strip()
    if not title:
        raise invalid("title", "Say what the suspected violation is.", "请填写涉嫌违法行为。")
    if len(title) > 200:
        raise invalid("title", "The title is longer than 200 characters.", "内容超过200字。")
    owner = owner or by
    if not (agency.path.startswith(owner.agency.path) or owner.agency.path.startswith(agency.path)):
        raise invalid("owner", f"{owner.display_name} is not of {agency.name}.", f"{owner.display_name}不属于{agency.name}。")
    r = rule(rule_id)
    row = CaseClock(id=str(uuid.uuid4()), rule_id=rule_id, agency_id=agency.id,
                    inspection_id=inspection.id if inspection else None,
                    party_id=inspection.party_id if inspection else None, rectification_id=rectification_id,
                    parent_id=parent.id if parent else None, title=title, start_date=start_date, unit=r.unit,
                    n=r.n, extension=0, owner_id=owner.id, status="open", confiscation=False,
                    created_by_id=by.id, created_at=utcnow())
    row.agency = agency
    recompute(row)
    db.session.add(row)
    db.session.flush()
    audit.record("case_clock.open", "case_clock", row.id, actor_id=by.id,
                 inspection_id=row.inspection_id,
                 data={"rule": rule_id, "start": start_date.isoformat(), "due": row.due_date.isoformat(),
                       "dueRaw": row.due_raw.isoformat() if row.due_raw else None, "owner": owner.id,
                       "rectification": rectification_id, "parent": row.parent_id})
    return row


def extend(by: User, clock_row: CaseClock, reason: str) -> CaseClock:
    """A 负责人 approves the rule's one extension (+15 WD for 立案, +30 days for the decision)."""
    _ensure_role(by, clock_row.agency, (HEAD,), "只有本辖区的负责人才能批准延期。")
    _ensure_open(clock_row)
    r = rule(clock_row.rule_id)
    if r.extension <= 0:
        raise ApiError("conflict", f"{clock_row.rule_id} has no extension.",
                       details={"message_zh": "该时限不能延期。", "messageZh": "该时限不能延期。"})
    if clock_row.extension:
        raise ApiError("conflict", "This clock was extended already; beyond that 集体讨论 sets a new limit.",
                       details={"message_zh": "该时限已延期一次；再延期须经集体讨论。", "messageZh": "该时限已延期一次；再延期须经集体讨论。"})
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", "Give the reason for the extension.", "请填写延期理由。")
    clock_row.extension, clock_row.extended_by_id, clock_row.extension_reason = r.extension, by.id, reason
    recompute(clock_row)
    audit.record("case_clock.extend", "case_clock", clock_row.id, actor_id=by.id, reason=reason,
                 inspection_id=clock_row.inspection_id,
                 data={"extension": r.extension, "due": clock_row.due_date.isoformat()})
    return clock_row


def add_pause(by: User, clock_row: CaseClock, data: dict[str, Any]) -> CaseClock:
    """Days not counted: kind (PAUSE_KINDS), first_day, last_day (both included), note."""
    _ensure_role(by, clock_row.agency, OPENERS, "只有本辖区的业务科室人员或负责人可以登记暂停期间。")
    _ensure_open(clock_row)
    kind = data.get("kind")
    if kind not in PAUSE_KINDS:
        raise invalid("kind", f"kind must be one of {', '.join(PAUSE_KINDS)}.", "请选择暂停事由。")
    first = _date("firstDay", data.get("first_day"), "暂停开始日期无效。")
    last = _date("lastDay", data.get("last_day"), "暂停结束日期无效。")
    if last < first:
        raise invalid("lastDay", f"The pause ends ({last}) before it starts ({first}).",
                      f"暂停结束日期（{last.isoformat()}）早于开始日期（{first.isoformat()}）。")
    if first <= clock_row.start_date:
        raise invalid("firstDay", "A pause starts after the clock's start day.", "暂停须在起算日之后开始。")
    if any(not (last < p.first_day or first > p.last_day) for p in clock_row.pauses):
        raise invalid("firstDay", "This pause overlaps another.", "暂停期间与已登记的期间重叠。")
    note = (data.get("note") or "").strip() or None
    clock_row.pauses.append(CaseClockPause(kind=kind, first_day=first, last_day=last, note=note,
                                           created_by_id=by.id, created_at=utcnow()))
    recompute(clock_row)
    audit.record("case_clock.pause", "case_clock", clock_row.id, actor_id=by.id,
                 inspection_id=clock_row.inspection_id,
                 data={"kind": kind, "first": first.isoformat(), "last": last.isoformat(),
                       "due": clock_row.due_date.isoformat()})
    return clock_row


def _money(field: str, value: Any, zh: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid(field, f"{field} is not an amount.", zh) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise invalid(field, f"{field} is not an amount.", zh)
    return amount.quantize(Decimal("0.01"))


def decide(by: User, clock_row: CaseClock, data: dict[str, Any]) -> CaseClock:
    """Record the outcome. CASE-1: outcome filed (case_no required; starts CASE-8 on decided_on) or
    not_filed. CASE-8: decision kind, fine, confiscation, goods value (货值). Others: done."""
    _ensure_role(by, clock_row.agency, OPENERS, "只有本辖区的业务科室人员或负责人可以登记结论。")
    _ensure_open(clock_row)
    decided_on = _date("decidedOn", data.get("decided_on") or clock.today_cn().isoformat(), "决定日期无效。")
    if decided_on > clock.today_cn() or decided_on < clock_row.start_date:
        raise invalid("decidedOn", "The decision day is outside the clock's run.", "决定日期须在起算日与今天之间。")
    note = (data.get("note") or "").strip() or None
    follow: CaseClock | None = None
    if clock_row.rule_id == "CASE-1":
        outcome = data.get("outcome")
        if outcome not in FILING_OUTCOMES:
            raise invalid("outcome", "outcome must be filed or not_filed.", "请选择立案或不予立案。")
        case_no = (data.get("case_no") or "").strip() or None
        if outcome == "filed" and not case_no:
            raise invalid("caseNo", "立案 needs its 案号.", "立案须填写案号。")
        if case_no and len(case_no) > 64:
            raise invalid("caseNo", "The 案号 is too long.", "案号过长。")
        clock_row.outcome, clock_row.case_no = outcome, case_no if outcome == "filed" else None
    elif clock_row.rule_id == "CASE-8":
        kind = data.get("outcome")
        if kind not in DECISION_KINDS:
            raise invalid("outcome", f"outcome must be one of {', '.join(DECISION_KINDS)}.", "请选择处理决定。")
        clock_row.outcome = kind
        clock_row.fine_yuan = _money("fineYuan", data.get("fine_yuan"), "罚款金额无效。")
        clock_row.goods_value_yuan = _money("goodsValueYuan", data.get("goods_value_yuan"), "货值金额无效。")
        clock_row.confiscation = bool(data.get("confiscation"))
        if kind == "penalty" and not (clock_row.fine_yuan or clock_row.confiscation):
            raise invalid("fineYuan", "A penalty names a fine or a confiscation.", "行政处罚须填写罚款金额或没收。")
    else:
        clock_row.outcome = "done"
    clock_row.status, clock_row.decided_on, clock_row.decided_by_id = "decided", decided_on, by.id
    clock_row.outcome_note = note
    if clock_row.rule_id == "CASE-1" and clock_row.outcome == "filed":
        follow = open_clock(by, rule_id="CASE-8", agency=clock_row.agency,
                            inspection=db.session.get(Inspection, clock_row.inspection_id) if clock_row.inspection_id else None,
                            start_date=decided_on, owner=clock_row.owner, title=f"{clock_row.case_no} {clock_row.title}"[:200],
                            rectification_id=clock_row.rectification_id, parent=clock_row, check_role=False)
    audit.record("case_clock.decide", "case_clock", clock_row.id, actor_id=by.id,
                 inspection_id=clock_row.inspection_id,
                 data={"outcome": clock_row.outcome, "caseNo": clock_row.case_no, "decidedOn": decided_on.isoformat(),
                       "fine": str(clock_row.fine_yuan) if clock_row.fine_yuan is not None else None,
                       "confiscation": clock_row.confiscation,
                       "goodsValue": str(clock_row.goods_value_yuan) if clock_row.goods_value_yuan is not None else None,
                       "next": follow.id if follow else None})
    return clock_row


# ---------------------------------------------------------------- statistics

def stats(agency_ids, *, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
    """What the campaign statistics count (the dashboard and the upward report call this): suspected
    violations (CASE-1 clocks), 立案 and 不予立案, decisions by kind with fines, confiscations, 货值
    and referrals to the police, and open clocks past their alert day. Dates: the clock's start."""
    conditions = [CaseClock.agency_id.in_(agency_ids)]
    if date_from:
        conditions.append(CaseClock.start_date >= date_from)
    if date_to:
        conditions.append(CaseClock.start_date <= date_to)

    def count(*extra) -> int:
        return db.session.scalar(select(func.count()).select_from(CaseClock).where(*conditions, *extra)) or 0

    # The figures of the upward report (reports/sources.py) are the one computation of what both show.
    from ..reports import sources
    from ..reports.figures import FigureScope

    scope = FigureScope(agency_ids=agency_ids, date_from=date_from, date_to=date_to)
    decision = CaseClock.rule_id == "CASE-8"
    today = clock.today_cn()
    overdue = [c for c in db.session.scalars(select(CaseClock).where(*conditions, CaseClock.status == "open"))
               if alert_date(c) < today]
    return {
        "suspected": count(CaseClock.rule_id == "CASE-1"),
        "filed": sources.cases_opened(scope),
        "not_filed": count(CaseClock.rule_id == "CASE-1", CaseClock.outcome == "not_filed"),
        "decided": sources.cases_closed(scope),
        "penalties": count(decision, CaseClock.outcome == "penalty"),
        "fines_yuan": sources.decisions_total(scope, CaseClock.fine_yuan),
        "confiscations": count(decision, CaseClock.confiscation.is_(True)),
        "goods_value_yuan": sources.decisions_total(scope, CaseClock.goods_value_yuan),
        "referrals_police": sources.police_transfers(scope),
        "open": count(CaseClock.status == "open"),
        "overdue": len(overdue),
    }


def followup_stats(user: User, date_from: date | None = None, date_to: date | None = None,
                   agency_id: int | None = None) -> dict[str, Any]:
    """The dashboard's and the upward report's counts of what followed inspections in the user's
    jurisdiction (or one agency of it): rectification orders by state, and the case clocks'
    outcomes (`stats`). Clock dates filter on their start day; orders are counted whatever their date."""
    from .. import rectification

    ids = agency_subtree(user)
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id)
        if agency is not None and agency_in_scope(user, agency):
            ids = select(Agency.id).where(Agency.path.startswith(agency.path))
    return {**rectification.stats(ids), **stats(ids, date_from=date_from, date_to=date_to)}


def late_fee(fine_yuan: Decimal, due: date, on: date) -> Decimal:
    """加处罚款 on a fine unpaid after its due day (行政处罚法 第七十二条): 3 % of the fine a day,
    never more than the fine itself."""
    days = max((on - due).days, 0)
    return min(fine_yuan, (fine_yuan * Decimal("0.03") * days).quantize(Decimal("0.01")))
