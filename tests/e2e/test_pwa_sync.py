"""Sync against a real server: a photo upload that survives a server crash, a case returned by a
reviewer and amended on the phone, and unsynced work carried to another phone by file."""
from __future__ import annotations

import hashlib
import json
import urllib.request

from .pwa_helpers import (
    at_field, Api, answer_checklist_with_photos, add_evidence_photo, go_home, goto_step, login, make_jpeg,
    return_case, second_phone_with_import, sign_all, start_inspection, submit, until, wait_controlled, wait_saved, wait_synced,
    watch_errors, write_record,
)

IDB_UPLOADS = """() => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { const tx = r.result.transaction(['uploads', 'meta']); const out = {};
    tx.objectStore('uploads').getAll().onsuccess = (e) => { out.uploads = e.target.result; };
    tx.objectStore('meta').get('session').onsuccess = (e) => { out.token = e.target.result.value.token; };
    tx.oncomplete = () => { r.result.close(); resolve(out); }; }; })"""



def _server_offset(upload_url: str, token: str) -> int:
    req = urllib.request.Request(upload_url, method="HEAD",
                                 headers={"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return int(response.headers["Upload-Offset"])


def test_a_photo_upload_resumes_after_the_server_is_killed(live_server, phone, screenshots, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    page.click("[data-testid=open-settings]")
    page.click("[data-testid=open-diagnostics]")  # the chunk size is a support setting
    page.select_option("[data-testid=chunk-size]", str(64 * 1024))
    go_home(page)
    record_id = start_inspection(page)
    big_sha = make_jpeg(tmp_path / "big.jpg", size=(2600, 2000), noise=True, seed=7)
    size = (tmp_path / "big.jpg").stat().st_size
    assert size > 5 * 1024 * 1024
    cdp = phone.new_cdp_session(page)  # a slow uplink, so the crash lands mid-upload
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 5, "downloadThroughput": -1,
                                                  "uploadThroughput": 1024 * 1024})
    requests: list[tuple[str, str, str | None]] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.headers.get("upload-offset"))))
    add_evidence_photo(page, tmp_path / "big.jpg", "整批货物")

    def original_in_flight():
        state = page.evaluate(IDB_UPLOADS)
        entry = next((u for u in state["uploads"] if u["sha256"] == big_sha), None)
        if entry and entry.get("uploadURL") and entry.get("offset", 0) > 0:
            return entry["uploadURL"], state["token"]
        return None

    upload_url, token = until(original_in_flight, timeout=90, interval=0.05)
    offset_before_crash = _server_offset(upload_url, token)
    assert 0 < offset_before_crash < size
    live_server.stop(kill=True)  # the server dies in the middle of the upload
    page.screenshot(path=str(screenshots / "pwa-upload-interrupted.png"))
    live_server.start()
    offset_after_restart = _server_offset(upload_url, token)
    assert offset_after_restart >= offset_before_crash - 2 * 64 * 1024
    seen = len(requests)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page, timeout=120)

    after = requests[seen:]
    patches = [int(offset) for method, url, offset in after if method == "PATCH" and url == upload_url]
    creates = [url for method, url, _ in after if method == "POST" and url.endswith("/api/v1/uploads")]
    assert patches and min(patches) >= offset_after_restart > 0  # resumed from the server's offset
    assert creates == []  # the same upload session, not a new one
    api = Api(live_server.url)
    case = api.get(f"/api/v1/inspections/{record_id}")
    assert [p["sha256"] for p in case["photos"]] == [big_sha] and case["photos"][0]["uploaded"]
    assert hashlib.sha256(api.blob(big_sha)).hexdigest() == big_sha
    assert errors == []





def test_a_returned_case_is_amended_and_resubmitted(live_server, phone, screenshots, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    record_id = start_inspection(page)
    answer_checklist_with_photos(page, tmp_path, seed=20)
    write_record(page, "现场检查货架陈列的农资商品，查看进货台账。")
    sign_all(page)
    submit(page)
    wait_synced(page)
    on_site_end = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")["endedAtDevice"]
    assert on_site_end

    return_case(live_server, record_id)
    page.click("[data-testid=sync-now]")
    returned = page.locator("[data-testid=returned] button", has_text="请补充合格证明照片")
    returned.wait_for(timeout=60000)
    assert "合格证明照片不清晰" in returned.inner_text()
    page.screenshot(path=str(screenshots / "pwa-returned.png"))
    returned.click()
    page.wait_for_selector("[data-testid=decision]")
    page.click("[data-testid=amend]")
    goto_step(page, "checklist")
    assert "合格证明照片不清晰" in page.inner_text("#item-G02")
    page.screenshot(path=str(screenshots / "pwa-amend-item-comment.png"))
    new_sha = make_jpeg(tmp_path / "G02-new.jpg", seed=99)
    page.set_input_files("[data-testid=photo-G02]", str(tmp_path / "G02-new.jpg"))
    page.wait_for_function("document.querySelectorAll('#item-G02 .thumbs img').length === 2", timeout=20000)
    wait_saved(page)
    submit(page)
    assert page.inner_text("[data-role=toast]") == "已提交，正在上传。"  # online: it goes now
    wait_synced(page)

    case = Api(live_server.url).get(f"/api/v1/inspections/{record_id}")
    assert case["status"] == "submitted" and case["revision"] == 2
    assert case["endedAtDevice"] == on_site_end  # the amendment did not move the end of the visit
    assert new_sha in {p["sha256"] for p in case["photos"] if p["itemKey"] == "G02"}
    assert errors == []


def test_unsynced_work_exported_and_imported_on_another_phone_syncs_once(live_server, playwright_browser, phone, tmp_path):
    at_field(phone, live_server.url)
    first = phone.new_page()
    login(first, live_server.url)
    wait_controlled(first)
    phone.set_offline(True)  # the trip ends without signal
    record_id = start_inspection(first)
    first.click("[data-testid=G01-pass]")
    photo_sha = make_jpeg(tmp_path / "p.jpg", seed=5)
    add_evidence_photo(first, tmp_path / "p.jpg", "库存")
    wait_saved(first)
    first.click("[data-testid=open-settings]")
    with first.expect_download() as download:
        first.click("[data-testid=export]")
    export_file = tmp_path / "unsynced.json"
    download.value.save_as(export_file)
    assert json.loads(export_file.read_text(encoding="utf-8"))["mutations"]

    with second_phone_with_import(playwright_browser, live_server.url, export_file):
        pass

    phone.set_offline(False)  # the first phone syncs the same work later
    go_home(first)
    first.click("[data-testid=sync-now]")
    wait_synced(first)
    api = Api(live_server.url)
    assert [i["id"] for i in api.inspections()].count(record_id) == 1
    case = api.get(f"/api/v1/inspections/{record_id}")
    assert [p["sha256"] for p in case["photos"]] == [photo_sha]
    assert [f["itemKey"] for f in case["findings"]] == ["G01"]
    assert hashlib.sha256(api.blob(photo_sha)).hexdigest() == photo_sha


CASE_ROWS = """(id) => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { const req = r.result.transaction('server_rows').objectStore('server_rows').getAll();
    req.onsuccess = () => { r.result.close();
      resolve(req.result.filter((row) => row.id === id || (row.value && row.value.inspectionID === id)).map((row) => row.type)); }; }; })"""


def test_a_case_the_inspector_is_taken_off_leaves_the_phone_with_all_its_rows(live_server, phone):
    """刘 lists 张 on a draft and answers an item; 张's phone syncs it. 刘 then puts 周 in 张's place:
    after the next sync 张's phone holds neither the case nor any row of it."""
    from .test_console_review import PhoneApi

    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    liu = PhoneApi(live_server.url, "tuoketuo.liu")
    liu.pull()
    party = next(p for p in liu.of_type("party") if p["name"] == "托克托县丰收农资经营部")
    template = next(t for t in liu.of_type("template") if t["key"] == "fertilizer")
    people = {c["displayName"]: c["id"] for c in liu.of_type("colleague")}
    case_id = "0c5e0000-0000-4000-8000-000000000001"
    liu.send("inspection.create.v1", id=case_id, templateID=template["id"], partyID=party["id"],
             inspectorIDs=[liu.user_id, people["张执法"]], startedAt="2026-11-30T09:14:03+08:00")
    liu.send("finding.set.v1", id="0c5e0000-0000-4000-8000-000000000002", inspectionID=case_id, itemKey="G01",
             result="pass")
    page.click("[data-testid=sync-now]")
    until(lambda: sorted(page.evaluate(CASE_ROWS, case_id)) == ["finding", "inspection"])

    liu.pull()
    liu.send("inspection.update.v1", id=case_id, baseVersion=0, fields={"inspectorIDs": [liu.user_id, people["周执法"]]})
    page.click("[data-testid=sync-now]")
    wait_synced(page)
    until(lambda: page.evaluate(CASE_ROWS, case_id) == [])
    assert errors == []
