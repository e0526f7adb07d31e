"""At the shop, with no signal, the inspectors find a product without its 合格证, issue a 责令改正通知书
on the phone and serve it; when the phone syncs the order is numbered under the county's standing
authorisation and prints clean in the console."""
from __future__ import annotations

import re
import subprocess
import tempfile
from datetime import date, timedelta

from inspector.pdf.wording import cn_date

from .conftest import DEMO_PASSWORD
from .pwa_helpers import (
    at_field, go_home, goto_step, login, open_app, sign_order, start_inspection, until, wait_controlled, wait_synced,
    watch_errors,
)


def _console(desktop, url: str, username: str):
    page = desktop.new_page()
    page.goto(url + "/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def _order_form_offline(live_server, phone):
    """The phone, offline at the shop: a new record with G02 failed, at its 责令改正 form; (page, errors)."""
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
    return page, errors


def test_an_order_issued_offline_at_the_scene_is_numbered_when_the_phone_syncs(live_server, phone, desktop, screenshots):
    page, errors = _order_form_offline(live_server, phone)
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
    sign_order(page)  # the party reads the order, signs it; both inspectors sign (issue 14)
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


def test_the_party_signs_the_order_on_the_phone_offline_and_the_co_inspector_sees_it(
        live_server, phone, playwright_browser, screenshots):
    """Issue 14: offline at the shop the party reads the whole order and signs it on the screen, both
    inspectors sign; after the sync the co-inspector's phone pulls the order with its 文号, and the
    notice draws the party's signature in its box."""
    from .conftest import PHONE
    from .pwa_helpers import Api

    page, errors = _order_form_offline(live_server, phone)
    facts = "销售的复合肥未附产品质量检验合格证明"
    page.fill("[data-testid=rect-facts]", facts)
    page.fill("[data-testid=rect-requirements]", "下架未附合格证的复合肥，补齐合格证明")
    due = date.today() + timedelta(days=14)
    page.fill("[data-testid=rect-due]", due.isoformat())
    page.fill("[data-testid=rect-served-to]", "王建国")
    page.click("[data-testid=rect-save]")

    # The whole order, read-only, before anyone signs.
    page.wait_for_selector("[data-testid=preview-document]")
    shown = page.inner_text("[data-testid=preview-document]")
    assert "责令改正通知书" in shown and facts in shown and f"于{cn_date(due)}前改正" in shown
    assert "六十日内" in shown and page.locator("[data-testid=signature-pad]").count() == 0
    page.screenshot(path=str(screenshots / "pwa-rectification-preview.png"))
    sign_order(page)  # 以上通知书我已看过; the party signs (the name 王建国 filled in), then 张执法 and 刘执法
    row = page.locator("[data-testid=rectification-row]")
    row.wait_for()
    assert facts in row.inner_text() and row.get_attribute("data-order-status") == "queued"
    order_id = row.get_attribute("data-order-id")

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    go_home(page)
    wait_synced(page, timeout=90)

    co = playwright_browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        liu = co.new_page()
        liu_errors = watch_errors(liu)
        login(liu, live_server.url, "tuoketuo.liu")
        order = liu.locator(f"[data-testid=orders] [data-order-id='{order_id}']")
        order.wait_for()
        text = order.inner_text()
        assert "呼托市监责改〔" in text and "已签发" in text and facts in text and "当事人已签字" in text
        liu.locator("[data-testid=orders]").screenshot(path=str(screenshots / "pwa-rectification-co-inspector.png"))
        assert liu_errors == []
    finally:
        co.close()

    api = Api(live_server.url)

    def notice():
        body = api.request("GET", f"/api/v1/rectifications/{order_id}/notice.pdf", raw=True)
        words = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", "-", "-"], input=body,
                                                  capture_output=True, check=True).stdout.decode())
        return (body, words) if "签名图像尚未上传" not in words else None  # the drawings' bytes follow the order

    pdf, text = until(notice, timeout=60)
    assert "当事人当场签收（签字见下）" in text and "未签名" not in text, text
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        images = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, check=True).stdout.decode()
    assert len(images.splitlines()[2:]) == 3  # the party's drawing and both inspectors'
    assert errors == []
