"""The lab's deadlines in the 待办 lists: the bureau's, for every sample of the jurisdiction whose
step is still to do — send it to the lab (SMP-R4 C_SHIP), the lab's report (C_LAB), the result
notice (SMP-R5 C_NOTIFY), the decision on a 复检 application (C_RETEST_ACCEPT) — and the 复检
window (SMP-R6), so the bureau sees when a result becomes final (or a late application arrives).
The periods of the first four are settings (rules.py); their titles say so when UNCONFIRMED."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from ...database import db
from ...models import Inspection, LabReport, Party, Sample, SampleLab
from ..todo import Deadline, source
from .rules import lab_dates

# status -> the lab date whose step that status waits for
WAITING = {"sampled": "ship", "at_lab": "report", "retesting": "retest_report", "reported": "notify",
           "retest_applied": "retest_accept"}
TITLES = {"ship": "送检期限", "report": "检验报告期限", "retest_report": "复检报告期限", "notify": "检验结果告知期限",
          "retest_accept": "复检受理决定期限"}
RULES = {"ship": "SMP-R4", "report": "SMP-R4-report", "retest_report": "SMP-R4-retest", "notify": "SMP-R5",
         "retest_accept": "SMP-R6-accept"}
UNCONFIRMED_MARK = "（期限未确认）"


@source
def lab_step_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Each sample of the jurisdiction waiting for a lab step with a period (rules.py); the bureau's."""
    rows = db.session.execute(
        select(Sample, SampleLab, Party.name, Inspection.agency_id)
        .join(Inspection, Inspection.id == Sample.inspection_id).join(Party, Party.id == Inspection.party_id)
        .outerjoin(SampleLab, SampleLab.id == Sample.id)
        .where(Inspection.agency_id.in_(agency_ids), Inspection.deleted_at.is_(None), Sample.deleted_at.is_(None),
               (SampleLab.id.is_(None)) | (SampleLab.status.in_(tuple(WAITING))))
        .options(selectinload(SampleLab.submissions), selectinload(SampleLab.reports),
                 selectinload(SampleLab.retests)))
    found = []
    for sample, lab, party, agency_id in rows:
        wanted = WAITING[lab.status if lab is not None else "sampled"]
        for d in lab_dates(sample, lab):
            if d.key == wanted and d.open:
                mark = UNCONFIRMED_MARK if d.setting.status == "UNCONFIRMED" else ""
                found.append(Deadline("sample", sample.id, RULES[d.key], f"{TITLES[d.key]} {party} {sample.name}{mark}",
                                      d.due, d.provisional, agency_id))
    return found


@source
def retest_window_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Each sample whose result was delivered and whose 复检 window is open (SMP-R6); the bureau's."""
    rows = db.session.execute(
        select(SampleLab.id, Sample.name, Party.name, LabReport.retest_due, LabReport.retest_due_provisional,
               Inspection.agency_id)
        .join(Sample, Sample.id == SampleLab.id).join(Inspection, Inspection.id == SampleLab.inspection_id)
        .join(Party, Party.id == Inspection.party_id)
        .join(LabReport, (LabReport.sample_id == SampleLab.id) & (LabReport.check_type == "supervisory"))
        .where(SampleLab.status == "objection_window", LabReport.retest_due.is_not(None),
               Inspection.agency_id.in_(agency_ids), Inspection.deleted_at.is_(None)))
    return [Deadline("sample", sample_id, "SMP-R6", f"复检申请期限 {party} {name}", due, bool(provisional),
                     agency_id)
            for sample_id, name, party, due, provisional, agency_id in rows]
