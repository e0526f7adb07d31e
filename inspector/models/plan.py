"""Inspection plans and 双随机 draws (抽查计划, 随机抽取; next-capabilities §2).

A plan (by a league or the region, or a county for itself) names what to check, which parties
may be drawn (category, area, risk), which inspectors, how many per stratum and the period. Its
draw freezes the candidates (their canonical listing and its SHA-256), records the seed,
algorithm, parameters, operator and witnesses, and stores the ordered result; a replacement draw
for a recused inspector (回避) is a child draw of the same shape. Each drawn party becomes a
`PlanTarget`, with the task sent to its pair of inspectors and, once checked, the result
published (一公开) within 20 working days.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User
from .agency import Agency
from .party import Party
from .task import Task
from .template import ChecklistTemplate

PLAN_STATUSES = ("draft", "drawn")
DRAW_KINDS = ("targets", "replacement")
# DR-R5: the categories published results use (the last three are inferred in the reference).
RESULT_CODES = ("ok", "not_disclosed", "unreachable", "corrected", "followup", "no_activity", "refused")


class InspectionPlan(db.Model):
    __tablename__ = "inspection_plan"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # 检查主体
    name: Mapped[str] = mapped_column(String(200))
    check_items: Mapped[str] = mapped_column(Text)  # 抽查事项: what the inspectors check
    template_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_template.id"), nullable=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)  # the tasks' due date
    # The target directory's filter: categories (template CATEGORIES), areas (agency ids; empty:
    # the plan agency's whole jurisdiction), risk ("any" or "flagged").
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    risk: Mapped[str] = mapped_column(String(12), default="any")
    # Per stratum ("flagged", "normal"): {"count": n} or {"percent": p}; a stratum absent is not drawn.
    strata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The inspector directory: user ids (empty: every certified active inspector of the jurisdiction).
    inspector_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    agency: Mapped[Agency] = relationship()
    template: Mapped[ChecklistTemplate | None] = relationship()
    created_by: Mapped[User] = relationship()
    draws: Mapped[list[PlanDraw]] = relationship(order_by="PlanDraw.drawn_at", back_populates="plan")
    targets: Mapped[list[PlanTarget]] = relationship(order_by="PlanTarget.position", back_populates="plan")

    @property
    def current_draw(self) -> PlanDraw | None:
        """The draw in force: the latest targets draw not superseded by a re-draw."""
        return next((d for d in reversed(self.draws) if d.kind == "targets" and d.superseded_at is None), None)

    @property
    def current_targets(self) -> list[PlanTarget]:
        current = self.current_draw
        return [t for t in self.targets if current is not None and t.draw_id == current.id]


class PlanDraw(db.Model):
    """One witnessed random draw: everything needed to recompute it, and what it gave."""

    __tablename__ = "plan_draw"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    plan_id: Mapped[str] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("plan_draw.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(12))
    algorithm: Mapped[str] = mapped_column(String(40))
    algorithm_version: Mapped[str] = mapped_column(String(8))
    seed_hex: Mapped[str] = mapped_column(String(64))
    candidate_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical listing
    candidate_count: Mapped[int] = mapped_column(Integer)
    candidates: Mapped[dict[str, Any]] = mapped_column(JSON)  # the frozen listing
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[list[Any]] = mapped_column(JSON)
    operator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    witnesses: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"name", "title"}]
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # a replacement's or a re-draw's
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A re-draw (with its written reason) supersedes the earlier draws: kept, never deleted (DR-R2e).
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    plan: Mapped[InspectionPlan] = relationship(back_populates="draws")
    operator: Mapped[User] = relationship()


class PlanTarget(db.Model):
    """A drawn party: its place in the draw, its task, and the result published for it."""

    __tablename__ = "plan_target"
    __table_args__ = (UniqueConstraint("draw_id", "party_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    draw_id: Mapped[str] = mapped_column(ForeignKey("plan_draw.id"))
    position: Mapped[int] = mapped_column(Integer)
    stratum: Mapped[str] = mapped_column(String(12))
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), index=True)
    result_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    publish_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    publish_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    plan: Mapped[InspectionPlan] = relationship(back_populates="targets")
    party: Mapped[Party] = relationship()
    task: Mapped[Task] = relationship()
