"""The OpenAPI document, generated from the routes' marshmallow schemas and their @documented facts.

tests/api/test_openapi_conformance.py sends schemathesis-generated requests to every operation and
checks each answer against this document (status, content type, body schema, headers): what is
written here is what the server does.
"""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .schemas.base import SHA256_HEX, UUID_STR, ErrorSchema

_RULE_PARAMETER = re.compile(r"<(?:([a-z_]+):)?([a-z_]+)>")
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

# Path parameters by name: one description for every route that takes one.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "digest": {"type": "string", "pattern": SHA256_HEX.regex.pattern,
               "description": "SHA-256 of the file: 64 lower-case hexadecimal characters"},
    "variant": {"type": "string", "enum": ["thumb", "display"]},
    "inspection_id": {"type": "string", "pattern": UUID_STR.regex.pattern},
    "party_id": {"type": "string", "pattern": UUID_STR.regex.pattern},
    "conflict_id": {"type": "string", "pattern": UUID_STR.regex.pattern},
    "order_id": {"type": "string", "pattern": UUID_STR.regex.pattern, "description": "A 责令改正通知书 (rectification order)"},
    "upload_id": {"type": "string", "description": "From the Location of the creating POST"},
}


def openapi_path(rule: str) -> str:
    """/api/v1/parties/<party_id> → /api/v1/parties/{party_id}"""
    return _RULE_PARAMETER.sub(r"{\2}", rule)


def build_spec(app: Flask) -> dict[str, Any]:
    """Walk every /api/v1 rule whose view carries @documented and describe it."""
    spec = APISpec(title="农资打假现场检查 API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Offline field inspections: sync, evidence, case files."})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        if doc is None:
            continue
        operations: dict[str, Any] = {}
        methods = (rule.methods or set()) - {"OPTIONS"}
        if methods != {"HEAD"}:  # Flask answers HEAD for every GET; a HEAD-only rule is its own operation
            methods -= {"HEAD"}
        for method in sorted(methods):
            operations[method.lower()] = _operation(rule.rule, view, doc)
        spec.path(path=openapi_path(rule.rule), operations=operations)
    return spec.to_dict()


def _operation(rule: str, view: Any, doc: dict[str, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "OK"}
    if doc["response"] is not None:
        success["content"] = {"application/json": {"schema": type(doc["response"])}}
    elif doc["media_types"]:
        success["content"] = {m: {"schema": {"type": "string", "format": "binary"}} for m in doc["media_types"]}
    errors: dict[str, Any] = {"description": "Error", "content": ERROR_CONTENT}
    if doc["response_headers"]:
        success["headers"] = {name: _header(h) for name, h in doc["response_headers"].items()}
        errors["headers"] = {name: _header(h) for name, h in doc["response_headers"].items() if h.get("always")}
    responses: dict[str, Any] = {str(doc["status"]): success, "4XX": errors}
    for status, description in doc["responses"].items():
        if isinstance(description, tuple):  # (description, schema of its JSON body)
            description, schema = description
            responses[str(status)] = {"description": description,
                                      "content": {"application/json": {"schema": type(schema)}}}
            continue
        responses[str(status)] = ({"description": description} if status < 400
                                  else {**errors, "description": description})
    op: dict[str, Any] = {"summary": doc["summary"], "responses": responses}

    if doc["body"] is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": type(doc["body"])}}}
    elif doc["body_media_type"]:
        op["requestBody"] = {"required": doc["body_required"], "content": {
            doc["body_media_type"]: {"schema": {"type": "string", "format": "binary"}}}}
    parameters: list[dict[str, Any]] = []
    if doc["query"] is not None:
        parameters.append({"in": "query", "schema": type(doc["query"])})
    for converter, name in _RULE_PARAMETER.findall(rule):
        schema = {"type": "integer", "minimum": 1} if converter == "int" else PATH_PARAMETERS[name]
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    for name, header in doc["request_headers"].items():
        parameters.append({"in": "header", "name": name, "required": header.get("required", False),
                           "schema": header["schema"], "description": header.get("description", "")})
    if parameters:
        op["parameters"] = parameters
    if getattr(view, "needs_auth", False):
        op["security"] = [{"bearer": []}]
    return op


def _header(header: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in header.items() if key in ("schema", "required", "description")}


def view_for(app: Flask, method: str, path: str):
    """The view function behind an OpenAPI operation (`path` as the document spells it)."""
    for rule in app.url_map.iter_rules():
        if openapi_path(rule.rule) == path and method.upper() in (rule.methods or ()):
            return app.view_functions[rule.endpoint]
    raise LookupError(f"{method} {path}")
