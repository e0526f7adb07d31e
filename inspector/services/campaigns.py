"""Which campaign (专项行动) an inspection belongs to.

The campaign that covers the inspection's agency (its own, or one above it) on the inspection's
date: the calendar day in China (Asia/Shanghai) on which it started on site, else the day it was
created. Where several cover it, the most specific agency's wins (county, then league, then the
region), then the one that started latest. Every path that creates an inspection asks here, so a
case recorded on a phone is counted in the campaign statistics like any other.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from ..database import db, utcnow
from ..models import Agency, Campaign, Inspection
from .case_numbers import CHINA


def inspection_day(started_at: datetime | None, created_at: datetime | None = None) -> date:
    """The inspection's date: the China calendar day it started on site, else the day it was made."""
    moment = started_at or created_at or utcnow()
    return moment.astimezone(CHINA).date()


def covering_campaign_id(agency: Agency, day: date) -> int | None:
    """The campaign of `agency` or an agency above it running on `day`, the most specific first."""
    owner = Agency.__table__.alias("owner")
    return db.session.scalar(
        select(Campaign.id).join(owner, owner.c.id == Campaign.agency_id)
        .where(Campaign.deleted_at.is_(None), Campaign.starts_on <= day, Campaign.ends_on >= day,
               func.substr(agency.path, 1, func.length(owner.c.path)) == owner.c.path)
        # Paths grow one segment per level down, so the longest owner path is the most specific agency.
        .order_by(func.length(owner.c.path).desc(), Campaign.starts_on.desc(), Campaign.id.desc())
        .limit(1))


def campaign_for(inspection: Inspection) -> int | None:
    """The campaign the rule gives this inspection (its agency and date as they are now)."""
    agency = inspection.agency or db.session.get(Agency, inspection.agency_id)
    return covering_campaign_id(agency, inspection_day(inspection.started_at_device, inspection.created_at))


def follow_inspection_date(inspection: Inspection, started_before: datetime | None) -> None:
    """After the start time was corrected: a case the rule placed moves to the campaign of its new
    date; one whose campaign was chosen explicitly (campaignID on creation) keeps it."""
    if started_before == inspection.started_at_device:
        return
    agency = inspection.agency or db.session.get(Agency, inspection.agency_id)
    placed_by_rule = covering_campaign_id(agency, inspection_day(started_before, inspection.created_at))
    if inspection.campaign_id == placed_by_rule:
        inspection.campaign_id = campaign_for(inspection)
