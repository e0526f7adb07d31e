"""Evidence bytes by SHA-256: which ones the server lacks, and reading them (originals and sizes)."""
from __future__ import annotations

from flask import Response, g, send_file
from werkzeug.routing import BaseConverter

from ..imaging import ACCEPTED_FORMATS, JPEG
from ..schemas.blobs import BlobCheckIn, BlobCheckOut
from ..services import evidence
from .common import authenticated, bp, documented, json_body

check_in, check_out = BlobCheckIn(), BlobCheckOut()

IMMUTABLE = "private, max-age=31536000, immutable"
# Sizes made from the phone's display copy give way to the original's once it arrives.
PROVISIONAL = "private, no-cache"
# What /api/v1/openapi.json says of a blob answer (inspector/openapi.py).
BLOB_REQUEST_HEADERS = {"If-None-Match": {"schema": {"type": "string"}, "description": "The ETag held: 304 if same"},
                        "Range": {"schema": {"type": "string"}, "description": "`bytes=start-end`: 206 with that part"}}
BLOB_HEADERS = {"ETag": {"schema": {"type": "string"}, "required": True},
                "Cache-Control": {"schema": {"type": "string", "enum": [IMMUTABLE, PROVISIONAL]}, "required": True}}
NOT_MODIFIED = {206: "The requested part (Range; originals kept as files)",
                304: "Not modified: the If-None-Match ETag is current"}


class BlobAddress(BaseConverter):
    """A blob's address: any segment but `check`, which names the POST-only resource beside it, so
    GET /blobs/check answers 405 (Allow: POST) as the OpenAPI document's concrete path says; other
    addresses that are no SHA-256 still get a 400 naming the fault."""

    regex = r"(?!check$)[^/]+"


@bp.record_once
def _register_blob_address(state) -> None:
    state.app.url_map.converters["blob_address"] = BlobAddress


@bp.post("/blobs/check")
@authenticated()
@documented("Which of these SHA-256 hashes the server still lacks (only for hashes the caller's records name)",
            body=check_in, response=check_out)
def check_blobs():
    return check_out.dump(evidence.check_blobs(g.user, json_body(check_in)["sha256"]))


@bp.get("/blobs/<blob_address:digest>")
@authenticated()
@documented("The original bytes as uploaded, by SHA-256 (ETag = the hash, cacheable as immutable)",
            media_types=ACCEPTED_FORMATS, request_headers=BLOB_REQUEST_HEADERS, response_headers=BLOB_HEADERS,
            responses=NOT_MODIFIED)
def get_blob(digest: str):
    return _send(evidence.original_bytes(g.user, digest))


@bp.get("/blobs/<blob_address:digest>/<variant>")
@authenticated()
@documented("A JPEG of the photo, upright, about 320 px (variant thumb) or 1600 px (display) on the long edge",
            media_types=(JPEG,), request_headers=BLOB_REQUEST_HEADERS, response_headers=BLOB_HEADERS,
            responses=NOT_MODIFIED)
def get_blob_variant(digest: str, variant: str):
    return _send(evidence.derived_bytes(g.user, digest, variant))


def _send(found: evidence.BlobBytes) -> Response:
    response = send_file(found.path or found.stream, mimetype=found.media_type, etag=found.etag,
                         conditional=True, max_age=None)
    response.headers["Cache-Control"] = IMMUTABLE if found.immutable else PROVISIONAL
    response.headers.pop("Expires", None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
