"""The error catalogue: every API error has one shape and a stable code."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

# code → (HTTP status, default message)
CATALOGUE: dict[str, tuple[int, str]] = {
    "bad_request": (400, "The request is malformed."),
    "invalid_json": (400, "The request body is not valid JSON."),
    "validation_failed": (400, "Some fields are missing or invalid."),
    "unauthenticated": (401, "Log in first."),
    "bad_credentials": (401, "Wrong username or password."),
    "token_revoked": (401, "This device was signed out by an administrator. Log in again."),
    "token_expired": (401, "This device's login has expired. Log in again."),
    "session_expired": (401, "Your session has expired. Log in again."),
    "account_inactive": (403, "This account is deactivated."),
    "forbidden": (403, "You may not do this."),
    "not_found": (404, "Not found."),
    "method_not_allowed": (405, "Method not allowed."),
    "conflict": (409, "The record changed meanwhile."),
    "gone": (410, "No longer available."),
    "too_large": (413, "The request is too large."),
    "unsupported_media_type": (415, "Send the body as application/json."),
    "unprocessable": (422, "The request cannot be carried out."),
    "rate_limited": (429, "Too many failed attempts. Try again later."),
    "unavailable": (503, "The server is busy. Try again shortly."),
}


class ApiError(Exception):
    """An expected failure, answered as {"error": {"code", "message", "details"}}."""

    def __init__(self, code: str, message: str | None = None, details: Any = None,
                 status: int | None = None, headers: dict[str, str] | None = None):
        default_status, default_message = CATALOGUE[code]
        super().__init__(message or default_message)
        self.code = code
        self.message = message or default_message
        self.details = details if details is not None else {}
        self.status = status or default_status
        self.headers = headers or {}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def _is_api() -> bool:
    return request.path.startswith("/api/")


_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
               415: "unsupported_media_type", 422: "unprocessable", 429: "rate_limited", 503: "unavailable"}


def register_error_handlers(app: Flask) -> None:
    """API paths answer JSON errors; console pages keep HTML error pages."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        response = jsonify(error_body(err.code, err.message, err.details))
        response.status_code = err.status
        response.headers.update(err.headers)
        return response

    @app.errorhandler(ValidationError)
    def _validation_error(err: ValidationError):
        return _api_error(ApiError("validation_failed", details=err.messages))

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not _is_api():
            return err
        code = _HTTP_CODES.get(err.code or 500, "bad_request")
        message = CATALOGUE.get(code, (0, err.description))[1]
        response = jsonify(error_body(code, message))
        response.status_code = err.code or 500
        return response
