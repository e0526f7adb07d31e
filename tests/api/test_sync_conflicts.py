"""Two phones editing one draft: per-field merge, visible conflicts, reviewers settling them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import AuditEvent, Conflict, Inspection
from inspector.services.sync import resolve_conflict

from .. import factories
from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id


@pytest.fixture
def team(login_as, user):
    """张 opens a draft on his phone with 刘; both phones have pulled it."""
    zhang, liu = Phone(login_as("tuoketuo.zhang")), Phone(login_as("tuoketuo.liu"))
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id)))
    zhang.send("inspection.update.v1", id=case_id, baseVersion=0,
               fields={"narrative": "检查人员到达现场时，当事人正在营业。", "place": "门市"})
    zhang.pull()
    liu.pull()
    return zhang, liu, case_id


def _base(phone: Phone, case_id: str) -> int:
    return phone.versions[("inspection", case_id)]


def _case(case_id: str) -> Inspection:
    db.session.rollback()
    return db.session.get(Inspection, case_id)


def test_edits_of_different_fields_from_two_phones_merge(team):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    assert zhang.send("inspection.update.v1", id=case_id, baseVersion=base,
                      fields={"partyStatement": "我店商品均从正规渠道进货。"})["status"] == "applied"
    assert liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                    fields={"closingAnswer": "以上记录属实"})["status"] == "applied"
    case = _case(case_id)
    assert case.party_statement == "我店商品均从正规渠道进货。" and case.closing_answer == "以上记录属实"


def test_an_overlapping_edit_keeps_the_server_value_and_opens_a_conflict_both_see(team, login_as):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"narrative": "张的记录：货架有过期化肥。"})
    result = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                      fields={"narrative": "刘的记录：货架商品正常。", "place": "仓库"})
    assert result["status"] == "applied_with_conflict"
    [ref] = result["conflicts"]
    assert ref["entityType"] == "inspection" and ref["entityID"] == case_id and ref["field"] == "narrative"
    case = _case(case_id)
    assert case.narrative == "张的记录：货架有过期化肥。"  # the server value is kept
    assert case.place == "仓库"  # the field nobody else touched merges
    opened = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sync.conflict")).one()
    assert opened.inspection_id == case_id and opened.data["conflicts"][0]["id"] == ref["id"]
    for phone in (zhang, liu):
        phone.pull()
        conflict = phone.value("conflict", ref["id"])
        assert conflict["serverValue"] == "张的记录：货架有过期化肥。"
        assert conflict["clientValue"] == "刘的记录：货架商品正常。"
        assert conflict["status"] == "open" and conflict["entityID"] == case_id
    assert liu.value("inspection", case_id)["narrative"] == "张的记录：货架有过期化肥。"


def test_one_phones_chained_offline_edits_never_conflict_with_themselves(team):
    zhang, _liu, case_id = team
    base = _base(zhang, case_id)
    for text in ("第一稿", "第二稿", "第三稿"):
        assert zhang.send("inspection.update.v1", id=case_id, baseVersion=base,
                          fields={"narrative": text})["status"] == "applied"
    assert _case(case_id).narrative == "第三稿"


def test_a_reviewer_takes_the_phones_value(team, login_as, user):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"narrative": "张"})
    conflict_id = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                           fields={"narrative": "刘"})["conflicts"][0]["id"]
    response = login_as("hhht.reviewer").post(f"/api/v1/conflicts/{conflict_id}/resolve", json={"choice": "client"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "resolved" and response.get_json()["resolution"] == "client"
    assert _case(case_id).narrative == "刘"
    for phone in (zhang, liu):
        phone.pull()
        assert phone.value("conflict", conflict_id)["resolution"] == "client"
        assert phone.value("inspection", case_id)["narrative"] == "刘"
    again = login_as("hhht.reviewer").post(f"/api/v1/conflicts/{conflict_id}/resolve", json={"choice": "server"})
    assert again.status_code == 409


def test_a_reviewer_keeps_the_server_value_through_the_service(team, user):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"place": "门市一楼"})
    conflict_id = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                           fields={"place": "门市二楼"})["conflicts"][0]["id"]
    db.session.rollback()
    settled = resolve_conflict(user("hhht.reviewer"), conflict_id, "server")
    assert settled.resolution == "server" and settled.resolved_by_id == user("hhht.reviewer").id
    assert _case(case_id).place == "门市一楼"
    # With nothing left open on the field, the next informed edit by anyone is a plain edit.
    liu.pull()
    assert liu.send("inspection.update.v1", id=case_id, baseVersion=_base(liu, case_id),
                    fields={"place": "门市二楼"})["status"] == "applied"


def test_the_author_settles_a_conflict_with_an_informed_edit(team):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"narrative": "张"})
    conflict_id = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                           fields={"narrative": "刘"})["conflicts"][0]["id"]
    liu.pull()  # 刘 now sees 张's text and the conflict, and writes the final text
    assert liu.send("inspection.update.v1", id=case_id, baseVersion=_base(liu, case_id),
                    fields={"narrative": "张与刘共同确认的记录"})["status"] == "applied"
    db.session.rollback()
    conflict = db.session.get(Conflict, conflict_id)
    assert conflict.status == "resolved" and conflict.resolution == "updated"
    assert _case(case_id).narrative == "张与刘共同确认的记录"


def test_answers_to_one_item_from_two_phones_merge_per_item(team):
    zhang, liu, case_id = team
    zhang.send("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G01", result="pass")
    zhang.send("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G02", result="pass")
    liu_g02 = liu.send("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G02", result="fail",
                       note="无合格证")
    assert liu_g02["status"] == "applied_with_conflict"
    assert liu.send("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G03",
                    result="fail")["status"] == "applied"
    liu.pull()
    findings = {f["itemKey"]: f for f in liu.of_type("finding").values()}
    assert set(findings) == {"G01", "G02", "G03"}  # one row per item, whichever phone answered first
    assert findings["G02"]["result"] == "pass" and findings["G02"]["note"] == "无合格证"
    [conflict] = liu.of_type("conflict").values()
    assert (conflict["entityType"], conflict["field"], conflict["clientValue"]) == ("finding", "result", "fail")


def test_taking_the_phones_value_on_a_submitted_case_is_refused(team, login_as):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"narrative": "张"})
    conflict_id = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                           fields={"narrative": "刘"})["conflicts"][0]["id"]
    zhang.push(*fill_and_sign(zhang, case_id))
    assert zhang.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    reviewer = login_as("hhht.reviewer")
    response = reviewer.post(f"/api/v1/conflicts/{conflict_id}/resolve", json={"choice": "client"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "inspection_read_only"
    assert reviewer.post(f"/api/v1/conflicts/{conflict_id}/resolve", json={"choice": "server"}).status_code == 200


def test_only_a_reviewer_in_scope_settles_a_conflict(team, login_as):
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"narrative": "张"})
    conflict_id = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                           fields={"narrative": "刘"})["conflicts"][0]["id"]
    body = {"choice": "client"}
    assert login_as("tuoketuo.liu").post(f"/api/v1/conflicts/{conflict_id}/resolve", json=body).status_code == 403
    assert login_as("baotou.reviewer").post(f"/api/v1/conflicts/{conflict_id}/resolve", json=body).status_code == 404
    db.session.rollback()
    assert db.session.scalars(select(Conflict.status).where(Conflict.id == conflict_id)).one() == "open"


def test_a_party_edited_on_two_phones_merges_and_conflicts_per_field(team, user):
    zhang, liu, _case_id = team
    db.session.rollback()  # the test's own session writes next: leave its old snapshot first
    party = factories.party("150122", "托克托县绿野种业有限公司", address="古城镇")
    zhang.pull()
    liu.pull()
    base = liu.versions[("party", party.id)]
    assert zhang.send("party.update.v1", id=party.id, baseVersion=base,
                      fields={"address": "古城镇农贸市场东侧", "phone": "13614711235"})["status"] == "applied"
    result = liu.send("party.update.v1", id=party.id, baseVersion=base,
                      fields={"address": "古城镇农贸市场西侧", "legalRep": "赵丽"})
    assert result["status"] == "applied_with_conflict" and result["conflicts"][0]["field"] == "address"
    db.session.rollback()
    db.session.refresh(party)
    assert (party.address, party.phone, party.legal_rep) == ("古城镇农贸市场东侧", "13614711235", "赵丽")
    zhang.pull()
    assert zhang.value("conflict", result["conflicts"][0]["id"])["clientValue"] == "古城镇农贸市场西侧"


def test_the_author_settles_a_conflict_after_the_other_phone_wrote_the_field_again(team, login_as):
    """张 edits the field once more while 刘's conflict is open; 刘's informed edit still settles it,
    so no reviewer later brings back 刘's old text over the final one."""
    zhang, liu, case_id = team
    base = _base(liu, case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=base, fields={"narrative": "张"})
    conflict_id = liu.send("inspection.update.v1", id=case_id, baseVersion=base,
                           fields={"narrative": "刘"})["conflicts"][0]["id"]
    assert zhang.send("inspection.update.v1", id=case_id, baseVersion=base,
                      fields={"narrative": "张（二稿）"})["status"] == "applied"
    liu.pull()
    assert liu.send("inspection.update.v1", id=case_id, baseVersion=_base(liu, case_id),
                    fields={"narrative": "张与刘共同确认的记录"})["status"] == "applied"
    db.session.rollback()
    conflict = db.session.get(Conflict, conflict_id)
    assert conflict.status == "resolved" and conflict.resolution == "updated"
    reviewer = login_as("hhht.reviewer")
    assert reviewer.post(f"/api/v1/conflicts/{conflict_id}/resolve", json={"choice": "client"}).status_code == 409
    assert _case(case_id).narrative == "张与刘共同确认的记录"
