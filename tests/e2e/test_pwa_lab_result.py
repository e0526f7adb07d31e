"""An inspector's sample goes to the lab: a county officer enters the result in the console; the
inspector's phone, once synced and then offline, shows the result on the case's sample."""
from __future__ import annotations

from .conftest import DEMO_PASSWORD
from .pwa_helpers import (
    go_home, goto_step, open_app, submit_case_with_sample, until, wait_synced,
)


def _console(desktop, url: str, username: str):
    page = desktop.new_page()
    page.goto(url + "/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def _step(officer, action: str, fields: dict[str, str]) -> None:
    form = officer.locator(f"[data-action={action}] form")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()
    officer.wait_for_selector(".flash.ok")


def test_a_lab_result_entered_in_the_console_shows_on_the_inspectors_phone_offline(live_server, phone, desktop,
                                                                                   screenshots, tmp_path):
    page, errors = submit_case_with_sample(phone, live_server.url, tmp_path, 77,
                                           "检查人员到达现场时，当事人正在营业。货架陈列复合肥料120袋，抽取样品送检。")

    officer = _console(desktop, live_server.url, "tuoketuo.officer")
    officer.goto(live_server.url + "/console/samples")
    officer.click("[data-sample] a")
    _step(officer, "ship", {"labName": "内蒙古农产品质量检测中心", "shippedOn": "2026-12-01"})
    _step(officer, "result", {"reportNo": "NJ-2026-1204", "arrivedOn": "2026-12-04",
                              "item-0-referenceCode": "15063-total-high", "item-0-measured": "41.9",
                              "item-1-referenceCode": "15063-K2O", "item-1-declaredValue": "15",
                              "item-1-measured": "13.4"})
    _step(officer, "notify", {"notifiedOn": "2026-12-04"})
    _step(officer, "deliver", {"deliveredOn": "2026-12-05", "receiver": "王建国"})
    assert "2026-12-21" in officer.inner_text("[data-retest-due]")  # 12-20 is a Sunday

    def pulled() -> bool:
        go_home(page)
        page.click("[data-testid=sync-now]")
        wait_synced(page)
        page.click("[data-testid=submitted] [data-testid=draft-row]")
        goto_step(page, "samples")
        return page.locator("[data-testid=lab-result]").count() == 1
    until(pulled, timeout=60, interval=1)
    phone.set_offline(True)
    page.reload()
    open_app(page, live_server.url)
    page.click("[data-testid=submitted] [data-testid=draft-row]")
    goto_step(page, "samples")
    result = page.locator("[data-testid=lab-result]")
    result.wait_for()
    text = result.inner_text()
    assert "复检申请期内" in text and "报告 NJ-2026-1204 · 内蒙古农产品质量检测中心" in text
    assert "不合格" in page.inner_text("[data-testid=lab-conclusion]")
    assert "复检申请期限：2026-12-21" in page.inner_text("[data-testid=lab-retest-due]")
    failing = page.locator("[data-testid=lab-item][data-verdict=fails]")
    assert "氧化钾(K₂O)" in failing.inner_text() and "实测 13.4%" in failing.inner_text()
    page.screenshot(path=str(screenshots / "pwa-sample-lab-result-offline.png"), full_page=True)
    assert errors == []
