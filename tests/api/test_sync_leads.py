"""An inspector records a lead on the phone, offline; it syncs as complaint.create.v1 into the register,
once however often it is resent, and what the register refuses comes back with reasons."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from inspector.database import db
from inspector.models import Filing, FilingPerson

from .. import factories
from ..sync_phone import Phone, new_id


@pytest.fixture
def zhang(login_as) -> Phone:
    return Phone(login_as("tuoketuo.zhang"))


def _lead(**changes):
    args = {"id": new_id(), "kind": "report", "channel": "inspection_found",
            "receivedAt": (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(),
            "respondentName": "托克托县某农资店", "respondentAddress": "双河镇", "productCategory": "pesticide",
            "facts": "店内有无登记证号的农药出售", "anonymous": True}
    args.update(changes)
    return args


def _filings() -> list[Filing]:
    db.session.rollback()
    return list(db.session.scalars(select(Filing)))


def test_a_lead_found_during_an_inspection_is_registered_once(zhang):
    lead = _lead()
    first = zhang.send("complaint.create.v1", **lead)
    assert first["status"] == "applied", first
    again = zhang.send("complaint.create.v1", **lead)  # the phone resends after a lost answer
    assert again["status"] == "applied"
    [filing] = _filings()
    assert (filing.id, filing.kind, filing.channel, filing.status) == (lead["id"], "report", "inspection_found", "verifying")
    assert filing.handling_agency.code == "150122" and filing.reg_no and filing.due_on is not None
    assert db.session.get(FilingPerson, filing.id).anonymous


def test_a_lead_about_a_party_of_the_registry_names_it(zhang):
    party = factories.party("150122", "托克托县丰收农资经营部")
    result = zhang.send("complaint.create.v1", **_lead(partyID=party.id, respondentName=None, kind="complaint",
                                                        anonymous=False, personName="李农户", personPhone="13900000001",
                                                        requests="退货"))
    assert result["status"] == "applied", result
    [filing] = _filings()
    assert filing.party_id == party.id and filing.respondent_name == "托克托县丰收农资经营部"


@pytest.mark.parametrize("changes, field", [
    ({"kind": "complaint", "anonymous": False}, "personName"),  # a complaint needs its complainant
    ({"respondentName": None}, "respondentName"),
    ({"receivedAt": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()}, "receivedAt"),
    ({"partyID": "0190f3a2-7c1e-7b4a-9d2e-5f0c1a2b3c4d", "respondentName": None}, "partyID"),
])
def test_what_the_register_refuses_comes_back_with_reasons_and_nothing_is_registered(zhang, changes, field):
    result = zhang.send("complaint.create.v1", **_lead(**changes))
    assert result["status"] == "rejected"
    assert field in [r["field"] for r in result["reasons"]] and all(r["messageZh"] for r in result["reasons"])
    assert _filings() == []


def test_a_bad_channel_is_refused_by_the_wire_schema(zhang):
    result = zhang.send("complaint.create.v1", **_lead(channel="12315_platform"))
    assert result["status"] == "rejected" and _filings() == []


def test_another_counties_party_is_not_found(zhang):
    party = factories.party("150202", "包头市东河区金穗农药店")
    result = zhang.send("complaint.create.v1", **_lead(partyID=party.id, respondentName=None))
    assert result["status"] == "rejected" and "partyID" in [r["field"] for r in result["reasons"]]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Filing)) == 0
