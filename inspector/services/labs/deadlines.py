"""The 复检 window in the 待办 lists: open windows of the jurisdiction, so the bureau sees when a
result becomes final (or a late application arrives)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.sql import Select

from ...database import db
from ...models import Inspection, LabReport, Party, Sample, SampleLab
from ..todo import Deadline, source


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
