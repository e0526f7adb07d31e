"""The whole round trip through the real protocols: a phone submits over sync, a league reviewer
filters and returns it with an item comment, the phone pulls the return, amends and resubmits,
and the reviewer approves it with a case number that the phone pulls too."""
from __future__ import annotations

import re

from inspector.database import db
from inspector.models import Inspection
from inspector.services.case_numbers import local_year

from .. import factories
from ..console_support import decide, open_case, reviewer_session
from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id


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
