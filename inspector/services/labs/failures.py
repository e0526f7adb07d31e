"""SMP-R9: a sample's final 不合格 result starts what follows it (产品质量法 第十七条: 责令改正).

When a result becomes final 不合格 — the 复检 window closed without an application (finalize), the
party waived it, a 复检 application was refused and the result finalized, or the 复检's own report
failed — the bureau gets, once per sample:

(a) a 责令改正通知书 against the seller (the inspected party), drafted and pending: it waits for a
    负责人 to approve it in the console (rectification.approve) like any order drafted off site;
    it proposes 立即改正 (stop selling the failing batch) since the law sets no period (RECT-R1);
(b) a CASE-1 clock (核查后决定是否立案, 15 working days, +15 with approval) starting on the day
    the conclusion became final, owned by whoever recorded that step.

Running it again for the same sample finds both (the sample id is unique on each) and adds nothing.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ...database import db, utcnow
from ...models import CaseClock, RectificationOrder, Sample, SampleLab, User
from .. import audit

BASIS = "《中华人民共和国产品质量法》第十七条"
CONCLUDING = ("finalize", "waive", "result")


@dataclass(frozen=True)
class Followups:
    order: RectificationOrder | None
    clock: CaseClock | None


def lab_failure_followups(sample_id: str) -> Followups:
    order = db.session.scalars(select(RectificationOrder).where(RectificationOrder.sample_id == sample_id)).first()
    found = db.session.scalars(select(CaseClock).where(CaseClock.sample_id == sample_id)).first()
    return Followups(order, found)


def final_day(lab: SampleLab) -> date:
    """The day the 不合格 conclusion became final: the 复检 report's arrival, the waiver's day, or
    the day the bureau finalized it — never before the 复检 window's last day has passed."""
    step = next(s for s in reversed(lab.steps) if s.action in CONCLUDING)
    day = step.on_date
    first = next((r for r in lab.reports if r.check_type == "supervisory"), None)
    if step.action == "finalize" and first is not None and first.retest_due is not None \
            and not lab.retests and day <= first.retest_due:
        day = first.retest_due + timedelta(days=1)
    return day


def on_final_fail(by: User, sample: Sample, lab: SampleLab) -> Followups:
    """Create (a) and (b) for a sample whose result is final 不合格; idempotent."""
    if lab.status != "final_fail":
        return lab_failure_followups(sample.id)
    existing = lab_failure_followups(sample.id)
    inspection, day = sample.inspection, final_day(lab)
    report = next((r for r in reversed(lab.reports) if r.conclusion == "fail"), None)
    report_no = report.report_no if report else ""
    what = f"{sample.name}（{'，'.join(v for v in (sample.brand, sample.spec, sample.batch_no) if v)}）"
    order, clue = existing.order, existing.clock
    if order is None:
        summary = f"，不合格项目：{report.summary}" if report and report.summary else ""
        order = RectificationOrder(
            id=str(uuid.uuid4()), inspection_id=inspection.id, agency_id=inspection.agency_id,
            party_id=inspection.party_id, sample_id=sample.id, status="pending", issued_on_site=False,
            facts=f"你单位经营的{what}经监督抽查检验不合格（检验报告编号：{report_no}{summary}），"
                  f"检验结论于{day.isoformat()}确定。",
            item_keys=[], basis=BASIS, mode="immediate", due_date=None, report_back=True,
            requirements="立即停止销售该批次不合格产品，查明进货来源及销售去向，并将改正情况书面报告本局。",
            created_by_id=by.id, created_at=utcnow())
        order.agency, order.inspection = inspection.agency, inspection
        db.session.add(order)
        db.session.flush()
        audit.record("rectification.create", "rectification_order", order.id, actor_id=by.id,
                     inspection_id=inspection.id,
                     data={"status": "pending", "sample": sample.id, "rule": "SMP-R9", "mode": "immediate"})
    if clue is None:
        from ..case_clocks import open_clock

        clue = open_clock(by, rule_id="CASE-1", agency=inspection.agency, inspection=inspection, start_date=day,
                          owner=by, title=f"{inspection.party.name}：{sample.name}抽检不合格（{report_no}）"[:200],
                          rectification_id=order.id, check_role=False)
        clue.sample_id = sample.id
        db.session.flush()
    return Followups(order, clue)
