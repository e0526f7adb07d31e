"""The record as submitted, kept per revision, and what changed between two submissions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...database import db
from ...models import AuditEvent, Finding, Inspection, InspectionRevision, Photo, Sample, Signature
from ...schemas.sync import FindingValue, InspectionValue, PhotoValue, SampleValue, SignatureValue
from .. import audit

# Bookkeeping that differs between any two submissions and says nothing about the record.
_VOLATILE = ("version", "status", "revision", "submitted_at", "decided_at", "case_number", "created_at")
_inspection = InspectionValue(exclude=_VOLATILE)
_finding = FindingValue(exclude=("version", "id", "inspection_id", "item_key"))
_sample = SampleValue(exclude=("version", "id", "inspection_id"))
_photo = PhotoValue(exclude=("version", "id", "inspection_id", "uploaded", "processing", "processing_error"))
_signature = SignatureValue(exclude=("version", "id", "inspection_id"))


def snapshot(inspection: Inspection) -> dict[str, Any]:
    """Everything the inspector recorded, keyed so that two snapshots compare item by item."""

    def live(model):
        return list(db.session.scalars(select(model).where(model.inspection_id == inspection.id,
                                                           model.deleted_at.is_(None))))

    return {
        "inspection": _inspection.dump(inspection),
        "findings": {f.item_key: _finding.dump(f) for f in live(Finding)},
        "samples": {s.id: _sample.dump(s) for s in live(Sample)},
        "photos": {p.id: _photo.dump(p) for p in live(Photo)},
        "signatures": {s.id: _signature.dump(s) for s in live(Signature)},
    }


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """[{"path", "old", "new"}] for every leaf that differs; a whole added or removed row is one entry."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                changes.append({"path": sub, "old": old[key], "new": None})
            elif key not in old:
                changes.append({"path": sub, "old": None, "new": new[key]})
            else:
                changes.extend(diff(old[key], new[key], sub))
        return changes
    return [] if old == new else [{"path": path, "old": old, "new": new}]


def record_submission(inspection: Inspection, submitted_by: int,
                      submitted_at_device: datetime | None = None) -> InspectionRevision:
    """Keep this submission's snapshot (and the phone's time of it); from the second revision on,
    with the diff to the one before."""
    current = snapshot(inspection)
    previous = db.session.get(InspectionRevision, (inspection.id, inspection.revision - 1))
    row = InspectionRevision(inspection_id=inspection.id, revision=inspection.revision, snapshot=current,
                             diff=diff(previous.snapshot, current) if previous else None,
                             reason=_amend_reason(inspection) if previous else None, submitted_by_id=submitted_by,
                             submitted_at_device=submitted_at_device)
    db.session.add(row)
    return row


def _amend_reason(inspection: Inspection) -> str | None:
    """Why the inspector amended the record: the reason given with the last inspection.amend
    (pushed in the same batch, its event is still waiting to be chained: audit.pending())."""
    for event in reversed(audit.pending()):
        if event.inspection_id == inspection.id and event.action == "inspection.amend":
            return event.reason
    return db.session.scalar(
        select(AuditEvent.reason).where(AuditEvent.inspection_id == inspection.id,
                                        AuditEvent.action == "inspection.amend")
        .order_by(AuditEvent.seq.desc()).limit(1))
