"""At the shop, with no signal, the inspectors find a product without its 合格证, issue a 责令改正通知书
on the phone and serve it; when the phone syncs the order is numbered under the county's standing
authorisation and prints clean in the console."""
from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

from inspector.pdf.wording import cn_date

from .conftest import DEMO_PASSWORD
from .pwa_helpers import (
    at_field, go_home, goto_step, login, open_app, start_inspection, until, wait_controlled, wait_synced, watch_errors,
)


def _console(desktop, url: str, username: str):
    page = desktop.new_page()
    page.goto(url + "/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def test_an_order_issued_offline_at_the_scene_is_numbered_when_the_phone_syncs(live_server, phone, desktop, screenshots):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)
    page.reload()
    open_app(page, live_server.url)
    start_inspection(page)
    page.click("[data-testid=G02-fail]")
    goto_step(page, "review")
    page.click("[data-testid=rectify-start]")
    page.wait_for_selector("[data-testid=rectify]")
    assert page.locator("[data-testid=rect-item-G02]").is_checked()
    page.fill("[data-testid=rect-facts]", "销售的复合肥未附产品质量检验合格证明")
    page.click("[data-testid=rect-save]")
    page.wait_for_selector("[data-testid=rect-problems]")  # no requirements, no due date, no one served
    problems = page.inner_text("[data-testid=rect-problems]")
    assert "改正内容及要求" in problems and "改正期限" in problems
    page.fill("[data-testid=rect-requirements]", "下架未附合格证的复合肥，补齐合格证明")
    due = date.today() + timedelta(days=14)
    page.fill("[data-testid=rect-due]", due.isoformat())
    page.fill("[data-testid=rect-served-to]", "王建国")
    page.click("[data-testid=rect-save]")
    page.wait_for_selector("[data-testid=rectification-row]")
    assert "销售的复合肥未附产品质量检验合格证明" in page.inner_text("[data-testid=rectification-row]")
    page.screenshot(path=str(screenshots / "pwa-rectification-offline.png"))

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    go_home(page)
    wait_synced(page, timeout=90)

    head = _console(desktop, live_server.url, "tuoketuo.head")
    head.goto(live_server.url + "/console/followup")
    until(lambda: "呼托市监责改〔" in head.inner_text("body") or head.reload() and False, timeout=30)
    row = head.locator("[data-order-status=issued]").first
    assert "责改〔" in row.inner_text()
    row.locator("a").click()
    head.wait_for_selector("[data-rect-pdf]")
    assert "直接送达" in head.inner_text("[data-served]") and "王建国" in head.inner_text("[data-served]")
    pdf = head.request.get(live_server.url + head.get_attribute("[data-rect-pdf]", "href"))
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.body(),
                                             capture_output=True, check=True).stdout.decode())
    assert "责令改正通知书" in text and "未签发" not in text and f"{cn_date(due)}前改正" in text
    assert errors == []
