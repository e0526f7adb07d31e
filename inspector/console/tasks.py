"""Console pages for tasks (检查任务): a bureau's list, a manual task, reassignment, cancellation, and
the 3·15 exposure fast path. Officers, heads and reviewers, each within their jurisdiction."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from ..errors import ApiError
from ..i18n import current_language, t
from ..models import TASK_STATUSES
from ..services.tasks import exposure as exposure_service
from ..services.tasks import manage
from . import bp
from .auth import login_required
from .review import error_text


def _message(err: ApiError) -> str:
    """The error in the console's language, naming what was wrong (the rule's own words)."""
    details = err.details if isinstance(err.details, dict) else {}
    shown = error_text(err)
    own = details.get("messageZh") if current_language() == "zh" and details.get("messageZh") else err.message
    if err.code not in ("validation_failed", "forbidden") or own == shown:
        return shown
    return f"{shown}：{own}"


@bp.get("/tasks")
@login_required(*manage.TASK_MANAGERS)
def tasks(form: dict | None = None, error: str | None = None, status: int = 200):
    wanted = request.args.get("status") or None
    if wanted not in (None, *TASK_STATUSES):
        wanted = None
    return render_template("console/tasks.html", rows=manage.list_tasks(g.user, wanted), wanted=wanted,
                           statuses=TASK_STATUSES, inspectors=manage.assignable_inspectors(g.user),
                           agencies=manage.counties(g.user), parties=manage.party_choices(g.user),
                           alerts=manage.alerts(g.user), form=form or {}, error=error), status


def _form() -> dict:
    f = request.form
    return {"agency_id": f.get("agency_id"), "party_id": f.get("party_id"), "title": f.get("title", ""),
            "what_to_check": f.get("what_to_check"), "due_date": f.get("due_date"), "urgent": f.get("urgent") == "1",
            "assignees": f.getlist("assignees")}


@bp.post("/tasks")
@login_required(*manage.TASK_MANAGERS)
def create_task():
    form = _form()
    try:
        task = manage.create_manual_task(g.user, form)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        return tasks(form=form, error=_message(err), status=err.status)
    flash(t("task_created", title=task.title), "ok")
    return redirect(url_for("console.tasks"))


@bp.post("/tasks/<task_id>/reassign")
@login_required(*manage.TASK_MANAGERS)
def reassign_task(task_id: str):
    try:
        manage.reassign(g.user, task_id, {k: request.form.get(k) for k in ("out", "into", "reason", "recusal")})
    except ApiError as err:
        if err.status == 404:
            abort(404)
        return tasks(error=_message(err), status=err.status)
    flash(t("task_reassigned"), "ok")
    return redirect(url_for("console.tasks"))


@bp.post("/tasks/<task_id>/cancel")
@login_required(*manage.TASK_MANAGERS)
def cancel_task(task_id: str):
    try:
        manage.cancel(g.user, task_id, request.form.get("reason", ""))
    except ApiError as err:
        if err.status == 404:
            abort(404)
        return tasks(error=_message(err), status=err.status)
    flash(t("task_cancelled"), "ok")
    return redirect(url_for("console.tasks"))


NEW_DEALER_ROWS = 3


@bp.get("/tasks/exposure")
@login_required(*manage.TASK_MANAGERS)
def exposure(form: dict | None = None, error: str | None = None, status: int = 200):
    return render_template("console/exposure.html", parties=manage.party_choices(g.user),
                           agencies=[a for a in manage.counties(g.user) if a.level == "county"],
                           rows=range(NEW_DEALER_ROWS), form=form or {}, error=error), status


@bp.post("/tasks/exposure")
@login_required(*manage.TASK_MANAGERS)
def create_exposure():
    f = request.form
    dealers = [{"party_id": pid} for pid in f.getlist("party_ids") if pid]
    for i in range(NEW_DEALER_ROWS):
        name = (f.get(f"new_name_{i}") or "").strip()
        if name:
            dealers.append({"name": name, "agency_code": f.get(f"new_agency_{i}"),
                            "address": (f.get(f"new_address_{i}") or "").strip() or None})
    try:
        created = exposure_service.create_exposure_tasks(g.user, title=f.get("title", ""),
                                                         what_to_check=f.get("what_to_check"), dealers=dealers)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        return exposure(form=f.to_dict(), error=_message(err), status=err.status)
    flash(t("exposure_created", count=len(created)), "ok")
    return redirect(url_for("console.tasks"))
