"""The two status machines step by step (§1.4, §1.5): what each step allows, records and starts."""
from __future__ import annotations

from datetime import date

import pytest

from inspector.database import db
from inspector.errors import ApiError
from inspector.models import Filing
from inspector.services import complaints

from .. import factories
from .test_complaint_deadlines import _real_clock_after, head, officer, on, register  # noqa: F401  (autouse fixture)


def labels(filing) -> list[str]:
    return [d.label for d in complaints.deadlines(filing) if d.open]


def test_a_clue_found_in_mediation_opens_a_linked_report_due_in_15_working_days(app):
    complaint = register("complaint", "2026-05-06")
    complaints.transition(complaint, "accept", officer(), notice_method="phone")
    complaints.transition(complaint, "start_mediation", officer(), both_consent=True)
    on("2026-05-11")
    step = complaints.transition(complaint, "report_violation", officer(), "店内另有无登记证农药")
    report = db.session.get(Filing, step.data["report"])
    assert report.kind == "report" and report.channel == "inspection_found"
    assert report.linked_filing_id == complaint.id and report.status == "verifying"
    assert report.due_on == date(2026, 6, 1)  # 15 working days from Mon 2026-05-11
    assert complaint.status == "mediating"  # mediation goes on


def test_jurisdiction_dispute_is_due_in_7_working_days_and_settling_moves_the_clock(app):
    report = register("report", "2026-09-28")
    on("2026-09-29")
    complaints.transition(report, "dispute", officer(), "东河区局认为违法行为发生在其辖区", agency_code="150202")
    assert report.status == "jurisdiction_disputed"
    assert report.due_rule == "CR-J3" and report.due_on == date(2026, 10, 14)  # 9/30, 10/8–10/10, 10/12–10/14
    with pytest.raises(ApiError) as refused:
        complaints.transition(report, "settle", officer(), agency_code="150202")
    assert refused.value.status == 403  # the 负责人's step
    on("2026-10-09")
    complaints.transition(report, "settle", head(), "经协商由东河区局管辖", agency_code="150202")
    assert report.status == "verifying" and report.handling_agency.code == "150202"
    assert report.clock_start_on == date(2026, 10, 9) and report.due_on == date(2026, 10, 29)


def test_redirect_tells_the_reporter_where_to_go_and_an_anonymous_report_needs_no_notice(app):
    named, anonymous = register("report", "2026-06-01"), register("report", "2026-06-01", anonymous=True)
    with pytest.raises(ApiError) as missing:
        complaints.transition(named, "redirect", officer(), "农药登记属农业农村部门", told_to="托克托县农牧局")
    assert missing.value.details == {"noticeMethod": ["say how the reporter was told"]}
    complaints.transition(named, "redirect", officer(), "农药登记属农业农村部门", told_to="托克托县农牧局",
                          notice_method="phone")
    complaints.transition(anonymous, "redirect", officer(), "农药登记属农业农村部门", told_to="托克托县农牧局")
    assert named.status == anonymous.status == "redirected"
    assert named.transitions[-1].data["toldTo"] == "托克托县农牧局"
    assert labels(named) == [] and labels(anonymous) == []


def test_id_materials_can_be_requested_only_under_v121(app):
    old, new = register("complaint", "2026-04-14"), register("complaint", "2026-04-15")
    assert "request_id" not in [a.name for a in complaints.allowed_actions(officer(), old)]
    with pytest.raises(ApiError) as refused:
        complaints.transition(old, "request_id", officer(), "请提供身份证复印件", notice_method="sms")
    assert refused.value.code == "transition_not_allowed" and old.status == "received"
    complaints.transition(new, "request_id", officer(), "请提供身份证复印件", notice_method="sms")
    assert new.status == "id_requested" and labels(new) == ["deadline_accept"]
    complaints.transition(new, "id_provided", officer())
    assert new.status == "received"


def test_an_extension_is_approved_once(app):
    report = register("report", "2026-04-30")
    complaints.transition(report, "extend", head(), "需调取进货凭证")
    with pytest.raises(ApiError) as again:
        complaints.transition(report, "extend", head(), "再延长")
    assert again.value.code == "transition_not_allowed" and report.due_on == date(2026, 6, 15)


def test_an_inquiry_is_answered_and_closed(app):
    inquiry = register("inquiry", "2026-06-01")
    assert inquiry.status == "received" and labels(inquiry) == []
    with pytest.raises(ApiError):
        complaints.transition(inquiry, "answer", officer(), "")
    complaints.transition(inquiry, "answer", officer(), "告知复合肥标签应标注的内容")
    assert inquiry.status == "answered" and inquiry.outcome == "告知复合肥标签应标注的内容"


def test_a_registrar_registers_but_does_not_take_steps(app):
    filing = register("complaint", "2026-06-01")
    registrar = factories.user("tuoketuo.registrar")
    assert complaints.allowed_actions(registrar, filing) == []
    with pytest.raises(ApiError) as refused:
        complaints.transition(filing, "accept", registrar, notice_method="phone")
    assert refused.value.status == 403 and filing.status == "received"


def test_a_league_officer_sees_the_report_but_not_the_reporter(app):
    report = register("report", "2026-06-01")
    league = factories.user("hhht.officer")
    assert complaints.get_filing(league, report.id).id == report.id
    assert complaints.person_for(league, report).hidden
    assert not complaints.person_for(head(), report).hidden
    assert complaints.person_for(factories.user("tuoketuo.officer"), report).name == "李大爷"  # he registered it
    with pytest.raises(ApiError):
        complaints.get_filing(factories.user("baotou.reviewer"), report.id)
