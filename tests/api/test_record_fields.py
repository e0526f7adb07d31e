"""The fields the 文书 need (issue 12 §3): a phone records them, bad values are refused with the
reason and change nothing, and a phone that does not know them is still accepted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import Inspection, Party, Sample, Signature

from .. import factories
from ..sync_phone import fill_and_sign, inspection_args, new_id
# The phone of 张 and his fertilizer draft at a 托克托县 dealer: the same fixtures as the mutations' tests.
from .test_sync_mutations import _codes, draft, zhang  # noqa: F401

WITNESS_ID = "150102198001011236"  # passes GB 11643
BAD_ID = "150102198001011230"  # the same with a wrong check digit


def _rows(model, **where):
    db.session.rollback()
    return db.session.scalars(select(model).filter_by(**where)).all()


SAMPLE = {"name": "复合肥料（15-15-15）", "quantity": "2 kg", "baseQuantity": "120 袋", "sealNumbers": ["FY2026-0311"]}
SAMPLE_RECORD = {"sampleNo": "CY-150122-2026-0042", "sampledAt": "2026-11-30T09:40:00+08:00",
                 "labName": "内蒙古自治区产品质量检验研究院", "pricePaid": "86.50",
                 "backupSealNumbers": ["FY2026-0312"], "backupStorage": "托克托县市场监督管理局样品室",
                 "backupCondition": "常温、干燥、避光"}


def test_a_refusal_keeps_its_witness_and_recording(zhang, draft):
    refusal = new_id()
    result = zhang.send("signature.refuse.v1", id=refusal, inspectionID=draft, reason="称店主外出，无权签字",
                        witnessName="郝村委", at="2026-11-30T10:05:00+08:00", witnessIDNumber=WITNESS_ID.lower(),
                        witnessUnit="双河镇新华村委会主任", witnessPhone="13904710000",
                        recordingFileNo="DSJ-20261130-0007", recordingDevice="执法记录仪 15012226001",
                        recordingStartedAt="2026-11-30T09:12:00+08:00")
    assert result["status"] == "applied", result
    zhang.pull()
    value = zhang.value("signature", refusal)
    assert value["witnessIDNumber"] == WITNESS_ID and value["witnessUnit"] == "双河镇新华村委会主任"
    assert value["recordingFileNo"] == "DSJ-20261130-0007" and value["recordingStartedAt"].startswith("2026-11-30T01:12")


def test_a_refusal_with_a_bad_witness_id_is_rejected_and_changes_nothing(zhang, draft):
    result = zhang.send("signature.refuse.v1", id=new_id(), inspectionID=draft, reason="拒签", witnessName="郝村委",
                        witnessIDNumber=BAD_ID)
    assert result["status"] == "rejected" and _codes(result) == ["invalid_id_number"]
    assert result["reasons"][0]["field"] == "witnessIDNumber" and "身份证号码无效" in result["reasons"][0]["messageZh"]
    assert _rows(Signature, inspection_id=draft) == []


def test_an_older_phones_refusal_without_the_new_fields_is_accepted(zhang, draft):
    refusal = new_id()
    result = zhang.send("signature.refuse.v1", id=refusal, inspectionID=draft, reason="拒签", witnessName="李四")
    assert result["status"] == "applied"
    [row] = _rows(Signature, id=refusal)
    assert (row.witness_name, row.witness_id_number, row.recording_file_no) == ("李四", None, None)


def test_a_sample_records_its_own_fields_and_its_sealed_photo(zhang, draft):
    sample_id, photo_id = new_id(), new_id()
    zhang.send("photo.add.v1", id=photo_id, inspectionID=draft, sha256="a" * 64, size=1000, mediaType="image/jpeg",
               caption="封样照片")
    result = zhang.send("sample.add.v1", id=sample_id, inspectionID=draft, **SAMPLE, **SAMPLE_RECORD,
                        sealedPhotoIDs=[photo_id])
    assert result["status"] == "applied", result
    zhang.pull()
    value = zhang.value("sample", sample_id)
    assert value["sampleNo"] == "CY-150122-2026-0042" and value["pricePaid"] == "86.50"
    assert value["sealNumbers"] == ["FY2026-0311"] and value["backupSealNumbers"] == ["FY2026-0312"]
    assert value["sealedPhotoIDs"] == [photo_id] and value["labName"] == "内蒙古自治区产品质量检验研究院"
    signed = zhang.send("signature.add.v1", id=new_id(), inspectionID=draft, role="sampled_party",
                        signerName="王建国", imageSha256="b" * 64, sampleID=sample_id)
    assert signed["status"] == "applied", signed


@pytest.mark.parametrize("change,code", [
    ({"sealNumbers": []}, "sample_seals_missing"),
    ({"sealNumbers": ["  "]}, "sample_seals_missing"),
    ({"pricePaid": "八十六元"}, "invalid"),
])
def test_a_sample_without_seal_numbers_or_with_a_bad_price_is_rejected(zhang, draft, change, code):
    result = zhang.send("sample.add.v1", id=new_id(), inspectionID=draft, **{**SAMPLE, **change})
    assert result["status"] == "rejected" and code in _codes(result), result
    assert result["reasons"][0]["messageZh"]
    assert _rows(Sample, inspection_id=draft) == []


def test_an_edit_that_clears_a_samples_seals_is_rejected_and_keeps_them(zhang, draft):
    sample_id = new_id()
    zhang.send("sample.add.v1", id=sample_id, inspectionID=draft, **SAMPLE)
    result = zhang.send("sample.update.v1", id=sample_id, fields={"sealNumbers": []})
    assert _codes(result) == ["sample_seals_missing"]
    assert "检验样品的封条编号" in result["reasons"][0]["messageZh"]
    [row] = _rows(Sample, id=sample_id)
    assert row.seal_numbers == ["FY2026-0311"]


def test_the_sampled_partys_signature_names_a_sample_of_the_record(zhang, draft):
    result = zhang.send("signature.add.v1", id=new_id(), inspectionID=draft, role="sampled_party",
                        signerName="王建国", imageSha256="b" * 64, sampleID=new_id())
    assert _codes(result) == ["sample_not_found"]


def test_sampled_without_a_sample_record_cannot_be_submitted(zhang, draft):
    zhang.push(*fill_and_sign(zhang, draft))
    zhang.send("finding.set.v1", id=new_id(), inspectionID=draft, itemKey="G13", value="已抽样")
    result = zhang.send("inspection.submit.v1", id=draft)
    assert result["status"] == "rejected" and _codes(result) == ["sample_record_missing"]
    assert result["reasons"][0]["field"] == "G13" and "未填写抽样记录" in result["reasons"][0]["messageZh"]
    [case] = _rows(Inspection, id=draft)
    assert case.status == "draft"

    zhang.send("sample.add.v1", id=new_id(), inspectionID=draft, **SAMPLE)
    assert zhang.send("inspection.submit.v1", id=draft)["status"] == "applied"


def test_the_on_site_person_and_notification_are_recorded(zhang, draft):
    result = zhang.send("inspection.update.v1", id=draft, fields={
        "onSitePerson": "王建国（店主）", "partyNotified": "电话通知当事人王建国到场，其于9时20分到场"})
    assert result["status"] == "applied", result
    zhang.pull()
    value = zhang.value("inspection", draft)
    assert value["onSitePerson"] == "王建国（店主）" and value["partyNotified"].startswith("电话通知")


def test_a_party_records_its_type_and_the_operators_id(zhang):
    party_id = new_id()
    result = zhang.send("party.create.v1", id=party_id, name="托克托县老王农资店", entityType="individual",
                        operatorIDNumber=WITNESS_ID, legalRep="王建国",
                        licences=[{"kind": "农药经营许可证", "number": "农药经许（蒙）15012220012号"}])
    assert result["status"] == "applied", result
    zhang.pull()
    value = zhang.value("party", party_id)
    assert value["entityType"] == "individual" and value["operatorIDNumber"] == WITNESS_ID


def test_a_party_with_a_bad_operator_id_is_rejected_and_not_created(zhang):
    party_id = new_id()
    result = zhang.send("party.create.v1", id=party_id, name="托克托县老王农资店", entityType="individual",
                        operatorIDNumber=BAD_ID)
    assert result["status"] == "rejected" and result["reasons"][0]["field"] == "operatorIDNumber"
    assert "身份证号码无效" in result["reasons"][0]["messageZh"]
    assert _rows(Party, id=party_id) == []


# ---------------------------------------------------------------- on paper

def test_the_case_file_prints_the_new_fields(app, client, login_as, tmp_path, monkeypatch):
    from .test_case_file import (
        WITNESS, download, inspected_case, issued, pdf_pages_text, small_png, squeeze, store_blob,
    )

    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(tmp_path / "pdf-cache"))
    phone = login_as("tuoketuo.zhang")
    case = inspected_case(status="approved")  # printed clean: no watermark between the words extracted
    party = case.party
    party.entity_type, party.operator_id_number = "individual", WITNESS_ID
    case.on_site_person, case.party_notified = "王建国（店主）", "电话通知当事人到场，其于9时20分到场"
    refusal = next(s for s in case.signatures if s.status == "refused")
    refusal.witness_id_number, refusal.witness_unit, refusal.witness_phone = WITNESS_ID, "新华村委会主任", "13904710000"
    refusal.recording_file_no, refusal.recording_device = "DSJ-20261130-0007", "DSJ-15012226001"
    [sample] = case.samples
    sample.sample_no, sample.lab_name, sample.price_paid = "CY-150122-2026-0042", "内蒙古自治区产品质量检验研究院", "86.50"
    sample.backup_seal_numbers, sample.backup_storage = ["FY2026-0312"], "托克托县市场监督管理局样品室"
    sample.backup_condition = "常温、干燥、避光"
    sealed = next(p for p in case_photos(case) if p.caption == "货架上未附合格证的复合肥料")
    sample.sealed_photo_ids = [sealed.id]
    image = store_blob(small_png((280, 90)), "image/png")
    case.signatures.append(Signature(id=new_id(), role="sampled_party", status="signed", signer_name="王建国",
                                     image_sha256=image, sample_id=sample.id))
    case.signatures.append(Signature(id=new_id(), role="evidence_provider", status="signed", signer_name="王建国",
                                     image_sha256=image))
    db.session.commit()

    response = download(phone, case.id)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    pages = [squeeze(p) for p in pdf_pages_text(response.data)]
    text = "".join(pages)
    for printed in ("主体类型个体工商户", WITNESS_ID, "现场负责人：王建国（店主）", "通知当事人到场情况：电话通知当事人到场",
                    "当事人拒绝签名情况", "见证人工作单位或职务新华村委会主任", "见证人联系电话13904710000",
                    "文件编号DSJ-20261130-0007", "CY-150122-2026-0042", "内蒙古自治区产品质量检验研究院", "86.50元",
                    "备份样品封条编号FY2026-0312", "常温、干燥、避光", "证据提取单第1号",
                    "被抽样单位经办人（签名，样品1）：王建国", "抽样单位：", "（印章）",
                    "本文书一式二份，一份送达，一份归档。", "本文书一式三份，二份送达，一份归档。"):
        assert squeeze(printed) in text, printed
    assert squeeze(WITNESS) in text
    sheets = [p for p in pages if "证据序号" in p]
    assert len(sheets) == 3
    missing = [s for s in sheets if "照片原件尚未上传" in s]
    assert len(missing) == 1 and "照片缺失" in missing[0] and "证据提供人确认" not in missing[0]
    assert all("证据提供人确认" in s and "证据提供人（签名）：王建国" in s for s in sheets if s not in missing)

    visitor = app.test_client()  # the public verify page shows no ID number, not even the refusal's witness's
    html = visitor.get(f"/verify/{issued(response.headers['X-Document-Number']).verify_token}").get_data(as_text=True)
    assert "一致" in html and WITNESS_ID not in html


def case_photos(case):
    from inspector.models import Photo

    return db.session.scalars(select(Photo).where(Photo.inspection_id == case.id)).all()


def test_the_reviewer_sees_the_new_fields_on_the_case_page(client):
    from ..console_support import open_case, reviewer_session, submitted_case

    case = submitted_case(on_site_person="王建国（店主）", party_notified="当事人在场")
    case.party.entity_type, case.party.operator_id_number = "individual", WITNESS_ID
    case.samples.append(Sample(id=new_id(), name="复合肥料", quantity="2 kg", base_quantity="120 袋",
                               seal_numbers=["FY20260001"], sample_no="CY-150122-2026-0042", lab_name="自治区质检院",
                               backup_seal_numbers=["FY20260002"], backup_storage="县局样品室",
                               backup_condition="常温"))
    case.signatures.append(Signature(id=new_id(), role="party", status="refused", refusal_reason="拒签",
                                     witness_name="李四", witness_unit="村委会主任", witness_phone="13904710000",
                                     recording_file_no="DSJ-0007"))
    db.session.commit()

    reviewer_session(client)
    html, _token, _version = open_case(client, case.id)
    for shown in ("个体工商户", WITNESS_ID, "王建国（店主）", "当事人在场", "CY-150122-2026-0042", "自治区质检院",
                  "FY20260002", "县局样品室（常温）", "村委会主任", "13904710000", "DSJ-0007"):
        assert shown in html, shown


def test_the_sampled_partys_signature_attests_the_sampling_record_with_its_own_fields(zhang, draft):
    """The 被抽样单位经办人 signs the 抽样记录 (its lab, price, backup seals…): a change to the 现场笔录
    leaves the signature standing, a change to the sample's lab makes it stale (未重新签名)."""
    from inspector.pdf import content as dc
    from inspector.services import attestation

    sample_id = new_id()
    assert zhang.send("sample.add.v1", id=sample_id, inspectionID=draft, **SAMPLE, **SAMPLE_RECORD)["status"] == "applied"
    db.session.commit()
    record = attestation.record_of(db.session.get(Inspection, draft))
    hashes = dc.document_hashes(record)
    assert dc.sampling_content(record)["samples"][0]["labName"] == SAMPLE_RECORD["labName"]
    db.session.commit()
    signature_id = new_id()
    result = zhang.send("signature.add.v1", id=signature_id, inspectionID=draft, role="sampled_party", signerName="王建国",
                        imageSha256="b" * 64, sampleID=sample_id, confirmation="seen",
                        attests=[{"document": dc.SAMPLING, "sha256": hashes[dc.SAMPLING], "revision": 1}])
    assert result["status"] == "applied", result

    def stale() -> list[str]:
        return zhang.api.get(f"/api/v1/inspections/{draft}").get_json()["signatureStanding"]["stale"]

    assert zhang.send("inspection.update.v1", id=draft, baseVersion=0,
                      fields={"onSitePerson": "王建国（店主）"})["status"] == "applied"
    assert stale() == []  # the 现场笔录 is not what it attests
    zhang.pull()
    assert zhang.send("sample.update.v1", id=sample_id, baseVersion=zhang.versions[("sample", sample_id)],
                      fields={"labName": "托克托县农产品检测站"})["status"] == "applied"
    [found] = stale()
    assert (found["id"], [d["document"] for d in found["documents"]]) == (signature_id, [dc.SAMPLING])
