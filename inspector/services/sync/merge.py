"""Per-field merge of offline edits (reference/offline-sync-design.md §3.6).

Each synced row keeps, per field, `{"v": version, "by": writer, "u": user id}` of its last change.
An incoming field *overlaps* when it changed after the edit's base version by another writer
(another phone, or a person in the console). Non-overlapping fields are applied; an overlapping
field keeps the server value and opens a Conflict holding both. A phone's chained edits of one
field never conflict with themselves (`by` is that phone).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select

from ...database import db, utcnow
from ...models import Conflict
from ...schemas.base import camelcase
from .context import MutationContext, jsonable

# Wire names that are not the plain camelCase of the column (the phone's names in mutations).
_WIRE = {"started_at_device": "startedAt", "ended_at_device": "endedAt", "taken_at_device": "takenAt",
         "signed_at_device": "signedAt", "inspector_ids": "inspectorIDs", "gps_accuracy_m": "gpsAccuracyM"}
_ATTR = {wire: attr for attr, wire in _WIRE.items()}


def wire_name(attr: str) -> str:
    return _WIRE.get(attr) or camelcase(attr)


def attr_name(wire: str) -> str:
    """The column behind a conflict's wire field name."""
    if wire in _ATTR:
        return _ATTR[wire]
    return "".join("_" + c.lower() if c.isupper() else c for c in wire)


def stamp_created(row: Any, attrs: Iterable[str], ctx: MutationContext) -> None:
    """Record the creating phone as the writer of every field it filled in."""
    mark = {"v": ctx.version, "by": ctx.writer, "u": ctx.user.id}
    row.field_meta = {attr: dict(mark) for attr in attrs}


def merge_fields(row: Any, entity_type: str, changes: Mapping[str, Any], *, base_version: int,
                 ctx: MutationContext, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The changes to apply to `row`; overlapping ones open conflicts (in ctx.conflicts) instead.

    `current` gives the server values of fields that are not plain columns (inspectorIDs).
    Updates row.field_meta; the caller applies the returned changes.
    """
    meta = dict(row.field_meta or {})
    applied: dict[str, Any] = {}
    for attr, new in changes.items():
        now = current[attr] if current is not None and attr in current else getattr(row, attr)
        mark = meta.get(attr)
        overlaps = mark is not None and mark["v"] > base_version and mark["by"] != ctx.writer
        if overlaps:
            if now != new:  # both typed the same thing: nothing to settle
                ctx.conflicts.append(_open_conflict(row, entity_type, attr, now, new, base_version, mark, ctx))
                meta[attr] = {**mark, "c": True}
            continue
        if mark is not None and mark.get("c") and _settle_by_author(entity_type, row.id, attr, ctx) == 0:
            mark = {k: v for k, v in mark.items() if k != "c"}
            meta[attr] = mark
        if now != new:
            applied[attr] = new
            # Others' conflicts still open on the field keep it flagged, so their informed edit settles them.
            flagged = {"c": True} if mark is not None and mark.get("c") else {}
            meta[attr] = {"v": ctx.version, "by": ctx.writer, "u": ctx.user.id, **flagged}
    if meta != (row.field_meta or {}):
        row.field_meta = meta
    return applied


def _open_conflict(row: Any, entity_type: str, attr: str, server_value: Any, client_value: Any,
                   base_version: int, mark: dict[str, Any], ctx: MutationContext) -> Conflict:
    """A new open conflict, or the author's still-open one on this field with their newer value."""
    field = wire_name(attr)
    existing = db.session.scalars(select(Conflict).where(
        Conflict.entity_id == str(row.id), Conflict.entity_type == entity_type, Conflict.field == field,
        Conflict.status == "open", Conflict.client_writer == ctx.writer)).first()
    conflict = existing or Conflict(id=str(uuid.uuid4()), entity_type=entity_type, entity_id=str(row.id),
                                    inspection_id=_inspection_of(row, entity_type), field=field,
                                    client_writer=ctx.writer, client_user_id=ctx.user.id,
                                    client_device_id=ctx.push.device_id, status="open", field_meta={})
    conflict.server_value, conflict.client_value = jsonable(server_value), jsonable(client_value)
    conflict.base_version, conflict.mutation_id = base_version, ctx.mutation_id
    conflict.server_writer, conflict.server_user_id = mark["by"], mark.get("u")
    if existing is None:
        db.session.add(conflict)
    return conflict


def _inspection_of(row: Any, entity_type: str) -> str | None:
    if entity_type == "inspection":
        return row.id
    return getattr(row, "inspection_id", None)


def _settle_by_author(entity_type: str, entity_id: Any, attr: str, ctx: MutationContext) -> int:
    """An informed edit by a conflict's author settles it ("updated"); returns how many stay open."""
    open_ = list(db.session.scalars(select(Conflict).where(
        Conflict.entity_id == str(entity_id), Conflict.entity_type == entity_type,
        Conflict.field == wire_name(attr), Conflict.status == "open")))
    for conflict in open_:
        if conflict.client_user_id == ctx.user.id:
            conflict.status, conflict.resolution = "resolved", "updated"
            conflict.resolved_by_id, conflict.resolved_at = ctx.user.id, utcnow()
    return sum(1 for c in open_ if c.status == "open")


def open_conflict_count(entity_type: str, entity_id: Any, field: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Conflict).where(
        Conflict.entity_id == str(entity_id), Conflict.entity_type == entity_type, Conflict.field == field,
        Conflict.status == "open")) or 0
