"""Admin pages: users, devices, agencies' case-number settings, checklist templates; CSRF everywhere."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import AuditEvent, ChecklistTemplate, Device, User
from inspector.services.case_numbers import local_year

from .. import factories
from ..conftest import DEMO_PASSWORD
from ..console_support import csrf_token, decide, reviewer_session, submitted_case


def _fresh_user(username: str) -> User:
    db.session.rollback()
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_admin_creates_an_inspector_who_can_log_in(client, login_as):
    reviewer_session(client, "admin")
    token = csrf_token(client, "/console/admin/users")
    r = client.post("/console/admin/users", data={
        "csrf_token": token, "username": "tuoketuo.ma", "display_name": "马执法", "role": "inspector",
        "agency_code": "150122", "cert_no": "15012226009", "password": "new-pass-2026"})
    assert r.status_code == 302
    assert login_as("tuoketuo.ma", "new-pass-2026").login["user"]["certNo"] == "15012226009"


def test_inspector_without_certificate_is_refused_with_the_reason(client):
    reviewer_session(client, "admin")
    r = client.post("/console/admin/users", data={
        "csrf_token": csrf_token(client), "username": "x.y", "display_name": "某", "role": "inspector",
        "agency_code": "150122", "password": "long-enough"})
    assert r.status_code == 400 and "填写有误" in r.get_data(as_text=True) and "certNo" in r.get_data(as_text=True)
    assert 'value="x.y"' in r.get_data(as_text=True)  # what was typed is kept


def test_deactivating_a_user_ends_their_phone_token(client, login_as):
    phone = login_as("tuoketuo.liu")
    reviewer_session(client, "admin")
    target = _fresh_user("tuoketuo.liu")
    r = client.post(f"/console/admin/users/{target.id}/active", data={"csrf_token": csrf_token(client), "active": "0"})
    assert r.status_code == 302
    assert phone.get("/api/v1/me").status_code == 403
    assert not _fresh_user("tuoketuo.liu").active


def test_password_reset_ends_console_sessions(client, app):
    other = app.test_client()
    reviewer_session(other, "hhht.reviewer")
    reviewer_session(client, "admin")
    target = _fresh_user("hhht.reviewer")
    r = client.post(f"/console/admin/users/{target.id}/password",
                    data={"csrf_token": csrf_token(client), "password": "brand-new-pass"})
    assert r.status_code == 302
    assert other.get("/console/queue").status_code == 302  # sent back to log in
    fresh = app.test_client()
    from .test_auth import console_login
    assert console_login(fresh, "hhht.reviewer", "brand-new-pass").status_code == 302
    assert console_login(app.test_client(), "hhht.reviewer", DEMO_PASSWORD).status_code == 401
    db.session.rollback()
    events = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "user"))]
    assert "user.reset_password" in events


def test_devices_page_shows_last_sync_and_revokes(client, login_as):
    phone = login_as("tuoketuo.zhang")
    device = db.session.scalars(select(Device).where(Device.client_id == phone.client_id)).one()
    reviewer_session(client, "admin")
    html = client.get("/console/devices").get_data(as_text=True)
    assert "张执法" in html and "从未同步" in html
    client.post(f"/console/devices/{device.id}/revoke", data={"csrf_token": csrf_token(client)})
    assert phone.get("/api/v1/me").status_code == 401


def test_agency_settings_change_the_next_case_number(client, app):
    reviewer_session(client, "admin")
    agency = factories.agency("150122")
    r = client.post(f"/console/admin/agencies/{agency.id}", data={
        "csrf_token": csrf_token(client), "case_code_word": "呼托市监", "word_inspection": "检查",
        "word_penalty": "罚", "uses_di": "1", "padding": "4"})
    assert r.status_code == 302
    year = local_year()
    assert f"呼托市监检查〔{year}〕第0001号" in client.get("/console/admin/agencies").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": csrf_token(client)})
    reviewer_session(client)
    db.session.rollback()  # the test's own session starts afresh after the requests' writes
    case = submitted_case()
    decide(client, case.id, "approve")
    db.session.rollback()
    assert db.session.get(type(case), case.id).case_number == f"呼托市监检查〔{year}〕第0001号"


def test_agency_settings_are_validated(client):
    reviewer_session(client, "admin")
    agency = factories.agency("150122")
    r = client.post(f"/console/admin/agencies/{agency.id}", data={
        "csrf_token": csrf_token(client), "case_code_word": "HT<script>", "word_inspection": "检", "padding": "99"},
        follow_redirects=True)
    assert "填写有误" in r.get_data(as_text=True)
    db.session.rollback()
    assert factories.agency("150122").case_code_word == "呼托市监"


def _template_body(version_title="化肥经营者现场检查表（2027版）"):
    body = json.loads(open("inspector/refdata/templates/fertilizer.json", encoding="utf-8").read())
    body["title"] = version_title
    return body


def test_template_import_preview_publish_retire(client):
    reviewer_session(client, "admin")
    r = client.post("/console/admin/templates/import",
                    data={"csrf_token": csrf_token(client), "json": json.dumps(_template_body(), ensure_ascii=False)})
    assert r.status_code == 302
    preview = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "化肥经营者现场检查表（2027版）" in preview and 'data-template-status="draft"' in preview
    assert "营业执照是否悬挂" in preview
    template_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(f"/console/admin/templates/{template_id}/publish", data={"csrf_token": csrf_token(client)})
    db.session.rollback()
    assert db.session.get(ChecklistTemplate, template_id).status == "published"
    client.post(f"/console/admin/templates/{template_id}/retire", data={"csrf_token": csrf_token(client)})
    db.session.rollback()
    assert db.session.get(ChecklistTemplate, template_id).status == "retired"


def test_template_import_lists_every_problem(client):
    reviewer_session(client, "admin")
    body = _template_body()
    del body["title"]
    body["category"] = "rockets"
    r = client.post("/console/admin/templates/import",
                    data={"csrf_token": csrf_token(client), "json": json.dumps(body, ensure_ascii=False)})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "title" in html and "category" in html
    r = client.post("/console/admin/templates/import", data={"csrf_token": csrf_token(client), "json": "{not json"})
    assert r.status_code == 400 and "line 1" in r.get_data(as_text=True)


FORMS = [
    ("/console/admin/users", {"username": "a.b", "display_name": "x", "role": "reviewer", "agency_code": "150100",
                              "password": "12345678"}),
    ("/console/admin/users/{uid}/active", {"active": "0"}),
    ("/console/admin/users/{uid}/password", {"password": "12345678"}),
    ("/console/devices/1/revoke", {}),
    ("/console/admin/agencies/{aid}", {"case_code_word": "改"}),
    ("/console/admin/templates/import", {"json": "{}"}),
    ("/console/admin/templates/1/retire", {}),
]


@pytest.mark.parametrize("path,data", FORMS)
def test_every_admin_form_needs_its_csrf_token(client, path, data):
    reviewer_session(client, "admin")
    uid = _fresh_user("tuoketuo.liu").id
    path = path.format(uid=uid, aid=factories.agency("150122").id)
    assert client.post(path, data=data).status_code == 400
    assert _fresh_user("tuoketuo.liu").active


def test_reviewers_cannot_open_admin_pages(client):
    reviewer_session(client)
    for path in ("/console/admin/users", "/console/devices", "/console/admin/agencies", "/console/admin/templates"):
        assert client.get(path).status_code == 403


def test_league_admin_only_manages_their_league(client, app):
    from inspector.services.passwords import hash_password
    db.session.add(User(username="hhht.admin", display_name="呼市管理员", role="admin", agency=factories.agency("150100"),
                        password_hash=hash_password(DEMO_PASSWORD), active=True))
    db.session.commit()
    reviewer_session(client, "hhht.admin")
    html = client.get("/console/admin/users").get_data(as_text=True)
    assert "tuoketuo.zhang" in html and "donghe.chen" not in html
    baotou_user = _fresh_user("donghe.chen")
    r = client.post(f"/console/admin/users/{baotou_user.id}/active", data={"csrf_token": csrf_token(client), "active": "0"})
    assert r.status_code == 404
    assert _fresh_user("donghe.chen").active


def test_ids_too_large_for_the_database_are_not_found(client):
    reviewer_session(client, "admin")
    token = csrf_token(client)
    huge = "99999999999999999999"
    assert client.get(f"/console/admin/templates/{huge}").status_code == 404
    for path in (f"/console/admin/users/{huge}/active", f"/console/devices/{huge}/revoke",
                 f"/console/admin/agencies/{huge}", f"/console/admin/templates/{huge}/publish"):
        assert client.post(path, data={"csrf_token": token, "active": "0"}).status_code == 404, path


def test_deeply_nested_template_json_is_refused_with_the_reason(client):
    reviewer_session(client, "admin")
    nested = "[" * 100_000 + "]" * 100_000
    r = client.post("/console/admin/templates/import", data={"csrf_token": csrf_token(client), "json": nested})
    assert r.status_code == 400 and "nested too deeply" in r.get_data(as_text=True)


def test_a_league_admin_cannot_change_the_regions_checklists(client):
    from inspector.services.users import create_user

    create_user(username="hhht.admin", display_name="呼市管理员", role="admin", agency_code="150100",
                password=DEMO_PASSWORD)
    reviewer_session(client, "hhht.admin")
    template = db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.key == "seed")).one()
    r = client.post(f"/console/admin/templates/{template.id}/retire", data={"csrf_token": csrf_token(client)})
    assert r.status_code in (302, 403)
    db.session.rollback()
    assert db.session.get(ChecklistTemplate, template.id).status == "published"
    r = client.post("/console/admin/templates/import",
                    data={"csrf_token": csrf_token(client), "json": json.dumps(_template_body(), ensure_ascii=False)})
    assert db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.title == "化肥经营者现场检查表（2027版）")) is None


def test_template_pages_mark_citations_still_to_verify(client):
    reviewer_session(client, "admin")
    listing = client.get("/console/admin/templates").get_data(as_text=True)
    row = listing[listing.index('data-template="pesticide-2"'):]
    row = row[:row.index("</tr>")]
    assert 'data-pending-count="' in row and "项依据待核" in row
    pesticide = ChecklistTemplate.query.filter_by(key="pesticide", template_version=2).one()
    page = client.get(f"/console/admin/templates/{pesticide.id}").get_data(as_text=True)
    assert 'data-basis-pending="P09"' in page and "《农药标签和说明书管理办法》" in page
    assert 'data-basis-pending="P05"' not in page
    assert "第二十七条第一款 农药经营者应当建立销售台账" in page and "条文版本：2022-03-29" in page
