"""A league reviewer decides on cases: approve with a case number, return with item comments,
reject with a reason; stale and out-of-scope decisions change nothing."""
from __future__ import annotations

from sqlalchemy import select

from inspector.database import db
from inspector.models import AuditEvent, Inspection, ReviewDecision
from inspector.services.audit import verify_chain
from inspector.services.case_numbers import local_year

from .. import factories
from ..console_support import decide, open_case, reviewer_session, submitted_case


def _fresh(case_id: str) -> Inspection:
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.get(Inspection, case_id)


def test_approving_assigns_the_agencys_next_case_number(client):
    reviewer_session(client)
    first, second = submitted_case(), submitted_case()
    r = decide(client, first.id, "approve")
    assert r.status_code == 302
    year = local_year()
    assert _fresh(first.id).case_number == f"呼托市监检〔{year}〕1号"
    decide(client, second.id, "approve")
    assert _fresh(second.id).case_number == f"呼托市监检〔{year}〕2号"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"呼托市监检〔{year}〕1号" in page and "已通过" in page


def test_sequences_are_per_agency_and_follow_the_settings(client, app):
    reviewer_session(client)
    xincheng = factories.agency("150102")
    xincheng.case_number_uses_di, xincheng.case_number_padding = True, 3
    db.session.commit()
    tuoketuo_case = submitted_case()
    xincheng_case = submitted_case("150102", ("xincheng.zhou", "xincheng.wu"))
    decide(client, tuoketuo_case.id, "approve")
    decide(client, xincheng_case.id, "approve")
    year = local_year()
    assert _fresh(tuoketuo_case.id).case_number == f"呼托市监检〔{year}〕1号"
    assert _fresh(xincheng_case.id).case_number == f"呼新市监检〔{year}〕第001号"


def test_numbering_continues_after_numbers_already_issued(client):
    """Numbers seeded or imported before the counter existed are never issued twice."""
    year = local_year()
    old = submitted_case()
    old.status, old.case_number = "approved", f"呼托市监检〔{year}〕7号"
    db.session.commit()
    reviewer_session(client)
    case = submitted_case()
    decide(client, case.id, "approve")
    assert _fresh(case.id).case_number == f"呼托市监检〔{year}〕8号"


def test_agency_without_case_word_cannot_approve(client):
    agency = factories.agency("150122")
    agency.case_code_word = None
    db.session.commit()
    reviewer_session(client)
    case = submitted_case()
    r = decide(client, case.id, "approve")
    assert r.status_code == 422
    assert "机关代字" in r.get_data(as_text=True) and "管理员" in r.get_data(as_text=True)
    assert _fresh(case.id).status == "submitted" and _fresh(case.id).case_number is None


def test_return_with_item_comments_reaches_the_inspectors_api(client, login_as):
    reviewer_session(client)
    case = submitted_case(findings={"G01": "pass", "G02": "fail", "F01": "fail"})
    r = decide(client, case.id, "return", comment="请补充进货台账照片。",
               items={"G02": "合格证明照片模糊，请重拍。", "F01": "请注明登记证号。"})
    assert r.status_code == 302
    phone = login_as("tuoketuo.zhang")
    body = phone.get(f"/api/v1/inspections/{case.id}").get_json()
    assert body["status"] == "returned"
    decision = body["decisions"][-1]
    assert decision["decision"] == "return"
    assert decision["itemComments"] == {"G02": "合格证明照片模糊，请重拍。", "F01": "请注明登记证号。"}
    assert decision["comment"] == "请补充进货台账照片。"
    assert decision["reviewerName"] == "王审核（呼和浩特）"


def test_return_needs_a_comment_and_known_items(client):
    reviewer_session(client)
    case = submitted_case()
    assert decide(client, case.id, "return").status_code == 400
    r = decide(client, case.id, "return", items={"ZZ99": "不存在的检查项"})
    assert r.status_code == 400
    assert _fresh(case.id).status == "submitted"


def test_reject_needs_a_reason(client):
    reviewer_session(client)
    case = submitted_case()
    assert decide(client, case.id, "reject").status_code == 400
    assert decide(client, case.id, "reject", comment="当事人信息与检查对象不符").status_code == 302
    fresh = _fresh(case.id)
    assert fresh.status == "rejected" and fresh.case_number is None
    decision = db.session.scalars(select(ReviewDecision).where(ReviewDecision.inspection_id == case.id)).one()

    assert decision.comment == "当事人信息与检查对象不符"


def test_stale_decision_is_refused_and_changes_nothing(client, app):
    """Two reviewers open the case; the first returns it; the second's approval is refused."""
    reviewer_session(client)
    case = submitted_case()
    _html, _token, seen_version = open_case(client, case.id)
    other = app.test_client()
    reviewer_session(other, "hq.reviewer")
    assert decide(other, case.id, "return", comment="请补充照片").status_code == 302
    r = decide(client, case.id, "approve", version=seen_version)
    assert r.status_code == 409
    assert "此案件在您打开后已被修改" in r.get_data(as_text=True)
    fresh = _fresh(case.id)
    assert fresh.status == "returned" and fresh.case_number is None
    assert len(db.session.scalars(select(ReviewDecision).where(ReviewDecision.inspection_id == case.id)).all()) == 1


def test_only_submitted_cases_are_decided(client):
    reviewer_session(client)
    draft = factories.inspection(factories.party("150122"), ("tuoketuo.zhang", "tuoketuo.liu"), status="draft")
    from ..console_support import csrf_token
    r = client.post(f"/console/cases/{draft.id}/decide",
                    data={"csrf_token": csrf_token(client), "decision": "approve", "version": str(draft.version)})
    assert r.status_code == 409
    assert _fresh(draft.id).status == "draft"


def test_every_decision_is_an_audit_event(client):
    reviewer_session(client)
    approved, returned, rejected = submitted_case(), submitted_case(), submitted_case()
    decide(client, approved.id, "approve")
    decide(client, returned.id, "return", items={"G02": "请重拍"})
    decide(client, rejected.id, "reject", comment="重复录入")
    db.session.rollback()
    events = {e.inspection_id: e for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("inspection.%")))}
    assert events[approved.id].action == "inspection.approve"
    assert events[approved.id].data["caseNumber"] == _fresh(approved.id).case_number
    assert events[returned.id].action == "inspection.return"
    assert events[returned.id].data["itemComments"] == {"G02": "请重拍"}
    assert events[rejected.id].action == "inspection.reject" and events[rejected.id].reason == "重复录入"
    assert verify_chain().ok


def test_baotou_case_is_not_found_for_a_hohhot_reviewer(client):
    reviewer_session(client)
    baotou = submitted_case("150202", ("donghe.chen", "donghe.sun"))
    assert client.get(f"/console/cases/{baotou.id}").status_code == 404
    from ..console_support import csrf_token
    r = client.post(f"/console/cases/{baotou.id}/decide",
                    data={"csrf_token": csrf_token(client), "decision": "approve", "version": str(baotou.version)})
    assert r.status_code == 404
    assert _fresh(baotou.id).status == "submitted"
    assert client.get(f"/console/cases/{baotou.id}/bundle.zip").status_code == 404


def test_decision_without_csrf_token_is_refused(client):
    reviewer_session(client)
    case = submitted_case()
    r = decide(client, case.id, "approve", token="")
    assert r.status_code == 400
    assert _fresh(case.id).status == "submitted"


def test_inspectors_and_admins_cannot_decide(client):
    case = submitted_case()
    reviewer_session(client, "admin")
    assert client.get(f"/console/cases/{case.id}").status_code == 200  # admins read
    from ..console_support import csrf_token
    r = client.post(f"/console/cases/{case.id}/decide",
                    data={"csrf_token": csrf_token(client), "decision": "approve", "version": str(case.version)})
    assert r.status_code == 403
    client.post("/console/logout", data={"csrf_token": csrf_token(client)})
    reviewer_session(client, "tuoketuo.zhang")
    assert client.get(f"/console/cases/{case.id}").status_code == 403
