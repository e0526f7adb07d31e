"""Reading inspections within scope, with everything a reader needs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..database import db
from ..models import Inspection, Photo, ReviewDecision, User
from . import attestation
from .scope import get_inspection, hashes_held_by_case, held_by_case, inspection_scope


@dataclass
class InspectionView:
    """An inspection with its photos (marked uploaded or not) and decisions, for dumping."""

    inspection: Inspection
    photos: list[dict[str, Any]]
    decisions: list[ReviewDecision]
    signature_standing: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inspection, name)


def inspection_view(user: User, inspection_id: str) -> InspectionView:
    inspection = get_inspection(user, inspection_id)
    rows = db.session.execute(
        select(Photo, held_by_case(Photo.sha256, Photo).label("uploaded"))
        .where(Photo.inspection_id == inspection.id, Photo.deleted_at.is_(None)).order_by(Photo.created_at)
    ).all()
    photos = [{**{c.key: getattr(p, c.key) for c in Photo.__table__.columns}, "uploaded": bool(up)} for p, up in rows]
    decisions = list(db.session.scalars(
        select(ReviewDecision).where(ReviewDecision.inspection_id == inspection.id).order_by(ReviewDecision.id)))
    return InspectionView(inspection, photos, decisions, signature_standing(inspection))


def signature_standing(inspection: Inspection) -> dict[str, Any]:
    """Which signatures were replaced, which attest content changed since, which lack a held image."""
    found = attestation.attestations(inspection)
    live = [a for a in found if not a.replaced]
    held = hashes_held_by_case(inspection, (a.signature.image_sha256 for a in live))
    return {
        "replaced": [a.signature.id for a in found if a.replaced],
        "stale": [{"id": a.signature.id, "role": a.signature.role,
                   "documents": [{"document": d.document, "signed_revision": d.signed_revision,
                                  "changed_on": d.changed_on}
                                 for d in a.documents.values() if d.status in (attestation.STALE, attestation.NOT_COVERED)]}
                  for a in live if a.stale],
        "unsigned": [a.signature.id for a in live
                     if a.signature.status == "signed" and a.signature.image_sha256 not in held],
    }


def list_inspections(user: User, status: str | None, limit: int, before: str | None) -> list[Inspection]:
    """Newest first, keyset-paginated by (created_at, id)."""
    stmt = select(Inspection).where(inspection_scope(user), Inspection.deleted_at.is_(None))
    if status:
        stmt = stmt.where(Inspection.status == status)
    if before:
        anchor = db.session.get(Inspection, before)
        if anchor is not None:
            stmt = stmt.where((Inspection.created_at < anchor.created_at) |
                              ((Inspection.created_at == anchor.created_at) & (Inspection.id < anchor.id)))
    return list(db.session.scalars(stmt.order_by(Inspection.created_at.desc(), Inspection.id.desc()).limit(limit)))
