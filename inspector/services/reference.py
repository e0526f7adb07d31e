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
    """Publish each shipped checklist template whose content no version of its key holds yet.

    A new database gets the shipped versions as numbered in the files. A database made by an
    earlier release gets a revised template (corrected citations, for example) as the next version
    of its key; the versions already there are left exactly as they are, since inspections made
    with them keep pointing at them (phones offer only the newest published version of a key).
    """
    stored: dict[str, list[ChecklistTemplate]] = {}
    for template in db.session.scalars(select(ChecklistTemplate)):
        stored.setdefault(template.key, []).append(template)
    added = 0
    for body in refdata.load_templates():
        versions = stored.get(body["key"], [])
        if any(_same_content(template, body) for template in versions):
            continue
        number = max((t.template_version for t in versions), default=body["version"] - 1) + 1
        db.session.add(ChecklistTemplate(
            key=body["key"], template_version=number, category=body["category"], title=body["title"],
            status="published", body={"sections": body["sections"]}, published_at=utcnow(),
        ))
        added += 1
    db.session.flush()
    return added


def _same_content(template: ChecklistTemplate, body: dict) -> bool:
    return (template.category, template.title, template.body.get("sections")) == (
        body["category"], body["title"], body["sections"])


def load_reference_data() -> dict[str, int]:
    """Everything a new database needs before anyone logs in; safe to run again."""
    result = {"agencies": load_agencies(), "templates": load_templates()}
    db.session.commit()
    return result
