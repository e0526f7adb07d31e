"""The status machines of the register (next-capabilities.md §1.4 complaints, §1.5 reports).

Every step is a `FilingTransition`: who, when (China calendar day), why, the ground chosen and
the notice sent. A step not allowed from the filing's status is refused (409) and changes
nothing; the steps the rules give to a 负责人 (不予受理, 立案 / 不予立案, extension, transfer,
settling a dispute) are refused to anyone else. After each step the open deadline is recomputed.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ...clock import cn_date, now
from ...database import db
from ...errors import ApiError
from ...models import Agency, Filing, FilingPause, FilingPerson, FilingTransition, User
from .. import audit
from ..scope import agency_in_scope
from . import clocks, rules
from .register import FIRST_STATUS, _reg_no

ACTOR_ROLES = ("officer", "head")
ACTIVE = ("received", "id_requested", "accepted", "mediating", "testing_paused", "recusal_paused", "verifying",
          "jurisdiction_disputed", "mediated", "mediation_terminated", "case_opened", "not_opened", "rejected",
          "redirected")


@dataclass(frozen=True)
class Action:
    name: str
    kind: str
    from_statuses: tuple[str, ...]
    to_status: str | None = None  # None: the status stays
    head_only: bool = False
    needs_reason: bool = False
    notice_kind: str | None = None  # the notice this step sends (printed as a PDF)
    notice_required: bool = False  # the notice must go out with the decision (its method recorded)


_MEDIATION = ("accepted", "mediating", "testing_paused", "recusal_paused")
ACTIONS: dict[tuple[str, str], Action] = {(a.kind, a.name): a for a in (
    # 投诉 (§1.4)
    Action("request_id", "complaint", ("received",), "id_requested", needs_reason=True, notice_kind="id_request",
           notice_required=True),
    Action("id_provided", "complaint", ("id_requested",), "received"),
    Action("accept", "complaint", ("received",), "accepted", notice_kind="accept", notice_required=True),
    Action("reject", "complaint", ("received", "id_requested"), "rejected", head_only=True, needs_reason=True,
           notice_kind="reject", notice_required=True),
    Action("start_mediation", "complaint", ("accepted",), "mediating"),
    Action("pause_testing", "complaint", ("mediating",), "testing_paused", needs_reason=True),
    Action("recusal", "complaint", ("mediating",), "recusal_paused", needs_reason=True),
    Action("resume", "complaint", ("testing_paused", "recusal_paused"), "mediating"),
    Action("mediated", "complaint", ("mediating",), "mediated", needs_reason=True),
    Action("terminate", "complaint", _MEDIATION, "mediation_terminated", needs_reason=True, notice_kind="terminate"),
    Action("notify", "complaint", ("mediation_terminated",), notice_kind="terminate", notice_required=True),
    Action("report_violation", "complaint", _MEDIATION, needs_reason=True),
    Action("close", "complaint", ("mediated", "mediation_terminated", "rejected"), "closed"),
    Action("transfer", "complaint", ("received",), head_only=True, needs_reason=True),
    Action("dispute", "complaint", ("received",), "jurisdiction_disputed", needs_reason=True),
    Action("settle", "complaint", ("jurisdiction_disputed",), "received", head_only=True),
    # 举报 (§1.5)
    Action("extend", "report", ("verifying", "testing_paused"), head_only=True, needs_reason=True),
    Action("pause_testing", "report", ("verifying",), "testing_paused", needs_reason=True),
    Action("resume", "report", ("testing_paused",), "verifying"),
    Action("open_case", "report", ("verifying",), "case_opened", head_only=True, notice_kind="open_case"),
    Action("not_open", "report", ("verifying",), "not_opened", head_only=True, needs_reason=True,
           notice_kind="not_open"),
    Action("notify", "report", ("case_opened", "not_opened"), notice_kind="decision", notice_required=True),
    Action("redirect", "report", ("verifying",), "redirected", needs_reason=True),
    Action("transfer", "report", ("verifying",), head_only=True, needs_reason=True),
    Action("dispute", "report", ("verifying",), "jurisdiction_disputed", needs_reason=True),
    Action("settle", "report", ("jurisdiction_disputed",), "verifying", head_only=True),
    Action("close", "report", ("case_opened", "not_opened", "redirected"), "closed", notice_kind="result"),
    # 咨询
    Action("answer", "inquiry", ("received",), "answered", needs_reason=True),
    # any kind
    *(Action("assign", kind, ACTIVE) for kind in ("complaint", "report", "inquiry")),
)}


def _invalid(field: str, message: str) -> ApiError:
    return ApiError("validation_failed", message, details={field: [message]})


def _person(filing: Filing) -> FilingPerson | None:
    return db.session.get(FilingPerson, filing.id)


def _real_name(filing: Filing) -> bool:
    person = _person(filing)
    return person is not None and not person.anonymous and bool(person.name)


def may_act(user: User, filing: Filing, action: Action) -> bool:
    if not user.active or user.role not in ACTOR_ROLES or not agency_in_scope(user, filing.handling_agency):
        return False
    return user.role == "head" or not action.head_only


def _available(filing: Filing, action: Action) -> bool:
    """Whether the rules allow this step now (status aside from who asks)."""
    if filing.status not in action.from_statuses:
        return False
    if action.name == "request_id":
        return filing.rule_version == "V121"
    if action.name == "notify":
        return not filing.decision_notified and (filing.kind != "report" or _real_name(filing))
    if action.name == "extend":
        return not filing.extension_approved
    return True


def allowed_actions(user: User, filing: Filing) -> list[Action]:
    """The steps this user may take on the filing now (the buttons of its page)."""
    return [a for (kind, _), a in ACTIONS.items()
            if kind == filing.kind and _available(filing, a) and may_act(user, filing, a)]


def _agency(code: str | None, field: str = "agencyCode") -> Agency:
    agency = db.session.scalars(select(Agency).where(Agency.code == (code or ""), Agency.deleted_at.is_(None))).first()
    if agency is None:
        raise _invalid(field, "choose a bureau")
    return agency


def transition(filing: Filing, action: str, by: User, reason: str | None = None, *, ground: str | None = None,
               notice_method: str | None = None, agency_code: str | None = None, told_to: str | None = None,
               both_consent: bool = False, handler_id: int | None = None) -> FilingTransition:
    """Take one step on the filing and commit; refuse (and change nothing) when it is not allowed."""
    # Two officers pressing 受理 at once: the second waits here and then sees the first one's status.
    db.session.execute(select(Filing.id).where(Filing.id == filing.id).with_for_update())
    db.session.refresh(filing)
    step = ACTIONS.get((filing.kind, action))
    if step is None:
        raise _invalid("action", f"no step {action!r} for a {filing.kind}")
    if not may_act(by, filing, step):
        raise ApiError("forbidden", "负责人 approval is needed for this step." if step.head_only
                       else "You may not take steps on this filing.")
    if not _available(filing, step):
        raise ApiError("transition_not_allowed", details={"status": filing.status, "action": action})
    reason = (reason or "").strip() or None
    if action == "close" and not reason:
        # The outcome defaults to what the inspection done for the filing found (issue 13 item 4).
        from .leads import findings_text

        reason = findings_text(filing) or None
        if reason is None and filing.kind == "report":
            raise _invalid("reason", "say what came of the report")
    if step.needs_reason and not reason:
        raise _invalid("reason", "say why (or what was agreed / answered)")
    today, at = cn_date(now()), now()
    needs_notice = step.notice_required and (filing.kind != "report" or _real_name(filing))
    if needs_notice and not notice_method:
        raise _invalid("noticeMethod", "say how the notice was sent")
    data: dict[str, Any] = {}
    from_status = filing.status
    to_status = step.to_status or filing.status

    if action == "reject":
        choices = dict(rules.refusal_grounds(filing.rule_version, filing.product_category))
        if ground not in choices:
            raise _invalid("ground", "choose one ground of " + rules.REFUSAL_ARTICLE[filing.rule_version])
    elif action == "terminate":
        if ground not in dict(rules.termination_grounds(filing.rule_version)):
            raise _invalid("ground", "choose one ground of " + rules.TERMINATION_ARTICLE[filing.rule_version])
    else:
        ground = None
    if action == "start_mediation" and not both_consent:
        raise _invalid("bothConsent", "mediation needs the consent of both parties")
    if action in ("transfer", "dispute", "settle"):
        target = _agency(agency_code)
        if action in ("transfer", "dispute") and target.id == filing.handling_agency_id:
            raise _invalid("agencyCode", "is the bureau already handling it; choose another bureau")
        data.update({"from": filing.handling_agency.code, "to": target.code, "toName": target.name})
        if action == "transfer" and _real_name(filing) and not notice_method:
            raise _invalid("noticeMethod", "say how the person was told where the matter went")
    if action == "redirect":
        if not (told_to or "").strip():
            raise _invalid("toldTo", "name the authority the reporter was told to go to")
        if _real_name(filing) and not notice_method:
            raise _invalid("noticeMethod", "say how the reporter was told")
        data["toldTo"] = told_to.strip()
    if action == "assign":
        handler = db.session.get(User, handler_id) if handler_id else None
        if (handler is None or not handler.active or handler.role not in ACTOR_ROLES
                or not agency_in_scope(handler, filing.handling_agency)):
            raise _invalid("handlerID", "choose an officer of the handling bureau")
        data["handler"] = handler.id
    if action == "close" and filing.kind == "report" and filing.status == "case_opened" \
            and _real_name(filing) and not filing.decision_notified:
        raise ApiError("transition_not_allowed", "Tell the reporter of the 立案 decision before closing.",
                       details={"status": filing.status, "action": action})
    if action == "close" and filing.status == "mediation_terminated" and not filing.decision_notified:
        raise ApiError("transition_not_allowed", "Send the 终止调解 notice before closing.",
                       details={"status": filing.status, "action": action})

    # The step is valid: apply it.
    if action == "accept":
        filing.accepted_on = today
    elif action in ("terminate", "open_case", "not_open"):
        filing.decided_on = today
        filing.decision_notified = bool(notice_method)
    elif action == "notify":
        filing.decision_notified = True
    elif action == "extend":
        filing.extension_approved = True
    elif action in ("pause_testing", "recusal"):
        filing.pauses.append(FilingPause(kind="testing" if action == "pause_testing" else "recusal",
                                         paused_from=today))
    elif action == "resume":
        for pause in filing.pauses:
            if pause.resumed_on is None:
                pause.resumed_on = max(today, pause.paused_from)
    elif action == "assign":
        filing.handler_id = handler_id
    elif action in ("transfer", "settle"):
        target = _agency(agency_code)
        if target.id != filing.handling_agency_id:
            # The clock starts again on the day the bureau with authority receives it (CR-C2).
            filing.handling_agency = target
            filing.handling_agency_id = target.id
            filing.clock_start_on = today
            filing.rule_version = rules.rule_version_for(today)
            filing.handler_id = None
            filing.extension_approved = False
        to_status = FIRST_STATUS[filing.kind]
    elif action == "close":
        filing.outcome = reason
    elif action == "answer":
        filing.outcome = reason
    elif action == "report_violation":
        data["report"] = _open_clue_report(filing, by, reason or "").id

    filing.status = to_status
    # The decision steps carry their notice (printable at once); `notify` records that it went out.
    notice_kind = step.notice_kind if action != "notify" else None
    record = FilingTransition(filing=filing, action=action, from_status=from_status, to_status=to_status, at=at,
                              on_date=today, by=by, reason=reason, ground=ground, notice_kind=notice_kind,
                              notice_method=notice_method, data=data)
    db.session.add(record)
    db.session.flush()
    if notice_kind:
        record.notice_no = f"{filing.reg_no}-{record.id}"
    clocks.refresh_due(filing)
    audit.record("filing." + action, "filing", filing.id, actor_id=by.id, reason=reason,
                 data={"from": from_status, "to": to_status, "ground": ground, "noticeMethod": notice_method,
                       **{k: v for k, v in data.items() if k != "handler"}})
    db.session.commit()
    return record


def _open_clue_report(complaint: Filing, by: User, clue: str) -> Filing:
    """CR-S10: a violation clue found in mediation becomes a linked report, checked within 15 WD."""
    today = cn_date(now())
    report = Filing(
        id=str(uuid.uuid4()), kind="report", channel="inspection_found", received_at=now(), clock_start_on=today,
        rule_version=rules.rule_version_for(today), received_by_agency_id=complaint.handling_agency_id,
        handling_agency_id=complaint.handling_agency_id, handler_id=by.id, status="verifying",
        party_id=complaint.party_id, respondent_name=complaint.respondent_name,
        respondent_address=complaint.respondent_address, respondent_contact=complaint.respondent_contact,
        respondent_credit_code=complaint.respondent_credit_code, product_category=complaint.product_category,
        facts=clue, created_by=by, linked_filing_id=complaint.id,
        reg_no=_reg_no(complaint.handling_agency, "report", today.year),
    )
    db.session.add(report)
    db.session.flush()
    db.session.add(FilingPerson(filing_id=report.id, anonymous=True))
    db.session.add(FilingTransition(filing=report, action="register", to_status="verifying", at=now(),
                                    on_date=today, by=by, reason=clue, data={"from_complaint": complaint.id}))
    db.session.flush()
    clocks.refresh_due(report)
    return report
