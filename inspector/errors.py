"""The error catalogue: every API error has one shape and a stable code."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, request
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
    "case_changed": (409, "This case was changed since you opened it. Reload it and decide again."),
    "not_reviewable": (409, "Only a submitted case can be decided."),
    "photos_unconfirmed": (422, "Photos taken far from the inspection's time or place must be confirmed before approval."),
    "signatures_unconfirmed": (422, "Signatures that attest an earlier revision of a changed document must be "
                               "confirmed before approval."),
    "case_number_unconfigured": (422, "The agency has no case-number word (机关代字); an administrator must set it."),
    "gone": (410, "No longer available."),
    "too_large": (413, "The request is too large."),
    "unsupported_media_type": (415, "Send the body as application/json."),
    "unprocessable": (422, "The request cannot be carried out."),
    "rate_limited": (429, "Too many failed attempts. Try again later."),
    "unavailable": (503, "The server is busy. Try again shortly."),
    # Sync protocol (docs/sync-protocol.md)
    "mutation_out_of_order": (409, "A mutation is missing before this one; resend from the expected id."),
    "version_not_supported": (400, "This app version is too old or too new for the server; update the app."),
    "inspection_read_only": (409, "The inspection is submitted and read-only; return it to the inspector first."),
    # Evidence bytes (tus uploads, blobs)
    "hash_not_referenced": (403, "No record you can see references this SHA-256; sync the record first."),
    "blob_not_uploaded": (404, "These bytes have not been uploaded yet."),
    "photo_processing": (409, "The photo is still being processed."),
    "offset_mismatch": (409, "The upload is at a different offset; ask with HEAD and resume from there."),
    "upload_gone": (410, "This upload no longer exists; start a new one."),
    "tus_version_not_supported": (412, "Send Tus-Resumable: 1.0.0."),
    "upload_locked": (423, "Another request is writing to this upload; retry shortly."),
    "storage_full": (507, "The server's storage is full; nothing of this chunk was kept. Retry later."),
    "digest_mismatch": (422, "The received bytes do not have the declared SHA-256; nothing was stored."),
    "unsupported_format": (422, "Not an accepted image (JPEG, PNG, WebP or HEIC)."),
    "decompression_bomb": (422, "The image has too many pixels."),
    "truncated_image": (422, "The image is truncated."),
    "corrupt_image": (422, "The image cannot be decoded."),
    "checksum_mismatch": (460, "The chunk does not match its Upload-Checksum; it was discarded."),
    # Tasks (检查任务)
    "task_closed": (409, "This task is done or cancelled; it can no longer change."),
    # Background jobs (console: failed jobs)
    "job_retried": (409, "This job was sent again already."),
    "job_unknown": (409, "This server has no such job to run."),
    # Complaints and reports register
    "report_submitted": (409, "This report was submitted and is frozen; it can no longer change."),
    "transition_not_allowed": (409, "This step is not allowed from the filing's current status."),
    # Plans and draws (双随机)
    "draw_done": (409, "This plan was drawn already."),
    "draw_in_use": (409, "Drawn parties are being or have been checked, or published: the draw can no longer be redone."),
    # Lab open days (public booking pages and the desk)
    "slot_full": (409, "This time slot is fully booked; choose another."),
    "booking_limit": (429, "Too many bookings from this phone number or browser today."),
    "booking_not_found": (404, "No booking matches this booking number and phone number."),
    "booking_state": (409, "This step is not possible in the booking's current state."),
    # Lab results (抽样检验)
    "retest_window_closed": (422, "The 15-day window to apply for a re-test (复检) has closed; the application is refused."),
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


def html_error_page(err: HTTPException, message: str | None = None):
    """The page a blueprint registered for this request's HTML errors (app.extensions
    "html_error_page"), or None for the default."""
    hook = current_app.extensions.get("html_error_page")
    return hook(err, message) if hook else None


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
            # A blueprint with HTML pages may lay out its own (the console does, under /console).
            page = html_error_page(err)
            return page if page is not None else err
        code = _HTTP_CODES.get(err.code or 500, "bad_request")
        message = CATALOGUE.get(code, (0, err.description))[1]
        response = jsonify(error_body(code, message))
        response.status_code = err.code or 500
        # The exception's own headers belong to the answer: a 405 names the allowed methods (Allow,
        # RFC 9110), a 416 the Content-Range, a 429 its Retry-After.
        for name, value in err.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
