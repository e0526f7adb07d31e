"""Reports upward (上报): produced in one action, edited as a draft, frozen when submitted.

`create_report` makes the draft of the user's bureau for a campaign, a kind (方案 plan, 总结 summary,
专报 special) and a period; its figures are computed live (figures.py) while it is a draft. The
officer types the figures the records cannot give (marked entered), writes the narrative and picks
typical cases from the approved inspections. `submit` freezes all of it as a JSON snapshot with its
SHA-256 (UP-R2): later changes to the records never change a submitted report (UP-A3).

A league's report rolls up its counties': each figure is the league's own records plus the sum of
its counties' submitted figures, naming the counties whose report is missing. A figure without a
source stays None ("—", 数据来源尚未建立) however many reports are summed.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ... import clock
from ...database import db
from ...errors import ApiError
from ...i18n import MESSAGES
from ...models import REPORT_KINDS, Agency, Campaign, Inspection, UpwardReport, User
from .. import audit
from ..documents import new_document_no, new_verify_token
from ..scope import agency_in_scope
from . import figures as F
from .deadlines import dates_for, exposure_days, owner

WRITERS = ("officer", "head", "reviewer", "admin")
NO_SOURCE = "数据来源尚未建立"
NOT_ENTERED = "未填报"
ENTERED_NOTE = "填报"
MAX_ENTERED = 10**12
MAX_TYPICAL_CASES = 5
MAX_TEXT = 20000


def label(key: str) -> str:
    return MESSAGES.get("figure_" + key, {}).get("zh", key)


def kind_title(kind: str) -> str:
    return MESSAGES["report_kind_" + kind]["zh"]


# ---------------------------------------------------------------- reading

def get_report(user: User, report_id: str) -> UpwardReport:
    report = db.session.get(UpwardReport, report_id) if isinstance(report_id, str) and len(report_id) <= 36 else None
    if report is None or not agency_in_scope(user, report.agency):
        raise ApiError("not_found")
    return report


def reports_of(user: User, campaign: Campaign | None = None) -> list[UpwardReport]:
    """The reports of the user's jurisdiction (their bureau's and those below), newest first."""
    where = [UpwardReport.agency_id.in_(select(Agency.id).where(Agency.path.startswith(user.agency.path)))]
    if campaign is not None:
        where.append(UpwardReport.campaign_id == campaign.id)
    return list(db.session.scalars(select(UpwardReport).where(*where).order_by(UpwardReport.created_at.desc())))


def counties_of(agency: Agency) -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.parent_id == agency.id, Agency.deleted_at.is_(None))
                                   .order_by(Agency.code)))


def latest_submitted(campaign_id: int, agency_id: int, kind: str, period_from: date | None = None) -> UpwardReport | None:
    where = [UpwardReport.campaign_id == campaign_id, UpwardReport.agency_id == agency_id,
             UpwardReport.kind == kind, UpwardReport.status == "submitted"]
    if period_from is not None:
        where.append(UpwardReport.period_from == period_from)
    return db.session.scalars(select(UpwardReport).where(*where).order_by(UpwardReport.submitted_at.desc())).first()


# ---------------------------------------------------------------- the figures

@dataclass
class FigureRow:
    key: str
    group: str
    value: int | float | None
    source: str  # records | entered | pending | rollup
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": label(self.key), "group": self.group, "value": self.value,
                "source": self.source, "note": self.note}


@dataclass
class Rollup:
    included: list[tuple[Agency, UpwardReport]]
    missing: list[Agency]


def rollup_of(report: UpwardReport) -> Rollup | None:
    """For a league's report: its counties' submitted reports of the same campaign and kind, and
    the counties with none."""
    if report.agency.level != "league" or report.kind == "special":
        return None
    included, missing = [], []
    for county in counties_of(report.agency):
        found = latest_submitted(report.campaign_id, county.id, report.kind)
        if found is not None:
            included.append((county, found))
        else:
            missing.append(county)
    return Rollup(included, missing)


def figure_rows(report: UpwardReport, rollup: Rollup | None = None) -> list[FigureRow]:
    """The report's figures as they stand now (a draft's; a submitted one reads its snapshot)."""
    keys = F.keys_for(report.kind)
    if not keys:
        return []
    # A league's summary adds its counties' submitted figures to its own records; a 专报 (which the
    # counties do not send) counts the whole league.
    rolls_up = report.agency.level == "league" and report.kind != "special"
    own_ids = F.only(report.agency) if rolls_up else F.subtree(report.agency)
    computed = F.compute(F.FigureScope(own_ids, report.period_from, report.period_to, report.campaign_id),
                         [k for k in keys if F.FIGURES[k].kind != F.ENTERED])
    county_values: list[dict[str, Any]] = []
    if rollup is not None:
        for _county, sub in rollup.included:
            county_values.append({row["key"]: row for row in (sub.snapshot or {}).get("figures", [])})
    rows = []
    for key in keys:
        d = F.FIGURES[key]
        if d.kind == F.PENDING:
            rows.append(FigureRow(key, d.group, None, F.PENDING, NO_SOURCE))
            continue
        if d.kind == F.ENTERED:
            value = report.entered.get(key)
            source, note = (F.ENTERED, ENTERED_NOTE) if value is not None else (F.ENTERED, NOT_ENTERED)
        else:
            value, source, note = computed.get(key), F.COMPUTED, None
        if county_values:
            parts = [c[key]["value"] for c in county_values if key in c and c[key]["value"] is not None]
            if parts:
                value = (value or 0) + sum(parts)
                source = "rollup"
                note = (note + "；" if note and value is not None and note != NOT_ENTERED else "") + "含各旗县上报数"
        rows.append(FigureRow(key, d.group, value, source, note))
    return rows


# ---------------------------------------------------------------- writing

def _parse_day(raw: Any, field: str, problems: dict) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or ""))
    except ValueError:
        problems[field] = ["a date such as 2026-03-25"]
        return None


def ensure_writer(user: User) -> None:
    if user.role not in WRITERS or user.agency.level not in ("league", "county"):
        raise ApiError("forbidden", "Only a league's or a county's officers report upward.")


def create_report(user: User, *, campaign_id: Any, kind: Any, period_from: Any, period_to: Any) -> UpwardReport:
    """One action: the draft report of the user's bureau with every figure computed. An open draft
    for the same campaign, kind and period is returned instead of a second one."""
    ensure_writer(user)
    problems: dict[str, list[str]] = {}
    campaign = db.session.get(Campaign, int(campaign_id)) if str(campaign_id or "").isdigit() \
        and int(campaign_id) < 2**31 else None
    if campaign is None or campaign.deleted_at is not None or not user.agency.path.startswith(owner(campaign).path):
        problems["campaign"] = ["no such campaign over your bureau"]
    if kind not in REPORT_KINDS:
        problems["kind"] = ["plan, summary or special"]
    start = _parse_day(period_from, "periodFrom", problems)
    end = _parse_day(period_to, "periodTo", problems)
    if start and end and end < start:
        problems["periodTo"] = ["the period ends before it starts"]
    if problems:
        raise ApiError("validation_failed", details=problems)
    draft = db.session.scalars(select(UpwardReport).where(
        UpwardReport.campaign_id == campaign.id, UpwardReport.agency_id == user.agency_id, UpwardReport.kind == kind,
        UpwardReport.period_from == start, UpwardReport.period_to == end, UpwardReport.status == "draft")).first()
    if draft is not None:
        return draft
    due = None
    if kind == "special":
        sections = {"exposed": "、".join(exposure_days(campaign, user.agency).get(start, [])) if
                    user.agency.level == "league" else "", "actions": "", "results": ""}
        due = start + timedelta(days=int(current_app.config.get("REPORT_EXPOSURE_DUE_DAYS", 0)))
    else:
        sections = {}
        dates = dates_for(campaign, user.agency).get(kind)
        due = dates[0] if dates else None
    report = UpwardReport(id=str(uuid.uuid4()), campaign_id=campaign.id, agency_id=user.agency_id, kind=kind,
                          period_from=start, period_to=end, due_date=due, status="draft", narrative="", entered={},
                          typical_case_ids=[], sections=sections, created_by_id=user.id)
    db.session.add(report)
    audit.record("report.create", "upward_report", report.id, actor_id=user.id,
                 data={"kind": kind, "periodFrom": start.isoformat(), "periodTo": end.isoformat()})
    db.session.commit()
    return report


def typical_case_choices(report: UpwardReport, limit: int = 100) -> list[Inspection]:
    """Approved inspections of the bureau (and those below) in the report's period and campaign."""
    scope = F.FigureScope(F.subtree(report.agency), report.period_from, report.period_to, report.campaign_id)
    return list(db.session.scalars(select(Inspection).where(*F.inspection_conditions(scope),
                                                            Inspection.status == "approved")
                                   .order_by(Inspection.created_at.desc()).limit(limit)))


def _apply(report: UpwardReport, form: dict[str, Any]) -> None:
    """Narrative, typed figures and typical cases from the form; 400 and nothing changed on bad input."""
    problems: dict[str, list[str]] = {}
    entered: dict[str, int] = {}
    for key, d in F.FIGURES.items():
        if d.kind != F.ENTERED or key not in F.keys_for(report.kind):
            continue
        raw = str(form.get("entered:" + key, "") or "").strip()
        if raw == "":
            continue
        try:
            value = int(raw)
        except ValueError:
            problems["entered:" + key] = ["a whole number"]
            continue
        if value < 0 or value > MAX_ENTERED:
            problems["entered:" + key] = ["not negative"]
            continue
        entered[key] = value
    narrative = str(form.get("narrative", "") or "")
    if len(narrative) > MAX_TEXT:
        problems["narrative"] = ["too long"]
    chosen = [c for c in form.get("typical_cases", []) if c]
    allowed = {i.id for i in typical_case_choices(report)}
    if any(c not in allowed for c in chosen):
        problems["typical_cases"] = ["choose approved inspections of the period"]
    if len(chosen) > MAX_TYPICAL_CASES:
        problems["typical_cases"] = [f"at most {MAX_TYPICAL_CASES}"]
    sections = dict(report.sections or {})
    if report.kind == "special":
        for name in ("exposed", "actions", "results"):
            if ("section:" + name) in form:
                text = str(form.get("section:" + name) or "")
                if len(text) > MAX_TEXT:
                    problems["section:" + name] = ["too long"]
                sections[name] = text
    if problems:
        raise ApiError("validation_failed", details=problems)
    report.narrative, report.entered, report.typical_case_ids, report.sections = narrative, entered, chosen, sections


def _locked(report_id: str) -> UpwardReport:
    return db.session.scalars(select(UpwardReport).where(UpwardReport.id == report_id).with_for_update()).one()


def save_draft(user: User, report: UpwardReport, form: dict[str, Any]) -> UpwardReport:
    ensure_writer(user)
    if report.agency_id != user.agency_id:
        raise ApiError("forbidden", "A bureau edits only its own reports.")
    report = _locked(report.id)
    if report.status != "draft":
        raise ApiError("report_submitted")
    try:
        _apply(report, form)
    except ApiError:
        db.session.rollback()
        raise
    db.session.commit()
    return report


def canonical(snapshot: dict[str, Any]) -> bytes:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def build_snapshot(report: UpwardReport, by: User, report_no: str) -> dict[str, Any]:
    rollup = rollup_of(report)
    cases = []
    for case_id in report.typical_case_ids:
        case = db.session.get(Inspection, case_id)
        if case is None:
            continue
        cases.append({"id": case.id, "caseNumber": case.case_number, "party": case.party.name,
                      "date": clock.cn_date(case.started_at_device or case.created_at).isoformat(),
                      "agency": case.agency.short_name, "summary": (case.narrative or "")[:500]})
    recipient = report.agency.parent
    return {
        "reportNo": report_no, "kind": report.kind, "title": kind_title(report.kind),
        "campaign": {"id": report.campaign_id, "name": report.campaign.name},
        "agency": {"code": report.agency.code, "name": report.agency.name, "level": report.agency.level},
        "recipient": recipient.name if recipient else None,
        "periodFrom": report.period_from.isoformat(), "periodTo": report.period_to.isoformat(),
        "dueDate": report.due_date.isoformat() if report.due_date else None,
        "submittedAt": clock.now().replace(microsecond=0).isoformat(),
        "submittedBy": by.display_name,
        "figures": [row.as_dict() for row in figure_rows(report, rollup)],
        "narrative": report.narrative, "sections": report.sections or {}, "typicalCases": cases,
        "counties": [{"code": c.code, "name": c.short_name, "reportNo": r.report_no, "sha256": r.snapshot_sha256,
                      "periodFrom": r.period_from.isoformat(), "periodTo": r.period_to.isoformat(),
                      "submittedAt": (r.snapshot or {}).get("submittedAt")} for c, r in rollup.included]
        if rollup else [],
        "missing": [c.short_name for c in rollup.missing] if rollup else [],
    }


def submit(user: User, report: UpwardReport, form: dict[str, Any] | None = None) -> UpwardReport:
    """Freeze the report (what the form last said, then the figures as they stand) with its hash.
    409 when it, or another report of the same obligation, was submitted already."""
    ensure_writer(user)
    if report.agency_id != user.agency_id:
        raise ApiError("forbidden", "A bureau submits only its own reports.")
    # One submission per bureau at a time: a second draft of the same period waits here, then sees
    # the first one submitted.
    db.session.execute(select(Agency.id).where(Agency.id == report.agency_id).with_for_update())
    report = _locked(report.id)
    try:
        if report.status != "draft":
            raise ApiError("report_submitted")
        if latest_submitted(report.campaign_id, report.agency_id, report.kind, report.period_from) is not None:
            raise ApiError("report_submitted", "A report for this period was submitted already.")
        if form is not None:
            _apply(report, form)
        now = clock.now()
        report_no = new_document_no(report.agency.code, now)
        snapshot = build_snapshot(report, user, report_no)
        report.snapshot, report.snapshot_sha256 = snapshot, snapshot_hash(snapshot)
        report.report_no, report.verify_token = report_no, new_verify_token()
        report.status, report.submitted_at, report.submitted_by_id = "submitted", now, user.id
        audit.record("report.submit", "upward_report", report.id, actor_id=user.id,
                     data={"sha256": report.snapshot_sha256, "reportNo": report_no, "kind": report.kind})
    except ApiError:
        db.session.rollback()
        raise
    db.session.commit()
    return report


def by_token(token: str) -> UpwardReport | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(select(UpwardReport).where(UpwardReport.verify_token == token,
                                                         UpwardReport.status == "submitted")).first()
