"""Small things an inspector runs into every day on the phone: discarding a draft, deleting a
photo by mistake, what the sync chip counts, the chip when the signal comes back, text typed just
before a reload, why a record is read-only, and upload internals on the inspector's screens."""
from __future__ import annotations

from .pwa_helpers import (
    at_field, Api, answer_checklist_with_photos, add_evidence_photo, add_sample, current_draft_id, go_home, goto_step, login,
    make_jpeg, return_case, sign_all, start_inspection, submit, wait_controlled, wait_synced, watch_errors,
    write_record,
)

CHIP = "[data-testid=sync-chip]"


def _phone_at_work(phone, url):
    at_field(phone, url)
    page = phone.new_page()
    return page, watch_errors(page)


def _chip(page) -> str:
    return page.inner_text(CHIP).strip()


def _pump_until(page, predicate, polls: int = 300) -> None:
    """Wait for a route handler's effect: Playwright dispatches handlers only while it waits."""
    for _ in range(polls):
        if predicate():
            return
        page.wait_for_timeout(100)
    raise AssertionError("condition not met in time")


def _wait_chip(page, text: str) -> None:
    page.wait_for_function(f"document.querySelector({CHIP!r}).textContent.trim() === {text!r}")


def test_a_draft_deleted_offline_disappears_and_the_deletion_syncs(live_server, phone):
    page, errors = _phone_at_work(phone, live_server.url)
    login(page, live_server.url)
    wait_controlled(page)
    record_id = start_inspection(page)
    go_home(page)
    wait_synced(page)
    api = Api(live_server.url)
    assert record_id in {i["id"] for i in api.inspections()}

    phone.set_offline(True)  # the inspector started at the wrong shop and notices it in the car park
    page.click("[data-testid=draft-row]")
    goto_step(page, "review")
    page.click("[data-testid=delete-draft]")
    page.click("[data-testid=confirm-cancel]")  # a slip of the thumb deletes nothing
    assert page.locator("[data-testid=step-review][aria-current=step]").count() == 1
    page.click("[data-testid=delete-draft]")
    assert "不能恢复" in page.inner_text(".sheet")
    page.click("[data-testid=confirm-ok]")
    page.wait_for_selector("[data-testid=sync-panel]")
    assert page.locator("[data-testid=draft-row]").count() == 0
    assert "暂无草稿" in page.inner_text("[data-testid=drafts]")
    assert "待同步 1 条记录" in _chip(page)  # the deletion itself waits for the network

    page.reload()  # still gone after the app restarts offline
    page.wait_for_selector("[data-testid=sync-panel]")
    assert page.locator("[data-testid=draft-row]").count() == 0

    phone.set_offline(False)
    wait_synced(page)
    assert record_id not in {i["id"] for i in api.inspections()}
    assert page.locator("[data-testid=draft-row]").count() == 0
    assert errors == []


def test_a_photo_or_a_sample_is_deleted_only_after_the_inspector_confirms(live_server, phone, tmp_path):
    page, errors = _phone_at_work(phone, live_server.url)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)
    start_inspection(page)
    make_jpeg(tmp_path / "shelf.jpg", seed=3)
    add_evidence_photo(page, tmp_path / "shelf.jpg", "货架")

    page.click("[data-testid=photo] >> text=删除")
    assert "删除这张照片" in page.inner_text(".sheet")
    page.click("[data-testid=confirm-cancel]")
    assert page.locator("[data-testid=photo]").count() == 1
    page.reload()
    page.wait_for_selector("[data-testid=photo]")
    assert page.locator("[data-testid=photo]").count() == 1

    page.click("[data-testid=photo] >> text=删除")
    page.click("[data-testid=confirm-ok]")
    page.wait_for_selector("[data-testid=photo]", state="detached")
    assert "暂无证据照片" in page.inner_text("main")

    add_sample(page)  # a sample's dozen typed fields are no less work than a photo
    page.click("[data-testid=sample] >> text=删除")
    page.click("[data-testid=confirm-cancel]")
    assert page.input_value("[data-testid=sample-sealNumbers]") == "FY20260001, FY20260002"
    page.click("[data-testid=sample] >> text=删除")
    page.click("[data-testid=confirm-ok]")
    page.wait_for_selector("[data-testid=sample]", state="detached")
    assert errors == []


def test_the_chip_counts_records_and_follows_the_network_at_once(live_server, phone, screenshots):
    page, errors = _phone_at_work(phone, live_server.url)
    login(page, live_server.url)
    wait_controlled(page)
    held = []  # pushes that reach the network but get no answer: a connection about to drop
    page.route("**/api/v1/sync/push", lambda route: held.append(route))
    record_id = start_inspection(page)
    page.click("[data-testid=section-pass]")  # dozens of findings: dozens of queued changes, one record
    go_home(page)
    _pump_until(page, lambda: held)
    _wait_chip(page, "正在同步… · 待同步 1 条记录")
    assert "待同步 1 条记录" in page.inner_text("[data-testid=waiting]")

    phone.set_offline(True)  # the signal drops while that push is on the wire
    _wait_chip(page, "离线 · 待同步 1 条记录")
    page.screenshot(path=str(screenshots / "pwa-chip-offline.png"))

    phone.set_offline(False)  # the signal is back: a new sync starts now, not after the old push times out
    _pump_until(page, lambda: len(held) >= 2)
    page.unroute("**/api/v1/sync/push")
    for route in held:
        try:
            route.continue_()
        except Exception:  # noqa: BLE001 - the first one was cancelled with the lost connection
            pass
    wait_synced(page)
    _wait_chip(page, "在线")
    case = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")
    assert {f["result"] for f in case["findings"]} == {"pass"}
    assert errors == []


def test_text_typed_just_before_a_reload_is_kept(live_server, phone):
    page, errors = _phone_at_work(phone, live_server.url)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)
    record_id = start_inspection(page)
    goto_step(page, "record")
    narrative = "检查人员到达现场时，当事人正在营业。"
    page.fill("[data-testid=narrative]", narrative)
    page.reload()  # at once: no time for the usual save after typing stops
    page.wait_for_selector("[data-testid=narrative]")
    assert page.input_value("[data-testid=narrative]") == narrative

    phone.set_offline(False)  # and the kept text is queued like any edit
    go_home(page)
    wait_synced(page)
    assert Api(live_server.url).get(f"/api/v1/inspections/{record_id}")["narrative"] == narrative
    assert errors == []


def test_a_submitted_record_waits_for_review_and_a_returned_one_offers_the_fix(live_server, phone, tmp_path):
    page, errors = _phone_at_work(phone, live_server.url)
    login(page, live_server.url)
    record_id = start_inspection(page)
    answer_checklist_with_photos(page, tmp_path, seed=40)
    write_record(page, "现场检查货架陈列的农资商品，查看进货台账。")
    sign_all(page)
    submit(page)
    wait_synced(page)

    page.click("[data-testid=submitted] [data-testid=draft-row]")
    goto_step(page, "review")
    assert "等待审核" in page.inner_text("[data-testid=status-notice]")
    assert page.locator("[data-testid=delete-draft]").count() == 0  # a submitted record is evidence

    return_case(live_server, record_id)
    go_home(page)
    page.click("[data-testid=sync-now]")
    returned = page.locator("[data-testid=returned] button", has_text="请补充合格证明照片")
    returned.wait_for()
    returned.click()
    goto_step(page, "review")
    screen = page.inner_text("main")
    assert "请补充合格证明照片" in screen and "修改并重新提交" in screen
    assert "不能修改" not in screen
    assert page.locator("[data-testid=delete-draft]").count() == 0
    page.click("[data-testid=amend]")
    page.wait_for_selector("[data-testid=submit]")
    assert current_draft_id(page) == record_id
    assert errors == []


def test_upload_tuning_is_kept_out_of_the_inspectors_settings(live_server, phone):
    page, errors = _phone_at_work(phone, live_server.url)
    login(page, live_server.url)
    page.click("[data-testid=open-settings]")
    page.wait_for_selector("[data-testid=logout]")
    settings = page.inner_text("main")
    assert "分块" not in settings and "KiB" not in settings

    page.click("[data-testid=open-diagnostics]")  # support staff still find it one tap further
    page.select_option("[data-testid=chunk-size]", str(64 * 1024))
    page.reload()
    page.wait_for_selector("[data-testid=chunk-size]")
    assert page.input_value("[data-testid=chunk-size]") == str(64 * 1024)
    go_home(page)
    assert errors == []
