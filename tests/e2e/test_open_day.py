"""Issue 15 §2, end to end: a league officer announces a lab open day; a farmer books a slot on his
phone (390×844, no login) and writes the booking number down; the desk checks him in and registers
his bag of fertilizer; the lab enters a suspect result; the farmer looks it up with the number and
his phone; with his consent the desk turns it into a 举报 in the complaints register."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .conftest import DEMO_PASSWORD

FARMER, PHONE = "王老汉", "13947100088"
SELLER = "丰收农资店（托克托县五申镇）"


def _console(context, url: str, username: str):
    page = context.new_page()
    page.goto(url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"


def test_a_farmer_books_a_slot_gets_his_result_and_it_becomes_a_report(live_server, phone, desktop, screenshots):
    url = live_server.url
    today = datetime.now(timezone(timedelta(hours=8))).date()
    # 1. the league announces the open day
    staff = _console(desktop, url, "hhht.officer")
    staff.goto(url + "/console/open-days/new")
    staff.fill("#open-day-form input[name=lab]", "呼和浩特市产品质量检验所")
    staff.fill("#open-day-form input[name=place]", "新华广场东侧")
    staff.fill("#open-day-form input[name=firstDay]", today.isoformat())
    staff.fill("#open-day-form input[name=lastDay]", (today + timedelta(days=1)).isoformat())
    staff.fill("#open-day-form textarea[name=slots]", "00:00-23:59 20")
    staff.click("#open-day-form button[type=submit]")
    staff.wait_for_selector("text=开放日已发布")
    event_url = staff.url

    # 2. the farmer books on his phone
    farmer = phone.new_page()
    farmer.goto(url + "/open-days/")
    assert farmer.locator("html").get_attribute("lang") == "zh-CN"
    _fits_the_phone(farmer)
    farmer.click("a.primary >> nth=0")
    farmer.check("input[name=slotID] >> nth=0")
    farmer.fill("input[name=name]", FARMER)
    farmer.fill("input[name=phone]", "139 4710 0088")
    farmer.fill("input[name=product]", "复合肥料 15-15-15")
    farmer.fill("input[name=brand]", "丰登")
    farmer.fill("input[name=batch]", "20260301")
    farmer.fill("input[name=boughtFrom]", SELLER)
    _fits_the_phone(farmer)
    farmer.screenshot(path=str(screenshots / "open-day-booking-form.png"), full_page=True)
    farmer.click("button[type=submit]")
    farmer.wait_for_selector("text=预约成功")
    number = farmer.inner_text("#booking-number").strip()
    assert len(number) == 9 and number[4] == "-"
    _fits_the_phone(farmer)
    farmer.screenshot(path=str(screenshots / "open-day-booked.png"), full_page=True)
    # The public page shows the place taken, not who took it.
    farmer.goto(url + "/open-days/")
    assert FARMER not in farmer.content() and PHONE not in farmer.content()

    # 3. on the day: the desk finds him by the number he reads out, checks in, registers his bag
    staff.goto(event_url)
    staff.fill("input[name=q]", number.lower())
    staff.click("form.card button[type=submit]")
    staff.wait_for_selector("#check-in")
    assert FARMER in staff.content() and PHONE in staff.content()
    staff.click("#check-in")
    staff.wait_for_selector("text=已登记到场")
    staff.fill("#sample-form input[name=declared]", "总养分≥45%")
    staff.click("#sample-form button[type=submit]")
    staff.wait_for_selector(f"text=样品 {number}-1 已登记")

    # 4. the lab enters the result
    sample = staff.locator(f"section.sample[data-label='{number}-1']")
    sample.locator("input[name=testItem]").fill("总养分")
    sample.locator("input[name=declaredValue]").fill("≥45%")
    sample.locator("input[name=measuredValue]").fill("32%")
    sample.locator("select[name=verdict]").select_option("suspect")
    sample.locator("button[type=submit]").click()
    staff.wait_for_selector("text=结果已保存")

    # 5. the farmer looks it up with the number and his phone
    farmer.goto(url + "/open-days/lookup")
    farmer.fill("input[name=number]", number)
    farmer.fill("input[name=phone]", PHONE)
    farmer.click("button[type=submit]")
    farmer.wait_for_selector("text=开放日检测结果")
    page = farmer.inner_text("main")
    assert "32%" in page and "疑似不合格" in page and "仅供参考，不作为执法依据" in page
    _fits_the_phone(farmer)
    farmer.screenshot(path=str(screenshots / "open-day-result.png"), full_page=True)

    # 6. he agrees: the desk turns the result into a 举报 against the seller
    staff.reload()
    staff.click("#forward")  # without the consent box ticked: refused, nothing registered
    staff.wait_for_selector("text=转为举报需要农户同意")
    staff.check("#forward-form input[name=consent]")
    staff.click("#forward")
    staff.wait_for_selector("text=已登记为举报")
    staff.click("#forwarded a")
    staff.wait_for_url("**/console/filings/*")
    filing = staff.inner_text("main")
    assert SELLER in filing and "实测 32%" in filing
    staff.screenshot(path=str(screenshots / "open-day-report.png"), full_page=True)

    farmer.goto(url + "/open-days/lookup")
    farmer.fill("input[name=number]", number)
    farmer.fill("input[name=phone]", PHONE)
    farmer.click("button[type=submit]")
    farmer.wait_for_selector("text=已作为举报线索")
