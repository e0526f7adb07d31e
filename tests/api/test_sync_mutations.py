"""The mutations and the rules of a record: who may inspect, what an answer holds, submit, amend, delete."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import Inspection, InspectionRevision, Party, Photo, Sample, Signature

from .. import factories
from ..sync_phone import PARTY_ANSWERS, Phone, complete_answers, fill_and_sign, inspection_args, new_id


@pytest.fixture
def zhang(login_as) -> Phone:
    return Phone(login_as("tuoketuo.zhang"))


@pytest.fixture
def draft(zhang, user):
    """A fertilizer inspection at a 托克托县 dealer, by 张 and 刘, not yet answered."""
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    result = zhang.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id))
    assert result["status"] == "applied", result
    return case_id


def _codes(result: dict) -> list[str]:
    return [r["code"] for r in result.get("reasons", [])]


def _fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def _submit_complete(zhang: Phone, case_id: str) -> dict:
    zhang.push(*fill_and_sign(zhang, case_id))
    return zhang.send("inspection.submit.v1", id=case_id)


# ---------------------------------------------------------------- creating a case

def test_a_colleague_from_the_next_county_may_co_inspect(zhang, user):
    party = factories.party("150122")
    result = zhang.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("xincheng.zhou").id]))
    assert result["status"] == "applied"


@pytest.mark.parametrize("second,code", [
    ("donghe.chen", "not_a_colleague"),  # 包头: another league
    ("hhht.reviewer", "not_a_colleague"),  # not an inspector
    ("tuoketuo.zhang", "duplicate_inspector"),
])
def test_the_second_inspector_must_be_an_active_inspector_of_the_league(zhang, user, second, code):
    party = factories.party("150122")
    result = zhang.send("inspection.create.v1", **inspection_args(party.id, [user("tuoketuo.zhang").id,
                                                                             user(second).id]))
    assert result["status"] == "rejected" and code in _codes(result)


def test_an_inspection_needs_two_inspectors_including_the_caller(zhang, user):
    party = factories.party("150122")
    alone = zhang.send("inspection.create.v1", **inspection_args(party.id, [user("tuoketuo.zhang").id]))
    assert alone["status"] == "rejected" and alone["reasons"][0]["field"] == "inspectorIDs"
    without_me = zhang.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.liu").id, user("xincheng.zhou").id]))
    assert "caller_not_inspector" in _codes(without_me)


def test_an_inspection_uses_a_published_template(zhang, user):
    party = factories.party("150122")
    template = factories.template("seed")
    template.status = "retired"
    db.session.commit()
    result = zhang.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], template_key="seed"))
    assert _codes(result) == ["template_not_published"]


def test_a_case_needs_the_device_start_time(zhang, user):
    party = factories.party("150122")
    args = inspection_args(party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id])
    del args["startedAt"]
    result = zhang.send("inspection.create.v1", **args)
    assert result["status"] == "rejected" and result["reasons"][0]["field"] == "startedAt"


def test_only_the_records_inspectors_change_it(draft, login_as):
    stranger = Phone(login_as("xincheng.wu"))
    result = stranger.send("finding.set.v1", id=new_id(), inspectionID=draft, itemKey="G01", result="pass")
    assert _codes(result) == ["inspection_not_found"]  # another county's case: not even visible


# ---------------------------------------------------------------- answers, samples, photos, signatures

@pytest.mark.parametrize("item,answer,ok", [
    ("G01", {"result": "fail", "note": "未悬挂营业执照"}, True),
    ("G01", {"value": 3}, False),
    ("F03", {"value": 45.5}, True),
    ("F03", {"value": "很多"}, False),
    ("F06", {"value": "含氯（低氯）"}, True),
    ("F06", {"value": "不知道"}, False),
    ("ZZ99", {"result": "pass"}, False),
])
def test_an_answer_fits_its_checklist_item(zhang, draft, item, answer, ok):
    result = zhang.send("finding.set.v1", id=new_id(), inspectionID=draft, itemKey=item, **answer)
    assert (result["status"] == "applied") is ok, result


def test_samples_are_added_changed_and_removed(zhang, draft):
    sample_id = new_id()
    added = zhang.send("sample.add.v1", id=sample_id, inspectionID=draft, name="复合肥料", brand="丰禾",
                       productionDate="2026-09-15", quantity="2 kg", baseQuantity="120 袋",
                       sealNumbers=["FY20260001", "FY20260002"])
    assert added["status"] == "applied"
    assert zhang.send("sample.update.v1", id=sample_id, baseVersion=0,
                      fields={"quantity": "3 kg"})["status"] == "applied"
    sample = _fresh(Sample, sample_id)
    assert sample.quantity == "3 kg" and sample.seal_numbers == ["FY20260001", "FY20260002"]
    assert str(sample.production_date) == "2026-09-15"
    assert zhang.send("sample.remove.v1", id=sample_id)["status"] == "applied"
    assert zhang.send("sample.remove.v1", id=sample_id)["status"] == "applied"  # twice is once
    assert _codes(zhang.send("sample.update.v1", id=sample_id, baseVersion=0,
                             fields={"quantity": "4 kg"})) == ["entity_deleted"]


def test_a_photo_carries_its_hash_and_capture_metadata(zhang, draft):
    photo_id = new_id()
    result = zhang.send("photo.add.v1", id=photo_id, inspectionID=draft, sha256="b" * 64, size=412345,
                        mediaType="image/jpeg", displaySha256="c" * 64, displaySize=80000, caption="营业执照",
                        itemKey="G01", takenAt="2026-11-30T09:15:00+08:00", exifTakenAt="2026:11:30 09:14:58",
                        lat=40.27, lon=111.18, gpsAccuracyM=6)
    assert result["status"] == "applied"
    photo = _fresh(Photo, photo_id)
    assert (photo.sha256, photo.exif_taken_at, photo.gps_accuracy_m) == ("b" * 64, "2026:11:30 09:14:58", 6)
    assert zhang.send("photo.update.v1", id=photo_id, caption="营业执照（正本）")["status"] == "applied"
    zhang.pull()
    value = zhang.value("photo", photo_id)
    assert value["uploaded"] is False and value["caption"] == "营业执照（正本）"
    assert _codes(zhang.send("photo.add.v1", id=new_id(), inspectionID=draft, sha256="B" * 64, size=1,
                             mediaType="image/jpeg")) == ["invalid"]


def test_a_refusal_replaces_the_party_signature(zhang, draft):
    first = new_id()
    zhang.send("signature.add.v1", id=first, inspectionID=draft, role="party", signerName="王建国",
               imageSha256="d" * 64)
    refusal = new_id()
    result = zhang.send("signature.refuse.v1", id=refusal, inspectionID=draft, reason="当事人称需请示老板",
                        witnessName="李四")
    assert result["status"] == "applied"
    db.session.rollback()
    live = db.session.scalars(select(Signature).where(Signature.inspection_id == draft,
                                                      Signature.deleted_at.is_(None))).all()
    assert [(s.id, s.status, s.witness_name) for s in live] == [(refusal, "refused", "李四")]


# ---------------------------------------------------------------- submit, amend, delete

def test_a_complete_record_is_submitted_and_becomes_read_only(zhang, draft):
    result = _submit_complete(zhang, draft)
    assert result["status"] == "applied", result
    case = _fresh(Inspection, draft)
    assert case.status == "submitted" and case.submitted_at is not None
    [revision] = db.session.scalars(select(InspectionRevision).where(InspectionRevision.inspection_id == draft))
    assert revision.revision == 1 and revision.diff is None
    assert revision.snapshot["findings"]["G01"]["result"] == "pass"
    late = zhang.send("finding.set.v1", id=new_id(), inspectionID=draft, itemKey="G01", result="fail")
    assert _codes(late) == ["inspection_read_only"] and late["reasons"][0]["messageZh"]
    assert _codes(zhang.send("inspection.submit.v1", id=draft)) == ["inspection_read_only"]


def test_a_number_outside_its_limits_stops_the_submission(zhang, draft):
    zhang.push(*fill_and_sign(zhang, draft))
    zhang.send("finding.set.v1", id=new_id(), inspectionID=draft, itemKey="F03", value=120)
    result = zhang.send("inspection.submit.v1", id=draft)
    assert [(r["code"], r["field"]) for r in result["reasons"]] == [("value_out_of_range", "F03")]


def test_a_refusal_without_a_witness_is_not_enough_to_submit(zhang, draft):
    mutations = [zhang.mutation("finding.set.v1", id=new_id(), inspectionID=draft, itemKey=key, **answer)
                 for key, answer in complete_answers()]
    zhang.push(*mutations, zhang.mutation("inspection.update.v1", id=draft, baseVersion=0, fields=dict(PARTY_ANSWERS)))
    result = zhang.send("inspection.submit.v1", id=draft)
    assert _codes(result) == ["party_signature_missing"]


def test_a_record_without_the_party_s_answers_is_not_submitted_and_each_is_named(zhang, draft):
    """Nothing is answered for the party: a record whose three answers were never given is refused,
    each question named, and nothing changes."""
    zhang.push(*[zhang.mutation("finding.set.v1", id=new_id(), inspectionID=draft, itemKey=key, **answer)
                 for key, answer in complete_answers()],
               zhang.mutation("signature.add.v1", id=new_id(), inspectionID=draft, role="party", signerName="王建国",
                              imageSha256="a" * 64))
    result = zhang.send("inspection.submit.v1", id=draft)
    assert result["status"] == "rejected"
    assert [(r["code"], r["field"]) for r in result["reasons"]] == [
        ("party_answer_missing", "certificatesAnswer"), ("party_answer_missing", "recusalAnswer"),
        ("party_answer_missing", "closingAnswer")]
    assert "当事人是否申请回避" in result["reasons"][1]["messageZh"]
    assert _fresh(Inspection, draft).status == "draft"


def test_a_refusal_and_a_closing_answer_of_record_true_cannot_both_stand(zhang, draft):
    """The party refused to sign: "以上记录属实" as the party's answer is refused with the reason;
    the party's real answer ("有异议") lets the record through."""
    zhang.push(*fill_and_sign(zhang, draft))
    zhang.send("signature.refuse.v1", id=new_id(), inspectionID=draft, reason="称店主外出", witnessName="郝村委")
    result = zhang.send("inspection.submit.v1", id=draft)
    assert [(r["code"], r["field"]) for r in result["reasons"]] == [("closing_contradicts_refusal", "closingAnswer")]
    assert "以上记录属实" in result["reasons"][0]["messageZh"] and _fresh(Inspection, draft).status == "draft"
    assert zhang.send("inspection.update.v1", id=draft, baseVersion=0,
                      fields={"closingAnswer": "有异议"})["status"] == "applied"
    assert zhang.send("inspection.submit.v1", id=draft)["status"] == "applied"


def test_a_returned_record_is_amended_as_a_new_revision_with_its_diff(zhang, draft):
    assert _submit_complete(zhang, draft)["status"] == "applied"
    assert _codes(zhang.send("inspection.amend.v1", id=draft)) == ["not_returned"]
    case = _fresh(Inspection, draft)
    case.status = "returned"  # a reviewer returned it (console)
    db.session.commit()
    assert _codes(zhang.send("inspection.update.v1", id=draft, baseVersion=0,
                             fields={"narrative": "补充"})) == ["inspection_read_only"]
    assert zhang.send("inspection.amend.v1", id=draft, reason="补拍营业执照")["status"] == "applied"
    zhang.pull()
    assert zhang.value("inspection", draft)["revision"] == 2
    assert zhang.send("finding.set.v1", id=new_id(), inspectionID=draft, itemKey="G02", result="fail",
                      note="无合格证", baseVersion=zhang.versions[("inspection", draft)])["status"] == "applied"
    assert zhang.send("inspection.submit.v1", id=draft)["status"] == "applied"
    db.session.rollback()
    second = db.session.get(InspectionRevision, (draft, 2))
    assert second.reason == "补拍营业执照"
    changes = {c["path"]: (c["old"], c["new"]) for c in second.diff}
    assert changes == {"findings.G02.result": ("pass", "fail"), "findings.G02.note": (None, "无合格证")}
    assert db.session.get(InspectionRevision, (draft, 1)).snapshot["findings"]["G02"]["result"] == "pass"


def test_only_a_never_submitted_draft_is_deleted(zhang, draft, user):
    assert zhang.send("inspection.delete.v1", id=draft)["status"] == "applied"
    assert _fresh(Inspection, draft).deleted_at is not None
    party = factories.party("150122")
    other = new_id()
    zhang.send("inspection.create.v1", **inspection_args(party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id],
                                                         inspection_id=other))
    _submit_complete(zhang, other)
    assert _codes(zhang.send("inspection.delete.v1", id=other)) == ["inspection_read_only"]


def test_both_inspectors_amending_a_returned_record_go_on_editing_it(zhang, draft, login_as):
    """张 and 刘 each tap 申请修改 on the returned record before syncing: one amendment, no rejection."""
    liu = Phone(login_as("tuoketuo.liu"))
    assert _submit_complete(zhang, draft)["status"] == "applied"
    case = _fresh(Inspection, draft)
    case.status = "returned"
    db.session.commit()

    assert zhang.send("inspection.amend.v1", id=draft, reason="补拍营业执照")["status"] == "applied"
    assert liu.send("inspection.amend.v1", id=draft, reason="补充笔录")["status"] == "applied"
    assert liu.send("inspection.update.v1", id=draft, baseVersion=0,
                    fields={"narrative": "补充：当事人出示进货票据"})["status"] == "applied"

    case = _fresh(Inspection, draft)
    assert (case.status, case.revision, case.narrative) == ("draft", 2, "补充：当事人出示进货票据")
    assert _submit_complete(zhang, draft)["status"] == "applied"
    assert _codes(liu.send("inspection.amend.v1", id=draft)) == ["not_returned"]  # submitted again: read-only


def test_a_draft_deleted_from_two_phones_is_deleted_once(zhang, draft, login_as):
    liu = Phone(login_as("tuoketuo.liu"))
    assert zhang.send("inspection.delete.v1", id=draft)["status"] == "applied"
    deleted_at = _fresh(Inspection, draft).deleted_at

    assert liu.send("inspection.delete.v1", id=draft)["status"] == "applied"

    assert _fresh(Inspection, draft).deleted_at == deleted_at
    assert _codes(liu.send("inspection.update.v1", id=draft, baseVersion=0,
                           fields={"narrative": "x"})) == ["inspection_not_found"]


# ---------------------------------------------------------------- parties

def test_a_party_is_created_and_corrected_with_a_checked_credit_code(zhang):
    party_id = new_id()
    code = factories.credit_code("150122")
    assert zhang.send("party.create.v1", id=party_id, name="托克托县新开农资店", creditCode=code.lower(),
                      licences=[{"kind": "农药经营许可证", "number": "农药经许（蒙）15012200001"}])["status"] == "applied"
    party = _fresh(Party, party_id)
    assert party.credit_code == code and party.agency.code == "150122"
    bad = zhang.send("party.update.v1", id=party_id, baseVersion=0, fields={"creditCode": "91150122MA0000000X"})
    assert _codes(bad) == ["invalid_credit_code"] and bad["reasons"][0]["field"] == "creditCode"
    assert zhang.send("party.update.v1", id=party_id, baseVersion=0,
                      fields={"address": "双河镇新华街12号"})["status"] == "applied"
    assert _fresh(Party, party_id).address == "双河镇新华街12号"


def test_an_inspector_cannot_change_another_countys_party(zhang):
    donghe = factories.party("150202", "东河区惠农化肥销售中心")
    result = zhang.send("party.update.v1", id=donghe.id, baseVersion=0, fields={"address": "改"})
    assert _codes(result) == ["party_not_found"]
    assert _fresh(Party, donghe.id).address is None


# ---------------------------------------------------------------- a record sent again

def test_a_record_sent_again_under_new_mutation_ids_updates_it_and_duplicates_nothing(zhang, user):
    """After a rejection the phone resends the whole record: its creates must act as updates."""
    party = factories.party("150122")
    pair = [user("tuoketuo.zhang").id, user("tuoketuo.liu").id]
    case_id, sample_id, photo_id, signature_id = new_id(), new_id(), new_id(), new_id()

    def record(place: str, quantity: str, caption: str) -> list[dict]:
        return [
            zhang.mutation("inspection.create.v1",
                           **inspection_args(party.id, pair, inspection_id=case_id, place=place)),
            zhang.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G01", result="pass"),
            zhang.mutation("sample.add.v1", id=sample_id, inspectionID=case_id, name="复合肥料", quantity=quantity,
                           baseQuantity="120 袋", sealNumbers=["FY20260001"]),
            zhang.mutation("photo.add.v1", id=photo_id, inspectionID=case_id, sha256="e" * 64, size=1000,
                           mediaType="image/jpeg", caption=caption),
            zhang.mutation("signature.add.v1", id=signature_id, inspectionID=case_id, role="party",
                           signerName="王建国", imageSha256="f" * 64),
        ]

    first = zhang.push(*record("店内", "2 kg", "标签"))
    again = zhang.push(*record("仓库", "3 kg", "标签（近景）"))
    assert [r["status"] for r in first["results"] + again["results"]] == ["applied"] * 10
    db.session.rollback()
    case = db.session.get(Inspection, case_id)
    assert case.place == "仓库" and len(case.findings) == 1 and len(case.inspectors) == 2
    assert [s.quantity for s in case.samples] == ["3 kg"]
    assert db.session.get(Photo, photo_id).caption == "标签（近景）"
    assert len(case.signatures) == 1


def test_an_id_taken_by_another_record_is_refused(zhang, draft, user):
    sample_id = new_id()
    zhang.send("sample.add.v1", id=sample_id, inspectionID=draft, name="复合肥料", quantity="2 kg",
               baseQuantity="120 袋", sealNumbers=["FY20260001"])
    db.session.rollback()  # the test's session writes next: leave its old snapshot first
    party = factories.party("150122")
    other = new_id()
    zhang.send("inspection.create.v1", **inspection_args(party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id],
                                                         inspection_id=other))
    clash = zhang.send("sample.add.v1", id=sample_id, inspectionID=other, name="尿素", quantity="1 kg",
                       baseQuantity="10 袋", sealNumbers=["FY20260002"])
    assert _codes(clash) == ["duplicate_id"]
    db.session.rollback()
    other_party = factories.party("150122")
    reused = zhang.send("inspection.create.v1", **inspection_args(
        other_party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=draft))
    assert _codes(reused) == ["duplicate_id"]


def test_creating_a_party_with_another_jurisdictions_id_is_a_duplicate_and_changes_nothing(zhang):
    baotou_party = factories.party("150202", "包头市东河区惠农化肥销售中心")

    result = zhang.send("party.create.v1", id=baotou_party.id, name="托克托县新开农资店")

    assert _codes(result) == ["duplicate_id"]
    assert _fresh(Party, baotou_party.id).name == "包头市东河区惠农化肥销售中心"
    mine = new_id()
    assert zhang.send("party.create.v1", id=mine, name="托克托县新开农资店")["status"] == "applied"
    assert zhang.send("party.create.v1", id=mine, name="另一个名字")["status"] == "applied"  # a resend
    assert _fresh(Party, mine).name == "托克托县新开农资店"
