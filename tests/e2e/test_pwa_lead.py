"""An inspector hears of fake pesticide at a shop, records the lead on his phone with no signal, and it
reaches the county's register when the phone syncs; what the register would refuse
is checked on the phone before it is queued."""
from __future__ import annotations

from .conftest import DEMO_PASSWORD
from .pwa_helpers import go_home, login, open_app, until, wait_controlled, wait_synced, watch_errors


def _console(desktop, url: str, username: str):
    page = desktop.new_page()
    page.goto(url + "/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def test_a_lead_recorded_offline_reaches_the_register_when_the_phone_syncs(live_server, phone, desktop, screenshots):
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    assert page.locator("[data-testid=deadline-counts]").is_visible()

    phone.set_offline(True)
    page.reload()
    open_app(page, live_server.url)
    page.click("[data-testid=new-lead]")
    page.select_option("[data-testid=lead-productCategory]", "pesticide")
    page.fill("[data-testid=lead-respondent-name]", "托克托县某农药门市")
    page.fill("[data-testid=lead-facts]", "村民反映该门市出售无农药登记证号的杀虫剂")
    page.click("[data-testid=lead-save]")
    page.wait_for_selector("[data-testid=lead-problems]")  # a real-name report needs the reporter, or anonymous
    assert "匿名" in page.inner_text("[data-testid=lead-problems]")
    page.check("[data-testid=lead-anonymous]")
    page.click("[data-testid=lead-save]")
    page.wait_for_selector("[data-testid=lead-row]")
    row = page.inner_text("[data-testid=lead-row]")
    assert "托克托县某农药门市" in row and "待同步" in row
    page.screenshot(path=str(screenshots / "pwa-lead-offline.png"))

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_synced(page, timeout=90)
    go_home(page)
    until(lambda: "已登记" in page.inner_text("[data-testid=lead-row]"))

    officer = _console(desktop, live_server.url, "tuoketuo.officer")
    officer.goto(live_server.url + "/console/filings")
    assert "托克托县某农药门市" in officer.inner_text("table.filings")
    row = officer.locator("table.filings tr", has_text="托克托县某农药门市")
    assert "举报" in row.inner_text() and "执法检查中发现" in row.inner_text()
    assert errors == []


def test_a_leads_photo_taken_offline_follows_the_lead_and_shows_on_the_filing(live_server, phone, desktop, tmp_path):
    from .pwa_helpers import make_jpeg

    shelf = tmp_path / "shelf.jpg"
    make_jpeg(shelf)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)

    phone.set_offline(True)
    page.reload()
    open_app(page, live_server.url)
    page.click("[data-testid=new-lead]")
    page.fill("[data-testid=lead-respondent-name]", "托克托县某种子门市")
    page.fill("[data-testid=lead-facts]", "货架上的玉米种子无标签")
    page.set_input_files("[data-testid=lead-photo-input]", str(shelf))
    page.wait_for_selector("[data-testid=lead-photo-item]", timeout=20000)
    assert "shelf.jpg" in page.inner_text("[data-testid=lead-photos]")
    page.check("[data-testid=lead-anonymous]")
    page.click("[data-testid=lead-save]")
    page.wait_for_selector("[data-testid=lead-row]")

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_synced(page, timeout=90)

    officer = _console(desktop, live_server.url, "tuoketuo.officer")
    officer.goto(live_server.url + "/console/filings")
    officer.locator("table.filings tr", has_text="托克托县某种子门市").locator("a").first.click()
    until(lambda: officer.reload() or "shelf.jpg" in officer.inner_text("[data-attachments]"))
    assert officer.locator("[data-attachments] [data-attachment-link]").count() == 1
    assert "上传中" not in officer.inner_text("[data-attachments]")
    assert errors == []
