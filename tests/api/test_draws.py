"""Plans and 双随机 draws: a league officer plans and draws in the console, each drawn party goes to
two inspectors of its county as a task, anyone can recompute the draw, a recusal is a visible
child draw, and checked results are published within 20 working days without personal data."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db
from inspector.models import AuditEvent, InspectionPlan, PlanDraw, PlanTarget, Task, User
from inspector.services.draws import algorithm
from inspector.services.draws.plans import verify_draw
from inspector.services.draws.results import followup_due, publish_due
from inspector.services.tasks import complete_task

from .. import factories
from ..console_support import CSRF, reviewer_session

BEIJING = timezone(timedelta(hours=8))
WITNESSES = "王法制 法制科科长\n赵纪检 纪检组干部"


def _csrf(client, path="/console/plans") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def _extra_inspector(username: str, agency_code: str, cert: str | None = "15012226009") -> User:
    from inspector.services.passwords import hash_password

    person = User(username=username, display_name=username, role="inspector", agency=factories.agency(agency_code),
                  cert_no=cert, password_hash=hash_password("demo-2026"), active=True)
    db.session.add(person)
    db.session.commit()
    return person


def _dealers(code: str, n: int, scope: str = "化肥、农药零售") -> list:
    return [factories.party(code, f"{code}农资店{i}", business_scope=scope, legal_rep="张某人",
                            phone="13800000000", address=f"某镇某街{i}号") for i in range(n)]


def _plan(client, **fields) -> str:
    data = {"csrf_token": _csrf(client), "name": "2026年化肥经营户双随机抽查", "check_items": "化肥标签、进货查验记录",
            "period_from": "2026-09-01", "period_to": "2026-11-10", "normal_count": "2", **fields}
    r = client.post("/console/plans", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def _draw(client, plan_id: str, witnesses: str = WITNESSES):
    return client.post(f"/console/plans/{plan_id}/draw",
                       data={"csrf_token": _csrf(client, f"/console/plans/{plan_id}"), "witnesses": witnesses})


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- plan and draw

def test_league_officer_draws_two_parties_per_county_each_a_task_for_two_of_its_inspectors(app, client):
    tuoketuo, xincheng = _dealers("150122", 3), _dealers("150102", 2)
    reviewer_session(client, "hhht.officer")
    plan_id = _plan(client, normal_count="4")
    page = client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
    assert "检查对象 5 户" in page and "执法检查人员 4 名" in page  # the league's 4 certified inspectors
    assert "周执法" in page and "15010226001" in page  # the directory, named
    r = _draw(client, plan_id)
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
    record = db.session.scalars(select(PlanDraw)).one()
    assert record.seed_hex in page and record.candidate_hash in page and "王法制（法制科科长）" in page
    assert "sha256-fisher-yates v1" in page and "已抽取" in page
    tasks = list(db.session.scalars(select(Task).where(Task.source_kind == "draw")))
    assert len(tasks) == 4 and {t.due_date for t in tasks} == {date(2026, 11, 10)}
    for task in tasks:
        people = [a.user for a in task.assignees]
        assert len(people) == 2 and all(p.cert_no for p in people)
        assert {p.agency_id for p in people} == {task.party.agency_id} == {task.agency_id}
        assert task.title == "双随机抽查：2026年化肥经营户双随机抽查" and "化肥标签" in task.what_to_check
    drawn = {t.party_id for t in tasks}
    assert drawn <= {p.id for p in tuoketuo + xincheng}
    # The officer's task list shows them as random-draw tasks.
    tasks_page = client.get("/console/tasks").get_data(as_text=True)
    assert tasks_page.count("双随机抽查：2026年化肥经营户双随机抽查") == 4
    # Drawing again is refused and changes nothing.
    again = _draw(client, plan_id)
    assert again.status_code == 409 and "已抽取" in again.get_data(as_text=True)
    db.session.rollback()
    assert _count(PlanDraw) == 1 and _count(Task) == 4


def test_a_draw_recomputes_identically_and_a_changed_candidate_is_refused(app, client):  # DR-A1
    _dealers("150122", 4)
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="3")
    assert _draw(client, plan_id).status_code == 302
    record = db.session.scalars(select(PlanDraw)).one()
    again = algorithm.draw_targets(record.candidates, bytes.fromhex(record.seed_hex), record.params)
    assert again == record.result
    assert [t.party_id for t in db.session.scalars(select(PlanTarget).order_by(PlanTarget.position))] == \
        [row["party"] for row in record.result]
    ok = client.get(f"/console/plans/{plan_id}/draws/{record.id}/check")
    assert ok.status_code == 200 and "复核一致" in ok.get_data(as_text=True)
    # Someone edits one candidate's name in the stored listing.
    listing = dict(record.candidates)
    listing["targets"] = [dict(t) for t in listing["targets"]]
    listing["targets"][0]["name"] += "（改）"
    record.candidates = listing
    db.session.commit()
    assert algorithm.listing_hash(listing) != record.candidate_hash
    refused = client.get(f"/console/plans/{plan_id}/draws/{record.id}/check")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "复核不通过" in body and "名录已被改动" in body
    # Or the stored result is edited: the re-run gives another one.
    db.session.refresh(record)
    listing["targets"][0]["name"] = listing["targets"][0]["name"].replace("（改）", "")
    record.candidates = listing
    record.result = list(reversed(record.result))
    db.session.commit()
    assert verify_draw(record).reason == "result_mismatch"
    # Or the seed is replaced by something that is not one: refused, not a server error.
    record.result = again
    record.seed_hex = "not-hex"
    db.session.commit()
    r = client.get(f"/console/plans/{plan_id}/draws/{record.id}/check")
    assert r.status_code == 409 and "复核不通过" in r.get_data(as_text=True)


def test_an_inspector_who_declares_a_conflict_is_replaced_by_a_child_draw_both_visible(app, client):  # DR-A2
    party = _dealers("150122", 1)[0]
    extra = _extra_inspector("tuoketuo.ma", "150122")
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="1")
    assert _draw(client, plan_id).status_code == 302
    target = db.session.scalars(select(PlanTarget)).one()
    task = target.task
    first = task.active_assignees[0].user
    county = {factories.user("tuoketuo.zhang").id, factories.user("tuoketuo.liu").id, extra.id}
    (left,) = county - {a.user_id for a in task.assignees}  # the one inspector not drawn
    extra = db.session.get(User, left)
    r = client.post(f"/console/plans/{plan_id}/targets/{target.id}/recuse", data={
        "csrf_token": _csrf(client, f"/console/plans/{plan_id}"), "inspector": first.id,
        "reason": "该店系其表兄经营", "witnesses": "王法制 法制科科长"})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.rollback()
    child = db.session.scalars(select(PlanDraw).where(PlanDraw.kind == "replacement")).one()
    assert child.parent_id == db.session.scalars(select(PlanDraw).where(PlanDraw.kind == "targets")).one().id
    assert child.result == [extra.id] and child.candidates["inspectors"] == [
        {"id": extra.id, "certNo": extra.cert_no, "agency": "150122", "agencyPath": extra.agency.path}]
    assert verify_draw(child).ok
    task = db.session.get(Task, target.task_id)
    assert {a.user_id for a in task.active_assignees} == {extra.id, *(a.user_id for a in task.active_assignees)} \
        and len(task.active_assignees) == 2 and first.id not in {a.user_id for a in task.active_assignees}
    page = client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
    assert "回避替换抽取记录" in page and "随机抽取记录" in page and "该店系其表兄经营" in page
    assert f'data-recused="{first.id}"' in page and party.name in page
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("plan.%"))))
    assert {"plan.create", "plan.draw", "plan.replacement_draw"} <= actions
    # Nobody left to replace the other one: refused, nothing changed.
    other = next(a.user for a in task.active_assignees if a.user_id != extra.id)
    refused = client.post(f"/console/plans/{plan_id}/targets/{target.id}/recuse", data={
        "csrf_token": _csrf(client, f"/console/plans/{plan_id}"), "inspector": other.id,
        "reason": "亲属", "witnesses": "王法制 法制科科长"})
    assert refused.status_code == 400
    db.session.rollback()
    assert _count(PlanDraw) == 2


@pytest.mark.parametrize("case", ["empty_directory", "one_inspector", "more_than_directory", "no_witness"])
def test_a_draw_that_cannot_be_done_is_refused_and_nothing_changes(app, client, case):
    _dealers("150122", 2)
    fields = {"normal_count": "2"}
    if case == "empty_directory":
        fields["categories"] = "machinery"  # no dealer sells farm machinery
    elif case == "one_inspector":
        factories.user("tuoketuo.liu").active = False  # DR-A3: a pair cannot be made
        db.session.commit()
    elif case == "more_than_directory":
        fields["normal_count"] = "3"
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, **fields)
    r = _draw(client, plan_id, witnesses="" if case == "no_witness" else WITNESSES)
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "data-plan-error" in body
    expected = {"empty_directory": "directory is empty", "one_inspector": "1 inspector(s)",
                "more_than_directory": "the directory holds 2", "no_witness": "witness"}[case]
    assert expected in body
    db.session.rollback()
    assert _count(PlanDraw) == 0 and _count(Task) == 0 and _count(PlanTarget) == 0
    assert db.session.get(InspectionPlan, plan_id).status == "draft"


def test_a_percentage_per_stratum_draws_risk_flagged_parties_at_a_higher_ratio(app, client):
    dealers = _dealers("150122", 6)
    factories.inspection(dealers[0], ("tuoketuo.zhang", "tuoketuo.liu"), status="submitted",
                         findings={"G01": "fail"})  # a failed item on record: risk-flagged
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="", flagged_percent="100", normal_percent="20")
    assert "有风险标记 1" in client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
    assert _draw(client, plan_id).status_code == 302
    record = db.session.scalars(select(PlanDraw)).one()
    assert record.params["strata"] == [{"name": "flagged", "count": 1, "percent": 100.0},
                                       {"name": "normal", "count": 1, "percent": 20.0}]
    assert record.result[0] == {"party": dealers[0].id, "stratum": "flagged",
                                "inspectors": record.result[0]["inspectors"]}


def test_bad_plan_is_refused_and_nothing_is_created(app, client):
    reviewer_session(client, "tuoketuo.officer")
    before = _count(InspectionPlan)
    for fields in ({"period_to": "2026-08-01"}, {"normal_count": "", "normal_percent": ""},
                   {"normal_percent": "150"}, {"name": " "}, {"inspector_ids": factories.user("donghe.chen").id}):
        data = {"csrf_token": _csrf(client), "name": "计划", "check_items": "标签", "period_from": "2026-09-01",
                "period_to": "2026-11-10", "normal_count": "2", **fields}
        r = client.post("/console/plans", data=data)
        assert r.status_code == 400 and "data-plan-error" in r.get_data(as_text=True), fields
    db.session.rollback()
    assert _count(InspectionPlan) == before


# ---------------------------------------------------------------- scope

def test_a_county_sees_its_plans_a_league_its_counties_and_nobody_else(app, client):
    _dealers("150122", 2)
    reviewer_session(client, "tuoketuo.officer")
    county_plan = _plan(client, name="托克托县自查计划")
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    reviewer_session(client, "hhht.officer")
    league_plan = _plan(client, name="呼和浩特市抽查计划")
    listing = client.get("/console/plans").get_data(as_text=True)
    assert "托克托县自查计划" in listing and "呼和浩特市抽查计划" in listing
    assert client.get(f"/console/plans/{county_plan}").status_code == 200
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    reviewer_session(client, "tuoketuo.officer")
    listing = client.get("/console/plans").get_data(as_text=True)
    assert "托克托县自查计划" in listing and "呼和浩特市抽查计划" not in listing
    assert client.get(f"/console/plans/{league_plan}").status_code == 404
    assert _draw(client, league_plan).status_code == 404
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    reviewer_session(client, "baotou.reviewer")
    assert client.get(f"/console/plans/{county_plan}").status_code == 404
    assert "托克托县自查计划" not in client.get("/console/plans").get_data(as_text=True)


def test_a_county_sees_the_tasks_a_league_drew_for_its_parties_and_not_its_neighbours(app, client):
    tuoketuo, xincheng = _dealers("150122", 1)[0], _dealers("150102", 1)[0]
    reviewer_session(client, "hhht.officer")
    plan_id = _plan(client, normal_count="2")
    assert _draw(client, plan_id).status_code == 302
    assert len(client.get("/console/tasks").get_data(as_text=True).split("双随机抽查：")) == 3
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    reviewer_session(client, "tuoketuo.officer")
    page = client.get("/console/tasks").get_data(as_text=True)
    assert tuoketuo.name in page and xincheng.name not in page
    assert client.get(f"/console/plans/{plan_id}").status_code == 404  # the league's plan is the league's


def test_inspectors_cannot_open_the_plans(app, client):
    reviewer_session(client, "tuoketuo.zhang")
    assert client.get("/console/plans").status_code == 403


# ---------------------------------------------------------------- results and publication

def test_publication_and_follow_up_deadlines_of_the_worked_examples():
    assert publish_due(date(2026, 9, 18)).date == date(2026, 10, 22)  # DR-A4
    assert followup_due(date(2026, 9, 28)).date == date(2026, 10, 23)  # DR-A5: 10/1–7 skipped, 10/10 counted


def _drawn_and_checked(client, *, enterprise: bool = False, fail: bool = False):
    dealers = _dealers("150122", 1)
    if enterprise:
        from inspector.credit_code import make_credit_code

        dealers[0].credit_code = make_credit_code("91150122MA0000001")
        dealers[0].name = "内蒙古丰收农业科技有限公司"
        db.session.commit()
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="1")
    assert _draw(client, plan_id).status_code == 302
    target = db.session.scalars(select(PlanTarget)).one()
    task = target.task
    inspection = factories.inspection(target.party, tuple(a.user.username for a in task.active_assignees),
                                      status="submitted", findings={"G01": "fail" if fail else "pass"})
    inspection.submitted_at = datetime(2026, 9, 18, 16, 0, tzinfo=BEIJING)
    complete_task(task, inspection)
    db.session.commit()
    return plan_id, target


def test_a_checked_party_must_be_published_within_20_working_days_and_is_flagged_when_late(app, client):
    plan_id, target = _drawn_and_checked(client, fail=True)
    try:
        clock.set_now(datetime(2026, 10, 22, 17, 0, tzinfo=BEIJING))
        page = client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
        assert 'data-publish-due="2026-10-22"' in page and "data-overdue" not in page
        assert "发现问题待后续处理" in page and "后续处理（立案决定）期限 2026-10-15" in page
        clock.set_now(datetime(2026, 10, 23, 9, 0, tzinfo=BEIJING))
        page = client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
        assert "data-overdue" in page and "已逾期" in page
        assert "data-plan-overdue" in client.get("/console/plans").get_data(as_text=True)
        r = client.post(f"/console/plans/{plan_id}/targets/{target.id}/publish",
                        data={"csrf_token": _csrf(client, f"/console/plans/{plan_id}"), "result_code": "followup"})
        assert r.status_code == 302
        page = client.get(f"/console/plans/{plan_id}").get_data(as_text=True)
        assert "已公示" in page and "data-overdue" not in page
        again = client.post(f"/console/plans/{plan_id}/targets/{target.id}/publish",
                            data={"csrf_token": _csrf(client, f"/console/plans/{plan_id}"), "result_code": "ok"})
        assert again.status_code == 409
        db.session.rollback()
        assert db.session.get(PlanTarget, target.id).result_code == "followup"
    finally:
        clock.set_now(None)


def test_an_unchecked_party_cannot_be_published(app, client):
    _dealers("150122", 1)
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="1")
    assert _draw(client, plan_id).status_code == 302
    target = db.session.scalars(select(PlanTarget)).one()
    r = client.post(f"/console/plans/{plan_id}/targets/{target.id}/publish",
                    data={"csrf_token": _csrf(client, f"/console/plans/{plan_id}"), "result_code": "ok"})
    assert r.status_code == 400
    db.session.rollback()
    assert db.session.get(PlanTarget, target.id).published_at is None
    assert "data-public-row" not in client.get("/public/checks").get_data(as_text=True)


def test_the_public_list_shows_results_without_personal_data(app, client):
    plan_id, target = _drawn_and_checked(client)
    party = target.party
    inspectors = [a.user for a in target.task.active_assignees]
    r = client.post(f"/console/plans/{plan_id}/targets/{target.id}/publish",
                    data={"csrf_token": _csrf(client, f"/console/plans/{plan_id}")})
    assert r.status_code == 302
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    page = client.get("/public/checks")  # no login
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    csv_body = client.get("/public/checks.csv").get_data().decode("utf-8-sig")
    for text in (body, csv_body):
        assert "2026年化肥经营户双随机抽查" in text and "未发现问题" in text and "2026-09-18" in text
        assert "托克托县市场监督管理局" in text or "托克托县" in text
        assert party.name not in text and party.credit_code not in text  # 个体工商户: masked
        assert "1某某农资店0" in text and party.credit_code[:8] + "******" + party.credit_code[-4:] in text
        assert "张某人" not in text and "13800000000" not in text and party.address not in text
        for person in inspectors:
            assert person.display_name not in text and person.cert_no not in text
    assert 'lang="zh-CN"' in body and 'name="viewport"' in body
    assert csv_body.splitlines()[0].startswith("抽查计划,检查实施机关,检查对象")


def test_an_enterprise_is_published_with_its_full_name_and_a_formula_stays_text(app, client):
    plan_id, target = _drawn_and_checked(client, enterprise=True)
    target.plan.check_items = '=HYPERLINK("http://example.invalid","点此")'
    db.session.commit()
    client.post(f"/console/plans/{plan_id}/targets/{target.id}/publish",
                data={"csrf_token": _csrf(client, f"/console/plans/{plan_id}")})
    body = client.get("/public/checks").get_data(as_text=True)
    assert "内蒙古丰收农业科技有限公司" in body and target.party.credit_code in body
    row = client.get("/public/checks.csv").get_data().decode("utf-8-sig").splitlines()[1]
    assert "内蒙古丰收农业科技有限公司" in row and '"\'=HYPERLINK(""http://example.invalid"",""点此"")"' in row


def test_the_plan_pages_read_in_english_with_no_message_key_left_untranslated(app, client):
    _dealers("150122", 2)
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client)
    assert _draw(client, plan_id).status_code == 302
    client.post("/console/language", data={"csrf_token": _csrf(client), "lang": "en", "next": "/console/plans"})
    for path in ("/console/plans", f"/console/plans/{plan_id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Random checks" in page
        assert not re.search(r"\b(plan|draw|public)_[a-z_]+\b", re.sub(r'(name|id|action|href|for)="[^"]*"', "", page))
    assert "Drawn parties and results" in page and "Witnesses" in page


def test_a_redraw_needs_a_reason_keeps_the_old_draw_and_cancels_its_tasks(app, client):  # DR-R2(e)
    _dealers("150122", 4)
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="2")
    assert _draw(client, plan_id).status_code == 302
    first = db.session.scalars(select(PlanDraw)).one()
    old_tasks = {t.task_id for t in db.session.scalars(select(PlanTarget))}
    path = f"/console/plans/{plan_id}"
    refused = client.post(f"{path}/redraw", data={"csrf_token": _csrf(client, path), "reason": " ", "witnesses": WITNESSES})
    assert refused.status_code == 400
    db.session.rollback()
    assert _count(PlanDraw) == 1 and _count(Task) == 2
    r = client.post(f"{path}/redraw", data={"csrf_token": _csrf(client, path), "reason": "名录库漏录两户，补录后重新抽取",
                                             "witnesses": WITNESSES})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.rollback()
    draws = list(db.session.scalars(select(PlanDraw).order_by(PlanDraw.drawn_at)))
    assert len(draws) == 2 and draws[0].id == first.id and draws[0].superseded_at is not None
    assert draws[1].superseded_at is None and draws[1].reason == "名录库漏录两户，补录后重新抽取"
    assert verify_draw(draws[0]).ok and verify_draw(draws[1]).ok  # the old one can still be recomputed
    for task_id in old_tasks:
        task = db.session.get(Task, task_id)
        assert task.status == "cancelled" and "名录库漏录两户" in task.cancel_reason
    current = list(db.session.scalars(select(PlanTarget).where(PlanTarget.draw_id == draws[1].id)))
    assert len(current) == 2 and all(t.task.status == "open" for t in current)
    page = client.get(path).get_data(as_text=True)
    assert "已作废（重新抽取）" in page and page.count("data-target=") == 2
    # Once a drawn party is being checked, the draw stands.
    current[0].task.status = "started"
    db.session.commit()
    again = client.post(f"{path}/redraw", data={"csrf_token": _csrf(client, path), "reason": "再抽", "witnesses": WITNESSES})
    assert again.status_code == 409 and "不能重新抽取" in again.get_data(as_text=True)
    db.session.rollback()
    assert _count(PlanDraw) == 2


def test_an_auditor_recomputes_a_downloaded_draw_offline_and_a_changed_file_is_refused(app, client, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    _dealers("150122", 3)
    reviewer_session(client, "tuoketuo.officer")
    plan_id = _plan(client, normal_count="2")
    assert _draw(client, plan_id).status_code == 302
    record = db.session.scalars(select(PlanDraw)).one()
    r = client.get(f"/console/plans/{plan_id}/draws/{record.id}.json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    data = json.loads(r.get_data(as_text=True))
    assert data["seed"] == record.seed_hex and data["witnesses"][0] == {"name": "王法制", "title": "法制科科长"}
    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_draw.py"
    good = tmp_path / "draw.json"
    good.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ok = subprocess.run([sys.executable, str(script), str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "复核一致" in ok.stdout and record.candidate_hash in ok.stdout
    data["candidates"]["targets"][1]["creditCode"] = "92150122MA00000000"
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused = subprocess.run([sys.executable, str(script), str(bad)], capture_output=True, text=True)
    assert refused.returncode == 1 and "hash_mismatch" in refused.stdout
    # Another bureau's officer cannot download it.
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    reviewer_session(client, "baotou.reviewer")
    assert client.get(f"/console/plans/{plan_id}/draws/{record.id}.json").status_code == 404
