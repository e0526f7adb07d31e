"""Tasks (检查任务): a county officer assigns a visit to two inspectors, phones pull it, the inspection
done for it closes it; reassignment, cancellation, the 3·15 fast path and the undelivered alert."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspector.database import db, utcnow
from inspector.models import AuditEvent, Inspection, Party, Task, User
from inspector.services.tasks import create_task, mark_delivered
from inspector.services.tasks.alerts import raise_undelivered_alerts
from inspector.services.tasks.manage import ManualDue

from .. import factories
from ..console_support import CSRF, reviewer_session
from ..sync_phone import Phone


def _extra_inspector(username: str, agency_code: str, cert: str | None = "15012226009") -> User:
    from inspector.services.passwords import hash_password

    person = User(username=username, display_name=username, role="inspector", agency=factories.agency(agency_code),
                  cert_no=cert, password_hash=hash_password("demo-2026"), active=True)
    db.session.add(person)
    db.session.commit()
    return person


def _task(party: Party | None = None, *, inspectors=("tuoketuo.zhang", "tuoketuo.liu"), urgent=False,
          agency_code="150122", by="tuoketuo.officer", title="核查举报：假冒复合肥") -> Task:
    task = create_task(source_kind="manual", source_id=None, agency=factories.agency(agency_code), party=party,
                       title=title, what_to_check="检查复合肥进货台账和标签", due=ManualDue(utcnow().date()),
                       urgent=urgent, assignees=[factories.user(u) for u in inspectors], created_by=factories.user(by))
    db.session.commit()
    return task


def _csrf(client, path="/console/tasks") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def _tasks_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


# ---------------------------------------------------------------- the console

def test_county_officer_creates_a_task_for_two_inspectors_and_sees_it_undelivered(app, client):
    party = factories.party("150122", "托克托县丰收农资经营部", address="双河镇新华街12号")
    zhang, liu = factories.user("tuoketuo.zhang"), factories.user("tuoketuo.liu")
    reviewer_session(client, "tuoketuo.officer")
    agency = factories.agency("150122")
    r = client.post("/console/tasks", data={
        "csrf_token": _csrf(client), "title": "核查投诉：化肥含量不足", "agency_id": agency.id, "party_id": party.id,
        "what_to_check": "抽检复合肥养分含量", "due_date": "2026-12-10", "assignees": [zhang.id, liu.id]})
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get("/console/tasks").get_data(as_text=True)
    assert "核查投诉：化肥含量不足" in page and "托克托县丰收农资经营部" in page
    assert "张执法" in page and "刘执法" in page and "未送达" in page and "2026-12-10" in page


@pytest.mark.parametrize("case", ["one_inspector", "other_county", "party_out_of_scope", "no_title"])
def test_bad_task_is_refused_and_nothing_is_created(app, client, case):
    zhang, liu = factories.user("tuoketuo.zhang"), factories.user("tuoketuo.liu")
    chen = factories.user("donghe.chen")  # 包头市东河区
    party = factories.party("150122")
    other_party = factories.party("150202")
    data = {"title": "核查", "agency_id": factories.agency("150122").id, "party_id": party.id,
            "assignees": [zhang.id, liu.id]}
    if case == "one_inspector":
        data["assignees"] = [zhang.id]
    elif case == "other_county":
        data["assignees"] = [zhang.id, chen.id]
    elif case == "party_out_of_scope":
        data["party_id"] = other_party.id
    else:
        data["title"] = "  "
    reviewer_session(client, "tuoketuo.officer")
    before = _tasks_count()
    r = client.post("/console/tasks", data={"csrf_token": _csrf(client), **data})
    assert 400 <= r.status_code < 500
    db.session.rollback()
    assert _tasks_count() == before
    if case != "party_out_of_scope":  # an out-of-scope party is a plain 404: it does not exist for them
        page = r.get_data(as_text=True)
        assert "data-task-error" in page
        if case != "no_title":
            assert 'value="核查"' in page  # what was typed stays in the form
        expected = {"one_inspector": "检查任务至少需要2名持证执法人员",
                    "other_county": "陈执法不是托克托县市场监督管理局的执法人员", "no_title": "请填写必填项"}[case]
        assert expected in page


def test_a_county_sees_its_tasks_a_league_its_counties_and_not_another_league(app, client):
    own = _task(factories.party("150122"), title="托克托的任务")
    baotou = _task(factories.party("150202"), inspectors=("donghe.chen", "donghe.sun"), agency_code="150202",
                   by="baotou.reviewer", title="东河区的任务")
    reviewer_session(client, "tuoketuo.officer")
    page = client.get("/console/tasks").get_data(as_text=True)
    assert "托克托的任务" in page and "东河区的任务" not in page
    client.post("/console/logout", data={"csrf_token": _csrf(client)})
    reviewer_session(client, "hhht.officer")  # 呼和浩特市局: its counties
    page = client.get("/console/tasks").get_data(as_text=True)
    assert "托克托的任务" in page and "东河区的任务" not in page
    r = client.post(f"/console/tasks/{baotou.id}/cancel", data={"csrf_token": _csrf(client), "reason": "误派"})
    assert r.status_code == 404
    db.session.rollback()
    assert db.session.get(Task, baotou.id).status == "open" and own.status == "open"


def test_inspector_and_registrar_cannot_open_the_tasks_page(app, client):
    reviewer_session(client, "tuoketuo.registrar")
    assert client.get("/console/tasks").status_code == 403


def test_cancel_twice_is_refused_the_second_time_and_changes_nothing(app, client):
    task = _task(factories.party("150122"))
    reviewer_session(client, "tuoketuo.officer")
    r = client.post(f"/console/tasks/{task.id}/cancel", data={"csrf_token": _csrf(client), "reason": "当事人已注销"})
    assert r.status_code == 302
    db.session.rollback()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    r = client.post(f"/console/tasks/{task.id}/cancel", data={"csrf_token": _csrf(client), "reason": "再取消"})
    assert r.status_code == 409
    assert "已完成或已取消" in r.get_data(as_text=True)
    db.session.rollback()
    task = db.session.get(Task, task.id)
    assert task.status == "cancelled" and task.cancel_reason == "当事人已注销"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_recusal_replaces_an_inspector_and_both_stay_visible(app, client):
    ma = _extra_inspector("tuoketuo.ma", "150122")
    task = _task(factories.party("150122"))
    zhang = factories.user("tuoketuo.zhang")
    reviewer_session(client, "tuoketuo.officer")
    r = client.post(f"/console/tasks/{task.id}/reassign", data={
        "csrf_token": _csrf(client), "out": zhang.id, "into": ma.id, "recusal": "1", "reason": "当事人系其表兄"})
    assert r.status_code == 302
    page = client.get("/console/tasks").get_data(as_text=True)
    assert f'data-recused="{zhang.id}"' in page and "当事人系其表兄" in page
    assert f'data-assignee="{ma.id}"' in page


def test_reassigning_to_an_inspector_without_certificate_is_refused(app, client):
    nocert = _extra_inspector("tuoketuo.new", "150122", cert=None)
    task = _task(factories.party("150122"))
    zhang = factories.user("tuoketuo.zhang")
    reviewer_session(client, "tuoketuo.officer")
    r = client.post(f"/console/tasks/{task.id}/reassign", data={
        "csrf_token": _csrf(client), "out": zhang.id, "into": nocert.id, "reason": "调岗"})
    assert r.status_code == 400
    db.session.rollback()
    assert [a.user_id for a in db.session.get(Task, task.id).active_assignees] == [
        zhang.id, factories.user("tuoketuo.liu").id]


# ---------------------------------------------------------------- the 3·15 fast path

def test_exposure_creates_one_urgent_task_per_dealer_for_its_county_on_the_regions_dashboard(app, client):
    registered = factories.party("150202", "包头市东河区惠农化肥销售中心")
    reviewer_session(client, "hq.reviewer")  # the region
    r = client.post("/console/tasks/exposure", data={
        "csrf_token": _csrf(client, "/console/tasks/exposure"), "title": "3·15晚会曝光：假冒复合肥",
        "what_to_check": "查封涉案复合肥，核查进货来源", "party_ids": [registered.id],
        "new_name_0": "托克托县新曝光农资店", "new_agency_0": "150122", "new_address_0": "古城镇"})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.rollback()
    tasks = list(db.session.scalars(select(Task).where(Task.source_kind == "exposure")))
    assert sorted(t.agency.code for t in tasks) == ["150122", "150202"]
    assert all(t.urgent and len(t.active_assignees) == 2 for t in tasks)
    dashboard = client.get("/console/dashboard").get_data(as_text=True)
    assert "包头市东河区惠农化肥销售中心" in dashboard and "托克托县新曝光农资店" in dashboard
    assert "3·15曝光任务" in dashboard


def test_exposure_for_a_county_without_two_inspectors_creates_nothing(app, client):
    # 和林格尔县 (150123) has no inspectors in the demo data.
    reviewer_session(client, "hq.reviewer")
    registered = factories.party("150202")
    before = (_tasks_count(), db.session.scalar(select(func.count()).select_from(Party)))
    r = client.post("/console/tasks/exposure", data={
        "csrf_token": _csrf(client, "/console/tasks/exposure"), "title": "3·15曝光", "party_ids": [registered.id],
        "new_name_0": "和林格尔县某农资店", "new_agency_0": "150123"})
    assert r.status_code == 400
    db.session.rollback()
    assert (_tasks_count(), db.session.scalar(select(func.count()).select_from(Party))) == before


# ---------------------------------------------------------------- the undelivered alert

def test_an_urgent_task_no_phone_pulled_in_time_alerts_its_county(app, client):
    task = _task(factories.party("150122", "托克托县绿野种业有限公司"), urgent=True, title="紧急：曝光经销商")
    on_a_phone = _task(factories.party("150122"), urgent=True, title="紧急：已送达的任务")
    mark_delivered([on_a_phone.id])
    db.session.commit()
    late = task.created_at + timedelta(hours=app.config["TASK_URGENT_DELIVERY_HOURS"] + 0.1)
    assert raise_undelivered_alerts(task.created_at + timedelta(minutes=5)) == 0
    assert raise_undelivered_alerts(late) == 1
    assert raise_undelivered_alerts(late) == 0  # once
    reviewer_session(client, "tuoketuo.officer")
    home = client.get("/console/").get_data(as_text=True)
    assert f'data-task-alert="{task.id}"' in home and "紧急：曝光经销商" in home
    assert "紧急：已送达的任务" not in home
    client.post("/console/logout", data={"csrf_token": _csrf(client, "/console/")})
    reviewer_session(client, "baotou.reviewer")  # another league: nothing
    assert "紧急：曝光经销商" not in client.get("/console/").get_data(as_text=True)


# ---------------------------------------------------------------- on the phone (the pull and the push)

def _phone(login_as, username: str) -> Phone:
    return Phone(login_as(username))


def test_the_task_reaches_only_its_inspectors_phones_and_the_pull_marks_it_delivered(app, login_as):
    party = factories.party("150122", "托克托县丰收农资经营部", address="双河镇新华街12号")
    _extra_inspector("tuoketuo.ma", "150122")  # of the same county, not on the task
    others = [_phone(login_as, username) for username in ("donghe.chen", "tuoketuo.ma")]
    for other in others:
        other.pull()
    task = _task(party)
    assert task.delivered_at is None
    for other in others:
        pages = other.pull()
        assert not [c for page in pages for c in page["patch"] if c["type"] == "task"]  # not even its id
    db.session.rollback()
    assert db.session.get(Task, task.id).delivered_at is None  # another county's phone delivers nothing
    zhang = _phone(login_as, "tuoketuo.zhang")
    zhang.pull()
    value = zhang.value("task", task.id)
    assert value["title"] == "核查举报：假冒复合肥" and value["whatToCheck"] == "检查复合肥进货台账和标签"
    assert value["party"]["name"] == "托克托县丰收农资经营部" and value["party"]["address"] == "双河镇新华街12号"
    assert value["status"] == "open" and value["dueProvisional"] is False
    assert [a["displayName"] for a in value["assignees"]] == ["张执法", "刘执法"]
    db.session.rollback()
    assert db.session.get(Task, task.id).delivered_at is not None


def test_reassignment_and_cancellation_reach_the_phone(app, login_as):
    ma = _extra_inspector("tuoketuo.ma", "150122")
    task = _task(factories.party("150122"))
    zhang, liu = _phone(login_as, "tuoketuo.zhang"), _phone(login_as, "tuoketuo.liu")
    zhang.pull(), liu.pull()
    assert zhang.has("task", task.id) and liu.has("task", task.id)
    from inspector.services.tasks import cancel_task, replace_assignee

    db.session.rollback()
    task = db.session.get(Task, task.id)
    replace_assignee(task, out=factories.user("tuoketuo.zhang"), into=ma, reason="当事人系其表兄",
                     by=factories.user("tuoketuo.officer"), recusal=True)
    db.session.commit()
    zhang.pull(), liu.pull()
    assert not zhang.has("task", task.id)  # off the task: gone from his phone
    assert [a["recused"] for a in liu.value("task", task.id)["assignees"]] == [True, False, False]
    cancel_task(task, factories.user("tuoketuo.officer"), "当事人已停业")
    db.session.commit()
    liu.pull()
    assert liu.value("task", task.id)["status"] == "cancelled"
    assert liu.value("task", task.id)["cancelReason"] == "当事人已停业"


def test_the_inspection_started_from_a_task_links_to_it_and_its_submission_marks_it_done(app, login_as):
    from ..sync_phone import fill_and_sign, inspection_args, new_id

    party = factories.party("150122")
    task = _task(party)
    zhang = _phone(login_as, "tuoketuo.zhang")
    pair = [factories.user("tuoketuo.zhang").id, factories.user("tuoketuo.liu").id]
    case_id = new_id()
    answer = zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(party.id, pair, inspection_id=case_id,
                                                                                   taskID=task.id)))
    assert answer["results"][0]["status"] == "applied", answer
    zhang.pull()
    assert zhang.value("inspection", case_id)["taskID"] == task.id
    assert zhang.value("task", task.id)["status"] == "started"
    answers = zhang.push(*fill_and_sign(zhang, case_id), zhang.mutation("inspection.submit.v1", id=case_id))
    assert answers["results"][-1]["status"] == "applied", answers["results"][-1]
    zhang.pull()
    assert zhang.value("task", task.id)["status"] == "done"
    assert zhang.value("task", task.id)["inspectionID"] == case_id


def test_an_inspection_for_a_task_not_assigned_to_the_inspector_is_rejected_and_kept(app, login_as):
    from ..sync_phone import inspection_args, new_id

    party = factories.party("150122")
    task = _task(party)
    ma = _extra_inspector("tuoketuo.ma", "150122")
    _extra_inspector("tuoketuo.niu", "150122", cert="15012226010")
    phone = _phone(login_as, "tuoketuo.ma")
    pair = [ma.id, factories.user("tuoketuo.niu").id]
    case_id = new_id()
    result = phone.send("inspection.create.v1", **inspection_args(party.id, pair, inspection_id=case_id, taskID=task.id))
    assert result["status"] == "rejected" and result["reasons"][0]["code"] == "task_not_assigned"
    db.session.rollback()
    assert db.session.get(Inspection, case_id) is None and db.session.get(Task, task.id).status == "open"
    phone.pull()
    assert phone.of_type("rejection")  # what the phone sent is kept and shown, never dropped


def test_an_inspection_started_offline_for_a_task_cancelled_meanwhile_is_kept_and_flagged(app, login_as, client):
    from inspector.services.tasks import cancel_task

    from ..sync_phone import inspection_args, new_id

    party = factories.party("150122")
    task = _task(party)
    zhang = _phone(login_as, "tuoketuo.zhang")
    zhang.pull()
    cancel_task(task, factories.user("tuoketuo.officer"), "重复派单")
    db.session.commit()
    pair = [factories.user("tuoketuo.zhang").id, factories.user("tuoketuo.liu").id]
    case_id = new_id()
    result = zhang.send("inspection.create.v1", **inspection_args(party.id, pair, inspection_id=case_id, taskID=task.id))
    assert result["status"] == "applied"
    db.session.rollback()
    assert db.session.get(Inspection, case_id).task_id == task.id
    assert db.session.get(Task, task.id).status == "cancelled"
    reviewer_session(client, "tuoketuo.officer")
    page = client.get("/console/tasks").get_data(as_text=True)
    assert "data-flag-cancelled" in page and "任务已取消，记录保留" in page


# ---------------------------------------------------------------- the new roles

@pytest.mark.parametrize("role,label", [("registrar", "登记员"), ("officer", "业务科室人员"), ("head", "负责人")])
def test_admin_creates_the_new_roles_who_log_in_to_the_console(app, client, role, label):
    reviewer_session(client, "admin")
    r = client.post("/console/admin/users", data={
        "csrf_token": _csrf(client, "/console/admin/users"), "username": f"tuoketuo.{role}2", "display_name": "新同事",
        "role": role, "agency_code": "150122", "password": "new-pass-2026"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert label in client.get("/console/admin/users").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": _csrf(client, "/console/")})
    r = client.post("/console/login", data={"csrf_token": _csrf(client, "/console/login"),
                                            "username": f"tuoketuo.{role}2", "password": "new-pass-2026"})
    assert r.status_code == 302
    home = client.get("/console/").get_data(as_text=True)
    assert label in home and "托克托县" in home
    tasks_page = client.get("/console/tasks")
    assert tasks_page.status_code == (403 if role == "registrar" else 200)


def test_the_alert_runs_as_a_periodic_job_on_beat(app):
    from inspector.jobs.tasks import ALERT_UNDELIVERED_TASKS, JOBS

    assert ALERT_UNDELIVERED_TASKS in app.extensions["celery"].conf.beat_schedule
    task = _task(factories.party("150122"), urgent=True)
    calm = _task(factories.party("150122"))  # not urgent: never alerted
    for row in (task, calm):
        row.created_at = utcnow() - timedelta(hours=app.config["TASK_URGENT_DELIVERY_HOURS"] + 1)
    db.session.commit()
    assert JOBS[ALERT_UNDELIVERED_TASKS].run() == 1
    db.session.rollback()
    assert db.session.get(Task, task.id).undelivered_alert_at is not None
    assert db.session.get(Task, calm.id).undelivered_alert_at is None
