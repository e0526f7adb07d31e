"""Sign what you see, on a phone: the record read-only before signing, the hash of what was shown sent
with the signature and matching what the server prints, and after a return and an amendment the
phone asks for new signatures. The phone's content module is held to the server's test vectors."""
from __future__ import annotations

import json
from pathlib import Path

from .pwa_helpers import (
    at_field, Api, answer_checklist_with_photos, confirm_record, draw_signature, goto_step, login, return_case,
    sign_all, start_inspection, submit, wait_saved, wait_synced, watch_errors, write_record,
)

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "document_content.json").read_text("utf-8"))["vectors"]

RUN_VECTORS = """async (vectors) => {
  const m = await import('/app/js/content.js');
  const out = [];
  for (const v of vectors) {
    const contents = m.documentContents(v.record);
    const hashes = {};
    for (const [key, content] of Object.entries(contents)) hashes[key] = await m.contentHash(content);
    out.push({ contents, hashes });
  }
  return out;
}"""


def test_the_phone_builds_and_hashes_the_shared_vectors_as_the_server_does(live_server, phone):
    page = phone.new_page()
    page.goto(live_server.url + "/app/")
    results = page.evaluate(RUN_VECTORS, VECTORS)
    for vector, result in zip(VECTORS, results):
        assert result["contents"] == vector["contents"], vector["name"]
        assert result["hashes"] == vector["hashes"], vector["name"]


ORDERS = json.loads((Path(__file__).parent.parent / "vectors" / "document_content.json").read_text("utf-8"))["rectification"]

RUN_ORDERS = """async (vectors) => {
  const m = await import('/app/js/content.js');
  const out = [];
  for (const v of vectors) {
    const content = m.rectificationContent(v.order);
    out.push({ content, hash: await m.contentHash(content) });
  }
  return out;
}"""


def test_the_phone_builds_and_hashes_the_rectification_vectors_as_the_server_does(live_server, phone):
    page = phone.new_page()
    page.goto(live_server.url + "/app/")
    results = page.evaluate(RUN_ORDERS, ORDERS)
    for vector, result in zip(ORDERS, results):
        assert result["content"] == vector["content"], vector["name"]
        assert result["hash"] == vector["hash"], vector["name"]
    basis = page.evaluate("""async () => (await import('/app/js/content.js')).rectificationBasis([' A ', 'B', 'A', ''], 'B')""")
    assert basis == "A；B"


NARRATIVE = "现场检查货架陈列的农资商品，查看进货台账。"
AMENDED = "补充：仓库内另存尿素四十袋。"


def test_signer_reads_the_record_first_and_is_asked_again_after_an_amendment(live_server, phone, screenshots, tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    record_id = start_inspection(page)
    answer_checklist_with_photos(page, tmp_path, seed=70)
    write_record(page, NARRATIVE)
    wait_saved(page)

    goto_step(page, "sign")
    page.locator("[data-testid=sign-party] [data-testid=sign-button]").click()
    page.wait_for_selector("[data-testid=preview-document]")
    first = page.inner_text("[data-testid=preview-document]")
    assert "现场笔录" in first.replace(" ", "") and NARRATIVE in first and "以上记录属实" in first
    assert page.locator("[data-testid=signature-pad]").count() == 0  # nothing to sign before reading
    assert page.locator("[data-testid=preview-seen]").is_disabled()  # not before the last page
    pages = page.inner_text("[data-testid=preview-page]")
    assert pages.startswith("第 1 页 共 ") and not pages.endswith("共 1 页")  # 现场笔录 and each 证据提取单
    width = page.evaluate("document.querySelector('[data-testid=preview-document]').scrollWidth")
    assert width <= 390  # readable on the phone without scrolling sideways
    page.screenshot(path=str(screenshots / "pwa-preview-before-signing.png"))
    page.click("[data-testid=preview-next]")
    assert "证据提取单" in page.inner_text("[data-testid=preview-document]").replace(" ", "")
    confirm_record(page)
    draw_signature(page)
    page.wait_for_selector("[data-testid=sign-party] .sig-img")
    sign_all(page)
    submit(page)
    wait_synced(page)

    api = Api(live_server.url)
    case = api.get(f"/api/v1/inspections/{record_id}")
    standing = case["signatureStanding"]
    # sign_all signed the party once more: a new signature, the first kept as replaced.
    [party] = [s for s in case["signatures"] if s["role"] == "party" and s["id"] not in standing["replaced"]]
    assert party["confirmation"] == "seen"
    assert {a["document"] for a in party["attests"]} >= {"on_site"} and len(party["attests"]) > 1
    # What the phone hashed is what the server has: no signature attests stale content.
    assert standing["stale"] == [] and standing["unsigned"] == []

    return_case(live_server, record_id)
    page.click("[data-testid=sync-now]")
    returned = page.locator("[data-testid=returned] button", has_text="请补充合格证明照片")
    returned.wait_for(timeout=60000)
    returned.click()
    page.wait_for_selector("[data-testid=decision]")
    page.click("[data-testid=amend]")
    goto_step(page, "record")
    page.fill("[data-testid=narrative]", NARRATIVE + "\n" + AMENDED)
    wait_saved(page)
    goto_step(page, "sign")
    needed = page.locator("[data-testid=sign-party] [data-testid=resign-needed]")
    assert "所签为第1版" in needed.inner_text() and "现场笔录" in needed.inner_text()
    assert page.locator("[data-testid=resign-needed]").count() == 4  # the party, the witness, both inspectors
    page.screenshot(path=str(screenshots / "pwa-resign-needed.png"))
    goto_step(page, "review")
    assert "请重新签名" in page.inner_text("[data-testid=resign-count]")

    goto_step(page, "sign")
    page.locator("[data-testid=sign-party] [data-testid=sign-button]").click()
    page.wait_for_selector("[data-testid=preview-document]")
    assert AMENDED in page.inner_text("[data-testid=preview-document]")  # the new text is what is signed
    draw_signature(page)
    page.wait_for_function("!document.querySelector('[data-testid=sign-party] [data-testid=resign-needed]')")
    assert page.locator("[data-testid=resign-needed]").count() == 3
    submit(page)
    wait_synced(page)

    case = api.get(f"/api/v1/inspections/{record_id}")
    standing = case["signatureStanding"]
    assert party["id"] in standing["replaced"]
    assert sorted(s["role"] for s in standing["stale"]) == ["inspector", "inspector", "witness"]
    assert errors == []
