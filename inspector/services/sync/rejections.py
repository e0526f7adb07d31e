"""Rejected mutations: kept with their payload, shown to their author and to reviewers."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import or_, select

from ...database import db
from ...models import AuditEvent, Inspection, MutationLog, User
from ..scope import agency_subtree, inspection_scope

MAX_RESULTS = 200
REJECT_ACTION = "mutation.reject"  # the audit event of a rejected mutation; entity "<clientID>:<mutationID>"


def list_rejections(user: User, inspection_id: str | None = None, limit: int = 50) -> list[MutationLog]:
    """Newest first: the user's own, those naming a case in their scope, those of their jurisdiction's staff."""
    authors = select(User.id).where(User.agency_id.in_(agency_subtree(user)))
    cases = select(Inspection.id).where(inspection_scope(user))
    stmt = select(MutationLog).where(MutationLog.status == "rejected", or_(
        MutationLog.user_id == user.id, MutationLog.inspection_id.in_(cases), MutationLog.user_id.in_(authors)))
    if inspection_id is not None:
        stmt = stmt.where(MutationLog.inspection_id == inspection_id)
    return list(db.session.scalars(stmt.order_by(MutationLog.created_at.desc(), MutationLog.mutation_id.desc())
                                   .limit(min(limit, MAX_RESULTS))))


def shown_with_case(inspection_id: str, events: Sequence[AuditEvent]) -> Callable[[AuditEvent], bool]:
    """Which of the audit events naming a case are shown with it (case page, case-file appendix).

    All but a rejection whose register row no longer names the case: an outsider's rejection is
    filed with him alone, and events written before that rule named the case; the chain keeps them
    as written, so the register decides. One query, and only when a rejection is among the events.
    """
    if not any(e.action == REJECT_ACTION for e in events):
        return lambda event: True
    filed = {(device_id, str(mutation_id)) for device_id, mutation_id in db.session.execute(
        select(MutationLog.device_id, MutationLog.mutation_id)
        .where(MutationLog.inspection_id == inspection_id, MutationLog.status == "rejected"))}
    return lambda event: (event.action != REJECT_ACTION
                          or (event.device_id, event.entity_id.rsplit(":", 1)[-1]) in filed)
