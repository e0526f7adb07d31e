"""The figures whose records came later (lab results, rectification orders, case clocks, open days)
replace their "—" in a county's report and its PDF; figures with no record still print "—"."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import (CaseClock, Inspection, LabReport, OpenDay, OpenDayBooking, OpenDaySample, OpenDaySlot,
                              RectificationOrder, Sample, SampleLab)

from .. import factories
from .test_reports_upward import _figures, _pdf_text, _post, _produce, _session, records  # noqa: F401


@pytest.fixture
def followed(app, records):  # noqa: F811
    """托克托县's failed sample, an issued order, a 立案 and a fined decision, an open day with a
    tested sample; and the same in 新城区, which 托克托县's report must not count."""
    officer = factories.user("tuoketuo.officer")
    samples = db.session.execute(select(Sample, Inspection).join(Inspection, Inspection.id == Sample.inspection_id)
                                 .where(Inspection.campaign_id == records.id)).all()
    for n, (sample, case) in enumerate(samples):
        db.session.add(SampleLab(id=sample.id, inspection_id=case.id, status="reported"))
        db.session.flush()
        db.session.add(LabReport(id=str(uuid.uuid4()), sample_id=sample.id, report_no=f"JY-{n}", lab_name="自治区质检院",
                                 arrived_on=date(2026, 3, 18), conclusion="fail" if sample.name == "复合肥料" else "pass",
                                 entered_by_id=officer.id))
    case = db.session.execute(select(Inspection).join(Sample, Sample.inspection_id == Inspection.id)
                              .where(Sample.name == "复合肥料")).scalars().first()
    county = factories.agency("150122")
    other_case = db.session.scalars(select(Inspection).where(Inspection.agency_id == factories.agency("150102").id,
                                                             Inspection.campaign_id == records.id)).first()
    for where, agency in ((case, county), (other_case, factories.agency("150102"))):
        db.session.add(RectificationOrder(id=str(uuid.uuid4()), inspection_id=where.id, agency_id=agency.id,
                                          party_id=where.party_id, facts="养分不足", basis="产品质量法", requirements="停止销售",
                                          status="issued", issued_on=date(2026, 3, 10), created_by_id=officer.id))
        clock_fields = dict(agency_id=agency.id, inspection_id=where.id, title="销售不合格复合肥料",
                            start_date=date(2026, 3, 11), owner_id=officer.id, created_by_id=officer.id,
                            status="decided", decided_on=date(2026, 3, 16))
        db.session.add(CaseClock(id=str(uuid.uuid4()), rule_id="CASE-1", unit="WD", n=15, due_date=date(2026, 4, 1),
                                 outcome="filed", case_no="托市监立〔2026〕1号", **clock_fields))
        db.session.add(CaseClock(id=str(uuid.uuid4()), rule_id="CASE-8", unit="ND", n=90, due_date=date(2026, 6, 9),
                                 outcome="penalty", fine_yuan=Decimal("5000.00"), goods_value_yuan=Decimal("2360.50"),
                                 confiscation=True, **clock_fields))
    # An order awaiting approval is not counted.
    db.session.add(RectificationOrder(id=str(uuid.uuid4()), inspection_id=case.id, agency_id=county.id,
                                      party_id=case.party_id, facts="标签不全", basis="—", requirements="补全",
                                      status="pending", created_by_id=officer.id))
    day = OpenDay(id=str(uuid.uuid4()), agency_id=county.id, campaign_id=records.id, lab="托克托县检验检测中心",
                  place="县市场监管局一楼", first_day=date(2026, 3, 15), last_day=date(2026, 3, 15),
                  published_at=datetime(2026, 3, 1, tzinfo=timezone.utc), created_by_id=officer.id)
    day.slots.append(OpenDaySlot(day=date(2026, 3, 15), band="09:00-11:30", capacity=10))
    db.session.add(day)
    db.session.flush()
    booking = OpenDayBooking(id=str(uuid.uuid4()), number="AB12CD34", open_day_id=day.id, slot_id=day.slots[0].id,
                             status="result_ready", name="王农户", phone="13800000001", product="复合肥料",
                             bought_from="丰收农资店", browser="x" * 64, address="127.0.0.1", booked_on=date(2026, 3, 10))
    moment = datetime(2026, 3, 15, 2, tzinfo=timezone.utc)
    booking.samples.append(OpenDaySample(label="AB12CD34-1", product="复合肥料", bought_from="丰收农资店", received_at=moment,
                                         received_by_id=officer.id, result_due=date(2026, 3, 20), result_at=moment,
                                         test_item="总养分", declared_value="≥45%", measured_value="32%", verdict="suspect"))
    booking.samples.append(OpenDaySample(label="AB12CD34-2", product="尿素", bought_from="丰收农资店", received_at=moment,
                                         received_by_id=officer.id, result_due=date(2026, 3, 20)))  # no result yet
    db.session.add(booking)
    db.session.commit()
    return records


EXPECTED = {"samples": "3", "samples_tested": "3", "samples_failed": "1", "rectification_orders": "1",
            "cases_opened": "1", "cases_closed": "1", "fines": "5000", "goods_value": "2360.5", "police_transfers": "0",
            "open_days": "1", "free_tests": "1", "dens_destroyed": "—", "farmer_losses_recovered": "—"}


def test_a_county_report_counts_lab_results_orders_cases_and_open_days(app, followed):
    county = _session(app, "tuoketuo.officer")
    report_id = _produce(county, followed).headers["Location"].rsplit("/", 1)[1]
    html = county.get(f"/console/reports/{report_id}").get_data(as_text=True)
    figures = _figures(html)
    assert {k: figures.get(k) for k in EXPECTED} == EXPECTED
    assert re.search(r'data-figure="farmer_losses_recovered".*?数据来源尚未建立', html, re.S)

    assert _post(county, report_id, action="submit").status_code == 302
    text = _pdf_text(county.get(f"/console/reports/{report_id}/report.pdf").data)
    for label, value in (("检验完成批次", "3"), ("不合格批次", "1"), ("责令改正份数", "1"), ("立案数", "1"),
                         ("结案数", "1"), ("罚没款", "5000"), ("查获假劣农资货值", "2360.5"), ("移送公安", "0"),
                         ("实验室开放日场次", "1"), ("免费检验批次", "1")):
        assert re.search(rf"{label}\s+{re.escape(value)}(?!\d)", text), (label, value)
    assert re.search(r"捣毁制假售假窝点\s+—\s+数据来源尚未建立", text)


def test_the_league_counts_both_counties_and_a_later_period_none(app, followed):
    league = _session(app, "hhht.reviewer")
    dash = league.get(f"/console/dashboard?campaign={followed.id}&from=2026-03-01&to=2026-03-20").get_data(as_text=True)
    assert re.search(r'<tr data-figure="cases_opened"><td>立案数</td><td>2</td>', dash)
    assert re.search(r'<tr data-figure="rectification_orders"><td>责令改正份数</td><td>2</td>', dash)
    later = league.get(f"/console/dashboard?campaign={followed.id}&from=2026-03-21&to=2026-03-31").get_data(as_text=True)
    assert re.search(r'<tr data-figure="cases_opened"><td>立案数</td><td>0</td>', later)
