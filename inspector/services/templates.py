"""Checklist templates: listing, import as a new version, publishing, retiring, export."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from .. import refdata
from ..database import db, utcnow
from ..errors import ApiError
from ..models import CATEGORIES, ChecklistTemplate, User
from . import audit
from .citations import Statute, citation_problems


def published_templates() -> list[ChecklistTemplate]:
    return list(db.session.scalars(
        select(ChecklistTemplate).where(ChecklistTemplate.status == "published")
        .order_by(ChecklistTemplate.key, ChecklistTemplate.template_version)
    ))


def get_template(template_id: int) -> ChecklistTemplate:
    found = db.session.get(ChecklistTemplate, template_id)
    if found is None:
        raise ApiError("not_found", "No such checklist template.")
    return found


def export_template(template: ChecklistTemplate) -> dict[str, Any]:
    """The JSON form used by export-template / import-template."""
    return {"key": template.key, "version": template.template_version, "category": template.category,
            "title": template.title, "sections": template.body["sections"]}


def import_template(body: dict[str, Any], actor: User | None = None, *, publish: bool = False,
                    statutes: dict[str, Statute] | None = None) -> ChecklistTemplate:
    """Store a template body as the next version of its key (a draft unless `publish`).

    With `statutes` (the texts of a statutes folder) the items get the words of the clauses they
    cite where they do not carry them yet, and a citation that is wrong refuses the import."""
    problems = refdata.validate_template(body)
    if body.get("category") not in CATEGORIES:
        problems.append(f"category must be one of {', '.join(CATEGORIES)}")
    if statutes is not None and not problems:
        problems = citation_problems(body, statutes)
    if problems:
        raise ApiError("validation_failed", "The checklist template is not valid.", details={"problems": problems})
    latest = db.session.scalar(
        select(func.max(ChecklistTemplate.template_version)).where(ChecklistTemplate.key == body["key"])
    ) or 0
    template = ChecklistTemplate(
        key=body["key"], template_version=latest + 1, category=body["category"], title=body["title"],
        status="draft", body={"sections": body["sections"]}, created_by_id=actor.id if actor else None,
    )
    db.session.add(template)
    db.session.flush()
    audit.record("template.import", "checklist_template", template.id, actor_id=actor.id if actor else None,
                 data={"key": template.key, "version": template.template_version})
    if publish:
        publish_template(template, actor)
    db.session.commit()
    return template


def publish_template(template: ChecklistTemplate, actor: User | None = None) -> None:
    """Make a draft available to phones; from now on its content never changes."""
    if template.status != "draft":
        raise ApiError("conflict", f"Only a draft can be published; this version is {template.status}.")
    template.status, template.published_at = "published", utcnow()
    audit.record("template.publish", "checklist_template", template.id, actor_id=actor.id if actor else None)


def retire_template(template: ChecklistTemplate, actor: User | None = None) -> None:
    """Hide a version from new inspections; inspections made with it keep it."""
    if template.status != "published":
        raise ApiError("conflict", "Only a published version can be retired.")
    template.status, template.retired_at = "retired", utcnow()
    audit.record("template.retire", "checklist_template", template.id, actor_id=actor.id if actor else None)
