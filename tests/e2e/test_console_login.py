"""A reviewer logs in to the console in a real browser."""
from __future__ import annotations

from .conftest import DEMO_PASSWORD


def test_reviewer_logs_in_and_sees_their_agency(live_server, desktop, screenshots):
    page = desktop.new_page()
    page.goto(live_server.url + "/console/")
    page.fill("input[name=username]", "hhht.reviewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.screenshot(path=str(screenshots / "console-login.png"))
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    assert "呼和浩特市市场监督管理局" in page.content()
    page.screenshot(path=str(screenshots / "console-home.png"))


def test_wrong_password_shows_a_message(live_server, desktop):
    page = desktop.new_page()
    page.goto(live_server.url + "/console/login")
    page.fill("input[name=username]", "hhht.reviewer")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".flash.error").inner_text().strip() == "用户名或密码错误。"
