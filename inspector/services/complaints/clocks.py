"""The statutory clocks of a filing, computed from its dates, transitions and pauses.

Every clock starts on a China calendar day and counts after it (next-capabilities.md §0.3 CAL-5):
working days through the official calendar, natural days with a legal end moved to the next
working day. Pauses ([from, resumed_on)) are left out of the count. Each deadline carries its rule,
basis and the source status of the value, so a printed date can be explained (CAL-6).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ...clock import today_cn
from ...models import Filing
from ..calendar.deadlines import Due, natural_days_after, working_days_after
from . import rules


@dataclass(frozen=True)
class Deadline:
    rule_id: str
    label: str  # i18n key
    start: date
    n: int
    unit: str
    due: Due  # the date to act by (for natural days on the bureau: the raw date, CAL-5)
    due_legal: date | None  # natural days: the last lawful day (next working day when raw is not one)
    basis: str
    source_status: str
    open: bool
    paused: bool = False
    pauses: tuple[tuple[date, date], ...] = field(default_factory=tuple)
    lab_pauses: tuple[tuple[date, date], ...] = field(default_factory=tuple)  # 检验检测期间, listed

    def state(self, today: date | None = None) -> str:
        """'met' (closed), 'overdue' (past the due day), 'due_today', or 'open'."""
        if not self.open:
            return "met"
        today = today or today_cn()
        if today > self.due.date:
            return "overdue"
        return "due_today" if today == self.due.date else "open"


def _pauses(filing: Filing) -> tuple[tuple[date, date], ...]:
    """Pauses as (first_day, last_day) pairs; an open pause runs up to today. The lab time of the
    inspections made on the filing's tasks is one too (§1.5: 检验、检测 … 时间不计算在内)."""
    from ..labs.pauses import merge

    today = today_cn()
    out = []
    for pause in filing.pauses:
        last = (pause.resumed_on - timedelta(days=1)) if pause.resumed_on else max(today, pause.paused_from)
        if last >= pause.paused_from:
            out.append((pause.paused_from, last))
    return tuple(merge(out + lab_pauses_of(filing)))


def _inspection_ids(filing: Filing) -> list[str]:
    from sqlalchemy import select

    from ...database import db
    from ...models import Inspection, Task

    return list(db.session.scalars(select(Inspection.id).join(Task, Task.id == Inspection.task_id).where(
        Task.source_kind == filing.kind, Task.source_id == filing.id)))


def lab_pauses_of(filing: Filing) -> list[tuple[date, date]]:
    """The days the samples of the filing's inspections spent at a lab (or in a 复检), merged."""
    from ..labs.pauses import lab_pauses, merge

    return merge([span for inspection_id in _inspection_ids(filing) for span in lab_pauses(inspection_id)])


def refresh_inspection_filings(inspection_id: str) -> None:
    """After a sample's lab step: the filing the inspection was made for counts its lab time."""
    from sqlalchemy import select

    from ...database import db
    from ...models import Inspection, Task

    task_source = db.session.execute(select(Task.source_kind, Task.source_id).join(
        Inspection, Inspection.task_id == Task.id).where(Inspection.id == inspection_id)).first()
    if task_source is None or task_source[0] not in ("complaint", "report") or not task_source[1]:
        return
    filing = db.session.get(Filing, task_source[1])
    if filing is not None and filing.deleted_at is None:
        refresh_due(filing)


def compute(period: rules.Period, start: date, pauses=()) -> tuple[Due, date | None]:
    if period.unit == "WD":
        return working_days_after(start, period.n, pauses), None
    # A natural-day period on the bureau: alert on the raw day, show the moved one as 最迟 (CAL-5).
    legal = natural_days_after(start, period.n, pauses)
    return Due(legal.raw or legal.date, legal.provisional), legal.date


def _deadline(label: str, period: rules.Period, start: date, open_: bool, pauses=(), paused=False,
              lab=()) -> Deadline:
    due, legal = compute(period, start, pauses)
    return Deadline(period.rule_id, label, start, period.n, period.unit, due, legal, period.basis, period.status,
                    open_, paused, tuple(pauses), tuple(lab))


def _last(filing: Filing, *actions: str):
    return next((t for t in reversed(filing.transitions) if t.action in actions), None)


def deadlines(filing: Filing) -> list[Deadline]:
    """Every clock that applies to the filing so far, open or met, in the order they arose."""
    status, version = filing.status, filing.rule_version
    out: list[Deadline] = []
    if filing.kind == "complaint":
        out.append(_deadline("deadline_accept", rules.accept_period(version), filing.clock_start_on,
                             status in ("received", "id_requested", "jurisdiction_disputed")))
        if filing.accepted_on:
            pauses = _pauses(filing)
            window_open = status in ("accepted", "mediating", "testing_paused", "recusal_paused")
            out.append(_deadline("deadline_mediation", rules.mediation_period(version), filing.accepted_on,
                                 window_open, pauses, status in ("testing_paused", "recusal_paused"),
                                 lab_pauses_of(filing)))
        terminated = _last(filing, "terminate")
        if terminated is not None:
            out.append(_deadline("deadline_termination_notice", rules.termination_notice_period(version),
                                 terminated.on_date, not filing.decision_notified))
    elif filing.kind == "report":
        pauses = _pauses(filing)
        out.append(_deadline("deadline_case_decision", rules.verify_period(filing.extension_approved),
                             filing.clock_start_on, status in ("verifying", "testing_paused", "jurisdiction_disputed"),
                             pauses,
                             status == "testing_paused", lab_pauses_of(filing)))
        if filing.decided_on and _real_name(filing):
            out.append(_deadline("deadline_decision_notice", rules.decision_notice_period(version),
                                 filing.decided_on, not filing.decision_notified))
    dispute = _last(filing, "dispute")
    if dispute is not None:
        out.append(_deadline("deadline_jurisdiction", rules.jurisdiction_period(), dispute.on_date,
                             status == "jurisdiction_disputed"))
    return out


def _real_name(filing: Filing) -> bool:
    from ...database import db
    from ...models import FilingPerson

    person = db.session.get(FilingPerson, filing.id)
    return person is not None and not person.anonymous and bool(person.name)


def refresh_due(filing: Filing) -> None:
    """Keep the filing's open deadline (the earliest) in its columns, for the 待办 lists."""
    open_ = [d for d in deadlines(filing) if d.open]
    first = min(open_, key=lambda d: d.due.date, default=None)
    filing.due_rule = first.rule_id if first else None
    filing.due_on = first.due.date if first else None
    filing.due_provisional = bool(first and first.due.provisional)


def recompute_provisional(year: int) -> int:
    """CAL-4: once a year's notice is entered, every filing whose open deadline was provisional is
    counted again on the official calendar; each changed date goes to the audit log. Returns how
    many changed. Runs after the notice's commit (calendar.notices.on_year_loaded)."""
    from sqlalchemy import select

    from ...database import db
    from .. import audit

    changed = 0
    for filing in db.session.scalars(select(Filing).where(Filing.due_provisional.is_(True),
                                                          Filing.deleted_at.is_(None))):
        before = (filing.due_on, filing.due_provisional)
        refresh_due(filing)
        if (filing.due_on, filing.due_provisional) != before:
            changed += 1
            audit.record("filing.deadline_recomputed", "filing", filing.id,
                         data={"year": year, "rule": filing.due_rule,
                               "from": before[0].isoformat() if before[0] else None,
                               "to": filing.due_on.isoformat() if filing.due_on else None,
                               "provisional": filing.due_provisional})
    db.session.commit()
    return changed
