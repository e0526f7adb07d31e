"""Mutations of a record's parts: findings, samples, evidence photos, signatures and refusals."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, select

from ...database import db, utcnow
from ...identity import mask_id_number
from ...models import Finding, Photo, Sample, Signature
from ...models.sync import PENDING
from ...schemas.sync import (
    FindingSetArgs, InspectionRefArgs, PhotoAddArgs, PhotoUpdateArgs, SampleAddArgs, SampleUpdateArgs,
    SignatureAddArgs, SignatureRefuseArgs,
)
from . import inspection_rules as rules
from .context import MutationContext, reject
from .merge import merge_fields, stamp_created
from .mutations import case_for, duplicate_id, existing_row, mutation

ANSWER_FIELDS = ("result", "value", "note")
_ANSWERS = select(Finding).where(Finding.inspection_id == bindparam("inspection_id"))


def _answers(ctx: MutationContext, inspection_id: str) -> dict[str, Finding]:
    """{item key: finding} of the case, read once per push (a push answers many items of one case).
    Another phone answering the same item meanwhile makes our insert fail on the unique key: the
    mutation is retried after a rollback, which forgets this, and merges into that answer."""
    answers = ctx.push.answers.get(inspection_id)
    if answers is None:
        answers = {f.item_key: f for f in db.session.scalars(_ANSWERS, {"inspection_id": inspection_id})}
        ctx.push.answers[inspection_id] = answers
    return answers


def _part(ctx: MutationContext, model: type, row_id: str) -> Any:
    """A live part of a draft record the caller inspects."""
    row = db.session.get(model, row_id)
    if row is None:
        raise reject("not_found", f"No {model.__tablename__} with id {row_id}.", "记录不存在。", "id")
    return _live(ctx, row)


def _live(ctx: MutationContext, row: Any) -> Any:
    """The part, if its record is a draft the caller inspects; a removed part cannot change."""
    case_for(ctx, row.inspection_id)
    if row.deleted_at is not None:
        raise reject("entity_deleted", f"This {row.__tablename__} was removed.", "该记录已被删除。", "id")
    return row


def _merge(ctx: MutationContext, row: Any, entity_type: str, changes: dict[str, Any], base_version: int) -> None:
    """Apply an edit of a part, merged per field with concurrent edits from other phones."""
    applied = merge_fields(row, entity_type, changes, base_version=base_version, ctx=ctx)
    for attr, new in applied.items():
        setattr(row, attr, new)
    if applied:
        ctx.audit(f"{entity_type}.update", entity_type, row.id, {"changes": applied})


def _check_item_key(ctx: MutationContext, template_id: int, item_key: str | None) -> None:
    if item_key is not None and item_key not in ctx.push.template_items(template_id):
        raise reject("unknown_item", f"The checklist has no item {item_key}.", f"检查表中没有检查项 {item_key}。",
                     "itemKey")


# ---------------------------------------------------------------- findings

@mutation("finding.set.v1", FindingSetArgs())
def set_finding(ctx: MutationContext, args: dict[str, Any]) -> None:
    """One answer per item: a second phone's answer to the same item merges into the first row."""
    inspection = case_for(ctx, args["inspection_id"])
    item_key = args["item_key"]
    item = ctx.push.template_items(inspection.template_id).get(item_key)
    changes = {k: args[k] for k in ANSWER_FIELDS if k in args}
    answers = _answers(ctx, inspection.id)
    finding = answers.get(item_key)
    result = changes.get("result", finding.result if finding else None)
    value = changes.get("value", finding.value if finding else None)
    rules.check_finding(item, item_key, result, value)
    if finding is None:
        finding = Finding(id=args["id"], inspection_id=inspection.id, item_key=item_key, **changes)
        stamp_created(finding, [k for k, v in changes.items() if v is not None], ctx)
        db.session.add(finding)
        answers[item_key] = finding
        applied = changes
    else:
        applied = merge_fields(finding, "finding", changes, base_version=args["base_version"], ctx=ctx)
        for attr, new in applied.items():
            setattr(finding, attr, new)
    ctx.audit("finding.set", "finding", finding.id, {"itemKey": item_key, **applied})


# ---------------------------------------------------------------- samples

@mutation("sample.add.v1", SampleAddArgs())
def add_sample(ctx: MutationContext, args: dict[str, Any]) -> None:
    rules.check_sample(args, args["inspection_id"])
    existing = existing_row(Sample, args["id"], args["inspection_id"])
    if existing is not None:
        fields = {k: v for k, v in args.items() if k not in ("id", "inspection_id")}
        _merge(ctx, _live(ctx, existing), "sample", fields, 0)
        return
    case_for(ctx, args["inspection_id"])
    sample = Sample(**args)
    stamp_created(sample, [k for k, v in args.items() if v not in (None, []) and k not in ("id", "inspection_id")], ctx)
    db.session.add(sample)
    ctx.audit("sample.add", "sample", sample.id, {k: v for k, v in args.items() if k != "id"})


@mutation("sample.update.v1", SampleUpdateArgs())
def update_sample(ctx: MutationContext, args: dict[str, Any]) -> None:
    sample = _part(ctx, Sample, args["id"])
    rules.check_sample(args["fields"], sample.inspection_id)
    _merge(ctx, sample, "sample", args["fields"], args["base_version"])


@mutation("sample.remove.v1", InspectionRefArgs())
def remove_sample(ctx: MutationContext, args: dict[str, Any]) -> None:
    _remove(ctx, Sample, args["id"], "sample.remove")


def _remove(ctx: MutationContext, model: type, row_id: str, action: str) -> None:
    """Removing is a tombstone (pulls send `del`); removing twice is the same as once."""
    row = db.session.get(model, row_id)
    if row is not None and row.deleted_at is not None:
        case_for(ctx, row.inspection_id, editable=False)
        return
    row = _part(ctx, model, row_id)
    row.deleted_at = utcnow()
    ctx.audit(action, model.__tablename__, row.id)


# ---------------------------------------------------------------- photos

@mutation("photo.add.v1", PhotoAddArgs())
def add_photo(ctx: MutationContext, args: dict[str, Any]) -> None:
    """The photo's hash and metadata; the bytes follow by upload and are checked against the hash."""
    existing = existing_row(Photo, args["id"], args["inspection_id"])
    if existing is not None and existing.sha256 != args["sha256"]:
        raise duplicate_id(Photo, args["id"])  # a photo's bytes never change: this is another photo
    inspection = case_for(ctx, args["inspection_id"])
    _check_item_key(ctx, inspection.template_id, args.get("item_key"))
    if existing is not None:
        changes = {k: args[k] for k in ("caption", "item_key") if k in args}
        _merge(ctx, _live(ctx, existing), "photo", changes, 0)
        return
    photo = Photo(**args, taken_by_id=ctx.user.id)
    stamp_created(photo, [k for k in ("caption", "item_key") if args.get(k) is not None], ctx)
    db.session.add(photo)
    ctx.audit("photo.add", "photo", photo.id, {k: v for k, v in args.items() if k != "id"})


@mutation("photo.update.v1", PhotoUpdateArgs())
def update_photo(ctx: MutationContext, args: dict[str, Any]) -> None:
    photo = _part(ctx, Photo, args["id"])
    changes = {k: args[k] for k in ("caption", "item_key") if k in args}
    _check_item_key(ctx, photo.inspection.template_id, changes.get("item_key"))
    _merge(ctx, photo, "photo", changes, args["base_version"])


@mutation("photo.remove.v1", InspectionRefArgs())
def remove_photo(ctx: MutationContext, args: dict[str, Any]) -> None:
    _remove(ctx, Photo, args["id"], "photo.remove")


# ---------------------------------------------------------------- signatures

@mutation("signature.add.v1", SignatureAddArgs())
def add_signature(ctx: MutationContext, args: dict[str, Any]) -> None:
    """A drawn signature; it replaces an earlier one of the same role and signer."""
    drawn = {"signer_name": args.get("signer_name"), "image_sha256": args["image_sha256"],
             "signed_at_device": args.get("signed_at_device"), **_attestation(args)}
    if _signed_again(ctx, args["id"], args["inspection_id"], "signature.add", drawn,
                     same_signer={"role": args["role"], "user_id": args.get("user_id"), "status": "signed",
                                  "sample_id": args.get("sample_id")}):
        return
    inspection = case_for(ctx, args["inspection_id"])
    rules.check_signed_sample(args["role"], args.get("sample_id"), inspection.id)
    if args["role"] == "inspector":
        if args.get("user_id") not in {link.user_id for link in inspection.inspectors}:
            raise reject("not_an_inspector", "An inspector's signature must name one of the record's inspectors.",
                         "检查人员签名须对应本记录的检查人员。", "userID")
    elif args.get("user_id") is not None:
        raise reject("invalid", "Only an inspector's signature names a user.", "只有检查人员签名可关联用户。", "userID")
    _replace(ctx, inspection.id, args["role"], args.get("signer_name"), args.get("user_id"), args.get("sample_id"))
    signature = Signature(**args, status="signed", created_by_id=ctx.user.id)
    db.session.add(signature)
    ctx.audit("signature.add", "signature", signature.id, {k: v for k, v in args.items() if k != "id"})


@mutation("signature.refuse.v1", SignatureRefuseArgs())
def refuse_signature(ctx: MutationContext, args: dict[str, Any]) -> None:
    """The party refuses to sign (拒绝签字): the reason and a witness replace the party's signature."""
    refusal = {"refusal_reason": args["reason"], "witness_name": args["witness_name"],
               **rules.refusal_details(args)}
    _keep_earlier_refusal(ctx, args["id"], args["inspection_id"], refusal)
    refusal.update(_attestation(args))
    if _signed_again(ctx, args["id"], args["inspection_id"], "signature.refuse", refusal,
                     same_signer={"role": "party", "status": "refused"}):
        return
    inspection = case_for(ctx, args["inspection_id"])
    _replace(ctx, inspection.id, "party", None, None)
    signature = Signature(id=args["id"], inspection_id=inspection.id, role="party", status="refused",
                          **refusal, signed_at_device=args.get("at"), created_by_id=ctx.user.id)
    db.session.add(signature)
    ctx.audit("signature.refuse", "signature", signature.id, _refusal_wire(refusal))


def _attestation(args: dict[str, Any]) -> dict[str, Any]:
    """What the signer saw (services/attestation): kept with the signature or refusal it came with."""
    return {"attests": args.get("attests"), "confirmation": args.get("confirmation")}


def _keep_earlier_refusal(ctx: MutationContext, refusal_id: str, inspection_id: str, values: dict[str, Any]) -> None:
    """An edited refusal is a new refusal: one that was submitted is kept, replaced, when its reason or
    witness changes (after a return), and the edit stands as a refusal recorded now.

    The earlier is kept under an id derived from the refusal's id and version (a retried push is
    answered from the log and never comes here twice). Edits before the record was ever submitted
    change the refusal being written, as before (its audit events keep each value).
    """
    existing = db.session.get(Signature, refusal_id)
    inspection = existing.inspection if existing is not None else None
    if (existing is None or existing.inspection_id != inspection_id or existing.status != "refused"
            or existing.deleted_at is not None or inspection.submitted_at is None
            or _aware(existing.created_at) > _aware(inspection.submitted_at)
            or all(getattr(existing, k) == v for k, v in values.items())):
        return
    case_for(ctx, inspection_id)  # a draft the caller inspects: otherwise _signed_again rejects the edit
    columns = {c.key: getattr(existing, c.key) for c in Signature.__table__.columns
               if c.key not in ("id", "version", "field_meta", "deleted_at")}
    # Changed earlier in this push, the refusal has no version yet: this mutation names the copy.
    changed_by = existing.version if existing.version != PENDING else f"{ctx.writer}:{ctx.mutation_id}"
    earlier = Signature(**columns, id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"refusal:{existing.id}:{changed_by}")),
                        deleted_at=utcnow())
    db.session.add(earlier)
    existing.created_at = utcnow()
    ctx.audit("signature.replace", "signature", earlier.id, {"replacedBy": existing.id})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _refusal_wire(values: dict[str, Any]) -> dict[str, Any]:
    """A refusal as the phone names its fields (and as earlier audit events hold it); the
    witness's ID number masked, as on every page that is not the record itself."""
    wire = {"reason": values["refusal_reason"], "witnessName": values["witness_name"]}
    for attr, key in rules.REFUSAL_DETAILS:
        if values.get(attr) is not None:
            value = values[attr]
            wire[key] = mask_id_number(value) if attr == "witness_id_number" else value
    return wire


_AUDIT_SHAPE = {"signature.refuse": _refusal_wire,
                "signature.add": lambda v: {"signerName": v["signer_name"], "imageSha256": v["image_sha256"]}}


def _signed_again(ctx: MutationContext, signature_id: str, inspection_id: str, action: str,
                  values: dict[str, Any], same_signer: dict[str, Any]) -> bool:
    """Whether the signature (or refusal) exists already, after applying what the phone changed in it.

    A resent record brings the same values again: nothing changes, and one replaced since is not
    brought back. The phone keeps a slot's id when the party signs again or a refusal's reason or
    witness is corrected (after a return): that edit is applied to a draft, or rejected with the
    reason when the record is read-only; never dropped. The earlier values stay in the audit event
    (`before`/`after`) and in the revision submitted with them.
    """
    existing = existing_row(Signature, signature_id, inspection_id)
    if existing is None:
        return False
    if any(getattr(existing, k) != v for k, v in same_signer.items()):
        raise duplicate_id(Signature, signature_id)  # another signer's or kind of signature: a client bug
    changed = {k: v for k, v in values.items() if v is not None and getattr(existing, k) != v}
    if not changed or (set(changed) == {"signed_at_device"}):
        case_for(ctx, inspection_id, editable=False)
        return True
    _live(ctx, existing)  # a draft the caller inspects, and a signature not replaced since
    before = {k: getattr(existing, k) for k in values}
    for attr, value in changed.items():
        setattr(existing, attr, value)
    shape = _AUDIT_SHAPE[action]
    ctx.audit(action, "signature", existing.id, {"before": shape(before), "after": shape({**before, **changed})})
    return True


def _replace(ctx: MutationContext, inspection_id: str, role: str, signer_name: str | None,
             user_id: int | None, sample_id: str | None = None) -> None:
    """Tombstone the earlier signature this one replaces: the party signs once, each person once."""
    stmt = select(Signature).where(Signature.inspection_id == inspection_id, Signature.role == role,
                                   Signature.deleted_at.is_(None))
    if role == "inspector":
        stmt = stmt.where(Signature.user_id == user_id)
    elif role == "witness":
        stmt = stmt.where(Signature.signer_name == signer_name)
    elif role == "sampled_party":
        stmt = stmt.where(Signature.sample_id == sample_id)
    for earlier in db.session.scalars(stmt):
        earlier.deleted_at = utcnow()
        ctx.audit("signature.replace", "signature", earlier.id)
