"""The party's answers in the 现场笔录 are the party's: the phone presets none, names each one still
missing, and does not let "以上记录属实" stand beside a refusal to sign; the case file prints what
was chosen."""
from __future__ import annotations

import subprocess

from .pwa_helpers import (
    at_field, Api, answer_checklist_with_photos, answer_party, confirm_record, draw_signature, goto_step, login,
    start_inspection, submit, wait_saved, wait_synced, watch_errors, write_record,
)

QUESTIONS = ("certificatesAnswer", "recusalAnswer", "closingAnswer")


def _missing(page) -> str:
    goto_step(page, "review")
    page.wait_for_selector("[data-testid=missing] li")
    return page.inner_text("[data-testid=missing]")


def test_the_party_s_answers_are_chosen_and_a_refusal_cannot_read_record_true(live_server, phone, screenshots,
                                                                              tmp_path):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    record_id = start_inspection(page)
    answer_checklist_with_photos(page, tmp_path, seed=40)

    goto_step(page, "record")
    for question in QUESTIONS:  # nothing answered for the party
        assert page.input_value(f"[data-testid={question}]") == ""
        assert page.locator(f"[data-answer={question}] button[aria-pressed=true]").count() == 0
    missing = _missing(page)
    for text in ("未记录当事人对出示证件的回答", "未记录当事人是否申请回避", "未记录当事人对笔录的意见"):
        assert text in missing

    write_record(page, "现场检查货架陈列的农资商品，查看进货台账。")  # …ending with 以上记录属实
    goto_step(page, "sign")
    page.check("[data-testid=refuse]")
    confirm_record(page, "read-aloud")  # the record is read to the party who refuses
    page.fill("[data-testid=refusal-reason]", "称店主外出，本人只是店员")
    page.fill("[data-testid=refusal-witness]", "郝建军")
    wait_saved(page)
    goto_step(page, "sign")
    assert "不能是“以上记录属实”" in page.inner_text("[data-testid=closing-contradiction]")
    for slot in ("witness", "inspector"):
        for n in range(page.locator(f"[data-testid=sign-{slot}] [data-testid=sign-button]").count()):
            page.locator(f"[data-testid=sign-{slot}] [data-testid=sign-button]").nth(n).click()
            draw_signature(page)
    page.wait_for_function("document.querySelectorAll('.sig-img').length === 3")
    missing = _missing(page)
    assert "当事人拒绝签名，对笔录的意见不能是“以上记录属实”" in missing
    assert page.locator("[data-testid=submit]").is_disabled()
    page.screenshot(path=str(screenshots / "pwa-refusal-closing-contradiction.png"), full_page=True)

    goto_step(page, "record")
    assert page.locator("[data-answer=closingAnswer] button[data-value='以上记录属实']").is_disabled()
    answer_party(page, "closingAnswer", "有异议")
    wait_saved(page)
    submit(page)
    wait_synced(page)

    api = Api(live_server.url)
    case = api.get(f"/api/v1/inspections/{record_id}")
    assert case["status"] == "submitted"
    assert (case["certificatesAnswer"], case["recusalAnswer"], case["closingAnswer"]) == ("看清楚了", "不申请回避", "有异议")
    pdf = live_server.case_file_pdf(api, record_id)
    text = "".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                   .stdout.decode().split())
    assert "答：有异议" in text and "拒绝理由称店主外出，本人只是店员" in text and "见证人姓名郝建军" in text
    assert "以上记录属实" not in text
    assert errors == []


OLD_DRAFT = """(id) => new Promise((resolve) => { const r = indexedDB.open('inspector');
  r.onsuccess = () => { const tx = r.result.transaction('drafts', 'readwrite'); const store = tx.objectStore('drafts');
    store.get(id).onsuccess = (e) => { const d = e.target.result;
      Object.assign(d, { schema: 2, certificatesAnswer: '看清楚了', recusalAnswer: '不申请回避', closingAnswer: '以上记录属实' });
      store.put(d); };
    tx.oncomplete = () => { r.result.close(); resolve(true); }; }; })"""


def test_a_draft_from_the_older_app_asks_to_confirm_the_answers_it_filled_in(live_server, phone, tmp_path):
    """A record begun before this version holds the old preset answers: they stay on screen, but
    each must be given by the party (tapped or written) before the record can be submitted."""
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    record_id = start_inspection(page)
    goto_step(page, "record")
    page.fill("[data-testid=narrative]", "现场检查货架陈列的农资商品。")
    wait_saved(page)
    page.evaluate("location.hash = '#/home'")
    page.wait_for_selector("[data-testid=sync-panel]")
    page.evaluate(OLD_DRAFT, record_id)
    page.reload()
    page.wait_for_selector("[data-testid=sync-panel]")
    page.evaluate(f"location.hash = '#/i/{record_id}/record'")
    page.wait_for_selector("[data-answer=closingAnswer]")

    assert page.locator("[data-testid=answer-unconfirmed]").count() == 3
    assert page.input_value("[data-testid=closingAnswer]") == "以上记录属实"  # kept, not cleared
    assert page.locator("[data-answer] button[aria-pressed=true]").count() == 0
    missing = _missing(page)
    for text in ("未记录当事人对出示证件的回答", "未记录当事人是否申请回避", "未记录当事人对笔录的意见"):
        assert text in missing

    goto_step(page, "record")
    answer_party(page, "certificatesAnswer", "看清楚了")
    answer_party(page, "recusalAnswer", "不申请回避")
    answer_party(page, "closingAnswer", "有异议")
    assert page.locator("[data-testid=answer-unconfirmed]").count() == 0
    missing = _missing(page)
    assert "当事人对" not in missing and "申请回避" not in missing
    assert errors == []


def test_the_party_signs_after_all_and_the_phone_and_the_server_agree(live_server, phone, tmp_path):
    """The party first refuses (reason and witness), then signs after all: the phone shows the
    signature and no refusal, and the submitted record on the server holds the same."""
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    record_id = start_inspection(page)
    answer_checklist_with_photos(page, tmp_path, seed=60)
    write_record(page, "现场检查货架陈列的农资商品。", closing="有异议")
    goto_step(page, "sign")
    page.locator("[data-testid=sign-party] [data-testid=sign-button]").click()
    draw_signature(page)
    page.check("[data-testid=refuse]")
    confirm_record(page, "read-aloud")  # the record is read to the party who refuses
    page.fill("[data-testid=refusal-reason]", "称需请示店主")
    page.fill("[data-testid=refusal-witness]", "郝建军")
    wait_saved(page)
    goto_step(page, "review")
    goto_step(page, "sign")
    assert "未签名" in page.inner_text("[data-testid=sign-party]")  # the refusal replaced the signature

    page.locator("[data-testid=sign-party] [data-testid=sign-button]").click()  # signs after all
    draw_signature(page)
    page.wait_for_selector("[data-testid=sign-party] .sig-img")
    assert not page.is_checked("[data-testid=refuse]")
    for slot in ("witness", "inspector"):
        for n in range(page.locator(f"[data-testid=sign-{slot}] [data-testid=sign-button]").count()):
            page.locator(f"[data-testid=sign-{slot}] [data-testid=sign-button]").nth(n).click()
            draw_signature(page)
    page.wait_for_function("document.querySelectorAll('.sig-img').length === 4")
    submit(page)
    wait_synced(page)

    api = Api(live_server.url)
    assert api.get(f"/api/v1/inspections/{record_id}")["status"] == "submitted"
    pdf = live_server.case_file_pdf(api, record_id)
    text = "".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                   .stdout.decode().split())
    # The record prints the party's signature, not the refusal (the appendix keeps both events).
    assert "当事人拒绝签名情况" not in text and "拒绝签名，见" not in text
    assert errors == []
