"""Agencies and checklist templates as phones and the console read them."""
from __future__ import annotations

from marshmallow import Schema, fields

from .accounts import AgencyBriefOut
from .base import WireSchema


class AgencyOut(AgencyBriefOut):
    level = fields.String(dump_only=True)
    parent_id = fields.Integer(dump_only=True, allow_none=True)


class TemplateItemOut(Schema):
    """One checklist item. Its field names are those of the template JSON (snake_case), as the
    phone and the import/export files have always had them; absent optional fields are left out."""

    key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    required = fields.Boolean(dump_only=True)
    photo_required = fields.Boolean(dump_only=True)
    legal_basis = fields.String(dump_only=True, metadata={"description": "the short citation, as printed"})
    authority = fields.String(dump_only=True)
    hint = fields.String(dump_only=True)
    unit = fields.String(dump_only=True)
    min = fields.Raw(dump_only=True)
    max = fields.Raw(dump_only=True)
    choices = fields.Raw(dump_only=True)
    basis_text = fields.String(dump_only=True, metadata={
        "description": "the words of the cited clauses, one per line, each after its article/paragraph/item"})
    basis_version = fields.String(dump_only=True, metadata={
        "description": "version date of the cited law (2018-12-29; two laws: 2018-12-29、2022-03-29)"})
    basis_pending = fields.List(fields.String(), dump_only=True, metadata={
        "description": "citations not yet checked against an official text (待核)"})


class TemplateSectionOut(Schema):
    key = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    items = fields.List(fields.Nested(TemplateItemOut), dump_only=True)


class TemplateOut(WireSchema):
    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    version = fields.Integer(attribute="template_version", dump_only=True)
    category = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    sections = fields.List(fields.Nested(TemplateSectionOut), attribute="body.sections", dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)


class AgencyListOut(WireSchema):
    """GET /agencies: the list sits under a key, so the answer can grow fields without breaking phones."""
    agencies = fields.List(fields.Nested(AgencyOut), required=True, dump_only=True)


class TemplateListOut(WireSchema):
    templates = fields.List(fields.Nested(TemplateOut), required=True, dump_only=True)
