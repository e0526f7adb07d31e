"""Registering a filing (登记): checks, the registration number, a mixed filing split in two.

The statutory clock starts on the China calendar day the handling bureau received the matter,
and the rule version follows that day (CR-C2, CR-L1). A complaint that also reports a violation
becomes a 投诉 and a 举报 linked to each other (CR-L4); the report gets its own copy of the person,
kept as confidential as any reporter.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from ...clock import cn_date, now
from ...database import db
from ...errors import ApiError
from ...models import Agency, CaseNumberCounter, Filing, FilingPerson, FilingTransition, Party, User
from .. import audit, case_numbers
from ..scope import agency_in_scope, party_scope
from . import clocks, rules

INTAKE_ROLES = ("registrar", "officer", "head")
# A received time this far ahead of the server's clock is a typing error, not a clock skew.
FUTURE_SLACK = timedelta(minutes=10)
KIND_WORDS = {"complaint": "投", "report": "举", "inquiry": "咨"}
FIRST_STATUS = {"complaint": "received", "report": "verifying", "inquiry": "received"}


def _invalid(details: dict[str, str]) -> ApiError:
    return ApiError("validation_failed", details={k: [v] for k, v in details.items()})


def _handling_agency(by: User, data: dict[str, Any], party: Party | None) -> Agency:
    code = data.get("handling_agency_code")
    if code:
        agency = db.session.scalars(select(Agency).where(Agency.code == code, Agency.deleted_at.is_(None))).first()
        if agency is None or not agency_in_scope(by, agency):
            raise _invalid({"handlingAgencyCode": "not an agency in your jurisdiction"})
        return agency
    if party is not None and agency_in_scope(by, party.agency):
        return party.agency
    return by.agency


def _check(by: User, data: dict[str, Any]) -> tuple[date, Party | None]:
    errors: dict[str, str] = {}
    received_at: datetime = data["received_at"]
    received_on = cn_date(received_at)
    if received_at > now() + FUTURE_SLACK:
        errors["receivedAt"] = "is in the future"
    elif received_on < rules.V20_IN_FORCE:
        errors["receivedAt"] = "is before 2020-01-01, when the register's rules begin"
    if data.get("harm_known_on") and data["harm_known_on"] > cn_date(now()):
        errors["harmKnownOn"] = "is in the future"
    kind = data["kind"]
    party = None
    if data.get("party_id"):
        party = db.session.scalars(select(Party).where(Party.id == data["party_id"], party_scope(by),
                                                       Party.deleted_at.is_(None))).first()
        if party is None:
            errors["partyID"] = "no such party in your jurisdiction"
    if kind != "inquiry" and party is None and not (data.get("respondent_name") or "").strip():
        errors["respondentName"] = "name the business complained about or reported"
    if kind == "complaint" or (kind == "report" and not data.get("anonymous")):
        for key, field in (("person_name", "personName"), ("person_phone", "personPhone")):
            if not (data.get(key) or "").strip():
                errors[field] = ("a complaint needs the complainant's name and phone" if kind == "complaint"
                                 else "a real-name report needs the reporter's name and phone (or tick anonymous)")
    if kind == "complaint" and data.get("anonymous"):
        errors["anonymous"] = "a complaint cannot be anonymous; register it as an anonymous report"
    if data.get("also_report") and kind != "complaint":
        errors["alsoReport"] = "only a complaint can also carry a report"
    if errors:
        raise _invalid(errors)
    return received_on, party


def _reg_no(agency: Agency, kind: str, year: int) -> str:
    key = (CaseNumberCounter.agency_id == agency.id, CaseNumberCounter.category == "filing",
           CaseNumberCounter.year == year)
    seq = db.session.execute(update(CaseNumberCounter).where(*key).values(last_seq=CaseNumberCounter.last_seq + 1)
                             .returning(CaseNumberCounter.last_seq)).scalar_one_or_none()
    if seq is None:  # the year's first: an upsert, so a concurrent first registration just increments
        seq = db.session.execute(
            case_numbers._insert(db.session).values(agency_id=agency.id, category="filing", year=year, last_seq=1)
            .on_conflict_do_update(index_elements=["agency_id", "category", "year"],
                                   set_={"last_seq": CaseNumberCounter.last_seq + 1})
            .returning(CaseNumberCounter.last_seq)).scalar_one()
    word = (agency.case_code_word or agency.short_name or "").strip()
    return f"{word}{KIND_WORDS[kind]}〔{year}〕{seq}号"


def _make(by: User, data: dict[str, Any], kind: str, received_on: date, party: Party | None, agency: Agency,
          filing_id: str | None = None) -> Filing:
    filing = Filing(
        id=filing_id or str(uuid.uuid4()), kind=kind, channel=data["channel"], external_ref=data.get("external_ref"),
        received_at=data["received_at"], clock_start_on=received_on, rule_version=rules.rule_version_for(received_on),
        received_by_agency_id=by.agency_id, handling_agency=agency, status=FIRST_STATUS[kind],
        urgent=bool(data.get("urgent")) or data["channel"] == "media_exposure",
        party=party,
        respondent_name=(party.name if party else (data.get("respondent_name") or "").strip()),
        respondent_address=(party.address if party and not data.get("respondent_address")
                            else data.get("respondent_address")),
        respondent_contact=data.get("respondent_contact") or (party.phone if party else None),
        respondent_credit_code=(party.credit_code if party else data.get("respondent_credit_code")),
        product_category=data["product_category"], facts=data["facts"].strip(), requests=data.get("requests"),
        harm_known_on=data.get("harm_known_on"), consent_publish=data.get("consent_publish"),
        consent_mediation=data.get("consent_mediation"), created_by=by,
        handler_id=by.id if by.role in ("officer", "head") and by.agency_id == agency.id else None,
        reg_no=_reg_no(agency, kind, received_on.year),
    )
    db.session.add(filing)
    db.session.flush()  # the person row refers to it, with no relationship to order the inserts
    anonymous = bool(data.get("anonymous"))
    db.session.add(FilingPerson(
        filing_id=filing.id, anonymous=anonymous, insider=bool(data.get("insider")),
        **({} if anonymous else {"name": (data.get("person_name") or "").strip() or None,
                                 "phone": data.get("person_phone"), "address": data.get("person_address"),
                                 "id_no": data.get("person_id_no")})))
    db.session.add(FilingTransition(filing=filing, action="register", from_status=None, to_status=filing.status,
                                    at=now(), on_date=cn_date(now()), by=by))
    return filing


def register_filing(by: User, data: dict[str, Any]) -> Filing:
    """Register a filing (data as loaded by schemas.complaints.FilingIn) and commit.

    Returns the filing; a mixed filing's report half is `filing.linked_filing`.
    """
    if by.role not in INTAKE_ROLES or not by.active:
        raise ApiError("forbidden", "Only registrars and officers register complaints and reports.")
    filing = add_filing(by, data)
    db.session.commit()
    return filing


def check_filing(by: User, data: dict[str, Any]) -> None:
    """Raise what registering `data` would refuse (a 12315 import's preview); nothing is written."""
    _check(by, data)


def add_filing(by: User, data: dict[str, Any]) -> Filing:
    """`register_filing` without its role check and commit, for callers that own the transaction
    and decide who may register (a whole 12315 import file at once; a phone's sync mutation)."""
    if data.get("id") and db.session.get(Filing, data["id"]) is not None:
        existing = db.session.get(Filing, data["id"])
        if existing.created_by_id == by.id:
            return existing  # a repeated submission of the same form or phone record
        raise ApiError("conflict", "A filing with this id exists.")
    received_on, party = _check(by, data)
    agency = _handling_agency(by, data, party)
    filing = _make(by, data, data["kind"], received_on, party, agency, data.get("id"))
    if data.get("also_report"):
        report = _make(by, data, "report", received_on, party, agency)
        filing.linked_filing = report
        report.linked_filing = filing
    db.session.flush()
    for record in (filing, filing.linked_filing):
        if record is not None:
            clocks.refresh_due(record)
            audit.record("filing.register", "filing", record.id, actor_id=by.id,
                         data={"kind": record.kind, "channel": record.channel, "regNo": record.reg_no,
                               "ruleVersion": record.rule_version})
    return filing
