"""Which campaign (专项行动) a case belongs to: the one running for its agency on its inspection day.

The region runs the year-long 质检利剑 campaign and a later summer one; 呼和浩特 runs a November
drive; 托克托县 runs its own at the end of November. A case recorded on a phone is counted in the
campaign that covers it, like one made anywhere else."""
from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from inspector.database import db
from inspector.models import Campaign

from .. import factories
from ..console_support import reviewer_session
from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id


def _campaigns() -> dict[str, int]:
    rows = {
        "region": Campaign(code="ZJLJ-2026", name="2026年“质检利剑”农资打假专项行动", agency_id=factories.agency("150000").id,
                           starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31)),
        "summer": Campaign(code="XJ-2026", name="2026年夏季农资专项检查", agency_id=factories.agency("150000").id,
                           starts_on=date(2026, 6, 1), ends_on=date(2026, 12, 31)),
        "league": Campaign(code="HH-11", name="呼和浩特市11月农资检查", agency_id=factories.agency("150100").id,
                           starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)),
        "county": Campaign(code="TKT-11", name="托克托县冬储化肥检查", agency_id=factories.agency("150122").id,
                           starts_on=date(2026, 11, 25), ends_on=date(2026, 12, 5)),
        "baotou": Campaign(code="BT-11", name="包头市11月农资检查", agency_id=factories.agency("150200").id,
                           starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    return {name: row.id for name, row in rows.items()}


def _created_on(phone: Phone, shop, started_at: str, user) -> str:
    case_id = new_id()
    colleague = "tuoketuo.liu" if phone.api.login["user"]["username"].startswith("tuoketuo") else "xincheng.wu"
    result = phone.send("inspection.create.v1", **inspection_args(
        shop.id, [phone.user_id, user(colleague).id], inspection_id=case_id, startedAt=started_at))
    assert result["status"] == "applied", result
    return case_id


def test_a_phone_case_joins_the_most_specific_campaign_of_its_day(client, app, login_as, user):
    ids = _campaigns()
    shops = {"150122": factories.party("150122", "托克托县丰收农资经营部"),
             "150102": factories.party("150102", "呼和浩特市新城区田园农膜商行")}
    zhang, zhou = Phone(login_as("tuoketuo.zhang")), Phone(login_as("xincheng.zhou"))
    cases = {
        # 托克托县 on 30 November: the county's, the league's and both region's run; the county's wins.
        "county": _created_on(zhang, shops["150122"], "2026-11-30T09:14:03+08:00", user),
        # On 10 November the county's has not begun: the league's.
        "league": _created_on(zhang, shops["150122"], "2026-11-10T09:00:00+08:00", user),
        # In July only the region's two: the one that started later.
        "summer": _created_on(zhang, shops["150122"], "2026-07-01T10:00:00+08:00", user),
        # In April only the year-long one.
        "region": _created_on(zhang, shops["150122"], "2026-04-02T10:00:00+08:00", user),
        # 新城区 at half past midnight on 1 December, China time (still 30 November in UTC): the
        # league's ended with November, so the region's summer campaign.
        "midnight": _created_on(zhou, shops["150102"], "2026-12-01T00:30:00+08:00", user),
        # Before any campaign: none.
        "none": _created_on(zhang, shops["150122"], "2026-01-15T10:00:00+08:00", user),
    }
    zhang.pull()
    zhou.pull()
    seen = {name: (zhang if name != "midnight" else zhou).value("inspection", case_id)["campaignID"]
            for name, case_id in cases.items()}
    assert seen == {"county": ids["county"], "league": ids["league"], "summer": ids["summer"],
                    "region": ids["region"], "midnight": ids["summer"], "none": None}


def test_correcting_the_start_moves_the_case_but_an_explicit_campaign_stays(client, app, login_as, user):
    ids = _campaigns()
    shop = factories.party("150122", "托克托县丰收农资经营部")
    zhang = Phone(login_as("tuoketuo.zhang"))
    moved = _created_on(zhang, shop, "2026-11-10T09:00:00+08:00", user)
    chosen = new_id()
    assert zhang.send("inspection.create.v1", **inspection_args(
        shop.id, [zhang.user_id, user("tuoketuo.liu").id], inspection_id=chosen, campaignID=ids["region"],
        startedAt="2026-11-10T09:00:00+08:00"))["status"] == "applied"
    zhang.pull()
    for case_id in (moved, chosen):
        result = zhang.send("inspection.update.v1", id=case_id, baseVersion=zhang.versions[("inspection", case_id)],
                            fields={"startedAt": "2026-11-28T09:00:00+08:00"})
        assert result["status"] == "applied", result
    zhang.pull()
    assert zhang.value("inspection", moved)["campaignID"] == ids["county"]
    assert zhang.value("inspection", chosen)["campaignID"] == ids["region"]


def test_campaign_statistics_and_report_count_the_phone_case(client, app, login_as, user):
    """The reviewer's 专项行动统计 and the 汇总报告 PDF for the county's campaign include the case the
    phone recorded and submitted."""
    ids = _campaigns()
    shop = factories.party("150122", "托克托县丰收农资经营部")
    zhang = Phone(login_as("tuoketuo.zhang"))
    case_id = _created_on(zhang, shop, "2026-11-30T09:14:03+08:00", user)
    assert {r["status"] for r in zhang.push(*fill_and_sign(zhang, case_id))["results"]} == {"applied"}
    assert zhang.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    reviewer = app.test_client()
    reviewer_session(reviewer)
    html = reviewer.get(f"/console/dashboard?campaign={ids['county']}").get_data(as_text=True)
    totals = dict(re.findall(r'data-total="(\w+)"><span class="number">(\d+)</span>', html))
    assert totals["inspections"] == "1" and totals["parties_inspected"] == "1"
    report = reviewer.get(f"/console/dashboard/report.pdf?campaign={ids['county']}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.data)).pages)
    assert "托克托县冬储化肥检查" in text and "托克托县" in text


def test_a_start_time_settled_in_a_conflict_moves_the_case_too(client, app, login_as, user):
    """张 and 刘 both correct the start of one draft offline; the reviewer takes 刘's value, which
    falls in the county's campaign: the case moves there as if 刘's edit had applied."""
    ids = _campaigns()
    shop = factories.party("150122", "托克托县丰收农资经营部")
    zhang, liu = Phone(login_as("tuoketuo.zhang")), Phone(login_as("tuoketuo.liu"))
    case_id = _created_on(zhang, shop, "2026-11-10T09:00:00+08:00", user)
    zhang.pull()
    liu.pull()
    base = liu.versions[("inspection", case_id)]
    assert zhang.send("inspection.update.v1", id=case_id, baseVersion=base,
                      fields={"startedAt": "2026-11-12T09:00:00+08:00"})["status"] == "applied"
    result = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                      fields={"startedAt": "2026-11-28T09:00:00+08:00"})
    assert result["status"] == "applied_with_conflict"
    zhang.pull()
    assert zhang.value("inspection", case_id)["campaignID"] == ids["league"]
    [conflict] = result["conflicts"]
    answer = login_as("hhht.reviewer").post(f"/api/v1/conflicts/{conflict['id']}/resolve", json={"choice": "client"})
    assert answer.status_code == 200, answer.get_json()
    zhang.pull()
    assert zhang.value("inspection", case_id)["campaignID"] == ids["county"]
