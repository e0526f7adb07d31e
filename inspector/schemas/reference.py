"""Agencies and checklist templates as phones and the console read them."""
from __future__ import annotations

from marshmallow import fields

from .accounts import AgencyBriefOut
from .base import WireSchema


class AgencyOut(AgencyBriefOut):
    level = fields.String(dump_only=True)
    parent_id = fields.Integer(dump_only=True, allow_none=True)


class TemplateOut(WireSchema):
    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    version = fields.Integer(attribute="template_version", dump_only=True)
    category = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    sections = fields.Function(lambda t: t.body["sections"], dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)


class AgencyListOut(WireSchema):
    """GET /agencies: the list sits under a key, so the answer can grow fields without breaking phones."""
    agencies = fields.List(fields.Nested(AgencyOut), required=True, dump_only=True)


class TemplateListOut(WireSchema):
    templates = fields.List(fields.Nested(TemplateOut), required=True, dump_only=True)
