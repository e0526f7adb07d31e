"""Console pages for what follows an inspection: 责令改正通知书 (issue, approve, deliver, print,
choose re-inspectors, record the outcome) and case clocks (a suspected violation's 立案 clock, pauses,
a 负责人's extension, the outcome). Thin: the rules live in services/rectification and
services/case_clocks; a refused step answers its 4xx with the page and the reason."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from ..database import db
from ..errors import ApiError
from ..i18n import t
from ..models import DECISION_KINDS, PAUSE_KINDS, SERVICE_METHODS
from ..services import case_clocks as clock_service
from ..services import rectification as service
from ..services.scope import get_inspection
from ..services.tasks import assignees_by_id
from ..services.tasks import manage as task_manage
from . import bp
from .auth import login_required
from .tasks import _message

READERS = ("officer", "head", "reviewer")
ACTORS = ("officer", "head")


def _inspection_or_404(inspection_id: str):
    try:
        return get_inspection(g.user, inspection_id)
    except ApiError:
        abort(404)


def _order_or_404(order_id: str):
    try:
        return service.get_order(g.user, order_id)
    except ApiError:
        abort(404)


def _clock_or_404(clock_id: str):
    try:
        return clock_service.get_clock(g.user, clock_id)
    except ApiError:
        abort(404)


@bp.get("/followup")
@login_required(*READERS)
def followup():
    return render_template("console/followup.html", orders=service.orders_of(g.user),
                           clocks=clock_service.clocks_of(g.user), progress=clock_service.progress)


@bp.get("/cases/<inspection_id>/followup")
@login_required(*READERS)
def case_followup(inspection_id: str, error: str | None = None, form: dict | None = None, status: int = 200):
    inspection = _inspection_or_404(inspection_id)
    return render_template("console/followup_case.html", case=inspection, failed=service.failed_items(inspection),
                           orders=service.orders_of(g.user, inspection_id=inspection.id),
                           clocks=clock_service.clocks_of(g.user, inspection_id=inspection.id),
                           progress=clock_service.progress, rules=clock_service.OPENABLE,
                           error=error, form=form or {}, today=date.today()), status


def _order_form() -> dict:
    f = request.form
    return {"item_keys": f.getlist("item_keys"), "basis": f.get("basis"), "facts": f.get("facts", ""),
            "requirements": f.get("requirements", ""), "mode": f.get("mode") or "deadline",
            "due_date": f.get("due_date") or None, "report_back": f.get("report_back") == "1"}


def _commit_or_page(make, back):
    """Run a service step and commit; on a refusal roll back and show the page with the reason."""
    try:
        result = make()
        db.session.commit()
        return result, None
    except ApiError as err:
        db.session.rollback()
        if err.status == 404:
            abort(404)
        return None, back(_message(err), err.status)


@bp.post("/cases/<inspection_id>/rectifications")
@login_required(*ACTORS)
def create_rectification(inspection_id: str):
    inspection = _inspection_or_404(inspection_id)
    form = _order_form()
    order, page = _commit_or_page(
        lambda: service.create_order(g.user, inspection, form, on_site=False),
        lambda msg, st: case_followup(inspection_id, error=msg, form=form, status=st))
    if page is not None:
        return page
    flash(t("rect_created_issued" if order.issued else "rect_created_pending"), "ok")
    return redirect(url_for("console.rectification", order_id=order.id))


@bp.get("/rectifications/<order_id>")
@login_required(*READERS)
def rectification(order_id: str, error: str | None = None, status: int = 200):
    order = _order_or_404(order_id)
    return render_template("console/rectification.html", order=order, error=error, methods=SERVICE_METHODS,
                           inspectors=task_manage.assignable_inspectors(g.user),
                           signatures=service.signature_lines(order)), status


def _order_step(order_id: str, step):
    order = _order_or_404(order_id)
    _, page = _commit_or_page(lambda: step(order), lambda msg, st: rectification(order_id, error=msg, status=st))
    if page is not None:
        return page
    return redirect(url_for("console.rectification", order_id=order_id))


@bp.post("/rectifications/<order_id>/approve")
@login_required(*READERS)
def approve_rectification(order_id: str):
    return _order_step(order_id, lambda order: service.approve(g.user, order))


@bp.post("/rectifications/<order_id>/serve")
@login_required(*ACTORS)
def serve_rectification(order_id: str):
    f = request.form
    served_at = f.get("served_at") or None
    if served_at and len(served_at) == 16:  # a datetime-local field: Beijing time
        served_at += ":00+08:00"
    data = {"method": f.get("method"), "served_at": served_at, "served_to": f.get("served_to"),
            "party_signature": f.get("party_signature") or "signed", "refusal_reason": f.get("refusal_reason"),
            "witness_name": f.get("witness_name")}
    return _order_step(order_id, lambda order: service.record_service(g.user, order, data))


@bp.post("/rectifications/<order_id>/recheck")
@login_required(*ACTORS)
def assign_recheck(order_id: str):
    ids = [int(v) for v in request.form.getlist("assignees") if v.isdigit()]
    return _order_step(order_id, lambda order: service.assign_recheck(g.user, order, assignees_by_id(ids)))


@bp.post("/rectifications/<order_id>/outcome")
@login_required(*ACTORS)
def rectification_outcome(order_id: str):
    return _order_step(order_id, lambda order: service.close(g.user, order, request.form.get("outcome") or ""))


@bp.get("/rectifications/<order_id>.pdf")
@login_required(*READERS)
def rectification_pdf(order_id: str):
    order = _order_or_404(order_id)
    name = "rectification.pdf" if order.issued else "rectification-unissued.pdf"
    pdf, _number = service.issue_pdf(g.user, order)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


# ---------------------------------------------------------------- case clocks

@bp.post("/cases/<inspection_id>/clocks")
@login_required(*READERS)
def open_case_clock(inspection_id: str):
    inspection = _inspection_or_404(inspection_id)
    f = request.form
    form = {"rule": f.get("rule") or "CASE-1", "start_date": f.get("start_date"), "title": f.get("title", "")}

    def make():
        if form["rule"] not in clock_service.OPENABLE:
            raise clock_service.invalid("rule", "This clock is not opened by hand.", "该时限不能手工开始。")
        start = clock_service._date("startDate", form["start_date"], "起算日期无效。")
        return clock_service.open_clock(g.user, rule_id=form["rule"], agency=inspection.agency, inspection=inspection,
                                        start_date=start, title=form["title"])

    row, page = _commit_or_page(make, lambda msg, st: case_followup(inspection_id, error=msg, form=form, status=st))
    if page is not None:
        return page
    return redirect(url_for("console.case_clock", clock_id=row.id))


@bp.get("/clocks/<clock_id>")
@login_required(*READERS)
def case_clock(clock_id: str, error: str | None = None, status: int = 200):
    row = _clock_or_404(clock_id)
    return render_template("console/case_clock.html", clock=row, rule=clock_service.rule(row.rule_id),
                           progress=clock_service.progress(row), pauses=clock_service.listed_pauses(row), pause_kinds=PAUSE_KINDS,
                           decision_kinds=DECISION_KINDS, error=error), status


def _clock_step(clock_id: str, step):
    row = _clock_or_404(clock_id)
    _, page = _commit_or_page(lambda: step(row), lambda msg, st: case_clock(clock_id, error=msg, status=st))
    if page is not None:
        return page
    return redirect(url_for("console.case_clock", clock_id=clock_id))


@bp.post("/clocks/<clock_id>/pause")
@login_required(*READERS)
def pause_case_clock(clock_id: str):
    data = {k: request.form.get(k) for k in ("kind", "first_day", "last_day", "note")}
    return _clock_step(clock_id, lambda row: clock_service.add_pause(g.user, row, data))


@bp.post("/clocks/<clock_id>/extend")
@login_required(*READERS)
def extend_case_clock(clock_id: str):
    return _clock_step(clock_id, lambda row: clock_service.extend(g.user, row, request.form.get("reason") or ""))


@bp.post("/clocks/<clock_id>/decide")
@login_required(*READERS)
def decide_case_clock(clock_id: str):
    data = {k: request.form.get(k) for k in ("outcome", "case_no", "decided_on", "fine_yuan", "goods_value_yuan", "note")}
    data["confiscation"] = request.form.get("confiscation") == "1"
    return _clock_step(clock_id, lambda row: clock_service.decide(g.user, row, data))


@bp.post("/admin/agencies/<int:agency_id>/rectification")
@login_required("admin")
def agency_standing_rectification(agency_id: int):
    from ..models import Agency

    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    try:
        service.set_standing_authorisation(g.user, agency, request.form.get("standing") == "1")
        db.session.commit()
    except ApiError as err:
        db.session.rollback()
        abort(err.status)
    flash(t("rect_standing_saved", name=agency.name), "ok")
    return redirect(url_for("console.agencies"))
