"""An inspector photographs several checklist items in quick succession, offline, and keeps
answering while the photos are processed: every photo stays on its item, after a reload and on
the server once the phone syncs.

A phone camera is a separate app: the inspector taps 拍照 on one item, and while the camera is
open the form is redrawn (an earlier photo finished processing, an answer was tapped). The camera
then hands its picture to the input that was tapped, which is no longer on the page. That picture
must still reach the record."""
from __future__ import annotations

from .pwa_helpers import (
    at_field, Api, go_home, login, make_jpeg, start_inspection, wait_controlled, wait_saved, wait_synced, watch_errors,
)

ITEMS = ("G01", "G02", "G07")  # the general checklist's photo-required items answered here
BIG = (2400, 1800)  # larger than the display copy: each photo is decoded and re-encoded on the phone


def _photos_shown(page) -> dict[str, int]:
    return {key: page.locator(f"#item-{key} [data-testid=photo-img]").count() for key in ITEMS}


def test_photos_taken_in_quick_succession_all_stay_on_their_items(live_server, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)
    record_id = start_inspection(page)
    hashes = {key: make_jpeg(tmp_path / f"{key}.jpg", size=BIG, seed=n + 20) for n, key in enumerate(ITEMS)}

    # 拍照 on G07: the camera opens and holds on to that input until the picture is taken.
    g07_input = page.query_selector("[data-testid=photo-G07]")
    # Meanwhile: two photos attached without waiting, and the checklist answered on.
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "G01.jpg"))
    page.set_input_files("[data-testid=photo-G02]", str(tmp_path / "G02.jpg"))
    page.click("[data-testid=G03-fail]")
    page.fill("textarea[data-item=G03]", "标签缺少生产厂厂址")
    page.click("[data-testid=section-pass]")
    page.wait_for_selector("#item-G01 [data-testid=photo-img]")
    page.wait_for_selector("#item-G02 [data-testid=photo-img]")
    # The form was drawn again while the camera was open: the tapped input is gone from the page.
    assert g07_input.evaluate("input => input.isConnected") is False

    g07_input.set_input_files(str(tmp_path / "G07.jpg"))  # the camera returns its picture
    page.wait_for_selector("#item-G07 [data-testid=photo-img]")
    assert _photos_shown(page) == {key: 1 for key in ITEMS}
    assert page.get_attribute("[data-testid=G03-fail]", "aria-pressed") == "true"
    assert page.get_attribute("[data-testid=G04-pass]", "aria-pressed") == "true"

    # Reloaded offline (the service worker serves the app): every photo is still on its item.
    wait_saved(page)
    page.reload()
    page.wait_for_selector("[data-testid=G03-fail]")
    page.wait_for_selector("#item-G07 [data-testid=photo-img]")
    assert _photos_shown(page) == {key: 1 for key in ITEMS}
    assert page.input_value("textarea[data-item=G03]") == "标签缺少生产厂厂址"

    # The signal comes back: the server has each photo on its item, bytes included.
    phone.set_offline(False)
    go_home(page)
    wait_synced(page, timeout=90)
    case = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")
    assert {p["itemKey"]: p["sha256"] for p in case["photos"]} == hashes
    assert all(p["uploaded"] for p in case["photos"])
    findings = {f["itemKey"]: f for f in case["findings"]}
    assert findings["G03"]["result"] == "fail" and findings["G03"]["note"] == "标签缺少生产厂厂址"
    assert errors == []


def test_a_picture_returned_after_leaving_its_record_is_reported_not_dropped(live_server, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    record_id = start_inspection(page)
    make_jpeg(tmp_path / "G07.jpg", seed=27)

    g07_input = page.query_selector("[data-testid=photo-G07]")  # 拍照 on G07: the camera opens
    go_home(page)  # the inspector leaves the record meanwhile
    g07_input.set_input_files(str(tmp_path / "G07.jpg"))  # the camera returns its picture

    page.wait_for_selector("[data-testid=alert]:not(.hidden)")
    assert "照片未添加" in page.inner_text("[data-testid=alert]")
    page.evaluate(f"location.hash = '#/i/{record_id}/checklist'")
    page.wait_for_selector("[data-testid=G01-pass]")
    assert page.locator("#item-G07 .thumbs > *").count() == 0  # attached to nothing, said so
    assert errors == []


def test_a_picture_returned_while_its_record_is_redrawn_is_kept(live_server, phone, tmp_path):
    """The record's screen is being rebuilt (a tap on its own step bar) at the moment the camera hands
    its picture back: it is attached, not refused as taken for a closed record."""
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    start_inspection(page)
    make_jpeg(tmp_path / "G07.jpg", seed=28)
    data = list((tmp_path / "G07.jpg").read_bytes())

    # In one task: the route is taken again (the screen is torn down and rebuilt asynchronously)
    # and the camera's picture arrives on the input of the screen being replaced.
    page.evaluate("""(bytes) => {
        const input = document.querySelector('[data-testid=photo-G07]');
        const files = new DataTransfer();
        files.items.add(new File([new Uint8Array(bytes)], 'G07.jpg', { type: 'image/jpeg' }));
        input.files = files.files;
        window.dispatchEvent(new HashChangeEvent('hashchange'));
        input.dispatchEvent(new Event('change', { bubbles: true }));
    }""", data)
    page.wait_for_selector("#item-G07 [data-testid=photo-img]")
    assert page.locator("[data-testid=alert]:not(.hidden)").count() == 0
    assert errors == []
