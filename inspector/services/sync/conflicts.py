"""Settling merge conflicts: a reviewer keeps the server value or takes the phone's."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, or_, select

from ...database import UTCDateTime, db, utcnow
from ...errors import ApiError
from ...models import Conflict, Finding, Inspection, Party, Photo, Sample, User
from ...models.sync import allocate_version
from .. import audit, campaigns
from ..scope import inspection_scope, party_scope
from .membership import load_users, set_inspectors
from .merge import attr_name, open_conflict_count

RESOLVER_ROLES = ("reviewer", "admin")
ENTITIES: dict[str, Any] = {"inspection": Inspection, "party": Party, "finding": Finding, "sample": Sample,
                            "photo": Photo}


def visible_conflict(user: User, conflict_id: str) -> Conflict:
    """The conflict if its case (or party) is in the user's scope; 404 otherwise."""
    party_conflict = and_(Conflict.entity_type == "party",
                          Conflict.entity_id.in_(select(Party.id).where(party_scope(user))))
    found = db.session.scalars(
        select(Conflict).outerjoin(Inspection, Inspection.id == Conflict.inspection_id)
        .where(Conflict.id == conflict_id,
               or_(and_(Conflict.inspection_id.is_not(None), inspection_scope(user)), party_conflict))
    ).first()
    if found is None:
        raise ApiError("not_found", "No such conflict.")
    return found


def resolve_conflict(user: User, conflict_id: str, choice: str) -> Conflict:
    """Settle an open conflict: "server" keeps the stored value, "client" takes the phone's value.

    Taking the phone's value changes the record, so its case must still be a draft; a submitted
    case is evidence and changes only through a return and an amendment.
    """
    if user.role not in RESOLVER_ROLES:
        raise ApiError("forbidden", "Only a reviewer may settle a conflict.")
    if choice not in ("server", "client"):
        raise ApiError("validation_failed", "choice must be server or client", details={"choice": [choice]})
    conflict = visible_conflict(user, conflict_id)
    if conflict.status != "open":
        raise ApiError("conflict", "This conflict was already settled.",
                       details={"resolution": conflict.resolution, "status": conflict.status})
    version = allocate_version(db.session)  # the version lock first, as every writer takes it
    entity = _entity(conflict)
    attr = attr_name(conflict.field)
    if choice == "client":
        _take_client_value(user, conflict, entity, attr, version)
    now = utcnow()
    conflict.status, conflict.resolution = "resolved", choice
    conflict.resolved_by_id, conflict.resolved_at = user.id, now
    db.session.flush()
    if entity is not None and open_conflict_count(conflict.entity_type, conflict.entity_id, conflict.field) == 0:
        meta = dict(entity.field_meta or {})
        if attr in meta and meta[attr].get("c"):
            meta[attr] = {k: v for k, v in meta[attr].items() if k != "c"}
            entity.field_meta = meta
    audit.record("conflict.resolve", "conflict", conflict.id, actor_id=user.id, inspection_id=conflict.inspection_id,
                 data={"choice": choice, "entityType": conflict.entity_type, "entityID": conflict.entity_id,
                       "field": conflict.field, "kept": conflict.client_value if choice == "client"
                       else conflict.server_value})
    db.session.commit()
    return conflict


def _entity(conflict: Conflict) -> Any:
    model = ENTITIES.get(conflict.entity_type)
    return db.session.get(model, conflict.entity_id) if model is not None else None


def _take_client_value(user: User, conflict: Conflict, entity: Any, attr: str, version: int) -> None:
    if entity is None or entity.deleted_at is not None:
        raise ApiError("conflict", "The record was removed; there is nothing to change.")
    if conflict.inspection_id is not None:
        case = db.session.get(Inspection, conflict.inspection_id)
        if case.status != "draft":
            raise ApiError("inspection_read_only", f"The inspection is {case.status}; return it to the inspector, "
                           "who can then amend this field.", details={"status": case.status})
    value = conflict.client_value
    if attr == "inspector_ids":
        people = load_users(list(value))
        set_inspectors(entity, [people[i] for i in value if i in people], version)
    elif isinstance(entity, Inspection) and attr == "started_at_device":
        started_before = entity.started_at_device
        entity.started_at_device = _from_json(Inspection, attr, value)
        campaigns.follow_inspection_date(entity, started_before)
    else:
        setattr(entity, attr, _from_json(type(entity), attr, value))
    meta = dict(entity.field_meta or {})
    flagged = {"c": True} if meta.get(attr, {}).get("c") else {}  # others may still be open on it
    meta[attr] = {"v": version, "by": f"user:{user.id}", "u": user.id, **flagged}
    entity.field_meta = meta


def _from_json(model: Any, attr: str, value: Any) -> Any:
    """A stored conflict value back in the column's Python type."""
    if value is None:
        return None
    column_type = model.__table__.columns[attr].type
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value
