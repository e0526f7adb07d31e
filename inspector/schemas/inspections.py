"""Inspections as read back by phones, the console and tests."""
from __future__ import annotations

from marshmallow import fields, validate

from .base import WireSchema
from .parties import PartyOut


class InspectorOut(WireSchema):
    user_id = fields.Integer(dump_only=True)
    display_name = fields.Function(lambda link: link.user.display_name, dump_only=True)
    cert_no = fields.Function(lambda link: link.user.cert_no, dump_only=True)
    position = fields.Integer(dump_only=True)


class FindingOut(WireSchema):
    id = fields.String(dump_only=True)
    item_key = fields.String(dump_only=True)
    result = fields.String(dump_only=True, allow_none=True)
    value = fields.Raw(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class SampleOut(WireSchema):
    id = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    brand = fields.String(dump_only=True, allow_none=True)
    spec = fields.String(dump_only=True, allow_none=True)
    batch_no = fields.String(dump_only=True, allow_none=True)
    production_date = fields.Date(dump_only=True, allow_none=True)
    maker = fields.String(dump_only=True, allow_none=True)
    standard = fields.String(dump_only=True, allow_none=True)
    quantity = fields.String(dump_only=True)
    base_quantity = fields.String(dump_only=True)
    backup_quantity = fields.String(dump_only=True, allow_none=True)
    seal_numbers = fields.List(fields.String(), dump_only=True)
    note = fields.String(dump_only=True, allow_none=True)
    sample_no = fields.String(dump_only=True, allow_none=True)
    sampled_at = fields.DateTime(dump_only=True, allow_none=True)
    lab_name = fields.String(dump_only=True, allow_none=True)
    price_paid = fields.String(dump_only=True, allow_none=True)
    backup_seal_numbers = fields.List(fields.String(), dump_only=True)
    backup_storage = fields.String(dump_only=True, allow_none=True)
    backup_condition = fields.String(dump_only=True, allow_none=True)
    sealed_photo_ids = fields.List(fields.String(), dump_only=True, data_key="sealedPhotoIDs")


class AttestationOut(WireSchema):
    """One document a signature covers: the SHA-256 of its content as the signer saw it, and the revision."""

    document = fields.String(dump_only=True)
    sha256 = fields.String(dump_only=True)
    revision = fields.Integer(dump_only=True)


class SignatureOut(WireSchema):
    id = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    signer_name = fields.String(dump_only=True, allow_none=True)
    user_id = fields.Integer(dump_only=True, allow_none=True)
    image_sha256 = fields.String(dump_only=True, allow_none=True)
    refusal_reason = fields.String(dump_only=True, allow_none=True)
    witness_name = fields.String(dump_only=True, allow_none=True)
    witness_id_number = fields.String(dump_only=True, allow_none=True)
    witness_unit = fields.String(dump_only=True, allow_none=True)
    witness_phone = fields.String(dump_only=True, allow_none=True)
    recording_file_no = fields.String(dump_only=True, allow_none=True)
    recording_device = fields.String(dump_only=True, allow_none=True)
    recording_started_at = fields.DateTime(dump_only=True, allow_none=True)
    sample_id = fields.String(dump_only=True, allow_none=True)
    signed_at_device = fields.DateTime(dump_only=True, allow_none=True)
    attests = fields.List(fields.Nested(AttestationOut), dump_only=True, allow_none=True)
    confirmation = fields.String(dump_only=True, allow_none=True)


class StaleDocumentOut(WireSchema):
    document = fields.String(dump_only=True)
    signed_revision = fields.Integer(dump_only=True, allow_none=True)
    changed_on = fields.Date(dump_only=True, allow_none=True)


class StaleSignatureOut(WireSchema):
    id = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    documents = fields.List(fields.Nested(StaleDocumentOut), dump_only=True)


class SignatureStandingOut(WireSchema):
    """Which signatures were replaced (kept, no longer printed), which attest content changed since
    (their cells say 未重新签名), and which have no image held (their cells say 未签名)."""

    replaced = fields.List(fields.String(), dump_only=True)
    stale = fields.List(fields.Nested(StaleSignatureOut), dump_only=True)
    unsigned = fields.List(fields.String(), dump_only=True)


class PhotoOut(WireSchema):
    id = fields.String(dump_only=True)
    sha256 = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True)
    media_type = fields.String(dump_only=True)
    caption = fields.String(dump_only=True, allow_none=True)
    item_key = fields.String(dump_only=True, allow_none=True)
    taken_at_device = fields.DateTime(dump_only=True, allow_none=True)
    exif_taken_at = fields.String(dump_only=True, allow_none=True)
    lat = fields.Float(dump_only=True, allow_none=True)
    lon = fields.Float(dump_only=True, allow_none=True)
    gps_accuracy_m = fields.Float(dump_only=True, allow_none=True)
    remark = fields.String(dump_only=True, allow_none=True)
    uploaded = fields.Boolean(dump_only=True)  # stored and every check passed, the full decode included
    processing = fields.String(dump_only=True, allow_none=True)  # pending, ready, failed; None until stored
    processing_error = fields.String(dump_only=True, allow_none=True)  # why it failed, for people


class DecisionOut(WireSchema):
    id = fields.Integer(dump_only=True)
    revision = fields.Integer(dump_only=True)
    decision = fields.String(dump_only=True)
    comment = fields.String(dump_only=True, allow_none=True)
    item_comments = fields.Dict(dump_only=True)
    case_number = fields.String(dump_only=True, allow_none=True)
    reviewer_name = fields.Function(lambda d: d.reviewer.display_name, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class InspectionOut(WireSchema):
    id = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    revision = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    agency_id = fields.Integer(dump_only=True)
    template_id = fields.Integer(dump_only=True)
    campaign_id = fields.Integer(dump_only=True, allow_none=True)
    task_id = fields.String(dump_only=True, allow_none=True)  # the task (检查任务) it was started from
    party = fields.Nested(PartyOut, dump_only=True)
    inspectors = fields.List(fields.Nested(InspectorOut), dump_only=True)
    place = fields.String(dump_only=True, allow_none=True)
    lat = fields.Float(dump_only=True, allow_none=True)
    lon = fields.Float(dump_only=True, allow_none=True)
    gps_accuracy_m = fields.Float(dump_only=True, allow_none=True)
    started_at_device = fields.DateTime(dump_only=True, allow_none=True)
    ended_at_device = fields.DateTime(dump_only=True, allow_none=True)
    certificates_answer = fields.String(dump_only=True, allow_none=True)
    recusal_answer = fields.String(dump_only=True, allow_none=True)
    narrative = fields.String(dump_only=True, allow_none=True)
    party_statement = fields.String(dump_only=True, allow_none=True)
    closing_answer = fields.String(dump_only=True, allow_none=True)
    on_site_person = fields.String(dump_only=True, allow_none=True)
    party_notified = fields.String(dump_only=True, allow_none=True)
    case_number = fields.String(dump_only=True, allow_none=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    findings = fields.List(fields.Nested(FindingOut), dump_only=True)
    samples = fields.List(fields.Nested(SampleOut), dump_only=True)
    signatures = fields.List(fields.Nested(SignatureOut), dump_only=True)
    photos = fields.List(fields.Nested(PhotoOut), dump_only=True)
    decisions = fields.List(fields.Nested(DecisionOut), dump_only=True)
    signature_standing = fields.Nested(SignatureStandingOut, dump_only=True)


class InspectionListQuery(WireSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["draft", "submitted", "returned", "approved", "rejected"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    before = fields.String(load_default=None)  # keyset: the last id of the previous page


class InspectionBriefOut(WireSchema):
    id = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    revision = fields.Integer(dump_only=True)
    party_name = fields.Function(lambda i: i.party.name, dump_only=True)
    case_number = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)


class InspectionPageOut(WireSchema):
    """One page of GET /inspections; `next` is the `before` of the following page, null on the last."""
    inspections = fields.List(fields.Nested(InspectionBriefOut), required=True, dump_only=True)
    next = fields.String(required=True, allow_none=True, dump_only=True)
