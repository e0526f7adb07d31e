"""A league officer plans a 双随机 check in the console and draws it with witnesses; the two
inspectors drawn for the party find the task on their phones offline; the draw's re-run check
passes in the console."""
from __future__ import annotations

from .conftest import PHONE
from .pwa_helpers import PARTY_NAME, login, open_app, wait_controlled, watch_errors
from .test_pwa_tasks import _console

PLAN = "2026年秋季化肥经营户双随机抽查"
DEALERS = (PARTY_NAME, "托克托县绿野种业有限公司")  # the demo's dealers in 托克托县


def _phone_shows_task_offline(context, url: str, username: str) -> str:
    page = context.new_page()
    errors = watch_errors(page)
    login(page, url, username)  # the first pull brings the task
    wait_controlled(page)
    context.set_offline(True)
    page.reload()  # offline: the service worker serves the app, the task comes from the phone's store
    open_app(page, url)
    task = page.locator("[data-testid=task]", has_text=PLAN)
    task.wait_for()
    assert errors == []
    return task.inner_text()


def test_a_league_plans_and_draws_and_both_drawn_inspectors_phones_show_the_task_offline(
        live_server, phone, playwright_browser, desktop, screenshots):
    officer = _console(desktop, live_server.url, "hhht.officer")
    officer.goto(live_server.url + "/console/plans")
    officer.fill("#create-plan input[name=name]", PLAN)
    officer.fill("#create-plan textarea[name=check_items]", "化肥标签标识、进货查验记录、产品质量")
    officer.fill("#create-plan input[name=period_from]", "2026-09-01")
    officer.fill("#create-plan input[name=period_to]", "2026-12-15")
    officer.check("#create-plan label:has-text('托克托县') input")
    # Both of the county's demo dealers are risk-flagged (a failed item or a complaint on record).
    officer.fill("#create-plan input[name=flagged_count]", "1")
    officer.click("#create-plan button[type=submit]")
    officer.wait_for_selector("[data-plan-preview]")
    assert "检查对象 2 户（有风险标记 2，一般 0）" in officer.inner_text("[data-plan-preview]")
    officer.fill("#draw-plan textarea[name=witnesses]", "王法制 法制科科长\n赵纪检 纪检组干部")
    officer.click("#draw-plan button[type=submit]")
    officer.wait_for_selector("[data-draw-kind=targets]")
    row = officer.inner_text("table.plan-targets tbody tr")
    party = next(name for name in DEALERS if name in row)
    assert "张执法" in row and "刘执法" in row  # the county's two certified inspectors
    assert "王法制（法制科科长）" in officer.inner_text("[data-draw-kind=targets]")
    officer.screenshot(path=str(screenshots / "console-plan-drawn.png"), full_page=True)
    officer.click("[data-draw-check-link]")
    officer.wait_for_selector("[data-draw-check=ok]")

    second = playwright_browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2,
                                            is_mobile=True, has_touch=True)
    try:
        for context, username, partner in ((phone, "tuoketuo.zhang", "刘执法"), (second, "tuoketuo.liu", "张执法")):
            text = _phone_shows_task_offline(context, live_server.url, username)
            assert party in text and f"双随机抽查：{PLAN}" in text and "2026-12-15" in text
            assert "化肥标签标识" in text and partner in text and "双随机抽取" in text
    finally:
        second.close()
    officer.goto(live_server.url + "/console/tasks")
    assert "已送达" in officer.inner_text("tr[data-task-status=open] [data-delivery]")
