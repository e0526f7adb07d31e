"""Console pages of the lab open days: announcing one, the desk's booking list on the day (check-in,
samples), results entered afterwards, and a suspect result forwarded to the register as a 举报."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..database import db
from ..errors import ApiError
from ..i18n import t
from ..models import PRODUCT_CATEGORIES
from ..models.open_day import CONSENT_METHODS
from ..schemas.open_days import BookingIn, ForwardIn, OpenDayIn, ResultIn, SampleIn
from ..services import open_days
from ..services.open_days.events import ANNOUNCING_LEVELS
from . import bp
from .auth import login_required

open_day_in, sample_in, result_in, forward_in = OpenDayIn(), SampleIn(), ResultIn(), ForwardIn()
booking_in = BookingIn()
BOOLEANS = ("consent", "anonymous")


def _form() -> dict:
    """The posted form as a wire body: empty fields left out, the CSRF token dropped."""
    data = {k: v for k, v in request.form.items() if k != "csrf_token" and v.strip() != ""}
    for key in BOOLEANS:
        if key in data:
            data[key] = data[key] in ("1", "true", "on", "yes")
    return data


def _errors(err: Exception) -> dict[str, str]:
    messages = err.messages if isinstance(err, ValidationError) else err.details
    if not isinstance(messages, dict):
        return {"_": str(messages)}
    return {k: "；".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in messages.items()}


def _may_announce() -> bool:
    return g.user.role in open_days.ANNOUNCE_ROLES and g.user.agency.level in ANNOUNCING_LEVELS


@bp.get("/open-days")
@login_required(*open_days.STAFF_ROLES)
def open_day_list():
    return render_template("console/open_days.html", days=open_days.staff_open_days(g.user),
                           may_announce=_may_announce())


@bp.get("/open-days/new")
@login_required(*open_days.ANNOUNCE_ROLES)
def new_open_day(form: dict | None = None, errors: dict | None = None, status: int = 200):
    if not _may_announce():
        abort(403)
    return render_template("console/open_day_new.html", form=form or {}, errors=errors or {}), status


@bp.post("/open-days")
@login_required(*open_days.ANNOUNCE_ROLES)
def announce_open_day():
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        open_day = open_days.announce(g.user, open_day_in.load(_form()))
    except (ValidationError, ApiError) as err:
        db.session.rollback()
        if isinstance(err, ApiError) and err.code != "validation_failed":
            abort(err.status)
        return new_open_day(form=typed, errors=_errors(err), status=400)
    flash(t("od_announced"), "ok")
    return redirect(url_for("console.open_day", open_day_id=open_day.id))


@bp.get("/open-days/<open_day_id>")
@login_required(*open_days.STAFF_ROLES)
def open_day(open_day_id: str, form: dict | None = None, errors: dict | None = None, status: int = 200):
    try:
        day = open_days.staff_open_day(g.user, open_day_id)
    except ApiError:
        abort(404)
    q = request.args.get("q", "").strip()
    if q:
        found = open_days.find_by_number(day, q)
        if found is not None:
            return redirect(url_for("console.open_day_booking", booking_id=found.id))
        flash(t("od_desk_not_found"), "error")
    return render_template("console/open_day.html", day=day, slots=open_days.slot_views(day),
                           bookings=open_days.bookings_of(day), number=open_days.format_number, q=q,
                           form=form or {}, errors=errors or {}), status


@bp.post("/open-days/<open_day_id>/walk-in")
@login_required(*open_days.STAFF_ROLES)
def open_day_walk_in(open_day_id: str):
    try:
        day = open_days.staff_open_day(g.user, open_day_id, lock=True)
    except ApiError:
        abort(404)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        booking = open_days.book_walk_in(g.user, day, booking_in.load(_form()))
    except (ValidationError, ApiError) as err:
        db.session.rollback()
        if isinstance(err, ApiError) and err.code not in ("validation_failed", "slot_full"):
            abort(err.status)
        return open_day(open_day_id, form=typed, errors=_errors(err),
                        status=409 if isinstance(err, ApiError) and err.code == "slot_full" else 400)
    flash(t("od_walked_in", number=open_days.format_number(booking.number)), "ok")
    return redirect(url_for("console.open_day_booking", booking_id=booking.id), 303)


def _booking(booking_id: str):
    try:
        return open_days.staff_booking(g.user, booking_id)
    except ApiError:
        abort(404)


@bp.get("/open-days/bookings/<booking_id>")
@login_required(*open_days.STAFF_ROLES)
def open_day_booking(booking_id: str, errors: dict | None = None, form: dict | None = None, status: int = 200):
    booking = _booking(booking_id)
    return render_template("console/open_day_booking.html", booking=booking,
                           number=open_days.format_number(booking.number), errors=errors or {}, form=form or {},
                           may_forward=open_days.may_forward(g.user, booking), categories=PRODUCT_CATEGORIES,
                           consent_methods=CONSENT_METHODS, disclaimer=open_days.DISCLAIMER), status


def _step(booking_id: str, action, schema=None, done_key: str = "od_saved"):
    """Run one desk step on the booking; a refusal re-shows the page with what was typed."""
    booking = _booking(booking_id)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        result = action(booking, schema.load(_form()) if schema is not None else None)
    except (ValidationError, ApiError) as err:
        db.session.rollback()
        if isinstance(err, ApiError) and err.code not in ("validation_failed", "booking_state"):
            abort(err.status)
        errors = _errors(err) if not (isinstance(err, ApiError) and err.code == "booking_state") \
            else {"_": "od_err_state"}
        return open_day_booking(booking_id, errors=errors, form=typed,
                                status=409 if isinstance(err, ApiError) and err.status == 409 else 400)
    flash(t(done_key, **(result if isinstance(result, dict) else {})), "ok")
    return redirect(url_for("console.open_day_booking", booking_id=booking_id), 303)


@bp.post("/open-days/bookings/<booking_id>/check-in")
@login_required(*open_days.STAFF_ROLES)
def open_day_check_in(booking_id: str):
    return _step(booking_id, lambda b, _d: open_days.check_in(g.user, b), done_key="od_checked_in")


@bp.post("/open-days/bookings/<booking_id>/samples")
@login_required(*open_days.STAFF_ROLES)
def open_day_sample(booking_id: str):
    return _step(booking_id, lambda b, d: {"label": open_days.register_sample(g.user, b, d).label}, sample_in,
                 "od_sample_registered")


@bp.post("/open-days/bookings/<booking_id>/result")
@login_required(*open_days.STAFF_ROLES)
def open_day_result(booking_id: str):
    return _step(booking_id, lambda b, d: open_days.enter_result(g.user, b, d["sample_id"], d) and None, result_in,
                 "od_result_saved")


@bp.post("/open-days/bookings/<booking_id>/forward")
@login_required(*open_days.STAFF_ROLES)
def open_day_forward(booking_id: str):
    return _step(booking_id, lambda b, d: {"reg_no": open_days.forward_to_register(g.user, b, d).reg_no},
                 forward_in, "od_forwarded")
