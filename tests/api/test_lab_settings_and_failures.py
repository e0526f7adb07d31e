"""Lab periods the reference could not confirm are settings shown with their source status (SMP-R4,
R5, R6, R10: config `LAB_RULES`), they reach the bureau's 待办; a final 不合格 result proposes a
责令改正 and starts a 立案 clue once (SMP-R9); the case clocks of an inspector's cases reach their
phone and no one else's. Worked dates run across 中秋 and 国庆 2026 (SQLite and PostgreSQL)."""
from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import func, select

from inspector.database import db
from inspector.models import CaseClock, RectificationOrder, Sample, SampleLab
from inspector.services.labs.failures import on_final_fail
from inspector.services.labs.rules import lab_dates, setting

from .. import factories
from .test_lab_results import K2O_SHORT, officer, page_text, sealed_sample, set_clock, step  # noqa: F401

SHIP = {"labName": "内蒙古农产品质量检测中心", "shippedOn": "2026-09-01"}


@pytest.fixture
def lab_rules(app):
    def use(value):
        app.config["LAB_RULES"] = value
    yield use
    app.config.pop("LAB_RULES", None)


def dates_on_page(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-lab-date="([a-z_]+)" data-due="([0-9-]+)"', html))


# ---------------------------------------------------------------- settings (SMP-R4, R5, R6)

def test_lab_dates_follow_the_settings_and_say_they_are_unconfirmed(app, set_clock, lab_rules):
    sample = sealed_sample()  # sampled 2026-09-01
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    assert step(tuoketuo, sample.id, "ship", SHIP).status_code == 302
    assert step(tuoketuo, sample.id, "receive", {"receivedOn": "2026-09-02"}).status_code == 302
    html = page_text(tuoketuo, sample.id)
    # ship: 5 WD after 09-01 → 09-08; report: 20 WD after 09-02, Sun 9/20 worked (调休), 中秋 9/25 not → 09-30
    assert dates_on_page(html) == {"ship": "2026-09-08", "report": "2026-09-30"}
    assert html.count('data-unconfirmed="UNCONFIRMED"') == 2 and "期限未确认（可设置）" in html
    assert "data-local-setting" not in html

    lab_rules({"C_LAB": 10})  # 10 WD after 09-02 → 09-16, marked as set here
    html = page_text(tuoketuo, sample.id)
    assert dates_on_page(html)["report"] == "2026-09-16" and html.count("data-local-setting") == 1
    assert "本地设置" in html


@pytest.mark.parametrize("bad", ["thirty", 0, 400, True, 2.5])
def test_an_unusable_setting_falls_back_to_the_default_with_a_warning(app, lab_rules, caplog, bad):
    lab_rules({"C_LAB": bad})
    with caplog.at_level(logging.WARNING, logger="inspector.services.labs.rules"):
        s = setting("C_LAB")
    assert (s.n, s.local, s.status) == (20, False, "UNCONFIRMED")
    assert "LAB_RULES[C_LAB]" in caplog.text


def test_notice_and_retest_acceptance_dates_across_the_holidays(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 10, 9))
    for action, data in (("ship", SHIP), ("result", K2O_SHORT), ("notify", {"notifiedOn": "2026-09-29"}),
                         ("deliver", {"deliveredOn": "2026-09-30"}),
                         ("apply_retest", {"appliedOn": "2026-10-08", "applicant": "托克托县丰收农资经营部"})):
        assert step(tuoketuo, sample.id, action, data).status_code == 302, action
    db.session.rollback()
    found = {d.key: d for d in lab_dates(db.session.get(Sample, sample.id), db.session.get(SampleLab, sample.id))}
    # notice: 5 WD after the report's arrival 09-21 (9/25 中秋 skipped) → 09-29, done that day
    assert (found["notify"].due, found["notify"].met_on) == (date(2026, 9, 29), date(2026, 9, 29))
    # 复检 acceptance: 5 WD after 10-08 (Sat 10/10 is a working day) → 10-14, still open
    assert (found["retest_accept"].due, found["retest_accept"].open) == (date(2026, 10, 14), True)
    set_clock(date(2026, 10, 12))  # 10-14 is 2 working days away
    todo = tuoketuo.get("/console/todo?scope=bureau").get_data(as_text=True)
    assert f'data-source="sample:{sample.id}"' in todo and "复检受理决定期限" in todo and "（期限未确认）" in todo


def test_the_lab_report_deadline_is_in_the_bureaus_todo(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    assert step(tuoketuo, sample.id, "ship", SHIP).status_code == 302
    assert step(tuoketuo, sample.id, "receive", {"receivedOn": "2026-09-02"}).status_code == 302
    set_clock(date(2026, 9, 29))  # due 09-30 (Sun 9/20 a working day): within 2 working days
    todo = tuoketuo.get("/console/todo?scope=bureau").get_data(as_text=True)
    row = todo.split(f'data-source="sample:{sample.id}"')[1].split("</tr>")[0]
    assert "2026-09-30" in row and "检验报告期限" in row


# ---------------------------------------------------------------- SMP-R9

def counts(sample_id: str) -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(RectificationOrder)
                              .where(RectificationOrder.sample_id == sample_id)),
            db.session.scalar(select(func.count()).select_from(CaseClock).where(CaseClock.sample_id == sample_id)))


def test_a_result_final_after_the_window_proposes_an_order_and_a_clue_once(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    for action, data in (("ship", SHIP), ("result", K2O_SHORT), ("notify", {"notifiedOn": "2026-09-21"}),
                         ("deliver", {"deliveredOn": "2026-09-22"})):
        assert step(tuoketuo, sample.id, action, data).status_code == 302
    assert counts(sample.id) == (0, 0)
    set_clock(date(2026, 10, 9))  # the window closed 10-08 (SMP-A1)
    assert step(tuoketuo, sample.id, "finalize", {"onDate": "2026-10-09"}).status_code == 302
    assert counts(sample.id) == (1, 1)
    order = db.session.scalars(select(RectificationOrder).where(RectificationOrder.sample_id == sample.id)).one()
    clue = db.session.scalars(select(CaseClock).where(CaseClock.sample_id == sample.id)).one()
    assert (order.status, order.party_id, order.mode) == ("pending", sample.inspection.party_id, "immediate")
    assert "第十七条" in order.basis and "NJ-2026-0917" in order.facts
    # 15 WD from 10-09 (Sat 10/10 is a working day) → 10-29
    assert (clue.rule_id, clue.start_date, clue.due_date, clue.status) == ("CASE-1", date(2026, 10, 9),
                                                                          date(2026, 10, 29), "open")
    html = page_text(tuoketuo, sample.id)
    assert 'data-followup-order="pending"' in html and 'data-followup-clock="2026-10-29"' in html

    # running it again adds nothing
    user = factories.user("tuoketuo.officer")
    on_final_fail(user, db.session.get(Sample, sample.id), db.session.get(SampleLab, sample.id))
    db.session.commit()
    assert counts(sample.id) == (1, 1)

    # a 负责人 approves the proposal like any drafted order
    head = officer(app, "tuoketuo.head")
    page = head.get(f"/console/rectifications/{order.id}").get_data(as_text=True)
    from ..console_support import CSRF

    assert "由抽样检验不合格结论生成" in page
    token = CSRF.search(page).group(1)
    assert head.post(f"/console/rectifications/{order.id}/approve", data={"csrf_token": token}).status_code == 302
    db.session.rollback()
    assert db.session.get(RectificationOrder, order.id).status == "issued"
    printed = head.get(f"/console/rectifications/{order.id}.pdf")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    from .test_lab_results import pdf_text

    text = pdf_text(printed.data)
    assert "责令改正通知书" in text and "第十七条" in text and "立即停止销售该批次不合格产品" in text


def test_a_failing_retest_makes_the_result_final_on_its_arrival(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 24))
    first = {**K2O_SHORT, "arrivedOn": "2026-09-15"}
    for action, data in (("ship", SHIP), ("result", first), ("notify", {"notifiedOn": "2026-09-15"}),
                         ("deliver", {"deliveredOn": "2026-09-16"}),
                         ("apply_retest", {"appliedOn": "2026-09-18", "applicant": "托克托县丰收农资经营部"}),
                         ("accept_retest", {"onDate": "2026-09-18"}),
                         ("retest_ship", {"labName": "国家化肥质量检验检测中心", "shippedOn": "2026-09-18",
                                          "backupSealIntact": "true"})):
        assert step(tuoketuo, sample.id, action, data).status_code == 302, action
    assert counts(sample.id) == (0, 0)
    retest = {**K2O_SHORT, "reportNo": "FJ-2026-02", "arrivedOn": "2026-09-24"}
    assert step(tuoketuo, sample.id, "result", retest).status_code == 302
    assert counts(sample.id) == (1, 1)
    clue = db.session.scalars(select(CaseClock).where(CaseClock.sample_id == sample.id)).one()
    # 15 WD from 09-24: 中秋 9/25 and 国庆 10/1–7 skipped, Sat 10/10 worked → 10-22
    assert (clue.start_date, clue.due_date) == (date(2026, 9, 24), date(2026, 10, 22))


def test_a_passing_result_proposes_nothing(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 10, 9))
    passing = {**K2O_SHORT, "item-2-measured": "14.6"}
    for action, data in (("ship", SHIP), ("result", passing), ("notify", {"notifiedOn": "2026-09-21"}),
                         ("deliver", {"deliveredOn": "2026-09-22"}), ("finalize", {"onDate": "2026-10-09"})):
        assert step(tuoketuo, sample.id, action, data).status_code == 302, action
    assert counts(sample.id) == (0, 0)


# ---------------------------------------------------------------- the pull

def test_case_clocks_reach_the_cases_inspectors_phones_only_with_their_pause(app, login_as, set_clock):
    from inspector.services.case_clocks import open_clock

    from ..sync_phone import Phone

    zhang, chen, wang = (Phone(login_as(u)) for u in ("tuoketuo.zhang", "donghe.chen", "tuoketuo.officer"))
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 10))
    inspection = sample.inspection
    found = open_clock(factories.user("tuoketuo.officer"), rule_id="CASE-1", agency=inspection.agency,
                       inspection=inspection, start_date=date(2026, 9, 1), title="复合肥料涉嫌不合格", check_role=False)
    db.session.commit()
    assert step(tuoketuo, sample.id, "ship", SHIP).status_code == 302  # at the lab from 09-01: paused
    for phone in (zhang, chen, wang):
        phone.pull()
    value = zhang.value("case_clock", found.id)
    assert (value["ruleID"], value["inspectionID"], value["startDate"], value["status"]) == (
        "CASE-1", inspection.id, "2026-09-01", "open")
    assert value["paused"] is True and value["pauses"] == [{"kind": "lab", "firstDay": "2026-09-01",
                                                            "lastDay": "2026-09-10"}]
    assert value["step"] == "核查后决定是否立案"
    assert not chen.has("case_clock", found.id)  # another county's inspector
    assert not wang.has("case_clock", found.id)  # the county's officer is not on the case: the console has it

    # the report arrives: the clock runs again and moves, and the phone hears of it
    set_clock(date(2026, 9, 21))
    assert step(tuoketuo, sample.id, "result", K2O_SHORT).status_code == 302
    zhang.pull()
    value = zhang.value("case_clock", found.id)
    assert value["paused"] is False and value["dueDate"] == "2026-10-16"  # SMP-A5


# ---------------------------------------------------------------- the daily recount

def test_the_daily_recount_moves_a_clock_paused_by_a_running_test_and_phones_hear_of_it(app, login_as, set_clock):
    from inspector.jobs.tasks import recount_deadlines
    from inspector.models import AuditEvent
    from inspector.services.case_clocks import open_clock

    from ..sync_phone import Phone

    zhang = Phone(login_as("tuoketuo.zhang"))
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 10))
    inspection = sample.inspection
    found = open_clock(factories.user("tuoketuo.officer"), rule_id="CASE-1", agency=inspection.agency,
                       inspection=inspection, start_date=date(2026, 9, 1), title="复合肥料涉嫌不合格", check_role=False)
    db.session.commit()
    assert step(tuoketuo, sample.id, "ship", SHIP).status_code == 302
    zhang.pull()
    before = zhang.value("case_clock", found.id)["dueDate"]
    set_clock(date(2026, 9, 15))  # three more working days at the lab
    assert recount_deadlines() == 1
    assert recount_deadlines() == 0  # nothing moves twice
    db.session.rollback()
    moved = db.session.get(CaseClock, found.id)
    assert moved.due_date > date.fromisoformat(before)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "case_clock.recounted")) == 1
    zhang.pull()
    assert zhang.value("case_clock", found.id)["dueDate"] == moved.due_date.isoformat()


def _case_liu_is_not_on(login_as, user):
    """张 records a case with 周 (not 刘): (张's phone, 刘's phone, the case's id)."""
    from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id

    zhang, liu = Phone(login_as("tuoketuo.zhang")), Phone(login_as("tuoketuo.liu"))
    party = factories.party("150122")
    case_id = new_id()
    zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("xincheng.zhou").id], inspection_id=case_id)),
        *fill_and_sign(zhang, case_id))
    return zhang, liu, case_id


def test_an_inspector_put_on_a_case_gets_its_older_clocks(app, login_as, user, set_clock):
    from inspector.models import Inspection
    from inspector.services.case_clocks import open_clock

    zhang, liu, case_id = _case_liu_is_not_on(login_as, user)
    set_clock(date(2026, 12, 7))
    db.session.rollback()
    inspection = db.session.get(Inspection, case_id)
    found = open_clock(factories.user("tuoketuo.officer"), rule_id="CASE-3", agency=inspection.agency,
                       inspection=inspection, start_date=date(2026, 12, 7), title="先行登记保存", check_role=False)
    db.session.commit()
    liu.pull()
    assert not liu.has("case_clock", found.id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=0,
               fields={"inspectorIDs": [user(n).id for n in ("tuoketuo.zhang", "xincheng.zhou", "tuoketuo.liu")]})
    assert liu.pull()[0]["reset"] is False
    assert liu.value("case_clock", found.id)["ruleID"] == "CASE-3"


def test_an_inspector_put_on_a_case_gets_its_older_lab_results(app, login_as, user, set_clock):
    """The case's lab results go with the case to a colleague who joins it, like its other rows."""
    import uuid
    from datetime import datetime, timezone

    zhang, liu, case_id = _case_liu_is_not_on(login_as, user)
    sample = Sample(id=str(uuid.uuid4()), inspection_id=case_id, name="复合肥料", brand="丰收牌", spec="40kg/袋",
                    batch_no="20260801", maker="内蒙古某化肥有限公司", standard="GB/T 15063-2020",
                    quantity="2 kg", base_quantity="120 袋", seal_numbers=["F-101"], backup_seal_numbers=["F-102"],
                    sample_no="呼托抽〔2026〕31号", lab_name="内蒙古农产品质量检测中心",
                    sampled_at=datetime(2026, 9, 1, 2, 30, tzinfo=timezone.utc))
    db.session.rollback()  # what the pushes left in this session's view
    db.session.add(sample)
    db.session.commit()
    set_clock(date(2026, 9, 22))
    assert step(officer(app), sample.id, "ship", SHIP).status_code == 302
    liu.pull()
    assert not liu.has("lab_result", sample.id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=0,
               fields={"inspectorIDs": [user(n).id for n in ("tuoketuo.zhang", "xincheng.zhou", "tuoketuo.liu")]})
    assert liu.pull()[0]["reset"] is False
    assert liu.value("lab_result", sample.id)["labName"] == SHIP["labName"]
