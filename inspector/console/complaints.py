"""Console pages of the complaints and reports register: the list, the intake form, a filing's
page with its deadlines and steps, the inspection task it becomes, and its notices as PDFs."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from marshmallow import ValidationError

from ..clock import today_cn
from ..database import db
from ..errors import ApiError
from ..i18n import t
from ..models import CHANNELS, FILING_KINDS, NOTICE_METHODS, PRODUCT_CATEGORIES, FilingTransition
from ..schemas.complaints import FilingIn, TransitionIn
from ..services import complaints
from ..services.complaints import attachments, notices, queries
from ..services.complaints.view import filing_page, intake_choices
from ..services.tasks import assignees_by_id
from . import bp
from .auth import login_required

filing_in = FilingIn()
transition_in = TransitionIn()
FORM_BOOLEANS = ("alsoReport", "anonymous", "insider", "urgent", "bothConsent")


def _form_data(names_ok) -> dict:
    """The posted form as a wire body: empty fields left out, the CSRF token dropped."""
    data = {k: v for k, v in request.form.items() if k != "csrf_token" and v.strip() != "" and names_ok(k)}
    for key in FORM_BOOLEANS:
        if key in data:
            data[key] = data[key] in ("1", "true", "on", "yes")
    return data


def _field_errors(err: Exception) -> dict[str, str]:
    if isinstance(err, ValidationError):
        messages = err.messages if isinstance(err.messages, dict) else {"_": err.messages}
    else:
        messages = err.details if isinstance(err.details, dict) else {}
    return {k: "；".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in messages.items()}


@bp.get("/filings")
@login_required(*queries.REGISTER_ROLES)
def filings():
    filters, ignored = queries.parse_filters(request.args)
    return render_template("console/filings.html", rows=complaints.list_filings(g.user, filters), filters=filters,
                           ignored=ignored, kinds=FILING_KINDS, statuses=queries.STATUSES, channels=CHANNELS,
                           can_register=g.user.role in complaints.INTAKE_ROLES, today=today_cn())


@bp.get("/filings/new")
@login_required(*complaints.INTAKE_ROLES)
def new_filing(form: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template("console/filing_new.html", form=form or {}, errors=errors or {}, kinds=FILING_KINDS,
                           channels=CHANNELS, categories=PRODUCT_CATEGORIES, **intake_choices(g.user)), status


@bp.post("/filings")
@login_required(*complaints.INTAKE_ROLES)
def register_filing():
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data = filing_in.load(_form_data(lambda k: True))
        filing = complaints.register_filing(g.user, data)
    except (ValidationError, ApiError) as err:
        db.session.rollback()
        if isinstance(err, ApiError) and err.code != "validation_failed":
            abort(err.status)
        return new_filing(form=typed, errors=_field_errors(err), status=400)
    numbers = [filing.reg_no] + ([filing.linked_filing.reg_no] if filing.linked_filing else [])
    flash(t("filing_registered", reg_no="、".join(numbers)), "ok")
    return redirect(url_for("console.filing", filing_id=filing.id))


def _get(filing_id: str):
    try:
        return complaints.get_filing(g.user, filing_id)
    except ApiError:
        abort(404)


@bp.get("/filings/<filing_id>")
@login_required(*queries.REGISTER_ROLES)
def filing(filing_id: str, error: str | None = None, typed: dict | None = None, status: int = 200):
    record = _get(filing_id)
    return render_template("console/filing.html", page=filing_page(g.user, record), error=error, typed=typed or {},
                           notice_methods=NOTICE_METHODS), status


@bp.post("/filings/<filing_id>/steps")
@login_required(*queries.REGISTER_ROLES)
def filing_step(filing_id: str):
    record = _get(filing_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        data = transition_in.load(_form_data(lambda k: True))
        complaints.transition(record, data["action"], g.user, data.get("reason"), ground=data.get("ground"),
                              notice_method=data.get("notice_method"), agency_code=data.get("agency_code"),
                              told_to=data.get("told_to"), both_consent=data.get("both_consent", False),
                              handler_id=data.get("handler_id"))
    except (ValidationError, ApiError) as err:
        db.session.rollback()
        if isinstance(err, ApiError) and err.status == 404:
            abort(404)
        message = err.message if isinstance(err, ApiError) else "；".join(
            f"{k}: {v}" for k, v in _field_errors(err).items())
        if isinstance(err, ApiError) and err.code == "transition_not_allowed" and err.message == ApiError(
                "transition_not_allowed").message:
            message = t("error_transition_not_allowed")
        status = err.status if isinstance(err, ApiError) else 400
        return filing(filing_id, error=t("filing_step_error", message=message), typed=typed, status=status)
    flash(t("filing_step_done", step=t("step_" + typed.get("action", ""))), "ok")
    return redirect(url_for("console.filing", filing_id=filing_id))


@bp.post("/filings/<filing_id>/task")
@login_required(*queries.REGISTER_ROLES)
def filing_task(filing_id: str):
    record = _get(filing_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        ids = [int(v) for v in request.form.getlist("assignees") if v.isdigit() and len(v) < 10]
        task = complaints.create_inspection_task(record, g.user, assignees=assignees_by_id(ids),
                                                 what_to_check=request.form.get("what_to_check"))
    except ApiError as err:
        db.session.rollback()
        return filing(filing_id, error=t("filing_step_error", message=err.message), typed=typed, status=err.status)
    flash(t("filing_task_created", agency=task.agency.name), "ok")
    return redirect(url_for("console.filing", filing_id=filing_id))


@bp.get("/filings/<filing_id>/notices/<int:transition_id>.pdf")
@login_required(*queries.REGISTER_ROLES)
def filing_notice(filing_id: str, transition_id: int):
    record = _get(filing_id)
    step = db.session.get(FilingTransition, transition_id)
    if step is None or step.filing_id != record.id or not step.notice_kind:
        abort(404)
    try:
        pdf = notices.render_notice(g.user, record, step)
    except ApiError as err:
        abort(err.status)
    name = f"notice-{step.notice_kind}-{transition_id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.post("/filings/<filing_id>/attachments")
@login_required(*queries.REGISTER_ROLES)
def filing_attach(filing_id: str):
    record = _get(filing_id)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ApiError("validation_failed", t("filing_attach_file"))
        added = attachments.attach(g.user, record, upload.stream, name=upload.filename,
                                   caption=request.form.get("caption"),
                                   identifies_reporter=request.form.get("identifiesReporter") in ("1", "on", "true"))
    except ApiError as err:
        db.session.rollback()
        return filing(filing_id, error=t("filing_attach_error", message=err.message), status=err.status)
    flash(t("filing_attached", name=added.name or added.sha256[:12]), "ok")
    return redirect(url_for("console.filing", filing_id=filing_id))


@bp.get("/filings/<filing_id>/attachments/<int:attachment_id>")
@login_required(*queries.REGISTER_ROLES)
def filing_attachment(filing_id: str, attachment_id: int):
    record = _get(filing_id)
    try:
        found = attachments.get_attachment(g.user, record, attachment_id)
    except ApiError as err:
        abort(err.status)
    name = found.name or f"{found.sha256}"
    return send_file(attachments.open_bytes(found), mimetype=found.media_type, as_attachment=True,
                     download_name=name, etag=found.sha256)
