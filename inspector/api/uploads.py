"""Resumable evidence uploads: tus 1.0.0 core with creation, creation-with-upload, expiration,
checksum and termination (https://tus.io/protocols/resumable-upload). Rules: services/evidence.py.

Error responses keep the API's JSON error shape in the body; the tus status codes (409 offset,
412 version, 415 content type, 460 checksum) and headers are as the protocol says.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Any

from flask import Response, current_app, g, request, url_for
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import http_date

from ..errors import ApiError
from ..schemas.blobs import UploadOut
from ..services import evidence
from .common import authenticated, bp, device_id, documented

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,expiration,checksum,termination"
CHUNK_CONTENT_TYPE = "application/offset+octet-stream"
_NUMBER = re.compile(r"^\d{1,19}$")
upload_out = UploadOut()

# What /api/v1/openapi.json says of the tus headers (inspector/openapi.py); "always": on errors too.
_BYTES = {"type": "integer", "minimum": 0}
TUS_RESUMABLE_IN = {"Tus-Resumable": {"schema": {"type": "string", "enum": [TUS_VERSION]}, "required": True,
                                      "description": "The tus version the client speaks; other values get 412"}}
TUS_RESUMABLE_OUT = {"Tus-Resumable": {"schema": {"type": "string", "enum": [TUS_VERSION]}, "required": True,
                                       "always": True}}
CHECKSUM_IN = {"Upload-Checksum": {"schema": {"type": "string"},
                                   "description": "`sha256 <base64 digest>` of this chunk; a mismatch is 460"}}
STATE_OUT = {"Upload-Offset": {"schema": _BYTES, "required": True, "description": "Bytes received so far"},
             "Upload-Expires": {"schema": {"type": "string"}, "description": "When an unfinished upload is deleted"}}
STORAGE_FULL = {507: "The server's storage is full; nothing of the chunk was kept (Retry-After)"}


@bp.after_request
def _tus_resumable_header(response: Response) -> Response:
    """Every answer of the upload endpoints, errors included, names the protocol version."""
    if request.endpoint and request.endpoint.startswith("api.tus_"):
        response.headers["Tus-Resumable"] = TUS_VERSION
    if request.endpoint == "api.tus_head":  # a cached offset would make the phone resume wrongly
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/uploads", methods=["OPTIONS"], endpoint="tus_options")
@bp.route("/uploads/<upload_id>", methods=["OPTIONS"], endpoint="tus_options_upload")
def tus_options(upload_id: str | None = None):
    return Response(status=204, headers={
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(current_app.config["MAX_UPLOAD_BYTES"]),
        "Tus-Checksum-Algorithm": ",".join(evidence.CHECKSUM_ALGORITHMS),
    })


@bp.route("/uploads", methods=["POST"], endpoint="tus_create", provide_automatic_options=False)
@authenticated()
@documented("tus creation (and creation-with-upload): Upload-Length, Upload-Metadata with sha256 and filetype",
            status=201, response=upload_out, body_media_type=CHUNK_CONTENT_TYPE, body_required=False,
            request_headers={**TUS_RESUMABLE_IN,
                             "Upload-Length": {"schema": _BYTES, "required": True, "description": "Size of the file"},
                             "Upload-Metadata": {"schema": {"type": "string"}, "required": True, "description":
                                                 "`sha256 <base64>,filetype <base64>`: the file's SHA-256 in hex"},
                             **CHECKSUM_IN},
            response_headers={**TUS_RESUMABLE_OUT, **STATE_OUT,
                              "Location": {"schema": {"type": "string"}, "required": True}},
            responses=STORAGE_FULL)
def tus_create():
    _require_tus_version()
    if request.headers.get("Upload-Defer-Length"):
        raise ApiError("bad_request", "Upload-Defer-Length is not supported; send Upload-Length.")
    raw_metadata = request.headers.get("Upload-Metadata")
    metadata = _metadata(raw_metadata or "")
    if "sha256" not in metadata:
        raise ApiError("validation_failed", "Upload-Metadata must carry sha256: the file's SHA-256 in hex.",
                       details={"sha256": ["required"]})
    chunk = None
    if request.content_length or request.headers.get("Transfer-Encoding", "").lower() == "chunked":
        if request.mimetype != CHUNK_CONTENT_TYPE:  # creation-with-upload: the body is the first chunk
            raise ApiError("unsupported_media_type", f"Send the first chunk with Content-Type: {CHUNK_CONTENT_TYPE}.")
        chunk = _chunk(offset=0)
    state = evidence.create_upload(
        g.user, device_id(), length=_number_header("Upload-Length"), sha256=metadata["sha256"],
        media_type=(metadata.get("filetype") or None), upload_metadata=raw_metadata, chunk=chunk)
    location = url_for("api.tus_head", upload_id=state.id)
    return upload_out.dump(state), 201, {"Location": location, **_state_headers(state)}


@bp.route("/uploads/<upload_id>", methods=["HEAD"], endpoint="tus_head", provide_automatic_options=False)
@authenticated()
@documented("tus: how far an upload got (Upload-Offset), to resume from there", request_headers=TUS_RESUMABLE_IN,
            response_headers={**TUS_RESUMABLE_OUT, **STATE_OUT,
                              "Upload-Length": {"schema": _BYTES, "required": True},
                              "Upload-Metadata": {"schema": {"type": "string"}}})
def tus_head(upload_id: str):
    _require_tus_version()
    state = evidence.upload_state(g.user, upload_id)
    headers = {**_state_headers(state), "Upload-Length": str(state.length), "Cache-Control": "no-store"}
    if state.upload_metadata:
        headers["Upload-Metadata"] = state.upload_metadata
    return Response(status=200, headers=headers)


@bp.route("/uploads/<upload_id>", methods=["PATCH"], endpoint="tus_patch", provide_automatic_options=False)
@authenticated()
@documented("tus: append a chunk at Upload-Offset (Content-Type application/offset+octet-stream; "
            "Upload-Checksum: sha256 <base64>)", status=204, body_media_type=CHUNK_CONTENT_TYPE,
            request_headers={**TUS_RESUMABLE_IN, "Upload-Offset": {"schema": _BYTES, "required": True,
                                                                   "description": "Where this chunk starts"},
                             **CHECKSUM_IN},
            response_headers={**TUS_RESUMABLE_OUT, **STATE_OUT}, responses=STORAGE_FULL)
def tus_patch(upload_id: str):
    _require_tus_version()
    if request.mimetype != CHUNK_CONTENT_TYPE:
        raise ApiError("unsupported_media_type", f"Send the chunk with Content-Type: {CHUNK_CONTENT_TYPE}.")
    chunk = _chunk(offset=_number_header("Upload-Offset"))
    state = evidence.append_chunk(g.user, upload_id, chunk)
    return Response(status=204, headers=_state_headers(state))


@bp.route("/uploads/<upload_id>", methods=["DELETE"], endpoint="tus_delete", provide_automatic_options=False)
@authenticated()
@documented("tus termination: abandon an unfinished upload and its bytes", status=204,
            request_headers=TUS_RESUMABLE_IN, response_headers=TUS_RESUMABLE_OUT)
def tus_delete(upload_id: str):
    _require_tus_version()
    evidence.terminate_upload(g.user, upload_id)
    return Response(status=204)


def _require_tus_version() -> None:
    sent = request.headers.get("Tus-Resumable")
    if sent != TUS_VERSION:
        raise ApiError("tus_version_not_supported",
                       f"This server speaks tus {TUS_VERSION}; the request said Tus-Resumable: {sent or '(missing)'}.",
                       headers={"Tus-Version": TUS_VERSION})


def _number_header(name: str) -> int:
    value = request.headers.get(name, "").strip()
    if not _NUMBER.match(value):
        raise ApiError("bad_request", f"{name} must be a non-negative whole number of bytes"
                       f"{'' if value else ' and is required'}.", details={name: value or None})
    return int(value)


def _metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs (the value may be absent)."""
    pairs: dict[str, str] = {}
    if "\x00" in header:  # kept as the session's metadata, and PostgreSQL text cannot hold NUL
        raise ApiError("bad_request", "Upload-Metadata must not contain NUL characters.")
    for item in header.split(","):
        key, _, encoded = item.strip().partition(" ")
        if not key:
            continue
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError("bad_request", f"Upload-Metadata: the value of {key!r} is not base64-encoded UTF-8.",
                           details={"Upload-Metadata": key}) from None
        if "\x00" in pairs[key]:
            raise ApiError("bad_request", f"Upload-Metadata: the value of {key!r} contains a NUL character.",
                           details={"Upload-Metadata": key})
    return pairs


def _chunk(offset: int) -> evidence.Chunk:
    """The request body as a chunk to append, with its Upload-Checksum when one was sent."""
    return evidence.Chunk(offset=offset, stream=_body_stream(), length=request.content_length,
                          checksum=_checksum(request.headers.get("Upload-Checksum")))


class _ArrivedBytes(io.RawIOBase):
    """The body of known length straight from a buffered socket file (werkzeug's server), each read
    answering with what has arrived (read1) rather than waiting to fill it: a connection reset in
    the middle of a filling read would lose what it had gathered. End or error before the
    Content-Length: ClientDisconnected, as werkzeug's own stream says it."""

    def __init__(self, raw, length: int) -> None:
        self.raw, self.left = raw, length

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        try:
            data = self.raw.read1(self.left if size is None or size < 0 else min(size, self.left))
        except (OSError, ValueError):
            raise ClientDisconnected() from None
        if not data:
            raise ClientDisconnected()
        self.left -= len(data)
        return data


def _body_stream():
    raw = request.environ.get("wsgi.input")
    length = request.content_length
    if (length is not None and isinstance(raw, io.BufferedReader) and not request.environ.get("wsgi.input_terminated")
            and length <= current_app.config["MAX_CONTENT_LENGTH"]):
        return _ArrivedBytes(raw, length)
    return request.stream  # gunicorn (input_terminated) and chunked bodies: see evidence._read_chunk


def _checksum(header: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: `<algorithm> <base64 digest>`; 400 for an algorithm we do not support."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in evidence.CHECKSUM_ALGORITHMS:
        raise ApiError("bad_request", f"Upload-Checksum algorithm {algorithm!r} is not supported; use "
                       f"{' or '.join(evidence.CHECKSUM_ALGORITHMS)}.")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != evidence.CHECKSUM_ALGORITHMS[algorithm]().digest_size:
        raise ApiError("bad_request", f"Upload-Checksum: the {algorithm} digest must be base64 of "
                       f"{evidence.CHECKSUM_ALGORITHMS[algorithm]().digest_size} bytes.")
    return algorithm, digest


def _state_headers(state: evidence.UploadState) -> dict[str, Any]:
    headers: dict[str, Any] = {"Upload-Offset": str(state.offset)}
    if state.expires_at is not None:
        headers["Upload-Expires"] = http_date(state.expires_at)
    return headers
