"""责令改正通知书 and what follows it, as the people who use it see it (SQLite and PostgreSQL):
inspectors issue one on the phone at the scene, the county's 负责人 approves one drafted where no
standing authorisation applies, it prints clean once issued and marked 未签发 before; the working day
after its due date the re-inspection task reaches the original inspectors' phones, and their
re-inspection closes it or escalates it to a 立案 clock; bad input is refused and changes nothing."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db
from inspector.models import AuditEvent, CaseClock, RectificationOrder, Task
from inspector.services.rectification import create_due_rechecks

from .. import factories
from ..console_support import CSRF, reviewer_session
from ..sync_phone import Phone, complete_answers, inspection_args, new_id

BEIJING = "+08:00"


@pytest.fixture
def at():
    def _set(moment: str) -> None:
        clock.set_now(datetime.fromisoformat(moment + BEIJING) if "T" in moment
                      else datetime.fromisoformat(moment + "T10:00:00" + BEIJING))
    yield _set
    clock.set_now(None)


def pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def _case(agency_code: str = "150122", inspectors=("tuoketuo.zhang", "tuoketuo.liu"), status: str = "draft"):
    party = factories.party(agency_code, "托克托县丰收农资经营部", address="双河镇新华街12号")
    return factories.inspection(party, inspectors, status=status, findings={"G02": "fail", "G07": "fail"})


def _issue_args(case, **extra):
    return {"id": new_id(), "inspectionID": case.id, "itemKeys": ["G02", "G07"],
            "facts": "销售的复合肥未附产品质量检验合格证明，未建立进货检查验收制度",
            "requirements": "下架未附合格证的复合肥，建立进货检查验收台账", "mode": "deadline",
            "dueDate": "2026-09-30", "reportBack": True, "issuedAt": "2026-09-28T10:00:00+08:00",
            "service": {"method": "direct", "servedAt": "2026-09-28T10:30:00+08:00", "servedTo": "王建国",
                        "partySignature": "signed"}, **extra}


def _orders() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(RectificationOrder))


def _console(app, username: str):
    return reviewer_session(app.test_client(), username)


def _csrf(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


# ---------------------------------------------------------------- on the phone, at the scene

def test_inspectors_issue_an_order_at_the_scene_that_prints_clean_and_a_resend_changes_nothing(app, login_as, at):
    at("2026-09-28T11:00:00")
    case = _case()
    phone = Phone(login_as("tuoketuo.zhang"))
    args = _issue_args(case)
    result = phone.send("rectification.issue.v1", **args)
    assert result["status"] == "applied", result
    db.session.rollback()
    order = db.session.get(RectificationOrder, args["id"])
    assert order.status == "issued" and order.issued_on_site and order.doc_no == "呼托市监责改〔2026〕1号"
    assert str(order.recheck_on) == "2026-10-08" and order.party_signature == "signed"
    assert case.status == "draft"  # the record's own review status does not matter
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = phone.send("rectification.issue.v1", **args)  # the phone resends (lost answer)
    assert again["status"] == "applied"
    assert _orders() == 1 and db.session.scalar(select(func.count()).select_from(AuditEvent)) == events

    response = phone.api.get(f"/api/v1/rectifications/{order.id}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("责令改正通知书", "呼托市监责改〔2026〕1号", "托克托县丰收农资经营部", "2026年9月30日前改正",
                     "《中华人民共和国产品质量法》第三十六条、第二十七条第一款第（一）项", "《中华人民共和国产品质量法》第三十三条",
                     "下架未附合格证的复合肥", "六十日内向托克托县人民政府申请行政复议", "六个月内", "直接送达",
                     "王建国（已签收）", "张执法（执法证号15012226001）"):
        assert expected in text, expected
    assert "未签发" not in text
    number = response.headers["X-Document-Number"]
    assert f"文书编号：{number}" in text and "/verify/" in text  # registered, with its QR code
    again = phone.api.get(f"/api/v1/rectifications/{order.id}/notice.pdf")
    assert again.headers["X-Document-Number"] == number and again.data == response.data  # the same document
    token = re.search(r"/verify/([A-Za-z0-9_-]+)核验", text).group(1)
    check = app.test_client().get(f"/verify/{token}")
    assert check.status_code == 200 and "呼托市监责改〔2026〕1号" in check.get_data(as_text=True)
    other = Phone(login_as("donghe.chen"))  # another county cannot fetch it
    assert other.api.get(f"/api/v1/rectifications/{order.id}/notice.pdf").status_code == 404


@pytest.mark.parametrize("case_kind", ["due_in_past", "due_on_issue_day", "unknown_item", "refusal_without_witness",
                                       "out_of_scope", "no_deadline"])
def test_a_bad_order_from_the_phone_is_rejected_with_reasons_and_nothing_is_kept(app, login_as, at, case_kind):
    at("2026-09-28T11:00:00")
    case = _case()
    username = "tuoketuo.zhang"
    args = _issue_args(case)
    if case_kind == "due_in_past":
        args["dueDate"] = "2026-09-20"
    elif case_kind == "due_on_issue_day":
        args["dueDate"] = "2026-09-28"
    elif case_kind == "unknown_item":
        args["itemKeys"] = ["G02", "Z99"]
    elif case_kind == "refusal_without_witness":
        args["service"] = {"method": "direct", "servedTo": "王建国", "partySignature": "refused", "refusalReason": "不认可"}
    elif case_kind == "out_of_scope":
        username = "donghe.chen"  # 包头市东河区: not an inspector of this case, not its jurisdiction
    else:
        args.pop("dueDate")
    result = Phone(login_as(username)).send("rectification.issue.v1", **args)
    assert result["status"] == "rejected", result
    assert result["reasons"] and all(r["messageZh"] for r in result["reasons"])
    assert _orders() == 0


# ---------------------------------------------------------------- the console: approval by a 负责人

def test_without_standing_authorisation_the_order_waits_for_the_head_and_prints_unissued(app, login_as, at):
    at("2026-09-28T11:00:00")
    agency = factories.agency("150122")
    agency.standing_rectification = False
    db.session.commit()
    case = _case()
    args = _issue_args(case)
    assert Phone(login_as("tuoketuo.zhang")).send("rectification.issue.v1", **args)["status"] == "applied"
    db.session.rollback()
    order = db.session.get(RectificationOrder, args["id"])
    assert order.status == "pending" and order.doc_no is None and order.served_at is None
    officer = _console(app, "tuoketuo.officer")
    text = pdf_text(officer.get(f"/console/rectifications/{order.id}.pdf").data)
    assert "未签发" in text and "待负责人批准" in text and "呼托市监责改" not in text and "文书编号" not in text

    page = f"/console/rectifications/{order.id}"
    refused = officer.post(f"{page}/approve", data={"csrf_token": _csrf(officer, page)})
    assert refused.status_code == 403 and "负责人" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(RectificationOrder, order.id).status == "pending"

    head = _console(app, "tuoketuo.head")
    assert head.post(f"{page}/approve", data={"csrf_token": _csrf(head, page)}).status_code == 302
    db.session.rollback()
    order = db.session.get(RectificationOrder, order.id)
    assert order.status == "issued" and order.doc_no == "呼托市监责改〔2026〕1号" and order.approved_by_id
    text = pdf_text(head.get(f"/console/rectifications/{order.id}.pdf").data)
    assert "呼托市监责改〔2026〕1号" in text and "未签发" not in text

    served = head.post(f"{page}/serve", data={"csrf_token": _csrf(head, page), "method": "left",
                                              "served_at": "2026-09-28T10:45", "served_to": "王建国",
                                              "party_signature": "refused", "refusal_reason": "不认可检查结果",
                                              "witness_name": "村委会李主任"})
    assert served.status_code == 302
    text = pdf_text(head.get(f"/console/rectifications/{order.id}.pdf").data)
    assert "留置送达" in text and "当事人拒绝签收" in text and "村委会李主任" in text
    detail = head.get(page).get_data(as_text=True)
    assert "留置送达" in detail and "拒绝签收" in detail and "2026-10-08" in detail  # the re-inspection day


def test_console_refuses_a_bad_order_and_changes_nothing(app, at):
    at("2026-09-28T11:00:00")
    case = _case()
    head = _console(app, "tuoketuo.head")
    page = f"/console/cases/{case.id}/followup"
    form = {"csrf_token": _csrf(head, page), "item_keys": ["G02"], "facts": "未附合格证",
            "requirements": "下架", "mode": "deadline", "due_date": "2026-09-01", "report_back": "1"}
    r = head.post(f"/console/cases/{case.id}/rectifications", data=form)
    assert r.status_code == 400 and "改正期限须晚于发出之日" in r.get_data(as_text=True)
    assert _orders() == 0
    other = factories.inspection(factories.party("150202", "东河区某农资店"), ("donghe.chen", "donghe.sun"))
    r = head.post(f"/console/cases/{other.id}/rectifications", data={**form, "due_date": "2026-10-20"})
    assert r.status_code == 404  # a case of another county: not even shown
    assert _orders() == 0
    r = head.post(f"/console/cases/{case.id}/rectifications", data={**form, "due_date": "2026-10-20"})
    assert r.status_code == 302  # a 负责人 issues at once
    db.session.rollback()
    order = db.session.scalars(select(RectificationOrder)).one()
    assert order.status == "issued" and not order.issued_on_site and order.basis.startswith("《中华人民共和国产品质量法》")


# ---------------------------------------------------------------- the re-inspection

def _issued_on_site(login_as, at, **extra) -> RectificationOrder:
    at("2026-09-28T11:00:00")
    case = _case(status="submitted")
    args = _issue_args(case, **extra)
    assert Phone(login_as("tuoketuo.zhang")).send("rectification.issue.v1", **args)["status"] == "applied"
    db.session.rollback()
    return db.session.get(RectificationOrder, args["id"])


def _recheck_tasks() -> list[Task]:
    db.session.rollback()
    return list(db.session.scalars(select(Task).where(Task.source_kind == "reinspection")))


def test_the_reinspection_task_appears_on_the_working_day_after_the_due_date_and_not_before(app, login_as, at):
    order = _issued_on_site(login_as, at)
    for day in ("2026-09-30T23:00:00", "2026-10-01T09:00:00", "2026-10-07T23:59:00"):  # due day, then 国庆
        at(day)
        assert create_due_rechecks() == 0
        db.session.commit()
    assert _recheck_tasks() == []
    at("2026-10-08T07:30:00")  # 23:30 UTC the day before: already 10/8 in Beijing
    assert create_due_rechecks() == 1
    db.session.commit()
    assert create_due_rechecks() == 0  # the hourly job again: no second task
    db.session.commit()
    [task] = _recheck_tasks()
    assert task.source_id == order.id and str(task.due_date) == "2026-10-08" and task.agency.code == "150122"
    assert sorted(a.user.username for a in task.assignees) == ["tuoketuo.liu", "tuoketuo.zhang"]
    assert db.session.get(RectificationOrder, order.id).status == "recheck"
    phone = Phone(login_as("tuoketuo.liu"))
    phone.pull()
    value = phone.value("task", task.id)
    assert value["sourceKind"] == "reinspection" and "呼托市监责改〔2026〕1号" in value["title"]


@pytest.mark.parametrize("corrected", [True, False])
def test_the_reinspection_on_the_phone_closes_or_escalates_the_order(app, login_as, at, corrected):
    order = _issued_on_site(login_as, at)
    at("2026-10-08T09:00:00")
    create_due_rechecks()
    db.session.commit()
    [task] = _recheck_tasks()
    phone = Phone(login_as("tuoketuo.zhang"))
    phone.pull()
    ids = [factories.user("tuoketuo.zhang").id, factories.user("tuoketuo.liu").id]
    recheck_id = new_id()
    mutations = [phone.mutation("inspection.create.v1", **inspection_args(order.party_id, ids, inspection_id=recheck_id,
                                                                         taskID=task.id))]
    for key, answer in complete_answers():
        if key == "G02" and not corrected:
            answer = {"result": "fail"}
        mutations.append(phone.mutation("finding.set.v1", id=new_id(), inspectionID=recheck_id, itemKey=key, **answer))
    mutations.append(phone.mutation("inspection.update.v1", id=recheck_id, baseVersion=0,
                                    fields={"certificatesAnswer": "看清楚了", "recusalAnswer": "不申请回避",
                                            "closingAnswer": "以上记录属实"}))
    mutations.append(phone.mutation("signature.add.v1", id=new_id(), inspectionID=recheck_id, role="party",
                                    signerName="王建国", imageSha256="a" * 64))
    mutations.append(phone.mutation("inspection.submit.v1", id=recheck_id))
    results = phone.push(*mutations)["results"]
    assert all(r["status"] == "applied" for r in results), [r for r in results if r["status"] != "applied"]
    db.session.rollback()
    order = db.session.get(RectificationOrder, order.id)
    assert order.recheck_inspection_id == recheck_id
    if corrected:
        assert (order.status, order.outcome, order.escalation_clock_id) == ("closed", "corrected", None)
        return
    assert (order.status, order.outcome) == ("escalated", "not_corrected")
    escalation = db.session.get(CaseClock, order.escalation_clock_id)
    # 立案 decided within 15 working days of 10/8: 10/9, Sat 10/10 (worked), 10/12–16, 10/19–23, 10/26–28
    assert escalation.rule_id == "CASE-1" and str(escalation.start_date) == "2026-10-08"
    assert str(escalation.due_date) == "2026-10-28"
    at("2026-10-27T09:00:00")  # within 2 working days of its day: on the county's 待办
    officer = _console(app, "tuoketuo.head")
    bureau = officer.get("/console/todo?scope=bureau").get_data(as_text=True)
    assert f'data-source="case_clock:{escalation.id}"' in bureau


def test_when_an_original_inspector_has_left_the_county_officers_choose_the_reinspectors(app, login_as, at):
    from inspector.services.passwords import hash_password
    from inspector.models import User

    order = _issued_on_site(login_as, at)
    liu = factories.user("tuoketuo.liu")
    liu.active = False  # left the bureau after the visit
    ma = User(username="tuoketuo.ma", display_name="马执法", role="inspector", agency=factories.agency("150122"),
              cert_no="15012226009", password_hash=hash_password("demo-2026"), active=True)
    db.session.add(ma)
    db.session.commit()
    at("2026-10-08T09:00:00")
    assert create_due_rechecks() == 0
    db.session.commit()
    assert _recheck_tasks() == []
    officer = _console(app, "tuoketuo.officer")
    todo = officer.get("/console/todo?scope=bureau").get_data(as_text=True)
    today = re.search(r'data-bucket="today">(.*?)</table>', todo, re.S).group(1)
    assert f'data-source="rectification:{order.id}"' in today and "复查" in today

    page = f"/console/rectifications/{order.id}"
    zhang = factories.user("tuoketuo.zhang")
    r = officer.post(f"{page}/recheck", data={"csrf_token": _csrf(officer, page), "assignees": [str(zhang.id)]})
    assert r.status_code == 400 and "至少需要2名" in r.get_data(as_text=True)  # one inspector is not enough
    assert _recheck_tasks() == []
    r = officer.post(f"{page}/recheck", data={"csrf_token": _csrf(officer, page),
                                              "assignees": [str(zhang.id), str(ma.id)]})
    assert r.status_code == 302
    [task] = _recheck_tasks()
    assert sorted(a.user.username for a in task.assignees) == ["tuoketuo.ma", "tuoketuo.zhang"]
    assert db.session.get(RectificationOrder, order.id).status == "recheck"
    todo = officer.get("/console/todo?scope=bureau").get_data(as_text=True)
    assert f'data-source="rectification:{order.id}"' not in todo and f'data-source="task:{task.id}"' in todo


def test_an_admin_withdraws_the_standing_authorisation_and_the_next_order_waits_for_the_head(app, login_as, at):
    at("2026-09-28T11:00:00")
    agency = factories.agency("150122")
    admin = _console(app, "admin")  # the region's administrator
    page = f"/console/admin/agencies?edit={agency.id}"
    r = admin.post(f"/console/admin/agencies/{agency.id}/rectification", data={"csrf_token": _csrf(admin, page)})
    assert r.status_code == 302
    db.session.rollback()
    assert factories.agency("150122").standing_rectification is False
    officer = _console(app, "tuoketuo.officer")  # not an admin: refused, nothing changed
    r = officer.post(f"/console/admin/agencies/{agency.id}/rectification",
                     data={"csrf_token": _csrf(officer, "/console/followup"), "standing": "1"})
    assert r.status_code == 403
    db.session.rollback()
    assert factories.agency("150122").standing_rectification is False
    case = _case()
    args = _issue_args(case)
    assert Phone(login_as("tuoketuo.zhang")).send("rectification.issue.v1", **args)["status"] == "applied"
    db.session.rollback()
    assert db.session.get(RectificationOrder, args["id"]).status == "pending"
