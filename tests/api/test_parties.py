"""Parties: search, create, and the clear 400s for bad input."""
from __future__ import annotations

import json

from inspector.credit_code import make_credit_code
from inspector.database import db
from inspector.models import Party


def test_create_party_normalises_and_checks_the_credit_code(login_as, new_id):
    phone = login_as("tuoketuo.zhang")
    code = make_credit_code("92150122MA0X1Y2W3")
    full_width = code.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    r = phone.post("/api/v1/parties", json={"id": new_id(), "name": "托克托县新农资店", "creditCode": full_width,
                                            "legalRep": "王五", "licences": [{"kind": "农药经营许可证", "number": "NY15012200123"}]})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["creditCode"] == code
    assert body["agencyID"] == db.session.scalar(db.select(Party.agency_id).where(Party.id == body["id"]))
    assert body["licences"][0]["kind"] == "农药经营许可证"


def test_wrong_check_character_is_400_naming_the_problem(login_as):
    code = make_credit_code("92150122MA0X1Y2W3")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", json={"name": "x", "creditCode": wrong})
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "validation_failed"
    assert "check character" in err["details"]["creditCode"][0]
    assert db.session.query(Party).count() == 0


def test_forbidden_letter_and_bad_length_are_named(login_as):
    phone = login_as("tuoketuo.zhang")
    r = phone.post("/api/v1/parties", json={"name": "x", "creditCode": "9215012OMA0X1Y2Z3X"})
    assert r.status_code == 400 and "'O'" in r.get_json()["error"]["message"]
    r = phone.post("/api/v1/parties", json={"name": "x", "creditCode": "92150122MA0X1Y2Z"})
    assert r.status_code == 400 and "length" in r.get_json()["error"]["message"]


def test_repeated_create_with_same_id_is_one_party(login_as, new_id):
    phone, party_id = login_as("tuoketuo.zhang"), new_id()
    for _ in range(3):
        assert phone.post("/api/v1/parties", json={"id": party_id, "name": "重复提交店"}).status_code == 201
    assert db.session.query(Party).filter_by(name="重复提交店").count() == 1


def test_search_by_name_and_by_credit_code(login_as):
    phone = login_as("tuoketuo.zhang")
    code = make_credit_code("92150122MA0T0UXUN")
    phone.post("/api/v1/parties", json={"name": "托克托县丰收农资经营部", "creditCode": code})
    phone.post("/api/v1/parties", json={"name": "托克托县绿野种业"})
    by_name = phone.get("/api/v1/parties?q=丰收").get_json()["parties"]
    assert [p["name"] for p in by_name] == ["托克托县丰收农资经营部"]
    by_code = phone.get(f"/api/v1/parties?q={code[-8:].lower()}").get_json()["parties"]
    assert [p["creditCode"] for p in by_code] == [code]


def test_malformed_json_is_400(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"


def test_unknown_field_is_400_naming_it(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", json={"name": "x", "nickname": "y"})
    assert r.status_code == 400
    assert "nickname" in r.get_json()["error"]["details"]


def test_wrong_type_is_400_naming_the_field(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", json={"name": "x", "lat": "north"})
    assert r.status_code == 400
    assert "lat" in r.get_json()["error"]["details"]


def test_missing_required_field_is_named(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", json={"address": "somewhere"})
    assert r.status_code == 400 and "name" in r.get_json()["error"]["details"]


def test_body_must_be_an_object_and_json(login_as):
    phone = login_as("tuoketuo.zhang")
    assert phone.post("/api/v1/parties", json=["a"]).status_code == 400
    r = phone.post("/api/v1/parties", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415


def test_login_body_errors(client):
    r = client.post("/api/v1/auth/login", json={"username": "a"})
    assert r.status_code == 400 and "password" in r.get_json()["error"]["details"]
    r = client.post("/api/v1/auth/login", json={"username": "a", "password": "b", "clientID": "not-a-uuid"})
    assert r.status_code == 400 and "clientID" in r.get_json()["error"]["details"]


def test_text_the_database_cannot_store_is_400_naming_the_field(login_as):
    """A phone's keyboard buffer leaks a NUL or half an emoji: a field error, and no party is made."""
    phone = login_as("tuoketuo.zhang")
    for name in ("农资\x00店", "农资\ud83c店"):
        # json.dumps escapes the lone surrogate as \\ud83c, as a phone's JSON encoder would.
        r = phone.post("/api/v1/parties", data=json.dumps({"name": name}), headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and "name" in r.get_json()["error"]["details"], name
    r = phone.get("/api/v1/parties", query_string={"q": "农资\x00"})
    assert r.status_code == 400 and "q" in r.get_json()["error"]["details"]
    assert phone.get("/api/v1/parties", query_string={"q": "农资"}).get_json()["parties"] == []


def test_a_party_id_with_nul_is_not_found(login_as):
    r = login_as("tuoketuo.zhang").get("/api/v1/parties/0190f3a2-7c1e-7b4a-9d2e-5f0c1a2b3c4d%00")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_json_nested_deeper_than_the_parser_goes_is_400(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", data="[" * 100_000,
                                        headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"
