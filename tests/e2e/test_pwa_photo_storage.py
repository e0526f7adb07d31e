"""Photo bytes on the phone over a long trip: an original leaves the phone once the server has
confirmed it holds it; the display copy stays (the record is shown from it offline); an original
the server has not confirmed (held for Wi-Fi, or still named by a record the server has not
confirmed) keeps its bytes; unsynced work exported after that still moves to another phone."""
from __future__ import annotations

import hashlib
import json

from .pwa_helpers import (
    at_field, Api, add_evidence_photo, go_home, goto_step, login, make_jpeg, second_phone_with_import,
    start_inspection, until, wait_controlled, wait_saved, wait_synced, watch_errors,
)

# What the phone holds: blob hashes (with sizes), upload entries and the drafts' photos.
IDB_STATE = """() => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { const tx = r.result.transaction(['blobs', 'uploads', 'drafts']); const out = { blobs: {} };
    tx.objectStore('blobs').openCursor().onsuccess = (e) => { const c = e.target.result;
      if (c) { out.blobs[c.value.sha256] = c.value.bytes.byteLength; c.continue(); } };
    tx.objectStore('uploads').getAll().onsuccess = (e) => {
      out.uploads = Object.fromEntries(e.target.result.map((u) => [u.sha256, u.state])); };
    tx.objectStore('drafts').getAll().onsuccess = (e) => {
      out.photos = e.target.result.flatMap((d) => d.photos.map((p) => ({ ...p, inspectionID: d.id }))); };
    tx.oncomplete = () => { r.result.close(); resolve(out); }; }; })"""

# Every photo on the open screen is drawn from bytes on the phone (an object URL), not a broken image.
PHOTOS_SHOWN = """(selector) => { const imgs = [...document.querySelectorAll(selector)];
  return imgs.length > 0 && imgs.every((i) => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0); }"""

BIG = (2400, 1800)  # larger than the 1600 px display copy, so the phone keeps two files per photo



def _format_bytes(n: int) -> str:
    """The app's own formatBytes (js/lib/bytes.js), for comparing what the home screen says."""
    units, i, v = ["B", "KB", "MB", "GB"], 0, float(n)
    if not n:
        return "0 B"
    while v >= 1024 and i < len(units) - 1:
        v, i = v / 1024, i + 1
    return f"{v:.{1 if v < 10 and i > 0 else 0}f} {units[i]}"


def _photos_line(page) -> str:
    return page.inner_text("[data-testid=photo-bytes]")


def test_originals_leave_the_phone_once_the_server_confirms_them(live_server, playwright_browser, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)  # photos taken in a field with no signal
    record_id = start_inspection(page)
    label_sha = make_jpeg(tmp_path / "label.jpg", size=BIG, seed=41)
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "label.jpg"))
    page.wait_for_selector("#item-G01 .thumbs img", timeout=20000)
    stock_sha = make_jpeg(tmp_path / "stock.jpg", size=BIG, seed=42)
    add_evidence_photo(page, tmp_path / "stock.jpg", "仓库存货")
    wait_saved(page)
    before = page.evaluate(IDB_STATE)
    displays = {p["sha256"]: p["displaySha256"] for p in before["photos"]}
    assert set(displays) == {label_sha, stock_sha} and not set(displays) & set(displays.values())
    assert set(before["blobs"]) >= {label_sha, stock_sha, *displays.values()}
    go_home(page)
    photo_bytes = sum(before["blobs"][sha] for sha in [*displays, *displays.values()])
    assert _photos_line(page).startswith(f"手机上的照片：{_format_bytes(photo_bytes)}")

    phone.set_offline(False)
    page.click("[data-testid=sync-now]")
    wait_synced(page, timeout=90)
    after = until(lambda: (s := page.evaluate(IDB_STATE)) and not {label_sha, stock_sha} & set(s["blobs"]) and s)
    assert all(sha in after["blobs"] for sha in displays.values())  # the display copies stay
    assert {after["uploads"][sha] for sha in displays} == {"done"}
    assert all(p["uploaded"] for p in after["photos"])
    api = Api(live_server.url)
    for sha in displays:  # the server has every original the phone let go of
        assert hashlib.sha256(api.blob(sha)).hexdigest() == sha
    display_bytes = sum(after["blobs"][sha] for sha in displays.values())
    until(lambda: _photos_line(page).startswith(f"手机上的照片：{_format_bytes(display_bytes)}"))

    # Back in the field: the record still shows both photos, from the phone alone.
    phone.set_offline(True)
    page.reload()
    page.wait_for_function("document.documentElement.dataset.ready === 'true'")
    page.evaluate(f"location.hash = '#/i/{record_id}'")
    page.wait_for_function(PHOTOS_SHOWN, arg="#item-G01 .thumbs img", timeout=20000)
    goto_step(page, "photos")
    page.wait_for_function(PHOTOS_SHOWN, arg="[data-testid=photo] img", timeout=20000)

    # More work offline, exported: the file carries the record, but no original the server holds.
    goto_step(page, "record")
    page.fill("[data-testid=narrative]", "仓库内存放复合肥料40袋。")
    wait_saved(page)
    page.click("[data-testid=open-settings]")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    export_file = tmp_path / "unsynced.json"
    download.value.save_as(export_file)
    exported = json.loads(export_file.read_text(encoding="utf-8"))
    assert record_id in [d["id"] for d in exported["drafts"]]
    assert not set(displays) & {b["sha256"] for b in exported["blobs"]}
    assert not set(displays) & {u["sha256"] for u in exported["uploads"]}

    # Another phone imports it and syncs without looking for the originals.
    with second_phone_with_import(playwright_browser, live_server.url, export_file) as second:
        assert not set(displays) & set(second.evaluate(IDB_STATE)["uploads"])
    case = api.get(f"/api/v1/inspections/{record_id}")
    assert case["narrative"] == "仓库内存放复合肥料40袋。"
    assert sorted(p["sha256"] for p in case["photos"]) == sorted(displays) and all(p["uploaded"] for p in case["photos"])
    assert errors == []


def test_an_original_held_for_wifi_keeps_its_bytes_until_it_is_uploaded(live_server, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    page.click("[data-testid=open-settings]")
    page.check("input[data-setting=originalsOnWifi]")  # this phone reports no Wi-Fi
    go_home(page)
    start_inspection(page)
    sha = make_jpeg(tmp_path / "label.jpg", size=BIG, seed=51)
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "label.jpg"))
    page.wait_for_selector("#item-G01 .thumbs img", timeout=20000)
    wait_saved(page)
    go_home(page)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("text=1 张原图等待 Wi-Fi", timeout=60000)
    state = page.evaluate(IDB_STATE)
    (photo,) = state["photos"]
    assert state["uploads"] == {photo["displaySha256"]: "done", sha: "held"}
    assert sha in state["blobs"] and not photo.get("uploaded")  # not on the server: the bytes stay

    page.click("[data-action=upload-originals]")
    wait_synced(page, timeout=90)
    state = until(lambda: (s := page.evaluate(IDB_STATE)) and sha not in s["blobs"] and s)
    assert photo["displaySha256"] in state["blobs"] and state["photos"][0]["uploaded"]
    assert errors == []


def test_a_picture_in_two_records_stays_until_both_are_confirmed(live_server, phone, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)
    first_id = start_inspection(page)
    sha = make_jpeg(tmp_path / "shared.jpg", size=BIG, seed=61)
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "shared.jpg"))
    page.wait_for_selector("#item-G01 .thumbs img", timeout=20000)
    wait_saved(page)
    go_home(page)
    second_id = start_inspection(page)  # the same picture is evidence in a second visit
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "shared.jpg"))
    page.wait_for_selector("#item-G01 .thumbs img", timeout=20000)
    wait_saved(page)

    # The server's answers have not yet reached the second record's photo (a later pull page).
    def without_second_photo(route):
        response = route.fetch()
        body = response.json()
        body["patch"] = [op for op in body.get("patch", [])
                         if not (op.get("type") == "photo" and (op.get("value") or {}).get("inspectionID") == second_id)]
        route.fulfill(response=response, json=body)
    page.route("**/api/v1/sync/pull", without_second_photo)
    phone.set_offline(False)
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page, timeout=90)
    # The worker's full decode passes; the phone's next pull (it asks again soon) confirms the first.
    until(lambda: any(p["inspectionID"] == first_id and p.get("uploaded") for p in page.evaluate(IDB_STATE)["photos"]),
          timeout=90)
    page.unroute_all(behavior="ignoreErrors")
    state = page.evaluate(IDB_STATE)
    confirmed = {p["inspectionID"]: bool(p.get("uploaded")) for p in state["photos"]}
    assert confirmed == {first_id: True, second_id: False} and state["uploads"][sha] == "done"
    assert sha in state["blobs"]  # the second record still needs them
    assert errors == []


def test_a_photo_the_server_cannot_decode_stays_on_the_phone_which_says_so(live_server, phone, tmp_path):
    """The server's full decode (its job) failed for a delivered photo: the pull says so, the phone
    keeps the original and tells the inspector in plain words to take the photo again."""
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)
    record_id = start_inspection(page)
    sha = make_jpeg(tmp_path / "label.jpg", size=BIG, seed=71)
    page.set_input_files("[data-testid=photo-G01]", str(tmp_path / "label.jpg"))
    page.wait_for_selector("#item-G01 .thumbs img", timeout=20000)
    wait_saved(page)

    # What the server answers for a photo whose pixels its decode refused (the bytes arrived whole).
    def decode_failed(route):
        response = route.fetch()
        body = response.json()
        for op in body.get("patch", []):
            if op.get("type") == "photo" and op.get("op") == "put":
                op["value"].update(uploaded=False, processing="failed",
                                   processingError="the JPEG cannot be decoded (broken data stream)")
        route.fulfill(response=response, json=body)
    page.route("**/api/v1/sync/pull", decode_failed)
    phone.set_offline(False)
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page, timeout=90)
    state = until(lambda: (s := page.evaluate(IDB_STATE)) and s["uploads"].get(sha) == "done"
                  and any(p.get("processing") == "failed" for p in s["photos"]) and s)

    assert sha in state["blobs"]  # the original stays on the phone
    assert not any(p.get("uploaded") for p in state["photos"])
    page.evaluate(f"location.hash = '#/i/{record_id}'")
    goto_step(page, "photos")
    message = page.inner_text("[data-testid=photo-upload]")
    assert "服务器无法打开这张照片" in message and "手机上的原图已保留" in message
    page.unroute_all(behavior="ignoreErrors")
    assert errors == []
