"""The statistics of reporting upward (next-capabilities.md §5.3, UP-F): one computation for the
reports, the campaign dashboard and its 汇总报告.

A registry of named figures. Each is one of:
- computed: a function of a `FigureScope` answering a number from the records;
- pending: its records do not exist yet (case outcomes, lab results, open days are being built);
  its value is None, shown "—" with the note "数据来源尚未建立", never a made-up zero;
- entered: the records cannot give it (宣传资料份数, 咨询人次 …); typed in on the report.

A capability that adds the records registers its function under the same key, replacing the
pending entry:

    from inspector.services.reports.figures import figure

    @figure("samples_failed", "sampling")
    def samples_failed(scope: FigureScope) -> int: ...

Counted inspections (as on the dashboard): every inspection submitted at least once, not deleted,
dated by the day it started on site (China time), else by when it was created.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from ...database import db
from ...models import Agency, Filing, FilingTransition, Finding, Inspection, InspectionInspector, Sample, Task, User
from ..case_numbers import CHINA
from ..scope import inspection_scope

GROUPS = ("enforcement", "sampling", "cases", "filings", "exposure", "publicity")
COMPUTED, PENDING, ENTERED = "records", "pending", "entered"


@dataclass(frozen=True)
class FigureScope:
    """What is counted: the records of `agency_ids` (a select of agency ids; None: everything the
    user sees), dated `date_from`…`date_to` (China calendar days, either open), of one campaign
    (None: any), and only what `user` may see when given."""

    agency_ids: Select | None = None
    date_from: date | None = None
    date_to: date | None = None
    campaign_id: int | None = None
    user: User | None = None


@dataclass(frozen=True)
class FigureDef:
    key: str
    group: str
    kind: str  # records | pending | entered
    unit: str = ""
    fn: Callable[[FigureScope], int | float] | None = None
    awaiting: str | None = None  # pending: the capability that will give it


FIGURES: dict[str, FigureDef] = {}


def figure(key: str, group: str, unit: str = "") -> Callable:
    """Register (or replace) the function computing `key` from the records."""
    def register(fn: Callable[[FigureScope], int | float]) -> Callable[[FigureScope], int | float]:
        FIGURES[key] = FigureDef(key, group, COMPUTED, unit, fn)
        return fn
    return register


def pending(key: str, group: str, awaiting: str, unit: str = "") -> None:
    """Declare a figure whose records do not exist yet (unless a source registered it already)."""
    if key not in FIGURES or FIGURES[key].kind != COMPUTED:
        FIGURES[key] = FigureDef(key, group, PENDING, unit, awaiting=awaiting)


def entered(key: str, group: str, unit: str = "") -> None:
    FIGURES[key] = FigureDef(key, group, ENTERED, unit)


def compute(scope: FigureScope, keys: Iterable[str] | None = None) -> dict[str, int | float | None]:
    """The computed figures (None for pending ones; entered ones are not here)."""
    wanted = list(keys) if keys is not None else [k for k, f in FIGURES.items() if f.kind != ENTERED]
    values: dict[str, int | float | None] = {}
    for key in wanted:
        definition = FIGURES[key]
        values[key] = definition.fn(scope) if definition.kind == COMPUTED and definition.fn else None
    return values


# ---------------------------------------------------------------- the counted records

def inspection_date():
    return func.coalesce(Inspection.started_at_device, Inspection.created_at)


def inspection_conditions(scope: FigureScope) -> list:
    where = [Inspection.deleted_at.is_(None), Inspection.submitted_at.is_not(None)]
    if scope.user is not None:
        where.append(inspection_scope(scope.user))
    if scope.campaign_id is not None:
        where.append(Inspection.campaign_id == scope.campaign_id)
    if scope.date_from:
        where.append(inspection_date() >= datetime.combine(scope.date_from, time.min, tzinfo=CHINA))
    if scope.date_to:
        where.append(inspection_date() < datetime.combine(scope.date_to + timedelta(days=1), time.min, tzinfo=CHINA))
    if scope.agency_ids is not None:
        where.append(Inspection.agency_id.in_(scope.agency_ids))
    return where


def counted_inspections(scope: FigureScope) -> Select:
    return select(Inspection.id).where(*inspection_conditions(scope))


@figure("inspections", "enforcement")
def inspections(scope: FigureScope) -> int:
    """检查记录份数: counted inspections."""
    return db.session.scalar(select(func.count()).select_from(Inspection).where(*inspection_conditions(scope))) or 0


@figure("parties", "enforcement")
def parties(scope: FigureScope) -> int:
    """检查经营主体户数: distinct parties inspected."""
    return db.session.scalar(select(func.count(Inspection.party_id.distinct())).where(
        *inspection_conditions(scope))) or 0


@figure("party_visits", "enforcement")
def party_visits(scope: FigureScope) -> int:
    """检查经营主体户次: one per party per day inspected (two checklists on one visit count once)."""
    rows = db.session.execute(select(Inspection.party_id, inspection_date()).where(*inspection_conditions(scope)))
    return len({(party, moment.astimezone(CHINA).date() if moment.tzinfo else moment.date())
                for party, moment in rows})


@figure("officer_turnout", "enforcement")
def officer_turnout(scope: FigureScope) -> int:
    """出动执法人员人次: Σ inspectors per counted inspection (UP-A2)."""
    return db.session.scalar(select(func.count()).select_from(InspectionInspector).where(
        InspectionInspector.inspection_id.in_(counted_inspections(scope)))) or 0


@figure("failed_items", "enforcement")
def failed_items(scope: FigureScope) -> int:
    return db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.inspection_id.in_(counted_inspections(scope)), Finding.result == "fail",
        Finding.deleted_at.is_(None))) or 0


@figure("failed_inspections", "enforcement")
def failed_inspections(scope: FigureScope) -> int:
    return db.session.scalar(select(func.count(Finding.inspection_id.distinct())).where(
        Finding.inspection_id.in_(counted_inspections(scope)), Finding.result == "fail",
        Finding.deleted_at.is_(None))) or 0


entered("vehicles", "enforcement")
entered("markets", "enforcement")
entered("villages", "enforcement")


@figure("samples", "sampling")
def samples(scope: FigureScope) -> int:
    """抽检批次: samples taken in counted inspections."""
    return db.session.scalar(select(func.count()).select_from(Sample).where(
        Sample.inspection_id.in_(counted_inspections(scope)), Sample.deleted_at.is_(None))) or 0


pending("samples_tested", "sampling", "labs")
pending("samples_failed", "sampling", "labs")
pending("rectification_orders", "cases", "rectify")
pending("cases_opened", "cases", "rectify")
pending("cases_closed", "cases", "rectify")
pending("goods_value", "cases", "rectify", "yuan")
pending("fines", "cases", "rectify", "yuan")
pending("dens_destroyed", "cases", "rectify")
pending("police_transfers", "cases", "rectify")
pending("farmer_losses_recovered", "cases", "rectify", "yuan")


# ---------------------------------------------------------------- complaints and reports (§1)

def filing_conditions(scope: FigureScope) -> list:
    """Filings received (by the handling bureau's day of receipt) in the period."""
    where = [Filing.deleted_at.is_(None)]
    if scope.user is not None:
        from ..complaints import filing_scope
        where.append(filing_scope(scope.user))
    if scope.date_from:
        where.append(Filing.clock_start_on >= scope.date_from)
    if scope.date_to:
        where.append(Filing.clock_start_on <= scope.date_to)
    if scope.agency_ids is not None:
        where.append(Filing.handling_agency_id.in_(scope.agency_ids))
    return where


def _received(kind: str | None) -> Callable[[FigureScope], int]:
    def count(scope: FigureScope) -> int:
        where = filing_conditions(scope) + ([Filing.kind == kind] if kind else [])
        return db.session.scalar(select(func.count()).select_from(Filing).where(*where)) or 0
    return count


def _closed(kind: str) -> Callable[[FigureScope], int]:
    """Filings of the bureau closed (or answered) within the period, whenever received."""
    def count(scope: FigureScope) -> int:
        where = [Filing.deleted_at.is_(None), Filing.kind == kind,
                 FilingTransition.action.in_(("close", "answer"))]
        if scope.user is not None:
            from ..complaints import filing_scope
            where.append(filing_scope(scope.user))
        if scope.agency_ids is not None:
            where.append(Filing.handling_agency_id.in_(scope.agency_ids))
        if scope.date_from:
            where.append(FilingTransition.on_date >= scope.date_from)
        if scope.date_to:
            where.append(FilingTransition.on_date <= scope.date_to)
        return db.session.scalar(select(func.count(Filing.id.distinct())).join(
            FilingTransition, FilingTransition.filing_id == Filing.id).where(*where)) or 0
    return count


figure("filings_received", "filings")(_received(None))
figure("complaints_received", "filings")(_received("complaint"))
figure("complaints_closed", "filings")(_closed("complaint"))
figure("reports_received", "filings")(_received("report"))
figure("reports_closed", "filings")(_closed("report"))
figure("inquiries_received", "filings")(_received("inquiry"))


# ---------------------------------------------------------------- 3·15 exposure

def _exposure_tasks(scope: FigureScope) -> list:
    where = [Task.source_kind == "exposure", Task.deleted_at.is_(None), Task.status != "cancelled"]
    if scope.agency_ids is not None:
        where.append(Task.agency_id.in_(scope.agency_ids))
    if scope.user is not None:
        from ..scope import task_scope
        where.append(task_scope(scope.user))
    if scope.date_from:
        where.append(Task.created_at >= datetime.combine(scope.date_from, time.min, tzinfo=CHINA))
    if scope.date_to:
        where.append(Task.created_at < datetime.combine(scope.date_to + timedelta(days=1), time.min, tzinfo=CHINA))
    return where


@figure("exposures", "exposure")
def exposures(scope: FigureScope) -> int:
    """涉及本地区曝光事项数: exposed dealers sent to a county (one exposure task each)."""
    return db.session.scalar(select(func.count()).select_from(Task).where(*_exposure_tasks(scope))) or 0


@figure("exposures_handled", "exposure")
def exposures_handled(scope: FigureScope) -> int:
    """已查处数: exposure tasks done (inspected)."""
    return db.session.scalar(select(func.count()).select_from(Task).where(
        *_exposure_tasks(scope), Task.status == "done")) or 0


# ---------------------------------------------------------------- publicity and service

entered("events", "publicity")
entered("consultations", "publicity")
entered("materials", "publicity")
entered("media_reports", "publicity")
pending("open_days", "publicity", "opendays")
pending("free_tests", "publicity", "opendays")

# What each kind of report carries (the plan is narrative only; the 专报 its exposure figures).
KIND_FIGURES = {
    "plan": (),
    "special": ("exposures", "exposures_handled", "inspections", "officer_turnout", "samples",
                "cases_opened", "goods_value"),
}


def keys_for(kind: str) -> list[str]:
    """Figures of a kind of report, in the registry's order (the summary: all of them, less the
    dashboard's own working counts)."""
    if kind in KIND_FIGURES:
        return [k for k in KIND_FIGURES[kind] if k in FIGURES]
    return [k for k in FIGURES if k not in ("failed_items", "failed_inspections")]


def subtree(agency: Agency) -> Select:
    return select(Agency.id).where(Agency.path.startswith(agency.path))


def only(agency: Agency) -> Select:
    return select(Agency.id).where(Agency.id == agency.id)


def describe(key: str) -> dict[str, Any]:
    d = FIGURES[key]
    return {"key": key, "group": d.group, "kind": d.kind, "unit": d.unit, "awaiting": d.awaiting}



# The sources that came later register their figures over the pending entries above.
from . import sources  # noqa: E402,F401
