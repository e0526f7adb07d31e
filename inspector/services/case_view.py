"""Everything the case page shows, gathered in one place from the models (scope first)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..database import db
from ..models import AuditEvent, Blob, Conflict, Inspection, InspectionRevision, Photo, ReviewDecision, User
from .amendments import change_lines
from .case_numbers import CHINA
from .photo_checks import PhotoDeviation, distance_m, parse_exif_time, photo_deviation
from .inspections import signature_standing
from .scope import get_inspection, held_by_case
from .sync.rejections import shown_with_case

CLOCK_MISMATCH = timedelta(minutes=10)  # EXIF vs phone clock beyond this: taken earlier, or a wrong clock
FAR_FROM_REGISTERED_M = 1000.0  # inspection GPS this far from the party's registered point is flagged


@dataclass(frozen=True)
class FindingLine:
    item_key: str
    label: str
    kind: str
    result: str | None  # pass / fail / na, or None for value items and unanswered ones
    value: Any
    note: str | None
    answered: bool
    legal_basis: str | None
    earlier_comments: list[tuple[int, str]]  # (revision, comment) from earlier returns
    basis_text: str | None = None  # the words of the cited clauses, as the template quotes them
    basis_version: str | None = None
    basis_pending: list[str] | None = None  # citations not yet checked (待核)

    @property
    def failed(self) -> bool:
        return self.result == "fail"


@dataclass(frozen=True)
class PhotoLine:
    photo: Photo
    uploaded: bool  # the original is stored
    display_uploaded: bool  # the phone's display copy is stored (thumbnails can be shown before the original)
    processing: str | None  # the original's: "pending" (处理中) until its decode and sizes are done, "ready", "failed"
    processing_error: str | None
    display_processing: str | None

    @property
    def thumb_ready(self) -> bool:
        """Whether a thumbnail exists to show: the original's, or the display copy's."""
        return ((self.uploaded and self.processing == "ready")
                or (self.display_uploaded and self.display_processing == "ready"))
    item_label: str | None
    exif_time: datetime | None
    clock_difference: timedelta | None
    deviation: PhotoDeviation  # taken far from the inspection's time or place (falsy when not)

    @property
    def clock_flag(self) -> bool:
        return self.clock_difference is not None and abs(self.clock_difference) > CLOCK_MISMATCH


@dataclass
class CaseView:
    inspection: Inspection
    findings: list[FindingLine]
    photos: list[PhotoLine]
    decisions: list[ReviewDecision]
    audit: list[tuple[AuditEvent, str | None]]
    revisions: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    distance_from_registered_m: float | None
    signature_standing: dict[str, Any] | None = None  # services.inspections.signature_standing

    @property
    def deviating_photos(self) -> int:
        """How many photos an approval must confirm (taken far from the inspection's time or place)."""
        return sum(1 for line in self.photos if line.deviation)

    @property
    def far_from_registered(self) -> bool:
        return self.distance_from_registered_m is not None and self.distance_from_registered_m > FAR_FROM_REGISTERED_M

    @property
    def failed_count(self) -> int:
        return sum(1 for f in self.findings if f.failed)


def case_view(user: User, inspection_id: str) -> CaseView:
    """The case as the review page shows it; 404 outside the user's scope."""
    inspection = get_inspection(user, inspection_id)
    decisions = list(db.session.scalars(select(ReviewDecision).where(ReviewDecision.inspection_id == inspection.id)
                                        .order_by(ReviewDecision.id)))
    party = inspection.party
    distance = None
    if None not in (inspection.lat, inspection.lon, party.lat, party.lon):
        distance = distance_m(inspection.lat, inspection.lon, party.lat, party.lon)
    return CaseView(inspection=inspection, findings=_findings(inspection, decisions),
                    photos=_photos(inspection), decisions=decisions, audit=_audit(inspection),
                    revisions=_revisions(inspection), conflicts=_conflicts(inspection),
                    distance_from_registered_m=distance, signature_standing=signature_standing(inspection))


def _findings(inspection: Inspection, decisions: list[ReviewDecision]) -> list[FindingLine]:
    by_key = {f.item_key: f for f in inspection.findings if f.deleted_at is None}
    earlier: dict[str, list[tuple[int, str]]] = {}
    for d in decisions:
        for key, text in (d.item_comments or {}).items():
            earlier.setdefault(key, []).append((d.revision, text))
    lines = []
    for item in inspection.template.items():
        finding = by_key.get(item["key"])
        lines.append(FindingLine(
            item_key=item["key"], label=item["label"], kind=item["kind"],
            result=finding.result if finding else None, value=finding.value if finding else None,
            note=finding.note if finding else None, answered=finding is not None,
            legal_basis=item.get("legal_basis"), earlier_comments=earlier.get(item["key"], []),
            basis_text=item.get("basis_text"), basis_version=item.get("basis_version"),
            basis_pending=item.get("basis_pending")))
    # Failed items first, then the checklist's own order (sorted() is stable).
    return sorted(lines, key=lambda line: 0 if line.failed else 1)


def _photos(inspection: Inspection) -> list[PhotoLine]:
    original, display = aliased(Blob), aliased(Blob)
    rows = db.session.execute(
        select(Photo, held_by_case(Photo.sha256, Photo).label("uploaded"),
               held_by_case(Photo.display_sha256, Photo).label("display_uploaded"),
               original.processing, original.processing_error, display.processing)
        .outerjoin(original, original.sha256 == Photo.sha256)
        .outerjoin(display, display.sha256 == Photo.display_sha256)
        .where(Photo.inspection_id == inspection.id, Photo.deleted_at.is_(None)).order_by(Photo.created_at)
    ).all()
    labels = {item["key"]: item["label"] for item in inspection.template.items()}
    lines = []
    for photo, uploaded, display_uploaded, processing, processing_error, display_processing in rows:
        exif = parse_exif_time(photo.exif_taken_at)
        difference = (photo.taken_at_device - exif) if (exif and photo.taken_at_device) else None
        lines.append(PhotoLine(photo, bool(uploaded), bool(display_uploaded), processing if uploaded else None,
                               processing_error if uploaded else None,
                               display_processing if display_uploaded else None,
                               labels.get(photo.item_key or ""), exif, difference, photo_deviation(photo, inspection)))
    return lines


def _audit(inspection: Inspection) -> list[tuple[AuditEvent, str | None]]:
    rows = db.session.execute(
        select(AuditEvent, User.display_name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.inspection_id == inspection.id).order_by(AuditEvent.seq)
    ).all()
    shown = shown_with_case(inspection.id, [event for event, _name in rows])
    return [(event, name) for event, name in rows if shown(event)]


def _revisions(inspection: Inspection) -> list[dict[str, Any]]:
    """Amendments: what changed from each submitted revision to the next (kept by the sync service)."""
    rows = db.session.scalars(select(InspectionRevision).where(InspectionRevision.inspection_id == inspection.id,
                                                               InspectionRevision.revision > 1)
                              .order_by(InspectionRevision.revision))
    return [{"revision": r.revision, "changes": change_lines(inspection, r.diff), "reason": r.reason,
             "created_at": r.submitted_at, "submitted_at_device": r.submitted_at_device} for r in rows]


def _conflicts(inspection: Inspection) -> list[dict[str, Any]]:
    """Open merge conflicts on the case or its rows (kept by the sync service)."""
    rows = db.session.scalars(select(Conflict).where(Conflict.inspection_id == inspection.id,
                                                     Conflict.status == "open").order_by(Conflict.created_at))
    return [{"entity_type": c.entity_type, "entity_id": c.entity_id, "field": c.field,
             "server_value": c.server_value, "client_value": c.client_value} for c in rows]


def local_time(moment: datetime | None) -> str:
    """A timestamp in China time, to the minute, as every console page prints it."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if moment else ""
