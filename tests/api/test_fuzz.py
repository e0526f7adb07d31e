"""Junk in, a clear 4xx out: no request to /api/v1 can produce a 500 by its content.

Property-based (hypothesis): for every documented route with a body, a query or path parameters,
requests are built from the route's own marshmallow schema — mostly plausible values with one
field at a time turned into junk (wrong types, huge or odd strings, NUL, lone surrogates, deep
nesting, huge numbers) — plus bodies that are not JSON at all. Sync push gets junk mutations for
every registered name, pull gets junk cursors. Every answer must be below 500 and every error
must have the catalogue's {"error": {"code", "message", "details"}} shape.
"""
from __future__ import annotations

import base64
import json
import os
import re
from typing import Any, Callable
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

from inspector.services.sync.cursor import scope_hash
from inspector.services.sync.mutations import REGISTRY
from tests import factories
from tests.sync_phone import Phone, inspection_args

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))  # raise it for a deeper search on a workstation
# Hypothesis runs inside the test, with the app built by the fixture: no example shares a request
# context, and the per-example database changes are what a real phone's junk would cause.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---------------------------------------------------------------- junk

ODD_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e\u200b\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🌾" * 50,
    "' OR 1=1 --", "'; DROP TABLE party; --", "%s%s%n", "../../etc/passwd", "null", "NaN", "1e999",
    "2026-13-45", "9999-12-31T23:59:59+14:00", "0000-01-01", "-0001-01-01T00:00:00Z", "1e308",
    "x" * 5_000, "长" * 70_000,
])
BIG_NUMBERS = st.sampled_from([-1, 0, 2**31, 2**31 - 1, 2**53 + 1, 2**62, 2**63, 2**64, -(2**63) - 1, 10**30,
                               1e308, -1e308, 1.5, float("nan"), float("inf"), float("-inf")])
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), BIG_NUMBERS, st.floats(), st.text(max_size=20), ODD_TEXT)


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


JSON_JUNK = st.one_of(
    SCALAR,
    st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                 st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                 max_leaves=8),
    st.sampled_from([_deep(64), {"a": _deep(500)}]),
)


Known = dict[str, st.SearchStrategy]  # data key → real values (ids of rows that exist)


def valid(field: fields.Field, known: Known) -> st.SearchStrategy:
    """A value the field's schema accepts (almost always): in range, the right shape."""
    validators = field.validators
    for v in validators:
        if isinstance(v, validate.OneOf):
            return st.sampled_from(list(v.choices))
        if isinstance(v, validate.Regexp):
            return st.from_regex(v.regex, fullmatch=True)
    if isinstance(field, fields.Nested):
        return schema_body(field.schema, known, many=getattr(field.schema, "many", False))
    if isinstance(field, fields.List):
        lengths = [v for v in validators if isinstance(v, validate.Length)]
        low = lengths[0].min or 0 if lengths else 0
        return st.lists(valid(field.inner, known), min_size=low, max_size=max(low, 3))
    if isinstance(field, (fields.AwareDateTime, fields.DateTime)):
        return st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    if isinstance(field, fields.Date):
        return st.dates().map(str)
    if isinstance(field, (fields.Integer, fields.Float)):
        bounds = [v for v in validators if isinstance(v, validate.Range)]
        lo = bounds[0].min if bounds and bounds[0].min is not None else -1000
        hi = bounds[0].max if bounds and bounds[0].max is not None else 1000
        return st.integers(int(lo), int(hi)) if isinstance(field, fields.Integer) else st.floats(lo, hi)
    if isinstance(field, fields.String):
        lengths = [v for v in validators if isinstance(v, validate.Length)]
        limit = lengths[0].max if lengths and lengths[0].max is not None else 100
        return st.one_of(st.text(min_size=1, max_size=min(limit, 30)), st.just("字" * limit))
    if isinstance(field, fields.Dict):
        return st.dictionaries(st.text(max_size=8), SCALAR, max_size=3)
    return JSON_JUNK


def wrong(field: fields.Field, known: Known) -> st.SearchStrategy:
    """A value just outside what the field accepts, or junk of any type."""
    near: list[st.SearchStrategy] = [JSON_JUNK, ODD_TEXT]
    bounds = [v for v in field.validators if isinstance(v, validate.Range)]
    if bounds:
        near.append(st.sampled_from([b - 1 for b in (bounds[0].min, bounds[0].max) if b is not None]
                                    + [b + 1 for b in (bounds[0].min, bounds[0].max) if b is not None]))
    if isinstance(field, (fields.Integer, fields.Float)):
        near.append(BIG_NUMBERS)
    if isinstance(field, fields.String):
        lengths = [v for v in field.validators if isinstance(v, validate.Length)]
        if lengths and lengths[0].max is not None:
            near.append(st.just("字" * (lengths[0].max + 1)))
    if isinstance(field, fields.List):
        near.append(st.lists(wrong(field.inner, known), min_size=1, max_size=3))
    if isinstance(field, fields.Nested):
        near.append(schema_body(field.schema, known, many=getattr(field.schema, "many", False)))
    return st.one_of(near)


def schema_body(schema: Schema, known: Known | None = None, many: bool = False) -> st.SearchStrategy:
    """An object for `schema` that is valid but for (usually) one field: that one missing, wrong or
    junk; optional fields sometimes left out, an unknown field sometimes added. Data keys in
    `known` take real ids most of the time, so the junk reaches the services, not just the schema."""
    known = known or {}
    loadable = {f.data_key or name: f for name, f in schema.fields.items() if not f.dump_only}

    @st.composite
    def build(draw) -> dict[str, Any]:
        spoiled = draw(st.sampled_from([*loadable, None])) if draw(st.booleans()) else None
        body = {}
        for key, field in loadable.items():
            if key == spoiled:
                if draw(st.booleans()):
                    body[key] = draw(wrong(field, known))
                continue  # missing
            if not field.required and draw(st.integers(0, 3)) == 0:
                continue
            if key in known and draw(st.integers(0, 3)) > 0:
                body[key] = draw(known[key])
            else:
                body[key] = draw(valid(field, known))
        if draw(st.integers(0, 9)) == 0:
            body[draw(st.text(min_size=1, max_size=10))] = draw(SCALAR)
        return body

    return st.lists(build(), max_size=3) if many else build()


# ---------------------------------------------------------------- sending

class Request:
    """A request to send: JSON, raw bytes or a query, with a content type."""

    def __init__(self, body: Any = None, raw: bytes | None = None, content_type: str = "application/json",
                 query: dict[str, str] | None = None):
        self.body, self.raw, self.content_type, self.query = body, raw, content_type, query

    def __repr__(self) -> str:
        shown = repr(self.raw if self.raw is not None else self.body)
        return f"Request({shown[:300]}, {self.content_type!r}, query={repr(self.query)[:300]})"


def body_requests(schema: Schema) -> st.SearchStrategy:
    """Mostly schema-shaped objects; also non-objects, broken bytes and wrong content types."""
    return st.one_of(
        schema_body(schema).map(Request),
        schema_body(schema).map(Request),
        JSON_JUNK.map(Request),
        st.sampled_from([b"\xff\xfe\xfa", b'{"name": "\xc3\x28"}', b"{", b"", b"[" * 100_000,
                         b'{"a":' * 5_000, b"\x00" * 10]).map(lambda raw: Request(raw=raw)),
        schema_body(schema).map(lambda body: Request(raw=json.dumps(body).encode(),
                                                     content_type="text/plain")),
        st.just(Request(raw=b"name=x", content_type="application/x-www-form-urlencoded")),
    )


def query_requests(schema: Schema) -> st.SearchStrategy:
    text = st.one_of(st.text(max_size=30), ODD_TEXT.filter(lambda s: not re.search("[\ud800-\udfff]", s)),
                     st.integers().map(str), BIG_NUMBERS.map(str))
    keys = [f.data_key or name for name, f in schema.fields.items()]
    return st.dictionaries(st.sampled_from(keys) | st.text(min_size=1, max_size=5), text, max_size=4).map(
        lambda q: Request(query=q))


def send(api, method: str, path: str, request: Request):
    kw: dict[str, Any] = {"query_string": request.query} if request.query else {}
    if request.raw is not None or request.body is not None or method != "GET":
        data = request.raw if request.raw is not None else json.dumps(request.body).encode()
        kw.update(data=data, content_type=request.content_type)
    return api.request(method, path, **kw)


def assert_clear_answer(response, what: str) -> None:
    """Below 500; an error has the catalogue's shape."""
    assert response.status_code < 500, f"{what} → {response.status_code}: {response.get_data(as_text=True)[:500]}"
    if response.status_code >= 400 and response.request.method != "HEAD":
        error = (response.get_json(silent=True) or {}).get("error")
        assert isinstance(error, dict) and {"code", "message", "details"} <= error.keys(), \
            f"{what} → {response.status_code} without the error shape: {response.get_data(as_text=True)[:300]}"


def documented_routes(app) -> list[tuple[str, str, Callable, Any]]:
    """(method, rule, view, openapi) of every documented /api/v1 route."""
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        if not rule.rule.startswith("/api/v1") or doc is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, rule, view, doc))
    return routes


# ---------------------------------------------------------------- the people and rows the junk aims at

@pytest.fixture
def targets(app, login_as):
    """Phones of an inspector, a reviewer and an admin, and a party and a draft case to aim at."""
    party = factories.party("150122")
    case = factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"))
    apis = {"inspector": login_as("tuoketuo.zhang"), "reviewer": login_as("hq.reviewer"),
            "admin": login_as("admin")}
    return {"apis": apis, "party_id": party.id, "inspection_id": case.id, "template_id": factories.template().id,
            "inspector_ids": [factories.user("tuoketuo.zhang").id, factories.user("tuoketuo.liu").id]}


def persona(view: Callable) -> str:
    roles = getattr(view, "required_roles", ())
    return roles[-1] if roles and "inspector" not in roles else "inspector"


# ---------------------------------------------------------------- bodies and queries

def test_junk_bodies_and_queries_get_clear_4xx(app, targets):
    """Every documented body or query, filled with junk, answers a clear error or a success."""
    fuzzed = 0
    for method, rule, view, doc in documented_routes(app):
        if rule.rule.endswith("/sync/push"):
            continue  # its own test below aims at the mutations
        path = rule.rule.replace("<conflict_id>", "00000000-0000-4000-8000-000000000000")
        if "<" in path or (doc["body"] is None and doc["query"] is None):
            continue
        api = targets["apis"][persona(view)]
        strategy = body_requests(doc["body"]) if doc["body"] is not None else query_requests(doc["query"])

        @FUZZ
        @given(request=strategy)
        def run(request: Request) -> None:
            assert_clear_answer(send(api, method, path, request), f"{method} {path} {request!r}")

        run()
        fuzzed += 1
    assert fuzzed >= 6


# ---------------------------------------------------------------- path parameters

PATH_JUNK = st.one_of(
    st.text(min_size=1, max_size=40), ODD_TEXT.filter(lambda s: s and not re.search("[\ud800-\udfff]", s)),
    st.integers().map(str), BIG_NUMBERS.map(str), st.just("9" * 400), st.just("f" * 64),
    st.uuids().map(str), st.just("00000000-0000-0000-0000-000000000000\x00"),
)


def test_junk_path_parameters_get_clear_4xx(app, targets):
    """Ids that are too long, not UUIDs, SQL-ish, unicode or out of any integer range."""
    fuzzed = 0
    for method, rule, view, doc in documented_routes(app):
        names = re.findall(r"<(?:[a-z_]+:)?([a-z_]+)>", rule.rule)
        if not names:
            continue
        api = targets["apis"][persona(view)]
        headers = {"Tus-Resumable": "1.0.0"} if "/uploads/" in rule.rule else {}

        @FUZZ
        @given(values=st.fixed_dictionaries({n: PATH_JUNK for n in names}))
        def run(values: dict[str, str]) -> None:
            path = rule.rule
            for name, value in values.items():
                path = re.sub(rf"<(?:[a-z_]+:)?{name}>", quote(value, safe=""), path)
            body = {"choice": "server"} if doc["body"] is not None else None
            response = api.request(method, path, json=body, headers=headers)
            assert_clear_answer(response, f"{method} {path[:300]}")

        run()
        fuzzed += 1
    assert fuzzed >= 8


# ---------------------------------------------------------------- sync push and pull

NEXT = object()  # stands for the id the server expects next


def mutation_strategy(targets: dict[str, Any], *, junk_envelopes: bool) -> st.SearchStrategy:
    ids = st.sampled_from([targets["party_id"], targets["inspection_id"]]) | st.uuids().map(str)
    known: Known = {"id": ids, "inspectionID": st.just(targets["inspection_id"]),
                    "partyID": st.just(targets["party_id"]), "templateID": st.just(targets["template_id"]),
                    "inspectorIDs": st.just(targets["inspector_ids"]), "baseVersion": st.integers(0, 3)}
    named = st.sampled_from(sorted(REGISTRY)).flatmap(lambda name: st.fixed_dictionaries(
        {"id": st.just(NEXT), "name": st.just(name), "args": schema_body(REGISTRY[name].schema, known)},
        optional={"clientTime": st.one_of(*[st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())] * 4,
                                          ODD_TEXT, JSON_JUNK)}))
    junk = st.fixed_dictionaries({"id": st.one_of(st.just(NEXT), BIG_NUMBERS, JSON_JUNK),
                                  "name": st.one_of(st.text(max_size=70), ODD_TEXT, JSON_JUNK),
                                  "args": JSON_JUNK})
    return st.one_of(named, junk, JSON_JUNK) if junk_envelopes else named


def test_junk_mutations_are_answered_not_crashed(app, targets):
    """Unknown names and args of every wrong shape for every registered mutation: a 4xx or a
    `rejected` result naming the fault — never a 500, never the catch-all server_error."""
    api = targets["apis"]["inspector"]
    phone = Phone(api)
    create = phone.send("inspection.create.v1", **inspection_args(
        targets["party_id"], [api.login["user"]["id"], factories.user("tuoketuo.liu").id]))
    assert create["status"] == "applied"
    state = {"last": phone.next_id - 1}

    # Junk envelopes stop at the schema; well-formed ones with one spoiled arg reach the handlers.
    envelopes = st.one_of(
        st.tuples(st.lists(mutation_strategy(targets, junk_envelopes=True), min_size=1, max_size=3),
                  st.dictionaries(st.sampled_from(["clientID", "schemaVersion", "appVersion", "extra"]), JSON_JUNK,
                                  max_size=2)),
        st.tuples(st.lists(mutation_strategy(targets, junk_envelopes=False), min_size=1, max_size=3), st.just({})),
    )

    @FUZZ
    @given(envelope=envelopes)
    def run(envelope: tuple[list[Any], dict[str, Any]]) -> None:
        mutations, extra = envelope
        sent, next_id = [], state["last"] + 1
        for m in mutations:
            if isinstance(m, dict) and m.get("id") is NEXT:
                m = {**m, "id": next_id}
                next_id += 1
            sent.append(m)
        body = {"clientID": phone.client_id, "schemaVersion": 1, "mutations": sent, **extra}
        response = api.request("POST", "/api/v1/sync/push", data=json.dumps(body), content_type="application/json")
        what = f"push {json.dumps(body)[:600]}"
        assert_clear_answer(response, what)
        if response.status_code == 200:
            answer = response.get_json()
            state["last"] = max(state["last"], answer["lastMutationID"])
            crashed = [r for r in answer["results"] if any(x["code"] == "server_error" for x in r.get("reasons", []))]
            assert not crashed, f"{what} → server_error: {crashed}"

    for _ in range(2):  # the second round starts from the rows the first one made
        run()


def _cursor(body: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def cursor_junk(scope: str, user_id: int) -> st.SearchStrategy:
    """Garbled cursors, and well-signed ones (the caller's scope and id) with doctored positions."""
    return st.one_of(
        st.text(max_size=60), ODD_TEXT.filter(lambda s: len(s) <= 2000),
        JSON_JUNK.map(_cursor),
        st.fixed_dictionaries({
            "v": st.one_of(st.integers(-3, 5), BIG_NUMBERS, JSON_JUNK),
            "t": st.one_of(st.none(), st.sampled_from(["party", "inspection", "rejection", "agency", "template",
                                                       "nope"]), JSON_JUNK),
            "k": st.one_of(st.integers(-3, 5), BIG_NUMBERS, st.uuids().map(str), JSON_JUNK, ODD_TEXT,
                           st.lists(st.one_of(st.integers(), BIG_NUMBERS), max_size=3)),
                           "s": st.one_of(st.just(scope), st.text(max_size=16), JSON_JUNK),
                           "u": st.one_of(st.just(user_id), st.integers(), JSON_JUNK)},
                          optional={"r": st.one_of(st.integers(), BIG_NUMBERS, JSON_JUNK)}).map(_cursor),
    )


def test_junk_pull_cursors_get_a_reset_or_4xx(app, targets):
    """A doctored or garbled cursor answers a reset (or a 4xx), never a 500."""
    api = targets["apis"]["inspector"]

    @FUZZ
    @given(cursor=cursor_junk(scope_hash(factories.user("tuoketuo.zhang")), api.login["user"]["id"]), limit=st.one_of(st.integers(1, 5), BIG_NUMBERS))
    def run(cursor: str, limit: Any) -> None:
        body = {"clientID": api.client_id, "schemaVersion": 1, "cursor": cursor, "limit": limit}
        response = api.request("POST", "/api/v1/sync/pull", data=json.dumps(body), content_type="application/json")
        assert_clear_answer(response, f"pull {json.dumps(body)[:600]}")

    run()
