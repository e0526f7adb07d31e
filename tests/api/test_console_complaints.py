"""The complaints and reports register in the console, as its people use it: a hotline registrar
takes a farmer's call, officers and the 负责人 step it through its rules, an inspection task goes
to the county, notices print; bad input is refused with a clear message and changes nothing; the
reporter stays hidden from everyone but the report's handlers, on every path (SQLite and PostgreSQL).
"""
from __future__ import annotations

import re
import subprocess

from sqlalchemy import func, select

from inspector.database import db
from inspector.models import Filing, Task

from .. import factories
from ..console_support import CSRF, reviewer_session
from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id

REPORTER, REPORTER_PHONE = "李老汉", "13947100001"
FARMER_CALL = {
    "kind": "complaint", "alsoReport": "1", "channel": "12315_phone", "externalRef": "12315-2026-0001",
    "receivedAt": "2026-12-04T09:30", "personName": REPORTER, "personPhone": REPORTER_PHONE,
    "personAddress": "托克托县五申镇", "respondentName": "", "productCategory": "fertilizer",
    "facts": f"{REPORTER}说在丰收农资买的复合肥结块、不溶于水，怀疑是假化肥，电话{REPORTER_PHONE}。",
    "requests": "退货退款", "consentMediation": "true",
}


def persona(app, username: str):
    return reviewer_session(app.test_client(), username)


def csrf(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def post(client, path: str, data: dict, page: str = "/console/filings/new"):
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def filings_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Filing))


def register_farmer_call(app, party=None):
    registrar = persona(app, "tuoketuo.registrar")
    data = dict(FARMER_CALL)
    if party is not None:
        data["partyID"] = party.id
    else:
        data["respondentName"] = "托克托县丰收农资经营部"
    response = post(registrar, "/console/filings", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    complaint = db.session.scalars(select(Filing).where(Filing.kind == "complaint")).one()
    return registrar, complaint, complaint.linked_filing


def step(client, filing, action: str, **fields):
    path = f"/console/filings/{filing.id}"
    return client.post(f"{path}/steps", data={"action": action, "csrf_token": csrf(client, path), **fields})


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it, without the spaces and line breaks of the layout."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


# ---------------------------------------------------------------- intake

def test_registrar_registers_a_farmers_mixed_call_as_a_linked_complaint_and_report(app):
    registrar, complaint, report = register_farmer_call(app)
    assert report is not None and report.kind == "report" and report.linked_filing_id == complaint.id
    assert complaint.channel == "12315_phone" and complaint.rule_version == "V121"
    assert complaint.reg_no == "呼托市监投〔2026〕1号" and report.reg_no == "呼托市监举〔2026〕2号"
    listing = registrar.get("/console/filings?kind=report").get_data(as_text=True)
    assert f'data-filing="{report.id}"' in listing and f'data-filing="{complaint.id}"' not in listing
    page = registrar.get(f"/console/filings/{complaint.id}").get_data(as_text=True)
    assert "参照消保法第六十二条" in page and report.reg_no in page
    assert "2026-12-15" in page  # 7 working days from Fri 2026-12-04


def test_bad_intake_is_refused_with_the_field_named_and_nothing_registered(app):
    registrar = persona(app, "tuoketuo.registrar")
    before = filings_count()
    cases = [
        ({"channel": "wechat_group"}, "channel"),
        ({"receivedAt": "2026-13-45T09:00"}, "receivedAt"),
        ({"receivedAt": "2019-12-31T09:00"}, "receivedAt"),
        ({"receivedAt": "2099-01-01T09:00"}, "receivedAt"),
        ({"personName": ""}, "personName"),
        ({"kind": "praise"}, "kind"),
    ]
    for change, field in cases:
        data = {**FARMER_CALL, "respondentName": "某农资店", **change}
        response = post(registrar, "/console/filings", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, (change, response.status_code)
        assert f'data-error="{field}"' in html and "登记未保存" in html, change
        assert FARMER_CALL["facts"] in html  # nothing typed is lost
    assert filings_count() == before


def test_an_inspector_cannot_open_the_register(app):
    _registrar, complaint, report = register_farmer_call(app)
    inspector = persona(app, "tuoketuo.zhang")
    assert inspector.get("/console/filings").status_code == 403
    assert inspector.get(f"/console/filings/{report.id}").status_code == 403


def test_another_league_does_not_see_the_filing(app):
    _registrar, complaint, _report = register_farmer_call(app)
    baotou = persona(app, "baotou.reviewer")
    assert complaint.reg_no not in baotou.get("/console/filings").get_data(as_text=True)
    assert baotou.get(f"/console/filings/{complaint.id}").status_code == 404


# ---------------------------------------------------------------- steps

def test_steps_not_allowed_are_refused_and_change_nothing(app):
    _registrar, complaint, report = register_farmer_call(app)
    officer, head = persona(app, "tuoketuo.officer"), persona(app, "tuoketuo.head")

    def unchanged(filing, status):
        db.session.rollback()
        row = db.session.get(Filing, filing.id)
        assert row.status == status
        return len(row.transitions)

    steps_before = unchanged(complaint, "received")
    # 立案 is a report's step, a complaint's mediation cannot start before acceptance
    for action, expected in (("open_case", 400), ("start_mediation", 409), ("terminate", 409)):
        response = step(officer, complaint, action, reason="x", ground="1")
        assert response.status_code == expected, (action, response.status_code)
        assert "未办理" in response.get_data(as_text=True)
    # 不予受理 needs the 负责人
    assert step(officer, complaint, "reject", ground="1", reason="x", noticeMethod="phone").status_code == 403
    # a ground the farmer's complaint cannot have (not for 生活消费: 消保法第六十二条)
    response = step(head, complaint, "reject", ground="3", reason="x", noticeMethod="phone")
    assert response.status_code == 400 and "ground" in response.get_data(as_text=True)
    # transfer to the bureau already handling it
    response = step(head, report, "transfer", agencyCode="150122", reason="x", noticeMethod="phone")
    assert response.status_code == 400 and "already handling" in response.get_data(as_text=True)
    # an unknown notice method
    assert step(officer, complaint, "accept", noticeMethod="pigeon").status_code == 400
    assert unchanged(complaint, "received") == steps_before
    assert unchanged(report, "verifying") == 1


def test_transfer_moves_the_report_and_restarts_its_clock_at_the_new_bureau(app):
    _registrar, _complaint, report = register_farmer_call(app)
    head = persona(app, "tuoketuo.head")
    response = step(head, report, "transfer", agencyCode="150202", reason="违法行为发生地在东河区",
                    noticeMethod="phone")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    moved = db.session.get(Filing, report.id)
    assert moved.handling_agency.code == "150202" and moved.status == "verifying"
    last = moved.transitions[-1]
    assert last.action == "transfer" and last.data["toName"] == moved.handling_agency.name
    assert last.notice_method == "phone" and last.by.username == "tuoketuo.head"


def test_complaint_accepted_mediated_to_termination_with_its_notices_printed(app):
    _registrar, complaint, _report = register_farmer_call(app)
    officer, head = persona(app, "tuoketuo.officer"), persona(app, "tuoketuo.head")
    assert step(officer, complaint, "accept", noticeMethod="sms").status_code == 302
    assert step(officer, complaint, "start_mediation").status_code == 400  # both must consent
    assert step(officer, complaint, "start_mediation", bothConsent="1").status_code == 302
    assert step(officer, complaint, "terminate", ground="3", reason="被投诉人明确表示无法达成协议").status_code == 302
    page = officer.get(f"/console/filings/{complaint.id}").get_data(as_text=True)
    assert 'data-deadline="CR-S8"' in page and "终止调解告知" in page
    links = dict(re.findall(r'href="(/console/filings/[^"]+\.pdf)" data-notice="(\w+)"', page))
    by_kind = {kind: href for href, kind in links.items()}
    accept = pdf_text(officer.get(by_kind["accept"]).data)
    assert "投诉受理告知书" in accept and f"投诉人{REPORTER}" in accept and "托克托县丰收农资经营部" in accept
    assert "第1页共1页" in accept
    terminate = pdf_text(officer.get(by_kind["terminate"]).data)
    assert "终止调解告知书" in terminate and "第二十三条第一款第（3）项" in terminate
    assert _report.reg_no not in terminate and "举报人" not in terminate  # it goes to the respondent too
    assert step(officer, complaint, "close").status_code == 409  # the notice is not sent yet
    assert step(officer, complaint, "notify", noticeMethod="letter").status_code == 302
    assert step(officer, complaint, "close").status_code == 302
    del head


def test_refusal_notice_cites_the_ground_of_the_records_rule_version(app):
    _registrar, complaint, _report = register_farmer_call(app)
    head = persona(app, "tuoketuo.head")
    assert step(head, complaint, "reject", ground="2", reason="已由消协受理", noticeMethod="phone").status_code == 302
    page = head.get(f"/console/filings/{complaint.id}").get_data(as_text=True)
    href = re.search(r'href="(/console/filings/[^"]+\.pdf)" data-notice="reject"', page).group(1)
    text = pdf_text(head.get(href).data)
    assert "投诉不予受理告知书" in text and "第十六条第（2）项" in text and "第三十九条" in text


# ---------------------------------------------------------------- lead → task → inspection, and confidentiality

def test_report_becomes_a_task_whose_inspection_feeds_the_case_notice_and_the_reporter_stays_hidden(app, login_as):
    party = factories.party("150122", "托克托县丰收农资经营部", address="双河镇新华街12号")
    registrar, _complaint, report = register_farmer_call(app, party)
    officer, head = persona(app, "tuoketuo.officer"), persona(app, "tuoketuo.head")
    zhang_id, liu_id = factories.user("tuoketuo.zhang").id, factories.user("tuoketuo.liu").id
    path = f"/console/filings/{report.id}"
    # the officer's text still names the reporter: it is cleaned before it leaves for the phones
    response = officer.post(f"{path}/task", data={
        "csrf_token": csrf(officer, path), "assignees": [str(zhang_id), str(liu_id)],
        "what_to_check": f"核查复合肥进货台账；举报人{REPORTER}（{REPORTER_PHONE[:3]}-{REPORTER_PHONE[3:]}）称结块"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    task = db.session.scalars(select(Task).where(Task.source_id == report.id)).one()
    assert task.source_kind == "report" and task.agency.code == "150122" and task.party_id == party.id
    assert REPORTER not in task.what_to_check and REPORTER_PHONE[3:] not in task.what_to_check
    assert "核查复合肥进货台账" in task.what_to_check

    # the county inspector's phone gets the task, and no trace of the reporter anywhere in the pull
    zhang_api = login_as("tuoketuo.zhang")
    zhang = Phone(zhang_api)
    raw = zhang.pull_page()
    pulled = str(raw)
    assert task.id in pulled and REPORTER not in pulled and REPORTER_PHONE not in pulled
    # the inspection done for the task syncs and links back
    case_id = new_id()
    answers = zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(party.id, [zhang_id, liu_id],
                                                                                   inspection_id=case_id,
                                                                                   taskID=task.id)))
    assert answers["results"][0]["status"] == "applied", answers
    fill = fill_and_sign(zhang, case_id)
    for mutation in fill:  # the shop cannot show a quality certificate for the fertilizer
        if mutation["args"].get("itemKey") == "F02":
            mutation["args"].update(result="fail", note="无合格证")
    answers = zhang.push(*fill, zhang.mutation("inspection.submit.v1", id=case_id))
    assert answers["results"][-1]["status"] == "applied", answers["results"][-1]
    page = officer.get(path).get_data(as_text=True)
    assert "现场检查发现不合格项" in page and case_id in page

    # 立案 by the 负责人; the notice to the real-name reporter carries the findings
    assert step(head, report, "open_case", reason="涉嫌销售不合格化肥").status_code == 302
    head_page = head.get(path).get_data(as_text=True)
    assert REPORTER in head_page and 'data-deadline="CR-R3"' in head_page
    href = re.search(r'href="(/console/filings/[^"]+\.pdf)" data-notice="open_case"', head_page).group(1)
    notice = pdf_text(head.get(href).data)
    assert "举报立案告知书" in notice and f"举报人{REPORTER}" in notice and "现场检查发现不合格项" in notice

    # the reporter is told; closing without a word takes the inspection's findings as the outcome
    assert step(head, report, "close").status_code == 409  # not before the reporter was told
    assert step(head, report, "notify", noticeMethod="phone").status_code == 302
    assert step(head, report, "close").status_code == 302
    closed = head.get(path).get_data(as_text=True)
    assert 'data-filing-status="closed"' in closed and "现场检查发现不合格项" in closed.split("data-outcome>")[1]
    result_href = re.search(r'href="(/console/filings/[^"]+\.pdf)" data-notice="result"', closed).group(1)
    result = pdf_text(head.get(result_href).data)
    assert "举报处理结果告知书" in result and "现场检查发现不合格项1项" in result and "无合格证" in result

    # who sees the reporter: the registrar who took the call and the 负责人 — not the officer who is
    # not its handler, not the league's reviewer, and the notice PDF is refused to them too
    assert REPORTER in registrar.get(path).get_data(as_text=True)
    for other in (officer, persona(app, "hhht.reviewer")):
        html = other.get(path).get_data(as_text=True)
        assert "data-person-hidden" in html and REPORTER not in html and REPORTER_PHONE not in html
        assert other.get(href).status_code == 403
    # the case file of the inspection (printed for the file and the respondent) has no trace of them
    case_pdf = zhang_api.get(f"/api/v1/inspections/{case_id}/case-file.pdf")
    assert case_pdf.status_code == 200
    text = pdf_text(case_pdf.data)
    assert "托克托县丰收农资经营部" in text and REPORTER not in text and REPORTER_PHONE not in text
    # the county's inspectors open no page of the register
    assert persona(app, "tuoketuo.liu").get(path).status_code == 403


def test_when_the_mediation_window_runs_out_the_page_proposes_termination_on_ground_five(app):
    from datetime import datetime, timedelta, timezone

    from inspector import clock

    _registrar, complaint, _report = register_farmer_call(app)
    officer = persona(app, "tuoketuo.officer")
    assert step(officer, complaint, "accept", noticeMethod="phone").status_code == 302
    assert step(officer, complaint, "start_mediation", bothConsent="1").status_code == 302
    page = officer.get(f"/console/filings/{complaint.id}").get_data(as_text=True)
    assert "data-proposed-termination" not in page
    clock.set_now(datetime.now(timezone.utc) + timedelta(days=70))  # past the 60-day window (V121)
    try:
        page = officer.get(f"/console/filings/{complaint.id}").get_data(as_text=True)
    finally:
        clock.set_now(None)
    assert 'data-deadline="CR-S6" data-deadline-state="overdue"' in page
    assert "data-proposed-termination" in page and '<option value="5" selected>' in page


def test_a_deadline_in_a_year_without_its_holiday_notice_shows_as_provisional(app):
    from datetime import datetime, timedelta, timezone

    from inspector import clock

    clock.set_now(datetime(2026, 12, 28, 10, 0, tzinfo=timezone(timedelta(hours=8))))
    try:
        registrar = persona(app, "tuoketuo.registrar")
        response = post(registrar, "/console/filings", {**FARMER_CALL, "alsoReport": "", "receivedAt": "2026-12-28T09:00",
                                                        "respondentName": "某农资店"})
        assert response.status_code == 302
        page = registrar.get(response.headers["Location"]).get_data(as_text=True)
        listing = registrar.get("/console/filings").get_data(as_text=True)
    finally:
        clock.set_now(None)
    row = page.split('data-deadline="CR-S1"')[1].split("</tr>")[0]
    assert "2027-01-07" in row and "data-provisional" in row and "暂定" in row
    assert "2027-01-07" in listing and "暂定" in listing


def test_a_provisional_deadline_becomes_official_when_the_years_notice_is_entered(app):
    from datetime import date, datetime, timedelta, timezone

    from inspector import clock
    from inspector.models import AuditEvent

    from .test_calendar import _post_notice

    clock.set_now(datetime(2026, 12, 28, 10, 0, tzinfo=timezone(timedelta(hours=8))))
    try:
        registrar = persona(app, "tuoketuo.registrar")
        response = post(registrar, "/console/filings", {**FARMER_CALL, "alsoReport": "", "receivedAt": "2026-12-28T09:00",
                                                        "respondentName": "某农资店"})
        assert response.status_code == 302
        db.session.rollback()
        filing = db.session.scalars(select(Filing)).one()
        assert (filing.due_on, filing.due_provisional) == (date(2027, 1, 7), True)
        assert _post_notice(app.test_client()).status_code == 302  # the admin enters the 2027 notice
    finally:
        clock.set_now(None)
    db.session.rollback()
    filing = db.session.get(Filing, filing.id)
    assert (filing.due_on, filing.due_provisional) == (date(2027, 1, 7), False)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "filing.deadline_recomputed")).one()
    assert event.entity_id == filing.id and event.data["provisional"] is False
