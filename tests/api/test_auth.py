"""Logging in on a phone and in the console; limits, revocation and expiry."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import unquote

from inspector.database import db, utcnow
from inspector.models import Device

from ..conftest import DEMO_PASSWORD


def test_phone_login_registers_device_and_token_works(client, login_as):
    phone = login_as("tuoketuo.zhang")
    assert phone.token.startswith("nzd_")
    me = phone.get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["certNo"] == "15012226001"
    device = db.session.query(Device).filter_by(client_id=phone.client_id).one()
    assert device.token_hash != phone.token  # stored hashed, never in clear


def test_phone_keeps_its_client_id_across_logins(login_as, new_id):
    client_id = new_id()
    first = login_as("tuoketuo.zhang", client_id=client_id)
    second = login_as("tuoketuo.zhang", client_id=client_id)
    assert first.client_id == second.client_id == client_id
    assert first.get("/api/v1/me").status_code == 401  # the old token was replaced
    assert second.get("/api/v1/me").status_code == 200


def test_client_id_of_another_inspector_is_refused(client, login_as, new_id):
    client_id = new_id()
    login_as("tuoketuo.zhang", client_id=client_id)
    r = client.post("/api/v1/auth/login", json={"username": "tuoketuo.liu", "password": DEMO_PASSWORD,
                                                "clientID": client_id})
    assert r.status_code == 409
    assert "another inspector" in r.get_json()["error"]["message"]


def test_wrong_password_is_401_with_clear_error(client):
    r = client.post("/api/v1/auth/login", json={"username": "tuoketuo.zhang", "password": "nope"})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "bad_credentials"


def test_unknown_user_is_the_same_401(client):
    r = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "bad_credentials"


def test_account_locks_after_repeated_failures(app, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert client.post("/api/v1/auth/login", json={"username": "tuoketuo.zhang", "password": "x"}).status_code == 401
    # Even the right password is refused while the account is locked.
    r = client.post("/api/v1/auth/login", json={"username": "tuoketuo.zhang", "password": DEMO_PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert r.get_json()["error"]["code"] == "rate_limited"
    # Another account from another address is not affected.
    other = client.post("/api/v1/auth/login", json={"username": "tuoketuo.liu", "password": DEMO_PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_address_is_limited_across_accounts(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for name in ("a1", "a2", "a3"):
            client.post("/api/v1/auth/login", json={"username": name, "password": "x"})
        r = client.post("/api/v1/auth/login", json={"username": "tuoketuo.liu", "password": DEMO_PASSWORD})
        assert r.status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 30


def test_revoked_device_gets_401(login_as):
    phone = login_as("tuoketuo.zhang")
    admin = login_as("admin")
    device_id = db.session.query(Device).filter_by(client_id=phone.client_id).one().id
    assert admin.post(f"/api/v1/devices/{device_id}/revoke").status_code == 200
    r = phone.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "token_revoked"


def test_only_admins_revoke_devices(login_as):
    phone = login_as("tuoketuo.zhang")
    device_id = db.session.query(Device).filter_by(client_id=phone.client_id).one().id
    r = login_as("hhht.reviewer").post(f"/api/v1/devices/{device_id}/revoke")
    assert r.status_code == 403


def test_expired_device_token_gets_401(login_as):
    phone = login_as("tuoketuo.zhang")
    device = db.session.query(Device).filter_by(client_id=phone.client_id).one()
    device.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    r = phone.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "token_expired"


def test_logout_ends_the_token(login_as):
    phone = login_as("tuoketuo.zhang")
    assert phone.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401


def test_deactivated_account_gets_403(login_as, user):
    phone = login_as("tuoketuo.zhang")
    user("tuoketuo.zhang").active = False
    db.session.commit()
    assert phone.get("/api/v1/me").status_code == 403


def test_no_token_is_401(client):
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"


def _csrf(client, path="/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def console_login(client, username="hhht.reviewer", password=DEMO_PASSWORD):
    return client.post("/console/login", data={"username": username, "password": password,
                                               "csrf_token": _csrf(client)})


def test_console_login_sets_a_safe_session_cookie(client):
    r = console_login(client)
    assert r.status_code == 302
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/console/")
    assert home.status_code == 200 and "王审核（呼和浩特）" in home.get_data(as_text=True)


def test_console_form_without_csrf_token_is_refused(client):
    r = client.post("/console/login", data={"username": "hhht.reviewer", "password": DEMO_PASSWORD})
    assert r.status_code == 400
    assert client.get("/console/").status_code == 302  # not logged in


def test_console_wrong_password_shows_message(client):
    r = console_login(client, password="wrong")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.get_data(as_text=True)


def test_expired_console_session_is_sent_to_login(app, client):
    console_login(client)
    with client.session_transaction() as s:
        s["at"] = time.time() - app.config["SESSION_HOURS"] * 3600 - 5
    r = client.get("/console/")
    assert r.status_code == 302 and "/console/login" in r.headers["Location"]
    # The API treats the stale cookie the same way.
    console_login(client)
    with client.session_transaction() as s:
        s["at"] = time.time() - app.config["SESSION_HOURS"] * 3600 - 5
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "session_expired"


def test_console_cookie_cannot_write_to_the_api(client):
    console_login(client)
    assert client.get("/api/v1/me").status_code == 200  # reads are fine
    r = client.post("/api/v1/parties", json={"name": "x"})
    assert r.status_code == 401  # writes need a bearer token, so no CSRF through the API


def test_login_redirect_stays_on_this_site(client):
    r = client.post("/console/login?next=//evil.example/x", data={
        "username": "hhht.reviewer", "password": DEMO_PASSWORD, "csrf_token": _csrf(client)})
    assert r.headers["Location"].endswith("/console/")


def test_a_login_name_with_nul_is_400_naming_it(client):
    r = client.post("/api/v1/auth/login", json={"username": "tuoketuo.zhang\x00", "password": "demo-2026"})
    assert r.status_code == 400 and "username" in r.get_json()["error"]["details"]


def test_revoking_a_device_id_past_any_row_is_404(login_as):
    r = login_as("admin").post(f"/api/v1/devices/{2**64}/revoke")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_backslash_paths_are_not_followed_off_site(client):
    for target in ("/\\evil.example/x", "//evil.example", "https://evil.example"):
        r = client.post(f"/console/login?next={target}", data={
            "username": "hhht.reviewer", "password": DEMO_PASSWORD, "csrf_token": _csrf(client)})
        assert r.headers["Location"].endswith("/console/"), target
        client.post("/console/logout", data={"csrf_token": _csrf(client)})


def test_control_characters_cannot_smuggle_a_redirect_off_site(client):
    """Browsers drop tabs and newlines from a URL, so "/<TAB>/evil.example" becomes "//evil.example"
    (another host). Every such target, at login and at the language switch, leads home instead."""
    targets = ("/%09/evil.example", "/%0A/evil.example", "/%0D/evil.example", "%09//evil.example",
               "/%0B/evil.example", "/%7F/evil.example", "/%C2%85/evil.example", "/%5C%09evil.example",
               "https:evil.example", "//evil.example%09", " //evil.example")
    for target in targets:
        r = client.post(f"/console/login?next={target}", data={
            "username": "hhht.reviewer", "password": DEMO_PASSWORD, "csrf_token": _csrf(client)})
        assert r.status_code == 302 and r.headers["Location"] == "/console/", target
        r = client.post("/console/language", data={"lang": "en", "next": unquote(target), "csrf_token": _csrf(client)})
        assert r.headers["Location"] == "/console/", target
        client.post("/console/logout", data={"csrf_token": _csrf(client)})
    # A page of this site is still where the login leads.
    r = client.post("/console/login?next=/console/queue%3Fstatus%3Dall", data={
        "username": "hhht.reviewer", "password": DEMO_PASSWORD, "csrf_token": _csrf(client)})
    assert r.headers["Location"] == "/console/queue?status=all"
