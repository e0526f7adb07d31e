"""What each signature attests: the documents its signer saw, and whether they still print so.

A signature (or a refusal) carries, per document it covers (现场笔录, 抽样记录, each 证据提取单),
the SHA-256 of that document's content as the phone showed it and the record's revision
(`Signature.attests`). The content is built by `inspector.pdf.content` from a *record* — the
same plain JSON the phone builds from its draft — so phone and server hash the same bytes.

Here: the record of an inspection as the database holds it, its documents' current hashes, and
for each signature per document whether it is *attested* (same hash: the image prints), *stale*
(the content changed after signing: the cell says so), *not covered* (a document added after
signing) or *unknown* (a signature from before phones sent hashes: printed as before).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ...database import db
from ...models import AuditEvent, Inspection, Photo, Sample, Signature
from ...pdf import content as dc
from ...pdf.wording import local

ATTESTED, STALE, NOT_COVERED, UNKNOWN = "attested", "stale", "not_covered", "unknown"
# Audit actions that change a document's content, by the document they change.
_ON_SITE_ACTIONS = ("inspection.update", "finding.set", "signature.refuse")
_SAMPLE_ACTIONS = ("sample.add", "sample.update", "sample.remove")
_PHOTO_ACTIONS = ("photo.add", "photo.update", "photo.remove")


def record_of(inspection: Inspection) -> dict[str, Any]:
    """The inspection as the record JSON `pdf.content` takes (the phone builds the same from its draft)."""
    template = inspection.template
    party = inspection.party
    findings = {f.item_key: f for f in inspection.findings if f.deleted_at is None}
    checklist = [{"title": section.get("title"),
                  "items": [{"key": item["key"], "label": item.get("label"), "kind": item.get("kind"),
                             "unit": item.get("unit"), "legalBasis": item.get("legal_basis"),
                             "result": findings[item["key"]].result, "value": findings[item["key"]].value,
                             "note": findings[item["key"]].note}
                            for item in section.get("items", []) if item["key"] in findings]}
                 for section in template.body.get("sections", [])]
    samples = sorted((s for s in inspection.samples if s.deleted_at is None), key=lambda s: (s.created_at, s.id))
    photos = db.session.scalars(select(Photo).where(Photo.inspection_id == inspection.id,
                                                    Photo.deleted_at.is_(None))).all()
    return {
        "startedAt": inspection.started_at_device or inspection.created_at,
        "place": inspection.place or "",
        "inspectors": [{"name": link.user.display_name, "certNo": link.user.cert_no} for link in inspection.inspectors],
        "party": {"name": party.name, "creditCode": party.credit_code, "legalRep": party.legal_rep,
                  "address": party.address, "phone": party.phone, "entityType": party.entity_type,
                  "operatorIDNumber": party.operator_id_number},
        "onSitePerson": inspection.on_site_person, "partyNotified": inspection.party_notified,
        "refusal": _refusal(inspection),
        "certificatesAnswer": inspection.certificates_answer, "recusalAnswer": inspection.recusal_answer,
        "closingAnswer": inspection.closing_answer, "narrative": inspection.narrative,
        "partyStatement": inspection.party_statement,
        "checklist": checklist,
        "samples": [{"name": s.name, "brand": s.brand, "spec": s.spec, "batchNo": s.batch_no,
                     "productionDate": s.production_date.isoformat() if s.production_date else None,
                     "maker": s.maker, "standard": s.standard, "quantity": s.quantity,
                     "baseQuantity": s.base_quantity, "backupQuantity": s.backup_quantity,
                     "sealNumbers": list(s.seal_numbers or []), "note": s.note,
                     "sampleNo": s.sample_no, "sampledAt": s.sampled_at, "labName": s.lab_name,
                     "pricePaid": s.price_paid, "backupSealNumbers": list(s.backup_seal_numbers or []),
                     "backupStorage": s.backup_storage, "backupCondition": s.backup_condition,
                     "sealedPhotoIDs": list(s.sealed_photo_ids or [])} for s in samples],
        "photos": [{"id": p.id, "sha256": p.sha256, "caption": p.caption,
                    "itemLabel": ((template.item(p.item_key) or {}).get("label") or p.item_key) if p.item_key else None,
                    "takenAt": p.taken_at_device, "remark": p.remark} for p in photos],
    }


def _refusal(inspection: Inspection) -> dict[str, Any] | None:
    """The party's refusal to sign in force (the latest), as the phone's draft holds it."""
    rows = sorted((s for s in inspection.signatures if s.deleted_at is None and s.role == "party"),
                  key=lambda s: (s.created_at, s.id))
    row = rows[-1] if rows else None
    if row is None or row.status != "refused":
        return None
    return {"reason": row.refusal_reason, "witnessName": row.witness_name, "at": row.signed_at_device,
            "witnessIDNumber": row.witness_id_number, "witnessUnit": row.witness_unit,
            "witnessPhone": row.witness_phone, "recordingFileNo": row.recording_file_no,
            "recordingDevice": row.recording_device, "recordingStartedAt": row.recording_started_at}


def current_contents(inspection: Inspection) -> dict[str, dict[str, Any]]:
    return dc.document_contents(record_of(inspection))


@dataclass(frozen=True)
class DocumentAttestation:
    """One signature's standing on one document."""

    document: str
    status: str  # ATTESTED | STALE | NOT_COVERED | UNKNOWN
    signed_revision: int | None = None
    changed_on: date | None = None  # when the content changed after signing (STALE, NOT_COVERED)


@dataclass(frozen=True)
class SignatureAttestation:
    signature: Signature
    replaced: bool
    documents: dict[str, DocumentAttestation] = field(default_factory=dict)

    @property
    def stale(self) -> bool:
        return any(d.status in (STALE, NOT_COVERED) for d in self.documents.values())

    def on(self, document: str) -> DocumentAttestation:
        return self.documents.get(document) or DocumentAttestation(document, UNKNOWN)


def attestations(inspection: Inspection, hashes: dict[str, str] | None = None) -> list[SignatureAttestation]:
    """Every signature and refusal of the case (replaced ones too, oldest first), each with its
    standing on every document that prints now."""
    if hashes is None:
        hashes = {key: dc.content_hash(c) for key, c in current_contents(inspection).items()}
    rows = sorted(db.session.scalars(select(Signature).where(Signature.inspection_id == inspection.id)),
                  key=lambda s: (s.created_at, s.id))
    changes = _content_changes(inspection.id) if any(r.attests for r in rows) else []
    # A refusal attests the 现场笔录 it was shown or read before it was recorded: without itself.
    refusal_hashes = None
    if any(r.attests is not None and r.status == "refused" for r in rows):
        record = record_of(inspection)
        refusal_hashes = {**hashes, dc.ON_SITE: dc.content_hash(dc.on_site_content(dc.without_refusal(record)))}
    out = []
    for row in rows:
        documents = {}
        if row.attests is not None:
            claimed = {a["document"]: a for a in row.attests}
            own = refusal_hashes if row.status == "refused" else hashes
            for key in dc.documents_for(row.role if row.status != "refused" else None, hashes):
                sha = own[key]
                entry = claimed.get(key)
                if entry is not None and entry.get("sha256") == sha:
                    documents[key] = DocumentAttestation(key, ATTESTED, entry.get("revision"))
                else:
                    status = STALE if entry is not None else NOT_COVERED
                    revision = entry.get("revision") if entry is not None else _revision_of(row)
                    documents[key] = DocumentAttestation(key, status, revision,
                                                         _changed_on(changes, key, row.created_at))
        out.append(SignatureAttestation(row, replaced=row.deleted_at is not None, documents=documents))
    return out


def _revision_of(row: Signature) -> int | None:
    return max((a.get("revision") or 0 for a in row.attests or []), default=None) or None


def _content_changes(inspection_id: str) -> list[tuple[datetime, str, str]]:
    """(when, action, entity id) of every audit event that changed a document of the case."""
    actions = _ON_SITE_ACTIONS + _SAMPLE_ACTIONS + _PHOTO_ACTIONS
    return [tuple(row) for row in db.session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.entity_id)
        .where(AuditEvent.inspection_id == inspection_id, AuditEvent.action.in_(actions))
        .order_by(AuditEvent.seq))]


def _changed_on(changes: list[tuple[datetime, str, str]], document: str, since: datetime) -> date | None:
    """The (China) date of the last change to `document` after `since`, or None when none is recorded."""
    if document == dc.ON_SITE:
        relevant = lambda action, _entity: action in _ON_SITE_ACTIONS  # noqa: E731
    elif document == dc.SAMPLING:
        relevant = lambda action, _entity: action in _SAMPLE_ACTIONS  # noqa: E731
    else:
        photo_id = document.split(":", 1)[1]
        relevant = lambda action, entity: action in _PHOTO_ACTIONS and entity == photo_id  # noqa: E731
    # Audit times are whole seconds: an edit in the second the signature was made counts as after it
    # (the hashes already said the content changed; this only dates the change).
    since = _aware(since).replace(microsecond=0)
    last = None
    for at, action, entity in changes:
        if _aware(at) >= since and relevant(action, entity):
            last = at
    return local(_aware(last)).date() if last is not None else None


def _aware(moment: datetime) -> datetime:
    from datetime import timezone
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def signature_flags(inspection: Inspection) -> dict[str, Any]:
    """For the API and the console: which signatures were replaced, which are stale, which lack an image."""
    found = attestations(inspection)
    return {
        "replaced": [a.signature.id for a in found if a.replaced],
        "stale": [a.signature.id for a in found if not a.replaced and a.stale],
        "by_id": {a.signature.id: a for a in found},
    }


__all__ = ["ATTESTED", "NOT_COVERED", "STALE", "UNKNOWN", "DocumentAttestation", "SignatureAttestation",
           "attestations", "current_contents", "record_of", "signature_flags"]
