"""The register's statutory clocks on the real 2026 calendar: the worked dates of
next-capabilities.md §1.10 (CR-A1…A9, A12) and a few of our own around 春节 and 国庆, taken the
way an officer takes them: register the filing on its day, step it on the days the examples say.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from inspector import clock
from inspector.schemas.complaints import FilingIn
from inspector.services import complaints
from tests import factories

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
def _real_clock_after():
    yield
    clock.set_now(None)


def on(day: str, hour: int = 10) -> None:
    """The server's clock at `hour` o'clock Beijing time on `day`."""
    clock.set_now(datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING))


def register(kind: str, day: str, *, hour: int = 10, anonymous: bool = False, category: str = "fertilizer",
             **extra):
    on(day, hour)
    data = FilingIn().load({
        "kind": kind, "channel": "12315_phone", "receivedAt": f"{day}T{hour:02d}:00:00+08:00",
        "respondentName": "托克托县丰收农资经营部", "productCategory": category,
        "facts": "买的复合肥结块，怀疑是假化肥", "requests": "退货",
        "anonymous": anonymous, **({} if anonymous else {"personName": "李大爷", "personPhone": "13900000001"}),
        **extra})
    return complaints.register_filing(factories.user("tuoketuo.officer"), data)


def head():
    return factories.user("tuoketuo.head")


def officer():
    return factories.user("tuoketuo.officer")


def due(filing, label: str):
    return next(d for d in complaints.deadlines(filing) if d.label == label)


@pytest.mark.parametrize("received, expected", [
    ("2026-09-30", date(2026, 10, 15)),  # CR-A1: 10/1–7 holiday, Sat 10/10 a working day
    ("2026-10-04", date(2026, 10, 15)),  # CR-A2: received on a holiday Sunday
    ("2026-10-10", date(2026, 10, 20)),  # CR-A3: received on a 调休 working Saturday
    ("2026-02-13", date(2026, 3, 2)),    # CR-A4: 春节 2/15–2/23; Sat 2/14 and 2/28 are working days
    ("2026-02-12", date(2026, 2, 28)),   # ours: before 春节 (2/13, Sat 2/14, 2/24…2/27, then Sat 2/28)
    ("2026-10-09", date(2026, 10, 19)),  # ours: just after 国庆, the working Saturday counts
])
def test_acceptance_decision_due_within_seven_working_days(app, received, expected):
    filing = register("complaint", received)
    assert filing.due_rule == "CR-S1"
    assert filing.due_on == expected and not filing.due_provisional
    assert due(filing, "deadline_accept").due.date == expected


def test_a_call_at_0730_beijing_time_counts_from_that_day_not_the_utc_day_before(app):
    filing = register("complaint", "2026-09-30", hour=7)
    assert filing.clock_start_on == date(2026, 9, 30)
    assert filing.due_on == date(2026, 10, 15)


def test_v20_mediation_window_45_working_days_then_termination_notice(app):
    # CR-A5 (a V20 record: received before 2026-04-15)
    filing = register("complaint", "2026-01-04")
    on("2026-01-05")
    complaints.transition(filing, "accept", officer(), notice_method="phone")
    window = due(filing, "deadline_mediation")
    assert filing.rule_version == "V20"
    assert (window.unit, window.n, window.due.date) == ("WD", 45, date(2026, 3, 13))
    complaints.transition(filing, "start_mediation", officer(), both_consent=True)
    on("2026-03-16")
    assert due(filing, "deadline_mediation").state() == "overdue"
    complaints.transition(filing, "terminate", officer(), "四十五个工作日内未达成调解协议", ground="5")
    notice = due(filing, "deadline_termination_notice")
    assert notice.due.date == date(2026, 3, 25) and notice.open  # 7 WD after 3/16
    assert filing.due_rule == "CR-S8" and filing.due_on == date(2026, 3, 25)
    complaints.transition(filing, "notify", officer(), notice_method="letter")
    assert filing.due_on is None and not due(filing, "deadline_termination_notice").open


def test_v121_mediation_window_60_natural_days_with_lab_time_left_out(app):
    filing = register("complaint", "2026-05-06")
    complaints.transition(filing, "accept", officer(), notice_method="sms")
    window = due(filing, "deadline_mediation")
    # CR-A6: due_raw 2026-07-05 (Sun), latest lawful day Mon 2026-07-06
    assert filing.rule_version == "V121"
    assert (window.unit, window.n, window.due.date, window.due_legal) == ("ND", 60, date(2026, 7, 5),
                                                                          date(2026, 7, 6))
    # CR-A7: a lab test [2026-06-01, 2026-06-10) moves the raw day to 2026-07-14
    complaints.transition(filing, "start_mediation", officer(), both_consent=True)
    on("2026-06-01")
    complaints.transition(filing, "pause_testing", officer(), "复合肥送检")
    assert due(filing, "deadline_mediation").paused
    on("2026-06-10")
    complaints.transition(filing, "resume", officer())
    assert due(filing, "deadline_mediation").due.date == date(2026, 7, 14)
    assert filing.due_on == date(2026, 7, 14)


def test_report_decision_15_working_days_plus_15_with_approval(app):
    # CR-A8
    filing = register("report", "2026-04-30")
    assert filing.status == "verifying" and filing.due_on == date(2026, 5, 25)
    complaints.transition(filing, "extend", head(), "需进一步核查进货来源")
    assert filing.due_on == date(2026, 6, 15)


def test_real_name_reporter_told_of_the_decision_within_five_working_days(app):
    # CR-A9
    filing = register("report", "2026-09-20")
    on("2026-09-29")
    complaints.transition(filing, "open_case", head())
    assert filing.status == "case_opened"
    assert filing.due_rule == "CR-R3" and filing.due_on == date(2026, 10, 12)


def test_an_anonymous_reporter_is_owed_no_decision_notice(app):
    filing = register("report", "2026-09-20", anonymous=True)
    on("2026-09-29")
    complaints.transition(filing, "open_case", head())
    assert [d.label for d in complaints.deadlines(filing)] == ["deadline_case_decision"]
    assert filing.due_on is None


def test_rule_version_follows_the_day_received(app):
    # CR-A12: the refusal grounds are 6 under V20 and 7 under V121 (one fewer for farm inputs: CR-A10)
    from inspector.services.complaints import rules

    old, new = register("complaint", "2026-04-14"), register("complaint", "2026-04-15")
    assert (old.rule_version, new.rule_version) == ("V20", "V121")
    assert len(rules.refusal_grounds("V20", "other")) == 6 and len(rules.refusal_grounds("V121", "other")) == 7
    assert "3" not in dict(rules.refusal_grounds("V121", "fertilizer"))


def test_a_deadline_in_2027_is_provisional(app):
    filing = register("complaint", "2026-12-28")
    assert filing.due_on == date(2027, 1, 7) and filing.due_provisional


def test_an_unconfirmed_period_is_a_setting_and_says_so(app):
    # CR-R3 under V121 is UNCONFIRMED: a bureau that learns the text says 3 days sets it so.
    filing = register("report", "2026-09-20")
    on("2026-09-29")
    complaints.transition(filing, "open_case", head())
    notice = due(filing, "deadline_decision_notice")
    assert (notice.due.date, notice.source_status) == (date(2026, 10, 12), "UNCONFIRMED")
    app.config["COMPLAINT_RULES"] = {"V121_DECISION_NOTICE_WD": 3, "REPORT_VERIFY_WD": "fifteen"}
    try:
        notice = due(filing, "deadline_decision_notice")
        assert (notice.due.date, notice.n) == (date(2026, 10, 9), 3)
        assert due(filing, "deadline_case_decision").n == 15  # an unusable value keeps the default
    finally:
        app.config["COMPLAINT_RULES"] = {}
