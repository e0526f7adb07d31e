"""Console pages for plans and 双随机 draws: a bureau's plans, a new plan, its directories, the
witnessed draw, the re-run check, recusal by child draw, and publishing the results (一公开)."""
from __future__ import annotations

import json

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from ..clock import today_cn
from ..database import db
from ..errors import ApiError
from ..i18n import t
from ..models import CATEGORIES, RESULT_CODES, ChecklistTemplate, User
from ..services.draws import plans as plan_service
from ..services.draws import results as result_service
from ..services.tasks import manage as task_manage
from . import bp
from .auth import login_required
from .tasks import _message


def _choices() -> dict:
    return {"categories": CATEGORIES, "areas": task_manage.counties(g.user),
            "inspectors": plan_service.eligible_inspectors(g.user.agency),
            "templates": list(db.session.scalars(select(ChecklistTemplate).where(
                ChecklistTemplate.status == "published").order_by(ChecklistTemplate.key)))}


@bp.get("/plans")
@login_required(*plan_service.PLAN_MANAGERS)
def plans(form: dict | None = None, error: str | None = None, status: int = 200):
    rows = [(plan, result_service.overdue_count(plan)) for plan in plan_service.list_plans(g.user)]
    return render_template("console/plans.html", rows=rows, form=form or {}, error=error, **_choices()), status


@bp.post("/plans")
@login_required(*plan_service.PLAN_MANAGERS)
def create_plan():
    f = request.form
    form = {**f.to_dict(), "categories": f.getlist("categories"), "area_ids": f.getlist("area_ids"),
            "inspector_ids": f.getlist("inspector_ids")}
    try:
        plan = plan_service.create_plan(g.user, form)
    except ApiError as err:
        return plans(form=form, error=_message(err), status=err.status)
    flash(t("plan_created", name=plan.name), "ok")
    return redirect(url_for("console.plan", plan_id=plan.id))


@bp.get("/plans/<plan_id>")
@login_required(*plan_service.PLAN_MANAGERS)
def plan(plan_id: str, error: str | None = None, status: int = 200, check=None):
    try:
        found = plan_service.get_plan(g.user, plan_id)
    except ApiError:
        abort(404)
    preview = plan_service.preview(found) if found.status == "draft" else None
    return render_template("console/plan.html", plan=found, preview=preview, areas=plan_service.areas(found),
                           directory=plan_service.directory_people(found),
                           rows=result_service.target_rows(found), result_codes=RESULT_CODES,
                           result_text=result_service.RESULT_TEXT, today=today_cn(), error=error,
                           check=check, users=_users(found)), status


def _users(plan) -> dict:
    ids = {d.operator_id for d in plan.draws}
    for d in plan.draws:
        ids |= {i for row in d.result for i in (row.get("inspectors", []) if isinstance(row, dict) else [row])}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _run(plan_id: str, action, ok_message: str):
    try:
        action()
    except ApiError as err:
        if err.status == 404:
            abort(404)
        db.session.rollback()
        return plan(plan_id, error=_message(err), status=err.status)
    flash(ok_message, "ok")
    return redirect(url_for("console.plan", plan_id=plan_id))


@bp.post("/plans/<plan_id>/draw")
@login_required(*plan_service.PLAN_MANAGERS)
def draw_plan(plan_id: str):
    return _run(plan_id, lambda: plan_service.draw(g.user, plan_id, request.form.get("witnesses", "")),
                t("plan_drawn"))


@bp.post("/plans/<plan_id>/redraw")
@login_required(*plan_service.PLAN_MANAGERS)
def redraw_plan(plan_id: str):
    f = request.form
    return _run(plan_id, lambda: plan_service.redraw(g.user, plan_id, f.get("reason", ""), f.get("witnesses", "")),
                t("draw_redone"))


@bp.get("/plans/<plan_id>/draws/<draw_id>/check")
@login_required(*plan_service.PLAN_MANAGERS)
def check_draw(plan_id: str, draw_id: str):
    try:
        record = plan_service.get_draw(g.user, plan_id, draw_id)
    except ApiError:
        abort(404)
    check = plan_service.verify_draw(record)
    return plan(plan_id, check=(record, check), status=200 if check.ok else 409)


@bp.get("/plans/<plan_id>/draws/<draw_id>.json")
@login_required(*plan_service.PLAN_MANAGERS)
def draw_file(plan_id: str, draw_id: str):
    try:
        record = plan_service.get_draw(g.user, plan_id, draw_id)
    except ApiError:
        abort(404)
    body = json.dumps(plan_service.draw_record(record), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="draw-{record.id}.json"'})


@bp.post("/plans/<plan_id>/targets/<target_id>/recuse")
@login_required(*plan_service.PLAN_MANAGERS)
def recuse_inspector(plan_id: str, target_id: str):
    f = request.form
    return _run(plan_id, lambda: plan_service.recuse(g.user, plan_id, target_id, f.get("inspector"),
                                                     f.get("reason", ""), f.get("witnesses", "")),
                t("plan_recused"))


@bp.post("/plans/<plan_id>/targets/<target_id>/publish")
@login_required(*plan_service.PLAN_MANAGERS)
def publish_result(plan_id: str, target_id: str):
    return _run(plan_id, lambda: result_service.publish(g.user, plan_id, target_id, request.form.get("result_code")),
                t("plan_published"))
