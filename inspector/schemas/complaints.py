"""Filings of the complaints register in (the console's intake form and any JSON intake)."""
from __future__ import annotations

from datetime import timedelta, timezone

from marshmallow import fields, validate

from ..models import CHANNELS, FILING_KINDS, NOTICE_METHODS, PRODUCT_CATEGORIES
from .base import UUID_STR, WireSchema

CHINA = timezone(timedelta(hours=8))


def _text(n: int, required: bool = False) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=n))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=n))


class FilingIn(WireSchema):
    """A filing as registered; a received time without a zone is Beijing time (the operator's clock)."""

    id = fields.String(validate=UUID_STR, load_default=None)
    kind = fields.String(required=True, validate=validate.OneOf(FILING_KINDS))
    # A complaint that also reports a violation (refund + "fake fertilizer"): registered as two linked records.
    also_report = fields.Boolean(load_default=False)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    external_ref = _text(64)
    received_at = fields.AwareDateTime(required=True, default_timezone=CHINA)
    handling_agency_code = fields.String(load_default=None, allow_none=True,
                                         validate=validate.Regexp(r"^\d{6}$", error="must be 6 digits"))
    party_id = fields.String(load_default=None, allow_none=True, validate=UUID_STR)
    respondent_name = _text(200)
    respondent_address = _text(300)
    respondent_contact = _text(64)
    respondent_credit_code = _text(18)
    product_category = fields.String(required=True, validate=validate.OneOf(PRODUCT_CATEGORIES))
    facts = _text(5000, required=True)
    requests = _text(2000)
    harm_known_on = fields.Date(load_default=None, allow_none=True)
    consent_publish = fields.Boolean(load_default=None, allow_none=True)
    consent_mediation = fields.Boolean(load_default=None, allow_none=True)
    anonymous = fields.Boolean(load_default=False)
    person_name = _text(64)
    person_phone = _text(32)
    person_address = _text(300)
    person_id_no = _text(32)
    insider = fields.Boolean(load_default=False)
    urgent = fields.Boolean(load_default=False)


class TransitionIn(WireSchema):
    """One step on a filing, with why and the notice sent."""

    action = fields.String(required=True, validate=validate.Length(min=1, max=32))
    reason = _text(5000)
    ground = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{1,2}$"))
    notice_method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(NOTICE_METHODS))
    agency_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Regexp(r"^\d{6}$", error="must be 6 digits"))
    told_to = _text(200)  # where the reporter was told to go (another authority)
    both_consent = fields.Boolean(load_default=False)
    handler_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**31 - 1))
