"""Deadline arithmetic and the clock without a database (the pinned chinesecalendar package):
the shared vectors, the clock's settings, and what the package covers."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from inspector import clock, create_app
from inspector.services.calendar import Due, natural_days_after, working_days_after
from inspector.services.calendar.seed import package_days, package_years

from ..deadline_vectors import VECTORS_FILE, failures, vectors


def test_every_shared_vector_holds_in_python():
    assert len(vectors()) >= 40
    assert failures() == []


def test_vectors_name_every_worked_date_of_the_spec():
    ids = " ".join(v["id"] for v in vectors())
    for worked in ("CAL-T1", "CAL-T2", "CAL-T3", "CAL-T4", "CAL-T5", "CR-A1", "CR-A2", "CR-A3", "CR-A4", "CR-A5",
                   "CR-A6", "CR-A7", "CR-A8", "CR-A9"):
        assert worked in ids, worked
    assert VECTORS_FILE.name == "deadlines.json"


def test_due_compares_on_date_and_provisional_only():
    due = natural_days_after(date(2026, 5, 6), 60)
    assert due == Due(date(2026, 7, 6), False) and due.raw == date(2026, 7, 5)
    assert working_days_after(date(2026, 12, 28), 7) == Due(date(2027, 1, 7), True)


def test_bad_periods_are_refused():
    with pytest.raises(ValueError):
        working_days_after(date(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        working_days_after(date(2026, 1, 5), 3, [(date(2026, 1, 9), date(2026, 1, 8))])


def test_the_package_covers_2004_to_2026_and_raises_for_2027():
    import chinese_calendar

    assert package_years() == range(2004, 2027)
    assert sorted(package_days()) == list(range(2004, 2027))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    # 元旦 2023's rest day 2022-12-31 belongs to the 2023 notice.
    assert any(r["day"] == date(2022, 12, 31) for r in package_days()[2023])


@pytest.fixture
def reset_clock():
    yield
    clock.set_now(None)


def test_set_now_fixes_the_clock_and_none_restores_it(reset_clock):
    clock.set_now(datetime(2026, 9, 29, 23, 30, tzinfo=timezone.utc))
    assert clock.now() == datetime(2026, 9, 29, 23, 30, tzinfo=timezone.utc)
    assert clock.today_cn() == date(2026, 9, 30)  # 07:30 in Beijing
    clock.set_now("2026-09-30T07:30:00+08:00")
    assert clock.now() == datetime(2026, 9, 29, 23, 30, tzinfo=timezone.utc)
    clock.set_now(None)
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 60
    with pytest.raises(ValueError):
        clock.set_now(datetime(2026, 9, 30, 7, 30))  # naive: which zone?


def test_the_inspector_clock_setting_sets_the_apps_time(tmp_path, reset_clock):
    app = create_app({"INSPECTOR_CLOCK": "2026-10-09T16:30:00Z", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=str(tmp_path))
    with app.app_context():
        assert clock.today_cn() == date(2026, 10, 10)  # a 调休 Saturday, 00:30 in Beijing
        clock.set_now("2026-01-01T00:00:00+08:00")  # a test's set_now wins
        assert clock.today_cn() == date(2026, 1, 1)


def test_cn_date_refuses_a_naive_time():
    with pytest.raises(ValueError):
        clock.cn_date(datetime(2026, 9, 30, 7, 30))
    assert clock.cn_date(datetime(2026, 9, 29, 16, 0, tzinfo=timezone.utc)) == date(2026, 9, 30)
    assert clock.cn_date(datetime(2026, 9, 29, 15, 59, tzinfo=timezone.utc)) == date(2026, 9, 29)


def test_a_call_at_0730_beijing_counts_from_that_day_not_the_utc_day_before():
    received = clock.parse_instant("2026-09-29T23:30:00Z")  # 07:30 on 9/30 in Beijing
    assert working_days_after(clock.cn_date(received), 7) == Due(date(2026, 10, 15), False)  # CR-A1
    # Counting from the UTC date would give a day too early.
    assert working_days_after(received.date(), 7) == Due(date(2026, 10, 14), False)
