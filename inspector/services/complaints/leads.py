"""From lead to inspection (issue 13 item 4): a complaint or report becomes an inspection task for
the county with jurisdiction, and the inspection done for it feeds the filing's outcome.

The task reaches the respondent's county phones, so it carries the respondent, the address, what
to check and the deadline, never the person who complained or reported (CR-R5): what_to_check is
cleaned of their name, phone and ID number whatever the officer typed.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...clock import cn_date, now
from ...database import db
from ...errors import ApiError
from ...models import Agency, Filing, FilingTransition, Finding, Inspection, Task, User
from .. import audit
from ..calendar.deadlines import Due
from ..tasks import create_task
from . import clocks, confidential
from .machine import ACTOR_ROLES

LEAD_KINDS = ("complaint", "report")
OPEN_FOR_TASKS = ("received", "accepted", "mediating", "verifying", "testing_paused", "case_opened")


def jurisdiction_county(filing: Filing) -> Agency:
    """The county with jurisdiction: the registered respondent's, else the handling bureau."""
    if filing.party is not None and filing.party.agency.level == "county":
        return filing.party.agency
    return filing.handling_agency


def default_what_to_check(filing: Filing) -> str:
    """The filing's facts (and what is asked), cleaned of the person's identity."""
    text = filing.facts if not filing.requests else f"{filing.facts}\n诉求：{filing.requests}"
    return confidential.redact(text, filing)


def default_due(filing: Filing) -> Due | None:
    """The task is due by the filing's open deadline (the 立案 decision, the mediation window…)."""
    open_ = [d for d in clocks.deadlines(filing) if d.open]
    first = min(open_, key=lambda d: d.due.date, default=None)
    return first.due if first else None


def create_inspection_task(filing: Filing, by: User, *, assignees: list[User], what_to_check: str | None = None,
                           agency: Agency | None = None, due: Due | None = None) -> Task:
    """Create the inspection task for the filing and commit; 4xx and nothing made on bad input."""
    if filing.kind not in LEAD_KINDS:
        raise ApiError("validation_failed", "An inquiry does not lead to an inspection.",
                       details={"kind": ["an inquiry does not lead to an inspection"]})
    if by.role not in ACTOR_ROLES or not filing.handling_agency.path.startswith(by.agency.path):
        raise ApiError("forbidden", "Only officers of the handling bureau create its inspection tasks.")
    if filing.status not in OPEN_FOR_TASKS:
        raise ApiError("transition_not_allowed", "This filing is not open for an inspection.",
                       details={"status": filing.status, "action": "create_task"})
    county = agency or jurisdiction_county(filing)
    text = confidential.redact((what_to_check or "").strip() or default_what_to_check(filing), filing)
    kind_word = "投诉" if filing.kind == "complaint" else "举报"
    title = f"{kind_word}核查：{filing.respondent_name}"[:200]
    task = create_task(source_kind=filing.kind, source_id=filing.id, agency=county, party=filing.party,
                       title=title, what_to_check=text, due=due or default_due(filing), urgent=filing.urgent,
                       assignees=assignees, created_by=by)
    db.session.add(FilingTransition(filing=filing, action="create_task", from_status=filing.status,
                                    to_status=filing.status, at=now(), on_date=cn_date(now()), by=by,
                                    data={"task": task.id, "toName": county.name}))
    audit.record("filing.create_task", "filing", filing.id, actor_id=by.id,
                 data={"task": task.id, "agency": county.code})
    db.session.commit()
    return task


@dataclass(frozen=True)
class InspectionResult:
    """What the inspection done for a filing's task found, for the filing page and the notice."""

    task: Task
    inspection: Inspection | None
    failed: list[Finding]
    narrative: str | None

    @property
    def summary(self) -> str:
        if self.inspection is None:
            return "核查任务尚未完成"
        if self.inspection.status in ("draft",):
            return "现场检查进行中"
        if not self.failed:
            return "现场检查未发现不合格项"
        items = "；".join(f"{_label(self.inspection, f.item_key)}{('（' + f.note + '）') if f.note else ''}"
                         for f in self.failed)
        return f"现场检查发现不合格项 {len(self.failed)} 项：{items}"


def _label(inspection: Inspection, key: str) -> str:
    item = inspection.template.item(key) if inspection.template else None
    return str((item or {}).get("label") or (item or {}).get("text") or key)


def tasks_for(filing: Filing) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.source_id == filing.id,
                                                      Task.source_kind.in_(LEAD_KINDS)).order_by(Task.created_at)))


def inspection_results(filing: Filing) -> list[InspectionResult]:
    """Each task of the filing with the inspection done for it (the one linked back), if any."""
    out = []
    for task in tasks_for(filing):
        inspection = db.session.scalars(
            select(Inspection).where(Inspection.task_id == task.id, Inspection.deleted_at.is_(None))
            .order_by(Inspection.created_at.desc())).first()
        failed = [f for f in inspection.findings if f.result == "fail"] if inspection is not None else []
        out.append(InspectionResult(task, inspection, failed, inspection.narrative if inspection else None))
    return out


def findings_text(filing: Filing) -> str:
    """The inspections' findings in one paragraph, for the outcome and its notice."""
    results = [r for r in inspection_results(filing) if r.inspection is not None and r.inspection.status != "draft"]
    return "；".join(r.summary for r in results)
