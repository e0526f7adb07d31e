"""Issue 13, end to end: a hotline registrar registers a farmer's call about fake fertilizer; the
county inspector's phone, offline, shows the inspection task; the inspection syncs; the report's
page shows what it found, the 负责人 decides 立案 and its notice and deadlines follow; the
reporter's name appears on no page the respondent's county inspectors can open."""
from __future__ import annotations

import re
import subprocess

from .conftest import DEMO_PASSWORD
from .pwa_helpers import (
    PARTY_NAME, Api, answer_checklist_with_photos, at_field, login, open_app, sign_all, submit, until,
    wait_controlled, wait_synced, watch_errors, write_record,
)

REPORTER, REPORTER_PHONE = "李老汉", "13947100001"
NARRATIVE = "检查人员到达现场时，当事人正在营业。货架陈列复合肥料40袋，部分结块。"


def _console(context, url: str, username: str):
    """A console page of its own browser context (its own session cookie), logged in."""
    page = context.new_page()
    page.goto(url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", out.decode())


def test_a_farmers_call_becomes_an_inspection_and_a_case_and_the_reporter_stays_hidden(
        live_server, phone, playwright_browser, screenshots, tmp_path):
    url = live_server.url
    # 1. the hotline registrar takes the call
    registrar = _console(playwright_browser.new_context(locale="zh-CN"), url, "tuoketuo.registrar")
    registrar.goto(url + "/console/filings/new")
    registrar.check("#filing-form input[name=kind][value=report]")
    registrar.select_option("#filing-form select[name=channel]", "12315_phone")
    registrar.fill("#filing-form input[name=receivedAt]", "2026-12-04T09:30")
    registrar.fill("#filing-form input[name=personName]", REPORTER)
    registrar.fill("#filing-form input[name=personPhone]", REPORTER_PHONE)
    registrar.select_option("#filing-form select[name=partyID]", label=PARTY_NAME)
    registrar.select_option("#filing-form select[name=productCategory]", "fertilizer")
    registrar.fill("#filing-form textarea[name=facts]",
                   f"{REPORTER}来电：在丰收农资买的复合肥结块、不溶于水，怀疑是假化肥。")
    registrar.click("#filing-form button[type=submit]")
    registrar.wait_for_selector("[data-filing-status=verifying]")
    filing_url = registrar.url
    assert REPORTER in registrar.inner_text("[data-person]")
    assert "2026-12-25" in registrar.inner_text("[data-deadline='CR-R1']")  # 15 working days
    registrar.screenshot(path=str(screenshots / "console-filing-registered.png"), full_page=True)

    # 2. the county officer sends an inspection task; the reporter is hidden from him
    officer = _console(playwright_browser.new_context(locale="zh-CN"), url, "tuoketuo.officer")
    officer.goto(filing_url)
    assert officer.locator("[data-person-hidden]").count() == 1
    assert REPORTER not in officer.content()
    officer.click("#filing-task >> xpath=.. >> summary")
    officer.check("#filing-task label:has-text('张执法') input")
    officer.check("#filing-task label:has-text('刘执法') input")
    officer.click("#filing-task button[type=submit]")
    officer.wait_for_selector("[data-filing-task][data-task-status=open]")

    # 3. the inspector's phone, offline, shows the task, with no trace of the reporter
    at_field(phone, url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, url)
    wait_controlled(page)
    phone.set_offline(True)
    page.reload()
    open_app(page, url)
    task = page.locator("[data-testid=task]", has_text="举报核查")
    task.wait_for()
    text = task.inner_text()
    assert PARTY_NAME in text and "复合肥结块" in text and "2026-12-25" in text
    assert REPORTER not in page.content() and REPORTER_PHONE not in page.content()
    page.screenshot(path=str(screenshots / "pwa-home-report-task-offline.png"))

    # 4. the inspection is done offline from the task and syncs
    task.locator("[data-testid=task-start]").click()
    page.click("[data-testid=template-general]")
    page.click("[data-testid=take-gps]")
    page.wait_for_function("document.querySelector('[data-testid=gps-text]').textContent.includes('±')")
    page.click("[data-testid=start-inspection]")
    page.wait_for_selector("[data-testid=G01-pass]")
    record_id = page.evaluate("location.hash.split('/')[2]")
    answer_checklist_with_photos(page, tmp_path, seed=13)
    write_record(page, NARRATIVE)
    sign_all(page)
    submit(page)
    phone.set_offline(False)
    wait_synced(page, timeout=90)
    inspector_api = Api(url)
    assert inspector_api.get(f"/api/v1/inspections/{record_id}")["taskID"]

    # 5. the report's page shows the inspection; the 负责人 decides 立案; notice and deadlines follow
    head = _console(playwright_browser.new_context(locale="zh-CN"), url, "tuoketuo.head")

    def inspected() -> bool:
        head.goto(filing_url)
        return head.locator("[data-filing-task][data-task-status=done]").count() == 1

    until(inspected, timeout=30, interval=1)
    assert "现场检查" in head.inner_text("[data-inspection-result]")
    head.click("[data-step=open_case] summary")
    head.fill("[data-step=open_case] textarea[name=reason]", "涉嫌销售不合格化肥，经负责人批准立案")
    head.click("[data-step=open_case] button[type=submit]")
    head.wait_for_selector("[data-filing-status=case_opened]")
    deadlines = head.inner_text("[data-deadlines]")
    assert "告知实名举报人立案决定" in deadlines
    assert head.locator("[data-deadline='CR-R1'][data-deadline-state=met]").count() == 1
    notice_href = head.get_attribute("[data-notice=open_case]", "href")
    notice = _pdf_text(head.context.request.get(url + notice_href).body())
    assert "举报立案告知书" in notice and f"举报人{REPORTER}" in notice and "现场检查" in notice
    head.screenshot(path=str(screenshots / "console-filing-case-opened.png"), full_page=True)

    # 6. nothing the respondent's county inspectors can open names the reporter
    for username in ("tuoketuo.zhang", "tuoketuo.liu"):
        console = _console(playwright_browser.new_context(locale="zh-CN"), url, username)
        for path in (filing_url, url + "/console/filings", url + notice_href, url + f"/console/cases/{record_id}",
                     url + "/console/tasks"):
            response = console.goto(path)
            assert REPORTER not in console.content() and REPORTER_PHONE not in console.content(), (username, path)
            assert response.status in (200, 403, 404), (username, path, response.status)
        api = Api(url, username)
        case_file = live_server.case_file_pdf(api, record_id)
        assert REPORTER not in _pdf_text(case_file)
    page.reload()
    assert REPORTER not in page.content()
    assert errors == []
