"""Who is on a case, and what that does to each person's sync scope.

A phone pulls the cases its user is on. Joining a case must bring the whole case (rows older
than that phone's cursor), so the case and its rows are re-stamped with the joining
transaction's version; leaving a case leaves a ScopeExit so the next pull sends `del`.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ...database import db
from ...models.sync import note_pending
from ...models import (
    CaseClock, Conflict, Finding, Inspection, InspectionInspector, Party, Photo, RectificationOrder, ReviewDecision,
    Sample, SampleLab, ScopeExit, Signature, User,
)
from ..scope import party_scope

# Every table whose rows belong to one inspection (by inspection_id) and are pulled.
CASE_TABLES = (Finding, Sample, SampleLab, Photo, Signature, ReviewDecision, Conflict, RectificationOrder, CaseClock)


def load_users(user_ids: list[int]) -> dict[int, User]:
    rows = db.session.scalars(select(User).where(User.id.in_(user_ids)).options(selectinload(User.agency)))
    return {u.id: u for u in rows}


def set_inspectors(inspection: Inspection, users: list[User], version: int) -> None:
    """Make `users` the record's inspectors, in order; joiners get the case, leavers a `del`."""
    links = {link.user_id: link for link in inspection.inspectors}
    wanted = [u.id for u in users]
    removed = [uid for uid in links if uid not in wanted]
    for uid in removed:
        inspection.inspectors.remove(links[uid])
    for position, user in enumerate(users, start=1):
        link = links.get(user.id)
        if link is None:
            inspection.inspectors.append(InspectionInspector(user_id=user.id, position=position))
        elif link.position != position:
            link.position = position
    joined = [u for u in users if u.id not in links]
    db.session.flush()
    if joined and links:  # a new case has nothing older than its own version to re-send
        touch_case(inspection.id, version)
    party = db.session.get(Party, inspection.party_id)
    if any(not party.agency.path.startswith(u.agency.path) for u in joined):
        touch_party(party.id, version)
    for uid in removed:
        _leave(inspection, load_users([uid])[uid], version)


def touch_case(inspection_id: str, version: int) -> None:
    """Re-stamp a case and all its rows, so that a phone whose cursor is past them pulls them again."""
    note_pending(db.session, version, Inspection, *CASE_TABLES)
    db.session.execute(update(Inspection).where(Inspection.id == inspection_id).values(version=version)
                       .execution_options(synchronize_session=False))
    for model in CASE_TABLES:
        db.session.execute(update(model).where(model.inspection_id == inspection_id).values(version=version)
                           .execution_options(synchronize_session=False))


def touch_party(party_id: str, version: int) -> None:
    note_pending(db.session, version, Party)
    db.session.execute(update(Party).where(Party.id == party_id).values(version=version)
                       .execution_options(synchronize_session=False))


def _leave(inspection: Inspection, user: User, version: int) -> None:
    """The case leaves the user's scope; so does its party when no other case or jurisdiction shows it."""
    note_pending(db.session, version, ScopeExit)
    db.session.add(ScopeExit(user_id=user.id, entity_type="inspection", entity_id=inspection.id, version=version))
    still_sees_party = db.session.scalar(select(Party.id).where(Party.id == inspection.party_id, party_scope(user)))
    if still_sees_party is None:
        db.session.add(ScopeExit(user_id=user.id, entity_type="party", entity_id=inspection.party_id,
                                 version=version))
