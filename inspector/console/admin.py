"""Admin pages: users, devices, agencies' case-number settings, checklist templates, failed jobs."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from ..errors import ApiError
from ..i18n import t
from ..jobs import failures as job_failures
from ..models import ROLES
from ..services import admin as admin_service
from ..services import auth as auth_service
from ..services import users as user_service
from ..services.case_numbers import next_case_number_preview
from . import bp
from .auth import login_required
from .review import error_text


def _problems(err: ApiError) -> list[str]:
    details = err.details if isinstance(err.details, dict) else {}
    if "problems" in details:
        return list(details["problems"])
    return [f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in details.items()]


# ---------------------------------------------------------------- users

@bp.get("/admin/users")
@login_required("admin")
def users(form: dict | None = None, error: str | None = None, status: int = 200):
    return render_template("console/admin_users.html", users=admin_service.list_users(g.user),
                           agencies=admin_service.list_agencies(g.user), roles=ROLES, form=form or {},
                           error=error), status


@bp.post("/admin/users")
@login_required("admin")
def create_user():
    f = request.form
    try:
        created = user_service.create_user(
            username=f.get("username", "").strip(), display_name=f.get("display_name", "").strip(),
            role=f.get("role", ""), agency_code=f.get("agency_code", ""), password=f.get("password", ""),
            cert_no=f.get("cert_no", "").strip() or None, actor=g.user)
    except ApiError as err:
        message = error_text(err) + ("：" + "；".join(_problems(err)) if _problems(err) else "")
        return users(form={k: v for k, v in f.items() if k not in ("password", "csrf_token")}, error=message,
                     status=err.status)
    flash(t("user_created", username=created.username), "ok")
    return redirect(url_for("console.users"))


@bp.post("/admin/users/<int:user_id>/active")
@login_required("admin")
def set_user_active(user_id: int):
    try:
        target = admin_service.set_active(g.user, user_id, request.form.get("active") == "1")
        flash(t("user_activated" if target.active else "user_deactivated", username=target.username), "ok")
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(error_text(err), "error")
    return redirect(url_for("console.users"))


@bp.post("/admin/users/<int:user_id>/password")
@login_required("admin")
def reset_password(user_id: int):
    try:
        target = admin_service.reset_password(g.user, user_id, request.form.get("password", ""))
        flash(t("password_reset_done", username=target.username), "ok")
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(error_text(err), "error")
    return redirect(url_for("console.users"))


# ---------------------------------------------------------------- devices

@bp.get("/devices")
@login_required("admin")
def devices():
    return render_template("console/devices.html", devices=admin_service.list_devices(g.user))


@bp.post("/devices/<int:device_id>/revoke")
@login_required("admin")
def revoke_device(device_id: int):
    try:
        device = auth_service.revoke_device(g.user, device_id)
        flash(t("device_revoked", owner=device.user.display_name), "ok")
    except ApiError as err:
        flash(error_text(err), "error")
    return redirect(url_for("console.devices"))


# ---------------------------------------------------------------- agencies

@bp.get("/admin/agencies")
@login_required("admin")
def agencies():
    rows = [(a, next_case_number_preview(a)) for a in admin_service.list_agencies(g.user)]
    return render_template("console/admin_agencies.html", rows=rows, edit=request.args.get("edit", type=int))


@bp.post("/admin/agencies/<int:agency_id>")
@login_required("admin")
def update_agency(agency_id: int):
    f = request.form
    try:
        padding = int(f.get("padding") or 0)
    except ValueError:
        padding = -1
    try:
        agency = admin_service.update_case_number_settings(
            g.user, agency_id, code_word=f.get("case_code_word", ""),
            category_words={c: f.get(f"word_{c}", "") for c in admin_service.CASE_CATEGORIES},
            uses_di=f.get("uses_di") == "1", padding=padding)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(error_text(err) + ("：" + "；".join(_problems(err)) if _problems(err) else ""), "error")
        return redirect(url_for("console.agencies", edit=agency_id))
    flash(t("agency_saved", name=agency.name, example=next_case_number_preview(agency) or t("not_configured")), "ok")
    return redirect(url_for("console.agencies"))


# ---------------------------------------------------------------- checklist templates

@bp.get("/admin/templates")
@login_required("admin")
def templates(text: str = "", error: str | None = None, problems: list[str] | None = None, status: int = 200):
    return render_template("console/admin_templates.html", templates=admin_service.list_templates(g.user),
                           text=text, error=error, problems=problems or []), status


@bp.post("/admin/templates/import")
@login_required("admin")
def import_template():
    upload = request.files.get("file")
    text = upload.read().decode("utf-8-sig", errors="replace") if upload and upload.filename else \
        request.form.get("json", "")
    try:
        template = admin_service.import_template_text(g.user, text)
    except ApiError as err:
        return templates(text=text, error=error_text(err), problems=_problems(err), status=err.status)
    flash(t("template_imported", template=template.key, version=template.template_version), "ok")
    return redirect(url_for("console.template_preview", template_id=template.id))


@bp.get("/admin/templates/<int:template_id>")
@login_required("admin")
def template_preview(template_id: int):
    try:
        template = admin_service.template_service.get_template(template_id)
    except ApiError:
        abort(404)
    return render_template("console/admin_template.html", template=template)


@bp.post("/admin/templates/<int:template_id>/<any(publish, retire):action>")
@login_required("admin")
def template_action(template_id: int, action: str):
    try:
        change = admin_service.publish_template if action == "publish" else admin_service.retire_template
        template = change(g.user, template_id)
        flash(t({"publish": "template_published", "retire": "template_retired"}[action], template=template.key, version=template.template_version), "ok")
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(error_text(err), "error")
    return redirect(url_for("console.template_preview", template_id=template_id))


# ---------------------------------------------------------------- background jobs

@bp.get("/admin/jobs")
@login_required("admin")
def failed_jobs():
    return render_template("console/admin_jobs.html", jobs=job_failures.list_failed_jobs(g.user))


@bp.post("/admin/jobs/<int:job_id>/retry")
@login_required("admin")
def retry_job(job_id: int):
    try:
        failed = job_failures.retry_failed_job(g.user, job_id)
        flash(t("job_sent_again", job=t("job_" + failed.name, default=failed.name)), "ok")
    except ApiError as err:
        if err.status == 404:
            abort(404)
        flash(error_text(err), "error")
    return redirect(url_for("console.failed_jobs"))


# ---------------------------------------------------------------- working-day calendar

@bp.get("/admin/calendar")
@login_required("admin")
def calendar(form: dict | None = None, error: str | None = None, problems: list[str] | None = None,
             fields: list[str] | None = None, status: int = 200):
    from ..services.calendar import notices

    shown = request.args.get("year", type=int)
    return render_template("console/admin_calendar.html", years=notices.list_years(), holidays=notices.HOLIDAYS,
                           form=form or {}, error=error, problems=problems or [], bad_fields=set(fields or []),
                           shown=shown, shown_days=notices.year_days(shown) if shown else []), status


@bp.post("/admin/calendar")
@login_required("admin")
def enter_calendar_notice():
    from ..services.calendar import notices

    f = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        row = notices.enter_notice(g.user, f)
    except ApiError as err:
        details = err.details if isinstance(err.details, dict) else {}
        message = err.message if err.code == "validation_failed" else error_text(err)
        return calendar(form=f, error=message, problems=list(details.get("problems", [])),
                        fields=list(details.get("fields", [])), status=err.status)
    flash(t("cal_saved", year=row.year, notice=row.notice_no), "ok")
    return redirect(url_for("console.calendar"))
