"""The case clocks and rectification orders in the 待办 lists (services/todo `SOURCES`)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.sql import Select

from ...database import db
from ...models import CaseClock, Party, RectificationOrder
from ..todo import Deadline, source
from . import alert_date, refresh


@source
def case_clock_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Each open case clock on its alert day (a natural-day limit's plain count; its 最迟 named in
    the title when later), handled by its owner."""
    rows = db.session.scalars(select(CaseClock).where(CaseClock.agency_id.in_(agency_ids), CaseClock.status == "open"))
    found = []
    for c in rows:
        refresh(c)  # lab time still running moves the day
        title = c.title if not c.due_raw or c.due_raw == c.due_date else f"{c.title}（最迟 {c.due_date.isoformat()}）"
        found.append(Deadline("case_clock", c.id, c.rule_id, title, alert_date(c), c.due_provisional, c.agency_id,
                              frozenset([c.owner_id])))
    return found


@source
def recheck_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    """Issued orders with no re-inspection task yet: the county's, on the re-inspection day (the
    job makes the task that day; one the original inspectors cannot take waits here for officers)."""
    rows = db.session.execute(select(RectificationOrder.id, RectificationOrder.doc_no, Party.name,
                                     RectificationOrder.recheck_on, RectificationOrder.agency_id)
                              .join(Party, Party.id == RectificationOrder.party_id)
                              .where(RectificationOrder.agency_id.in_(agency_ids), RectificationOrder.status == "issued",
                                     RectificationOrder.recheck_task_id.is_(None),
                                     RectificationOrder.recheck_on.is_not(None)))
    return [Deadline("rectification", order_id, "RECT-R3", f"复查 {party}（{doc_no}）", recheck_on, False, agency_id)
            for order_id, doc_no, party, recheck_on, agency_id in rows]
