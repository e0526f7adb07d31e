"""Case clocks' dates without a database: the worked examples of next-capabilities §4.4 and our own
around the 2026 holidays (Spring Festival 2/15–2/23 with 2/14 and 2/28 worked; 国庆 10/1–10/7 with
9/20 and 10/10 worked), pauses, the approved extension, and a limit reaching the unloaded 2027."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspector.models import CaseClock, CaseClockPause
from inspector.pdf.rectification import RectificationDoc, paragraphs, remedy_problems
from inspector.services.case_clocks import late_fee, recompute, rule
from inspector.services.calendar.deadlines import working_days_after


def _clock(rule_id: str, start: date, *, extended: bool = False, pauses=()) -> CaseClock:
    r = rule(rule_id)
    row = CaseClock(rule_id=rule_id, start_date=start, unit=r.unit, n=r.n, extension=r.extension if extended else 0)
    row.pauses = [CaseClockPause(kind="testing", first_day=a, last_day=b) for a, b in pauses]
    recompute(row)
    return row


def test_case_a1_preservation_decided_within_7_working_days_across_national_day():
    assert _clock("CASE-3", date(2026, 9, 28)).due_date == date(2026, 10, 13)


def test_case_a2_decision_90_days_from_filing_alerts_on_sunday_and_is_due_monday_then_plus_30():
    row = _clock("CASE-8", date(2026, 8, 3))
    assert (row.due_raw, row.due_date) == (date(2026, 11, 1), date(2026, 11, 2))
    assert _clock("CASE-8", date(2026, 8, 3), extended=True).due_date == date(2026, 12, 1)


def test_case_a3_decision_limit_ending_on_national_day_is_due_after_the_holiday():
    row = _clock("CASE-8", date(2026, 7, 3))
    assert (row.due_raw, row.due_date) == (date(2026, 10, 1), date(2026, 10, 8))


def test_case_a4_statement_request_counts_the_may_makeup_saturday():
    assert _clock("CASE-6", date(2026, 4, 30)).due_date == date(2026, 5, 11)


def test_case_a5_publicity_20_working_days_after_the_decision():
    assert _clock("CASE-10", date(2026, 9, 25)).due_date == date(2026, 10, 29)


def test_case_a6_fine_due_15_days_after_service_and_late_fee_capped_at_the_fine():
    row = _clock("CASE-11", date(2026, 1, 20))
    assert row.due_date == date(2026, 2, 4)
    assert late_fee(Decimal("1000"), row.due_date, date(2026, 2, 14)) == Decimal("300.00")  # 10 × 3 %
    assert late_fee(Decimal("1000"), row.due_date, date(2026, 6, 1)) == Decimal("1000")


def test_case_a7_a_remedy_line_with_three_months_for_litigation_is_refused():
    assert remedy_problems("可在三个月内向人民法院提起行政诉讼，六十日内向复议委员会申请复议")
    printed = paragraphs(RectificationDoc(
        agency_name="托克托县市场监督管理局", government_name="托克托县人民政府", doc_no="呼托市监责改〔2026〕1号",
        party_name="丰收农资", party_lines=(), facts="销售未附合格证的复合肥", basis="《产品质量法》第三十六条",
        requirements="下架", mode="deadline", due_date=date(2026, 9, 30), report_back=True, inspectors=(),
        issued_on=date(2026, 9, 28), drafted_on=date(2026, 9, 28), service_method=None, served_at=None,
        served_to=None, party_signature=None, refusal_reason=None, witness_name=None))
    assert remedy_problems(printed[-1]) == []
    assert "托克托县人民政府" in printed[-1]


def test_case_a8_reinspection_is_due_the_working_day_after_the_due_date():
    assert working_days_after(date(2026, 9, 30), 1).date == date(2026, 10, 8)


def test_filing_decision_across_spring_festival_and_its_extension():
    assert _clock("CASE-1", date(2026, 2, 10)).due_date == date(2026, 3, 9)  # 2/14 and 2/28 are worked
    assert _clock("CASE-1", date(2026, 2, 10), extended=True).due_date == date(2026, 3, 30)


def test_testing_time_is_not_counted_in_the_90_days():
    row = _clock("CASE-8", date(2026, 8, 3), pauses=[(date(2026, 8, 10), date(2026, 8, 19))])
    assert (row.due_raw, row.due_date) == (date(2026, 11, 11), date(2026, 11, 11))


def test_lab_days_pause_the_filing_clock_in_working_days():
    # 15 WD from Fri 9/18: Sun 9/20 is worked, 9/25 is 中秋, 10/1–10/7 国庆, Sat 10/10 worked → 10/15;
    # testing 9/21–9/25 takes four working days out → 10/21
    assert _clock("CASE-1", date(2026, 9, 18)).due_date == date(2026, 10, 15)
    assert _clock("CASE-1", date(2026, 9, 18), pauses=[(date(2026, 9, 21), date(2026, 9, 25))]).due_date \
        == date(2026, 10, 21)


def test_a_limit_reaching_2027_is_provisional():
    row = _clock("CASE-8", date(2026, 12, 1))
    assert row.due_raw == date(2027, 3, 1) and row.due_provisional is True


def test_a_pause_ending_before_it_starts_is_refused_by_the_arithmetic():
    with pytest.raises(ValueError):
        _clock("CASE-8", date(2026, 8, 3), pauses=[(date(2026, 8, 19), date(2026, 8, 10))])
