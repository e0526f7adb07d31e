"""Jurisdiction: the one place that decides which parties, cases, photos and documents a user sees.

An inspector sees their county (and cases they are a co-inspector on), a league reviewer the
league's counties, HQ everything: each user sees their agency's subtree.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.sql import Select

from ..database import db
from ..errors import ApiError
from ..models import Agency, Inspection, InspectionInspector, IssuedDocument, Party, Photo, Signature, User


def agency_subtree(user: User) -> Select:
    """Ids of the agencies in the user's jurisdiction."""
    return select(Agency.id).where(Agency.path.startswith(user.agency.path))


def agency_in_scope(user: User, agency: Agency) -> bool:
    return agency.path.startswith(user.agency.path)


def inspection_scope(user: User) -> ColumnElement[bool]:
    """Filter for inspections the user may see."""
    if not user.active:
        return false()
    co_inspector = exists().where(
        InspectionInspector.inspection_id == Inspection.id, InspectionInspector.user_id == user.id
    )
    return or_(Inspection.agency_id.in_(agency_subtree(user)), co_inspector)


def party_scope(user: User) -> ColumnElement[bool]:
    """Filter for parties the user may see: their jurisdiction's, and those of cases they work on."""
    if not user.active:
        return false()
    own_cases = select(Inspection.party_id).join(
        InspectionInspector, InspectionInspector.inspection_id == Inspection.id
    ).where(InspectionInspector.user_id == user.id)
    return or_(Party.agency_id.in_(agency_subtree(user)), Party.id.in_(own_cases))


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
    """Whether a record in the user's scope references these bytes (a hash is not a password)."""
    return sha256 in blobs_in_scope(user, [sha256])


def blobs_in_scope(user: User, hashes: Iterable[str]) -> set[str]:
    """Those of `hashes` that a record in the user's scope references: a photo (its original or
    the phone's display copy) or a signature image."""
    wanted = set(hashes)
    if not wanted:
        return set()
    photos = select(Photo.sha256, Photo.display_sha256).join(Inspection, Inspection.id == Photo.inspection_id).where(
        Photo.sha256.in_(wanted) | Photo.display_sha256.in_(wanted), Photo.deleted_at.is_(None),
        inspection_scope(user),
    )
    signatures = select(Signature.image_sha256).join(Inspection, Inspection.id == Signature.inspection_id).where(
        Signature.image_sha256.in_(wanted), inspection_scope(user)
    )
    referenced = {sha for row in db.session.execute(photos) for sha in row}
    referenced.update(db.session.scalars(signatures))
    return referenced & wanted


def get_document(user: User, document_id: int) -> IssuedDocument:
    found = db.session.scalars(
        select(IssuedDocument).join(Inspection, Inspection.id == IssuedDocument.inspection_id)
        .where(IssuedDocument.id == document_id, inspection_scope(user))
    ).first()
    if found is None:
        raise ApiError("not_found", "No such document.")
    return found
