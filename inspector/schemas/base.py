"""Base schema: camelCase on the wire, snake_case in Python, unknown fields refused."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


def camelcase(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() if part != "id" else "ID" for part in rest)


class WireSchema(Schema):
    """Every body in and out derives from this."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        if field_obj.data_key is None:
            field_obj.data_key = camelcase(field_name)


UUID_STR = validate.Regexp(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                           error="must be a UUID such as 0190f3a2-7c1e-7b4a-9d2e-5f0c1a2b3c4d")
SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$", error="must be 64 lower-case hexadecimal characters (a SHA-256)")


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
