"""Evidence bytes by SHA-256: which ones the server lacks, and reading them (originals and sizes)."""
from __future__ import annotations

from flask import Response, g, send_file

from ..schemas.blobs import BlobCheckIn, BlobCheckOut
from ..services import evidence
from .common import authenticated, bp, documented, json_body

check_in, check_out = BlobCheckIn(), BlobCheckOut()

IMMUTABLE = "private, max-age=31536000, immutable"
# Sizes made from the phone's display copy give way to the original's once it arrives.
PROVISIONAL = "private, no-cache"


@bp.post("/blobs/check")
@authenticated()
@documented("Which of these SHA-256 hashes the server still lacks (only for hashes the caller's records name)",
            body=check_in, response=check_out)
def check_blobs():
    return check_out.dump(evidence.check_blobs(g.user, json_body(check_in)["sha256"]))


@bp.get("/blobs/<digest>")
@authenticated()
@documented("The original bytes as uploaded, by SHA-256 (ETag = the hash, cacheable as immutable)")
def get_blob(digest: str):
    return _send(evidence.original_bytes(g.user, digest))


@bp.get("/blobs/<digest>/<variant>")
@authenticated()
@documented("A JPEG of the photo, upright, about 320 px (variant thumb) or 1600 px (display) on the long edge")
def get_blob_variant(digest: str, variant: str):
    return _send(evidence.derived_bytes(g.user, digest, variant))


def _send(found: evidence.BlobBytes) -> Response:
    response = send_file(found.path or found.stream, mimetype=found.media_type, etag=found.etag,
                         conditional=True, max_age=None)
    response.headers["Cache-Control"] = IMMUTABLE if found.immutable else PROVISIONAL
    response.headers.pop("Expires", None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
