"""The fields the 文书 need, filled on the phone with no signal: a new individual dealer (主体类型,
the operator's ID checked as typed, the pesticide licence), 现场负责人, a sample with its own
number, seals, sealed photo and the 被抽样单位's signature, and a refusal with its witness and
recording; synced when the signal comes back, and printed."""
from __future__ import annotations

import subprocess
import urllib.parse

from .pwa_helpers import (
    confirm_record, PHOTO_ITEMS, Api, add_sample, answer_checklist, at_field, draw_signature, goto_step, login, make_jpeg,
    go_home, submit, wait_saved, wait_synced, watch_errors, write_record,
)

OPERATOR_ID = "150102198001011236"
WITNESS_ID = "150121197203154416"
CREDIT_CODE = "92150404L00000126P"  # position 2 = 2: 个体工商户


def _missing(page) -> str:
    goto_step(page, "review")
    page.wait_for_selector("[data-testid=missing] li")
    return page.inner_text("[data-testid=missing]")


def test_the_new_fields_are_filled_offline_synced_and_printed(live_server, phone, tmp_path, screenshots):
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    phone.set_offline(True)

    page.click("[data-testid=new-inspection]")
    page.click("[data-testid=template-pesticide]")
    page.fill("[data-testid=party-search]", "老王农药")
    page.click("[data-testid=new-party]")
    page.fill("[data-party=name]", "托克托县老王农药店")
    page.fill("[data-testid=credit-code]", CREDIT_CODE)
    assert page.input_value("[data-testid=entity-type]") == "individual"  # as the credit code states
    page.fill("[data-party=legalRep]", "王建国")
    page.fill("[data-party=address]", "托克托县双河镇新华街12号")
    page.fill("[data-testid=operator-id]", OPERATOR_ID[:-1] + "0")
    assert "身份证号码无效" in page.inner_text("[data-testid=operator-id-check]")
    page.click("[data-testid=save-party]")
    assert page.locator("[data-testid=party-form]").count() == 1  # not saved with a bad number
    page.fill("[data-testid=operator-id]", OPERATOR_ID)
    page.fill("[data-testid=pesticide-licence]", "农药经许（蒙）15012220012号")
    page.click("[data-testid=save-party]")
    page.wait_for_selector("[data-testid=chosen-party]")
    page.click("[data-testid=template-general]")  # the general checklist is quicker to answer in a test
    assert page.input_value("[data-testid=place]") == "托克托县双河镇新华街12号"  # prefilled from the address
    page.click("[data-testid=colleague]:has-text('刘执法')")
    page.click("[data-testid=take-gps]")
    page.wait_for_function("document.querySelector('[data-testid=gps-text]').textContent.includes('±')")
    page.click("[data-testid=start-inspection]")
    page.wait_for_selector("[data-testid=G01-pass]")
    record_id = page.evaluate("location.hash.split('/')[2]")

    for n, key in enumerate(PHOTO_ITEMS):
        make_jpeg(tmp_path / f"{key}.jpg", seed=70 + n)
    answer_checklist(page, {key: tmp_path / f"{key}.jpg" for key in PHOTO_ITEMS}, sampled=True)
    assert "未填写抽样记录" in _missing(page)
    add_sample(page)
    make_jpeg(tmp_path / "sealed.jpg", seed=90)
    page.set_input_files("[data-testid=sealed-photo]", str(tmp_path / "sealed.jpg"))
    page.wait_for_selector("[data-testid=sealed-photos] img", timeout=20000)
    page.click("[data-testid=sign-sample]")
    draw_signature(page)
    page.wait_for_selector("[data-testid=sample-signature] .sig-img")
    page.screenshot(path=str(screenshots / "pwa-sample-sealed.png"), full_page=True)

    write_record(page, "现场检查货架陈列的农药商品，查看进货台账。", closing="有异议")
    page.fill("[data-testid=onSitePerson]", "王建国（店主）")
    page.fill("[data-testid=partyNotified]", "当事人在场")
    goto_step(page, "sign")
    page.check("[data-testid=refuse]")
    confirm_record(page, "read-aloud")  # the record is read to the party who refuses
    page.fill("[data-testid=refusal-reason]", "称需请示家人")
    page.fill("[data-testid=refusal-witness]", "郝建军")
    page.fill("[data-testid=refusal-witnessIDNumber]", WITNESS_ID[:-1] + "0")
    assert "见证人身份证号码无效" in _missing(page)
    goto_step(page, "sign")
    assert "身份证号码无效" in page.inner_text("[data-testid=refusal-id-error]")
    page.fill("[data-testid=refusal-witnessIDNumber]", WITNESS_ID)
    page.fill("[data-testid=refusal-witnessUnit]", "新华村委会主任")
    page.fill("[data-testid=refusal-witnessPhone]", "13904710000")
    page.fill("[data-testid=refusal-recordingFileNo]", "DSJ-20261130-0007")
    page.fill("[data-testid=refusal-recordingDevice]", "DSJ-15012226001")
    page.fill("[data-testid=refusal-recordingStartedAt]", "2026-11-30T09:12")
    wait_saved(page)
    for slot in ("witness", "inspector", "evidence_provider"):
        for n in range(page.locator(f"[data-testid=sign-{slot}] [data-testid=sign-button]").count()):
            page.locator(f"[data-testid=sign-{slot}] [data-testid=sign-button]").nth(n).click()
            draw_signature(page)
    page.wait_for_function("document.querySelectorAll('[data-testid^=sign-] .sig-img').length === 4")
    page.screenshot(path=str(screenshots / "pwa-refusal-fields.png"), full_page=True)
    submit(page)

    phone.set_offline(False)
    wait_synced(page, timeout=90)
    api = Api(live_server.url)
    case = api.get(f"/api/v1/inspections/{record_id}")
    assert case["status"] == "submitted"
    party = case["party"]
    assert (party["entityType"], party["operatorIDNumber"]) == ("individual", OPERATOR_ID)
    assert {"kind": "农药经营许可证", "number": "农药经许（蒙）15012220012号", "validUntil": None} in party["licences"]
    assert case["onSitePerson"] == "王建国（店主）"
    [sample] = case["samples"]
    assert sample["sampleNo"] == "CY-150122-2026-0042" and len(sample["sealedPhotoIDs"]) == 1
    signatures = {s["role"]: s for s in case["signatures"]}
    assert signatures["sampled_party"]["sampleID"] == sample["id"]
    refusal = signatures["party"]
    assert refusal["status"] == "refused" and refusal["witnessIDNumber"] == WITNESS_ID
    assert refusal["recordingFileNo"] == "DSJ-20261130-0007" and refusal["witnessPhone"] == "13904710000"

    pdf = live_server.case_file_pdf(api, record_id)
    text = "".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                   .stdout.decode().split())
    for printed in ("主体类型个体工商户", OPERATOR_ID, "现场负责人：王建国（店主）", "见证人工作单位或职务新华村委会主任",
                    "文件编号DSJ-20261130-0007", "开始时间2026年11月30日9时12分", "CY-150122-2026-0042",
                    "被抽样单位经办人（签名，样品1）", "样品1封样照片", "本文书一式三份"):
        assert printed in text, printed
    # Each signature attests what it was shown: the sample's signer its 抽样记录 (not changed by the
    # record written after), the witness and inspectors the 现场笔录 with the refusal they saw.
    assert "未重新签名" not in text
    assert errors == []


def test_a_known_partys_missing_details_are_added_on_site(live_server, phone):
    """A dealer already on file lacks its type, the operator's ID and the pesticide licence: the
    inspector adds them while setting up the inspection, and the server's party then has them."""
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    page.click("[data-testid=new-inspection]")
    page.click("[data-testid=template-pesticide]")
    page.fill("[data-testid=party-search]", "丰收")
    page.click("[data-testid=party-result] >> nth=0")
    party_name = page.inner_text("[data-testid=chosen-party] .item-title")
    page.click("[data-testid=party-details] summary")
    page.select_option("[data-testid=entity-type]", "individual")
    page.fill("[data-testid=operator-id]", OPERATOR_ID)
    page.fill("[data-testid=pesticide-licence]", "农药经许（蒙）15012220099号")
    page.click("[data-testid=save-party-details]")
    go_home(page)
    page.click("[data-testid=sync-now]")
    wait_synced(page)

    api = Api(live_server.url)
    [party] = [p for p in api.get("/api/v1/parties?q=" + urllib.parse.quote("丰收"))["parties"] if p["name"] == party_name]
    assert party["entityType"] == "individual" and party["operatorIDNumber"] == OPERATOR_ID
    assert {"kind": "农药经营许可证", "number": "农药经许（蒙）15012220099号", "validUntil": None} in party["licences"]
    assert errors == []
