"""待办: an officer and a bureau see their deadlines as overdue, due today, due within 2 working days
or provisional, counted on the official calendar around the 2026 holidays; the daily job reminds."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from inspector import clock
from inspector.database import db
from inspector.services.calendar.deadlines import Due
from inspector.services.tasks import create_task
from inspector.services.todo.reminders import send_daily_reminders

from .. import factories
from ..console_support import reviewer_session


@pytest.fixture
def set_clock():
    def _set(moment: datetime) -> None:
        clock.set_now(moment)
    yield _set
    clock.set_now(None)


def _task(title: str, due: date, *, provisional: bool = False):
    task = create_task(source_kind="manual", source_id=None, agency=factories.agency("150122"), party=None,
                       title=title, what_to_check=None, due=Due(due, provisional), urgent=False,
                       assignees=[factories.user("tuoketuo.zhang"), factories.user("tuoketuo.liu")],
                       created_by=factories.user("tuoketuo.officer"))
    db.session.commit()
    return task


def _bucket_titles(html: str, bucket: str) -> list[str]:
    table = re.search(rf'<table class="grid" data-bucket="{bucket}">(.*?)</table>', html, re.S)
    return re.findall(r"<td>([^<]*?)</td><td>", table.group(1)) if table else []


def _counts(html: str, scope: str) -> dict[str, int]:
    row = re.search(rf'<tr data-scope="{scope}">(.*?)</tr>', html, re.S).group(1)
    return {b: int(n) for b, n in re.findall(r'data-bucket="(\w+)"><span class="number">(\d+)', row)}


def test_before_national_day_the_buckets_skip_the_holiday_week(client, set_clock):
    set_clock(datetime(2026, 9, 30, 1, 0, tzinfo=timezone.utc))  # 09:00 Beijing, the day before 国庆
    _task("复查丰收农资（昨天到期）", date(2026, 9, 29))
    _task("核查绿野种业（今天到期）", date(2026, 9, 30))
    _task("第2个工作日到期", date(2026, 10, 9))  # 10/8 is the 1st working day after 9/30, 10/9 the 2nd
    _task("调休周六到期", date(2026, 10, 10))  # a working Saturday, but the 3rd working day: not yet
    _task("跨年暂定期限", date(2027, 1, 7), provisional=True)
    reviewer_session(client, "tuoketuo.zhang")
    html = client.get("/console/todo?scope=mine").get_data(as_text=True)
    assert _bucket_titles(html, "overdue") == ["复查丰收农资（昨天到期）"]
    assert _bucket_titles(html, "today") == ["核查绿野种业（今天到期）"]
    assert _bucket_titles(html, "soon") == ["第2个工作日到期"]
    assert _bucket_titles(html, "provisional") == ["跨年暂定期限"]
    assert "暂定" in html
    home = client.get("/console/").get_data(as_text=True)
    assert _counts(home, "mine") == {"overdue": 1, "today": 1, "soon": 1, "provisional": 1}


def test_before_spring_festival_the_working_saturday_counts(client, set_clock):
    set_clock(datetime(2026, 2, 12, 16, 30, tzinfo=timezone.utc))  # 00:30 Beijing on Fri 2/13
    _task("春节后第2个工作日", date(2026, 2, 24))  # 2/14 (working Sat) is the 1st, 2/24 the 2nd
    _task("春节后第3个工作日", date(2026, 2, 25))
    reviewer_session(client, "tuoketuo.zhang")
    html = client.get("/console/todo").get_data(as_text=True)
    assert _bucket_titles(html, "soon") == ["春节后第2个工作日"]


def test_a_league_officer_counts_the_countys_deadlines_as_his_bureaus_not_his_own(client, set_clock):
    set_clock(datetime(2026, 9, 30, 1, 0, tzinfo=timezone.utc))
    _task("核查绿野种业（今天到期）", date(2026, 9, 30))
    reviewer_session(client, "hhht.officer")
    home = client.get("/console/").get_data(as_text=True)
    assert _counts(home, "mine")["today"] == 0 and _counts(home, "bureau")["today"] == 1


def test_another_league_does_not_count_tuoketuos_deadlines(client, set_clock):
    set_clock(datetime(2026, 9, 30, 1, 0, tzinfo=timezone.utc))
    _task("核查绿野种业（今天到期）", date(2026, 9, 30))
    reviewer_session(client, "baotou.reviewer")
    html = client.get("/console/todo?scope=bureau").get_data(as_text=True)
    assert "核查绿野种业" not in html and _bucket_titles(html, "today") == []


def test_the_daily_job_reminds_each_inspector_once_a_day(client, set_clock):
    set_clock(datetime(2026, 9, 30, 1, 0, tzinfo=timezone.utc))
    _task("复查丰收农资（昨天到期）", date(2026, 9, 29))
    _task("调休周六到期", date(2026, 10, 10))
    from inspector.jobs.tasks import deadline_reminders

    assert deadline_reminders() == 2  # one overdue task, for each of its two inspectors
    assert send_daily_reminders() == 0  # the hourly run the same day adds nothing
    reviewer_session(client, "tuoketuo.liu")
    assert 'data-reminders-unread="1"' in client.get("/console/").get_data(as_text=True)
    html = client.get("/console/reminders").get_data(as_text=True)
    assert "复查丰收农资（昨天到期）" in html and "已逾期" in html and "调休周六到期" not in html
    set_clock(datetime(2026, 10, 9, 1, 0, tzinfo=timezone.utc))  # next working day after the holiday
    assert send_daily_reminders() == 4  # still overdue, and the Saturday task now due within 2 working days


def test_a_complaint_received_before_national_day_is_due_after_it_for_the_bureau(client, set_clock):
    from inspector.services.complaints import register_filing

    set_clock(datetime(2026, 10, 14, 1, 0, tzinfo=timezone.utc))  # Wed 10/14, the day before CR-A1's due day
    register_filing(factories.user("tuoketuo.registrar"), {
        "kind": "complaint", "channel": "12315_platform", "received_at": datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc),
        "respondent_name": "托克托县丰收农资经营部", "product_category": "fertilizer", "facts": "复合肥结块",
        "person_name": "王秘密", "person_phone": "13800000009"})
    reviewer_session(client, "tuoketuo.officer")
    html = client.get("/console/todo?scope=bureau").get_data(as_text=True)
    assert len(_bucket_titles(html, "soon")) == 1 and "托克托县丰收农资经营部" in html  # due 10/15 (CR-A1)
    assert "投诉受理决定" in html and "王秘密" not in html  # a deadline list names no complainant
    from inspector.services.todo.reminders import send_daily_reminders

    assert send_daily_reminders() == 2  # nobody handles it yet: the county's officer and head hear of it
