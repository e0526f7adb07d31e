"""The campaign dashboard and its summary report."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone

from pypdf import PdfReader

from inspector.database import db
from inspector.models import Campaign, Sample

from .. import factories
from ..console_support import reviewer_session, submitted_case

DAY = datetime(2026, 6, 10, 2, 0, tzinfo=timezone.utc)


def _campaign(code="ZJLJ-T", name="2026年“质检利剑”农资打假专项行动") -> Campaign:
    campaign = Campaign(code=code, name=name, agency_id=factories.agency("150000").id,
                        starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _data(campaign):
    common = {"campaign_id": campaign.id, "started_at_device": DAY}
    a = submitted_case(findings={"G01": "fail", "G02": "fail"}, **common)
    a.samples.append(Sample(id=str(uuid.uuid4()), name="复合肥料", quantity="2 kg", base_quantity="10 袋", seal_numbers=[]))
    again = factories.inspection(a.party, ("tuoketuo.zhang", "tuoketuo.liu"), status="submitted", key="seed",
                                 findings={"G01": "pass"})  # the same party, another checklist
    again.submitted_at, again.campaign_id, again.started_at_device = DAY, campaign.id, DAY
    submitted_case("150102", ("xincheng.zhou", "xincheng.wu"), key="film", findings={"G03": "fail"}, **common)
    submitted_case("150202", ("donghe.chen", "donghe.sun"), findings={"G01": "fail"}, **common)  # 包头
    submitted_case(findings={"G01": "fail"}, started_at_device=DAY)  # no campaign
    db.session.commit()


def _totals(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-total="(\w+)"><span class="number">(\d+)</span>', html)}


def test_dashboard_counts_the_leagues_campaign(client):
    campaign = _campaign()
    _data(campaign)
    reviewer_session(client)
    html = client.get(f"/console/dashboard?campaign={campaign.id}").get_data(as_text=True)
    assert _totals(html) == {"inspections": 3, "parties_inspected": 2, "failed_items": 3,
                             "failed_inspections": 2, "samples": 1}
    assert "<svg" in html and "托克托县" in html and "新城区" in html
    assert "东河区" not in html  # 包头 is outside the league, in numbers and in labels
    assert re.search(r'data-group="fertilizer"><td>化肥</td><td>1</td><td>1</td><td>2</td><td>1</td>', html)


def test_dashboard_date_range_and_hq_sees_every_league(client):
    campaign = _campaign()
    _data(campaign)
    reviewer_session(client, "hq.reviewer")
    html = client.get(f"/console/dashboard?campaign={campaign.id}").get_data(as_text=True)
    assert _totals(html)["inspections"] == 4
    assert 'data-group="150100"' in html and 'data-group="150200"' in html
    empty = client.get(f"/console/dashboard?campaign={campaign.id}&from=2026-07-01").get_data(as_text=True)
    assert _totals(empty)["inspections"] == 0
    everything = client.get("/console/dashboard?campaign=").get_data(as_text=True)
    assert _totals(everything)["inspections"] == 5


def test_summary_report_pdf(client):
    campaign = _campaign()
    _data(campaign)
    reviewer_session(client)
    r = client.get(f"/console/dashboard/report.pdf?campaign={campaign.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(r.data)).pages)
    assert "质检利剑" in text and "工作情况汇总" in text and "呼和浩特市市场监督管理局" in text
    assert "托克托县" in text and "东河区" not in text
