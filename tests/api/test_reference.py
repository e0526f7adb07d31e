"""Reference reads, the OpenAPI document and the health check."""
from __future__ import annotations

from inspector.database import db
from inspector.models import ChecklistTemplate, PublishedTemplateChanged

from ..sync_phone import Phone

import pytest


def test_agencies_tree(login_as):
    agencies = login_as("tuoketuo.zhang").get("/api/v1/agencies").get_json()["agencies"]
    assert len(agencies) == 116
    by_code = {a["code"]: a for a in agencies}
    assert by_code["150122"]["shortName"] == "托克托县"
    assert by_code["150122"]["parentID"] == by_code["150100"]["id"]


def test_published_templates_with_items_and_legal_basis(login_as):
    templates = login_as("tuoketuo.zhang").get("/api/v1/templates").get_json()["templates"]
    assert {t["category"] for t in templates} == {"general", "fertilizer", "pesticide", "film", "seed", "machinery"}
    pesticide = next(t for t in templates if t["key"] == "pesticide")
    items = [i for s in pesticide["sections"] for i in s["items"]]
    p01 = next(i for i in items if i["key"] == "P01")
    assert "农药经营许可证" in p01["label"] and "农药管理条例" in p01["legal_basis"]


def test_colleagues_are_the_inspectors_of_the_league_the_phone_may_list(login_as, user):
    """An inspector in 托克托县 may list one from 新城区 (same league) as co-inspector: the colleague
    list offers him, and the same people as the pull's colleague rows; 包头's do not appear."""
    zhang = Phone(login_as("tuoketuo.zhang"))
    listed = {c["id"] for c in zhang.api.get("/api/v1/colleagues").get_json()["colleagues"]}
    zhang.pull()
    assert listed == set(zhang.of_type("colleague"))
    assert user("xincheng.zhou").id in listed and user("tuoketuo.liu").id in listed
    assert user("donghe.chen").id not in listed


def test_published_template_cannot_change(app):
    template = db.session.scalars(db.select(ChecklistTemplate)).first()
    template.title = "改过的标题"
    with pytest.raises(PublishedTemplateChanged):
        db.session.commit()
    db.session.rollback()


def test_openapi_describes_the_routes_with_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/LoginIn")
    props = spec["components"]["schemas"]["PartyIn"]["properties"]
    assert "creditCode" in props and "name" in props
    assert "/api/v1/parties/{party_id}" in spec["paths"]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["status"] == "ok"


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_a_template_id_past_any_row_is_404(login_as):
    r = login_as("tuoketuo.zhang").get(f"/api/v1/templates/{10**30}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_templates_carry_the_clause_words_and_version(login_as):
    templates = login_as("tuoketuo.zhang").get("/api/v1/templates").get_json()["templates"]
    pesticide = next(t for t in templates if t["key"] == "pesticide")
    items = {i["key"]: i for s in pesticide["sections"] for i in s["items"]}
    p05 = items["P05"]
    assert p05["legal_basis"] == "《农药管理条例》第二十七条第一款"
    assert p05["basis_text"].startswith("第二十七条第一款 农药经营者应当建立销售台账")
    assert p05["basis_version"] == "2022-03-29" and "basis_pending" not in p05
    assert items["P09"]["basis_pending"] == ["《农药标签和说明书管理办法》"] and "basis_text" not in items["P09"]
    assert all(value is not None for item in items.values() for value in item.values())  # absent stays absent


def test_the_item_schema_names_every_template_item_field():
    """Every field a template item may have reaches the phone (a field missing here would be dropped)."""
    from inspector import refdata
    from inspector.schemas.reference import TemplateItemOut

    assert set(refdata.ITEM_FIELDS + refdata.OPTIONAL_ITEM_FIELDS) <= set(TemplateItemOut().fields)
