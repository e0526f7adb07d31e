"""The one door from intake into the complaints register (services/complaints owns the register).

A 12315 row and a phone's lead become the same `data` the console's form gives `register_filing`,
and go through the register's own checks (`check_filing`) and registration (`add_filing`); the
caller owns the transaction: an import commits the whole file at once, a phone's mutation commits
with the sync protocol's bookkeeping.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...database import db
from ...errors import ApiError
from ...models import Filing, User
from ..complaints import attachments
from ..complaints.register import INTAKE_ROLES, add_filing, check_filing
from .mapping import FIELD_KEYS

BATCH = 500
# The register's refusals (by the wire name of the field) as the import's row problems.
_IMPORT_FIELDS = {"receivedAt": ("import_date_out_of_range", "received_at"),
                  "respondentName": ("import_value_missing", "respondent_name"),
                  "personName": ("import_person_needed", "complainant_name"),
                  "personPhone": ("import_person_needed", "complainant_contact")}
IMPORT_ROLES = INTAKE_ROLES


def known_refs(refs: list[str]) -> set[str]:
    """Which of these 12315 numbers the register already holds."""
    found: set[str] = set()
    unique = sorted(set(refs))
    for start in range(0, len(unique), BATCH):
        found.update(db.session.scalars(select(Filing.external_ref).where(
            Filing.external_ref.in_(unique[start:start + BATCH]), Filing.deleted_at.is_(None))))
    return found


def imported_data(fields: dict[str, Any]) -> dict[str, Any]:
    """An import row's fields as the register's intake data."""
    kind = fields.get("kind")
    name, contact = fields.get("complainant_name") or None, fields.get("complainant_contact") or None
    return {
        "kind": "complaint" if kind == "mixed" else kind, "also_report": kind == "mixed",
        "channel": fields["channel"], "external_ref": fields.get("external_ref") or None,
        "received_at": fields["received_at"], "respondent_name": fields.get("respondent_name") or None,
        "respondent_address": fields.get("respondent_address") or None,
        "product_category": fields["product_category"], "facts": fields.get("facts") or "",
        "requests": fields.get("requests") or None,
        # A report that names nobody is anonymous; a complaint never is (the register says what is missing).
        "anonymous": kind == "report" and not name and not contact,
        "person_name": name, "person_phone": contact,
    }


def import_problems(user: User, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """What the register would refuse in an import row, as (i18n key, field) pairs."""
    try:
        check_filing(user, imported_data(fields))
    except ApiError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        found = {_IMPORT_FIELDS.get(key, ("import_register_refused", "facts")) for key in details}
        return sorted(found or {("import_register_refused", "facts")}, key=lambda p: FIELD_KEYS.index(p[1]))
    return []


def register_imported(user: User, fields: dict[str, Any]) -> Filing:
    """Register one checked import row (flushed, not committed)."""
    return add_filing(user, imported_data(fields))


# ---------------------------------------------------------------- the phone

PHONE_ROLES = ("inspector", *INTAKE_ROLES)


def register_from_phone(user: User, args: dict[str, Any]) -> Filing:
    """Register a lead a phone recorded (args of complaint.create.v1), idempotent by its id.

    Raises ApiError (forbidden, conflict, validation_failed) for what can never succeed."""
    if user.role not in PHONE_ROLES or not user.active:
        raise ApiError("forbidden", "Only inspectors and officers record leads.")
    # The push keeps its caller detached across commits; the filing refers to this session's rows.
    user = db.session.get(User, user.id)
    photos = args.pop("attachments", None) or []
    filing = add_filing(user, {**args, "also_report": False, "external_ref": None})
    attachments.add_from_phone(user, filing, photos)
    return filing
