"""Reports upward on the 待办 lists: every report a bureau owes and has not submitted is a deadline
of that bureau, and so of the bureaus above it (whose lists cover their jurisdiction): late reports
show as overdue on both, the next ones as due today or soon."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.sql import Select

from ...database import db
from ...models import Agency, Campaign
from ..todo import Deadline, source
from .deadlines import obligations_of, owner, submitted_for
from .service import kind_title


@source
def report_deadlines(agency_ids: Select) -> Iterable[Deadline]:
    campaigns = [(c, owner(c)) for c in db.session.scalars(select(Campaign).where(Campaign.deleted_at.is_(None)))]
    if not campaigns:
        return []
    found = []
    for agency in db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids),
                                                          Agency.level.in_(("league", "county")))):
        for campaign, runner in campaigns:
            if agency.id == runner.id or not agency.path.startswith(runner.path):
                continue
            for ob in obligations_of(agency, campaign):
                if submitted_for(ob) is None:
                    found.append(Deadline("upward_report", ob.key, "UP-R1",
                                          f"{agency.short_name} {kind_title(ob.kind)}", ob.due_date, False, agency.id))
    return found
