"""The sync protocol on the wire (docs/sync-protocol.md): push and pull envelopes, the args of
every mutation, and the value of every row type a pull sends."""
from __future__ import annotations

from datetime import timezone

from marshmallow import fields, validate

from .accounts import ColleagueOut
from .base import SHA256_HEX, UUID_STR, WireSchema
from ..models.inspection import SIGNATURE_ROLES
from .inspections import DecisionOut, FindingOut, InspectionOut, PhotoOut, SampleOut, SignatureOut
from .parties import PartyIn, PartyOut
from .reference import AgencyOut, TemplateOut

SCHEMA_VERSIONS = (1,)
MAX_MUTATIONS = 100
MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
RESULTS = ("pass", "fail", "na")
TEXT = 4000  # longest free text a phone may send in one field


MAX_INT = 2**31 - 1  # integer keys (users, templates, campaigns)
MAX_BIG = 2**62  # versions, mutation ids, byte sizes


def _id(**kw) -> fields.String:
    return fields.String(validate=UUID_STR, **kw)


def _key(**kw) -> fields.Integer:
    """A row id of the server's (user, template, campaign)."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_INT), **kw)


def _base_version() -> fields.Integer:
    return fields.Integer(load_default=0, validate=validate.Range(0, MAX_BIG))


def _text(limit: int = TEXT, **kw) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=limit), **kw)


def _lat() -> fields.Float:
    return fields.Float(allow_none=True, validate=validate.Range(-90, 90))


def _lon() -> fields.Float:
    return fields.Float(allow_none=True, validate=validate.Range(-180, 180))


def _accuracy() -> fields.Float:
    return fields.Float(allow_none=True, validate=validate.Range(0, 100_000), data_key="gpsAccuracyM")


class Instant(fields.AwareDateTime):
    """An ISO 8601 time with a zone that is also a time in UTC, where the database keeps it
    (9999-12-31T23:59:59-14:00 is valid ISO 8601 but year 10000 in UTC)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(timezone.utc)
        except OverflowError:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
        return moment


# ---------------------------------------------------------------- envelopes

class MutationIn(WireSchema):
    id = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_BIG))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    args = fields.Dict(required=True)
    client_time = Instant(load_default=None, allow_none=True)


class PushIn(WireSchema):
    client_id = fields.String(required=True, data_key="clientID", validate=UUID_STR)
    schema_version = fields.Integer(required=True, strict=True)
    app_version = fields.String(load_default=None, allow_none=True, validate=[
        validate.Length(max=32), validate.Regexp(r"^[\x20-\x7e]*$", error="printable ASCII only")])
    # More than MAX_MUTATIONS answers 413 (services/sync/push.py), not a validation error.
    mutations = fields.List(fields.Nested(MutationIn), required=True)


class ReasonOut(WireSchema):
    code = fields.String(dump_only=True)
    field = fields.String(dump_only=True, allow_none=True)
    message = fields.String(dump_only=True)
    message_zh = fields.String(dump_only=True)


class ConflictRefOut(WireSchema):
    id = fields.String(dump_only=True)
    entity_type = fields.String(dump_only=True)
    entity_id = fields.String(dump_only=True, data_key="entityID")
    field = fields.String(dump_only=True)


class MutationResultOut(WireSchema):
    id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    conflicts = fields.List(fields.Nested(ConflictRefOut), dump_only=True)
    reasons = fields.List(fields.Nested(ReasonOut), dump_only=True)


class PushOut(WireSchema):
    last_mutation_id = fields.Integer(dump_only=True, data_key="lastMutationID")
    results = fields.List(fields.Nested(MutationResultOut), dump_only=True)


class PullIn(WireSchema):
    client_id = fields.String(required=True, data_key="clientID", validate=UUID_STR)
    schema_version = fields.Integer(required=True, strict=True)
    cursor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 1000))


class PatchOpOut(WireSchema):
    op = fields.String(dump_only=True)
    type = fields.String(dump_only=True)
    id = fields.Raw(dump_only=True)
    version = fields.Integer(dump_only=True)
    value = fields.Dict(dump_only=True)


class CalendarYearOut(WireSchema):
    year = fields.Integer(dump_only=True)
    notice_no = fields.String(dump_only=True, allow_none=True)
    rest = fields.List(fields.Date(), dump_only=True)  # holiday rest days (weekends inside included)
    work = fields.List(fields.Date(), dump_only=True)  # 调休 working Saturdays and Sundays


class CalendarOut(WireSchema):
    """The official working-day calendar (years with a loaded notice); other years are provisional."""

    version = fields.Integer(dump_only=True)
    years = fields.List(fields.Nested(CalendarYearOut), dump_only=True)


class PullOut(WireSchema):
    cursor = fields.String(dump_only=True)
    has_more = fields.Boolean(dump_only=True)
    reset = fields.Boolean(dump_only=True)
    last_mutation_id = fields.Integer(dump_only=True, data_key="lastMutationID")
    patch = fields.List(fields.Nested(PatchOpOut), dump_only=True)
    # Sent on a reset and when the calendar changed since the cursor; absent otherwise.
    calendar = fields.Nested(CalendarOut, dump_only=True)


class ResolveIn(WireSchema):
    choice = fields.String(required=True, validate=validate.OneOf(("server", "client")))


# ---------------------------------------------------------------- mutation args (one schema per wire shape)

class PartyCreateArgs(PartyIn):
    """party.create.v1: the fields of POST /parties, with the phone's id required."""

    class Meta(PartyIn.Meta):
        exclude = ("agency_code",)

    id = _id(required=True)


class PartyFields(PartyIn):
    """The fields party.update.v1 may change; only those sent are changed."""

    class Meta(PartyIn.Meta):
        exclude = ("agency_code", "id")


class PartyUpdateArgs(WireSchema):
    id = _id(required=True)
    base_version = _base_version()
    fields = fields.Nested(PartyFields(partial=True), required=True)


class InspectionCreateArgs(WireSchema):
    id = _id(required=True)
    template_id = _key(required=True)
    party_id = _id(required=True)
    inspector_ids = fields.List(_key(), required=True, data_key="inspectorIDs",
                                validate=validate.Length(min=2, max=10))
    campaign_id = _key(load_default=None, allow_none=True)
    task_id = _id(load_default=None, allow_none=True)  # started from this task (检查任务)
    place = _text(300)
    lat = _lat()
    lon = _lon()
    gps_accuracy_m = _accuracy()
    started_at_device = Instant(required=True, data_key="startedAt")


class InspectionFields(WireSchema):
    place = _text(300)
    lat = _lat()
    lon = _lon()
    gps_accuracy_m = _accuracy()
    inspector_ids = fields.List(_key(), data_key="inspectorIDs",
                                validate=validate.Length(min=2, max=10))
    started_at_device = Instant(data_key="startedAt")
    ended_at_device = Instant(allow_none=True, data_key="endedAt")
    certificates_answer = _text(200)
    recusal_answer = _text(200)
    narrative = _text()
    party_statement = _text()
    closing_answer = _text(200)
    on_site_person = _text(100)  # 现场负责人
    party_notified = _text(1000)  # 通知当事人到场情况


class InspectionUpdateArgs(WireSchema):
    id = _id(required=True)
    base_version = _base_version()
    fields = fields.Nested(InspectionFields, required=True)


class InspectionRefArgs(WireSchema):
    """inspection.submit.v1, inspection.delete.v1 and every *.remove.v1: just the id."""

    id = _id(required=True)


class InspectionAmendArgs(WireSchema):
    id = _id(required=True)
    reason = _text(1000, load_default=None)


class FindingSetArgs(WireSchema):
    id = _id(required=True)
    inspection_id = _id(required=True)
    item_key = fields.String(required=True, validate=validate.Length(min=1, max=40))
    result = fields.String(allow_none=True, validate=validate.OneOf(RESULTS))
    value = fields.Raw(allow_none=True)
    note = _text()
    base_version = _base_version()


def _seal() -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=60))


class SampleFields(WireSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    brand = _text(100)
    spec = _text(100)
    batch_no = _text(100)
    production_date = fields.Date(allow_none=True)
    maker = _text(200)
    standard = _text(100)
    quantity = fields.String(required=True, validate=validate.Length(min=1, max=50))
    base_quantity = fields.String(required=True, validate=validate.Length(min=1, max=50))
    backup_quantity = _text(50)
    # 检验样品 seals; at least one (checked by the handler, which says so in words).
    seal_numbers = fields.List(_seal(), required=True, validate=validate.Length(max=20))
    note = _text()
    # The 抽样记录's own fields (reference/next-capabilities.md §3.2); optional, so older phones'
    # samples stay valid.
    sample_no = _text(60)  # 抽样单编号
    sampled_at = Instant(allow_none=True)  # 抽样时间
    lab_name = _text(200)  # 检验机构
    price_paid = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\d{1,7}(\.\d{1,2})?$", error="must be an amount in yuan such as 120 or 35.50"))  # 购样费用
    backup_seal_numbers = fields.List(_seal(), validate=validate.Length(max=20))  # 备份样品 seals
    backup_storage = _text(200)  # 备样存放地点
    backup_condition = _text(200)  # 备样保存条件
    sealed_photo_ids = fields.List(_id(), validate=validate.Length(max=10), data_key="sealedPhotoIDs")


class SampleAddArgs(SampleFields):
    id = _id(required=True)
    inspection_id = _id(required=True)


class SampleUpdateArgs(WireSchema):
    id = _id(required=True)
    base_version = _base_version()
    fields = fields.Nested(SampleFields(partial=True), required=True)


class PhotoAddArgs(WireSchema):
    id = _id(required=True)
    inspection_id = _id(required=True)
    sha256 = fields.String(required=True, validate=SHA256_HEX)
    size = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_BIG))
    media_type = fields.String(required=True, validate=validate.OneOf(MEDIA_TYPES))
    display_sha256 = fields.String(allow_none=True, validate=SHA256_HEX)
    display_size = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, MAX_BIG))
    caption = _text(500)
    item_key = fields.String(allow_none=True, validate=validate.Length(max=40))
    taken_at_device = Instant(allow_none=True, data_key="takenAt")
    exif_taken_at = _text(40)
    lat = _lat()
    lon = _lon()
    gps_accuracy_m = _accuracy()
    remark = _text(500)  # why a photo far from the inspection's time or place belongs to it


class PhotoUpdateArgs(WireSchema):
    id = _id(required=True)
    caption = _text(500)
    item_key = fields.String(allow_none=True, validate=validate.Length(max=40))
    base_version = _base_version()


class AttestationArgs(WireSchema):
    """One document a signature (or refusal) covers: its content's SHA-256 as the phone showed it."""

    document = fields.String(required=True, validate=validate.Regexp(
        r"^(on_site|sampling|evidence:[A-Za-z0-9-]{1,36})$",
        error="a document is on_site, sampling or evidence:<photo id>"))
    sha256 = fields.String(required=True, validate=SHA256_HEX)
    revision = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10_000))


def _attests():
    """What the signer saw (phones from this version on); absent from older phones' payloads."""
    return fields.List(fields.Nested(AttestationArgs), load_default=None, allow_none=True,
                       validate=validate.Length(min=1, max=500))


def _confirmation():
    return fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("seen", "read_aloud")))


class SignatureAddArgs(WireSchema):
    id = _id(required=True)
    inspection_id = _id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(SIGNATURE_ROLES))
    signer_name = _text(64)
    user_id = _key(allow_none=True)
    sample_id = _id(allow_none=True)  # role sampled_party: the sample whose 抽样记录 is signed
    image_sha256 = fields.String(required=True, validate=SHA256_HEX)
    signed_at_device = Instant(allow_none=True, data_key="signedAt")
    attests = _attests()
    confirmation = _confirmation()


class SignatureRefuseArgs(WireSchema):
    id = _id(required=True)
    inspection_id = _id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    witness_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = Instant(allow_none=True)
    # The witness and the 执法记录仪 recording (reference §3.9); optional for older phones. The ID
    # number is checked (GB 11643) by the handler, which says so in words.
    witness_id_number = _text(40)
    witness_unit = _text(100)  # 工作单位或职务
    witness_phone = fields.String(allow_none=True, validate=validate.Regexp(
        r"^[0-9+\- ()]{3,32}$", error="must be a phone number (digits, +, -, spaces)"))
    recording_file_no = _text(80)
    recording_device = _text(80)
    recording_started_at = Instant(allow_none=True)
    attests = _attests()
    confirmation = _confirmation()


# ---------------------------------------------------------------- pulled values (the read API's shapes)

# A lead (线索) an inspector records on the phone: how it reached him, the kinds of filing it may be.
PHONE_CHANNELS = ("inspection_found", "walk_in", "onsite_event")
PHONE_KINDS = ("report", "complaint", "inquiry")
PHONE_CATEGORIES = ("fertilizer", "pesticide", "seed", "film", "machinery", "other")


LEAD_PHOTO_TYPES = MEDIA_TYPES  # what the photo path accepts


class LeadAttachmentArgs(WireSchema):
    """A photo of a lead, by the SHA-256 of its bytes, which follow through the upload queue (tus)."""

    sha256 = fields.String(required=True, validate=SHA256_HEX)
    size = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_BIG))
    media_type = fields.String(required=True, validate=validate.OneOf(LEAD_PHOTO_TYPES))
    name = _text(255)
    caption = _text(500)


class ComplaintCreateArgs(WireSchema):
    """complaint.create.v1: a complaint, report or inquiry registered from the phone, with its photos."""

    id = _id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PHONE_KINDS))
    channel = fields.String(required=True, validate=validate.OneOf(PHONE_CHANNELS))
    received_at = Instant(required=True)
    party_id = _id(load_default=None, allow_none=True)
    respondent_name = _text(200, load_default=None)
    respondent_address = _text(300, load_default=None)
    product_category = fields.String(required=True, validate=validate.OneOf(PHONE_CATEGORIES))
    facts = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    requests = _text(2000, load_default=None)
    anonymous = fields.Boolean(load_default=False)
    person_name = _text(64, load_default=None)
    person_phone = _text(32, load_default=None)
    attachments = fields.List(fields.Nested(LeadAttachmentArgs), load_default=list,
                              validate=validate.Length(max=20))


# A 责令改正通知书 issued on the phone at the scene (rectification.issue.v1).
RECTIFICATION_MODES = ("deadline", "immediate")
SERVICE_METHODS = ("direct", "left", "electronic", "post", "entrusted", "forwarded", "public")


class RectificationServiceArgs(WireSchema):
    """送达 at the scene: how, when, to whom; the party signed, refused (reason, witness) or was absent."""

    method = fields.String(required=True, validate=validate.OneOf(SERVICE_METHODS))
    served_at = Instant(load_default=None, allow_none=True)
    served_to = fields.String(required=True, validate=validate.Length(min=1, max=100))
    party_signature = fields.String(load_default="signed", validate=validate.OneOf(("signed", "refused", "absent")))
    refusal_reason = _text(1000, load_default=None)
    witness_name = _text(100, load_default=None)


class OrderAttestationArgs(WireSchema):
    """What a signer of the order was shown: the SHA-256 of its content (pdf/content.py
    rectification_content) and the order's revision (1: orders are not amended)."""

    document = fields.String(required=True, validate=validate.Equal(
        "rectification", error="an order's signature attests the document rectification"))
    sha256 = fields.String(required=True, validate=SHA256_HEX)
    revision = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10_000))


class RectificationSignatureArgs(WireSchema):
    """One signature on the order: the party's drawing (or refusal with reason and witness), or an
    inspector's drawing; the image's bytes follow by upload, as a record's signature's do."""

    id = _id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(("party", "inspector")))
    status = fields.String(load_default="signed", validate=validate.OneOf(("signed", "refused")))
    signer_name = _text(64)
    user_id = _key(allow_none=True)
    image_sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256_HEX)
    refusal_reason = _text(1000)
    witness_name = _text(64)
    signed_at_device = Instant(allow_none=True, data_key="signedAt")
    attests = fields.List(fields.Nested(OrderAttestationArgs), required=True, validate=validate.Length(min=1, max=1))
    confirmation = _confirmation()


class RectificationIssueArgs(WireSchema):
    """rectification.issue.v1: a 责令改正通知书 from a case the caller inspects, issued at the scene."""

    id = _id(required=True)
    inspection_id = _id(required=True)
    item_keys = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list,
                            validate=validate.Length(max=100))
    basis = _text(2000, load_default=None)
    facts = fields.String(required=True, validate=validate.Length(min=1, max=TEXT))
    requirements = fields.String(required=True, validate=validate.Length(min=1, max=TEXT))
    mode = fields.String(load_default="deadline", validate=validate.OneOf(RECTIFICATION_MODES))
    due_date = fields.Date(load_default=None, allow_none=True)
    report_back = fields.Boolean(load_default=True)
    issued_at = Instant(load_default=None, allow_none=True)
    service = fields.Nested(RectificationServiceArgs, load_default=None, allow_none=True)
    # Signed at the scene (issue 14): the party and the inspectors, each over the order's content as
    # the phone showed it. Absent from older phones' orders (their party signs the printed notice).
    signatures = fields.List(fields.Nested(RectificationSignatureArgs), load_default=None, allow_none=True,
                             validate=validate.Length(max=10))


class InspectionValue(InspectionOut):
    """An inspection without its children, which arrive as rows of their own."""

    class Meta(InspectionOut.Meta):
        exclude = ("party", "findings", "samples", "signatures", "photos", "decisions", "signature_standing")

    party_id = fields.String(dump_only=True, data_key="partyID")
    created_by_id = fields.Integer(dump_only=True, data_key="createdByID")
    ended_at_device = fields.DateTime(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)


class FindingValue(FindingOut):
    inspection_id = fields.String(dump_only=True)


class SampleValue(SampleOut):
    inspection_id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)


class PhotoValue(PhotoOut):
    inspection_id = fields.String(dump_only=True)
    display_sha256 = fields.String(dump_only=True, allow_none=True)
    display_size = fields.Integer(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class SignatureValue(SignatureOut):
    inspection_id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)


class DecisionValue(DecisionOut):
    inspection_id = fields.String(dump_only=True)


class ConflictValue(WireSchema):
    id = fields.String(dump_only=True)
    entity_type = fields.String(dump_only=True)
    entity_id = fields.String(dump_only=True, data_key="entityID")
    inspection_id = fields.String(dump_only=True, allow_none=True)
    field = fields.String(dump_only=True)
    server_value = fields.Raw(dump_only=True, allow_none=True)
    client_value = fields.Raw(dump_only=True, allow_none=True)
    base_version = fields.Integer(dump_only=True)
    client_user_id = fields.Integer(dump_only=True)
    server_user_id = fields.Integer(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    resolution = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    resolved_at = fields.DateTime(dump_only=True, allow_none=True)


class RejectionValue(WireSchema):
    client_id = fields.String(dump_only=True, data_key="clientID")
    mutation_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    args = fields.Raw(dump_only=True)
    reasons = fields.List(fields.Nested(ReasonOut), dump_only=True)
    inspection_id = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class TaskPartyValue(WireSchema):
    """What the phone shows of the party to visit, offline."""

    id = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    credit_code = fields.String(dump_only=True, allow_none=True)
    address = fields.String(dump_only=True, allow_none=True)
    phone = fields.String(dump_only=True, allow_none=True)
    legal_rep = fields.String(dump_only=True, allow_none=True)


class TaskAssigneeValue(WireSchema):
    user_id = fields.Integer(dump_only=True)
    display_name = fields.Function(lambda a: a.user.display_name, dump_only=True)
    cert_no = fields.Function(lambda a: a.user.cert_no, dump_only=True)
    recused = fields.Boolean(dump_only=True)
    reason = fields.String(dump_only=True, allow_none=True)


class TaskValue(WireSchema):
    """A task (检查任务) on an assigned inspector's phone: whom to visit, what to check, by when."""

    id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    source_kind = fields.String(dump_only=True)
    agency_id = fields.Integer(dump_only=True)
    party_id = fields.String(dump_only=True, allow_none=True)
    party = fields.Nested(TaskPartyValue, dump_only=True, allow_none=True)
    title = fields.String(dump_only=True)
    what_to_check = fields.String(dump_only=True, allow_none=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    due_provisional = fields.Boolean(dump_only=True)
    urgent = fields.Boolean(dump_only=True)
    assignees = fields.List(fields.Nested(TaskAssigneeValue), dump_only=True)
    inspection_id = fields.String(dump_only=True, allow_none=True)
    cancel_reason = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class LabItemValue(WireSchema):
    item = fields.String(dump_only=True)
    method_standard = fields.String(dump_only=True, allow_none=True)
    requirement_text = fields.String(dump_only=True, allow_none=True)
    unit = fields.String(dump_only=True, allow_none=True)
    declared_value = fields.String(dump_only=True, allow_none=True)
    measured = fields.String(dump_only=True, attribute="measured_raw")
    verdict = fields.String(dump_only=True)
    is_mandatory = fields.Boolean(dump_only=True)


class LabReportValue(WireSchema):
    check_type = fields.String(dump_only=True)
    report_no = fields.String(dump_only=True)
    lab_name = fields.String(dump_only=True)
    arrived_on = fields.Date(dump_only=True)
    conclusion = fields.String(dump_only=True)
    delivered_on = fields.Date(dump_only=True, allow_none=True)
    retest_due = fields.Date(dump_only=True, allow_none=True)
    retest_due_provisional = fields.Boolean(dump_only=True)
    items = fields.List(fields.Nested(LabItemValue), dump_only=True)


class LabResultValue(WireSchema):
    """A sample's lab life as its inspectors' phones show it, read-only (keyed by the sample's id)."""

    id = fields.String(dump_only=True)
    sample_id = fields.String(dump_only=True, attribute="id", data_key="sampleID")
    inspection_id = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    lab_name = fields.Function(lambda lab: lab.submissions[0].lab_name if lab.submissions else None, dump_only=True)
    shipped_on = fields.Function(lambda lab: lab.submissions[0].shipped_on.isoformat() if lab.submissions else None,
                                 dump_only=True)
    reports = fields.List(fields.Nested(LabReportValue), dump_only=True)
    version = fields.Integer(dump_only=True)


class RectificationValue(WireSchema):
    """A 责令改正通知书 of a case, as its inspectors' phones show it, read-only: its 文号 once issued,
    its status (pending: awaiting a 负责人's approval; issued; recheck: re-inspection out; closed:
    corrected; escalated: not corrected), terms, 送达 and whether the party's signature stands."""

    id = fields.String(dump_only=True)
    inspection_id = fields.String(dump_only=True)
    doc_no = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    outcome = fields.String(dump_only=True, allow_none=True)
    facts = fields.String(dump_only=True)
    basis = fields.String(dump_only=True)
    requirements = fields.String(dump_only=True)
    mode = fields.String(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    report_back = fields.Boolean(dump_only=True)
    issued_on = fields.Date(dump_only=True, allow_none=True)
    recheck_on = fields.Date(dump_only=True, allow_none=True)
    served_at = fields.DateTime(dump_only=True, allow_none=True)
    service_method = fields.String(dump_only=True, allow_none=True)
    served_to = fields.String(dump_only=True, allow_none=True)
    party_signature = fields.String(dump_only=True, allow_none=True)
    party_signed_on_phone = fields.Function(
        lambda o: any(s.role == "party" and s.status == "signed" for s in o.signatures), dump_only=True,
        metadata={"description": "the party signed this order on a phone (its drawing prints where it attested the content)"})
    created_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class RejectionListOut(WireSchema):
    rejections = fields.List(fields.Nested(RejectionValue), required=True, dump_only=True)


# One dumper per pulled type; the read API's schemas where the shapes are the same.
VALUE_SCHEMAS = {
    "agency": AgencyOut(), "colleague": ColleagueOut(), "template": TemplateOut(), "party": PartyOut(),
    "inspection": InspectionValue(), "finding": FindingValue(), "sample": SampleValue(), "photo": PhotoValue(),
    "signature": SignatureValue(), "decision": DecisionValue(), "conflict": ConflictValue(),
    "rejection": RejectionValue(), "task": TaskValue(), "lab_result": LabResultValue(),
    "rectification": RectificationValue(),
}
