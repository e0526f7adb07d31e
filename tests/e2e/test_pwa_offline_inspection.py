"""An inspector does a whole inspection with no network, the browser reloads mid-form, and the
record reaches the server exactly once, with every finding, sample, signature and photo."""
from __future__ import annotations

import hashlib

from .pwa_helpers import (
    at_field, wait_saved, camera_now,
    PHOTO_ITEMS, Api, add_evidence_photo, add_sample, answer_checklist, goto_step, login,
    make_jpeg, outbox_size, sign_all, start_inspection, submit, wait_controlled, wait_synced, watch_errors,
    write_record,
)

NARRATIVE = "检查人员到达现场时，当事人正在营业。货架陈列复合肥料120袋，标签未标注生产厂厂址。"


def test_whole_inspection_offline_then_synced_once(live_server, phone, screenshots, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    page.screenshot(path=str(screenshots / "pwa-home.png"))
    api = Api(live_server.url)
    before = {i["id"] for i in api.inspections()}

    phone.set_offline(True)  # from the first screen after login: no network at all
    record_id = start_inspection(page)
    hashes = {key: make_jpeg(tmp_path / f"{key}.jpg", seed=n, size=(2400, 1800)) for n, key in enumerate(PHOTO_ITEMS)}
    answer_checklist(page, {key: tmp_path / f"{key}.jpg" for key in PHOTO_ITEMS}, sampled=True)
    page.screenshot(path=str(screenshots / "pwa-checklist.png"))

    # The browser reloads in the middle of the form (offline: the service worker serves the app).
    wait_saved(page)
    page.reload()
    page.wait_for_selector("[data-testid=G03-fail]")
    assert page.get_attribute("[data-testid=G03-fail]", "aria-pressed") == "true"
    assert page.get_attribute("[data-testid=G04-pass]", "aria-pressed") == "true"
    assert page.input_value("textarea[data-item=G03]") == "标签缺少生产厂厂址"
    assert page.locator("#item-G01 .thumbs img").count() == 1

    goto_step(page, "review")  # 已抽样 with no sample yet: the phone asks for the 抽样记录
    assert "未填写抽样记录" in page.inner_text("[data-testid=missing]")
    add_sample(page)
    page.screenshot(path=str(screenshots / "pwa-samples.png"), full_page=True)
    taken = camera_now()
    evidence_sha = make_jpeg(tmp_path / "shelf.jpg", seed=9, size=(4000, 3000), taken=taken)
    add_evidence_photo(page, tmp_path / "shelf.jpg", "货架陈列的复合肥料")
    page.screenshot(path=str(screenshots / "pwa-photos.png"))

    write_record(page, "当事人涉嫌销售不合格肥料")
    assert "涉嫌" in page.inner_text("[data-testid=narrative-warning]")
    page.screenshot(path=str(screenshots / "pwa-record-warning.png"))
    page.fill("[data-testid=narrative]", NARRATIVE)
    page.wait_for_function("document.querySelector('[data-testid=narrative-warning]').textContent.trim() === ''")
    page.fill("[data-testid=onSitePerson]", "王建国（店主）")
    page.fill("[data-testid=partyNotified]", "当事人在场")

    goto_step(page, "review")
    page.wait_for_selector("[data-testid=missing] li")
    assert page.locator("[data-testid=missing] li").count() == 3  # party and both inspectors unsigned
    page.screenshot(path=str(screenshots / "pwa-review-missing.png"), full_page=True)
    sign_all(page)
    page.screenshot(path=str(screenshots / "pwa-signatures.png"), full_page=True)
    submit(page)
    assert outbox_size(page) > 0
    assert page.inner_text("[data-role=toast]") == "已提交，联网后自动上传。"  # offline: it waits for a signal
    page.screenshot(path=str(screenshots / "pwa-home-offline-submitted.png"))

    phone.set_offline(False)  # the signal comes back: the app syncs without being asked
    wait_synced(page, timeout=90)
    page.screenshot(path=str(screenshots / "pwa-home-synced.png"))

    after = [i for i in api.inspections() if i["id"] not in before]
    assert [i["id"] for i in after] == [record_id]
    case = api.get(f"/api/v1/inspections/{record_id}")
    assert case["status"] == "submitted"
    assert case["narrative"] == NARRATIVE
    assert case["lat"] is not None and case["gpsAccuracyM"] is not None
    assert sorted(i["userID"] for i in case["inspectors"]) == sorted({i["userID"] for i in case["inspectors"]})
    assert len(case["inspectors"]) == 2
    findings = {f["itemKey"]: f for f in case["findings"]}
    assert findings["G03"]["result"] == "fail" and findings["G03"]["note"] == "标签缺少生产厂厂址"
    assert findings["G04"]["result"] == "pass" and findings["G12"]["value"] == "无"
    assert findings["G13"]["value"] == "已抽样"
    assert len(case["samples"]) == 1
    sample = case["samples"][0]
    assert sample["quantity"] == "2 kg" and sample["baseQuantity"] == "120 袋" and sample["sealNumbers"] == ["FY20260001", "FY20260002"]
    assert sample["sampleNo"] == "CY-150122-2026-0042" and sample["backupSealNumbers"] == ["FY20260003"]
    assert sample["pricePaid"] == "86.50" and sample["backupCondition"] == "常温、干燥"
    assert case["onSitePerson"] == "王建国（店主）" and case["partyNotified"] == "当事人在场"
    # The 证据提供人 signed the evidence sheets too (the record has photos).
    assert sorted(s["role"] for s in case["signatures"]) == ["evidence_provider", "inspector", "inspector", "party",
                                                             "witness"]
    photos = {p["sha256"]: p for p in case["photos"]}
    assert set(photos) == set(hashes.values()) | {evidence_sha}
    assert all(p["uploaded"] for p in photos.values())
    assert photos[evidence_sha]["caption"] == "货架陈列的复合肥料"
    date, clock = taken.split(" ")
    assert photos[evidence_sha]["exifTakenAt"] == f"{date.replace(':', '-')}T{clock}+08:00"
    for sha in photos:  # the stored bytes are exactly what the phone hashed
        assert hashlib.sha256(api.blob(sha)).hexdigest() == sha
    for s in case["signatures"]:
        assert hashlib.sha256(api.blob(s["imageSha256"])).hexdigest() == s["imageSha256"]
    assert errors == []
