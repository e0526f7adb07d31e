"""Issue 14 end to end, in Chromium against a real server: a league officer plans a 双随机 check and
draws it in the console; the two drawn inspectors' phones, offline, show the task; the inspection
started from it takes a sample and issues a 责令改正通知书 offline, and syncs; a county officer enters
the lab's result and prints the 检验结果告知书; the server's clock moves to the order's due date
(no re-inspection yet) and then to the next working day, when the re-inspection task reaches the
phone; the dashboard counts the inspection, the sample, the order and the re-inspection."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta

from inspector.clock import SHANGHAI
from inspector.services.calendar.deadlines import working_days_after

from .conftest import PHONE, ROOT
from .pwa_helpers import (
    PHOTO_ITEMS, add_sample, answer_checklist, go_home, goto_step, make_jpeg, open_app, sign_all, sign_order, submit, until,
    wait_synced, write_record,
)
from .test_draw_to_phones import DEALERS, _phone_shows_task_offline
from .test_pwa_lab_result import _step
from .test_pwa_tasks import _console

PLAN = "2026年秋季化肥经营户双随机抽查"  # the words _phone_shows_task_offline looks for

RUN_RECHECK_JOB = """
from inspector import create_app
from inspector.jobs.tasks import create_recheck_tasks
with create_app().app_context():
    print(create_recheck_tasks())
"""


def _recheck_job(server) -> int:
    """The hourly job, run once the way the worker would (no worker runs beside this server)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(RUN_RECHECK_JOB)], env=server.env(), cwd=ROOT,
                          check=True, capture_output=True, text=True)
    return int(done.stdout.strip().splitlines()[-1])


def _restart_on(server, monkeypatch, day: date) -> None:
    monkeypatch.setenv("INSPECTOR_CLOCK", f"{day.isoformat()}T09:00:00+08:00")
    server.stop()
    server.start()


def _dashboard(officer, url: str) -> dict[str, str]:
    officer.goto(url + "/console/dashboard")
    counts = {key: officer.inner_text(f"[data-total={key}] .number") for key in ("inspections", "samples")}
    for key in ("rectification_issued", "rectification_recheck"):
        counts[key] = officer.inner_text(f"[data-stat={key}] [data-value]")
    return counts


def _pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def test_plan_draw_phones_sample_order_lab_notice_and_reinspection_on_the_next_working_day(
        live_server, phone, playwright_browser, desktop, screenshots, tmp_path, monkeypatch):
    today = datetime.now(SHANGHAI).date()
    # The league plans and draws.
    league = _console(desktop, live_server.url, "hhht.officer")
    league.goto(live_server.url + "/console/plans")
    league.fill("#create-plan input[name=name]", PLAN)
    league.fill("#create-plan textarea[name=check_items]", "化肥标签标识、进货查验记录、产品质量")
    league.fill("#create-plan input[name=period_from]", today.isoformat())
    league.fill("#create-plan input[name=period_to]", (today + timedelta(days=30)).isoformat())
    league.check("#create-plan label:has-text('托克托县') input")
    league.fill("#create-plan input[name=flagged_count]", "1")
    league.click("#create-plan button[type=submit]")
    league.wait_for_selector("[data-plan-preview]")
    league.fill("#draw-plan textarea[name=witnesses]", "王法制 法制科科长\n赵纪检 纪检组干部")
    league.click("#draw-plan button[type=submit]")
    league.wait_for_selector("[data-draw-kind=targets]")
    row = league.inner_text("table.plan-targets tbody tr")
    party = next(name for name in DEALERS if name in row)
    assert "张执法" in row and "刘执法" in row
    league.close()
    desktop.clear_cookies()
    county = _console(desktop, live_server.url, "tuoketuo.officer")
    before = _dashboard(county, live_server.url)

    # Both drawn inspectors' phones show the task offline; one starts the inspection from it.
    second = playwright_browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2,
                                            is_mobile=True, has_touch=True)
    try:
        other, text, other_errors = _phone_shows_task_offline(second, live_server.url, "tuoketuo.liu")
        assert party in text and f"双随机抽查：{PLAN}" in text and "张执法" in text
        page, text, errors = _phone_shows_task_offline(phone, live_server.url, "tuoketuo.zhang")
        assert party in text and "刘执法" in text and "双随机抽取" in text
        assert other_errors == []
    finally:
        second.close()
    phone.grant_permissions(["geolocation"], origin=live_server.url)
    phone.set_geolocation({"latitude": 40.277, "longitude": 111.186, "accuracy": 8})
    page.click("[data-testid=task-start]")
    page.click("[data-testid=template-general]")
    page.click("[data-testid=take-gps]")
    page.wait_for_function("document.querySelector('[data-testid=gps-text]').textContent.includes('±')")
    page.click("[data-testid=start-inspection]")
    page.wait_for_selector("[data-testid=G01-pass]")
    for n, key in enumerate(PHOTO_ITEMS):
        make_jpeg(tmp_path / f"{key}.jpg", seed=90 + n)
    answer_checklist(page, {key: tmp_path / f"{key}.jpg" for key in PHOTO_ITEMS}, sampled=True)  # G03 fails
    add_sample(page)
    write_record(page, "检查人员到达现场时，当事人正在营业。货架陈列复合肥料120袋，标签缺少生产厂厂址，抽取样品送检。")

    # The 责令改正通知书, issued and served at the shop, still offline.
    due = today + timedelta(days=14)
    goto_step(page, "review")
    page.click("[data-testid=rectify-start]")
    page.wait_for_selector("[data-testid=rectify]")
    page.fill("[data-testid=rect-facts]", "销售的复合肥料标签缺少生产厂厂址")
    page.fill("[data-testid=rect-requirements]", "下架标签不全的复合肥料，补齐标签标识")
    page.fill("[data-testid=rect-due]", due.isoformat())
    page.fill("[data-testid=rect-served-to]", "王建国")
    page.click("[data-testid=rect-save]")
    sign_order(page)
    page.wait_for_selector("[data-testid=rectification-row]")
    sign_all(page)
    submit(page)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    go_home(page)
    wait_synced(page, timeout=90)

    # The lab's result in the console, and the 检验结果告知书.
    county.goto(live_server.url + "/console/samples")
    county.locator("[data-sample]", has_text="20260915").first.locator("a").click()
    _step(county, "ship", {"labName": "内蒙古农产品质量检测中心", "shippedOn": today.isoformat()})
    _step(county, "result", {"reportNo": "NJ-2026-1299", "arrivedOn": today.isoformat(),
                             "item-0-referenceCode": "15063-total-high", "item-0-measured": "41.9",
                             "item-1-referenceCode": "15063-K2O", "item-1-declaredValue": "15",
                             "item-1-measured": "13.4"})
    _step(county, "notify", {"notifiedOn": today.isoformat()})
    notice = county.request.get(live_server.url + county.get_attribute("[data-notice-pdf]", "href"))
    text = _pdf_text(notice.body())
    assert "检验结果告知书" in text and "NJ-2026-1299" in text and "不合格" in text and "复检" in text

    after = _dashboard(county, live_server.url)
    assert int(after["inspections"]) == int(before["inspections"]) + 1
    assert int(after["samples"]) == int(before["samples"]) + 1
    assert int(after["rectification_issued"]) == int(before["rectification_issued"]) + 1
    assert after["rectification_recheck"] == before["rectification_recheck"]
    county.screenshot(path=str(screenshots / "console-followups-dashboard.png"), full_page=True)

    # On the due date the order is still the party's to correct: no re-inspection yet.
    _restart_on(live_server, monkeypatch, due)
    assert _recheck_job(live_server) == 0
    # The next working day the job makes the re-inspection task for the same two inspectors.
    recheck_day = working_days_after(due, 1).date
    _restart_on(live_server, monkeypatch, recheck_day)
    assert _recheck_job(live_server) == 1

    def task_arrived() -> bool:
        go_home(page)
        page.click("[data-testid=sync-now]")
        wait_synced(page)
        return page.locator("[data-testid=task]", has_text="复查").count() == 1
    until(task_arrived, timeout=60, interval=1)
    phone.set_offline(True)
    page.reload()
    open_app(page, live_server.url)
    task = page.locator("[data-testid=task]", has_text="复查")
    task.wait_for()
    assert party in task.inner_text() and "责改〔" in task.inner_text()
    assert f"期限 {recheck_day.isoformat()}" in task.inner_text() and "同行：刘执法" in task.inner_text()
    page.screenshot(path=str(screenshots / "pwa-reinspection-task.png"))
    phone.set_offline(False)

    final = _dashboard(county, live_server.url)
    assert int(final["rectification_recheck"]) == int(before["rectification_recheck"]) + 1
    assert errors == []
