"""What the register's pages show, gathered before rendering: the list's rows and a filing's page."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ...clock import today_cn
from ...database import db
from ...models import Agency, Filing, FilingTransition, Party, User
from ..scope import agency_subtree, party_scope
from . import attachments, clocks, confidential, leads, rules
from .machine import ACTOR_ROLES, Action, allowed_actions
from .queries import filing_scope


@dataclass
class FilingPage:
    filing: Filing
    person: confidential.PersonView
    deadlines: list[tuple[clocks.Deadline, str]]
    history: list[FilingTransition]
    actions: list[Action]
    linked: list[Filing]
    results: list[leads.InspectionResult]
    refusal_grounds: list[tuple[str, str]] = field(default_factory=list)
    termination_grounds: list[tuple[str, str]] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    handlers: list[User] = field(default_factory=list)
    inspectors: list[User] = field(default_factory=list)
    county: Agency | None = None
    what_to_check: str = ""
    can_create_task: bool = False
    farmer_note: bool = False
    rule_name: str = ""
    # Free text as this user may read it: cleaned of the reporter when the reporter is hidden from them.
    facts: str = ""
    requests: str = ""
    outcome: str = ""
    reasons: dict[int, str] = field(default_factory=dict)
    attachments: list[attachments.AttachmentView] = field(default_factory=list)
    proposed_ground: str | None = None  # the mediation window ran out: 终止调解 on ground (五) (CR-S6)


def filing_page(user: User, filing: Filing) -> FilingPage:
    today = today_cn()
    actions = allowed_actions(user, filing)
    names = {a.name for a in actions}
    linked = [f for f in db.session.scalars(select(Filing).where(
        filing_scope(user), (Filing.linked_filing_id == filing.id) | (Filing.id == filing.linked_filing_id)))]
    page = FilingPage(
        filing=filing, person=confidential.person_for(user, filing),
        deadlines=[(d, d.state(today)) for d in clocks.deadlines(filing)], history=list(filing.transitions),
        actions=actions, linked=linked, results=leads.inspection_results(filing),
        farmer_note=filing.kind == "complaint" and filing.product_category in rules.FARM_INPUT_CATEGORIES,
        rule_name=rules.RULE_NAMES[filing.rule_version],
    )
    shown = (lambda text: confidential.redact(text, filing)) if page.person.hidden else (lambda text: text or "")
    page.facts, page.requests, page.outcome = shown(filing.facts), shown(filing.requests), shown(filing.outcome)
    page.reasons = {s.id: shown(s.reason) for s in filing.transitions}
    page.attachments = attachments.attachments_for(user, filing)
    if any(d.label == "deadline_mediation" and state == "overdue" for d, state in page.deadlines):
        page.proposed_ground = rules.WINDOW_EXPIRED_GROUND
    if filing.kind == "complaint":
        page.refusal_grounds = rules.refusal_grounds(filing.rule_version, filing.product_category)
        page.termination_grounds = rules.termination_grounds(filing.rule_version)
    if names & {"transfer", "dispute", "settle"}:
        page.agencies = list(db.session.scalars(select(Agency).where(Agency.deleted_at.is_(None))
                                                .order_by(Agency.path)))
    if "assign" in names:
        page.handlers = list(db.session.scalars(select(User).where(
            User.active.is_(True), User.role.in_(ACTOR_ROLES),
            User.agency_id.in_(select(Agency.id).where(Agency.code.in_(filing.handling_agency.path.strip("/").split("/")))))
            .order_by(User.display_name)))
    page.can_create_task = (filing.kind in leads.LEAD_KINDS and filing.status in leads.OPEN_FOR_TASKS
                            and user.role in ACTOR_ROLES and filing.handling_agency.path.startswith(user.agency.path))
    if page.can_create_task:
        page.county = leads.jurisdiction_county(filing)
        page.inspectors = list(db.session.scalars(select(User).join(Agency, User.agency_id == Agency.id).where(
            User.active.is_(True), User.role == "inspector", User.deleted_at.is_(None), User.cert_no.is_not(None),
            Agency.path.startswith(page.county.path)).order_by(User.display_name)))
        page.what_to_check = leads.default_what_to_check(filing)
    return page


def intake_choices(user: User) -> dict:
    """The parties and handling bureaus the intake form offers."""
    parties = list(db.session.scalars(select(Party).where(party_scope(user), Party.deleted_at.is_(None))
                                      .order_by(Party.name).limit(500)))
    agencies = list(db.session.scalars(select(Agency).where(Agency.id.in_(agency_subtree(user)),
                                                            Agency.deleted_at.is_(None)).order_by(Agency.path)))
    return {"parties": parties, "agencies": agencies}
