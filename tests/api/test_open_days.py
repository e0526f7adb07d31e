"""Lab open days as their people use them: a league announces one, farmers book from their phones
without logging in, the desk checks them in and registers samples, the lab enters results, the
farmer looks his up, and a suspect result becomes a 举报 with his consent. The public pages resist
abuse (per phone, per browser, per day; no enumeration; nothing personal listed); bad input is
refused and changes nothing (SQLite and PostgreSQL). Acceptance examples: next-capabilities.md §6.4.
"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from inspector import clock
from inspector.database import db, write_intent
from inspector.errors import ApiError
from inspector.models import Filing, OpenDayBooking
from inspector.services import complaints, open_days

from ..console_support import CSRF, reviewer_session

BEIJING = timezone(timedelta(hours=8))
FARMER, PHONE = "王老汉", "13947100088"
SELLER = "丰收农资店（托克托县五申镇）"
NUMBER = re.compile(r'id="booking-number">([2-9A-Z]{4}-[2-9A-Z]{4})<')
SLOT = re.compile(r'name="slotID" value="(\d+)"')


@pytest.fixture(autouse=True)
def monday_before_the_open_day():
    """Beijing, Monday 2026-09-28 10:00; the open day is on Wednesday 2026-09-30."""
    clock.set_now(datetime(2026, 9, 28, 10, 0, tzinfo=BEIJING))
    yield
    clock.set_now(None)


def at(day: int, month: int = 9, hour: int = 10) -> None:
    clock.set_now(datetime(2026, month, day, hour, 0, tzinfo=BEIJING))


def staff(app, username: str = "hhht.officer"):
    return reviewer_session(app.test_client(), username)


def csrf(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def announce(app, *, slots: str = "09:00-11:30 20\n14:00-16:30 20", capacity: str = "",
             first: str = "2026-09-30", last: str = "2026-09-30", who: str = "hhht.officer"):
    client = staff(app, who)
    r = client.post("/console/open-days", data={
        "csrf_token": csrf(client, "/console/open-days/new"), "lab": "呼和浩特市产品质量检验所",
        "place": "新华广场东侧", "firstDay": first, "lastDay": last,
        "services": "化肥养分速测\n农药有效成分初筛", "slots": slots, "capacitySamples": capacity})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"].rsplit("/", 1)[1]


def slot_ids(farmer, open_day_id: str) -> list[str]:
    return SLOT.findall(farmer.get(f"/open-days/{open_day_id}").get_data(as_text=True))


def book(farmer, open_day_id: str, slot: str | None = None, **fields):
    data = {"slotID": slot or slot_ids(farmer, open_day_id)[0], "name": FARMER, "phone": PHONE,
            "product": "复合肥料 15-15-15", "brand": "丰登", "batch": "20260301", "boughtFrom": SELLER, **fields}
    return farmer.post(f"/open-days/{open_day_id}/book",
                       data={**data, "csrf_token": csrf(farmer, f"/open-days/{open_day_id}")})


def booked_number(farmer, open_day_id: str, **fields) -> str:
    r = book(farmer, open_day_id, **fields)
    assert r.status_code == 303, r.get_data(as_text=True)
    return NUMBER.search(farmer.get("/open-days/booked").get_data(as_text=True)).group(1)


def lookup(farmer, number: str, phone: str = PHONE):
    return farmer.post("/open-days/lookup", data={"number": number, "phone": phone,
                                                  "csrf_token": csrf(farmer, "/open-days/lookup")})


def bookings() -> int:
    db.session.rollback()  # a fresh snapshot: the requests wrote since
    return db.session.scalar(select(func.count()).select_from(OpenDayBooking))


def booking(number: str) -> OpenDayBooking:
    db.session.rollback()  # a fresh snapshot: the requests wrote since
    return db.session.scalars(select(OpenDayBooking).where(OpenDayBooking.number == number.replace("-", ""))).one()


# ---------------------------------------------------------------- announcing, the public list

def test_a_league_announces_and_farmers_see_places_not_people(app):
    open_day = announce(app)
    farmer = app.test_client()
    booked_number(farmer, open_day)
    listing = app.test_client().get("/open-days/")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and '<html lang="zh-CN">' in html
    assert "呼和浩特市产品质量检验所" in html and "化肥养分速测" in html and "新华广场东侧" in html
    assert ">39<" in html  # 40 places, one taken
    detail = app.test_client().get(f"/open-days/{open_day}").get_data(as_text=True)
    assert "剩余 19 / 20" in detail and "剩余 20 / 20" in detail
    for page in (html, detail):
        assert FARMER not in page and PHONE not in page and SELLER not in page and "丰登" not in page


def test_a_county_bureau_cannot_announce(app):
    client = staff(app, "tuoketuo.officer")
    assert client.get("/console/open-days/new").status_code == 403


# ---------------------------------------------------------------- booking and the lookup

def test_a_farmer_books_and_looks_up_with_number_and_phone(app):
    open_day = announce(app)
    farmer = app.test_client()
    number = booked_number(farmer, open_day)
    confirmation = farmer.get("/open-days/booked").get_data(as_text=True)
    assert "预约成功" in confirmation and "2026-09-30 09:00-11:30" in confirmation
    result = lookup(app.test_client(), number.lower().replace("-", " "), "１３９ ４７１０ ００８８")  # full-width
    page = result.get_data(as_text=True)
    assert result.status_code == 200 and number in page and "已预约" in page
    assert "仅供参考，不作为执法依据" in page


def test_a_wrong_phone_says_nothing_about_the_booking(app):
    open_day = announce(app)
    number = booked_number(app.test_client(), open_day)
    snoop = app.test_client()
    wrong_phone = lookup(snoop, number, "13800000000")
    unknown_number = lookup(snoop, "ZZZZ-ZZZZ", PHONE)
    assert wrong_phone.status_code == unknown_number.status_code == 404

    def visible(r):  # the page as read, without the form's token and what the person typed
        html = CSRF.sub("", r.get_data(as_text=True))
        return html.replace(number, "").replace("13800000000", "").replace("ZZZZ-ZZZZ", "").replace(PHONE, "")

    assert visible(wrong_phone) == visible(unknown_number)
    assert "没有找到与该预约号和手机号相符的预约" in visible(wrong_phone)
    for _ in range(3):
        lookup(snoop, number, "13800000001")
    limited = lookup(snoop, number, PHONE)  # even the right phone, after five failures of this browser
    assert limited.status_code == 429 and "查询失败次数过多" in limited.get_data(as_text=True)
    assert "Retry-After" in limited.headers
    # The number typed is limited too (its fifth failure here), so new browsers cannot go on guessing.
    assert lookup(app.test_client(), number, "13800000002").status_code == 404
    assert lookup(app.test_client(), number, "13800000003").status_code == 429


def test_one_phone_number_holds_two_bookings_of_an_open_day(app):
    open_day = announce(app)
    for _ in range(2):
        booked_number(app.test_client(), open_day)
    third = book(app.test_client(), open_day)
    assert third.status_code == 429
    assert "这个手机号在本次开放日已有预约" in third.get_data(as_text=True)
    assert bookings() == 2


def test_one_browser_makes_five_bookings_a_day(app):
    open_day = announce(app)
    venue_phone = app.test_client()  # one phone passed round at the venue, numbers of five farmers
    for n in range(5):
        booked_number(venue_phone, open_day, phone=f"1394710010{n}")
    sixth = book(venue_phone, open_day, phone="13947100109")
    assert sixth.status_code == 429 and "本设备今天预约次数已达上限" in sixth.get_data(as_text=True)
    assert bookings() == 5
    # The same address, another browser: farmers share the venue's network, so it still books.
    assert book(app.test_client(), open_day, phone="13947100109").status_code == 303


def test_a_full_slot_is_refused(app):
    open_day = announce(app, slots="09:00-11:30 1\n14:00-16:30 5")
    morning = slot_ids(app.test_client(), open_day)[0]
    booked_number(app.test_client(), open_day)
    late = book(app.test_client(), open_day, slot=morning, phone="13947100077")
    assert late.status_code == 409 and "该时段已约满" in late.get_data(as_text=True)
    assert bookings() == 1
    assert 'value="%s" disabled' % morning in app.test_client().get(f"/open-days/{open_day}").get_data(as_text=True)


def test_open_a1_the_101st_sample_is_wait_listed(app):
    """OPEN-A1: event capacity 100 samples, booking 101 → the 101st is wait-listed."""
    open_day = announce(app, slots="09:00-11:30 60\n14:00-16:30 60", capacity="100")
    slots = [s.id for s in open_days.public_open_day(open_day).slots]
    for n in range(100):
        done = open_days.book(open_day, {"slot_id": slots[n % 2], "name": f"农户{n}", "phone": f"1394720{n:04d}",
                                         "product": "尿素", "bought_from": SELLER}, f"browser-{n}", f"10.0.0.{n}")
        assert done.status == "booked"
    farmer = app.test_client()
    number = booked_number(farmer, open_day)
    assert "已登记为候补" in farmer.get("/open-days/booked").get_data(as_text=True)
    assert booking(number).status == "waitlisted"


# ---------------------------------------------------------------- bad input

def test_bad_input_is_refused_and_changes_nothing(app):
    open_day = announce(app)
    farmer = app.test_client()
    not_a_phone = book(farmer, open_day, phone="12345")
    assert not_a_phone.status_code == 400 and "请填写11位手机号码" in not_a_phone.get_data(as_text=True)
    assert 'value="12345"' in not_a_phone.get_data(as_text=True)  # what he typed stays in the form
    unknown = farmer.post("/open-days/00000000-0000-4000-8000-000000000000/book",
                          data={"slotID": "1", "name": FARMER, "phone": PHONE, "product": "尿素",
                                "boughtFrom": SELLER, "csrf_token": csrf(farmer, f"/open-days/{open_day}")})
    assert unknown.status_code == 404
    assert app.test_client().get("/open-days/no-such-day").status_code == 404
    no_token = farmer.post(f"/open-days/{open_day}/book", data={"slotID": slot_ids(farmer, open_day)[0],
                                                               "name": FARMER, "phone": PHONE, "product": "尿素",
                                                               "boughtFrom": SELLER})
    assert no_token.status_code == 400 and "页面已过期，您填写的内容已保留" in no_token.get_data(as_text=True)
    assert f'value="{FARMER}"' in no_token.get_data(as_text=True)
    slot = slot_ids(farmer, open_day)[0]
    at(1, month=10)  # the open day is past
    past = book(farmer, open_day, slot=slot)
    assert past.status_code in (400, 404)
    assert bookings() == 0
    at(28)
    client = staff(app)
    past_day = client.post("/console/open-days", data={
        "csrf_token": csrf(client, "/console/open-days/new"), "lab": "检验所", "place": "广场",
        "firstDay": "2026-09-01", "lastDay": "2026-09-01", "services": "化肥养分速测", "slots": "09:00-11:30 20"})
    assert past_day.status_code == 400 and "该日期已过" in past_day.get_data(as_text=True)


def test_a_slot_already_past_is_refused_while_the_open_day_runs(app):
    open_day = announce(app, first="2026-09-29", last="2026-09-30")
    farmer = app.test_client()
    first_slot = slot_ids(farmer, open_day)[0]  # 2026-09-29 morning
    at(30)
    r = book(farmer, open_day, slot=first_slot)
    assert r.status_code == 400 and "该日期已过" in r.get_data(as_text=True)
    assert bookings() == 0


# ---------------------------------------------------------------- the desk and the lab

def desk_post(client, booking_id: str, step: str, data: dict | None = None):
    page = f"/console/open-days/bookings/{booking_id}"
    return client.post(f"{page}/{step}", data={**(data or {}), "csrf_token": csrf(client, page)})


def farmer_with_result(app, verdict: str = "suspect"):
    """A farmer booked, came on 2026-09-30, the desk registered his bag, the lab measured it."""
    open_day = announce(app)
    farmer = app.test_client()
    number = booked_number(farmer, open_day)
    at(30)
    desk = staff(app)
    found = desk.get(f"/console/open-days/{open_day}?q={number.lower()}")
    assert found.status_code == 302
    booking_id = found.headers["Location"].rsplit("/", 1)[1]
    assert desk_post(desk, booking_id, "check-in").status_code == 303
    assert desk_post(desk, booking_id, "samples", {"product": "复合肥料 15-15-15", "brand": "丰登",
                                                    "batch": "20260301", "boughtFrom": SELLER,
                                                    "declared": "总养分≥45%"}).status_code == 303
    sample_id = booking(number).samples[0].id
    assert desk_post(desk, booking_id, "result", {"sampleID": sample_id, "testItem": "总养分",
                                                   "declaredValue": "≥45%", "measuredValue": "32%",
                                                   "verdict": verdict}).status_code == 303
    return farmer, desk, number, booking_id


def test_open_a2_the_result_is_due_five_working_days_after_the_sample(app):
    """OPEN-A2: sample received 2026-09-30, target 5 WD → result due 2026-10-13 (National Day)."""
    _farmer, desk, number, booking_id = farmer_with_result(app)
    assert booking(number).samples[0].result_due.isoformat() == "2026-10-13"
    assert "2026-10-13" in desk.get(f"/console/open-days/bookings/{booking_id}").get_data(as_text=True)


def test_a_sample_without_its_result_is_on_the_bureaus_todo_list(app):
    """A sample registered 2026-09-30 shows overdue on 2026-10-14 until its result is entered."""
    open_day = announce(app)
    number = booked_number(app.test_client(), open_day)
    at(30)
    desk = staff(app)
    booking_id = desk.get(f"/console/open-days/{open_day}?q={number}").headers["Location"].rsplit("/", 1)[1]
    desk_post(desk, booking_id, "check-in")
    desk_post(desk, booking_id, "samples", {"product": "尿素", "boughtFrom": SELLER})
    at(14, month=10)
    todo = desk.get("/console/todo?scope=bureau").get_data(as_text=True)
    overdue = todo[todo.index('data-bucket="overdue"'):]
    assert f"{number}-1 尿素" in overdue and "开放日样品出结果" in overdue and FARMER not in todo
    sample_id = booking(number).samples[0].id
    desk_post(desk, booking_id, "result", {"sampleID": sample_id, "testItem": "总氮", "measuredValue": "46.2%",
                                           "verdict": "normal"})
    assert f"{number}-1" not in desk.get("/console/todo?scope=bureau").get_data(as_text=True)


def test_the_farmer_reads_his_result_marked_informational(app):
    """OPEN-A4: the result as printed says 仅供参考，不作为执法依据."""
    farmer, _desk, number, _ = farmer_with_result(app)
    page = lookup(farmer, number).get_data(as_text=True)
    assert "总养分" in page and "32%" in page and "疑似不合格" in page and "结果已出" in page
    assert "本结果仅供参考，不作为执法依据，不是法定检验报告。" in page


def test_open_a3_a_suspect_result_becomes_a_report_with_consent(app, user):
    """OPEN-A3: 总养分 32 % on a bag declaring 45 %, the farmer consents → a 举报 against the seller."""
    farmer, desk, number, booking_id = farmer_with_result(app)
    refused = desk_post(desk, booking_id, "forward", {"productCategory": "fertilizer", "respondentName": SELLER})
    assert refused.status_code == 400 and "转为举报需要农户同意" in refused.get_data(as_text=True)
    db.session.rollback()  # a fresh snapshot: the requests wrote since
    assert db.session.scalar(select(func.count()).select_from(Filing)) == 0
    assert booking(number).filing_id is None and booking(number).consent_forward is None

    done = desk_post(desk, booking_id, "forward", {"productCategory": "fertilizer", "respondentName": SELLER,
                                                   "consent": "1", "consentMethod": "in_person"})
    assert done.status_code == 303
    record = booking(number)
    filing = db.session.get(Filing, record.filing_id)
    assert filing.kind == "report" and filing.channel == "onsite_event" and filing.respondent_name == SELLER
    assert "实测 32%" in filing.facts and "仅供参考" in filing.facts and number in filing.facts
    assert FARMER not in filing.facts and PHONE not in filing.facts
    assert record.consent_forward is True and record.consent_method == "in_person" and record.consent_at
    page = desk.get(f"/console/open-days/bookings/{booking_id}").get_data(as_text=True)
    assert f"/console/filings/{filing.id}" in page and "农户同意（当面）已记录" in page
    # The farmer is the real-name reporter, kept from those who do not handle the report.
    officer, reviewer = user("hhht.officer"), user("hhht.reviewer")
    assert complaints.person_for(officer, filing).name == FARMER
    assert complaints.person_for(officer, filing).phone == PHONE
    assert complaints.person_for(reviewer, filing).hidden
    assert "已作为举报线索" in lookup(farmer, number).get_data(as_text=True)
    # Once forwarded it is not forwarded twice.
    again = desk_post(desk, booking_id, "forward", {"productCategory": "fertilizer", "consent": "1"})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Filing)) == 1


def test_a_normal_result_is_not_forwarded(app):
    _farmer, desk, number, booking_id = farmer_with_result(app, verdict="normal")
    assert 'id="forward-form"' not in desk.get(f"/console/open-days/bookings/{booking_id}").get_data(as_text=True)
    r = desk_post(desk, booking_id, "forward", {"productCategory": "fertilizer", "consent": "1"})
    assert r.status_code == 409
    db.session.rollback()  # a fresh snapshot: the requests wrote since
    assert db.session.scalar(select(func.count()).select_from(Filing)) == 0


def test_desk_staff_of_another_league_do_not_see_the_booking(app):
    _farmer, _desk, _number, booking_id = farmer_with_result(app)
    other = staff(app, "baotou.reviewer")
    assert other.get(f"/console/open-days/bookings/{booking_id}").status_code == 404


def test_the_desk_registers_walk_ins_past_the_public_limits_but_not_past_the_slot(app):
    open_day = announce(app, slots="09:00-11:30 6")
    desk = staff(app)
    page = f"/console/open-days/{open_day}"
    slot = re.search(r'<option value="(\d+)"', desk.get(page).get_data(as_text=True)).group(1)
    for n in range(6):  # one desk browser, one farmer's phone for his family: no public limit applies
        r = desk.post(f"{page}/walk-in", data={"csrf_token": csrf(desk, page), "slotID": slot, "name": f"农户{n}",
                                               "phone": PHONE, "product": "尿素", "boughtFrom": SELLER})
        assert r.status_code == 303, r.get_data(as_text=True)
    assert "已现场登记" in desk.get(r.headers["Location"]).get_data(as_text=True)
    full = desk.post(f"{page}/walk-in", data={"csrf_token": csrf(desk, page), "slotID": slot, "name": "迟到的",
                                              "phone": PHONE, "product": "尿素", "boughtFrom": SELLER})
    assert full.status_code == 409 and "该时段已约满" in full.get_data(as_text=True)
    assert 'value="迟到的"' in full.get_data(as_text=True)
    db.session.rollback()
    statuses = db.session.scalars(select(OpenDayBooking.status)).all()
    assert statuses == ["checked_in"] * 6


def test_a_farmer_may_read_the_pages_in_english(app):
    open_day = announce(app)
    farmer = app.test_client()
    r = farmer.post("/console/language", data={"lang": "en", "next": f"/open-days/{open_day}",
                                               "csrf_token": csrf(farmer, "/open-days/")})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/open-days/{open_day}")
    page = farmer.get(f"/open-days/{open_day}").get_data(as_text=True)
    assert '<html lang="en">' in page and "Choose a time" in page and "20 of 20 left" in page
    number = booked_number(farmer, open_day)
    assert "Your booking number" in farmer.get("/open-days/booked").get_data(as_text=True)
    assert "No booking matches" in lookup(farmer, number, "13800000000").get_data(as_text=True)


def test_farmers_booking_the_last_places_at_the_same_moment_do_not_overfill_the_slot(app):
    open_day = announce(app, slots="09:00-11:30 3\n14:00-16:30 3")
    slot = open_days.public_open_day(open_day).slots[0].id
    db.session.rollback()
    barrier = threading.Barrier(8)
    results: list = [None] * 8

    def farmer(n: int) -> None:
        token = write_intent.set(True)  # as a POST request would
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[n] = open_days.book(open_day, {"slot_id": slot, "name": f"农户{n}", "phone": f"1394730{n:04d}",
                                                       "product": "尿素", "bought_from": SELLER}, f"b{n}", f"10.1.0.{n}")
                results[n] = "booked"
            except ApiError as err:
                results[n] = err.code
            finally:
                db.session.remove()
                write_intent.reset(token)

    threads = [threading.Thread(target=farmer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == ["booked"] * 3 + ["slot_full"] * 5, results
    assert bookings() == 3


@pytest.mark.parametrize("junk", [
    {"slotID": "abc"}, {"slotID": "99999999999"}, {"slotID": "-1"}, {"name": "王" * 65}, {"phone": "\x00"},
    {"phone": "139471000889"}, {"phone": "२३९४७१०००८८"}, {"product": ""},
])
def test_junk_in_the_booking_form_is_a_4xx_and_books_nothing(app, junk):
    open_day = announce(app)
    r = book(app.test_client(), open_day, **junk)
    assert 400 <= r.status_code < 500, r.status_code
    assert bookings() == 0


def test_junk_in_the_lookup_and_the_addresses_is_a_4xx(app):
    farmer = app.test_client()
    assert lookup(farmer, "\x00" * 30, "ü" * 50).status_code == 404
    assert farmer.get("/open-days/" + "x" * 500).status_code == 404
    assert farmer.get("/open-days/booked").status_code == 302  # nothing booked in this browser
    assert farmer.post("/open-days/", data={}).status_code == 405


def test_names_and_phones_are_forgotten_half_a_year_after_the_open_day(app):
    """OPEN-R6: the CLI erases who booked; what was tested stays; the 举报 keeps its reporter."""
    farmer, desk, number, booking_id = farmer_with_result(app)
    desk_post(desk, booking_id, "forward", {"productCategory": "fertilizer", "consent": "1"})
    at(1, month=12)  # two months on: kept
    runner = app.test_cli_runner()
    assert "of 0 open-day" in runner.invoke(args=["forget-open-day-contacts", "--days", "180"]).output
    clock.set_now(datetime(2027, 4, 1, 10, 0, tzinfo=BEIJING))
    assert "of 1 open-day" in runner.invoke(args=["forget-open-day-contacts", "--days", "180"]).output
    page = desk.get(f"/console/open-days/bookings/{booking_id}").get_data(as_text=True)
    assert FARMER not in page and PHONE not in page and "（已删除）" in page and "32%" in page
    assert lookup(farmer, number).status_code == 404
    db.session.rollback()
    filing = db.session.get(Filing, booking(number).filing_id)
    assert complaints.person_for(filing.created_by, filing).phone == PHONE
