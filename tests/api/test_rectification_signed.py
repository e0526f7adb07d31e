"""A 责令改正通知书 signed like the other 文书 (issue 14), on SQLite and PostgreSQL: the party reads the
whole order on the phone and signs it on the screen (or refuses before a witness), the inspectors
sign, each over the SHA-256 of the order's content; the notice draws a signature only where it
attested this order, 未签名 with why otherwise, and an empty box for a signature on paper. Orders
reach both inspectors' phones in the pull, and nobody else's."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db
from inspector.models import RectificationOrder, RectificationSignature
from inspector.pdf import content as dc

from .. import factories
from ..console_support import CSRF, reviewer_session
from ..sync_phone import Phone, new_id
from .evidence_helpers import sha256, small_png, upload

BEIJING = "+08:00"


@pytest.fixture
def at():
    clock.set_now(datetime.fromisoformat("2026-09-28T11:00:00" + BEIJING))
    yield
    clock.set_now(None)


def pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def pdf_images(data: bytes) -> int:
    """How many raster images the PDF draws (the drawn signatures; the QR code is vector)."""
    listing = subprocess.run(["pdfimages", "-list", "-", "-"], input=data, capture_output=True, check=False)
    if listing.returncode != 0:  # older poppler: no "-" for stdin
        import tempfile
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(data)
            f.flush()
            listing = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, check=True)
    return len(listing.stdout.decode().splitlines()[2:])


def _case():
    party = factories.party("150122", "托克托县丰收农资经营部", address="双河镇新华街12号", legal_rep="王建国")
    return factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"), findings={"G02": "fail", "G07": "fail"})


def _terms(case, order_id: str) -> dict:
    return {"id": order_id, "inspectionID": case.id, "itemKeys": ["G02", "G07"], "basis": None,
            "facts": "销售的复合肥未附产品质量检验合格证明", "requirements": "下架未附合格证的复合肥，补齐合格证明",
            "mode": "deadline", "dueDate": "2026-10-12", "reportBack": True, "issuedAt": "2026-09-28T10:00:00+08:00"}


def phone_content_sha(case, args: dict) -> str:
    """The hash the phone computes from what it shows (built here from the case as the phone holds it)."""
    agency, party = case.agency, case.party
    bases = [(case.template.item(k) or {}).get("legal_basis") for k in args["itemKeys"]]
    order = {"orderId": args["id"], "agency": agency.name, "government": f"{agency.short_name}人民政府",
             "party": {"name": party.name, "creditCode": party.credit_code, "legalRep": party.legal_rep,
                       "address": party.address, "phone": party.phone, "entityType": party.entity_type},
             "inspectors": [{"name": link.user.display_name, "certNo": link.user.cert_no} for link in case.inspectors],
             "facts": args["facts"], "basis": dc.rectification_basis(bases, args.get("basis")),
             "requirements": args["requirements"], "mode": args["mode"], "dueDate": args["dueDate"],
             "reportBack": args["reportBack"]}
    return dc.content_hash(dc.rectification_content(order))


def _attests(sha: str) -> list[dict]:
    return [{"document": "rectification", "sha256": sha, "revision": 1}]


def _signed(case, sha: str, drawings: dict[str, bytes]) -> list[dict]:
    zhang, liu = (link.user_id for link in case.inspectors)
    return [
        {"id": new_id(), "role": "party", "signerName": "王建国", "imageSha256": sha256(drawings["party"]),
         "signedAt": "2026-09-28T10:20:00+08:00", "attests": _attests(sha), "confirmation": "seen"},
        {"id": new_id(), "role": "inspector", "userID": zhang, "imageSha256": sha256(drawings["zhang"]),
         "attests": _attests(sha), "confirmation": "seen"},
        {"id": new_id(), "role": "inspector", "userID": liu, "imageSha256": sha256(drawings["liu"]),
         "attests": _attests(sha), "confirmation": "seen"},
    ]


def _counts() -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(RectificationOrder)),
            db.session.scalar(select(func.count()).select_from(RectificationSignature)))


DRAWINGS = {"party": small_png((160, 60)), "zhang": small_png((150, 50)), "liu": small_png((140, 50))}


def test_the_party_signs_the_order_on_the_phone_and_the_notice_draws_it(app, login_as, at):
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())
    args["signatures"] = _signed(case, phone_content_sha(case, args), DRAWINGS)
    result = phone.send("rectification.issue.v1", **args)
    assert result["status"] == "applied", result
    for png in DRAWINGS.values():  # the drawings' bytes follow, like a record's signatures'
        upload(phone.api, png)

    db.session.rollback()
    order = db.session.get(RectificationOrder, args["id"])
    # The 送达 record is filled from the party's signature: served at the scene, to the signer, signed.
    assert order.party_signature == "signed" and order.served_to == "王建国" and order.service_method == "direct"
    assert clock.cn_date(order.served_at).isoformat() == "2026-09-28"
    assert len(order.signatures) == 3 and {s.confirmation for s in order.signatures} == {"seen"}

    response = phone.api.get(f"/api/v1/rectifications/{order.id}/notice.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "当事人（签字）：" in text and "受送达人：王建国当事人当场签收（签字见下）" in text and "执法人员（签名）：" in text
    assert "未签名" not in text
    assert pdf_images(response.data) == 3  # the party's and both inspectors' drawings

    # A resend (the answer was lost) adds nothing.
    assert phone.send("rectification.issue.v1", **args)["status"] == "applied"
    assert _counts() == (1, 3)
    head = reviewer_session(app.test_client(), "tuoketuo.head")
    page = head.get(f"/console/rectifications/{order.id}").get_data(as_text=True)
    assert 'data-signature-attested="no"' not in page and "执法人员 刘执法 已签字" in page


def test_a_signature_over_content_that_differs_is_kept_and_never_printed_as_signing_this_order(app, login_as, at):
    """The phone showed something else (another due date): the drawing is stored, nothing is lost,
    and the notice says 未签名 with why in the party's box."""
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())
    shown = phone_content_sha(case, {**args, "dueDate": "2026-10-30"})
    args["signatures"] = _signed(case, shown, DRAWINGS)
    assert phone.send("rectification.issue.v1", **args)["status"] == "applied"
    for png in DRAWINGS.values():
        upload(phone.api, png)
    assert _counts() == (1, 3)
    text = pdf_text(phone.api.get(f"/api/v1/rectifications/{args['id']}/notice.pdf").data)
    assert "当事人未签名：所签内容与本通知书不一致。" in text
    assert "执法人员张执法未签名：所签内容与本通知书不一致。" in text
    pdf = phone.api.get(f"/api/v1/rectifications/{args['id']}/notice.pdf").data
    assert pdf_images(pdf) == 0
    # The console says so too.
    head = reviewer_session(app.test_client(), "tuoketuo.head")
    page = head.get(f"/console/rectifications/{args['id']}").get_data(as_text=True)
    assert "现场签名" in page and "当事人 王建国 已签字（所签内容与本通知书不一致，不套印）" in page


def test_a_drawing_not_yet_uploaded_prints_as_not_yet_uploaded(app, login_as, at):
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())
    args["signatures"] = _signed(case, phone_content_sha(case, args), DRAWINGS)[:1]
    assert phone.send("rectification.issue.v1", **args)["status"] == "applied"
    text = pdf_text(phone.api.get(f"/api/v1/rectifications/{args['id']}/notice.pdf").data)
    assert "当事人未签名：签名图像尚未上传。" in text


def test_the_party_refuses_before_a_witness_and_the_service_record_says_so(app, login_as, at):
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())
    sha = phone_content_sha(case, args)
    args["signatures"] = [{"id": new_id(), "role": "party", "status": "refused", "refusalReason": "不认可检查结果",
                           "witnessName": "村委会李主任", "attests": _attests(sha), "confirmation": "read_aloud"}]
    args["service"] = {"method": "left", "servedTo": "王建国"}
    assert phone.send("rectification.issue.v1", **args)["status"] == "applied"
    db.session.rollback()
    order = db.session.get(RectificationOrder, args["id"])
    assert (order.party_signature, order.refusal_reason, order.witness_name) == ("refused", "不认可检查结果", "村委会李主任")
    text = pdf_text(phone.api.get(f"/api/v1/rectifications/{order.id}/notice.pdf").data)
    assert "当事人拒绝签收。理由：不认可检查结果；见证人：村委会李主任" in text
    assert "当事人（签字）：拒绝签字" in text


def test_an_older_phones_order_and_a_console_order_leave_the_box_empty_for_a_signature_on_paper(app, login_as, at):
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())  # no signatures: an older phone
    assert phone.send("rectification.issue.v1", **args)["status"] == "applied"
    pdf = phone.api.get(f"/api/v1/rectifications/{args['id']}/notice.pdf").data
    text = pdf_text(pdf)
    assert "当事人（签字）：日期：年月日" in text and "未签名" not in text and pdf_images(pdf) == 0

    head = reviewer_session(app.test_client(), "tuoketuo.head")
    page = f"/console/cases/{case.id}/followup"
    token = CSRF.search(head.get(page).get_data(as_text=True)).group(1)
    made = head.post(f"/console/cases/{case.id}/rectifications",
                     data={"csrf_token": token, "item_keys": ["G02"], "facts": "未建立进货台账",
                           "requirements": "建立进货台账", "mode": "deadline", "due_date": "2026-10-20", "report_back": "1"})
    assert made.status_code == 302, made.get_data(as_text=True)
    db.session.rollback()
    console_order = db.session.scalars(select(RectificationOrder).where(RectificationOrder.id != args["id"])).one()
    pdf = head.get(f"/console/rectifications/{console_order.id}.pdf").data
    text = pdf_text(pdf)
    assert "责令改正通知书" in text and "当事人（签字）：日期：年月日" in text and "未签名" not in text


@pytest.mark.parametrize("bad", ["refusal_without_witness", "not_an_inspector", "inspector_refuses", "no_drawing",
                                 "wrong_document", "two_party_signatures"])
def test_a_bad_signature_rejects_the_order_with_reasons_and_nothing_is_kept(app, login_as, at, bad):
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())
    sha = phone_content_sha(case, args)
    signatures = _signed(case, sha, DRAWINGS)
    if bad == "refusal_without_witness":
        signatures[0] = {"id": new_id(), "role": "party", "status": "refused", "refusalReason": "不签",
                         "attests": _attests(sha)}
    elif bad == "not_an_inspector":
        signatures[1]["userID"] = factories.user("donghe.chen").id
    elif bad == "inspector_refuses":
        signatures[1] = {**signatures[1], "status": "refused", "refusalReason": "x", "witnessName": "y"}
    elif bad == "no_drawing":
        signatures[0].pop("imageSha256")
    elif bad == "wrong_document":
        signatures[0]["attests"] = [{"document": "on_site", "sha256": sha, "revision": 1}]
    else:
        signatures.append({**signatures[0], "id": new_id()})
    result = phone.send("rectification.issue.v1", **args, signatures=signatures)
    assert result["status"] == "rejected", result
    assert result["reasons"] and all(r.get("messageZh") or r.get("message") for r in result["reasons"])
    assert _counts() == (0, 0)


def test_orders_reach_both_inspectors_phones_and_nobody_elses_with_their_status(app, login_as, at):
    agency = factories.agency("150122")
    agency.standing_rectification = False  # the order waits for the 负责人: its status changes later
    db.session.commit()
    case = _case()
    zhang = Phone(login_as("tuoketuo.zhang"))
    args = _terms(case, new_id())
    args["signatures"] = _signed(case, phone_content_sha(case, args), DRAWINGS)[:1]
    assert zhang.send("rectification.issue.v1", **args)["status"] == "applied"

    liu, chen = Phone(login_as("tuoketuo.liu")), Phone(login_as("donghe.chen"))
    liu.pull()
    chen.pull()
    order = liu.value("rectification", args["id"])
    assert order["status"] == "pending" and order["docNo"] is None and order["dueDate"] == "2026-10-12"
    assert order["inspectionID"] == case.id and order["facts"] == args["facts"] and order["partySignedOnPhone"]
    assert chen.of_type("rectification") == {}  # another county's inspector

    head = reviewer_session(app.test_client(), "tuoketuo.head")
    page = f"/console/rectifications/{args['id']}"
    token = CSRF.search(head.get(page).get_data(as_text=True)).group(1)
    assert head.post(f"{page}/approve", data={"csrf_token": token}).status_code == 302
    liu.pull()
    order = liu.value("rectification", args["id"])
    assert order["status"] == "issued" and order["docNo"] == "呼托市监责改〔2026〕1号"
    chen.pull()
    assert chen.of_type("rectification") == {}

    # A reinstalled phone (a new login, no cursor) sees it again.
    again = Phone(login_as("tuoketuo.zhang", client_id=new_id()))
    again.pull()
    assert again.value("rectification", args["id"])["docNo"] == "呼托市监责改〔2026〕1号"



def test_a_colleague_put_on_the_case_later_receives_its_orders_and_one_taken_off_loses_the_case(app, login_as, at):
    """周执法 (another county of the league) had pulled before he joined the case: joining re-sends the
    case with its orders; 刘执法, taken off, receives the case as `del` (its orders go with it on the phone)."""
    case = _case()
    zhang, liu, zhou = (Phone(login_as(u)) for u in ("tuoketuo.zhang", "tuoketuo.liu", "xincheng.zhou"))
    args = _terms(case, new_id())
    assert zhang.send("rectification.issue.v1", **args)["status"] == "applied"
    liu.pull()
    zhou.pull()
    assert liu.has("rectification", args["id"]) and not zhou.has("rectification", args["id"])
    result = zhang.send("inspection.update.v1", id=case.id, baseVersion=0,
                        fields={"inspectorIDs": [zhang.user_id, zhou.user_id]})
    assert result["status"] in ("applied", "applied_with_conflict"), result
    zhou.pull()
    assert zhou.value("rectification", args["id"])["status"] == "issued"
    liu.pull()
    assert not liu.has("inspection", case.id)
