"""Who owes which report upward, by when (next-capabilities.md §5.1–5.2, UP-R1).

Each league and county under a campaign's agency owes its parent bureau a 方案 (plan) and a 总结
(summary). What a league owes the region defaults to the seed's dates (3月7日 and 3月25日 of the
campaign's year) unless the campaign's agency set others; what a county owes its league is set by
that league (earlier), and until it has, the league's own dates apply (marked inherited). A date on
a rest day is shown with a warning and never moved: the plan names calendar dates.

A 3·15 broadcast exposure (the exposure tasks sent on one day to the counties of a league) makes
the league owe the region a 专报 (special report) due `REPORT_EXPOSURE_DUE_DAYS` calendar days
later (default 0: the same day).

An obligation is late when no report of it was submitted by the end of its due day (UP-A1).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from ... import clock
from ...database import db
from ...errors import ApiError
from ...models import Agency, Campaign, ReportDeadline, Task, UpwardReport, User
from .. import audit
from ..calendar.deadlines import is_working_day

SEED_DATES = {"plan": (3, 7), "summary": (3, 25)}  # UP-L1: 方案 before 3月7日, 总结 before 3月25日
WEEKDAYS_ZH = "一二三四五六日"


@dataclass(frozen=True)
class Obligation:
    campaign_id: int
    agency_id: int  # who owes
    recipient_id: int  # to whom
    kind: str  # plan | summary | special
    due_date: date
    period_from: date
    period_to: date
    inherited: bool = False  # the county's league set no date: its own applies
    subject: str | None = None  # 专报: what was exposed

    @property
    def key(self) -> str:
        return f"{self.campaign_id}:{self.agency_id}:{self.kind}:{self.period_from.isoformat()}"

    @property
    def rest_day(self) -> str | None:
        """'周六' when the due date is a rest day (UP-R1 warns, never moves it)."""
        return None if is_working_day(self.due_date) else "周" + WEEKDAYS_ZH[self.due_date.weekday()]


def owner(campaign: Campaign) -> Agency:
    return db.session.get(Agency, campaign.agency_id)


def _seed(campaign: Campaign) -> dict[str, tuple[date, date, date]]:
    year = campaign.starts_on.year
    found = {}
    for kind, (month, day) in SEED_DATES.items():
        due = date(year, month, day)
        found[kind] = (due, min(campaign.starts_on, due), due)
    return found


def dates_set_by(campaign: Campaign, agency: Agency) -> dict[str, ReportDeadline]:
    """The dates `agency` set for the bureaus below it (the latest row of each kind)."""
    rows = db.session.scalars(select(ReportDeadline).where(
        ReportDeadline.campaign_id == campaign.id, ReportDeadline.set_by_agency_id == agency.id)
        .order_by(ReportDeadline.id)).all()
    return {row.kind: row for row in rows}


def dates_for(campaign: Campaign, agency: Agency) -> dict[str, tuple[date, date, date, bool]]:
    """{kind: (due, period_from, period_to, inherited)} of what `agency` owes its parent."""
    parent = agency.parent
    if parent is None:
        return {}
    if parent.id == campaign.agency_id or not parent.path.startswith(owner(campaign).path):
        base = {k: (*v, False) for k, v in _seed(campaign).items()}
    else:
        base = {k: (due, start, end, True) for k, (due, start, end, _i) in dates_for(campaign, parent).items()}
    for kind, row in dates_set_by(campaign, parent).items():
        start = row.period_from or base[kind][1]
        base[kind] = (row.due_date, start, row.period_to or row.due_date, False)
    return base


def campaigns_covering(agency: Agency) -> list[Campaign]:
    """Campaigns run by a bureau above `agency` (theirs it reports upward on)."""
    return [c for c in db.session.scalars(select(Campaign).where(Campaign.deleted_at.is_(None))
                                          .order_by(Campaign.starts_on.desc()))
            if agency.path.startswith(owner(c).path) and agency.id != c.agency_id]


def exposure_days(campaign: Campaign, league: Agency) -> dict[date, list[str]]:
    """The days exposure tasks went to the counties of `league` within the campaign, with the
    exposed dealers' names."""
    from ..case_numbers import CHINA

    days: dict[date, list[str]] = {}
    for task in db.session.scalars(select(Task).join(Agency, Agency.id == Task.agency_id).where(
            Task.source_kind == "exposure", Task.deleted_at.is_(None), Agency.path.startswith(league.path))
            .order_by(Task.created_at)):
        day = task.created_at.astimezone(CHINA).date()
        if campaign.starts_on <= day <= campaign.ends_on:
            name = task.party.name if task.party else task.title
            days.setdefault(day, [])
            if name not in days[day]:
                days[day].append(name)
    return days


def obligations_of(agency: Agency, campaign: Campaign | None = None) -> list[Obligation]:
    """Every report `agency` owes its parent, for one campaign or all that cover it."""
    if agency.parent_id is None or agency.level not in ("league", "county"):
        return []
    found = []
    for c in [campaign] if campaign else campaigns_covering(agency):
        if agency.id == c.agency_id or not agency.path.startswith(owner(c).path):
            continue
        for kind, (due, start, end, inherited) in dates_for(c, agency).items():
            found.append(Obligation(c.id, agency.id, agency.parent_id, kind, due, start, end, inherited))
        if agency.level == "league":
            offset = int(current_app.config.get("REPORT_EXPOSURE_DUE_DAYS", 0))
            for day, names in exposure_days(c, agency).items():
                found.append(Obligation(c.id, agency.id, agency.parent_id, "special", day + timedelta(days=offset),
                                        day, day, subject="、".join(names)))
    return found


def submitted_for(ob: Obligation) -> UpwardReport | None:
    """The submitted report answering an obligation (same campaign, bureau, kind and start)."""
    return db.session.scalars(select(UpwardReport).where(
        UpwardReport.campaign_id == ob.campaign_id, UpwardReport.agency_id == ob.agency_id,
        UpwardReport.kind == ob.kind, UpwardReport.status == "submitted",
        UpwardReport.period_from == ob.period_from).order_by(UpwardReport.submitted_at)).first()


@dataclass(frozen=True)
class Standing:
    obligation: Obligation
    agency: Agency
    report: UpwardReport | None
    state: str  # submitted | submitted_late | late | due


def standing(ob: Obligation, agency: Agency | None = None, today: date | None = None) -> Standing:
    today = today or clock.today_cn()
    report = submitted_for(ob)
    agency = agency or db.session.get(Agency, ob.agency_id)
    if report is not None:
        late = clock.cn_date(report.submitted_at) > ob.due_date
        return Standing(ob, agency, report, "submitted_late" if late else "submitted")
    return Standing(ob, agency, None, "late" if today > ob.due_date else "due")


def below(user: User, agency: Agency | None = None) -> list[Agency]:
    """The bureaus whose reports `user` sees: their own and every one under it (a league its
    counties, the region all), or under `agency` when it is in their jurisdiction."""
    root = agency or user.agency
    if not root.path.startswith(user.agency.path):
        raise ApiError("forbidden")
    return list(db.session.scalars(select(Agency).where(Agency.path.startswith(root.path), Agency.deleted_at.is_(None))
                                   .order_by(Agency.path)))


def set_dates(user: User, campaign: Campaign, entries: dict[str, tuple[date, date | None, date | None]]) -> list[str]:
    """The user's bureau sets the dates the bureaus below it owe (a league for its counties).
    Returns warnings ("rest:<date>:周六" for a rest day, "later:<date>:<own due>" for a date after the
    bureau's own, so it could not include its counties' figures); refuses (400, nothing saved) a
    period ending before it starts."""
    if not user.agency.path.startswith(owner(campaign).path):
        raise ApiError("forbidden")
    problems = {}
    for kind, (due, start, end) in entries.items():
        if kind not in SEED_DATES:
            problems[kind] = ["unknown kind"]
        elif start and end and end < start:
            problems[kind] = ["the period ends before it starts"]
    if problems:
        raise ApiError("validation_failed", details=problems)
    warnings = []
    own = dates_for(campaign, user.agency)  # what the user's bureau itself owes, by when
    audit.record("report.dates", "campaign", campaign.id, actor_id=user.id,
                 data={k: {"due": due.isoformat(), "from": start and start.isoformat(), "to": end and end.isoformat()}
                       for k, (due, start, end) in entries.items()})
    for kind, (due, start, end) in entries.items():
        db.session.add(ReportDeadline(campaign_id=campaign.id, set_by_agency_id=user.agency_id, kind=kind,
                                      due_date=due, period_from=start, period_to=end, set_by_id=user.id))
        if not is_working_day(due):
            warnings.append(f"rest:{due.isoformat()}:周{WEEKDAYS_ZH[due.weekday()]}")
        if kind in own and due > own[kind][0]:
            warnings.append(f"later:{due.isoformat()}:{own[kind][0].isoformat()}")
    db.session.commit()
    return warnings
