"""Reviewers' decisions on submitted cases: approve (with a case number), return, reject.

Each decision is one transaction: the case row is locked, its version compared with the one
the reviewer saw, the case changed, the decision stored and the audit event appended; all of
it commits or none of it does. Phones learn of the decision at their next pull (the inspection
and the ReviewDecision are Versioned rows).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..database import db, utcnow
from ..errors import ApiError
from ..jobs import enqueue
from ..jobs.tasks import PREPARE_CASE_FILE
from ..models import DECISIONS, Inspection, ReviewDecision, User
from . import audit
from .case_numbers import INSPECTION, allocate_case_number
from .inspections import signature_standing
from .photo_checks import deviating_photos
from .scope import inspection_scope

STATUS_AFTER = {"approve": "approved", "return": "returned", "reject": "rejected"}
MAX_COMMENT = 2000
REVIEWER_ROLES = ("reviewer",)


@dataclass(frozen=True)
class Decision:
    """What the reviewer decided, on the case version they were looking at."""

    decision: str
    expected_version: int
    comment: str | None = None  # the reason, for a rejection
    item_comments: dict[str, str] = field(default_factory=dict)
    # The reviewer ticked that they checked the photos taken far from the inspection's time or place.
    photos_confirmed: bool = False
    # ... and that they approve although signatures attest an earlier revision of documents changed since.
    signatures_confirmed: bool = False


def decide(reviewer: User, inspection_id: str, request: Decision) -> ReviewDecision:
    """Apply a decision; 409 `case_changed` when the case moved on since the reviewer opened it."""
    if reviewer.role not in REVIEWER_ROLES:
        raise ApiError("forbidden", "Only a reviewer may decide on cases.")
    if request.decision not in DECISIONS:
        raise ApiError("validation_failed", f"decision must be one of {', '.join(DECISIONS)}",
                       details={"decision": [request.decision]})
    inspection = _lock(reviewer, inspection_id)
    if inspection.version != request.expected_version:
        raise ApiError("case_changed", details={"currentVersion": inspection.version,
                                                "yourVersion": request.expected_version,
                                                "status": inspection.status})
    if inspection.status != "submitted":
        raise ApiError("not_reviewable", f"Only a submitted case can be decided; this one is {inspection.status}.",
                       details={"status": inspection.status})
    comment, item_comments = _clean(inspection, request)
    confirmed_photos = _confirmed_photos(inspection, request)
    confirmed_signatures = _confirmed_stale_signatures(inspection, request)

    now = utcnow()
    case_number = None
    if request.decision == "approve":
        case_number = allocate_case_number(inspection.agency, INSPECTION, now)
        inspection.case_number = case_number
    inspection.status = STATUS_AFTER[request.decision]
    inspection.decided_at = now
    decision = ReviewDecision(inspection_id=inspection.id, revision=inspection.revision, decision=request.decision,
                              comment=comment, item_comments=item_comments, case_number=case_number,
                              reviewer_id=reviewer.id, created_at=now)
    db.session.add(decision)
    db.session.flush()
    audit.record(f"inspection.{request.decision}", "inspection", inspection.id, actor_id=reviewer.id,
                 inspection_id=inspection.id, reason=comment,
                 data={"revision": inspection.revision, "caseNumber": case_number, "itemComments": item_comments,
                       "decisionID": decision.id, "seenVersion": request.expected_version,
                       **({"confirmedPhotos": confirmed_photos} if confirmed_photos else {}),
                       **({"confirmedStaleSignatures": confirmed_signatures} if confirmed_signatures else {})})
    if request.decision == "approve":  # the approved case file, with its case number, drawn ahead
        enqueue(PREPARE_CASE_FILE, inspection.id)
    db.session.commit()
    return decision


def _lock(reviewer: User, inspection_id: str) -> Inspection:
    """The case under a row lock (PostgreSQL; SQLite write transactions are already exclusive),
    re-read from the database so the version compared is the committed one."""
    found = db.session.scalars(
        select(Inspection).where(Inspection.id == inspection_id, inspection_scope(reviewer))
        .with_for_update(of=Inspection).execution_options(populate_existing=True)
    ).first()
    if found is None or found.deleted_at is not None:
        raise ApiError("not_found", "No such inspection.")
    return found


def _confirmed_photos(inspection: Inspection, request: Decision) -> list[str]:
    """The photos an approval vouches for despite their time or place; refused unless confirmed."""
    if request.decision != "approve":
        return []
    flagged = [photo.id for photo, _deviation in deviating_photos(inspection)]
    if flagged and not request.photos_confirmed:
        raise ApiError("photos_unconfirmed", details={"photos": flagged})
    return flagged


def _confirmed_stale_signatures(inspection: Inspection, request: Decision) -> list[str]:
    """The signatures an approval accepts although their signer saw an earlier revision of a document
    changed since (the case file prints 未重新签名 in their place); refused unless confirmed."""
    if request.decision != "approve":
        return []
    stale = [s["id"] for s in signature_standing(inspection)["stale"]]
    if stale and not request.signatures_confirmed:
        raise ApiError("signatures_unconfirmed", details={"signatures": stale})
    return stale


def _clean(inspection: Inspection, request: Decision) -> tuple[str | None, dict[str, str]]:
    comment = (request.comment or "").strip()[:MAX_COMMENT] or None
    known = {item["key"] for item in inspection.template.items()}
    item_comments: dict[str, str] = {}
    unknown = []
    for key, text in (request.item_comments or {}).items():
        text = (text or "").strip()[:MAX_COMMENT]
        if not text:
            continue
        if key not in known:
            unknown.append(key)
        item_comments[key] = text
    if unknown:
        raise ApiError("validation_failed", "Comments name items that are not on this checklist.",
                       details={"itemComments": unknown})
    if request.decision == "return" and not (comment or item_comments):
        raise ApiError("validation_failed", "Say what the inspector should change: a comment or an item comment.",
                       details={"comment": ["required to return a case"]})
    if request.decision == "reject" and not comment:
        raise ApiError("validation_failed", "Give the reason for rejecting the case.",
                       details={"comment": ["required to reject a case"]})
    if request.decision != "return":
        item_comments = {}
    return comment, item_comments
