"""Parties (当事人): search within scope, create with a checked credit code."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select

from ..credit_code import check_credit_code
from ..database import db
from ..errors import ApiError
from ..identity import MESSAGE_ZH as ID_MESSAGE_ZH
from ..identity import checked_id_number
from ..models import Agency, Party, User
from . import audit
from .scope import agency_in_scope, party_scope

MAX_RESULTS = 50


def search_parties(user: User, query: str | None, limit: int = 20) -> list[Party]:
    """Parties in scope whose name or credit code contains the query."""
    stmt = select(Party).where(party_scope(user), Party.deleted_at.is_(None))
    if query:
        needle = query.strip()
        stmt = stmt.where(or_(Party.name.contains(needle, autoescape=True),
                              Party.credit_code.contains(needle.upper(), autoescape=True)))
    return list(db.session.scalars(stmt.order_by(Party.name).limit(min(limit, MAX_RESULTS))))


def checked_credit_code(raw: str | None) -> str | None:
    """The normalised code, or a 400 that says exactly what is wrong with it."""
    if raw is None or not raw.strip():
        return None
    result = check_credit_code(raw)
    if not result.valid:
        raise ApiError("validation_failed", result.message,
                       details={"creditCode": [result.message], "creditCodeError": result.error,
                                "message_zh": result.message_zh})
    return result.code


def checked_operator_id(raw: str | None) -> str | None:
    """The 经营者身份证号 normalised, or a 400 naming the field (GB 11643 check)."""
    try:
        return checked_id_number(raw)
    except ValueError as exc:
        raise ApiError("validation_failed", f"operatorIDNumber: {exc}.",
                       details={"operatorIDNumber": [str(exc)], "message_zh": f"经营者{ID_MESSAGE_ZH}。"}) from None


def party_agency(user: User, agency_code: str | None) -> Agency:
    """The agency a new party belongs to: the given one if in scope, else the user's own."""
    if not agency_code:
        return user.agency
    agency = db.session.scalars(select(Agency).where(Agency.code == agency_code)).first()
    if agency is None:
        raise ApiError("validation_failed", f"No agency has the code {agency_code}.",
                       details={"agencyCode": ["unknown agency"]})
    if not agency_in_scope(user, agency):
        raise ApiError("forbidden", "That agency is outside your jurisdiction.")
    return agency


PARTY_FIELDS = ("name", "legal_rep", "address", "phone", "licences", "business_scope", "lat", "lon", "entity_type")


def create_party(user: User, data: dict[str, Any], *, device_id: int | None = None, commit: bool = True) -> Party:
    """A new party in the user's jurisdiction; an existing id is returned unchanged (retries are safe)."""
    party_id = data.get("id") or str(uuid.uuid4())
    existing = db.session.get(Party, party_id)
    if existing is not None:
        from .scope import get_party

        return get_party(user, party_id)
    party = Party(id=party_id, credit_code=checked_credit_code(data.get("credit_code")),
                  operator_id_number=checked_operator_id(data.get("operator_id_number")),
                  agency=party_agency(user, data.get("agency_code")), created_by_id=user.id,
                  licences=[])
    for field in PARTY_FIELDS:
        if field in data and data[field] is not None:
            setattr(party, field, data[field])
    db.session.add(party)
    db.session.flush()
    audit.record("party.create", "party", party.id, actor_id=user.id, device_id=device_id,
                 data={"name": party.name, "creditCode": party.credit_code})
    if commit:
        db.session.commit()
    return party


PARTY_UPDATABLE = PARTY_FIELDS + ("credit_code", "operator_id_number")


def clean_party_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Field changes as they will be stored: the credit code normalised and checked (GB 32100)."""
    cleaned = {field: value for field, value in changes.items() if field in PARTY_UPDATABLE}
    if "credit_code" in cleaned:
        cleaned["credit_code"] = checked_credit_code(cleaned["credit_code"])
    if "operator_id_number" in cleaned:
        cleaned["operator_id_number"] = checked_operator_id(cleaned["operator_id_number"])
    if "licences" in cleaned and cleaned["licences"] is None:
        cleaned["licences"] = []
    return cleaned


def update_party(user: User, party: Party, changes: dict[str, Any], *, device_id: int | None = None,
                 commit: bool = False) -> Party:
    """Apply cleaned changes (see clean_party_changes) to a party the caller has in scope.

    Callers that merge edits from several phones decide first which changes apply (sync/merge.py).
    """
    for field, value in changes.items():
        if field not in PARTY_UPDATABLE:
            raise ValueError(f"party field {field} cannot be changed")
        setattr(party, field, value)
    if changes:
        db.session.flush()
        audit.record("party.update", "party", party.id, actor_id=user.id, device_id=device_id,
                     data={"changes": {k: v for k, v in changes.items()}})
    if commit:
        db.session.commit()
    return party
