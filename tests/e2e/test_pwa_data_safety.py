"""Nothing typed is lost: a save refused by a full disk is shown and retried with its changes, a
refused login token (401) leads to a new login that keeps the queued work, and a photo the server
refuses neither blocks the upload queue nor is dropped."""
from __future__ import annotations

import base64
import json
import urllib.error

from .conftest import DEMO_PASSWORD
from .pwa_helpers import (
    at_field, Api, go_home, goto_step, login, make_jpeg, outbox_size, start_inspection, until, wait_saved, wait_synced,
)

# IndexedDB writes fail as on a full disk while window.__diskFull is true.
DISK_FULL = """(() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (window.__diskFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
})();"""



def test_a_save_refused_by_a_full_disk_is_shown_kept_and_retried(live_server, phone):
    at_field(phone, live_server.url)
    page = phone.new_page()
    page.add_init_script(DISK_FULL)
    login(page, live_server.url)
    record_id = start_inspection(page)
    goto_step(page, "record")
    until(lambda: outbox_size(page) == 0, timeout=60)  # the record exists on the server

    page.evaluate("window.__diskFull = true")
    page.fill("[data-testid=narrative]", "货架上陈列复合肥料30袋。")
    # The inspector is told plainly that the edit is not stored (not "saving…" forever, not "saved").
    page.wait_for_function("document.querySelector('[data-testid=saved]').textContent.includes('未保存')")
    assert "存储空间不足" in page.inner_text("[data-testid=saved]")
    assert page.input_value("[data-testid=narrative]") == "货架上陈列复合肥料30袋。"

    # Space is freed; the next save (here: moving to another step) stores and queues the edit.
    page.evaluate("window.__diskFull = false")
    goto_step(page, "sign")
    wait_saved(page)
    go_home(page)
    wait_synced(page)
    case = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")
    assert case["narrative"] == "货架上陈列复合肥料30袋。"


def test_a_refused_token_pauses_sync_and_a_new_login_keeps_the_queue(live_server, phone):
    at_field(phone, live_server.url)
    page = phone.new_page()
    login(page, live_server.url)
    refused = json.dumps({"error": {"code": "token_revoked", "message": "token revoked"}})
    page.route("**/api/v1/sync/push", lambda route: route.fulfill(status=401, content_type="application/json", body=refused))
    record_id = start_inspection(page)
    go_home(page)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=relogin]", timeout=30000)
    assert outbox_size(page) > 0  # a 401 clears nothing

    page.unroute("**/api/v1/sync/push")
    page.click("[data-testid=relogin]")
    page.wait_for_selector("[data-testid=login-form]")
    assert page.input_value("input[name=username]")  # the same inspector, prefilled
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=sync-panel]")
    wait_synced(page)
    assert outbox_size(page) == 0
    assert Api(live_server.url).get(f"/api/v1/inspections/{record_id}")["id"] == record_id


def test_a_photo_the_server_refuses_does_not_hold_back_the_others(live_server, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    login(page, live_server.url)
    refused_sha = make_jpeg(tmp_path / "refused.jpg", seed=71)
    good_sha = make_jpeg(tmp_path / "good.jpg", seed=72)
    marker = base64.b64encode(refused_sha.encode()).decode()
    body = json.dumps({"error": {"code": "unsupported_format", "message": "not an image"}})

    def refuse_one(route):
        if route.request.method == "POST" and marker in (route.request.headers.get("upload-metadata") or ""):
            route.fulfill(status=422, content_type="application/json", body=body)
        else:
            route.continue_()
    page.route("**/api/v1/uploads", refuse_one)
    start_inspection(page)
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "refused.jpg"))
    page.wait_for_selector("#item-G01 .thumbs img", timeout=20000)
    page.set_input_files("[data-testid=photo-G02]", str(tmp_path / "good.jpg"))
    page.wait_for_selector("#item-G02 .thumbs img", timeout=20000)
    go_home(page)

    api = Api(live_server.url)

    def good_uploaded():
        page.click("[data-testid=sync-now]")
        try:
            return api.blob(good_sha)
        except urllib.error.HTTPError:
            return None
    until(good_uploaded, timeout=40, interval=2)
    uploads = page.evaluate("""() => new Promise((resolve) => { const r = indexedDB.open('inspector');
        r.onsuccess = () => { const q = r.result.transaction('uploads').objectStore('uploads').getAll();
        q.onsuccess = () => { resolve(q.result.map((u) => [u.sha256, u.state])); r.result.close(); }; }; })""")
    assert any(sha == refused_sha and state != "done" for sha, state in uploads)  # kept, not dropped
