"""The named, versioned mutations a phone may push, and the handlers that apply them.

A handler runs in the push's transaction, after the device lock (in a savepoint of its own when the
push's first try met a rejection or an error: push.py). Its rows may be flushed with later
mutations' ones, so it reads through the ORM (which flushes first), never a Core statement on a
table. It raises Rejection (or lets an ApiError or marshmallow ValidationError through) for anything
that can never succeed as sent; push.py turns that into a kept, `rejected` result.
Old names stay registered as long as a phone in the field may still hold them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from marshmallow import Schema
from sqlalchemy import bindparam, exists, select
from sqlalchemy.sql import Select

from ...database import db, utcnow
from ...errors import ApiError
from ...jobs import enqueue
from ...jobs.tasks import PREPARE_CASE_FILE
from ...models import (
    Agency, Campaign, ChecklistTemplate, Finding, Inspection, InspectionInspector, Party, Signature, Task,
)
from ...schemas.sync import (
    InspectionAmendArgs, InspectionCreateArgs, InspectionRefArgs, InspectionUpdateArgs, PartyCreateArgs,
    PartyUpdateArgs,
)
from .. import campaigns
from .. import parties as party_service
from .. import tasks as task_service
from ..scope import get_party, inspection_scope, party_scope
from . import inspection_rules as rules
from .context import MutationContext, Rejection, reject
from .membership import load_users, set_inspectors, touch_case
from .merge import merge_fields, stamp_created
from .revisions import record_submission

Handler = Callable[[MutationContext, dict[str, Any]], None]


@dataclass(frozen=True)
class Mutation:
    name: str
    schema: Schema
    handler: Handler


REGISTRY: dict[str, Mutation] = {}


def mutation(name: str, schema: Schema) -> Callable[[Handler], Handler]:
    """Register a handler under its wire name (`thing.verb.vN`)."""

    def register(handler: Handler) -> Handler:
        REGISTRY[name] = Mutation(name, schema, handler)
        return handler

    return register


# ---------------------------------------------------------------- finding the record a mutation touches

def case_for(ctx: MutationContext, inspection_id: str, *, editable: bool = True,
             deleted: bool = False) -> Inspection:
    """The inspection, if the caller is one of its inspectors (and, by default, it is a draft that
    was not deleted)."""

    def build() -> Select:
        member = exists().where(InspectionInspector.inspection_id == Inspection.id,
                                InspectionInspector.user_id == ctx.user.id)
        return select(Inspection, member).where(Inspection.id == bindparam("inspection_id"),
                                                inspection_scope(ctx.user))

    row = ctx.push.cases.get(inspection_id)
    if row is None:
        row = db.session.execute(ctx.push.statement("case_for", build), {"inspection_id": inspection_id}).first()
        if row is not None:
            ctx.push.cases[inspection_id] = tuple(row)
    if row is None or (row[0].deleted_at is not None and not deleted):
        raise reject("inspection_not_found", "No such inspection, or it is outside your jurisdiction.",
                     "检查记录不存在，或不在您的管辖范围内。", "inspectionID")
    inspection, is_member = row
    if not is_member:
        raise reject("not_an_inspector", "Only the inspectors of a record may change it.",
                     "只有该记录的检查人员才能修改。", "inspectionID")
    ctx.inspection_id = inspection.id
    if editable:
        rules.ensure_editable(inspection)
    return inspection


def existing_row(model: type, row_id: str, inspection_id: str | None = None) -> Any | None:
    """The row a create names, if it exists already.

    Phones resend a whole record after a rejection, so a create of a row that exists in the same
    record is an update of the fields it carries. An id taken by another record is a client bug:
    answered, never merged.
    """
    row = db.session.get(model, row_id)
    if row is not None and inspection_id is not None and row.inspection_id != inspection_id:
        raise duplicate_id(model, row_id)
    return row


def duplicate_id(model: type, row_id: str) -> Rejection:
    return reject("duplicate_id", f"A {model.__tablename__} with id {row_id} already exists elsewhere.",
                  "该记录编号已被其他记录使用。", "id")


# ---------------------------------------------------------------- parties

@mutation("party.create.v1", PartyCreateArgs())
def create_party(ctx: MutationContext, args: dict[str, Any]) -> None:
    existed = db.session.get(Party, args["id"]) is not None
    if existed and not db.session.scalar(select(exists().where(Party.id == args["id"], party_scope(ctx.user)))):
        raise duplicate_id(Party, args["id"])  # another jurisdiction's party: a client bug, never merged
    # The agency by its code, so the new party refers to a row of this session, not the caller's pinned one.
    party = party_service.create_party(ctx.user, {**args, "agency_code": ctx.user.agency.code},
                                       device_id=ctx.push.device_id, commit=False)
    ctx.audited = not existed  # the parties service recorded the creation
    if not existed:
        stamp_created(party, [k for k, v in args.items() if v not in (None, []) and k != "id"], ctx)


@mutation("party.update.v1", PartyUpdateArgs())
def update_party(ctx: MutationContext, args: dict[str, Any]) -> None:
    try:
        party = get_party(ctx.user, args["id"])
    except ApiError:
        raise reject("party_not_found", "No such party, or it is outside your jurisdiction.",
                     "当事人不存在，或不在您的管辖范围内。", "id") from None
    changes = party_service.clean_party_changes(args["fields"])
    applied = merge_fields(party, "party", changes, base_version=args["base_version"], ctx=ctx)
    party_service.update_party(ctx.user, party, applied, device_id=ctx.push.device_id)
    ctx.audited = bool(applied)  # the parties service recorded the change


# ---------------------------------------------------------------- inspections

CREATE_FIELDS = ("place", "lat", "lon", "gps_accuracy_m", "started_at_device", "inspector_ids")


@mutation("inspection.create.v1", InspectionCreateArgs())
def create_inspection(ctx: MutationContext, args: dict[str, Any]) -> None:
    existing = existing_row(Inspection, args["id"])
    if existing is not None:
        if (existing.template_id, existing.party_id) != (args["template_id"], args["party_id"]):
            raise duplicate_id(Inspection, args["id"])
        fields = {k: args[k] for k in CREATE_FIELDS if args.get(k) is not None}
        update_inspection(ctx, {"id": args["id"], "base_version": 0, "fields": fields})
        return
    template = db.session.get(ChecklistTemplate, args["template_id"])
    if template is None or template.status != "published":
        raise reject("template_not_published", "That checklist template is not published.",
                     "该检查表未发布或已停用。", "templateID")
    try:
        party = get_party(ctx.user, args["party_id"])
    except ApiError:
        raise reject("party_not_found", "No such party, or it is outside your jurisdiction.",
                     "当事人不存在，或不在您的管辖范围内。", "partyID") from None
    if args["campaign_id"] is not None:
        _check_campaign(ctx, args["campaign_id"])
    task = _task_to_start(ctx, args["task_id"], party) if args["task_id"] else None
    inspectors = rules.check_inspectors(ctx.user, args["inspector_ids"], load_users(args["inspector_ids"]))
    inspection = Inspection(id=args["id"], agency_id=ctx.user.agency_id, party_id=party.id, template_id=template.id,
                            campaign_id=args["campaign_id"], status="draft", revision=1, created_by_id=ctx.user.id)
    filled = {k: args.get(k) for k in CREATE_FIELDS if k != "inspector_ids"}
    for attr, value in filled.items():
        setattr(inspection, attr, value)
    if inspection.campaign_id is None:  # not chosen on the phone: the campaign running there that day
        inspection.campaign_id = campaigns.campaign_for(inspection)
    stamp_created(inspection, [k for k, v in filled.items() if v is not None] + ["inspector_ids"], ctx)
    db.session.add(inspection)
    ctx.inspection_id = inspection.id
    set_inspectors(inspection, inspectors, ctx.version)
    if task is not None:
        task_service.start_task(task, inspection, ctx.user)
    ctx.audit("inspection.create", "inspection", inspection.id,
              {"templateID": template.id, "partyID": party.id, "inspectorIDs": args["inspector_ids"],
               **({"taskID": task.id} if task else {}), **filled})


def _task_to_start(ctx: MutationContext, task_id: str, party: Party) -> Task:
    """The task the inspection is started from: one the caller is (or was, when the phone started
    it offline before a reassignment reached it) assigned to, for this party. A cancelled task
    still takes the inspection: what was recorded on site is kept, and shown flagged."""
    task = db.session.get(Task, task_id)
    if task is None or task.deleted_at is not None or not task_service.is_assignee(task, ctx.user, ever=True):
        raise reject("task_not_assigned", "No such task assigned to you.", "该检查任务不存在或未分派给您。", "taskID")
    if task.party_id is not None and task.party_id != party.id:
        raise reject("task_party_mismatch", "The task is for another party.", "该检查任务的被检查单位与本记录不一致。",
                     "partyID")
    return task


def _check_campaign(ctx: MutationContext, campaign_id: int) -> None:
    """A campaign of the caller's agency, of an agency above it (a region-wide campaign) or below it."""
    campaign = db.session.get(Campaign, campaign_id)
    owner = db.session.get(Agency, campaign.agency_id).path if campaign else None
    mine = ctx.user.agency.path
    if owner is None or not (mine.startswith(owner) or owner.startswith(mine)):
        raise reject("campaign_not_found", "No such campaign in your jurisdiction.", "专项行动不存在或不适用于本单位。",
                     "campaignID")


ON_SITE_TIMES = ("started_at_device", "ended_at_device")


@mutation("inspection.update.v1", InspectionUpdateArgs())
def update_inspection(ctx: MutationContext, args: dict[str, Any]) -> None:
    inspection = case_for(ctx, args["id"])
    changes = dict(args["fields"])
    kept = _on_site_times_kept(inspection, changes)
    current = {"inspector_ids": [link.user_id for link in inspection.inspectors]}
    inspectors = None
    if "inspector_ids" in changes:
        inspectors = rules.check_inspectors(ctx.user, changes["inspector_ids"], load_users(changes["inspector_ids"]))
    applied = merge_fields(inspection, "inspection", changes, base_version=args["base_version"], ctx=ctx,
                           current=current)
    started_before = inspection.started_at_device
    for attr, value in applied.items():
        if attr != "inspector_ids":
            setattr(inspection, attr, value)
    campaigns.follow_inspection_date(inspection, started_before)
    if "inspector_ids" in applied:
        set_inspectors(inspection, inspectors or [], ctx.version)
    if applied or kept:
        ctx.audit("inspection.update", "inspection", inspection.id,
                  {"changes": applied, **({"onSiteTimesKept": kept} if kept else {})})


def _on_site_times_kept(inspection: Inspection, changes: dict[str, Any]) -> dict[str, Any]:
    """Take out of `changes` the on-site times of a record submitted before; {field: value sent}.

    The visit's start and end are set at the scene and print on its 现场笔录 and 抽样记录; an
    amendment has its own time (the revision's `submitted_at_device`). Phones before this rule set
    the end again at resubmission: that value is the amendment's time, kept in the audit event.
    """
    if inspection.revision == 1 and inspection.submitted_at is None:
        return {}
    kept = {}
    for attr in ON_SITE_TIMES:
        if attr in changes:
            sent = changes.pop(attr)
            if sent != getattr(inspection, attr):
                kept[attr] = sent
    return kept


@mutation("inspection.submit.v1", InspectionRefArgs())
def submit_inspection(ctx: MutationContext, args: dict[str, Any]) -> None:
    inspection = case_for(ctx, args["id"])
    items = ctx.push.template_items(inspection.template_id)
    findings = list(db.session.scalars(select(Finding).where(Finding.inspection_id == inspection.id)))
    signatures = list(db.session.scalars(select(Signature).where(Signature.inspection_id == inspection.id)))
    people = [link.user for link in inspection.inspectors]
    problems = rules.submit_problems(inspection, items, findings, signatures, people)
    if problems:
        raise Rejection(*problems)
    inspection.status, inspection.submitted_at = "submitted", utcnow()
    db.session.flush()
    record_submission(inspection, ctx.user.id, ctx.client_time)
    task = task_service.task_of(inspection)
    if task is not None:  # the inspection done for a task marks it done
        task_service.complete_task(task, inspection)
        from .. import rectification  # a re-inspection closes (or escalates) its 责令改正 order

        rectification.on_reinspection_submitted(task, inspection, ctx.user)
    ctx.audit("inspection.submit", "inspection", inspection.id, {"revision": inspection.revision})
    enqueue(PREPARE_CASE_FILE, inspection.id)  # once this mutation commits: the first download is ready


@mutation("inspection.amend.v1", InspectionAmendArgs())
def amend_inspection(ctx: MutationContext, args: dict[str, Any]) -> None:
    inspection = case_for(ctx, args["id"], editable=False)
    if inspection.status == "draft" and inspection.revision > 1:
        return  # a co-inspector's amendment came first: the record is editable, as this one asked
    if inspection.status != "returned":
        raise reject("not_returned", f"Only a returned inspection can be amended; this one is {inspection.status}.",
                     "只有被退回的检查记录才能修改。", "id")
    inspection.status, inspection.revision = "draft", inspection.revision + 1
    ctx.audit("inspection.amend", "inspection", inspection.id, {"revision": inspection.revision},
              why=args["reason"])


@mutation("inspection.delete.v1", InspectionRefArgs())
def delete_inspection(ctx: MutationContext, args: dict[str, Any]) -> None:
    inspection = case_for(ctx, args["id"], editable=False, deleted=True)
    if inspection.deleted_at is not None:
        return  # deleted already, from another phone: done, as this one asked
    rules.ensure_editable(inspection)
    if inspection.submitted_at is not None or inspection.revision > 1:
        raise reject("was_submitted", "A record that was ever submitted is evidence and cannot be deleted.",
                     "已提交过的检查记录是证据，不能删除。", "id")
    inspection.deleted_at = utcnow()
    # Its parts are re-sent with it: a phone that holds them receives each as `del` (pull.py).
    touch_case(inspection.id, ctx.version)
    ctx.audit("inspection.delete", "inspection", inspection.id)


# The handlers of the record's parts register themselves on import.
from . import leads, records, rectification  # noqa: E402,F401
