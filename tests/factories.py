"""Rows for tests, built directly through the models (scenarios use the API where they can)."""
from __future__ import annotations

import uuid
from itertools import count
from typing import Any

from sqlalchemy import select

from inspector.credit_code import make_credit_code
from inspector.database import db
from inspector.models import Agency, ChecklistTemplate, Finding, Inspection, InspectionInspector, Party, User

_serial = count(1)


def agency(code: str) -> Agency:
    return db.session.scalars(select(Agency).where(Agency.code == code)).one()


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def template(key: str = "fertilizer") -> ChecklistTemplate:
    return db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.key == key)
                              .order_by(ChecklistTemplate.template_version.desc())).first()


def credit_code(agency_code: str) -> str:
    """A valid unified social credit code registered in that division."""
    n = next(_serial)
    return make_credit_code(f"92{agency_code}MA{n:07d}"[:17])


def party(agency_code: str, name: str | None = None, **fields: Any) -> Party:
    row = Party(id=str(uuid.uuid4()), name=name or f"测试农资店{next(_serial)}", agency=agency(agency_code),
                credit_code=fields.pop("credit_code", credit_code(agency_code)), licences=[], **fields)
    db.session.add(row)
    db.session.commit()
    return row


def inspection(party_row: Party, inspectors: tuple[str, ...], *, status: str = "draft", key: str = "fertilizer",
               findings: dict[str, str] | None = None) -> Inspection:
    lead = user(inspectors[0])
    row = Inspection(id=str(uuid.uuid4()), agency_id=lead.agency_id, party=party_row, template=template(key),
                     status=status, created_by_id=lead.id, place=party_row.address or "现场")
    for position, name in enumerate(inspectors, start=1):
        row.inspectors.append(InspectionInspector(user_id=user(name).id, position=position))
    for item_key, result in (findings or {}).items():
        row.findings.append(Finding(id=str(uuid.uuid4()), item_key=item_key, result=result))
    db.session.add(row)
    db.session.commit()
    return row
