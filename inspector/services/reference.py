"""Reference data: the agency tree of Inner Mongolia and the published checklist templates."""
from __future__ import annotations

from sqlalchemy import select

from .. import refdata
from ..database import db, utcnow
from ..models import Agency, ChecklistTemplate


def load_agencies() -> int:
    """Insert or update the 116 agencies by division code; returns how many were added."""
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    added = 0
    for row in refdata.load_divisions():  # parents come before children in the file
        agency = existing.get(row["code"])
        if agency is None:
            agency = Agency(code=row["code"], case_category_words={})
            db.session.add(agency)
            existing[row["code"]] = agency
            added += 1
            if row.get("case_code_word"):
                agency.case_code_word = row["case_code_word"]
        parent = existing.get(row["parent"]) if row.get("parent") else None
        agency.name, agency.short_name, agency.level = row["name"], row["short_name"], row["level"]
        agency.parent = parent
        agency.path = (parent.path if parent else "/") + row["code"] + "/"
    db.session.flush()
    return added


def load_templates() -> int:
    """Publish the six default checklist templates unless that key and version exists."""
    have = set(db.session.execute(select(ChecklistTemplate.key, ChecklistTemplate.template_version)).all())
    added = 0
    for body in refdata.load_templates():
        if (body["key"], body["version"]) in have:
            continue
        db.session.add(ChecklistTemplate(
            key=body["key"], template_version=body["version"], category=body["category"], title=body["title"],
            status="published", body={"sections": body["sections"]}, published_at=utcnow(),
        ))
        added += 1
    db.session.flush()
    return added


def load_reference_data() -> dict[str, int]:
    """Everything a new database needs before anyone logs in; safe to run again."""
    result = {"agencies": load_agencies(), "templates": load_templates()}
    db.session.commit()
    return result
