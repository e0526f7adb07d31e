"""The whole round trip through the real protocols: a phone submits over sync, a league reviewer
filters and returns it with an item comment, the phone pulls the return, amends and resubmits,
and the reviewer approves it with a case number that the phone pulls too."""
from __future__ import annotations

import re

from sqlalchemy import select

from inspector.database import db
from inspector.models import AuditEvent, Inspection, Signature
from inspector.services.case_numbers import local_year

from .. import factories
from ..console_support import decide, open_case, reviewer_session
from ..sync_phone import PARTY_ANSWERS, Phone, complete_answers, fill_and_sign, inspection_args, new_id
from ..unit.test_pdf_render import pdf_pages_text, squeeze
from .test_case_file import download


def _phone_submits_a_case(phone: Phone, user) -> str:
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    result = phone.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id))
    assert result["status"] == "applied", result
    phone.push(*fill_and_sign(phone, case_id))
    assert phone.send("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G02", result="fail",
                      note="未见合格证")["status"] == "applied"
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    return case_id


def test_return_reaches_the_phone_and_the_amended_case_is_approved(client, app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _phone_submits_a_case(phone, user)

    reviewer = app.test_client()
    reviewer_session(reviewer)
    queue = reviewer.get("/console/queue", query_string={"category": "fertilizer", "failed": "1",
                                                          "q": "丰收"}).get_data(as_text=True)
    assert f"/console/cases/{case_id}" in queue
    html, _token, _version = open_case(reviewer, case_id)
    assert html.index('data-item="G02"') < html.index('data-item="G01"')  # the failed item first
    r = decide(reviewer, case_id, "return", comment="请补充合格证明",
               items={"G02": "请拍摄产品合格证明并重新填写。"})
    assert r.status_code == 302

    phone.pull()
    assert phone.value("inspection", case_id)["status"] == "returned"
    [decision] = [d for d in phone.of_type("decision").values() if d["inspectionID"] == case_id]
    assert decision["decision"] == "return"
    assert decision["itemComments"] == {"G02": "请拍摄产品合格证明并重新填写。"}

    assert phone.send("inspection.amend.v1", id=case_id, reason="补拍合格证明")["status"] == "applied"
    phone.pull()
    assert phone.send("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G02", result="pass",
                      note="已补拍合格证明", baseVersion=phone.versions[("inspection", case_id)])["status"] == "applied"
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    html, _token, _version = open_case(reviewer, case_id)
    assert "第2版" in html and "data-revisions" in html
    # The amendment diff in words: the item's name and result as the record writes them.
    assert re.search(r'<td class="what">检查项 G02 [^<]*· 结果</td>\s*<td class="old">不符合</td>\s*'
                     r'<td class="arrow" aria-hidden="true">→</td>\s*<td class="new">符合</td>', html)
    assert "已补拍合格证明" in html and "findings.G02" not in html
    assert "第1版退回意见：请拍摄产品合格证明并重新填写。" in html
    assert decide(reviewer, case_id, "approve").status_code == 302
    number = f"呼托市监检〔{local_year()}〕1号"
    assert number in reviewer.get(f"/console/cases/{case_id}").get_data(as_text=True)

    phone.pull()
    assert phone.value("inspection", case_id)["status"] == "approved"
    assert phone.value("inspection", case_id)["caseNumber"] == number
    db.session.rollback()
    assert db.session.get(Inspection, case_id).case_number == number


def test_a_baotou_reviewer_never_sees_the_hohhot_case(client, app, login_as, user):
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _phone_submits_a_case(phone, user)
    baotou = app.test_client()
    reviewer_session(baotou, "baotou.reviewer")
    assert case_id not in baotou.get("/console/queue?status=all").get_data(as_text=True)
    assert baotou.get(f"/console/cases/{case_id}").status_code == 404
    assert case_id not in baotou.get("/console/export/inspections.csv?status=all", buffered=True).get_data(as_text=True)
    dashboard = baotou.get("/console/dashboard?campaign=").get_data(as_text=True)
    assert re.search(r'data-total="inspections"><span class="number">0</span>', dashboard)


def _refused_case(phone: Phone, user) -> tuple[str, str]:
    """A case whose party refused to sign, submitted over sync: (case id, refusal id)."""
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id, refusal_id = new_id(), new_id()
    phone.push(phone.mutation("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id)),
        *[phone.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey=key, **answer)
          for key, answer in complete_answers()],
        phone.mutation("inspection.update.v1", id=case_id, baseVersion=0, fields={**PARTY_ANSWERS, "closingAnswer": "有异议"}),
        phone.mutation("signature.refuse.v1", id=refusal_id, inspectionID=case_id, reason="称店主外出，无权签字",
                       witnessName="郝村委", at="2026-11-30T10:02:00+08:00"))
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    return case_id, refusal_id


def test_a_refusal_edited_after_a_return_is_what_the_console_and_the_case_file_show(app, login_as, user):
    """The reviewer returns the case; on the phone the witness and the reason are corrected and the case
    resubmitted. The server, the console and the printed case file show the new witness; the earlier
    refusal is kept in the audit trail."""
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id, refusal_id = _refused_case(phone, user)
    reviewer = reviewer_session(app.test_client())
    assert decide(reviewer, case_id, "return", comment="见证人应写全名和身份").status_code == 302
    phone.pull()
    assert phone.send("inspection.amend.v1", id=case_id, reason="更正见证人")["status"] == "applied"
    edited = phone.send("signature.refuse.v1", id=refusal_id, inspectionID=case_id, reason="称店主外出，本人只是店员",
                        witnessName="郝建军（新华村委会主任）", at="2026-11-30T10:02:00+08:00")
    assert edited["status"] == "applied"
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    phone.pull()
    refusal = phone.value("signature", refusal_id)
    assert (refusal["witnessName"], refusal["refusalReason"]) == ("郝建军（新华村委会主任）", "称店主外出，本人只是店员")
    html, _token, _version = open_case(reviewer, case_id)
    assert "郝建军（新华村委会主任）" in html
    amendments = html[html.index("data-revisions"):]  # the earlier refusal is kept, beside the new one
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr data-change>(.*?)</tr>", amendments, re.S)]
    assert any("见证人" in row and "郝村委 → 郝建军（新华村委会主任）" in row for row in rows), rows
    pdf = download(phone.api, case_id)
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
    text = squeeze("".join(pdf_pages_text(pdf.data)))
    assert "见证人姓名郝建军（新华村委会主任）" in text and "郝村委" not in text
    db.session.rollback()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.inspection_id == case_id,
                                                        AuditEvent.action == "signature.refuse")
                               .order_by(AuditEvent.seq.desc())).first()
    assert event.data["before"] == {"reason": "称店主外出，无权签字", "witnessName": "郝村委"}
    assert event.data["after"] == {"reason": "称店主外出，本人只是店员", "witnessName": "郝建军（新华村委会主任）"}


def test_a_refusal_edited_on_a_submitted_case_is_rejected_visibly(login_as, user):
    """Resending an edited refusal while the case awaits review changes nothing and says why."""
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id, refusal_id = _refused_case(phone, user)
    result = phone.send("signature.refuse.v1", id=refusal_id, inspectionID=case_id, reason="称店主外出，无权签字",
                        witnessName="郝建军", at="2026-11-30T10:02:00+08:00")
    assert result["status"] == "rejected" and result["reasons"][0]["code"] == "inspection_read_only"
    same = phone.send("signature.refuse.v1", id=refusal_id, inspectionID=case_id, reason="称店主外出，无权签字",
                      witnessName="郝村委", at="2026-11-30T10:02:00+08:00")
    assert same["status"] == "applied"  # the same refusal again (a resent record): nothing to change
    db.session.rollback()
    assert db.session.get(Signature, refusal_id).witness_name == "郝村委"


def test_a_party_signature_drawn_again_after_a_return_replaces_the_first(app, login_as, user):
    """The phone keeps a signature slot's id when the party signs again: the new drawing is applied."""
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = _phone_submits_a_case(phone, user)
    db.session.rollback()
    [signature_id] = [s.id for s in db.session.scalars(select(Signature).where(Signature.inspection_id == case_id))]
    reviewer = reviewer_session(app.test_client())
    assert decide(reviewer, case_id, "return", comment="签名不清").status_code == 302
    phone.pull()
    assert phone.send("inspection.amend.v1", id=case_id, reason="重新签名")["status"] == "applied"
    again = phone.send("signature.add.v1", id=signature_id, inspectionID=case_id, role="party", signerName="王建国",
                       imageSha256="c" * 64)
    assert again["status"] == "applied"
    phone.pull()
    assert phone.value("signature", signature_id)["imageSha256"] == "c" * 64


def test_an_amendment_keeps_the_on_site_times_and_has_its_own(app, login_as, user):
    """On site from 9:14 to 13:37; returned, amended and resubmitted at 16:05 by a phone that still
    sends the resubmission's time as the end. The case file prints 13:37 for the visit and the
    sampling; the console shows the amendment at 16:05 on revision 2."""
    phone = Phone(login_as("tuoketuo.zhang"))
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    phone.push(phone.mutation("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id)),
        *fill_and_sign(phone, case_id),
        phone.mutation("sample.add.v1", id=new_id(), inspectionID=case_id, name="复合肥料", quantity="2 kg",
                       baseQuantity="120 袋", sealNumbers=["FY20260001"]),
        phone.mutation("inspection.update.v1", id=case_id, baseVersion=0,
                       fields={"endedAt": "2026-11-30T13:37:20+08:00"}))
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    reviewer = reviewer_session(app.test_client())
    assert decide(reviewer, case_id, "return", comment="请补充").status_code == 302
    phone.pull()
    assert phone.send("inspection.amend.v1", id=case_id, reason="补充说明")["status"] == "applied"
    resubmit = [phone.mutation("inspection.update.v1", id=case_id, baseVersion=phone.versions[("inspection", case_id)],
                               fields={"endedAt": "2026-12-01T16:05:00+08:00", "narrative": "补充：查看进货台账"}),
                phone.mutation("inspection.submit.v1", id=case_id)]
    resubmit[-1]["clientTime"] = "2026-12-01T16:05:00+08:00"
    assert [r["status"] for r in phone.push(*resubmit)["results"]] == ["applied", "applied"]

    phone.pull()
    case = phone.value("inspection", case_id)
    assert case["endedAtDevice"].startswith("2026-11-30T05:37:20")  # 13:37:20 in Inner Mongolia
    assert case["narrative"] == "补充：查看进货台账"  # the rest of the edit is applied
    text = squeeze("".join(pdf_pages_text(download(phone.api, case_id).data)))
    assert text.count("2026年11月30日9时14分至13时37分") >= 2  # 现场笔录 and 抽样记录
    assert "16时5分" not in text
    html, _token, _version = open_case(reviewer, case_id)
    revisions = html[html.index("data-revisions"):]
    assert "2026-12-01 16:05" in revisions
