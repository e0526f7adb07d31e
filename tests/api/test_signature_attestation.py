"""Signatures attest what the signer saw: per document, the hash of its content and the revision.

A party signs revision 1; a reviewer returns the case; the inspector amends the narrative and
resubmits without a new signature: the case file never prints the rev-1 signature image on a page
of the changed 现场笔录, whose cells say 所签为第1版…未重新签名, and the API and console say which
signature is stale. Signed again, the new signature prints and the earlier is listed as replaced.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from inspector.database import db
from inspector.models import AuditEvent, Inspection, Signature
from inspector.pdf import content as dc
from inspector.services import attestation

from .. import factories
from ..case_files import download
from ..console_support import approve, decide, open_case, reviewer_session
from ..sync_phone import PARTY_ANSWERS, Phone, complete_answers, inspection_args, new_id
from ..unit.test_pdf_render import pdf_pages_text, squeeze
from .evidence_helpers import sha256, small_png, upload

FIRST_NARRATIVE = "店内货架陈列复合肥料二十袋，包装完好。"
AMENDED = "补充：仓库另存尿素四十袋，未见进货票据。"


def _attests(case_id: str, revision: int) -> list[dict]:
    """What the phone sends: each document's hash of the content it showed (the same function's twin)."""
    db.session.commit()  # see what the pushes committed
    inspection = db.session.get(Inspection, case_id)
    hashes = dc.document_hashes(attestation.record_of(inspection))
    db.session.commit()  # end the read snapshot before the next request writes
    return [{"document": key, "sha256": sha, "revision": revision} for key, sha in hashes.items()]


def _record(phone: Phone, user) -> str:
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    assert phone.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id))["status"] == "applied"
    phone.push(*[phone.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey=key, **answer)
                 for key, answer in complete_answers()])
    assert phone.send("inspection.update.v1", id=case_id, baseVersion=0,
                      fields={**PARTY_ANSWERS, "narrative": FIRST_NARRATIVE})["status"] == "applied"
    return case_id


def _sign(phone: Phone, case_id: str, image: bytes, revision: int, signature_id: str | None = None) -> str:
    signature_id = signature_id or new_id()
    result = phone.send("signature.add.v1", id=signature_id, inspectionID=case_id, role="party", signerName="王建国",
                        imageSha256=sha256(image), signedAt=datetime.now(timezone.utc).isoformat(),
                        attests=_attests(case_id, revision), confirmation="seen")
    assert result["status"] == "applied", result
    upload(phone.api, image)
    return signature_id


def _return_and_amend(app, phone: Phone, case_id: str) -> None:
    reviewer = app.test_client()
    reviewer_session(reviewer)
    open_case(reviewer, case_id)
    assert decide(reviewer, case_id, "return", comment="请补充仓库情况").status_code == 302
    assert phone.send("inspection.amend.v1", id=case_id, reason="补充仓库情况")["status"] == "applied"
    phone.pull()
    assert phone.send("inspection.update.v1", id=case_id, baseVersion=phone.versions[("inspection", case_id)],
                      fields={"narrative": FIRST_NARRATIVE + "\n" + AMENDED})["status"] == "applied"


def _on_site_pages(pdf: bytes) -> list[tuple[str, int]]:
    """(text, images drawn) of each page of the 现场笔录."""
    reader = PdfReader(io.BytesIO(pdf))
    texts = pdf_pages_text(pdf)
    return [(text, _images(page)) for text, page in zip(texts, reader.pages) if "现 场 笔 录" in text]


def _images(page) -> int:
    def count(resources) -> int:
        found = 0
        xobjects = (resources or {}).get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found += 1
            elif obj.get("/Subtype") == "/Form":
                found += count(obj.get("/Resources"))
        return found
    return count(page.get("/Resources"))


def test_amended_after_signing_prints_no_rev1_signature_under_the_new_narrative(app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    first = _sign(phone, case_id, small_png((200, 80)), revision=1)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    signed = _on_site_pages(download(phone.api, case_id).data)
    assert signed and all(images == 1 for _text, images in signed)  # the party's image, on every page
    assert not any("未重新签名" in text for text, _ in signed)

    _return_and_amend(app, phone, case_id)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    shown = phone.api.get(f"/api/v1/inspections/{case_id}").get_json()
    [stale] = shown["signatureStanding"]["stale"]
    assert stale["id"] == first and stale["role"] == "party"
    assert [d["document"] for d in stale["documents"]] == ["on_site"]
    assert stale["documents"][0]["signedRevision"] == 1
    assert {a["document"] for a in next(s for s in shown["signatures"] if s["id"] == first)["attests"]} == {"on_site"}

    pages = _on_site_pages(download(phone.api, case_id).data)
    assert any(squeeze(AMENDED) in squeeze(text) for text, _ in pages)
    today = datetime.now(timezone.utc).astimezone(dc._CST).date()
    note = f"所签为第1版，本页内容已于{today.year}年{today.month}月{today.day}日修改，未重新签名"
    for text, images in pages:  # no page of the changed record carries the rev-1 signature image
        assert images == 0
        assert squeeze(note) in squeeze(text)

    reviewer = app.test_client()
    reviewer_session(reviewer)
    html, _token, _version = open_case(reviewer, case_id)
    assert 'data-testid="signature-stale"' in html and "所签为第1版，内容已修改，未重新签名" in html


def test_signed_again_the_new_signature_prints_and_the_earlier_is_listed_as_replaced(app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    first = _sign(phone, case_id, small_png((200, 80)), revision=1)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    _return_and_amend(app, phone, case_id)
    second = _sign(phone, case_id, small_png((210, 80)), revision=2)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    standing = phone.api.get(f"/api/v1/inspections/{case_id}").get_json()["signatureStanding"]
    assert standing == {"replaced": [first], "stale": [], "unsigned": []}
    pages = _on_site_pages(download(phone.api, case_id).data)
    assert all(images == 1 and "未重新签名" not in text for text, images in pages)
    assert second != first


def test_approving_over_a_signature_of_an_earlier_revision_asks_for_a_confirmation_and_records_it(
        app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    first = _sign(phone, case_id, small_png((200, 80)), revision=1)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    _return_and_amend(app, phone, case_id)  # the party is not there to sign again
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    reviewer = app.test_client()
    reviewer_session(reviewer)
    html, _token, _version = open_case(reviewer, case_id)
    assert "data-confirm-signatures" in html and "我已知悉 1 个签名所签为修改前的版本" in html

    refused = approve(reviewer, case_id)

    assert refused.status_code == 422
    assert "本案有签名所签为修改前的版本" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Inspection, case_id).status == "submitted"

    assert approve(reviewer, case_id, signatures_confirmed=True).status_code == 302
    db.session.rollback()
    assert db.session.get(Inspection, case_id).status == "approved"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.inspection_id == case_id,
                                                        AuditEvent.action == "inspection.approve")).one()
    assert event.data["confirmedStaleSignatures"] == [first]


def test_a_case_signed_again_after_its_amendment_is_approved_without_that_question(app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    _sign(phone, case_id, small_png((200, 80)), revision=1)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    _return_and_amend(app, phone, case_id)
    _sign(phone, case_id, small_png((210, 80)), revision=2)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    reviewer = app.test_client()
    reviewer_session(reviewer)
    html, _token, _version = open_case(reviewer, case_id)
    assert "data-confirm-signatures" not in html

    assert approve(reviewer, case_id).status_code == 302
    db.session.rollback()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.inspection_id == case_id,
                                                        AuditEvent.action == "inspection.approve")).one()
    assert "confirmedStaleSignatures" not in event.data


def test_an_old_phone_signs_without_hashes_and_bad_hashes_are_refused_with_a_reason(login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    old = phone.send("signature.add.v1", id=new_id(), inspectionID=case_id, role="party", signerName="王建国",
                     imageSha256="a" * 64)
    assert old["status"] == "applied", old
    bad = phone.send("signature.add.v1", id=new_id(), inspectionID=case_id, role="witness", signerName="孙立",
                     imageSha256="b" * 64, attests=[{"document": "page 3", "sha256": "c" * 64, "revision": 1}])
    assert bad["status"] == "rejected"
    assert "on_site, sampling or evidence" in str(bad)


def test_an_edited_refusal_after_a_return_is_a_new_refusal_and_the_earlier_is_kept(app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    refusal_id = new_id()
    assert phone.send("signature.refuse.v1", id=refusal_id, inspectionID=case_id, reason="称老板不在",
                      witnessName="孙立", attests=_attests(case_id, 1),
                      confirmation="read_aloud")["status"] == "applied"
    assert phone.send("inspection.update.v1", id=case_id, baseVersion=phone.pull() and 0,
                      fields={"closingAnswer": "拒绝回答"})["status"] == "applied"
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    _return_and_amend(app, phone, case_id)
    edited = phone.send("signature.refuse.v1", id=refusal_id, inspectionID=case_id, reason="称老板不在，需电话请示",
                        witnessName="孙立（村委会主任）", attests=_attests(case_id, 2), confirmation="read_aloud")
    assert edited["status"] == "applied", edited

    db.session.commit()
    rows = db.session.scalars(select(Signature).where(Signature.inspection_id == case_id)).all()
    earlier = [r for r in rows if r.deleted_at is not None]
    live = [r for r in rows if r.deleted_at is None]
    assert [(r.refusal_reason, r.witness_name) for r in earlier] == [("称老板不在", "孙立")]
    assert [(r.id, r.refusal_reason) for r in live] == [(refusal_id, "称老板不在，需电话请示")]
    assert live[0].attests[0]["revision"] == 2
    standing = phone.api.get(f"/api/v1/inspections/{case_id}").get_json()["signatureStanding"]
    assert standing["replaced"] == [earlier[0].id]

    reviewer = app.test_client()
    reviewer_session(reviewer)
    html, _token, _version = open_case(reviewer, case_id)
    assert 'data-testid="signatures-replaced"' in html and "称老板不在；" in html


def test_signature_bytes_its_recorder_sent_before_are_held_for_a_new_signature(app, login_as, user):
    """The same drawing's bytes, uploaded by the inspector for one case, are held when he records them for
    another: the phone was told the server has them, so the case file must have them too."""
    phone = Phone(login_as("tuoketuo.zhang"))
    image = small_png((190, 70))
    first_case = _record(phone, user)
    _sign(phone, first_case, image, revision=1)
    second_case = _record(phone, user)
    result = phone.send("signature.add.v1", id=new_id(), inspectionID=second_case, role="party", signerName="王建国",
                        imageSha256=sha256(image), attests=_attests(second_case, 1), confirmation="seen")
    assert result["status"] == "applied"
    check = phone.api.post("/api/v1/blobs/check", json={"sha256": [sha256(image)]}).get_json()
    assert check["present"] == [sha256(image)]  # the phone does not send them again

    assert phone.api.get(f"/api/v1/inspections/{second_case}").get_json()["signatureStanding"]["unsigned"] == []
    pages = _on_site_pages(download(phone.api, second_case).data)
    assert pages and all(images == 1 for _text, images in pages)  # the party's image (the inspectors did not sign)


def test_a_signature_whose_image_never_arrived_prints_unsigned_and_flags_the_case(app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _record(phone, user)
    assert phone.send("signature.add.v1", id=new_id(), inspectionID=case_id, role="party", signerName="王建国",
                      imageSha256="d" * 64, attests=_attests(case_id, 1), confirmation="seen")["status"] == "applied"
    standing = phone.api.get(f"/api/v1/inspections/{case_id}").get_json()["signatureStanding"]
    assert len(standing["unsigned"]) == 1
    pages = _on_site_pages(download(phone.api, case_id).data)
    # No image drawn: the party's cell says 未签名 (as the unsigned inspectors' cells do), not the typed name.
    assert pages and all(squeeze(text).count("未签名") == 3 and images == 0 for text, images in pages)
    reviewer = app.test_client()
    reviewer_session(reviewer)
    html, _token, _version = open_case(reviewer, case_id)
    assert 'data-testid="signature-unsigned-flag"' in html


def test_an_edit_in_the_second_of_signing_is_dated_on_the_note():
    """Audit times are whole seconds, a signature's time is not: an edit made in the same second as
    the signature still dates the 未重新签名 note (it once printed 于签名后 instead of the day)."""
    from inspector.pdf import content as documents
    from inspector.services.attestation import _ON_SITE_ACTIONS, _changed_on

    signed = datetime(2026, 12, 6, 14, 5, 3, 600000, tzinfo=timezone.utc)
    edit = (datetime(2026, 12, 6, 14, 5, 3, tzinfo=timezone.utc), _ON_SITE_ACTIONS[0], "x")
    assert _changed_on([edit], documents.ON_SITE, signed) == date(2026, 12, 6)
    earlier = (datetime(2026, 12, 6, 14, 5, 2, tzinfo=timezone.utc), _ON_SITE_ACTIONS[0], "x")
    assert _changed_on([earlier], documents.ON_SITE, signed) is None
