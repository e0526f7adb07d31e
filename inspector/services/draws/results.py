"""Results of drawn checks and their publication (一公开, DR-R5..R7).

A drawn party is checked when its task is done: the result comes from the inspection that did
it (a failed item: 发现问题待后续处理, else 未发现问题), checked on the Beijing date it was
submitted. It must be published within 20 working days of that date (DR-L4); an officer confirms
the result or picks another DR-R5 category (无法联系, 不配合检查 … as the inspection record tells)
and publishes it; the public list then shows it.
Until then the console shows the due date, and red once it has passed. A result 发现问题待后续处理
also shows the 15 working days within which its clue or case must be decided (DR-R7, CR-R1).

The public list carries no personal data: no inspector, no legal representative, no phone or
address; an individual business (个体工商户, credit code 92…) shows its name and credit code masked.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...clock import cn_date, today_cn
from ...database import db, utcnow
from ...errors import ApiError
from ...models import RESULT_CODES, Inspection, InspectionPlan, PlanTarget, Task, User
from .. import audit
from ..calendar.deadlines import Due, working_days_after
from .plans import ensure_manager, get_plan

PUBLISH_WITHIN_WD = 20  # DR-L4: 抽查检查结束之日起20个工作日内公示
FOLLOWUP_WITHIN_WD = 15  # DR-R7: a clue's 立案 decision, CR-R1
PUBLIC_LIMIT = 1000
RESULT_TEXT = {
    "ok": "未发现问题",
    "not_disclosed": "未按规定公示信息",
    "unreachable": "通过登记的住所（经营场所）无法联系",
    "corrected": "发现问题已责令改正",
    "followup": "发现问题待后续处理",
    "no_activity": "未发现开展本次抽查涉及的经营活动",
    "refused": "不配合检查",
}
# Where an individual business's trade name begins after the owner's name, kept when masking.
_TRADE_WORDS = re.compile(r"农资|化肥|农药|种子|种业|农机|农膜|门市|经销|经营|商店|商行|超市|店|部|站")


def publish_due(checked_on: date) -> Due:
    return working_days_after(checked_on, PUBLISH_WITHIN_WD)


def followup_due(checked_on: date) -> Due:
    return working_days_after(checked_on, FOLLOWUP_WITHIN_WD)


@dataclass
class TargetRow:
    target: PlanTarget
    task: Task
    inspection: Inspection | None
    checked_on: date | None
    result_code: str | None  # the published one, or the one the inspection suggests
    publish_due: Due | None
    followup_due: Due | None

    @property
    def published(self) -> bool:
        return self.target.published_at is not None

    @property
    def overdue(self) -> bool:
        return not self.published and self.publish_due is not None and today_cn() > self.publish_due.date


def _inspection_result(inspection: Inspection) -> tuple[date, str]:
    moment = inspection.submitted_at or inspection.ended_at_device or inspection.updated_at
    failed = any(f.result == "fail" for f in inspection.findings)
    return cn_date(moment), ("followup" if failed else "ok")


def target_rows(plan: InspectionPlan) -> list[TargetRow]:
    """The parties of the plan's draw in force, in draw order, with their task and (once checked)
    result and dates."""
    current = plan.current_draw
    if current is None:
        return []
    targets = list(db.session.scalars(
        select(PlanTarget).where(PlanTarget.draw_id == current.id).order_by(PlanTarget.position)
        .options(selectinload(PlanTarget.party), selectinload(PlanTarget.task).selectinload(Task.assignees))))
    done = [t.task.inspection_id for t in targets if t.task.status == "done" and t.task.inspection_id]
    inspections = {i.id: i for i in db.session.scalars(
        select(Inspection).where(Inspection.id.in_(done)).options(selectinload(Inspection.findings)))} if done else {}
    rows = []
    for target in targets:
        inspection = inspections.get(target.task.inspection_id or "")
        checked_on, code = (target.checked_on, target.result_code) if target.published_at else (None, None)
        if checked_on is None and inspection is not None:
            checked_on, code = _inspection_result(inspection)
        due = (Due(target.publish_due, target.publish_due_provisional) if target.publish_due
               else publish_due(checked_on) if checked_on else None)
        rows.append(TargetRow(target, target.task, inspection, checked_on, code, due,
                              followup_due(checked_on) if checked_on and code == "followup" else None))
    return rows


def overdue_count(plan: InspectionPlan) -> int:
    return sum(1 for row in target_rows(plan) if row.overdue)


def publish(user: User, plan_id: str, target_id: Any, result_code: str | None) -> PlanTarget:
    """Publish a checked party's result (一公开); 400/409 and nothing changed when it is not
    checked yet, published already, or the category is unknown."""
    ensure_manager(user)
    plan = get_plan(user, plan_id, lock=True)
    row = next((r for r in target_rows(plan) if str(r.target.id) == str(target_id)), None)
    if row is None:
        raise ApiError("not_found", "No such drawn party.")
    if row.published:
        raise ApiError("conflict", "This result is published already.")
    if row.checked_on is None:
        raise ApiError("validation_failed", "This party has not been checked yet: its task is not done.",
                       details={"target": ["not checked yet"]})
    code = result_code or row.result_code
    if code not in RESULT_CODES:
        raise ApiError("validation_failed", "Unknown result category.", details={"resultCode": ["unknown"]})
    target = row.target
    target.result_code, target.checked_on = code, row.checked_on
    target.publish_due, target.publish_due_provisional = row.publish_due.date, row.publish_due.provisional
    target.published_at, target.published_by_id = utcnow(), user.id
    audit.record("plan.publish", "inspection_plan", plan.id, actor_id=user.id,
                 data={"target": target.id, "party": target.party_id, "resultCode": code,
                       "checkedOn": row.checked_on.isoformat(), "publishDue": target.publish_due.isoformat(),
                       "late": today_cn() > target.publish_due})
    db.session.commit()
    return target


# ------------------------------------------------------------------ the public list

def is_individual(credit_code: str | None) -> bool:
    """个体工商户: the unified social credit code's registration office 9 (工商) and kind 2."""
    return bool(credit_code) and credit_code.startswith("92")


def masked_name(name: str, credit_code: str | None) -> str:
    if not is_individual(credit_code):
        return name
    found = _TRADE_WORDS.search(name, 1)
    return name[:1] + "某某" + (name[found.start():] if found and found.start() >= 2 else "")


def masked_code(credit_code: str | None) -> str:
    if not credit_code:
        return ""
    return credit_code[:8] + "******" + credit_code[-4:] if is_individual(credit_code) else credit_code


@dataclass(frozen=True)
class PublicRow:
    plan: str
    agency: str
    party: str
    credit_code: str
    area: str
    items: str
    checked_on: date
    result: str
    published_on: date


PUBLIC_COLUMNS = ("抽查计划", "检查实施机关", "检查对象", "统一社会信用代码", "所在地区", "抽查事项",
                  "检查日期", "检查结果", "公示日期")


def public_rows() -> list[PublicRow]:
    """Every published result, newest publication first (nothing personal: see the module doc)."""
    targets = db.session.scalars(
        select(PlanTarget).where(PlanTarget.published_at.is_not(None))
        .order_by(PlanTarget.published_at.desc(), PlanTarget.id).limit(PUBLIC_LIMIT)
        .options(selectinload(PlanTarget.party), selectinload(PlanTarget.plan).selectinload(InspectionPlan.agency)))
    return [PublicRow(plan=t.plan.name, agency=t.plan.agency.name,
                      party=masked_name(t.party.name, t.party.credit_code),
                      credit_code=masked_code(t.party.credit_code), area=t.party.agency.short_name,
                      items=t.plan.check_items, checked_on=t.checked_on, result=RESULT_TEXT[t.result_code],
                      published_on=cn_date(t.published_at)) for t in targets]


def _cell(value: str) -> str:
    # Anyone downloads this file: a name typed as "=HYPERLINK(...)" must stay text in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def public_csv(rows: list[PublicRow]) -> bytes:
    """The public list as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PUBLIC_COLUMNS)
    for r in rows:
        writer.writerow([_cell(v) for v in (r.plan, r.agency, r.party, r.credit_code, r.area, r.items,
                                            r.checked_on.isoformat(), r.result, r.published_on.isoformat())])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
