"""Checklist templates (检查表): a published version is immutable; a new version is a new row."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, db, utcnow
from .sync import Versioned

CATEGORIES = ("general", "fertilizer", "pesticide", "film", "seed", "machinery")
TEMPLATE_STATUSES = ("draft", "published", "retired")
ITEM_KINDS = ("pass_fail_na", "number", "text", "choice", "date")


class ChecklistTemplate(Versioned, db.Model):
    __tablename__ = "checklist_template"
    __table_args__ = (UniqueConstraint("key", "template_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"sections": [{key, title, items: [...]}]}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def items(self) -> list[dict[str, Any]]:
        """Every item of every section, in order."""
        return [item for section in self.body.get("sections", []) for item in section["items"]]

    def item(self, key: str) -> dict[str, Any] | None:
        return next((i for i in self.items() if i["key"] == key), None)


class PublishedTemplateChanged(Exception):
    """Raised when code tries to change the content of a published template."""


@event.listens_for(ChecklistTemplate, "before_update")
def _published_is_immutable(_mapper, _conn, target: ChecklistTemplate) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    was_published = state.attrs.status.history.deleted == ["published"] or (
        not state.attrs.status.history.has_changes() and target.status == "published"
    )
    content_changed = any(
        state.attrs[name].history.has_changes() for name in ("body", "title", "category", "key", "template_version")
    )
    if was_published and content_changed:
        raise PublishedTemplateChanged(f"template {target.key} v{target.template_version} is published and immutable")
