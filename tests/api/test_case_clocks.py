"""Case clocks in the console (SQLite and PostgreSQL): an officer records a suspected violation found
at an inspection, the 立案 clock runs on the official calendar, a lab pause and a 负责人's extension
move it, 立案 with its 案号 starts the 90-day clock, the decision is recorded and counted on the
dashboard; bad input (a pause ending before it starts, an extension by an officer, 立案 without a
案号) is refused and changes nothing."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db
from inspector.models import CaseClock, CaseClockPause

from .. import factories
from ..console_support import CSRF, reviewer_session

BEIJING = "+08:00"


@pytest.fixture
def at():
    def _set(moment: str) -> None:
        clock.set_now(datetime.fromisoformat(moment + "T10:00:00" + BEIJING))
    yield _set
    clock.set_now(None)


def _console(app, username: str):
    return reviewer_session(app.test_client(), username)


def _post(client, path: str, page: str, **data):
    token = CSRF.search(client.get(page).get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, **data})


def _case():
    party = factories.party("150122", "托克托县丰收农资经营部")
    case = factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"), status="submitted",
                                findings={"G10": "fail"})
    case.created_at = datetime.fromisoformat("2026-09-17T09:00:00+08:00")
    db.session.commit()
    return case


def _clocks(rule_id: str | None = None) -> list[CaseClock]:
    db.session.rollback()
    query = select(CaseClock)
    if rule_id:
        query = query.where(CaseClock.rule_id == rule_id)
    return list(db.session.scalars(query))


def _open_filing_clock(app, at) -> tuple[object, CaseClock]:
    at("2026-09-18")
    case = _case()
    officer = _console(app, "tuoketuo.officer")
    page = f"/console/cases/{case.id}/followup"
    r = _post(officer, f"/console/cases/{case.id}/clocks", page, rule="CASE-1", start_date="2026-09-18",
              title="涉嫌销售以次充好的复合肥")
    assert r.status_code == 302, r.get_data(as_text=True)
    [row] = _clocks("CASE-1")
    return officer, row


def test_a_suspected_violation_runs_the_filing_clock_through_pause_extension_filing_and_decision(app, at):
    officer, row = _open_filing_clock(app, at)
    assert str(row.due_date) == "2026-10-15"  # 15 WD: Sun 9/20 worked, 中秋 9/25, 国庆, Sat 10/10 worked
    page = f"/console/clocks/{row.id}"
    html = officer.get(page).get_data(as_text=True)
    assert "2026-10-15" in html and "市场监督管理行政处罚程序规定 第十八条" in html and "钱科员（托克托）" in html

    at("2026-09-28")
    r = _post(officer, f"{page}/pause", page, kind="testing", first_day="2026-09-21", last_day="2026-09-25",
              note="送检复合肥养分含量")
    assert r.status_code == 302
    assert str(_clocks("CASE-1")[0].due_date) == "2026-10-21"  # four working days of testing not counted

    head = _console(app, "tuoketuo.head")
    r = _post(head, f"{page}/extend", page, reason="需补充调取进货台账")
    assert r.status_code == 302
    row = _clocks("CASE-1")[0]
    assert row.extension == 15 and str(row.due_date) == "2026-11-11"

    at("2026-10-20")
    r = _post(officer, f"{page}/decide", page, outcome="filed", case_no="呼托市监罚〔2026〕12号", decided_on="2026-10-20")
    assert r.status_code == 302
    [filing] = _clocks("CASE-1")
    [decision] = _clocks("CASE-8")
    assert (filing.status, filing.outcome, filing.case_no) == ("decided", "filed", "呼托市监罚〔2026〕12号")
    # 90 days from 立案 on 10/20: 2027-01-18, a Monday of the unloaded 2027 (provisional)
    assert str(decision.start_date) == "2026-10-20" and str(decision.due_raw) == "2027-01-18"
    assert decision.due_provisional and decision.owner_id == filing.owner_id and decision.parent_id == filing.id

    at("2026-12-01")
    dpage = f"/console/clocks/{decision.id}"
    r = _post(officer, f"{dpage}/decide", dpage, outcome="penalty", fine_yuan="5000", confiscation="1",
              goods_value_yuan="12800.50", decided_on="2026-12-01")
    assert r.status_code == 302
    dashboard = head.get("/console/dashboard").get_data(as_text=True)

    def stat(key: str) -> str:
        return re.search(rf'data-stat="{key}"><td>[^<]*</td><td data-value>([^<]*)</td>', dashboard).group(1)

    assert (stat("suspected"), stat("filed"), stat("not_filed"), stat("penalties")) == ("1", "1", "0", "1")
    assert stat("fines_yuan") == "5000.00" and stat("goods_value_yuan") == "12800.50" and stat("confiscations") == "1"
    listing = head.get("/console/followup").get_data(as_text=True)
    assert f'data-clock="{filing.id}"' in listing and "呼托市监罚〔2026〕12号" in listing and "行政处罚" in listing
    case_page = head.get(f"/console/cases/{filing.inspection_id}").get_data(as_text=True)
    assert f"/console/cases/{filing.inspection_id}/followup" in case_page


@pytest.mark.parametrize("bad", ["pause_backwards", "officer_extends", "filed_without_number", "reviewer_opens"])
def test_bad_clock_steps_are_refused_and_change_nothing(app, at, bad):
    officer, row = _open_filing_clock(app, at)
    page = f"/console/clocks/{row.id}"
    before = (row.due_date, row.extension, row.status)
    if bad == "pause_backwards":
        r = _post(officer, f"{page}/pause", page, kind="testing", first_day="2026-09-25", last_day="2026-09-21")
        assert r.status_code == 400 and "早于开始日期" in r.get_data(as_text=True)
    elif bad == "officer_extends":
        r = _post(officer, f"{page}/extend", page, reason="想多点时间")
        assert r.status_code == 403 and "负责人" in r.get_data(as_text=True)
    elif bad == "filed_without_number":
        r = _post(officer, f"{page}/decide", page, outcome="filed", case_no="")
        assert r.status_code == 400 and "案号" in r.get_data(as_text=True)
    else:
        reviewer = _console(app, "hhht.reviewer")
        case_id = row.inspection_id
        r = _post(reviewer, f"/console/cases/{case_id}/clocks", f"/console/cases/{case_id}/followup", rule="CASE-1",
                  start_date="2026-09-18", title="再登记一次")
        assert r.status_code == 403
    [after] = _clocks("CASE-1")
    assert (after.due_date, after.extension, after.status) == before
    assert db.session.scalar(select(func.count()).select_from(CaseClockPause)) == 0
    assert _clocks("CASE-8") == []


def test_the_filing_clock_is_on_its_owners_todo_with_the_complaints_deadlines(app, at):
    officer, row = _open_filing_clock(app, at)
    at("2026-10-14")  # the 14th working day: due tomorrow, "soon"
    mine = officer.get("/console/todo").get_data(as_text=True)
    soon = re.search(r'data-bucket="soon">(.*?)</table>', mine, re.S).group(1)
    assert f'data-source="case_clock:{row.id}"' in soon and "涉嫌销售以次充好的复合肥" in soon
    assert "立案/不予立案决定（15个工作日）" in soon
    at("2026-10-16")
    overdue = re.search(r'data-bucket="overdue">(.*?)</table>',
                        officer.get("/console/todo").get_data(as_text=True), re.S).group(1)
    assert f'data-source="case_clock:{row.id}"' in overdue
