"""The official calendar in the app: seeded tables, deadlines read from them, an admin entering
a year's notice (2027 provisional until then), bad notices refused with nothing saved, and the
calendar a phone pulls."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from inspector.database import db
from inspector.models import AuditEvent, CalendarDay, CalendarYear
from inspector.services.calendar import Due, is_working_day, working_days_after

from ..console_support import csrf_token, reviewer_session
from ..deadline_vectors import failures
from ..sync_phone import Phone

# A plausible 2027 notice (the real one was not published when this was written).
NOTICE_2027 = {
    "year": "2027", "notice_no": "国办发明电〔2026〕9号", "notice_date": "2026-11-10",
    "source_url": "https://www.gov.cn/zhengce/content/2027-holidays.htm",
    "rest_yuandan": "2027-01-01至2027-01-03", "work_yuandan": "",
    "rest_chunjie": "2027-02-05至2027-02-13", "work_chunjie": "2027-01-30, 2027-02-20",
    "rest_qingming": "2027-04-03至2027-04-05", "work_qingming": "",
    "rest_laodong": "2027-05-01至2027-05-05", "work_laodong": "2027-04-25、2027-05-08",
    "rest_duanwu": "2027-06-09", "work_duanwu": "",
    "rest_zhongqiu": "2027-09-15", "work_zhongqiu": "",
    "rest_guoqing": "2027-10-01 至 2027-10-07", "work_guoqing": "2027-09-25, 2027-10-09",
}


def _post_notice(client, **changes):
    reviewer_session(client, "admin")
    token = csrf_token(client, "/console/admin/calendar")
    data = {**NOTICE_2027, **changes, "csrf_token": token}
    return client.post("/console/admin/calendar", data={k: v for k, v in data.items() if v is not None})


def test_the_seeded_calendar_holds_the_spec_vectors_and_2026(app):
    assert db.session.scalar(select(func.min(CalendarYear.year))) == 2004
    assert db.session.scalar(select(func.max(CalendarYear.year))) == 2026
    assert db.session.get(CalendarYear, 2027) is None
    # CAL-T1/T2 come from the table: the days the 2026 notice moved.
    kinds = dict(db.session.execute(select(CalendarDay.day, CalendarDay.kind).where(
        CalendarDay.day.in_([date(2026, 9, 20), date(2026, 10, 10), date(2026, 2, 23)]))).all())
    assert kinds == {date(2026, 9, 20): "makeup_workday", date(2026, 10, 10): "makeup_workday",
                     date(2026, 2, 23): "holiday"}
    assert failures() == []  # every shared vector, now read from the tables


def test_a_2027_deadline_is_provisional_until_the_notice_is_entered(app, client):
    assert working_days_after(date(2027, 2, 3), 7) == Due(date(2027, 2, 12), True)
    assert working_days_after(date(2026, 12, 28), 7) == Due(date(2027, 1, 7), True)
    page = client.get("/console/admin/calendar")
    assert page.status_code == 302  # not logged in
    r = _post_notice(client)
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "2027 年节假日安排（国办发明电〔2026〕9号）已保存" in page
    assert 'data-year="2027"' in page
    db.session.rollback()  # the test's own session: a fresh snapshot after the request's commit
    # 春节 2027 now rests 2/5–2/13 and Saturday 2/20 is worked.
    assert working_days_after(date(2027, 2, 3), 7) == Due(date(2027, 2, 20), False)
    assert working_days_after(date(2026, 12, 28), 7) == Due(date(2027, 1, 7), False)
    assert is_working_day(date(2027, 1, 30)) and not is_working_day(date(2027, 2, 8))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.notice")).one()
    assert event.entity_id == "2027" and "2027-02-20" in event.data["work"]


def _nothing_saved():
    db.session.rollback()
    assert db.session.get(CalendarYear, 2027) is None
    assert db.session.scalar(select(func.count()).select_from(CalendarDay).where(CalendarDay.year == 2027)) == 0


def test_a_bad_notice_is_refused_with_every_mistake_named_and_nothing_saved(app, client):
    r = _post_notice(client, work_chunjie="2027-02-01, 2027-02-20", rest_guoqing="2027-10-01至2027-10-02",
                     rest_duanwu="", rest_qingming="2028-04-03", notice_no="", work_laodong="2027-4-31")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "节假日安排有误，未保存。" in page
    assert "春节：调休上班日 2027-02-01 不是星期六或星期日。" in page
    assert "国庆节的放假日期须包括 2027-10-03。" in page
    assert "缺少端午节的放假日期" in page
    assert "清明节：2028-04-03 不在 2027 年内。" in page
    assert "请填写通知文号" in page
    assert "劳动节：“2027-4-31”不是有效的日期或日期范围。" in page
    # What the admin typed is all still there to correct.
    assert 'value="2027-02-01, 2027-02-20"' in page and 'value="2027-02-05至2027-02-13"' in page
    _nothing_saved()


def test_a_notice_number_without_its_year_and_number_is_refused(app, client):
    r = _post_notice(client, notice_no="国办发明电2026")
    assert r.status_code == 400
    assert "通知文号格式应为" in r.get_data(as_text=True)
    _nothing_saved()


def test_overlapping_days_and_long_working_runs_are_refused(app, client):
    r = _post_notice(client, rest_zhongqiu="2027-10-01")
    assert r.status_code == 400
    assert "2027-10-01 重复出现（中秋节、国庆节）。" in r.get_data(as_text=True)
    _nothing_saved()
    # Working Saturday 10/9 and Sunday 10/10 after 国庆: 10/8–10/15 is eight working days in a row (第七条).
    r = _post_notice(client, work_guoqing="2027-09-25, 2027-10-09, 2027-10-10")
    assert r.status_code == 400
    assert "国庆节前后连续工作 8 天，超过 6 天" in r.get_data(as_text=True)
    _nothing_saved()
    r = _post_notice(client, work_guoqing="2027-09-25, 2027-10-09, 2027-10-10", special="1")
    assert r.status_code == 302


def test_the_admin_page_lists_a_years_days(app, client):
    reviewer_session(client, "admin")
    page = client.get("/console/admin/calendar?year=2026").get_data(as_text=True)
    assert '<tr data-day="2026-10-10"><td>2026-10-10</td><td>星期六</td><td>国庆节</td><td>调休上班</td></tr>' in page
    assert '<tr data-day="2026-02-23"><td>2026-02-23</td><td>星期一</td><td>春节</td><td>放假</td></tr>' in page
    page = client.get("/console/admin/calendar?year=2027").get_data(as_text=True)
    assert "2027 年的节假日安排尚未录入，该年期限为暂定。" in page


def test_only_an_admin_enters_the_calendar(app, client):
    reviewer_session(client, "hq.reviewer")
    assert client.get("/console/admin/calendar").status_code == 403
    r = client.post("/console/admin/calendar", data={**NOTICE_2027, "csrf_token": csrf_token(client, "/console/")})
    assert r.status_code == 403
    _nothing_saved()


def test_the_phone_gets_the_calendar_on_a_fresh_pull_and_when_it_changes(app, client, login_as):
    phone = Phone(login_as("tuoketuo.zhang"))
    first = phone.pull()
    calendar = first[0]["calendar"]
    years = {y["year"]: y for y in calendar["years"]}
    assert min(years) == 2004 and max(years) == 2026
    assert "2026-10-10" in years[2026]["work"] and "2026-02-23" in years[2026]["rest"]
    assert "calendar" not in phone.pull_page()  # unchanged since the cursor
    assert _post_notice(client).status_code == 302
    page = phone.pull_page()
    years = {y["year"]: y for y in page["calendar"]["years"]}
    assert years[2027]["noticeNo"] == "国办发明电〔2026〕9号" and "2027-02-20" in years[2027]["work"]
    assert "calendar" not in phone.pull_page()


def test_the_published_2026_notice_entered_by_hand_matches_the_seeded_year(app, client):
    """F0.4: the 2026 notice as published passes validation and changes no working day."""
    before = [d for d in (date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * i for i in range(365))
              if is_working_day(d)]
    r = _post_notice(client, year="2026", notice_no="国办发明电〔2025〕7号", notice_date="2025-11-04",
                     source_url="https://politics.gmw.cn/2025-11/04/content_38391083.htm",
                     rest_yuandan="2026-01-01至2026-01-03", work_yuandan="2026-01-04",
                     rest_chunjie="2026-02-15至2026-02-23", work_chunjie="2026-02-14, 2026-02-28",
                     rest_qingming="2026-04-04至2026-04-06", work_qingming="",
                     rest_laodong="2026-05-01至2026-05-05", work_laodong="2026-05-09",
                     rest_duanwu="2026-06-19至2026-06-21", work_duanwu="",
                     rest_zhongqiu="2026-09-25至2026-09-27", work_zhongqiu="",
                     rest_guoqing="2026-10-01至2026-10-07", work_guoqing="2026-09-20, 2026-10-10")
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(CalendarYear, 2026).source == "notice"
    after = [d for d in (date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * i for i in range(365))
             if is_working_day(d)]
    assert after == before and len(after) == 248


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_the_deadline_command_counts_on_the_calendar_and_the_demo_clock(app):
    assert "2026-09-30 + 7个工作日 → 2026-10-15" in _cli(app, "deadline", "2026-09-30", "7").output
    out = _cli(app, "deadline", "2026-05-06", "60", "--natural", "--pause", "2026-06-01..2026-06-09").output
    assert "→ 2026-07-14" in out
    assert "(2026-07-05 为休息日，顺延)" in _cli(app, "deadline", "2026-05-06", "60", "--natural").output
    assert "→ 2027-01-07 暂定" in _cli(app, "deadline", "2026-12-28", "7").output
    app.config["INSPECTOR_CLOCK"] = "2026-10-09T16:30:00Z"  # 00:30 on Saturday 10/10 in Beijing
    try:
        assert "today in Beijing: 2026-10-10" in _cli(app, "clock").output
        assert "2026-10-10 + 1个工作日 → 2026-10-12" in _cli(app, "deadline", "today", "1").output
    finally:
        app.config["INSPECTOR_CLOCK"] = None
    result = app.test_cli_runner().invoke(args=["deadline", "2026-02-30", "7"])
    assert result.exit_code != 0 and "day is out of range" in result.output


def test_calendar_seed_loads_package_years_that_are_missing_and_keeps_entered_ones(app):
    db.session.execute(CalendarDay.__table__.delete().where(CalendarDay.year == 2025))
    db.session.execute(CalendarYear.__table__.delete().where(CalendarYear.year == 2025))
    db.session.commit()
    assert not is_working_day(date(2025, 9, 28))  # without 2025's notice: a plain Sunday
    assert "Loaded 1 years from chinesecalendar: 2025." in _cli(app, "calendar-seed").output
    db.session.rollback()
    assert is_working_day(date(2025, 9, 28))  # a 调休 Sunday of the 2025 notice
    assert "none new" in _cli(app, "calendar-seed").output
