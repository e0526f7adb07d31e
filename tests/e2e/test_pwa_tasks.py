"""A county officer assigns a task in the console; the inspector's phone, offline, shows it and
starts the inspection from it; once synced the console shows the task done."""
from __future__ import annotations

from .conftest import DEMO_PASSWORD
from .pwa_helpers import (
    PARTY_NAME, Api, add_sample, answer_checklist_with_photos, at_field, go_home, login, open_app, sign_all, submit,
    until, wait_controlled, wait_synced, watch_errors, write_record,
)

NARRATIVE = "检查人员到达现场时，当事人正在营业。货架陈列复合肥料120袋。"


def _console(desktop, url: str, username: str):
    page = desktop.new_page()
    page.goto(url + "/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def test_a_task_from_the_console_is_done_offline_on_the_phone_and_shows_done(live_server, phone, desktop,
                                                                             screenshots, tmp_path):
    officer = _console(desktop, live_server.url, "tuoketuo.officer")
    officer.goto(live_server.url + "/console/tasks")
    officer.click("#create-task >> xpath=.. >> summary")
    officer.fill("#create-task input[name=title]", "核查投诉：复合肥养分不足")
    officer.select_option("#create-task select[name=party_id]", label=PARTY_NAME)
    officer.fill("#create-task textarea[name=what_to_check]", "查验复合肥进货台账、合格证明，抽样送检")
    officer.fill("#create-task input[name=due_date]", "2026-12-15")
    officer.check("#create-task label:has-text('张执法') input")
    officer.check("#create-task label:has-text('刘执法') input")
    officer.click("#create-task button[type=submit]")
    officer.wait_for_selector("[data-task-status=open]")
    assert "未送达" in officer.inner_text("[data-task-status=open] [data-delivery]")
    officer.screenshot(path=str(screenshots / "console-tasks-created.png"), full_page=True)

    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)  # the first pull brings the task
    wait_controlled(page)
    phone.set_offline(True)
    page.reload()  # offline: the service worker serves the app, the task comes from the phone's store
    open_app(page, live_server.url)
    task = page.locator("[data-testid=task]")
    task.wait_for()
    text = task.inner_text()
    assert PARTY_NAME in text and "核查投诉：复合肥养分不足" in text
    assert "查验复合肥进货台账、合格证明，抽样送检" in text and "2026-12-15" in text and "刘执法" in text
    assert "托克托县双河镇新华街12号" in text
    page.screenshot(path=str(screenshots / "pwa-home-task-offline.png"))

    officer.reload()  # the pull delivered it
    assert "已送达" in officer.inner_text("[data-task-status=open] [data-delivery]")

    page.click("[data-testid=task-start]")  # party and co-inspector come from the task
    page.click("[data-testid=template-general]")
    page.click("[data-testid=take-gps]")
    page.wait_for_function("document.querySelector('[data-testid=gps-text]').textContent.includes('±')")
    page.click("[data-testid=start-inspection]")
    page.wait_for_selector("[data-testid=G01-pass]")
    record_id = page.evaluate("location.hash.split('/')[2]")
    answer_checklist_with_photos(page, tmp_path, seed=31)
    add_sample(page)
    write_record(page, NARRATIVE)
    sign_all(page)
    submit(page)

    phone.set_offline(False)
    wait_synced(page, timeout=90)
    case = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")
    assert case["taskID"] and case["status"] == "submitted" and case["party"]["name"] == PARTY_NAME
    assert sorted(i["displayName"] for i in case["inspectors"]) == ["刘执法", "张执法"]

    def done() -> bool:
        officer.reload()
        return officer.locator("[data-task-status=done]").count() == 1

    until(done, timeout=30, interval=1)
    assert "已完成" in officer.inner_text("[data-task-status=done]")
    assert officer.locator(f"[data-task-status=done] a[href$='{record_id}']").count() == 1
    officer.screenshot(path=str(screenshots / "console-tasks-done.png"), full_page=True)
    go_home(page)
    until(lambda: page.locator("[data-testid=task]").count() == 0, timeout=30)  # done: off the to-do list
    assert errors == []
