"""Count the stored due dates again, once a day (job `inspector.recount_deadlines`).

A filing keeps its open deadline in `filing.due_on`, a case clock in `case_clock.due_date`, for the
待办 lists and the phones. They were counted again only at a step of their own or of a sample at the
lab. Each day a sample stays at the lab its lab time grows (the clocks pause until the report
arrives), and a calendar an administrator corrected changes working days: the daily run counts
every open one again, writes each changed date to the audit log, and the changed clocks reach the
inspectors' phones at their next pull. Running it twice changes nothing the second time.
"""
from __future__ import annotations

from sqlalchemy import select

from ...database import db
from ...models import CaseClock, Filing
from .. import audit


def recount_open_deadlines() -> int:
    """Count every open filing deadline and open case clock again; returns how many moved. Commits."""
    from ..case_clocks import refresh
    from ..complaints.clocks import refresh_due

    changed = 0
    for filing in db.session.scalars(select(Filing).where(Filing.due_on.is_not(None), Filing.deleted_at.is_(None))):
        before = (filing.due_on, filing.due_provisional)
        refresh_due(filing)
        if (filing.due_on, filing.due_provisional) != before:
            changed += 1
            audit.record("filing.deadline_recounted", "filing", filing.id,
                         data={"rule": filing.due_rule, "from": before[0].isoformat(),
                               "to": filing.due_on.isoformat() if filing.due_on else None,
                               "provisional": filing.due_provisional})
    for row in db.session.scalars(select(CaseClock).where(CaseClock.status == "open")):
        before = (row.due_date, row.due_raw, row.due_provisional)
        if refresh(row):
            changed += 1
            audit.record("case_clock.recounted", "case_clock", row.id, inspection_id=row.inspection_id,
                         data={"rule": row.rule_id, "from": before[0].isoformat(), "to": row.due_date.isoformat(),
                               "provisional": row.due_provisional})
    db.session.commit()
    return changed
