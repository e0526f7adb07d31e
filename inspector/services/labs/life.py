"""A sample's lab life, step by step (next-capabilities.md §3.5, SMP-R4…R8).

Every step checks the sample's current status against `STEPS`, changes the rows it owns, writes
a `LabStep` (who, when, from what to what) and touches the `SampleLab` so phones pull the change.
A step that does not fit (a result for a sample never sent, a 复检 application after its window,
a 不合格 report whose items all conform) raises before anything is written; the route rolls back.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ... import clock
from ...database import db, utcnow
from ...errors import ApiError
from ...models import Inspection, LabReport, LabResultItem, LabRetest, LabStep, LabSubmission, Sample, SampleLab, User
from ...schemas.labs import parse_number
from ..calendar.deadlines import natural_days_after
from ..scope import inspection_scope
from .reference import BY_CODE, conclusion_of, judge

LAB_ROLES = ("officer", "head", "reviewer", "admin")
RETEST_DAYS = 15  # 产品质量法 第十五条: 自收到检验结果之日起十五日内 (natural days, on the party)
FINAL = {"pass": "final_pass", "fail": "final_fail", "not_judged": "final_pass"}  # 不判定 proves no failure

# action -> statuses it may start from (the status it leads to is decided by the step)
STEPS: dict[str, tuple[str, ...]] = {
    "ship": ("sampled",),
    "receive": ("shipped", "retesting"),
    "result": ("shipped", "at_lab", "retesting"),
    "notify": ("reported",),
    "deliver": ("notified",),
    "apply_retest": ("objection_window",),
    "accept_retest": ("retest_applied",),
    "refuse_retest": ("retest_applied",),
    "retest_ship": ("retest_accepted",),
    "waive": ("objection_window",),
    "finalize": ("objection_window", "retest_refused"),
    "release_backup": ("final_pass",),
}
WHY_NOT = {
    "result": "This sample was never sent to a lab (or its result is in already): record its dispatch first.",
    "receive": "The lab can only receive a sample that was sent.",
    "apply_retest": "A 复检 can be applied for only while the window after the notice's delivery is open.",
}


def lab_sample(user: User, sample_id: str) -> tuple[Sample, SampleLab | None]:
    """A sample of a case the user may see and work on, with its lab life (None: just sealed); 404 otherwise."""
    if user.role not in LAB_ROLES or not user.active:
        raise ApiError("forbidden", "Lab results are entered by the bureau's officers and reviewers.")
    sample = db.session.scalars(select(Sample).join(Inspection, Inspection.id == Sample.inspection_id).where(
        Sample.id == sample_id, Sample.deleted_at.is_(None), Inspection.deleted_at.is_(None),
        inspection_scope(user))).first()
    if sample is None:
        raise ApiError("not_found", "No such sample in your jurisdiction.")
    return sample, db.session.get(SampleLab, sample.id)


def samples_in_scope(user: User) -> list[tuple[Sample, SampleLab | None]]:
    """Every sample of the user's jurisdiction with its lab life, newest first."""
    if user.role not in LAB_ROLES or not user.active:
        raise ApiError("forbidden", "Lab results are entered by the bureau's officers and reviewers.")
    rows = db.session.execute(select(Sample, SampleLab).join(Inspection, Inspection.id == Sample.inspection_id)
                              .outerjoin(SampleLab, SampleLab.id == Sample.id)
                              .where(Sample.deleted_at.is_(None), Inspection.deleted_at.is_(None),
                                     inspection_scope(user)).order_by(Sample.created_at.desc()))
    return [(s, lab) for s, lab in rows]


def status_of(lab: SampleLab | None) -> str:
    return lab.status if lab is not None else "sampled"


def _not_future(day: date, field: str) -> None:
    if day > clock.today_cn():
        raise ApiError("validation_failed", details={field: ["不能晚于今天 / cannot be in the future"]})


def _not_before(day: date, earlier: date | None, field: str, what: str) -> None:
    if earlier is not None and day < earlier:
        raise ApiError("validation_failed", details={field: [f"不能早于{what} ({earlier.isoformat()})"]})


def _move(user: User, sample: Sample, lab: SampleLab | None, action: str, to: str, on_date: date,
          note: str | None = None) -> SampleLab:
    current = status_of(lab)
    if current not in STEPS[action]:
        raise ApiError("transition_not_allowed", WHY_NOT.get(action, f"A sample that is {current} cannot {action}."),
                       details={"status": current, "action": action})
    if lab is None:
        lab = SampleLab(id=sample.id, inspection_id=sample.inspection_id, status=current)
        db.session.add(lab)
    lab.steps.append(LabStep(action=action, from_status=current, to_status=to, on_date=on_date, note=note,
                             by_id=user.id, at=clock.now()))
    lab.status = to
    lab.updated_at = utcnow()  # stamps a new version: the inspectors' phones pull the change
    return lab


def _latest(lab: SampleLab, purpose: str) -> LabSubmission | None:
    found = [s for s in lab.submissions if s.purpose == purpose]
    return found[-1] if found else None


def current_report(lab: SampleLab | None, check_type: str = "supervisory") -> LabReport | None:
    if lab is None:
        return None
    found = [r for r in lab.reports if r.check_type == check_type]
    return found[-1] if found else None


def open_retest(lab: SampleLab) -> LabRetest | None:
    return lab.retests[-1] if lab.retests else None


def step(user: User, sample_id: str, action: str, data: dict[str, Any], *, source: str = "console") -> SampleLab:
    """Carry out one step of the sample's lab life with the loaded form data; commits."""
    if action not in STEPS:
        raise ApiError("bad_request", f"Unknown step {action!r}.")
    sample, lab = lab_sample(user, sample_id)
    lab = _STEP_FUNCTIONS[action](user, sample, lab, data, source)
    db.session.flush()
    if lab.status == "final_fail":  # SMP-R9: the proposed order and the 立案 clue, once per sample
        from .failures import on_final_fail

        on_final_fail(user, sample, lab)
    from ..case_clocks import refresh_inspection
    from ..complaints.clocks import refresh_inspection_filings

    refresh_inspection(lab.inspection_id)  # lab time pauses the case clocks (SMP-R7)
    refresh_inspection_filings(lab.inspection_id)
    db.session.commit()
    return lab


def _ship(user, sample, lab, data, _source, *, purpose="test", action="ship", to="shipped"):
    _not_future(data["shipped_on"], "shippedOn")
    lab = _move(user, sample, lab, action, to, data["shipped_on"])
    lab.submissions.append(LabSubmission(
        id=str(uuid.uuid4()), purpose=purpose, lab_name=data["lab_name"], lab_cma_no=data.get("lab_cma_no"),
        carrier=data.get("carrier"), shipped_on=data["shipped_on"], backup_seal_intact=data.get("backup_seal_intact"),
        created_by_id=user.id))
    return lab


def _receive(user, sample, lab, data, _source):
    day = data["received_on"]
    _not_future(day, "receivedOn")
    submission = _latest(lab, "retest" if status_of(lab) == "retesting" else "test") if lab else None
    if submission is not None:
        _not_before(day, submission.shipped_on, "receivedOn", "送检日期")
    lab = _move(user, sample, lab, "receive", "at_lab" if status_of(lab) == "shipped" else "retesting", day)
    submission.received_on = day
    return lab


def prefilled(row: dict[str, Any]) -> dict[str, Any]:
    """The row with what it left empty taken from its §3.3 reference row (an unknown code is an error)."""
    code = row.get("reference_code")
    if not code:
        return row
    ref = BY_CODE.get(code)
    if ref is None:
        raise ApiError("validation_failed", details={"referenceCode": [f"没有这个参考行 / no reference row {code}"]})
    defaults = {"item": ref.item, "method_standard": ref.standard, "requirement_text": ref.requirement_text,
                "limit_low": ref.limit_low, "limit_high": ref.limit_high, "unit": ref.unit,
                "allowed_negative_deviation": ref.allowed_negative_deviation}
    filled = {**row, **{k: v for k, v in defaults.items() if row.get(k) is None and v}}
    filled["is_mandatory"] = bool(row.get("is_mandatory")) or ref.is_mandatory
    return filled


def build_items(rows: list[dict[str, Any]]) -> list[LabResultItem]:
    """Result rows with their verdicts; a measured value that is not a number is a field error."""
    items, errors = [], {}
    for position, row in enumerate(rows, start=1):
        row = prefilled(row)
        if not row.get("item"):
            errors[f"items.{position - 1}.item"] = ["请填写检验项目或选择参考行 / name the item or pick a reference row"]
            continue
        try:
            measured = parse_number(row["measured"])
        except ValueError:
            errors[f"items.{position - 1}.measured"] = [f"不是数字 / not a number: {row['measured']}"]
            continue
        numbers = {k: Decimal(row[k]) if row.get(k) is not None else None
                   for k in ("limit_low", "limit_high", "declared_value", "allowed_negative_deviation")}
        verdict = judge(measured, limit_low=numbers["limit_low"], limit_high=numbers["limit_high"],
                        declared=numbers["declared_value"],
                        allowed_negative_deviation=numbers["allowed_negative_deviation"])
        items.append(LabResultItem(
            position=position, item=row["item"], method_standard=row.get("method_standard"),
            requirement_text=row.get("requirement_text"), limit_low=row.get("limit_low"),
            limit_high=row.get("limit_high"), unit=row.get("unit"), declared_value=row.get("declared_value"),
            allowed_negative_deviation=row.get("allowed_negative_deviation"), measured_value=format(measured, "f"),
            measured_raw=row["measured"].strip(), verdict=verdict, is_mandatory=bool(row.get("is_mandatory")),
            reference_code=row.get("reference_code")))
    if errors:
        raise ApiError("validation_failed", details=errors)
    return items


def checked_conclusion(items: list[LabResultItem], stated: str | None) -> str:
    """The report's conclusion; a stated one must agree with the items (SMP-R8, SMP-A3)."""
    verdicts = [i.verdict for i in items]
    computed = conclusion_of(verdicts)
    if stated is None or stated == computed:
        return computed
    if stated == "fail":
        message = "不合格的报告至少要有一项不符合 / a 不合格 report needs at least one failing item"
    else:
        message = "有不符合项的报告不能判为合格 / a report with a failing item is 不合格"
    raise ApiError("validation_failed", details={"conclusion": [message]})


def _result(user, sample, lab, data, source):
    retest = status_of(lab) == "retesting"
    _not_future(data["arrived_on"], "arrivedOn")
    if lab is not None and status_of(lab) in STEPS["result"]:
        submission = _latest(lab, "retest" if retest else "test")
        _not_before(data["arrived_on"], submission.shipped_on if submission else None, "arrivedOn", "送检日期")
    items = build_items(data["items"])
    conclusion = checked_conclusion(items, data.get("conclusion"))
    to = FINAL[conclusion] if retest else "reported"
    lab = _move(user, sample, lab, "result", to, data["arrived_on"])
    report = LabReport(id=str(uuid.uuid4()), check_type="retest" if retest else "supervisory",
                       report_no=data["report_no"], lab_name=data["lab_name"], issued_on=data.get("issued_on"),
                       arrived_on=data["arrived_on"], conclusion=conclusion, summary=data.get("summary"),
                       source=source, entered_by_id=user.id, entered_at=clock.now(), items=items)
    lab.reports.append(report)
    if retest:
        db.session.flush()
        open_retest(lab).retest_report_id = report.id
    return lab


def _notify(user, sample, lab, data, _source):
    report = current_report(lab)
    _not_future(data["notified_on"], "notifiedOn")
    _not_before(data["notified_on"], report.arrived_on if report else None, "notifiedOn", "报告收到日期")
    lab = _move(user, sample, lab, "notify", "notified", data["notified_on"])
    report.notified_on = data["notified_on"]
    report.notice_no = f"检告-{report.report_no}"
    return lab


def retest_due(delivered_on: date):
    """15 natural days from the party's receipt, moved off a rest day (SMP-R6, CAL-5)."""
    return natural_days_after(delivered_on, RETEST_DAYS)


def _deliver(user, sample, lab, data, _source):
    report = current_report(lab)
    day = data["delivered_on"]
    _not_future(day, "deliveredOn")
    _not_before(day, report.notified_on if report else None, "deliveredOn", "告知书发出日期")
    lab = _move(user, sample, lab, "deliver", "objection_window", day)
    due = retest_due(day)
    report.delivered_on, report.delivery_method, report.receiver = day, data.get("delivery_method"), data.get("receiver")
    report.retest_due, report.retest_due_raw, report.retest_due_provisional = due.date, due.raw, due.provisional
    return lab


def _apply_retest(user, sample, lab, data, _source):
    report = current_report(lab)
    day = data["applied_on"]
    _not_future(day, "appliedOn")
    if report is not None and status_of(lab) == "objection_window":
        _not_before(day, report.delivered_on, "appliedOn", "告知书送达日期")
        if day > report.retest_due:
            raise ApiError("retest_window_closed", details={
                "appliedOn": day.isoformat(), "deadline": report.retest_due.isoformat(),
                "message": f"复检申请期限已于{report.retest_due.isoformat()}届满，申请逾期，不予受理"})
    lab = _move(user, sample, lab, "apply_retest", "retest_applied", day, data["applicant"])
    lab.retests.append(LabRetest(id=str(uuid.uuid4()), report_id=report.id, applied_on=day,
                                 applicant=data["applicant"]))
    return lab


def _decide_retest(accepted: bool):
    def decide(user, sample, lab, data, _source):
        _not_future(data["on_date"], "onDate")
        retest = open_retest(lab) if lab else None
        _not_before(data["on_date"], retest.applied_on if retest else None, "onDate", "申请日期")
        action = "accept_retest" if accepted else "refuse_retest"
        if not accepted and not data.get("reason"):
            raise ApiError("validation_failed", details={"reason": ["不予受理须写明理由 / a refusal needs its reason"]})
        lab = _move(user, sample, lab, action, "retest_accepted" if accepted else "retest_refused", data["on_date"],
                    data.get("reason"))
        retest.accepted, retest.decided_on, retest.reason = accepted, data["on_date"], data.get("reason")
        return lab
    return decide


def _retest_ship(user, sample, lab, data, source):
    return _ship(user, sample, lab, data, source, purpose="retest", action="retest_ship", to="retesting")


def _close(action: str):
    def close(user, sample, lab, data, _source):
        day = data["on_date"]
        _not_future(day, "onDate")
        report = current_report(lab)
        if action == "finalize" and status_of(lab) == "objection_window" and report is not None \
                and clock.today_cn() <= report.retest_due:
            raise ApiError("transition_not_allowed",
                           f"The 复检 window is open until {report.retest_due.isoformat()}; "
                           "finalize after it, or record the party's waiver.",
                           details={"deadline": report.retest_due.isoformat()})
        to = "backup_released" if action == "release_backup" else FINAL[report.conclusion if report else "pass"]
        return _move(user, sample, lab, action, to, day, data.get("reason"))
    return close


_STEP_FUNCTIONS = {
    "ship": _ship, "receive": _receive, "result": _result, "notify": _notify, "deliver": _deliver,
    "apply_retest": _apply_retest, "accept_retest": _decide_retest(True), "refuse_retest": _decide_retest(False),
    "retest_ship": _retest_ship, "waive": _close("waive"), "finalize": _close("finalize"),
    "release_backup": _close("release_backup"),
}
