"""What every API route shares: the blueprint, authentication, body parsing, documentation."""
from __future__ import annotations

import functools
import json
from typing import Any, Callable

from flask import Blueprint, g, request, session
from marshmallow import Schema

from ..database import db, utcnow
from ..errors import ApiError
from ..models import User
from ..schemas.sync import MAX_INT
from ..services import auth as auth_service

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@bp.url_value_preprocessor
def refuse_impossible_path_values(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A path value no row can have is a 404 here, not a database error: PostgreSQL text cannot
    hold NUL, and an <int:…> past the integer key columns overflows the driver."""
    for value in (values or {}).values():
        if (isinstance(value, str) and "\x00" in value) or (isinstance(value, int) and not 0 <= value <= MAX_INT):
            raise ApiError("not_found")


def _principal() -> tuple[User, Any]:
    """The caller from a bearer token, or (for reads only) from the console session cookie."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        device = auth_service.device_for_token(header[7:].strip())
        if request.method not in SAFE_METHODS:
            now = utcnow()
            if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
                device.last_seen_at = now
        return device.user, device
    if request.method in SAFE_METHODS and "uid" in session:
        from ..console.auth import session_user

        user = session_user()
        if user is not None:
            return user, None
        raise ApiError("session_expired")
    raise ApiError("unauthenticated")


def authenticated(*roles: str) -> Callable:
    """Require a logged-in caller (of one of `roles`, when given); sets g.user and g.device."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.user, g.device = _principal()
            if roles and g.user.role not in roles:
                raise ApiError("forbidden", f"Only a {' or '.join(roles)} may do this.")
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # read by the OpenAPI generator
        wrapper.needs_auth = True
        return wrapper

    return decorator


def json_body(schema: Schema) -> dict[str, Any]:
    """The request's JSON object loaded through `schema`; 400 naming the field otherwise."""
    if not request.is_json:
        raise ApiError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
    try:
        # NaN and Infinity are not JSON (RFC 8259), though Python's parser takes them; a json column refuses them.
        data = json.loads(request.get_data(cache=True), parse_constant=_not_json)
    except ValueError:  # also invalid UTF-8
        raise ApiError("invalid_json", "The request body is not valid JSON.") from None
    except RecursionError:
        raise ApiError("invalid_json", "The JSON body is nested too deeply.") from None
    if data is None:
        raise ApiError("invalid_json", "The request body is not valid JSON.")
    if not isinstance(data, dict):
        raise ApiError("validation_failed", "The request body must be a JSON object.",
                       details={"_schema": ["expected a JSON object"]})
    return schema.load(data)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def documented(summary: str, *, body: Schema | None = None, response: Schema | None = None,
               query: Schema | None = None, status: int = 200, media_types: tuple[str, ...] = (),
               body_media_type: str | None = None, body_required: bool = True,
               request_headers: dict[str, dict[str, Any]] | None = None,
               response_headers: dict[str, dict[str, Any]] | None = None,
               responses: dict[int, str | tuple[str, Schema]] | None = None) -> Callable:
    """Attach what /api/v1/openapi.json says about a route (inspector/openapi.py writes it out).

    `media_types`: what a success answers when it is not JSON; `body_media_type`: a body that is not
    JSON; headers as {name: {"schema": …, "required": …, "description": …}}, a response header with
    "always": True is on error answers too; `responses`: statuses beyond the success and 4XX errors
    (a 5XX the client should retry, a 304), as a description or (description, schema of its JSON body)."""

    def decorator(view: Callable) -> Callable:
        view.openapi = {"summary": summary, "body": body, "response": response, "query": query, "status": status,
                        "media_types": media_types, "body_media_type": body_media_type,
                        "body_required": body_required, "request_headers": request_headers or {},
                        "response_headers": response_headers or {}, "responses": responses or {}}
        return view

    return decorator


def device_id() -> int | None:
    return g.device.id if getattr(g, "device", None) is not None else None


def commit() -> None:
    db.session.commit()
