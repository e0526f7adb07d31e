"""Base schema: camelCase on the wire, snake_case in Python, unknown fields refused."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

# PostgreSQL text cannot hold NUL, and a lone surrogate (valid in a JSON \uD800 escape) is not UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_TEXT = "must not contain NUL or unpaired surrogate characters"


def holds_unstorable_text(value: Any) -> bool:
    """Whether a string anywhere in `value` (a JSON value) could not be stored as text."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(holds_unstorable_text(k) or holds_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_unstorable_text(v) for v in value)
    return False


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

    @pre_load
    def refuse_unstorable_text(self, data: Any, **kwargs: Any) -> Any:
        """A text field (or a list of them) holding NUL or a lone surrogate is a field error, not
        a database error; nested objects check their own fields."""
        if isinstance(data, dict):
            bad = {key: [UNSTORABLE_TEXT] for key, value in data.items()
                   if (isinstance(value, str) and holds_unstorable_text(value))
                   or (isinstance(value, list) and any(isinstance(v, str) and holds_unstorable_text(v) for v in value))}
            if bad:
                raise ValidationError(bad)
        return data


UUID_STR = validate.Regexp(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                           error="must be a UUID such as 0190f3a2-7c1e-7b4a-9d2e-5f0c1a2b3c4d")
SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$", error="must be 64 lower-case hexadecimal characters (a SHA-256)")


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
