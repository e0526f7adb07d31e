"""A county officer opens a case clock (先行登记保存 → 处理决定, 7 working days) on an inspector's case
in the console and sends its sample to the lab; the inspector's phone, once synced and then
offline, shows the clock in its 待办 on home and on the case, standing still while the sample is
at the lab."""
from __future__ import annotations

import re

from .pwa_helpers import (
    go_home, login, open_app, submit_case_with_sample, until, wait_synced, watch_errors,
)
from .test_pwa_lab_result import _console, _step

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_a_case_clock_opened_in_the_console_shows_on_the_inspectors_phone(live_server, phone, desktop,
                                                                        screenshots, tmp_path):
    page, errors = submit_case_with_sample(phone, live_server.url, tmp_path, 91,
                                           "检查人员到达现场时，当事人正在营业。对涉嫌不合格的复合肥料先行登记保存，并抽取样品送检。")
    go_home(page)
    page.click("[data-testid=submitted] [data-testid=draft-row]")
    case_id = UUID.search(page.url).group(0)

    officer = _console(desktop, live_server.url, "tuoketuo.officer")
    officer.goto(f"{live_server.url}/console/cases/{case_id}/followup")
    form = officer.locator("#new-clock")
    form.locator("select[name=rule]").select_option("CASE-3")
    form.locator("input[name=title]").fill("先行登记保存复合肥料120袋")
    today = officer.evaluate("new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Shanghai'}).format(new Date())")
    form.locator("input[name=start_date]").fill(today)
    form.locator("button[type=submit]").click()
    officer.goto(f"{live_server.url}/console/cases/{case_id}/followup")
    listed = officer.locator("[data-clock]").first.inner_text()
    due = re.findall(r"\d{4}-\d{2}-\d{2}", listed)[-1]
    officer.goto(live_server.url + "/console/samples")
    officer.click("[data-sample] a")
    _step(officer, "ship", {"labName": "内蒙古农产品质量检测中心", "shippedOn": today})

    def pulled() -> bool:
        go_home(page)
        page.click("[data-testid=sync-now]")
        wait_synced(page)
        return page.locator("[data-testid=case-clocks] [data-testid=case-clock]").count() == 1
    until(pulled, timeout=60, interval=1)
    phone.set_offline(True)
    page.reload()
    open_app(page, live_server.url)
    clock = page.locator("[data-testid=case-clocks] [data-testid=case-clock]")
    clock.wait_for()
    text = clock.inner_text()
    assert "先行登记保存后作出处理决定" in text and "先行登记保存复合肥料120袋" in text
    assert f"到期：{due}" in text and "7个工作日" in text
    assert clock.get_attribute("data-paused") == "true" and "暂停计算" in text  # the sample is at the lab
    page.screenshot(path=str(screenshots / "pwa-home-case-clock.png"), full_page=True)

    page.click("[data-testid=submitted] [data-testid=draft-row]")
    on_case = page.locator("[data-testid=case-clocks] [data-testid=case-clock]")
    on_case.wait_for()
    assert on_case.get_attribute("data-rule") == "CASE-3" and f"到期：{due}" in on_case.inner_text()
    page.screenshot(path=str(screenshots / "pwa-case-clock-on-case.png"), full_page=True)
    assert errors == []


COUNT = """async (clocks) => {
  const todo = await import('/app/js/todo.js');
  const store = await import('/app/js/store.js');
  return todo.todoCounts([], await store.getCalendar(), new Date('2026-09-29T04:00:00Z'), clocks);
}"""


def test_the_phone_counts_open_case_clocks_on_their_alert_day_across_the_national_day(live_server, phone):
    """Today 2026-09-29: 2 working days on are 9/30 and 10/8 (国庆 10/1–7), so a clock due 10-08 is
    due soon; a natural-day clock counts on its plain count, not its 最迟; a decided one not at all."""
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_synced(page)
    clocks = [
        {"id": "a", "status": "open", "alertDate": "2026-09-28", "dueDate": "2026-09-28"},
        {"id": "b", "status": "open", "alertDate": "2026-09-29", "dueDate": "2026-09-29"},
        {"id": "c", "status": "open", "alertDate": "2026-10-08", "dueDate": "2026-10-08", "dueProvisional": False},
        {"id": "d", "status": "open", "alertDate": "2026-10-01", "dueDate": "2026-10-08"},  # raw 10-01: soon
        {"id": "e", "status": "open", "alertDate": "2026-10-09", "dueDate": "2026-10-09"},
        {"id": "f", "status": "decided", "alertDate": "2026-09-28", "dueDate": "2026-09-28"},
        {"id": "g", "status": "open", "alertDate": "2027-01-08", "dueDate": "2027-01-08", "dueProvisional": True},
    ]
    assert page.evaluate(COUNT, clocks) == {"overdue": 1, "today": 1, "soon": 2, "provisional": 1}
    assert errors == []
