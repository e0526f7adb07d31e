"""The published OpenAPI document describes the server: schemathesis over every operation.

Requests are generated from /api/v1/openapi.json itself (valid and invalid ones, plus its coverage
phase: boundary values, missing required parts, methods the path does not document), sent to the
Flask app through WSGI with a phone's bearer token of the role the operation needs, and each answer
is checked against the document: the status code is documented, the content type is documented, the
body matches the documented schema, documented headers are present and well-formed, nothing is a
server error, and a method the path does not have answers 405 with `Allow`.

Bounded for CI: FUZZ_EXAMPLES per operation (default 25) for the fuzzing phase; the examples and
coverage phases add their own fixed sets.
"""
from __future__ import annotations

import os
import re
import tempfile
import zlib
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from inspector import create_app
from inspector.openapi import view_for
from inspector.services.demo import DEMO_PASSWORD
from tests import factories
from tests.api.evidence_helpers import add_photo, camera_jpeg, create, metadata, sha256, upload

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
    st_checks.unsupported_method,
]


# tus chunks (application/offset+octet-stream) are raw bytes, sent as schemathesis sends octet-streams.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


class Phones:
    """Bearer tokens of the personas, logged in again when an operation signed one out."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}
        self.client_ids: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
            self.client_ids[username] = response.get_json()["clientID"]
        return self.tokens[username]

    def forget(self) -> None:
        self.tokens.clear()


# The role an operation needs (decorator `authenticated(...)`): the reviewer settles conflicts,
# the admin manages phones, an inspector does everything else.
PERSONA = {"reviewer": "hq.reviewer", "admin": "admin", "inspector": "tuoketuo.zhang"}


def published_document() -> dict[str, Any]:
    """/api/v1/openapi.json as the server publishes it (the document needs no database)."""
    with tempfile.TemporaryDirectory(prefix="openapi-") as instance:
        spec_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "openapi"},
                              instance_path=instance)
        response = spec_app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


# Loaded at collection, so each operation is its own test (on each database backend); every request
# goes to the test's own app (`app=`, `session=`), not to the one that published the document.
schema = schemathesis.openapi.from_dict(published_document(), config=schemathesis.Config.from_dict({
    "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none"},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
}))


@pytest.fixture
def rows(app, client, login_as):
    """Rows the generated requests may name: a party and its draft case with two photos, the first
    uploaded (its original and sizes can be read), the second with an upload under way."""
    party = factories.party("150122")
    case = factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"))
    uploaded, pending = camera_jpeg((160, 120), seed=1), camera_jpeg((160, 120), seed=2)
    add_photo(case, uploaded)
    add_photo(case, pending)
    phone = login_as("tuoketuo.zhang")
    upload(phone, uploaded)
    started = create(phone, pending)
    assert started.status_code == 201, started.get_json()
    return {"party_id": party.id, "inspection_id": case.id, "template_id": factories.template().id,
            "digest": sha256(uploaded), "upload_id": started.headers["Location"].rsplit("/", 1)[1],
            "Upload-Metadata": metadata(sha256=sha256(pending), filetype="image/jpeg"),
            "Upload-Length": str(len(pending)), "phones": Phones(client)}


def role_of(app, case) -> str:
    """The first role the operation's view admits (`authenticated(...)`); an inspector when any may."""
    roles = getattr(view_for(app, case.operation.method, case.operation.path), "required_roles", ())
    return roles[0] if roles else "inspector"


def aim_at_rows(case, rows: dict[str, Any], client_id: str) -> None:
    """Point about half the generated ids at rows that exist (and a push or pull at the caller's own
    phone), so success answers are checked too. Which half follows from the generated value
    itself, so hypothesis replays and shrinks a failing case exactly."""
    def chosen(value: Any) -> bool:
        return zlib.crc32(repr(value).encode()) % 2 == 0

    for parameters in (case.path_parameters, case.headers):
        for name, value in list((parameters or {}).items()):
            if name in rows and chosen(value):
                parameters[name] = rows[name]
    if isinstance(case.body, dict) and "clientID" in case.body and chosen(case.body["clientID"]):
        case.body["clientID"] = client_id


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), max_examples=EXAMPLES)
def test_every_answer_is_as_documented(case, app, rows, client):
    """Whatever is sent, the answer is one the OpenAPI document describes."""
    phones: Phones = rows["phones"]
    # Plain bodies: a WSGI call does not undo gzip, which answers of 1 KB or more get when asked
    # (and schemathesis asks); tests/api/test_compression.py checks the compressed ones.
    headers: dict[str, Any] = {"Accept-Encoding": "identity"}
    username = PERSONA[role_of(app, case)]
    if case.operation.definition.raw.get("security"):
        headers["Authorization"] = f"Bearer {phones.token(username)}"
    aim_at_rows(case, rows, phones.client_ids.get(username, ""))
    response = case.call_and_validate(app=app, session=client, headers=headers, checks=CHECKS)
    if case.operation.path in ("/api/v1/auth/logout", "/api/v1/devices/{device_id}/revoke") \
            and response.status_code < 300:
        phones.forget()  # a token was signed out


def test_every_405_names_the_allowed_methods(app, client):
    """RFC 9110: a 405 carries Allow. Every route of the app (API, console, phone app, verify
    pages), asked with each method it does not have, answers 405 with its methods in Allow."""
    asked = 0
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:([a-z_]+):)?([a-z_]+)>", lambda m: "1" if m.group(1) == "int" else "x", rule.rule)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in (rule.methods or ()):
                continue
            response = client.open(path, method=method)
            if response.status_code != 405:
                continue  # another rule has this method for the same address
            asked += 1
            allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
            assert allowed, f"{method} {path} → 405 without Allow"
            assert method not in allowed, f"{method} {path} → 405 yet Allow: {response.headers['Allow']}"
    assert asked > 20
