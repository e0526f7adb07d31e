"""Reporting upward (上报): figures computed from the records, "—" where no source exists, typed
figures, a frozen snapshot with its hash and PDF, roll-up by the league, scope, late reports on the
待办 lists, and bad input refused with nothing changed."""
from __future__ import annotations

import io
import re
import subprocess
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db
from inspector.models import Campaign, Filing, Sample, UpwardReport, User
from inspector.services.complaints import register_filing, transition
from inspector.services.tasks import create_task

from .. import factories
from ..console_support import CSRF, reviewer_session


def _at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")  # 10:00 Beijing


def _sample(case, name="复合肥料"):
    case.samples.append(Sample(id=str(uuid.uuid4()), name=name, quantity="2 kg", base_quantity="10 袋", seal_numbers=[]))


@pytest.fixture
def records(app):
    """A region campaign and the 托克托县 records of 2026-03-01…03-20 it counts (and some it must not)."""
    campaign = Campaign(code="ZJLJ-R", name="2026年“质检利剑”农资打假专项行动", agency_id=factories.agency("150000").id,
                        starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31))
    db.session.add(campaign)
    db.session.commit()
    p1, p2 = factories.party("150122", "托克托县丰收农资店"), factories.party("150122", "托克托县绿野种业")

    def case(party, people, day, key="fertilizer", status="approved", findings=None, agency=None):
        row = factories.inspection(party, people, status=status, key=key, findings=findings or {"G01": "pass"})
        row.campaign_id, row.started_at_device = campaign.id, _at(day)
        if status != "draft":
            row.submitted_at = _at(day, 5)
        if agency:
            row.agency_id = factories.agency(agency).id
        db.session.commit()
        return row

    a = case(p1, ("tuoketuo.zhang", "tuoketuo.liu"), "2026-03-10", findings={"G01": "fail"})
    a.narrative = "现场发现标称复合肥料养分含量不足，已责令停止销售。"
    _sample(a)
    case(p1, ("tuoketuo.zhang", "tuoketuo.liu"), "2026-03-10", key="seed")  # the same visit, a second checklist
    c = case(p2, ("tuoketuo.zhang", "tuoketuo.liu", "xincheng.zhou"), "2026-03-12", status="submitted")
    _sample(c, "玉米种子")
    _sample(c, "尿素")
    case(p2, ("tuoketuo.zhang", "tuoketuo.liu"), "2026-04-10")  # after the period
    case(p2, ("tuoketuo.zhang", "tuoketuo.liu"), "2026-03-11", status="draft")  # never submitted
    case(factories.party("150102"), ("xincheng.zhou", "xincheng.wu"), "2026-03-11")  # another county
    db.session.commit()

    registrar, officer = factories.user("tuoketuo.registrar"), factories.user("tuoketuo.officer")
    clock.set_now(_at("2026-03-11"))
    register_filing(registrar, {"kind": "complaint", "channel": "12315_phone", "received_at": _at("2026-03-11"),
                                "respondent_name": "丰收农资", "product_category": "fertilizer", "facts": "化肥结块",
                                "person_name": "王农户", "person_phone": "13800000001"})
    clock.set_now(_at("2026-03-12"))
    report = register_filing(registrar, {"kind": "report", "channel": "12315_platform", "received_at": _at("2026-03-12"),
                                         "respondent_name": "某农药店", "product_category": "pesticide",
                                         "facts": "销售假农药", "anonymous": True})
    clock.set_now(_at("2026-03-13"))
    transition(db.session.get(Filing, report.id), "redirect", officer, "属农业部门管辖", told_to="农牧局")
    clock.set_now(_at("2026-03-14"))
    transition(db.session.get(Filing, report.id), "close", officer, "已告知举报人向农牧局反映")
    task = create_task(source_kind="exposure", source_id=None, agency=factories.agency("150122"), party=p1,
                       title="3·15晚会曝光 问题化肥", what_to_check="核查进货台账", due=None, urgent=True,
                       assignees=[factories.user("tuoketuo.zhang"), factories.user("tuoketuo.liu")],
                       created_by=factories.user("hhht.officer"))
    task.created_at, task.status = _at("2026-03-15"), "done"
    db.session.commit()
    clock.set_now(_at("2026-03-19"))
    yield campaign
    clock.set_now(None)


def _xincheng_officer() -> None:
    """An officer of 新城区 (the demo has none), with the demo password."""
    db.session.commit()  # end the test's read transaction: requests wrote since
    db.session.add(User(username="xincheng.officer", display_name="新城科员", role="officer",
                        agency_id=factories.agency("150102").id,
                        password_hash=factories.user("tuoketuo.officer").password_hash))
    db.session.commit()


def _session(app, username):
    return reviewer_session(app.test_client(), username)


def _token(html):
    return CSRF.search(html).group(1)


def _produce(client, campaign, kind="summary", start="2026-03-01", end="2026-03-20"):
    page = client.get(f"/console/reports?campaign={campaign.id}").get_data(as_text=True)
    return client.post("/console/reports", data={"csrf_token": _token(page), "campaign": campaign.id, "kind": kind,
                                                 "period_from": start, "period_to": end})


def _figures(html):
    """{figure: value shown} of the figures table (typed ones in a draft are inputs, left out)."""
    found = {}
    for key, row in re.findall(r'<tr data-figure="(\w+)"[^>]*>(.*?)</tr>', html, re.S):
        value = re.search(r'<span class="number" data-value>([^<]*)</span>', row)
        if value:
            found[key] = value.group(1)
    return found


def _post(client, report_id, **fields):
    html = client.get(f"/console/reports/{report_id}").get_data(as_text=True)
    data = {"csrf_token": _token(html), "narrative": "本期开展农资打假专项检查。", **fields}
    return client.post(f"/console/reports/{report_id}", data=data)


def _fresh(report_id: str) -> UpwardReport:
    """The report as the requests left it (ending the test's own read transaction first)."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(UpwardReport, report_id)


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


EXPECTED = {"inspections": "3", "parties": "2", "party_visits": "2", "officer_turnout": "7", "samples": "3",
            "filings_received": "2", "complaints_received": "1", "complaints_closed": "0", "reports_received": "1",
            "reports_closed": "1", "inquiries_received": "0", "exposures": "1", "exposures_handled": "1",
            "samples_failed": "0", "samples_tested": "0", "cases_opened": "0", "goods_value": "0", "fines": "0",
            "dens_destroyed": "—", "police_transfers": "0", "farmer_losses_recovered": "—", "open_days": "0"}


def test_a_county_report_computes_each_figure_from_the_records_and_freezes_on_submission(app, records):
    county = _session(app, "tuoketuo.officer")
    r = _produce(county, records)
    assert r.status_code == 302
    report_id = r.headers["Location"].rsplit("/", 1)[1]
    html = county.get(f"/console/reports/{report_id}").get_data(as_text=True)
    figures = _figures(html)
    assert {k: figures[k] for k in EXPECTED} == EXPECTED
    assert re.search(r'data-figure="dens_destroyed".*?数据来源尚未建立', html, re.S)

    # A negative typed figure: 400, nothing saved, what was typed is shown again.
    bad = _post(county, report_id, **{"entered:materials": "-5", "entered:vehicles": "12"})
    assert bad.status_code == 400 and 'value="-5"' in bad.get_data(as_text=True)
    assert _fresh(report_id).entered == {}

    chosen = report_id
    approved = re.findall(r'name="typical_cases" value="([^"]+)"', html)
    assert len(approved) == 2  # the approved inspections of the period, not the submitted one
    ok = _post(county, chosen, action="submit", typical_cases=approved,
               **{"entered:materials": "1200", "entered:vehicles": "12"})
    assert ok.status_code == 302
    frozen = _fresh(report_id)
    assert frozen.status == "submitted" and len(frozen.snapshot_sha256) == 64
    page = county.get(f"/console/reports/{report_id}").get_data(as_text=True)
    assert _figures(page)["materials"] == "1200" and "填报" in page
    before = (frozen.snapshot_sha256, page.count("data-figure"))

    # The records change; the submitted report does not (UP-A3).
    db.session.commit()
    later = factories.inspection(factories.party("150122"), ("tuoketuo.zhang", "tuoketuo.liu"), status="approved")
    later.campaign_id, later.started_at_device, later.submitted_at = records.id, _at("2026-03-16"), _at("2026-03-16", 5)
    db.session.commit()
    again = county.get(f"/console/reports/{report_id}").get_data(as_text=True)
    assert _figures(again)["officer_turnout"] == "7"
    assert _fresh(report_id).snapshot_sha256 == before[0]

    # Submitting twice: 409 and nothing changed.
    twice = county.post(f"/console/reports/{report_id}", data={"csrf_token": _token(again), "action": "submit",
                                                               "narrative": "改写"})
    assert twice.status_code == 409
    assert _fresh(report_id).narrative == "本期开展农资打假专项检查。"

    # The PDF prints the figures of the snapshot.
    pdf = county.get(f"/console/reports/{report_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = _pdf_text(pdf.data)
    assert "工作总结" in text and "托克托县市场监督管理局" in text and frozen.snapshot_sha256 in text
    for key, label in (("officer_turnout", "出动执法人员人次"), ("inspections", "检查记录份数"),
                       ("party_visits", "检查经营主体户次"), ("samples", "抽检批次"), ("reports_closed", "办结举报"),
                       ("materials", "发放宣传资料份数")):
        expected = EXPECTED.get(key, "1200")
        assert re.search(rf"{label}\s+{re.escape(expected)}\b", text), (label, expected)
    assert re.search(r"捣毁制假售假窝点\s+—\s+数据来源尚未建立", text)
    assert "现场发现标称复合肥料养分含量不足" in text  # the typical case

    # Anyone holding the paper checks the hash.
    verify = app.test_client().get(f"/verify/report/{frozen.verify_token}").get_data(as_text=True)
    assert 'data-verdict="ok"' in verify and frozen.snapshot_sha256 in verify
    # A snapshot altered in the database no longer matches the hash printed on the paper.
    db.session.commit()
    altered = db.session.get(UpwardReport, report_id)
    altered.snapshot = {**altered.snapshot, "narrative": "改过的内容"}
    db.session.commit()
    tampered = app.test_client().get(f"/verify/report/{frozen.verify_token}").get_data(as_text=True)
    assert 'data-verdict="bad"' in tampered
    assert app.test_client().get("/verify/report/no-such-token").status_code == 404


def test_bad_periods_and_other_bureaus_are_refused(app, records):
    county = _session(app, "tuoketuo.officer")
    r = _produce(county, records, start="2026-03-20", end="2026-03-01")
    assert r.status_code == 400
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(UpwardReport)) == 0
    report_id = _produce(county, records).headers["Location"].rsplit("/", 1)[1]
    other_league = _session(app, "baotou.reviewer")
    assert other_league.get(f"/console/reports/{report_id}").status_code == 404
    _xincheng_officer()
    neighbour = _session(app, "xincheng.officer")
    assert neighbour.get(f"/console/reports/{report_id}").status_code == 404
    league = _session(app, "hhht.reviewer")
    assert league.get(f"/console/reports/{report_id}").status_code == 200
    # The league edits nothing of a county's report.
    page = league.get(f"/console/reports/{report_id}").get_data(as_text=True)
    refused = league.post(f"/console/reports/{report_id}", data={"csrf_token": _token(page), "narrative": "x"})
    assert refused.status_code == 403 and _fresh(report_id).narrative == ""


def test_the_league_rolls_up_its_counties_and_late_reports_show_on_both_lists(app, records):
    # The league sets its counties' summary date (earlier than its own 3月25日).
    league = _session(app, "hhht.officer")
    page = league.get(f"/console/reports?campaign={records.id}").get_data(as_text=True)
    assert "截止日为休息日（周六）" in page  # the plan's 3月7日, 2026 (UP-A1), shown, not moved
    bad = league.post("/console/reports/dates", data={"csrf_token": _token(page), "campaign": records.id,
                                                      "due:summary": "2026-03-20", "from:summary": "2026-03-20",
                                                      "to:summary": "2026-03-01"})
    assert bad.status_code == 400
    ok = league.post("/console/reports/dates", data={"csrf_token": _token(page), "campaign": records.id,
                                                     "due:summary": "2026-03-20", "from:summary": "2026-03-01",
                                                     "to:summary": "2026-03-20"})
    assert ok.status_code == 302

    county = _session(app, "tuoketuo.officer")
    owed = county.get(f"/console/reports?campaign={records.id}").get_data(as_text=True)
    assert re.search(r'data-obligation="summary">.*?2026-03-20', owed, re.S)
    report_id = _produce(county, records).headers["Location"].rsplit("/", 1)[1]
    assert _post(county, report_id, action="submit", **{"entered:materials": "1200"}).status_code == 302

    clock.set_now(_at("2026-03-21"))
    # A league's own record (an inspection made by the league itself) adds to its counties' figures.
    db.session.commit()
    own = factories.inspection(factories.party("150122"), ("tuoketuo.zhang", "tuoketuo.liu"), status="approved")
    own.agency_id, own.campaign_id = factories.agency("150100").id, records.id
    own.started_at_device, own.submitted_at = _at("2026-03-18"), _at("2026-03-18", 5)
    db.session.commit()
    r = _produce(league, records, start="2026-03-01", end="2026-03-25")
    league_report = r.headers["Location"].rsplit("/", 1)[1]
    html = league.get(f"/console/reports/{league_report}").get_data(as_text=True)
    figures = _figures(html)
    assert figures["officer_turnout"] == "9" and figures["inspections"] == "4" and figures["samples"] == "3"
    assert figures["materials"] == "1200" and figures["dens_destroyed"] == "—"
    included = re.search(r"data-included>([^<]*)<", html).group(1)
    missing = re.search(r"data-missing>([^<]*)<", html).group(1)
    assert included == "托克托县" and "新城区" in missing and "托克托县" not in missing

    # Late: 新城区's summary (due 3/20) on the league's 待办 and on the county's own.
    todo = league.get("/console/todo?scope=bureau").get_data(as_text=True)
    overdue = re.search(r'data-bucket="overdue">(.*?)</table>', todo, re.S).group(1)
    assert "新城区 工作总结" in overdue and "托克托县 工作总结" not in overdue
    _xincheng_officer()
    own_list = _session(app, "xincheng.officer").get("/console/todo?scope=bureau").get_data(as_text=True)
    assert "新城区 工作总结" in re.search(r'data-bucket="overdue">(.*?)</table>', own_list, re.S).group(1)

    assert _post(league, league_report, action="submit").status_code == 302
    snapshot = _fresh(league_report).snapshot
    assert "新城区" in snapshot["missing"] and [c["name"] for c in snapshot["counties"]] == ["托克托县"]
    text = _pdf_text(league.get(f"/console/reports/{league_report}/report.pdf").data)
    assert re.search(r"出动执法人员人次\s+9\b", text) and "未上报" in text and "新城区" in text

    # The region sees both reports and the late county.
    region = _session(app, "hq.reviewer").get(f"/console/reports?campaign={records.id}").get_data(as_text=True)
    assert re.search(r'data-below-row="150122:summary" data-state="submitted"', region)
    assert re.search(r'data-below-row="150100:summary" data-state="submitted"', region)
    assert re.search(r'data-below-row="150102:summary" data-state="late"', region)


def test_dashboard_and_reports_share_one_computation(app, records):
    """The dashboard's totals are the registry's figures for the same filters."""
    dash = _session(app, "hhht.reviewer").get(f"/console/dashboard?campaign={records.id}&from=2026-03-01&to=2026-03-20")
    totals = {k: int(v) for k, v in re.findall(r'data-total="(\w+)"><span class="number">(\d+)</span>',
                                               dash.get_data(as_text=True))}
    assert totals["inspections"] == 4 and totals["samples"] == 3  # 托克托县's three and 新城区's one
    html = dash.get_data(as_text=True)
    assert re.search(r'<tr data-figure="officer_turnout"><td>出动执法人员人次</td><td>9</td>', html)
    assert re.search(r'<tr data-figure="dens_destroyed"><td>捣毁制假售假窝点</td><td>—</td><td[^>]*>数据来源尚未建立', html)


def test_the_summary_pdf_of_the_dashboard_prints_the_same_figures(app, records):
    league = _session(app, "hhht.reviewer")
    pdf = league.get(f"/console/dashboard/report.pdf?campaign={records.id}&from=2026-03-01&to=2026-03-20")
    text = _pdf_text(pdf.data)
    # 托克托县 7 and 新城区 2 (its one inspection, two inspectors)
    assert re.search(r"出动执法人员人次\s+9\b", text)
    assert re.search(r"捣毁制假售假窝点\s+—\s+数据来源尚未建立", text)


def test_an_exposure_makes_the_league_owe_a_special_report_the_same_day(app, records):
    league = _session(app, "hhht.officer")
    page = league.get(f"/console/reports?campaign={records.id}").get_data(as_text=True)
    row = re.search(r'<tr data-obligation="special">(.*?)</tr>', page, re.S).group(1)
    assert "托克托县丰收农资店" in row and "2026-03-15" in row and 'data-state="late"' in row
    r = _produce(league, records, kind="special", start="2026-03-15", end="2026-03-15")
    report_id = r.headers["Location"].rsplit("/", 1)[1]
    html = league.get(f"/console/reports/{report_id}").get_data(as_text=True)
    assert "托克托县丰收农资店" in html  # what was exposed, filled in
    assert _figures(html)["exposures"] == "1" and _figures(html)["exposures_handled"] == "1"
    ok = _post(league, report_id, action="submit", **{"section:actions": "当日出动执法人员2名，封存问题化肥20袋",
                                                      "section:results": "已立案调查"})
    assert ok.status_code == 302
    text = _pdf_text(league.get(f"/console/reports/{report_id}/report.pdf").data)
    assert "3·15曝光专报" in text and "封存问题化肥20袋" in text and "内蒙古自治区市场监督管理局" in text


def test_a_plan_is_narrative_only_and_a_refused_period_keeps_what_was_typed(app, records):
    county = _session(app, "tuoketuo.officer")
    refused = _produce(county, records, kind="plan", start="2026-03-07", end="2026-03-01")
    assert refused.status_code == 400 and 'value="2026-03-07"' in refused.get_data(as_text=True)
    report_id = _produce(county, records, kind="plan", start="2026-03-01", end="2026-03-07").headers["Location"] \
        .rsplit("/", 1)[1]
    html = county.get(f"/console/reports/{report_id}").get_data(as_text=True)
    assert "data-figures" not in html and 'name="typical_cases"' not in html
    assert _post(county, report_id, action="submit", narrative="一、目标：检查经营户全覆盖。").status_code == 302
    text = _pdf_text(county.get(f"/console/reports/{report_id}/report.pdf").data)
    assert "工作方案" in text and "检查经营户全覆盖" in text and "主要数据" not in text
    assert _fresh(report_id).snapshot["figures"] == []


def test_a_source_registered_later_replaces_the_dash(app, records, monkeypatch):
    """How the lab results (helper `labs`) plug in: a function under the pending key."""
    from inspector.services.reports import figures as F

    monkeypatch.setitem(F.FIGURES, "samples_failed", F.FIGURES["samples_failed"])
    F.figure("samples_failed", "sampling")(lambda scope: F.samples(scope) - 1)
    county = _session(app, "tuoketuo.officer")
    report_id = _produce(county, records).headers["Location"].rsplit("/", 1)[1]
    html = county.get(f"/console/reports/{report_id}").get_data(as_text=True)
    assert _figures(html)["samples_failed"] == "2"
    assert not re.search(r'data-figure="samples_failed"[^>]*>(?:(?!</tr>).)*数据来源尚未建立', html, re.S)
