"""Jurisdiction: the one place that decides which parties, cases, photos and documents a user sees.

An inspector sees their county (and cases they are a co-inspector on), a league reviewer the
league's counties, HQ everything: each user sees their agency's subtree. Evidence bytes are seen
through the records that name them, once the case holds them (see `held_by_case`). Colleagues,
who may inspect together, are the inspectors of the user's league (see `colleague_root`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.sql import Select

from ..database import db
from ..errors import ApiError
from ..models import (
    Agency, BlobHolder, FilingAttachment, Inspection, InspectionInspector, IssuedDocument, Party, Photo, RectificationSignature, Signature, Task,
    TaskAssignee, User,
)


def agency_subtree(user: User) -> Select:
    """Ids of the agencies in the user's jurisdiction."""
    return select(Agency.id).where(Agency.path.startswith(user.agency.path))


def agency_in_scope(user: User, agency: Agency) -> bool:
    return agency.path.startswith(user.agency.path)


def colleague_root(user: User) -> Agency:
    """Whose inspectors may work with the user: a county's whole league (joint inspections across
    the counties of a league are normal), a league's or the region's own subtree."""
    agency = user.agency
    return agency.parent if agency.level == "county" and agency.parent is not None else agency


def colleague_filter(user: User) -> ColumnElement[bool]:
    """Filter (over User joined with its Agency) for the user's colleagues: active inspectors under
    `colleague_root`. The list a phone offers, the pull's colleague rows and the inspector rule of a
    record all use this or `is_colleague`, which says the same for a loaded row."""
    return and_(User.active.is_(True), User.role == "inspector", User.deleted_at.is_(None),
                Agency.path.startswith(colleague_root(user).path))


def is_colleague(user: User, other: User | None) -> bool:
    """`colleague_filter` for a user already loaded."""
    return (other is not None and other.active and other.role == "inspector" and other.deleted_at is None
            and other.agency.path.startswith(colleague_root(user).path))


def inspection_scope(user: User) -> ColumnElement[bool]:
    """Filter for inspections the user may see."""
    if not user.active:
        return false()
    co_inspector = exists().where(
        InspectionInspector.inspection_id == Inspection.id, InspectionInspector.user_id == user.id
    )
    return or_(Inspection.agency_id.in_(agency_subtree(user)), co_inspector)


def party_scope(user: User, case_parties: Select | None = None) -> ColumnElement[bool]:
    """Filter for parties the user may see: their jurisdiction's, and those of cases and tasks they work on
    (`case_parties`: ids of their cases' parties when the caller has them at hand; those outside the
    jurisdiction suffice, the others pass as the jurisdiction's)."""
    if not user.active:
        return false()
    own_cases = case_parties if case_parties is not None else select(Inspection.party_id).join(
        InspectionInspector, InspectionInspector.inspection_id == Inspection.id
    ).where(InspectionInspector.user_id == user.id)
    # A task may send an inspector of one county to a party of another county of the league.
    own_tasks = select(Task.party_id).join(TaskAssignee, TaskAssignee.task_id == Task.id).where(
        TaskAssignee.user_id == user.id, TaskAssignee.recused.is_(False), Task.party_id.is_not(None))
    return or_(Party.agency_id.in_(agency_subtree(user)), Party.id.in_(own_cases), Party.id.in_(own_tasks))


def task_scope(user: User) -> ColumnElement[bool]:
    """Filter for tasks the user may see: those of their jurisdiction (a county its own, a league
    its counties'), and those they are or were assigned to."""
    if not user.active:
        return false()
    assigned = exists().where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == user.id)
    return or_(Task.agency_id.in_(agency_subtree(user)), assigned)


def get_task(user: User, task_id: str) -> Task:
    """The task, or 404 when it does not exist or is outside the user's scope."""
    found = db.session.scalars(select(Task).where(Task.id == task_id, task_scope(user))).first()
    if found is None or found.deleted_at is not None:
        raise ApiError("not_found", "No such task.")
    return found


def get_inspection(user: User, inspection_id: str) -> Inspection:
    """The inspection, or 404 when it does not exist or is outside the user's scope."""
    found = db.session.scalars(
        select(Inspection).where(Inspection.id == inspection_id, inspection_scope(user))
    ).first()
    if found is None or found.deleted_at is not None:
        raise ApiError("not_found", "No such inspection.")
    return found


def get_party(user: User, party_id: str) -> Party:
    """The party, or 404 when it does not exist or is outside the user's scope."""
    found = db.session.scalars(select(Party).where(Party.id == party_id, party_scope(user))).first()
    if found is None or found.deleted_at is not None:
        raise ApiError("not_found", "No such party.")
    return found


def blob_in_scope(user: User, sha256: str) -> bool:
    """Whether the user may read these bytes: a record in their scope names them and holds them."""
    return blobs_named_in_scope(user, [sha256]).get(sha256, False)


def blobs_named_in_scope(user: User, hashes: Iterable[str]) -> dict[str, bool]:
    """Those of `hashes` that a record in the user's scope names (a photo, the phone's display copy of
    one, or a signature image), each with whether the bytes are held for one of those records."""
    hashes = list(hashes)
    named = _named(hashes, lambda record: inspection_scope(user))
    for sha256, held in named_by_recorder(user, hashes).items():
        named[sha256] = named.get(sha256, False) or held
    return named


def named_by_recorder(user: User, hashes: Iterable[str | None]) -> dict[str, bool]:
    """{hash: held} for those of `hashes` that a filing attachment this user recorded names (a
    lead's photo from their phone): its bytes are held for it once this user uploaded them."""
    wanted = {h for h in hashes if h}
    if not wanted:
        return {}
    held = exists().where(BlobHolder.sha256 == FilingAttachment.sha256, BlobHolder.user_id == user.id)
    rows = db.session.execute(select(FilingAttachment.sha256, held.label("held")).where(
        FilingAttachment.sha256.in_(wanted), FilingAttachment.added_by_id == user.id))
    found: dict[str, bool] = {}
    for sha256, is_held in rows:
        found[sha256] = found.get(sha256, False) or bool(is_held)
    return found


def _named(hashes: Iterable[str | None],
           within: Callable[[type[Photo] | type[Signature]], ColumnElement[bool]]) -> dict[str, bool]:
    """{hash: held for one of them} for those of `hashes` that a live photo or a signature matching
    `within` names."""
    wanted = {h for h in hashes if h}
    named: dict[str, bool] = {}
    if not wanted:
        return named
    for record, columns in ((Photo, (Photo.sha256, Photo.display_sha256)), (Signature, (Signature.image_sha256,)),
                            (RectificationSignature, (RectificationSignature.image_sha256,))):
        for column in columns:
            query = select(column, held_by_case(column, record).label("held")).join(
                Inspection, Inspection.id == record.inspection_id).where(column.in_(wanted), within(record))
            if record is Photo:
                query = query.where(Photo.deleted_at.is_(None))
            for sha256, held in db.session.execute(query):
                named[sha256] = named.get(sha256, False) or bool(held)
    return named


def held_by_case(sha256: ColumnElement[str],
                 record: type[Photo] | type[Signature] | type[RectificationSignature]) -> ColumnElement[bool]:
    """Whether the bytes a record of the enclosing query names are held for it: its author (a
    photo's `taken_by_id`, a signature's `created_by_id`) uploaded them, or someone of its case (creator, an inspector) uploaded
    them after the record was made (an upload needs its record first, so every upload for this
    record comes after it).

    A hash is not a password, and naming one in a record is no proof either: every case file prints
    its photos' hashes. Nor is being on the case by itself: whoever makes a record may list any
    inspector of the league on it, and so name a colleague's earlier upload.
    """
    # The record's table (photo, signature) belongs to the enclosing query: only these are the subqueries' own.
    inspectors = (select(InspectionInspector.user_id).where(InspectionInspector.inspection_id == record.inspection_id)
                  .correlate_except(InspectionInspector))
    creator = (select(Inspection.created_by_id).where(Inspection.id == record.inspection_id)
               .correlate_except(Inspection).scalar_subquery())
    of_the_case_since = and_(or_(BlobHolder.user_id.in_(inspectors), BlobHolder.user_id == creator),
                             BlobHolder.created_at >= record.created_at)
    # The author: a photo's taker, or the inspector whose phone recorded a signature (the party's or a
    # witness's is drawn on an inspector's phone), who may have sent the bytes before the row was made
    # again (a refusal edited after a return, a record resent after a rejection).
    author = Photo.taken_by_id if record is Photo else record.created_by_id  # a signature on a record or an order
    who = or_(BlobHolder.user_id == author, of_the_case_since)
    return exists().where(BlobHolder.sha256 == sha256, who).correlate_except(BlobHolder)


def hashes_held_by_case(inspection: Inspection, hashes: Iterable[str | None]) -> set[str]:
    """Those of `hashes` that a record of this case names and whose bytes are held for it (see
    `held_by_case`)."""
    named = _named(hashes, lambda record: record.inspection_id == inspection.id)
    return {sha256 for sha256, held in named.items() if held}


def get_document(user: User, document_id: int) -> IssuedDocument:
    found = db.session.scalars(
        select(IssuedDocument).join(Inspection, Inspection.id == IssuedDocument.inspection_id)
        .where(IssuedDocument.id == document_id, inspection_scope(user))
    ).first()
    if found is None:
        raise ApiError("not_found", "No such document.")
    return found
