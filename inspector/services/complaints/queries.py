"""Which filings a user may see, and the register's list.

The register is a console matter: registrars, officers, 负责人, reviewers and admins see the
filings their agency's subtree handles or received (a 12315 desk keeps seeing what it passed on).
Inspectors work from tasks on their phones and do not open the register. Seeing a filing is not
seeing its reporter: that is confidential.may_see_person.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select

from ...database import db
from ...errors import ApiError
from ...models import CHANNELS, FILING_KINDS, Filing, User
from ..scope import agency_subtree
from .machine import ACTIONS

REGISTER_ROLES = ("registrar", "officer", "head", "reviewer", "admin")
STATUSES = tuple(sorted({s for a in ACTIONS.values() for s in (*a.from_statuses, a.to_status or "")} - {""}
                        | {"received", "verifying", "closed", "answered"}))
PAGE = 200


def filing_scope(user: User) -> ColumnElement[bool]:
    if not user.active or user.role not in REGISTER_ROLES:
        return false()
    subtree = agency_subtree(user)
    return or_(Filing.handling_agency_id.in_(subtree), Filing.received_by_agency_id.in_(subtree),
               Filing.handler_id == user.id)


def get_filing(user: User, filing_id: str) -> Filing:
    """The filing, or 404 when it does not exist or is outside the user's scope."""
    if not isinstance(filing_id, str) or len(filing_id) > 36:
        raise ApiError("not_found", "No such filing.")
    found = db.session.scalars(select(Filing).where(Filing.id == filing_id, filing_scope(user))).first()
    if found is None or found.deleted_at is not None:
        raise ApiError("not_found", "No such filing.")
    return found


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    status: str | None = None
    channel: str | None = None


def parse_filters(args) -> tuple[Filters, list[str]]:
    """Filters from the query string; unknown values are ignored and named."""
    ignored = []
    values = {}
    for key, allowed in (("kind", FILING_KINDS), ("status", STATUSES), ("channel", CHANNELS)):
        value = (args.get(key) or "").strip()
        if value and value not in allowed:
            ignored.append(key)
        elif value:
            values[key] = value
    return Filters(**values), ignored


def list_filings(user: User, filters: Filters, limit: int = PAGE) -> list[Filing]:
    query = select(Filing).where(filing_scope(user), Filing.deleted_at.is_(None))
    if filters.kind:
        query = query.where(Filing.kind == filters.kind)
    if filters.status:
        query = query.where(Filing.status == filters.status)
    if filters.channel:
        query = query.where(Filing.channel == filters.channel)
    return list(db.session.scalars(query.order_by(Filing.received_at.desc(), Filing.id).limit(limit)))
