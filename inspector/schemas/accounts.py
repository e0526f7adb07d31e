"""Login, the current user, colleagues, devices."""
from __future__ import annotations

from marshmallow import fields, validate

from .base import UUID_STR, WireSchema


class LoginIn(WireSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    client_id = fields.String(data_key="clientID", validate=UUID_STR, load_default=None)
    device_label = fields.String(validate=validate.Length(max=200), load_default=None)


class AgencyBriefOut(WireSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    short_name = fields.String(dump_only=True)


class UserOut(WireSchema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    cert_no = fields.String(dump_only=True, allow_none=True)
    agency = fields.Nested(AgencyBriefOut, dump_only=True)


class LoginOut(WireSchema):
    token = fields.String(dump_only=True)
    client_id = fields.String(data_key="clientID", dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    user = fields.Nested(UserOut, dump_only=True)
    # The phone warns at attach time about photos beyond these (services/photo_checks.py).
    photo_checks = fields.Dict(dump_only=True)


class ColleagueOut(WireSchema):
    id = fields.Integer(dump_only=True)
    display_name = fields.String(dump_only=True)
    cert_no = fields.String(dump_only=True, allow_none=True)
    agency_id = fields.Integer(dump_only=True)


class DeviceOut(WireSchema):
    id = fields.Integer(dump_only=True)
    client_id = fields.String(data_key="clientID", dump_only=True)
    user_id = fields.Integer(dump_only=True)
    label = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    last_seen_at = fields.DateTime(dump_only=True, allow_none=True)
    last_sync_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class ColleagueListOut(WireSchema):
    colleagues = fields.List(fields.Nested(ColleagueOut), required=True, dump_only=True)


class DeviceListOut(WireSchema):
    devices = fields.List(fields.Nested(DeviceOut), required=True, dump_only=True)
