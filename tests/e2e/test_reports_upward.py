"""Reporting upward in Chromium against a real server on 2026-11-30 with the demo's campaign and its
November inspections: the region and the league set the dates the level below owes, a county
produces and submits its summary, the league rolls it up naming the counties missing, and the
region sees both reports and a county whose plan (due 3月7日) is late."""
from __future__ import annotations

import sqlite3

import pytest

from .conftest import DEMO_PASSWORD, LiveServer, _free_port


@pytest.fixture
def server_on_november_30(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_CLOCK", "2026-11-30T10:00:00+08:00")
    server = LiveServer(tmp_path, _free_port())
    server.prepare()
    server.start()
    yield server
    server.stop()


def _login(context, server, username):
    context.clear_cookies()
    page = context.new_page()
    page.goto(server.url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=上报")
    return page


def _set_summary_dates(page, due, start, end):
    page.click("[data-set-dates] summary")
    page.fill("input[name='due:summary']", due)
    page.fill("input[name='from:summary']", start)
    page.fill("input[name='to:summary']", end)
    page.click("[data-set-dates] button[type=submit]")
    page.wait_for_selector(".flash.ok")


def _turnout_in_records(server) -> int:
    """出动执法人员人次 of 托克托县's submitted November inspections, counted in the database."""
    with sqlite3.connect(server.instance / "e2e.sqlite3") as db:
        return db.execute(
            "SELECT count(*) FROM inspection_inspector ii JOIN inspection i ON i.id = ii.inspection_id "
            "JOIN agency a ON a.id = i.agency_id WHERE a.code = '150122' AND i.submitted_at IS NOT NULL "
            "AND i.deleted_at IS NULL AND i.started_at_device >= '2026-10-31 16:00' "
            "AND i.started_at_device < '2026-11-30 16:00'").fetchone()[0]


def test_county_submits_league_rolls_up_region_sees_both_and_a_late_county(server_on_november_30, desktop, screenshots):
    server = server_on_november_30
    region = _login(desktop, server, "hq.reviewer")
    _set_summary_dates(region, "2026-12-10", "2026-11-01", "2026-12-10")
    region.close()
    league = _login(desktop, server, "hhht.officer")
    _set_summary_dates(league, "2026-12-05", "2026-11-01", "2026-11-30")
    assert "截止日为休息日（周六）" in league.content()  # 12月5日 and the plan's 3月7日: shown, not moved
    league.close()

    county = _login(desktop, server, "tuoketuo.officer")
    row = county.inner_text("tr[data-obligation=summary]")
    assert "2026-12-05" in row and "2026-11-01 — 2026-11-30" in row
    county.click("button[data-produce=summary]")
    county.wait_for_selector("[data-figures]")
    expected = _turnout_in_records(server)
    assert expected > 0
    assert county.inner_text("tr[data-figure=officer_turnout] [data-value]") == str(expected)
    assert "数据来源尚未建立" in county.inner_text("tr[data-figure=dens_destroyed]")
    county.fill("input[name='entered:materials']", "300")
    county.fill("textarea[name=narrative]", "开展农资打假宣传和执法检查。")
    county.click("button[data-submit-report]")
    county.wait_for_selector("[data-sha256]")
    assert county.inner_text("[data-report-status]") == "已上报"
    assert county.inner_text("tr[data-figure=materials] [data-value]") == "300"
    county.screenshot(path=str(screenshots / "report-county-submitted.png"), full_page=True)
    county.close()

    league = _login(desktop, server, "hhht.officer")
    assert league.get_attribute("[data-below-row='150122:summary']", "data-state") == "submitted"
    assert league.get_attribute("[data-below-row='150102:plan']", "data-state") == "late"
    league.click("button[data-produce=summary]")
    league.wait_for_selector("[data-rollup]")
    assert league.inner_text("[data-included]") == "托克托县"
    assert "新城区" in league.inner_text("[data-missing]")
    assert league.inner_text("tr[data-figure=officer_turnout] [data-value]") == str(expected)  # no own records
    assert league.inner_text("tr[data-figure=materials] [data-value]") == "300"
    league.fill("textarea[name=narrative]", "全市汇总。")
    league.click("button[data-submit-report]")
    league.wait_for_selector("[data-sha256]")
    league.screenshot(path=str(screenshots / "report-league-rollup.png"), full_page=True)
    league.close()

    region = _login(desktop, server, "hq.reviewer")
    assert region.get_attribute("[data-below-row='150122:summary']", "data-state") == "submitted"
    assert region.get_attribute("[data-below-row='150100:summary']", "data-state") == "submitted"
    assert region.get_attribute("[data-below-row='150102:plan']", "data-state") == "late"
    assert "逾期未报" in region.inner_text("[data-below-row='150102:plan']")
    region.screenshot(path=str(screenshots / "report-region.png"), full_page=True)
