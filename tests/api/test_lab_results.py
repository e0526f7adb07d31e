"""Samples to lab results, as the bureau works them in the console: a county officer sends a sealed
fertilizer sample to the lab, enters (or imports) the report, prints the 检验结果告知书, records its
delivery, and the party's 15-day 复检 window runs on the official calendar; lab time pauses the
case clocks; bad input is refused with a clear message and changes nothing (SQLite and PostgreSQL).
"""
from __future__ import annotations

import io
import re
import subprocess
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db
from inspector.models import LabReport, LabStep, Sample, SampleLab
from inspector.services.calendar.deadlines import working_days_after
from inspector.services.labs import REFERENCE_ROWS, judge, lab_pauses, retest_due

from .. import factories
from ..console_support import CSRF, reviewer_session


@pytest.fixture
def set_clock():
    yield lambda day: clock.set_now(datetime(day.year, day.month, day.day, 4, tzinfo=timezone.utc))
    clock.set_now(None)


def sealed_sample(agency_code: str = "150122", inspectors=("tuoketuo.zhang", "tuoketuo.liu")) -> Sample:
    party = factories.party(agency_code, "托克托县丰收农资经营部" if agency_code == "150122" else None)
    case = factories.inspection(party, inspectors, status="submitted")
    sample = Sample(id=str(uuid.uuid4()), inspection_id=case.id, name="复合肥料", brand="丰收牌", spec="40kg/袋",
                    batch_no="20260801", maker="内蒙古某化肥有限公司", standard="GB/T 15063-2020",
                    quantity="2 kg", base_quantity="120 袋", seal_numbers=["F-001"], backup_seal_numbers=["F-002"],
                    sample_no="呼托抽〔2026〕12号", sampled_at=datetime(2026, 9, 1, 2, 30, tzinfo=timezone.utc),
                    lab_name="内蒙古农产品质量检测中心")
    db.session.add(sample)
    db.session.commit()
    return sample


def officer(app, username: str = "tuoketuo.officer"):
    return reviewer_session(app.test_client(), username)


def step(client, sample_id: str, action: str, data: dict | None = None, files: dict | None = None):
    page = f"/console/samples/{sample_id}"
    token = CSRF.search(client.get(page).get_data(as_text=True)).group(1)
    body = {"csrf_token": token, "action": action, **(data or {})}
    if files:
        body.update(files)
    return client.post(f"{page}/steps", data=body, content_type="multipart/form-data")


K2O_SHORT = {  # SMP-A4: 15-15-15, K₂O measured 13.4 % against 15 % declared
    "reportNo": "NJ-2026-0917", "labName": "内蒙古农产品质量检测中心", "arrivedOn": "2026-09-21",
    "item-0-referenceCode": "15063-total-high", "item-0-measured": "41.9",
    "item-1-referenceCode": "15063-N", "item-1-declaredValue": "15", "item-1-measured": "15.2",
    "item-2-referenceCode": "15063-K2O", "item-2-declaredValue": "15", "item-2-measured": "13.4",
}


def page_text(client, sample_id: str) -> str:
    return client.get(f"/console/samples/{sample_id}").get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def lab_rows() -> tuple[int, int, str | None]:
    db.session.rollback()
    status = db.session.scalar(select(SampleLab.status))
    return (db.session.scalar(select(func.count()).select_from(LabStep)),
            db.session.scalar(select(func.count()).select_from(LabReport)), status)


# ---------------------------------------------------------------- the verdict

@pytest.mark.parametrize("measured, verdict", [("13.4", "fails"), ("13.5", "conforms"), ("15.0", "conforms")])
def test_a_nutrient_short_of_its_label_by_more_than_the_tolerance_fails(measured, verdict):
    k2o = next(r for r in REFERENCE_ROWS if r.code == "15063-K2O")
    assert judge(Decimal(measured), limit_low=Decimal(k2o.limit_low), declared=Decimal("15"),
                 allowed_negative_deviation=Decimal(k2o.allowed_negative_deviation)) == verdict
    assert k2o.source_status == "UNCONFIRMED"


def test_every_reference_row_judges_its_own_limits():
    """Each §3.3 row: its limit itself conforms, a step past it fails, a row without limits is not judged."""
    step_past = Decimal("0.001")
    for row in REFERENCE_ROWS:
        low = Decimal(row.limit_low) if row.limit_low else None
        high = Decimal(row.limit_high) if row.limit_high else None
        assert row.source_status in ("R", "S", "UNCONFIRMED"), row.code
        if low is None and high is None:
            assert judge(Decimal("1"), limit_low=low, limit_high=high) == "not_judged", row.code
            continue
        edge = low if low is not None else high
        assert judge(edge, limit_low=low, limit_high=high) == "conforms", row.code
        past = edge - step_past if low is not None else edge + step_past
        assert judge(past, limit_low=low, limit_high=high) == "fails", row.code


# ---------------------------------------------------------------- the 复检 window (SMP-A1, SMP-A2)

@pytest.mark.parametrize("signed, raw, due", [(date(2026, 9, 22), date(2026, 10, 7), date(2026, 10, 8)),
                                              (date(2026, 9, 16), date(2026, 10, 1), date(2026, 10, 8))])
def test_the_retest_window_ending_on_a_holiday_moves_to_the_next_working_day(client, signed, raw, due):
    window = retest_due(signed)
    assert (window.raw, window.date, window.provisional) == (raw, due, False)


# ---------------------------------------------------------------- the whole life in the console

def test_a_county_officer_takes_a_fertilizer_sample_from_the_lab_to_its_final_result(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    assert step(tuoketuo, sample.id, "ship", {"labName": "内蒙古农产品质量检测中心", "carrier": "刘执法 送达",
                                              "shippedOn": "2026-09-01"}).status_code == 302
    assert step(tuoketuo, sample.id, "receive", {"receivedOn": "2026-09-02"}).status_code == 302
    response = step(tuoketuo, sample.id, "result", K2O_SHORT)
    assert response.status_code == 302, response.get_data(as_text=True)
    html = page_text(tuoketuo, sample.id)
    assert 'data-conclusion="fail"' in html and 'data-item="氧化钾(K₂O)" data-verdict="fails"' in html
    assert 'data-source-status="UNCONFIRMED"' in html and "UNCONFIRMED for the 2020 ed." in html
    assert 'data-lab-status="reported"' in html

    # SMP-A5: discovery 09-01, at the lab 09-01 … report 09-21: the 立案 clock counts from 09-21
    db.session.rollback()
    pauses = lab_pauses(sample.inspection_id)
    assert pauses == [(date(2026, 9, 1), date(2026, 9, 20))]
    assert working_days_after(date(2026, 9, 1), 15, pauses).date == date(2026, 10, 16)
    assert working_days_after(date(2026, 9, 1), 15).date == date(2026, 9, 21)

    assert step(tuoketuo, sample.id, "notify", {"notifiedOn": "2026-09-21"}).status_code == 302
    assert step(tuoketuo, sample.id, "deliver", {"deliveredOn": "2026-09-22", "receiver": "王建国"}).status_code == 302
    html = page_text(tuoketuo, sample.id)
    assert 'data-retest-due="2026-10-08"' in html  # SMP-A1

    notice = tuoketuo.get(f"/console/samples/{sample.id}/notice.pdf")
    assert notice.status_code == 200 and notice.mimetype == "application/pdf"
    text = pdf_text(notice.data)
    for expected in ("检验结果告知书", "托克托县丰收农资经营部、内蒙古某化肥有限公司（标称生产企业）",
                     "本局于2026年9月1日依法对你单位经营的复合肥料", "抽取样品（抽样单编号：呼托抽〔2026〕12号）",
                     "检验结论为：不合格", "氧化钾(K₂O)：标准要求≥4.0，且不低于标明值1.5个百分点，标明值15%，实测值13.4%，单项判定：不符合",
                     "十五日内", "复检使用备份样品", "送达日期：2026年9月22日；复检申请期限至2026年10月8日"):
        assert expected in text, expected

    # the 待办: the bureau sees the window close
    set_clock(date(2026, 10, 7))
    todo = tuoketuo.get("/console/todo?scope=bureau").get_data(as_text=True)
    assert f'data-source="sample:{sample.id}"' in todo

    # the party applies in time; the backup sample is re-tested and passes
    assert step(tuoketuo, sample.id, "apply_retest", {"appliedOn": "2026-10-08", "applicant": "王建国"}
                ).status_code == 400  # in the future: refused
    set_clock(date(2026, 10, 9))
    assert step(tuoketuo, sample.id, "apply_retest", {"appliedOn": "2026-10-08", "applicant": "托克托县丰收农资经营部"}
                ).status_code == 302
    assert step(tuoketuo, sample.id, "accept_retest", {"onDate": "2026-10-09"}).status_code == 302
    assert step(tuoketuo, sample.id, "retest_ship", {"labName": "国家化肥质量检验检测中心", "shippedOn": "2026-10-09",
                                                     "backupSealIntact": "true"}).status_code == 302
    set_clock(date(2026, 10, 20))
    retest = {**K2O_SHORT, "reportNo": "FJ-2026-01", "arrivedOn": "2026-10-20", "item-2-measured": "14.1"}
    assert step(tuoketuo, sample.id, "result", retest).status_code == 302
    html = page_text(tuoketuo, sample.id)
    assert 'data-lab-status="final_pass"' in html
    db.session.rollback()
    assert lab_pauses(sample.inspection_id) == [(date(2026, 9, 1), date(2026, 9, 20)),
                                                (date(2026, 10, 8), date(2026, 10, 19))]
    steps = db.session.scalars(select(LabStep).order_by(LabStep.id)).all()
    assert [s.to_status for s in steps] == ["shipped", "at_lab", "reported", "notified", "objection_window",
                                            "retest_applied", "retest_accepted", "retesting", "final_pass"]
    assert {s.by.username for s in steps} == {"tuoketuo.officer"}


def test_a_result_imported_from_the_labs_csv_is_judged_like_a_typed_one(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    step(tuoketuo, sample.id, "ship", {"labName": "检测中心", "shippedOn": "2026-09-01"})
    csv = ("检验项目,检验方法,标准要求,下限,单位,标明值,允许负偏差,实测值,强制性条款\n"
           "总养分,GB/T 15063-2020,≥40.0,40.0,%,,,41.2,否\n"
           "氧化钾(K₂O),GB/T 15063-2020,≥4.0,4.0,%,15,1.5,13.4,否\n").encode("gb18030")
    response = step(tuoketuo, sample.id, "result", {"reportNo": "NJ-CSV-1", "labName": "检测中心",
                                                    "arrivedOn": "2026-09-21"},
                    files={"csv": (io.BytesIO(csv), "report.csv")})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    report = db.session.scalars(select(LabReport)).one()
    assert (report.source, report.conclusion) == ("csv", "fail")
    assert [(i.item, i.verdict) for i in report.items] == [("总养分", "conforms"), ("氧化钾(K₂O)", "fails")]


# ---------------------------------------------------------------- bad input changes nothing

def test_a_result_for_a_sample_never_sent_is_refused(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    response = step(tuoketuo, sample.id, "result", K2O_SHORT)
    assert response.status_code == 409
    assert "never sent to a lab" in response.get_data(as_text=True)
    assert lab_rows() == (0, 0, None)


def test_a_measured_value_that_is_not_a_number_is_refused_and_what_was_typed_stays(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    step(tuoketuo, sample.id, "ship", {"labName": "检测中心", "shippedOn": "2026-09-01"})
    before = lab_rows()
    response = step(tuoketuo, sample.id, "result", {**K2O_SHORT, "item-2-measured": "十三点四"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "不是数字" in html and "十三点四" in html
    assert 'value="NJ-2026-0917"' in html  # the report number typed is still in the form
    assert lab_rows() == before


def test_a_fail_report_whose_items_all_conform_is_refused(app, set_clock):
    """SMP-A3."""
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    step(tuoketuo, sample.id, "ship", {"labName": "检测中心", "shippedOn": "2026-09-01"})
    before = lab_rows()
    response = step(tuoketuo, sample.id, "result", {**K2O_SHORT, "item-2-measured": "14.8", "conclusion": "fail"})
    assert response.status_code == 400 and "至少要有一项不符合" in response.get_data(as_text=True)
    assert lab_rows() == before


def test_a_retest_application_after_the_window_is_refused(app, set_clock):
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 10, 12))
    for action, data in (("ship", {"labName": "检测中心", "shippedOn": "2026-09-01"}), ("result", K2O_SHORT),
                         ("notify", {"notifiedOn": "2026-09-21"}), ("deliver", {"deliveredOn": "2026-09-22"})):
        assert step(tuoketuo, sample.id, action, data).status_code == 302
    before = lab_rows()
    response = step(tuoketuo, sample.id, "apply_retest", {"appliedOn": "2026-10-09", "applicant": "王建国"})
    assert response.status_code == 422
    assert "复检申请期限已于2026-10-08届满" in response.get_data(as_text=True)
    assert lab_rows() == before == (before[0], 1, "objection_window")
    # the window is over: the result becomes final
    assert step(tuoketuo, sample.id, "finalize", {"onDate": "2026-10-12"}).status_code == 302
    assert lab_rows()[2] == "final_fail"


# ---------------------------------------------------------------- scope

def test_a_county_sees_its_samples_a_league_its_counties_another_league_none(app):
    sample = sealed_sample()
    assert f'data-sample="{sample.id}"' in officer(app).get("/console/samples").get_data(as_text=True)
    case_page = officer(app).get(f"/console/cases/{sample.inspection_id}").get_data(as_text=True)
    assert f'href="/console/samples/{sample.id}" data-sample-lab' in case_page
    assert f'data-sample="{sample.id}"' in officer(app, "hhht.officer").get("/console/samples").get_data(as_text=True)
    baotou = officer(app, "baotou.reviewer")
    assert f'data-sample="{sample.id}"' not in baotou.get("/console/samples").get_data(as_text=True)
    assert baotou.get(f"/console/samples/{sample.id}").status_code == 404
    assert baotou.get(f"/console/samples/{sample.id}/notice.pdf").status_code == 404


# ---------------------------------------------------------------- the phone

def test_the_result_reaches_the_samples_inspectors_phones_and_no_one_elses(app, login_as, set_clock):
    from ..sync_phone import Phone

    zhang, chen = Phone(login_as("tuoketuo.zhang")), Phone(login_as("donghe.chen"))
    zhang.pull()
    chen.pull()
    sample = sealed_sample()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 22))
    for action, data in (("ship", {"labName": "内蒙古农产品质量检测中心", "shippedOn": "2026-09-01"}),
                         ("result", K2O_SHORT), ("notify", {"notifiedOn": "2026-09-21"}),
                         ("deliver", {"deliveredOn": "2026-09-22"})):
        assert step(tuoketuo, sample.id, action, data).status_code == 302
    zhang.pull()
    chen.pull()
    result = zhang.value("lab_result", sample.id)
    assert (result["sampleID"], result["inspectionID"], result["status"]) == (sample.id, sample.inspection_id,
                                                                                "objection_window")
    report = result["reports"][0]
    assert (report["conclusion"], report["retestDue"], report["labName"]) == ("fail", "2026-10-08", "内蒙古农产品质量检测中心")
    assert {"item": "氧化钾(K₂O)", "measured": "13.4", "verdict": "fails", "declaredValue": "15"}.items() <= \
        report["items"][2].items()
    assert not chen.has("lab_result", sample.id)


def test_two_samples_at_the_lab_pause_the_case_clock_once_and_a_running_test_until_today(app, set_clock):
    first = sealed_sample()
    second = Sample(id=str(uuid.uuid4()), inspection_id=first.inspection_id, name="过磷酸钙", quantity="2 kg",
                    base_quantity="50 袋", seal_numbers=["F-003"])
    db.session.add(second)
    db.session.commit()
    tuoketuo = officer(app)
    set_clock(date(2026, 9, 10))
    step(tuoketuo, first.id, "ship", {"labName": "检测中心", "shippedOn": "2026-09-01"})
    step(tuoketuo, second.id, "ship", {"labName": "检测中心", "shippedOn": "2026-09-03"})
    step(tuoketuo, first.id, "result", {**K2O_SHORT, "arrivedOn": "2026-09-08"})
    db.session.rollback()
    assert lab_pauses(first.inspection_id) == [(date(2026, 9, 1), date(2026, 9, 10))]  # the second is still out


def test_lab_time_moves_a_case_clock_and_a_reports_deadline_by_exactly_its_working_days(app, set_clock):
    """SMP-R7 / §1.5: the days a sample is at the lab are not counted. A report received 09-18 and a
    suspected violation found that day both run 15 working days to 10-15 (CAL-5, as §4.4 counts
    them); the inspection made on the report's task sends its sample on 09-21 and the report
    arrives 09-28: 09-21 … 09-27 hold four working days (中秋 09-25 and the weekend are not), so
    both due dates move four working days, to 10-21, and each page names the 检验检测期间."""
    from inspector.models import Inspection
    from inspector.services.calendar.deadlines import is_working_day
    from inspector.services.tasks import create_task

    from .test_complaint_deadlines import register

    filing = register("report", "2026-09-18")
    set_clock(date(2026, 9, 18))
    sample = sealed_sample()
    case = db.session.get(Inspection, sample.inspection_id)
    case.created_at = datetime(2026, 9, 18, 1, tzinfo=timezone.utc)
    task = create_task(source_kind="report", source_id=filing.id, agency=case.agency, party=case.party,
                       title="核查举报", what_to_check=None, due=None, urgent=False,
                       assignees=[factories.user("tuoketuo.zhang"), factories.user("tuoketuo.liu")],
                       created_by=factories.user("tuoketuo.officer"))
    case.task_id = task.id
    db.session.commit()
    tuoketuo = officer(app)
    page = f"/console/cases/{case.id}/followup"
    token = CSRF.search(tuoketuo.get(page).get_data(as_text=True)).group(1)
    r = tuoketuo.post(f"/console/cases/{case.id}/clocks", data={
        "csrf_token": token, "rule": "CASE-1", "start_date": "2026-09-18", "title": "涉嫌销售不合格复合肥"})
    assert r.status_code == 302, r.get_data(as_text=True)
    clock_page = r.headers["Location"]
    assert "2026-10-15" in tuoketuo.get(clock_page).get_data(as_text=True)
    filing_page = f"/console/filings/{filing.id}"
    assert "2026-10-15" in tuoketuo.get(filing_page).get_data(as_text=True)

    set_clock(date(2026, 9, 28))
    assert step(tuoketuo, sample.id, "ship", {"labName": "内蒙古农产品质量检测中心", "shippedOn": "2026-09-21"}
                ).status_code == 302
    assert step(tuoketuo, sample.id, "receive", {"receivedOn": "2026-09-22"}).status_code == 302
    assert step(tuoketuo, sample.id, "result", {**K2O_SHORT, "arrivedOn": "2026-09-28"}).status_code == 302
    lab_days = [date(2026, 9, 21) + timedelta(days=i) for i in range(7)]
    assert sum(is_working_day(d) for d in lab_days) == 4

    html = tuoketuo.get(clock_page).get_data(as_text=True)
    assert "2026-10-21" in html and "2026-10-15" not in html
    assert re.search(r'data-pause="lab">检验检测期间 2026-09-21 – 2026-09-27', html), html
    html = tuoketuo.get(filing_page).get_data(as_text=True)
    assert re.search(r'data-deadline="[^"]+"[^>]*>.*?2026-10-21', html, re.S) and "2026-10-15" not in html
    assert "检验检测期间（不计入） 2026-09-21 – 2026-09-27" in html
    db.session.rollback()
    assert db.session.get(type(filing), filing.id).due_on == date(2026, 10, 21)  # the 待办 lists' column
