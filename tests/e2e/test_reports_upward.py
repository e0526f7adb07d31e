"""Reporting upward in Chromium against a real server on 2026-03-21 (the demo's campaign): a
county produces and submits its summary, the league rolls it up naming the counties missing, and
the region sees both reports and a county whose plan (due 3月7日) is late."""
from __future__ import annotations

import re

import pytest

from .conftest import DEMO_PASSWORD, LiveServer, _free_port


@pytest.fixture
def server_on_march_21(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_CLOCK", "2026-03-21T10:00:00+08:00")
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


def test_county_submits_league_rolls_up_region_sees_both_and_a_late_county(server_on_march_21, desktop, screenshots):
    server = server_on_march_21
    county = _login(desktop, server, "tuoketuo.officer")
    assert "截止日为休息日（周六）" in county.content()  # the plan's 3月7日
    county.click("button[data-produce=summary]")
    county.wait_for_selector("[data-figures]")
    turnout = county.inner_text("tr[data-figure=officer_turnout] [data-value]")
    assert turnout.isdigit()
    assert county.inner_text("tr[data-figure=samples_failed]").count("数据来源尚未建立") == 1
    county.fill("input[name='entered:materials']", "300")
    county.fill("textarea[name=narrative]", "开展农资打假宣传和执法检查。")
    county.click("button[data-submit-report]")
    county.wait_for_selector("[data-sha256]")
    assert county.inner_text("[data-report-status]") == "已上报"
    assert county.inner_text("tr[data-figure=materials] [data-value]") == "300"
    county.screenshot(path=str(screenshots / "report-county-submitted.png"), full_page=True)
    county.close()

    league = _login(desktop, server, "hhht.officer")
    assert league.get_attribute("tr[data-below-row='150122:summary']", "data-state") == "submitted"
    league.click("button[data-produce=summary]")
    league.wait_for_selector("[data-rollup]")
    assert league.inner_text("[data-included]") == "托克托县"
    assert "新城区" in league.inner_text("[data-missing]")
    rolled = league.inner_text("tr[data-figure=officer_turnout] [data-value]")
    assert int(rolled) >= int(turnout)
    league.fill("textarea[name=narrative]", "全市汇总。")
    league.click("button[data-submit-report]")
    league.wait_for_selector("[data-sha256]")
    league.screenshot(path=str(screenshots / "report-league-rollup.png"), full_page=True)
    league.close()

    region = _login(desktop, server, "hq.reviewer")
    html = region.content()
    assert region.get_attribute("tr[data-below-row='150122:summary']", "data-state") == "submitted"
    assert region.get_attribute("tr[data-below-row='150100:summary']", "data-state") == "submitted"
    assert region.get_attribute("tr[data-below-row='150102:plan']", "data-state") == "late"
    assert re.search(r"新城区.*?逾期未报", html, re.S)
    region.screenshot(path=str(screenshots / "report-region.png"), full_page=True)
