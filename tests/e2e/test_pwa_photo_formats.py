"""Photos in every format the server accepts: an iPhone's HEIC is kept byte for byte on a phone
whose browser cannot show it (a placeholder until the server's copy arrives), and a file that
cannot be a photo says so in Chinese, on screen until the inspector dismisses it."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from ..conftest import DEMO_PASSWORD
from ..real_photos import real_photo_path
from .pwa_helpers import (
    at_field, Api, go_home, goto_step, login, make_jpeg, start_inspection, until, wait_synced, watch_errors,
)

# The photo card's picture is drawn from an object URL that decoded to a real image.
PICTURE_SHOWN = """() => { const img = document.querySelector('[data-testid=photo] img');
  return img && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0
    ? [img.naturalWidth, img.naturalHeight] : null; }"""



def test_an_iphone_heic_is_kept_shown_as_a_placeholder_then_as_the_servers_copy(live_server, phone):
    heic = real_photo_path("iphone_13_pro_max.HEIC")
    sha = hashlib.sha256(heic.read_bytes()).hexdigest()
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    phone.set_offline(True)  # taken in a field with no signal
    record_id = start_inspection(page)
    goto_step(page, "photos")

    page.set_input_files("[data-testid=evidence-photo]", str(heic))
    page.fill("[data-testid=photo-reason]", "当事人手机中的照片")  # taken in 2022: asked why
    page.click("[data-testid=photo-reason-ok]")

    card = page.locator("[data-testid=photo]")
    card.locator("[data-testid=photo-placeholder]").wait_for(timeout=30000)
    assert "同步后显示" in card.inner_text()
    assert "拍摄时间 2022-02-16 19:55" in card.inner_text()  # EXIF read from the HEIC: 12:55 +01:00
    assert card.locator("[data-testid=photo-hash]").inner_text().startswith(f"指纹 {sha[:16]}")
    assert page.locator("[data-testid=alert]").is_hidden()

    phone.set_offline(False)
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page, timeout=120)
    api = Api(live_server.url)
    assert hashlib.sha256(api.blob(sha)).hexdigest() == sha  # the original, byte for byte
    [photo] = api.get(f"/api/v1/inspections/{record_id}")["photos"]
    assert photo["mediaType"] == "image/heic" and photo["uploaded"]

    page.evaluate(f"location.hash = '#/i/{record_id}/photos'")
    size = until(lambda: page.evaluate(PICTURE_SHOWN), timeout=30)
    assert size == [1200, 1600]  # the server's display copy of the 3024×4032 portrait
    assert page.locator("[data-testid=photo-placeholder]").count() == 0
    assert errors == []


def test_a_file_that_is_not_a_photo_leaves_a_chinese_message_until_dismissed(live_server, phone, tmp_path):
    note = tmp_path / "IMG_0002.jpg"
    note.write_text("这不是照片 — a note saved under a photo's name\n" * 20)
    at_field(phone, live_server.url)
    page = phone.new_page()
    login(page, live_server.url)
    start_inspection(page)
    goto_step(page, "photos")

    page.set_input_files("[data-testid=evidence-photo]", str(note))

    alert = page.locator("[data-testid=alert]")
    alert.wait_for(state="visible", timeout=20000)
    page.wait_for_timeout(4000)  # longer than any toast stays: the message must still be there
    assert alert.is_visible()
    assert "“IMG_0002.jpg”不是可用的照片格式" in alert.inner_text()
    assert page.locator("[data-testid=photo]").count() == 0

    page.click("[data-testid=alert-close]")
    assert alert.is_hidden()


def test_a_gallery_photo_asks_why_and_shows_the_same_clock_on_the_phone_and_the_console(
        live_server, playwright_browser, desktop, tmp_path):
    """The Nokia wrote 14:12 +03:00 in Helsinki in 2022: on a phone in 托克托县 today it is a photo from
    the gallery (asked why), and it shows 19:12, China time, on the phone and in the console."""
    nokia = real_photo_path("HMD_Nokia_8.3_5G.jpg")
    phone = playwright_browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                           timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True)
    try:
        at_field(phone, live_server.url)
        page = phone.new_page()
        errors = watch_errors(page)
        login(page, live_server.url)
        record_id = start_inspection(page)
        goto_step(page, "photos")

        page.set_input_files("[data-testid=evidence-photo]", str(nokia))
        warning = page.locator("[data-testid=photo-deviation]")
        warning.wait_for(timeout=30000)
        assert "早于检查 4 年" in warning.inner_text() and "距检查地点 6,000 公里" in warning.inner_text()
        page.click("[data-testid=photo-reason-cancel]")  # not this one after all
        page.wait_for_function("document.querySelector('[data-role=photo-status]').textContent === ''")
        assert page.locator("[data-testid=photo]").count() == 0

        page.set_input_files("[data-testid=evidence-photo]", str(nokia))
        page.locator("[data-testid=photo-reason-ok]").click(timeout=30000)
        assert "请填写原因" in page.inner_text(".sheet")  # no reason, no photo
        page.fill("[data-testid=photo-reason]", "当事人手机中的进货照片")
        page.click("[data-testid=photo-reason-ok]")
        card = page.locator("[data-testid=photo]")
        card.wait_for(timeout=20000)
        assert "拍摄时间 2022-08-14 19:12" in card.inner_text()
        assert "说明：当事人手机中的进货照片" in card.inner_text()

        go_home(page)
        page.click("[data-testid=sync-now]")
        wait_synced(page, timeout=120)
        [photo] = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")["photos"]
        assert photo["remark"] == "当事人手机中的进货照片"
        assert photo["exifTakenAt"] == "2022-08-14T14:12:31+03:00"
        assert errors == []
    finally:
        phone.close()

    console = desktop.new_page()
    console.goto(live_server.url + "/console/login")
    console.fill("input[name=username]", "hhht.reviewer")
    console.fill("input[name=password]", DEMO_PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url("**/console/")
    console.goto(f"{live_server.url}/console/cases/{record_id}")
    figure = console.locator(f"[data-photo='{photo['id']}']").inner_text()
    assert "2022-08-14 19:12" in figure and "当事人手机中的进货照片" in figure


def test_a_photo_from_a_camera_on_another_zone_shows_china_time_on_the_phone_and_the_console(
        live_server, phone, desktop, tmp_path):
    """A camera set to Helsinki time (+03:00) takes a photo now: the phone and the console both show
    the China time of that moment (the phone used to show the camera's 5-hours-earlier wall clock)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    helsinki = now.astimezone(timezone(timedelta(hours=3)))
    china = now.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    make_jpeg(tmp_path / "label.jpg", taken=helsinki.strftime("%Y:%m:%d %H:%M:%S"), offset="+03:00")
    at_field(phone, live_server.url)
    page = phone.new_page()
    login(page, live_server.url)
    record_id = start_inspection(page)
    goto_step(page, "photos")

    page.set_input_files("[data-testid=evidence-photo]", str(tmp_path / "label.jpg"))

    card = page.locator("[data-testid=photo]")
    card.wait_for(timeout=20000)
    assert f"拍摄时间 {china}" in card.inner_text()
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page)
    console = desktop.new_page()
    console.goto(live_server.url + "/console/login")
    console.fill("input[name=username]", "hhht.reviewer")
    console.fill("input[name=password]", DEMO_PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url("**/console/")
    console.goto(f"{live_server.url}/console/cases/{record_id}")
    assert china in console.locator("[data-photo]").inner_text()


# The phone's storage fills up: IndexedDB refuses photo bytes as browsers do when the quota is spent.
FULL_PHONE = """() => { const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'blobs') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args); }; }"""


def test_a_full_phone_says_so_until_dismissed_and_keeps_the_record_as_it_was(live_server, phone, tmp_path):
    make_jpeg(tmp_path / "shelf.jpg")
    at_field(phone, live_server.url)
    page = phone.new_page()
    login(page, live_server.url)
    start_inspection(page)
    goto_step(page, "photos")
    page.evaluate(FULL_PHONE)

    page.set_input_files("[data-testid=evidence-photo]", str(tmp_path / "shelf.jpg"))

    alert = page.locator("[data-testid=alert]")
    alert.wait_for(state="visible", timeout=20000)
    page.wait_for_timeout(4000)  # longer than any toast stays
    assert "手机存储空间不足" in alert.inner_text()
    assert page.locator("[data-testid=photo]").count() == 0


def test_a_photo_the_server_refuses_is_explained_in_chinese_on_the_home_screen(live_server, phone, tmp_path):
    """A HEIC cut short (a copy that stopped half-way) is kept on the phone like any HEIC, but the
    server refuses its bytes: the home screen says why in words, not with the server's code alone."""
    whole = real_photo_path("iphone_13_pro_max.HEIC").read_bytes()
    cut = tmp_path / "IMG_0003.HEIC"
    cut.write_bytes(whole[: len(whole) // 2])
    at_field(phone, live_server.url)
    page = phone.new_page()
    login(page, live_server.url)
    start_inspection(page)
    goto_step(page, "photos")
    page.set_input_files("[data-testid=evidence-photo]", str(cut))
    reason = page.locator("[data-testid=photo-reason]")
    page.wait_for_selector("[data-testid=photo], [data-testid=photo-reason]", timeout=30000)
    if reason.count():  # its EXIF (if still readable) dates it to 2022: asked why
        reason.fill("当事人手机中的照片")
        page.click("[data-testid=photo-reason-ok]")
    page.locator("[data-testid=photo]").wait_for(timeout=30000)

    go_home(page)
    page.click("[data-testid=sync-now]")
    message = page.locator("[data-testid=last-error]")
    message.wait_for(timeout=60000)
    assert "有照片文件不完整，服务器未接收" in message.inner_text(), message.inner_text()
