"""Rejected mutations: kept with their payload, shown to their author and to reviewers."""
from __future__ import annotations

from sqlalchemy import or_, select

from ...database import db
from ...models import Inspection, MutationLog, User
from ..scope import agency_subtree, inspection_scope

MAX_RESULTS = 200


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
