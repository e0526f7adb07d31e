"""Campaign dashboard numbers: inspections, parties, failed items and samples by category,
league/city and county, for a campaign and a date range, within the user's jurisdiction.

Counted: every inspection that was submitted at least once (awaiting review, returned,
approved or rejected). Its date is when the inspection started on site (the record's own
date), else when it was created. All sums are SQL aggregates; no case rows are loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Mapping

from sqlalchemy import and_, func, select

from ..database import db
from ..models import CATEGORIES, Agency, Campaign, ChecklistTemplate, Finding, Inspection, Sample, User
from .case_numbers import CHINA
from .queue import parse_agency, parse_dates, parse_id
from .scope import inspection_scope


@dataclass(frozen=True)
class DashboardFilters:
    campaign_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    agency_id: int | None = None
    problems: tuple[str, ...] = ()


@dataclass
class Counts:
    inspections: int = 0
    parties: int = 0
    failed_items: int = 0
    failed_inspections: int = 0
    samples: int = 0

    def add(self, other: Counts) -> None:
        for name in ("inspections", "parties", "failed_items", "failed_inspections", "samples"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Group:
    key: str  # category key or agency code
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Dashboard:
    filters: DashboardFilters
    scope_agency: Agency
    campaign: Campaign | None
    totals: Counts
    by_category: list[Group]
    by_league: list[Group]
    by_county: list[Group]


def parse_dashboard_filters(args: Mapping[str, str], user: User) -> DashboardFilters:
    problems = []
    campaign_id = None
    raw = args.get("campaign")
    if raw is None:
        latest = db.session.scalar(select(Campaign.id).where(Campaign.deleted_at.is_(None))
                                   .order_by(Campaign.starts_on.desc()).limit(1))
        campaign_id = latest
    elif raw:
        wanted = parse_id(raw)
        if wanted is not None and db.session.get(Campaign, wanted) is not None:
            campaign_id = wanted
        else:
            problems.append("campaign")
    dates = parse_dates(args, problems)
    agency_id = parse_agency(args.get("agency"), user, problems)
    return DashboardFilters(campaign_id, dates["from"], dates["to"], agency_id, tuple(problems))


def inspection_date():
    return func.coalesce(Inspection.started_at_device, Inspection.created_at)


def _conditions(user: User, filters: DashboardFilters) -> list:
    where = [inspection_scope(user), Inspection.deleted_at.is_(None), Inspection.submitted_at.is_not(None)]
    if filters.campaign_id is not None:
        where.append(Inspection.campaign_id == filters.campaign_id)
    if filters.date_from:
        where.append(inspection_date() >= datetime.combine(filters.date_from, time.min, tzinfo=CHINA))
    if filters.date_to:
        where.append(inspection_date() < datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=CHINA))
    if filters.agency_id is not None:
        path = select(Agency.path).where(Agency.id == filters.agency_id).scalar_subquery()
        where.append(Inspection.agency_id.in_(select(Agency.id).where(Agency.path.startswith(path))))
    return where


def build_dashboard(user: User, filters: DashboardFilters) -> Dashboard:
    where = _conditions(user, filters)
    category = ChecklistTemplate.category
    base = (select(Inspection.agency_id, category).join(ChecklistTemplate, ChecklistTemplate.id == Inspection.template_id)
            .where(*where).group_by(Inspection.agency_id, category))
    cells: dict[tuple[int, str], Counts] = {}

    def cell(agency_id: int, cat: str) -> Counts:
        return cells.setdefault((agency_id, cat), Counts())

    for agency_id, cat, n, parties in db.session.execute(
            base.add_columns(func.count(), func.count(Inspection.party_id.distinct()))):
        cell(agency_id, cat).inspections, cell(agency_id, cat).parties = n, parties
    failed_join = base.join(Finding, and_(Finding.inspection_id == Inspection.id, Finding.result == "fail",
                                          Finding.deleted_at.is_(None)))
    for agency_id, cat, n, cases in db.session.execute(
            failed_join.add_columns(func.count(), func.count(Inspection.id.distinct()))):
        cell(agency_id, cat).failed_items, cell(agency_id, cat).failed_inspections = n, cases
    sample_join = base.join(Sample, and_(Sample.inspection_id == Inspection.id, Sample.deleted_at.is_(None)))
    for agency_id, cat, n in db.session.execute(sample_join.add_columns(func.count())):
        cell(agency_id, cat).samples = n

    # Parties are counted once each, however often and under however many checklists inspected.
    distinct_parties = select(func.count(Inspection.party_id.distinct())).join(
        ChecklistTemplate, ChecklistTemplate.id == Inspection.template_id).where(*where)
    totals = Counts()
    for counts in cells.values():
        totals.add(counts)
    totals.parties = db.session.scalar(distinct_parties) or 0
    parties_by_category = dict(db.session.execute(
        select(category, func.count(Inspection.party_id.distinct())).select_from(Inspection)
        .join(ChecklistTemplate, ChecklistTemplate.id == Inspection.template_id).where(*where).group_by(category)).all())

    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.path.startswith(user.agency.path)))}
    by_code = {a.code: a for a in agencies.values()}
    by_category = {c: Group(c, c) for c in CATEGORIES}
    leagues: dict[str, Group] = {}
    counties: dict[str, Group] = {}
    for (agency_id, cat), counts in cells.items():
        agency = agencies.get(agency_id)
        if agency is None:  # a co-inspected case from outside the jurisdiction
            continue
        by_category[cat].counts.add(counts)
        codes = agency.path.strip("/").split("/")
        league = by_code.get(codes[1]) if len(codes) > 1 else agency
        league = league or agency
        leagues.setdefault(league.code, Group(league.code, league.short_name)).counts.add(counts)
        counties.setdefault(agency.code, Group(agency.code, _county_label(agency, league))).counts.add(counts)
    for cat, group in by_category.items():
        group.counts.parties = parties_by_category.get(cat, 0)
    campaign = db.session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    scope_agency = agencies.get(filters.agency_id) if filters.agency_id else user.agency
    return Dashboard(filters, scope_agency, campaign, totals,
                     [g for g in by_category.values()],
                     sorted(leagues.values(), key=lambda g: g.key), sorted(counties.values(), key=lambda g: g.key))


def _county_label(agency: Agency, league: Agency) -> str:
    if agency.level == "county":
        return f"{league.short_name}·{agency.short_name}" if league is not agency else agency.short_name
    return agency.short_name


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).where(Campaign.deleted_at.is_(None))
                                   .order_by(Campaign.starts_on.desc())))


# ---------------------------------------------------------------- complaints and reports

FILING_KIND_ORDER = ("complaint", "report", "inquiry")
# The first decision on a filing: a complaint accepted or refused, a report's 立案 decision (or the
# reporter sent to the competent authority), an inquiry answered.
DECISION_ACTIONS = ("accept", "reject", "open_case", "not_open", "redirect", "answer")


@dataclass
class KindCounts:
    key: str
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in FILING_KIND_ORDER})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class DecisionTimes:
    """Working days from the day the handling bureau received a filing to its first decision."""

    kind: str
    decided: int = 0
    undecided: int = 0
    average: float | None = None
    median: float | None = None
    longest: int | None = None


@dataclass
class FilingStats:
    total: int
    by_channel: list[KindCounts]
    by_status: list[KindCounts]
    by_category: list[KindCounts]
    decision_times: list[DecisionTimes]


def _filing_conditions(user: User, filters: DashboardFilters) -> list:
    from ..models import Filing
    from .complaints import filing_scope

    where = [filing_scope(user), Filing.deleted_at.is_(None)]
    if filters.date_from:
        where.append(Filing.clock_start_on >= filters.date_from)
    if filters.date_to:
        where.append(Filing.clock_start_on <= filters.date_to)
    if filters.agency_id is not None:
        path = select(Agency.path).where(Agency.id == filters.agency_id).scalar_subquery()
        where.append(Filing.handling_agency_id.in_(select(Agency.id).where(Agency.path.startswith(path))))
    return where


def build_filing_stats(user: User, filters: DashboardFilters) -> FilingStats:
    """Complaints, reports and inquiries received in the date range (by the day the handling bureau
    received them; a campaign does not apply) by channel, status and product category, and the time
    each kind took to its first decision. SQL aggregates, except the working-day count per decision."""
    from ..models import Filing, FilingTransition
    from .calendar.deadlines import working_days_between

    where = _filing_conditions(user, filters)

    def grouped(column) -> list[KindCounts]:
        groups: dict[str, KindCounts] = {}
        for key, kind, n in db.session.execute(select(column, Filing.kind, func.count()).where(*where)
                                               .group_by(column, Filing.kind)):
            groups.setdefault(key, KindCounts(key)).counts[kind] = n
        return sorted(groups.values(), key=lambda g: (-g.total, g.key))

    by_channel = grouped(Filing.channel)
    first_decision = (select(FilingTransition.filing_id, func.min(FilingTransition.on_date).label("on"))
                      .where(FilingTransition.action.in_(DECISION_ACTIONS)).group_by(FilingTransition.filing_id)
                      .subquery())
    spans: dict[str, list[int]] = {k: [] for k in FILING_KIND_ORDER}
    undecided = dict.fromkeys(FILING_KIND_ORDER, 0)
    for kind, start, decided_on in db.session.execute(
            select(Filing.kind, Filing.clock_start_on, first_decision.c.on)
            .outerjoin(first_decision, first_decision.c.filing_id == Filing.id).where(*where)):
        if decided_on is None:
            undecided[kind] += 1
        else:
            spans[kind].append(max(0, working_days_between(start, decided_on)))
    times = []
    for kind in FILING_KIND_ORDER:
        days = sorted(spans[kind])
        row = DecisionTimes(kind, len(days), undecided[kind])
        if days:
            row.average = round(sum(days) / len(days), 1)
            middle = len(days) // 2
            row.median = float(days[middle]) if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
            row.longest = days[-1]
        times.append(row)
    return FilingStats(sum(g.total for g in by_channel), by_channel, grouped(Filing.status),
                       grouped(Filing.product_category), times)
