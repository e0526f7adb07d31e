"""Parties (当事人) in and out."""
from __future__ import annotations

from marshmallow import fields, validate

from .base import UUID_STR, WireSchema


class LicenceSchema(WireSchema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=60))
    number = fields.String(required=True, validate=validate.Length(min=1, max=80))
    valid_until = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$",
                                error="must be a date such as 2028-12-31"), allow_none=True)


# 主体类型 (GB 32100 position 2 under 9: 1 企业, 2 个体工商户, 3 农民专业合作社).
ENTITY_TYPES = ("enterprise", "individual", "cooperative", "other")


class PartyIn(WireSchema):
    id = fields.String(validate=UUID_STR, load_default=None)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    legal_rep = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    licences = fields.List(fields.Nested(LicenceSchema), load_default=list)
    business_scope = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    entity_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ENTITY_TYPES))
    # Checked (GB 11643) by the parties service, which names the field in its answer.
    operator_id_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    agency_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$", error="must be 6 digits"))
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))


class PartyOut(WireSchema):
    id = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    credit_code = fields.String(dump_only=True, allow_none=True)
    legal_rep = fields.String(dump_only=True, allow_none=True)
    address = fields.String(dump_only=True, allow_none=True)
    phone = fields.String(dump_only=True, allow_none=True)
    licences = fields.List(fields.Nested(LicenceSchema), dump_only=True)
    business_scope = fields.String(dump_only=True, allow_none=True)
    entity_type = fields.String(dump_only=True, allow_none=True)
    operator_id_number = fields.String(dump_only=True, allow_none=True)
    agency_id = fields.Integer(dump_only=True)
    lat = fields.Float(dump_only=True, allow_none=True)
    lon = fields.Float(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class PartySearchQuery(WireSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 50))


class PartyListOut(WireSchema):
    parties = fields.List(fields.Nested(PartyOut), required=True, dump_only=True)
