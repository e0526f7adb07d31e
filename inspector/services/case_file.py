"""Issuing a case file (案卷): gather plain data from the database, render it, register the PDF.

Caching. Rendering a case with 60 photos takes seconds; gathering its data takes milliseconds.
So every download gathers the data and fingerprints everything that would be printed except the
document's own number, token and issue time (`content_sha256`). When a case file with that
fingerprint was issued before, the same registered document is served again, from a file cache
keyed by its SHA-256: a second download of an unchanged case is instant, carries the same number
and QR code, and the register keeps one row per printed content, not one per click. When the
cached file is gone, the document is rendered again with its registered number, token and time;
rendering is deterministic (ReportLab's invariant mode), so the bytes come out identical and are
checked against the registered hash before they are served.

The fingerprint, not the sync version alone, is the key: a photo's original arriving after the
phone synced changes what is printed (the placeholder becomes the picture) without changing any
row's version. Photos downscaled for print are cached separately by hash and print size, so a
new version of a case re-renders its pages but does not decode its photos again.

Drawing ahead. When a case is submitted and when it is approved, a background job
(`prepare_case_file`) draws its file with a new number, token and issue time into the cache,
and notes them under the case and its content fingerprint, but registers nothing: the register
holds what was handed out, and a drawing nobody downloads leaves no document behind. The first
download of that same content registers the drawing as it is, to the person downloading, and
serves its bytes without rendering; so the issue time printed and registered is when the file
was drawn (when its content was fixed by the submission or approval), not when it was first
downloaded.

Never in the request. A download (`fetch_case_file`) serves a file that is ready: an issued
document whose bytes are in the cache, or a drawing made ahead. Anything else (content changed
since the drawing, a cache emptied) asks the job to draw it and answers "正在生成" with the job's
progress (photos printed of photos), which the job writes beside the cache; the console page
and the phone ask again until the file is ready. A 40-photo file then never holds a web worker
for seconds. `issue_case_file` still draws in the caller (exports, which stream their bundle).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable
from urllib.parse import quote

from flask import current_app
from sqlalchemy import func, select, union_all

from ..database import db, utcnow
from ..errors import ApiError
from ..i18n import MESSAGES
from ..models import (
    AuditEvent, Blob, Finding, Inspection, IssuedDocument, Party, Photo, Sample, Signature, User,
)
from ..pdf import CaseFileRenderer
from ..pdf import data as pdf
from ..pdf.wording import STATUS_LABELS, WATERMARKS, cn_date, local
from ..storage import get_store
from ..pdf import content as document_content
from . import attestation, documents
from .photo_checks import photo_deviation
from .scope import get_inspection, hashes_held_by_case
from .amendments import plain_number
from .sync.rejections import shown_with_case
from .verification import access

log = logging.getLogger(__name__)

VERIFY_PATH = "/verify"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

SUBJECTS = {  # what the opening question says is being inspected, by template category
    "general": "农资经营情况", "fertilizer": "化肥经营情况", "pesticide": "农药经营情况",
    "film": "农膜经营情况", "seed": "种子经营情况", "machinery": "农机具经营情况",
}
# Audit actions as the appendix prints them: the catalogue's Chinese names, as the console shows them.
ACTION_LABELS = {key.removeprefix("event_"): text["zh"] for key, text in MESSAGES.items() if key.startswith("event_")}
DISPLAY_COPY_NOTE = "（原件尚未上传，本页印制的是手机显示副本；原件 SHA-256：{sha256}）"


@dataclass(frozen=True)
class CaseFilePreparing:
    """A case file the job is drawing: how far it is (photos printed of photos in the file)."""

    inspection_id: str
    state: str  # queued | drawing
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


# A drawing whose progress has not moved for this long is asked for again (the worker died, or the
# job was lost with the embedded broker); a job drawn twice is only time lost.
PROGRESS_STALE_SECONDS = 120
RETRY_AFTER_SECONDS = 2


class _NotReady(Exception):
    def __init__(self, gathered: "Gathered"):
        super().__init__(gathered.inspection_id)
        self.gathered = gathered


@dataclass(frozen=True)
class IssuedCaseFile:
    """A registered case file ready to send: its bytes and what identifies it."""

    pdf: bytes
    document_no: str
    sha256: str
    verify_token: str
    issued_at: datetime
    filename: str
    rendered: bool  # False when an earlier issue of the same content was served again

    @property
    def content_disposition(self) -> str:
        """`attachment` with an ASCII fallback name and the Chinese name (RFC 6266 / 5987)."""
        return (f'attachment; filename="case-file-{self.document_no}.pdf"; '
                f"filename*=UTF-8''{quote(self.filename, safe='')}")


def fetch_case_file(user: User, inspection_id: str, device_id: int | None = None
                    ) -> IssuedCaseFile | CaseFilePreparing:
    """The case file of an inspection in the user's scope (404 outside it), registered as issued,
    when it is ready; else the job is asked to draw it and its progress is returned. Never renders."""
    try:
        return issue_case_file(user, inspection_id, device_id, render_now=False)
    except _NotReady as waiting:
        return _ask_for_drawing(waiting.gathered)


def issue_case_file(user: User, inspection_id: str, device_id: int | None = None, *,
                    render_now: bool = True) -> IssuedCaseFile:
    """The case file of an inspection in the user's scope (404 outside it), registered as issued;
    drawn here when nothing is ready (`render_now`; else _NotReady is raised)."""
    inspection = get_inspection(user, inspection_id)
    user_id = user.id
    gathered = gather(inspection, url_base=_verify_base())
    earlier = documents.issued_for_content(inspection.id, gathered.content_sha256)
    if earlier is not None:
        served = _serve_again(earlier, gathered, render_now=render_now)
        if served is not None:
            return served

    drawn = _prepared(gathered)
    rendered = drawn is None
    if drawn is None:
        if not render_now:
            raise _NotReady(gathered)
        drawn = _draw(gathered, inspection.agency.code)

    code_hash = access.code_hash(drawn.verify_token)  # Argon2id: hashed before the lock is taken

    def register_ours(inspection: Inspection) -> None:
        documents.register(
            document_no=drawn.document_no, verify_token=drawn.verify_token, inspection=inspection,
            case_version=gathered.case_version, content_sha256=gathered.content_sha256, pdf=drawn.pdf,
            issued_at=drawn.issued_at, issued_by_id=user_id, device_id=device_id, summary=drawn.summary,
            anchor=drawn.anchor, access_code_hash=code_hash)

    with documents.writing():
        # Under the case row's lock (SQLite: the write lock), so that two first downloads of the
        # same content register one document: the later one finds the earlier's and serves it.
        inspection = db.session.get(Inspection, gathered.inspection_id, with_for_update=True)
        meanwhile = documents.issued_for_content(inspection.id, gathered.content_sha256)
        if meanwhile is None:
            register_ours(inspection)
    if meanwhile is not None and meanwhile.sha256 == drawn.sha256:
        rendered = False  # another download registered this same drawing (drawn ahead) first
    elif meanwhile is not None:
        served = _serve_again(meanwhile, gathered, render_now=render_now)
        if served is not None:
            return served
        with documents.writing():  # its bytes can no longer be made: ours is registered after all
            register_ours(db.session.get(Inspection, gathered.inspection_id))
    return IssuedCaseFile(drawn.pdf, drawn.document_no, drawn.sha256, drawn.verify_token, drawn.issued_at,
                          gathered.filename(drawn.document_no), rendered=rendered)


def prepare_case_file(inspection_id: str) -> bool:
    """Draw the case file of an inspection's current content into the cache, unregistered, so
    that its first download serves it without rendering; True when a file was drawn now.

    Safe to run twice: content already drawn or issued is not drawn again (an issued document
    whose file left the cache is drawn back into it).
    """
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.deleted_at is not None:
        return False
    try:
        gathered = gather(inspection, url_base=_verify_base())
    except ApiError as err:  # not printable as it stands (e.g. one certified inspector): nothing to draw
        log.info("case file of %s not drawn ahead: %s", inspection_id, err.message)
        return False
    earlier = documents.issued_for_content(inspection.id, gathered.content_sha256)
    if earlier is not None:
        served = _serve_again(earlier, gathered, progress=_progress_writer(gathered))
        if served is not None:
            return served.rendered
        # Its bytes can no longer be made: a new drawing, which the next download registers.
    if _prepared(gathered) is not None:
        return False
    drawn = _draw(gathered, inspection.agency.code, progress=_progress_writer(gathered))
    # The drawing is found by its content: the file first (put by _draw), then what names it.
    _prepared_cache().put(_prepared_key(gathered), json.dumps({
        "documentNo": drawn.document_no, "verifyToken": drawn.verify_token, "sha256": drawn.sha256,
        "issuedAt": drawn.issued_at.isoformat(), "summary": drawn.summary,
        "checkpoint": drawn.anchor.checkpoint_no if drawn.anchor else None}).encode())
    return True


def _ask_for_drawing(gathered: "Gathered") -> CaseFilePreparing:
    """Progress of the job drawing this content; the job is sent when none is under way."""
    from ..jobs import enqueue  # jobs import the services; the services send jobs only at run time
    from ..jobs.tasks import PREPARE_CASE_FILE

    total = len(gathered.case.photos)
    progress = _read_progress(gathered)
    now = utcnow().timestamp()
    if progress is not None and now - progress.get("at", 0) < PROGRESS_STALE_SECONDS:
        return CaseFilePreparing(gathered.inspection_id, progress.get("state", "queued"),
                                 int(progress.get("done", 0)), int(progress.get("total", total)))
    _progress_cache().put(_prepared_key(gathered), json.dumps(
        {"state": "queued", "done": 0, "total": total, "at": now}).encode())
    enqueue(PREPARE_CASE_FILE, gathered.inspection_id)
    db.session.commit()  # sends the job
    return CaseFilePreparing(gathered.inspection_id, "queued", 0, total)


def _read_progress(gathered: "Gathered") -> dict[str, Any] | None:
    raw = _progress_cache().get(_prepared_key(gathered))
    try:
        return json.loads(raw) if raw is not None else None
    except ValueError:
        return None


def _progress_writer(gathered: "Gathered") -> Callable[[int, int], None]:
    """What the renderer calls as it prints photos: the job's progress, for the download to show."""
    key = _prepared_key(gathered)

    def write(done: int, total: int) -> None:
        _progress_cache().put(key, json.dumps(
            {"state": "drawing", "done": done, "total": total, "at": utcnow().timestamp()}).encode())
    write(0, len(gathered.case.photos))
    return write


def case_file_pdf(user: User, inspection: Inspection) -> IssuedCaseFile:
    """For case bundles (exports): the same registered case file a download would give."""
    return issue_case_file(user, inspection.id)


@dataclass(frozen=True)
class _Drawn:
    """A case file drawn with a new number, token and issue time; not yet in the register."""

    pdf: bytes
    sha256: str
    document_no: str
    verify_token: str
    issued_at: datetime
    summary: dict[str, Any]
    anchor: pdf.AuditAnchor | None  # the signed audit head it prints


def _draw(gathered: Gathered, agency_code: str, progress: Callable[[int, int], None] | None = None) -> _Drawn:
    """Render the gathered case under a new number, token and time, and keep the bytes in the cache."""
    anchor = documents.sign_audit_head()  # every issued document prints a freshly signed head
    issued_at = utcnow().replace(microsecond=0)
    document_no = documents.new_document_no(agency_code, issued_at)
    token = documents.new_verify_token()
    case, summary = _for_issue(gathered, document_no, token, issued_at, anchor)
    db.session.commit()  # no transaction stays open while the pages are drawn
    pdf_bytes, summary["documents"] = _render(case, progress)
    summary["pages"] = summary["documents"][-1]["lastPage"]
    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    _pdf_cache().put(sha256, pdf_bytes)
    return _Drawn(pdf_bytes, sha256, document_no, token, issued_at, summary, anchor)


def _prepared(gathered: Gathered) -> _Drawn | None:
    """The file drawn ahead for exactly this content (prepare_case_file), if the cache still has it."""
    raw = _prepared_cache().get(_prepared_key(gathered))
    if raw is None:
        return None
    try:
        meta = json.loads(raw)
        issued_at = datetime.fromisoformat(meta["issuedAt"])
        anchor = documents.checkpoint_anchor(meta.get("checkpoint"))
        pdf_bytes = _pdf_cache().get(meta["sha256"])
    except LookupError:  # its checkpoint row is gone: what it prints can no longer be vouched for
        log.warning("case file drawn ahead for %s printed a checkpoint that is gone", gathered.inspection_id)
        return None
    except (ValueError, KeyError, TypeError):
        log.warning("case file drawn ahead for %s is unreadable; drawing it again", gathered.inspection_id)
        return None
    if pdf_bytes is None or hashlib.sha256(pdf_bytes).hexdigest() != meta["sha256"]:
        return None
    return _Drawn(pdf_bytes, meta["sha256"], meta["documentNo"], meta["verifyToken"], issued_at, meta["summary"],
                  anchor)


def _prepared_key(gathered: Gathered) -> str:
    return f"{gathered.inspection_id}:{gathered.content_sha256}"


def _serve_again(earlier: IssuedDocument, gathered: Gathered, *, render_now: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> IssuedCaseFile | None:
    """The earlier document's bytes, from the cache or re-rendered identically (`render_now`);
    None if they differ, or are not in the cache and may not be rendered now."""
    cache = _pdf_cache()
    pdf_bytes = cache.get(earlier.sha256)
    if pdf_bytes is not None and hashlib.sha256(pdf_bytes).hexdigest() != earlier.sha256:
        log.warning("cached case file %s is damaged; drawing it again", earlier.document_no)
        pdf_bytes = None  # never hand out bytes the register does not know
    rendered = pdf_bytes is None
    if pdf_bytes is None and not render_now:
        return None
    if pdf_bytes is None:
        try:
            anchor = documents.printed_anchor(earlier)
        except LookupError:
            log.warning("case file %s printed a checkpoint that is gone; issuing a new one", earlier.document_no)
            return None
        case, _summary = _for_issue(gathered, earlier.document_no, earlier.verify_token, earlier.issued_at, anchor)
        db.session.commit()
        pdf_bytes, _pages = _render(case, progress)
        if hashlib.sha256(pdf_bytes).hexdigest() != earlier.sha256:
            # Different fonts or library versions since: issue a new document rather than hand
            # out bytes the register does not know.
            log.warning("case file %s no longer renders to its registered bytes", earlier.document_no)
            return None
        cache.put(earlier.sha256, pdf_bytes)
    return IssuedCaseFile(pdf_bytes, earlier.document_no, earlier.sha256, earlier.verify_token,
                          earlier.issued_at, gathered.filename(earlier.document_no), rendered=rendered)


def _render(case: pdf.CaseFile, progress: Callable[[int, int], None] | None = None
            ) -> tuple[bytes, list[dict[str, Any]]]:
    config = current_app.config
    renderer = CaseFileRenderer(case, font_path=config.get("CJK_FONT_PATH"), photo_cache=_photo_cache(),
                                progress=progress)
    pdf_bytes = renderer.render()
    pages = [{"title": d.title, "firstPage": d.first_page, "lastPage": d.last_page} for d in renderer.documents]
    return pdf_bytes, pages


def _verify_base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + VERIFY_PATH


# ---------------------------------------------------------------- registered bytes, for the verify pages

def registered_pdf(document: IssuedDocument) -> bytes | None:
    """The bytes of a registered case file: from the cache, or drawn again identically while its
    case still prints the same content; None when neither can give the registered bytes."""
    cached = _pdf_cache().get(document.sha256)
    if cached is not None and hashlib.sha256(cached).hexdigest() == document.sha256:
        return cached
    inspection = db.session.get(Inspection, document.inspection_id)
    if inspection is None or inspection.deleted_at is not None:
        return None
    try:
        gathered = gather(inspection, url_base=_verify_base())
    except ApiError:
        return None
    if gathered.content_sha256 != document.content_sha256:
        return None
    served = _serve_again(document, gathered)
    return served.pdf if served is not None else None


def page_image_cache() -> _FileCache:
    """Pages of registered case files drawn as images for the verify page, keyed by file, page and size."""
    return _FileCache(_cache_root() / "page-images", ".png")


# ---------------------------------------------------------------- gathering

@dataclass(frozen=True)
class Gathered:
    """A case file's data without the issue's own number, token and time, and its fingerprint."""

    case: pdf.CaseFile
    inspection_id: str
    case_version: int
    content_sha256: str
    summary: dict[str, Any]

    def filename(self, document_no: str) -> str:
        name = self.case.printed_number or self.case.party.name
        return f"案卷-{name}-{document_no}.pdf".replace("/", "_").replace("\\", "_")


def _for_issue(gathered: Gathered, document_no: str, token: str, issued_at: datetime,
               anchor: pdf.AuditAnchor | None) -> tuple[pdf.CaseFile, dict[str, Any]]:
    verification = dataclasses.replace(gathered.case.verification, token=token, document_no=document_no,
                                       anchor=anchor, access_code=access.access_code(token))
    case = dataclasses.replace(gathered.case, verification=verification, issued_at=issued_at)
    return case, dict(gathered.summary)


def gather(inspection: Inspection, *, url_base: str) -> Gathered:
    """Everything one case file prints, read from the database and the blob store now."""
    store = get_store()
    template = inspection.template
    party = inspection.party
    people = [link.user for link in inspection.inspectors]
    inspectors = tuple(pdf.Inspector(u.display_name, u.cert_no or "") for u in people)
    if len(inspectors) < 2 or not all(i.cert_no for i in inspectors):
        raise ApiError("unprocessable", "A case file needs two inspectors with certificate numbers (执法证号).")
    started = inspection.started_at_device or inspection.created_at
    ended = max(inspection.ended_at_device or started, started)

    photos, photo_sources = _photos(inspection, template, people, inspectors, store)
    # What the signatures attested, and the text the 现场笔录 prints: one content, so what the
    # signer saw on the phone is what prints (pdf/content.py).
    contents = attestation.current_contents(inspection)
    on_site = contents[document_content.ON_SITE]
    standing = attestation.attestations(
        inspection, {key: document_content.content_hash(c) for key, c in contents.items()})
    case = pdf.CaseFile(
        agency_name=inspection.agency.name,
        case_title=f"{party.name} {template.title.removesuffix('表')}",
        inspection_subject=SUBJECTS.get(template.category, "农资经营情况"),
        case_number=inspection.case_number,
        case_version=inspection.revision,
        party=pdf.Party(name=on_site["party"]["name"], credit_code=on_site["party"]["creditCode"] or None,
                        legal_representative=on_site["party"]["legalRep"] or None,
                        address=on_site["party"]["address"] or None, phone=on_site["party"]["phone"] or None,
                        licences=_licences(party), entity_type=on_site["party"].get("entityType") or None,
                        operator_id_number=on_site["party"].get("operatorIDNumber") or None),
        inspectors=inspectors,
        started_at=started,
        ended_at=ended,
        place=on_site["place"] or party.address or "／",
        gps=(pdf.GeoPoint(inspection.lat, inspection.lon, inspection.gps_accuracy_m)
             if inspection.lat is not None and inspection.lon is not None else None),
        answers=pdf.StandardAnswers(certificates_seen=on_site["certificatesAnswer"] or "／",
                                    recusal=on_site["recusalAnswer"] or "／",
                                    closing=on_site["closingAnswer"] or "／",
                                    record_read_aloud=_read_aloud(standing),
                                    party_notified=on_site.get("partyNotified") or None),
        on_site_person=on_site.get("onSitePerson") or None,
        copies=dict(current_app.config["DOCUMENT_COPIES"]),
        checklist=_checklist(inspection, template),
        narrative=on_site["narrative"],
        party_statement=on_site["partyStatement"],
        samples=_samples(inspection, contents.get(document_content.SAMPLING), store, standing),
        photos=photos,
        signatures=_signatures(inspection, party, people, store, standing),
        audit_trail=_audit_trail(inspection.id, template),
        verification=pdf.Verification(url_base, ""),
        issued_at=_EPOCH,
        status=inspection.status,
    )
    # What the verify page says of the print: an unapproved record's has no number and a watermark.
    summary = {"agency": case.agency_name, "caseNumber": case.printed_number, "party": party.name,
               "inspectedOn": local(started).date().isoformat(), "status": case.status,
               "watermark": WATERMARKS.get(case.status)}
    return Gathered(case=case, inspection_id=inspection.id, case_version=case_version(inspection.id),
                    content_sha256=_fingerprint(case, photo_sources), summary=summary)


def case_version(inspection_id: str) -> int:
    """The case's version: the highest sync version among the inspection and every row it prints."""
    tables = (Finding, Sample, Signature, Photo)
    versions = union_all(
        select(Inspection.version.label("v")).where(Inspection.id == inspection_id),
        select(Party.version.label("v")).join(Inspection, Inspection.party_id == Party.id)
        .where(Inspection.id == inspection_id),
        *[select(t.version.label("v")).where(t.inspection_id == inspection_id) for t in tables],
    ).subquery()
    return db.session.scalar(select(func.max(versions.c.v))) or 0


def _fingerprint(case: pdf.CaseFile, photo_sources: list[str]) -> str:
    """SHA-256 of the printed content; the issue's number, token and time are blanked."""
    content = dataclasses.asdict(case)
    content["photo_sources"] = photo_sources  # which bytes each sheet prints: original, display copy, none

    def jsonable(value: Any) -> Any:
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        return None  # openers of photo bytes: what they open is in photo_sources

    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=jsonable)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _licences(party: Party) -> tuple[str, ...]:
    lines = ["营业执照"]
    for licence in party.licences or []:
        kind, number = licence.get("kind"), licence.get("number")
        if kind and kind != "营业执照":
            lines.append(f"{kind}（{number}）" if number else kind)
    return tuple(lines)


def _checklist(inspection: Inspection, template) -> tuple[pdf.ChecklistSection, ...]:
    findings = {f.item_key: f for f in inspection.findings if f.deleted_at is None}
    sections = []
    for section in template.body.get("sections", []):
        items = tuple(item for raw in section["items"]
                      if (item := _checklist_item(raw, findings.pop(raw["key"], None))) is not None)
        if items:
            sections.append(pdf.ChecklistSection(section["title"], items))
    # Answers to items the template version does not have (should not happen): printed, not lost.
    orphans = tuple(item for key in sorted(findings)
                    if (item := _checklist_item({"key": key, "label": key, "kind": "text"}, findings[key])))
    if orphans:
        sections.append(pdf.ChecklistSection("其他检查项", orphans))
    return tuple(sections)


def _checklist_item(item: dict[str, Any], finding: Finding | None) -> pdf.ChecklistItem | None:
    """One answered item; None when the item was not answered."""
    if finding is None:
        return None
    kind = item.get("kind", "text")
    answer = finding.value if finding.value is not None else finding.result
    if finding.result == "na" or (kind == "pass_fail_na" and answer == "na"):
        status, text = pdf.ResultStatus.NA, STATUS_LABELS[pdf.ResultStatus.NA]
    elif kind == "pass_fail_na":
        if answer not in ("pass", "fail"):
            return None
        status = pdf.ResultStatus(answer)
        text = STATUS_LABELS[status]
    elif answer is None or answer == "":
        return None
    else:
        status, text = pdf.ResultStatus.VALUE, _value_text(kind, answer, item.get("unit"))
    authority = item.get("authority")
    return pdf.ChecklistItem(
        key=item["key"], label=item.get("label") or item["key"], kind=kind, result_text=text, status=status,
        legal_basis=item.get("legal_basis"),
        authority=pdf.Authority(authority) if authority in {a.value for a in pdf.Authority} else None,
        note=finding.note or None,
    )


def _value_text(kind: str, value: Any, unit: str | None) -> str:
    """A recorded value as printed: numbers without float noise and with their unit, dates in Chinese."""
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        number = str(plain_number(float(value)))  # as the console and the exports write it
        return f"{number} {unit}" if unit else number
    if kind == "date" and isinstance(value, str):
        try:
            return cn_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _samples(inspection: Inspection, sampling: dict[str, Any] | None, store,
             standing: list[attestation.SignatureAttestation] = ()) -> tuple[pdf.Sample, ...]:
    """The 抽样记录's rows from the content its signatures attest (pdf/content.py), in the order
    added; each with the 证据提取单 of its sealed photos and the 被抽样单位经办人's signature."""
    def text(value: str | None) -> str | None:
        return value or None

    rows = sorted((s for s in inspection.samples if s.deleted_at is None), key=lambda s: (s.created_at, s.id))
    sheets = {row.id: n for n, row in enumerate(_evidence_rows(inspection), start=1)}
    signed = {row.sample_id: row for row in _live_signatures(inspection) if row.role == "sampled_party"}
    image = _signature_loader(inspection, signed.values(), store)
    by_id = {a.signature.id: a for a in standing}

    def signature(row: Signature | None) -> pdf.Signature | None:
        if row is None:
            return None
        return pdf.Signature(row.signer_name or "", image_png=image(row), signed_on=_signed_on(row),
                             stale_on=_stale_on(row, by_id))

    # record_of lists the samples in this same order, so the content's n-th sample is the n-th row.
    return tuple(
        pdf.Sample(
            name=s["name"], quantity=s["quantity"], base_quantity=s["baseQuantity"], brand=text(s["brand"]),
            spec=text(s["spec"]), batch_or_date=" / ".join(x for x in (s["batchNo"], s["productionDate"]) if x) or None,
            maker=text(s["maker"]), standard=text(s["standard"]), backup_quantity=text(s["backupQuantity"]),
            seal_numbers=tuple(s["sealNumbers"]), note=text(s["note"]),
            sample_no=text(s.get("sampleNo")), sampled_at=text(s.get("sampledAt")), lab_name=text(s.get("labName")),
            price_paid=text(s.get("pricePaid")), backup_seal_numbers=tuple(s.get("backupSealNumbers") or ()),
            backup_storage=text(s.get("backupStorage")), backup_condition=text(s.get("backupCondition")),
            sealed_photo_refs=tuple(f"证据提取单第{sheets[p]}号" if p in sheets else "照片已删除"
                                    for p in s.get("sealedPhotoIDs") or ()),
            party_signature=signature(signed.get(row.id)),
        )
        for s, row in zip((sampling or {}).get("samples", []), rows))


def _live_signatures(inspection: Inspection) -> list[Signature]:
    """The signatures in force, oldest first (a later one of the same signer replaced the earlier)."""
    return sorted((s for s in inspection.signatures if s.deleted_at is None), key=lambda s: (s.created_at, s.id))


def _signature_loader(inspection: Inspection, rows, store) -> Callable[[Signature | None], bytes | None]:
    """Reads a signature's drawing, if its bytes are held for this case (scope.held_by_case)."""
    held = hashes_held_by_case(inspection, [row.image_sha256 for row in rows])

    def image(row: Signature | None) -> bytes | None:
        if row is None or row.image_sha256 not in held:
            return None
        try:
            with store.open(row.image_sha256) as fp:
                return fp.read()
        except FileNotFoundError:
            return None
    return image


def _signed_on(row: Signature | None) -> date | None:
    moment = row.signed_at_device if row is not None else None
    return local(moment).date() if moment else None


def _evidence_rows(inspection: Inspection) -> list[Photo]:
    """The record's photos in the order their 证据提取单 print: as taken."""
    return sorted(
        db.session.scalars(select(Photo).where(Photo.inspection_id == inspection.id, Photo.deleted_at.is_(None))),
        key=lambda p: (p.taken_at_device or p.created_at, p.created_at, p.id))


def _photos(inspection: Inspection, template, people: list[User], inspectors: tuple[pdf.Inspector, ...],
            store) -> tuple[tuple[pdf.EvidencePhoto, ...], list[str]]:
    """Evidence sheets in the order taken, each with an opener of the best bytes the server has."""
    rows = _evidence_rows(inspection)
    held = hashes_held_by_case(inspection, (h for p in rows for h in (p.sha256, p.display_sha256)))
    # A blob whose full decode failed (see evidence.process_photo) is skipped for the display copy; one
    # still pending is drawn from, since drawing decodes it anyway (the sources' fingerprint redraws it).
    blobs = {b.sha256: b for b in db.session.scalars(select(Blob).where(Blob.sha256.in_(held),
                                                                        Blob.processing != "failed"))} if held else {}
    by_user = {u.id: i for u, i in zip(people, inspectors)}
    photos, sources = [], []
    for row in rows:
        taker = by_user.get(row.taken_by_id) or _outside_inspector(row.taken_by_id) or inspectors[0]
        item = template.item(row.item_key) if row.item_key else None
        sha256, caption = row.sha256, row.caption or "现场照片"
        exif_time: str | None = row.exif_taken_at
        if row.sha256 in blobs:
            source = "original"
            exif_time = _camera_time((blobs[row.sha256].exif or {}).get("capture_time"), exif_time)
        elif row.display_sha256 and row.display_sha256 in blobs:
            source = "display"
            sha256, caption = row.display_sha256, caption + DISPLAY_COPY_NOTE.format(sha256=row.sha256)
        else:
            source = "missing"
        sources.append(source)
        photos.append(pdf.EvidencePhoto(
            sha256=sha256, caption=caption, inspector=taker,
            open_original=_opener(store, sha256) if source != "missing" else None,
            item_label=(item or {}).get("label") or row.item_key,
            device_taken_at=row.taken_at_device, exif_taken_at=exif_time,
            gps=pdf.GeoPoint(row.lat, row.lon, row.gps_accuracy_m) if row.lat is not None and row.lon is not None
            else None,
            deviation=tuple(photo_deviation(row, inspection).phrases("zh")), remark=row.remark,
            document=document_content.evidence_key(row.id),
        ))
    return tuple(photos), sources


def _camera_time(read_by_server: str | None, sent_by_phone: str | None) -> str | None:
    """The capture time to print: the server's reading of the original, unless only the phone's
    carries a UTC offset (a camera that wrote none wrote the phone's wall time, and the phone
    added its own offset), so the case file shows the same moment as the phone and the console."""
    if read_by_server and sent_by_phone and not _has_offset(read_by_server) and _has_offset(sent_by_phone):
        return sent_by_phone
    return read_by_server or sent_by_phone


def _has_offset(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.strip()).tzinfo is not None
    except ValueError:
        return False


def _outside_inspector(user_id: int | None) -> pdf.Inspector | None:
    user = db.session.get(User, user_id) if user_id is not None else None
    return pdf.Inspector(user.display_name, user.cert_no or "／") if user is not None else None


def _opener(store, sha256: str) -> Callable[[], BinaryIO | None]:
    def open_stored() -> BinaryIO | None:
        try:
            return store.open(sha256)
        except FileNotFoundError:  # registered but gone from the store: printed as not uploaded
            return None
    return open_stored


def _read_aloud(standing: list[attestation.SignatureAttestation]) -> bool:
    """The closing question says 已向你宣读 when the party's signature (or refusal) standing now was
    recorded after the record was read aloud to them, not read by them."""
    party = [a.signature for a in standing if not a.replaced and a.signature.role == "party"]
    return bool(party) and party[-1].confirmation == "read_aloud"


def _stale_on(row: Signature | None, standing: dict[str, attestation.SignatureAttestation]) -> dict[str, str]:
    """{document: the note printed instead of the image} for the documents changed since `row` was signed."""
    found = standing.get(row.id) if row is not None else None
    if found is None:
        return {}
    notes = {}
    for key, doc in found.documents.items():
        if doc.status in (attestation.STALE, attestation.NOT_COVERED):
            when = f"于{cn_date(doc.changed_on)}" if doc.changed_on else "于签名后"
            notes[key] = f"所签为第{doc.signed_revision or 1}版，本页内容已{when}修改，未重新签名"
    return notes


def _signatures(inspection: Inspection, party: Party, people: list[User], store,
                standing: list[attestation.SignatureAttestation] = ()) -> pdf.Signatures:
    by_id = {a.signature.id: a for a in standing}
    latest: dict[tuple[str, int | None], Signature] = {}
    for row in sorted((s for s in inspection.signatures if s.deleted_at is None), key=lambda s: (s.created_at, s.id)):
        latest[(row.role, row.user_id if row.role == "inspector" else None)] = row
    witness_row = latest.get(("witness", None))
    party_row = latest.get(("party", None))
    image = _signature_loader(inspection, latest.values(), store)
    signed_on = _signed_on

    party_name = (party_row.signer_name if party_row else None) or party.legal_rep or ""
    if party_row is not None and party_row.status == "refused":
        witness = party_row.witness_name or (witness_row.signer_name if witness_row else None)
        party_signature = pdf.Signature(
            party_name, refused=True, refusal_reason=party_row.refusal_reason or "未说明", witness_name=witness or "未记录",
            refused_at=party_row.signed_at_device, witness_id_number=party_row.witness_id_number,
            witness_unit=party_row.witness_unit, witness_phone=party_row.witness_phone,
            recording=pdf.Recording(party_row.recording_file_no, party_row.recording_device,
                                    party_row.recording_started_at))
    elif party_row is not None and party_row.status == "absent":
        party_signature = pdf.Signature("（当事人未到场）", absent=True)
    else:
        party_signature = pdf.Signature(party_name, image_png=image(party_row), signed_on=signed_on(party_row),
                                        stale_on=_stale_on(party_row, by_id))

    unclaimed = [row for (role, uid), row in latest.items()
                 if role == "inspector" and uid not in {u.id for u in people[:2]}]

    def inspector_signature(user: User) -> pdf.Signature:
        row = latest.get(("inspector", user.id)) or (unclaimed.pop(0) if unclaimed else None)
        return pdf.Signature(user.display_name, image_png=image(row), signed_on=signed_on(row),
                             stale_on=_stale_on(row, by_id))

    return pdf.Signatures(
        party=party_signature,
        inspector1=inspector_signature(people[0]),
        inspector2=inspector_signature(people[1]),
        witness=(pdf.Signature(witness_row.signer_name or "", image_png=image(witness_row),
                               signed_on=signed_on(witness_row), stale_on=_stale_on(witness_row, by_id))
                 if witness_row is not None else None),
        evidence_provider=_evidence_provider(inspection, store, by_id),
    )


def _evidence_provider(inspection: Inspection, store,
                       by_id: dict[str, attestation.SignatureAttestation]) -> pdf.Signature | None:
    """证据提供人, who signed on the phone that the photos match what they show; a sheet whose
    content changed since prints a note instead of the drawing (Signature.cell_text)."""
    rows = [row for row in _live_signatures(inspection) if row.role == "evidence_provider"]
    if not rows:
        return None
    row = rows[-1]
    return pdf.Signature(row.signer_name or "", image_png=_signature_loader(inspection, [row], store)(row),
                         signed_on=_signed_on(row), stale_on=_stale_on(row, by_id))


def _audit_trail(inspection_id: str, template) -> tuple[pdf.AuditEntry, ...]:
    """The case's audit events, oldest first; the issues of case files themselves are left out
    (they are in the register, and printing them would change the content each issue registers).
    Nothing internal is printed: no device labels (a browser's User-Agent), client ids or item keys."""
    rows = db.session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.inspection_id == inspection_id, AuditEvent.action != documents.ISSUE_ACTION)
        .order_by(AuditEvent.seq)).all()
    shown = shown_with_case(inspection_id, [row[0] for row in rows])
    return tuple(
        pdf.AuditEntry(at=event.at, actor=name or "系统", action=_action_text(event, template), reason=event.reason,
                       on_site_at=_client_time(event))
        for event, name in rows if shown(event))


def _client_time(event: AuditEvent) -> datetime | None:
    raw = (event.data or {}).get("clientTime")
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _action_text(event: AuditEvent, template) -> str:
    """The action in the console's words; a checklist answer names its item by the item's label."""
    text = ACTION_LABELS.get(event.action, event.action)
    item_key = (event.data or {}).get("itemKey") if event.action == "finding.set" else None
    item = template.item(item_key) if item_key else None
    label = (item or {}).get("label")
    return f"{text} {label}" if label else text


# ---------------------------------------------------------------- caches

class _FileCache:
    """Bytes under a key in a directory, written atomically; a reader never sees half a file.

    When the blob store is shared by several hosts (S3), the same names are kept in its cache
    instead, so a file drawn by a worker on one host is served by every other."""

    def __init__(self, root: Path, suffix: str):
        self.root, self.suffix = root, suffix
        self.shared = get_store().cache

    def _name(self, key: str) -> str:
        name = hashlib.sha256(key.encode()).hexdigest() if not _is_sha256(key) else key
        return f"{name[:2]}/{name}{self.suffix}"

    def _path(self, key: str) -> Path:
        return self.root / self._name(key)

    def get(self, key: str) -> bytes | None:
        if self.shared is not None:
            return self.shared.get(f"{self.root.name}/{self._name(key)}")
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        if self.shared is not None:
            self.shared.put(f"{self.root.name}/{self._name(key)}", data)
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except OSError:  # a cache that cannot be written only costs time
            log.warning("could not write cache file %s", path, exc_info=True)


def _is_sha256(key: str) -> bool:
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)


def _cache_root() -> Path:
    """PDF_CACHE_DIR, or `cache/` in the instance folder; safe to delete at any time. (With a shared
    blob store the cache is kept there: see _FileCache.)"""
    configured = current_app.config.get("PDF_CACHE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "cache"


def _pdf_cache() -> _FileCache:
    return _FileCache(_cache_root() / "case-files", ".pdf")


def _prepared_cache() -> _FileCache:
    """What names each case file drawn ahead of its first download, keyed by case and content."""
    return _FileCache(_cache_root() / "drawn-ahead", ".json")


def _progress_cache() -> _FileCache:
    """How far the job drawing each content is, keyed like the drawings (`_prepared_key`)."""
    return _FileCache(_cache_root() / "drawing", ".json")


def _photo_cache() -> _FileCache:
    """The renderer's PhotoCache: photos downscaled for print, keyed by hash and print size."""
    return _FileCache(_cache_root() / "print-photos", ".jpg")


__all__ = ["CaseFilePreparing", "IssuedCaseFile", "case_file_pdf", "fetch_case_file", "case_version", "gather", "issue_case_file", "prepare_case_file"]
