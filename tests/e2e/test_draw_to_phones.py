"""A league officer plans a 双随机 check in the console and draws it with witnesses; the two
inspectors drawn for the party find the task on their phones offline; one does the inspection
offline and syncs; the officer publishes the result, which anyone reads on a phone without
logging in, the shop's owner masked and no inspector named."""
from __future__ import annotations

from .conftest import PHONE
from .pwa_helpers import (
    PARTY_NAME, answer_checklist_with_photos, login, open_app, sign_all, submit, until, wait_controlled,
    wait_synced, watch_errors, write_record,
)
from .test_pwa_tasks import _console

PLAN = "2026年秋季化肥经营户双随机抽查"
DEALERS = (PARTY_NAME, "托克托县绿野种业有限公司")  # the demo's dealers in 托克托县
MASKED = {PARTY_NAME: "托某某农资经营部", "托克托县绿野种业有限公司": "托克托县绿野种业有限公司"}


def _phone_shows_task_offline(context, url: str, username: str):
    page = context.new_page()
    errors = watch_errors(page)
    login(page, url, username)  # the first pull brings the task
    wait_controlled(page)
    context.set_offline(True)
    page.reload()  # offline: the service worker serves the app, the task comes from the phone's store
    open_app(page, url)
    task = page.locator("[data-testid=task]", has_text=PLAN)
    task.wait_for()
    return page, task.inner_text(), errors


def test_a_league_plans_and_draws_the_drawn_inspectors_phones_do_it_offline_and_the_result_is_public(
        live_server, phone, playwright_browser, desktop, screenshots, tmp_path):
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
    plan_url = officer.url
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
        pages = {}
        for context, username, partner in ((phone, "tuoketuo.zhang", "刘执法"), (second, "tuoketuo.liu", "张执法")):
            page, text, errors = _phone_shows_task_offline(context, live_server.url, username)
            assert party in text and f"双随机抽查：{PLAN}" in text and "2026-12-15" in text
            assert "化肥标签标识" in text and partner in text and "双随机抽取" in text
            pages[username] = (page, errors)
        page, errors = pages["tuoketuo.zhang"]
        page.screenshot(path=str(screenshots / "pwa-draw-task-offline.png"))
        phone.grant_permissions(["geolocation"], origin=live_server.url)
        phone.set_geolocation({"latitude": 40.277, "longitude": 111.186, "accuracy": 8})
        page.click("[data-testid=task-start]")  # party and co-inspector come from the task
        page.click("[data-testid=template-general]")
        page.click("[data-testid=take-gps]")
        page.wait_for_function("document.querySelector('[data-testid=gps-text]').textContent.includes('±')")
        page.click("[data-testid=start-inspection]")
        page.wait_for_selector("[data-testid=G01-pass]")
        answer_checklist_with_photos(page, tmp_path, seed=41)  # one item fails (G03)
        write_record(page, "检查人员到达现场时，当事人正在营业。货架陈列复合肥料120袋。")
        sign_all(page)
        submit(page)
        phone.set_offline(False)
        wait_synced(page, timeout=90)
        assert errors == [] and pages["tuoketuo.liu"][1] == []
    finally:
        second.close()

    def checked() -> bool:
        officer.goto(plan_url)
        return officer.locator("[data-publish-form]").count() == 1

    until(checked, timeout=30, interval=1)
    assert "发现问题待后续处理" in officer.inner_text("table.plan-targets tbody tr")
    assert officer.locator("[data-publish-due]").count() == 1 and officer.locator("[data-overdue]").count() == 0
    officer.click("[data-publish-form] button[type=submit]")
    officer.wait_for_selector("[data-published]")

    reader = phone.new_page()  # anyone, no login
    reader.goto(live_server.url + "/public/checks")
    text = reader.inner_text("table.public")
    assert MASKED[party] in text and PLAN in text and "发现问题待后续处理" in text
    assert "张执法" not in text and "刘执法" not in text and "王建国" not in text and "赵丽" not in text
    if MASKED[party] != party:
        assert party not in text
    assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    reader.screenshot(path=str(screenshots / "public-checks-phone.png"), full_page=True)
