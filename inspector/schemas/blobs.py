"""Evidence bytes: which hashes the server still lacks."""
from __future__ import annotations

from marshmallow import fields, validate

from .base import SHA256_HEX, WireSchema

MAX_HASHES_PER_CHECK = 500


class BlobCheckIn(WireSchema):
    sha256 = fields.List(
        fields.String(validate=validate.Regexp(
            SHA256_HEX.regex, error="{input!r} is not a SHA-256: expected 64 lower-case hexadecimal characters")),
        required=True,
        validate=validate.Length(max=MAX_HASHES_PER_CHECK, error="at most {max} hashes per request"),
    )


class BlobCheckOut(WireSchema):
    missing = fields.List(fields.String(), dump_only=True, metadata={"description": "referenced, not uploaded yet"})
    present = fields.List(fields.String(), dump_only=True, metadata={"description": "stored; never send again"})
    unknown = fields.List(fields.String(), dump_only=True,
                          metadata={"description": "no record in the caller's scope references it"})


class UploadOut(WireSchema):
    """The answer to a tus creation (the same facts are in its headers)."""
    id = fields.String(dump_only=True, required=True, data_key="uploadID")
    offset = fields.Integer(dump_only=True, required=True)
    length = fields.Integer(dump_only=True, required=True)
    blob_present = fields.Boolean(dump_only=True, required=True,
                                  metadata={"description": "the server already holds these bytes: nothing to send"})
