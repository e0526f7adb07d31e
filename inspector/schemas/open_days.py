"""Lab open days in: the console's announcement, a farmer's booking, the desk's sample, result and
forwarding forms (posted as forms; the same shapes would serve JSON)."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from ..models import OPEN_DAY_VERDICTS, PRODUCT_CATEGORIES
from ..models.open_day import CONSENT_METHODS
from .base import WireSchema

BAND = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _text(n: int, required: bool = False) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=n))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=n))


class Lines(fields.Field):
    """A textarea, one entry a line (also a list of strings)."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> list[str]:
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("one entry a line")
        lines = [v.strip() for v in value if v.strip()]
        if not lines or len(lines) > 20 or any(len(v) > 100 for v in lines):
            raise ValidationError("1 to 20 lines of at most 100 characters")
        return lines


class BandLines(Lines):
    """Time bands with their places, a line each: `09:00-11:30 20`."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> list[dict[str, Any]]:
        bands = []
        for line in super()._deserialize(value, attr, data, **kwargs):
            parts = line.replace("－", "-").replace("：", ":").split()
            if (len(parts) != 2 or not BAND.match(parts[0]) or not parts[1].isdigit()
                    or not 1 <= int(parts[1]) <= 500 or parts[0][:5] >= parts[0][6:]):
                raise ValidationError(f"write each band as 09:00-11:30 20 (places 1–500): {line}")
            bands.append({"band": parts[0], "capacity": int(parts[1])})
        return bands


class OpenDayIn(WireSchema):
    lab = _text(200, required=True)
    place = _text(300, required=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    services = Lines(required=True)
    slots = BandLines(required=True)
    capacity_samples = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 100_000))
    contact_phone = _text(32)
    note = _text(2000)


class BookingIn(WireSchema):
    slot_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    name = _text(64, required=True)
    phone = _text(32, required=True)
    product = _text(200, required=True)
    brand = _text(200)
    batch = _text(100)
    bought_from = _text(300, required=True)


class SampleIn(WireSchema):
    product = _text(200, required=True)
    brand = _text(200)
    batch = _text(100)
    bought_from = _text(300, required=True)
    declared = _text(2000)


class ResultIn(WireSchema):
    sample_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    test_item = _text(100, required=True)
    declared_value = _text(64)
    measured_value = _text(64, required=True)
    verdict = fields.String(required=True, validate=validate.OneOf(OPEN_DAY_VERDICTS))
    result_note = _text(2000)


class ForwardIn(WireSchema):
    consent = fields.Boolean(load_default=False)
    consent_method = fields.String(load_default="in_person", validate=validate.OneOf(CONSENT_METHODS))
    anonymous = fields.Boolean(load_default=False)
    respondent_name = _text(200)
    respondent_address = _text(300)
    product_category = fields.String(required=True, validate=validate.OneOf(PRODUCT_CATEGORIES))
