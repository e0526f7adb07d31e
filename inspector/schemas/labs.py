"""A sample's lab steps in (the console's forms and the lab's CSV rows, loaded through these)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, validate

from ..models import CONCLUSIONS
from .base import WireSchema


def _text(n: int, required: bool = False) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=n))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=n))


def parse_number(raw: Any) -> Decimal:
    """A decimal number as typed (`13.4`, `+40`, `0.010`); anything else is a ValueError."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    text = str(raw).strip().replace("％", "").replace("%", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not number.is_finite():
        raise ValueError(raw)
    return number


class NumberText(fields.Field):
    """A decimal number kept as its plain text ("13.4"): exact, no float noise; not a number → field error."""

    default_error_messages = {"invalid": "不是数字 / not a number: {input}"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            number = parse_number(value)
        except ValueError:
            raise self.make_error("invalid", input=str(value)[:40]) from None
        text = format(number, "f")
        if len(text) > 24:
            raise ValidationError("too many digits")
        return text


def _number(required: bool = False) -> NumberText:
    return NumberText(required=True) if required else NumberText(load_default=None, allow_none=True)


class ShipIn(WireSchema):
    lab_name = _text(200, required=True)
    lab_cma_no = _text(60)
    carrier = _text(200)
    shipped_on = fields.Date(required=True)


class ReceiveIn(WireSchema):
    received_on = fields.Date(required=True)


class ResultItemIn(WireSchema):
    item = _text(120)  # may be left to the reference row
    method_standard = _text(120)
    requirement_text = _text(200)
    limit_low = _number()
    limit_high = _number()
    unit = _text(20)
    declared_value = _number()
    allowed_negative_deviation = _number()
    measured = _text(60, required=True)  # as the lab printed it; must read as a number
    is_mandatory = fields.Boolean(load_default=False)
    reference_code = _text(40)


class ResultIn(WireSchema):
    report_no = _text(80, required=True)
    lab_name = _text(200, required=True)
    issued_on = fields.Date(load_default=None, allow_none=True)
    arrived_on = fields.Date(required=True)
    # When left out it is what the items say; when given it must agree with them (SMP-R8, SMP-A3).
    conclusion = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CONCLUSIONS))
    summary = _text(2000)
    items = fields.List(fields.Nested(ResultItemIn), required=True, validate=validate.Length(min=1, max=80))


class NotifyIn(WireSchema):
    notified_on = fields.Date(required=True)


class DeliverIn(WireSchema):
    delivered_on = fields.Date(required=True)
    delivery_method = _text(40)
    receiver = _text(100)


class RetestApplyIn(WireSchema):
    applied_on = fields.Date(required=True)
    applicant = _text(200, required=True)


class DecisionIn(WireSchema):
    """Accepting or refusing a 复检 application, waiving, finalizing, releasing the backup."""

    on_date = fields.Date(required=True)
    reason = _text(2000)


class RetestShipIn(ShipIn):
    backup_seal_intact = fields.Boolean(required=True)


# The form each step of a sample's lab life loads (services/labs/life.py STEPS).
STEP_SCHEMAS: dict[str, WireSchema] = {
    "ship": ShipIn(), "receive": ReceiveIn(), "result": ResultIn(), "notify": NotifyIn(), "deliver": DeliverIn(),
    "apply_retest": RetestApplyIn(), "accept_retest": DecisionIn(), "refuse_retest": DecisionIn(),
    "retest_ship": RetestShipIn(), "waive": DecisionIn(), "finalize": DecisionIn(), "release_backup": DecisionIn(),
}
