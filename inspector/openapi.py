"""The OpenAPI document, generated from the routes' marshmallow schemas."""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .schemas.base import ErrorSchema


def build_spec(app: Flask) -> dict[str, Any]:
    """Walk every /api/v1 rule whose view carries @documented and describe it."""
    spec = APISpec(title="农资打假现场检查 API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Offline field inspections: sync, evidence, case files."})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})

    def ref(schema) -> Any:
        # The marshmallow plugin registers each schema class once (nested ones too) and refers to it.
        return schema if getattr(schema, "many", False) else type(schema)

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        if doc is None:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        operations: dict[str, Any] = {}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {"summary": doc["summary"], "responses": {
                str(doc["status"]): {"description": "OK"},
                "4XX": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            }}
            if doc["response"] is not None:
                op["responses"][str(doc["status"])]["content"] = {"application/json": {"schema": ref(doc["response"])}}
            if doc["body"] is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(doc["body"])}}}
            if doc["query"] is not None:
                op["parameters"] = [{"in": "query", "schema": type(doc["query"])}]
            if getattr(view, "needs_auth", False):
                op["security"] = [{"bearer": []}]
            params = re.findall(r"{([a-z_]+)}", path)
            if params:
                op.setdefault("parameters", []).extend(
                    {"in": "path", "name": p, "required": True, "schema": {"type": "string"}} for p in params)
            operations[method.lower()] = op
        spec.path(path=path, operations=operations)
    return spec.to_dict()
