"""Farmers' pages: anyone may list open days, book a slot and look a result up; no login.

The browser's token for the per-browser limits lives in the signed session cookie (the same cookie
that carries the CSRF token, so a form cannot be posted without it).
"""
from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError

from ..clock import today_cn
from ..database import db
from ..errors import ApiError
from ..models import OpenDayBooking
from ..schemas.open_days import BookingIn
from ..services import open_days
from . import bp

booking_in = BookingIn()
BOOKING_FIELDS = ("slotID", "name", "phone", "product", "brand", "batch", "boughtFrom")


def _browser() -> str:
    if "od_browser" not in session:
        session["od_browser"] = open_days.new_browser_token()
    return session["od_browser"]


@bp.before_request
def _token() -> None:
    _browser()


@bp.after_request
def _private(response):
    # Booking numbers and results are personal: no caches, no referrers, no search engines.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _errors(err: Exception) -> dict[str, str]:
    """Field → what was wrong: an i18n key from the service, or marshmallow's words."""
    messages = err.messages if isinstance(err, ValidationError) else err.details
    if not isinstance(messages, dict):
        return {"_": "od_err_form"}
    return {key: str(value[0] if isinstance(value, list) and value else value) for key, value in messages.items()}


@bp.errorhandler(CSRFError)
def _form_expired(_err: CSRFError):
    """A form left open too long (or a lost cookie): shown again as typed, with a fresh token."""
    db.session.rollback()
    if request.endpoint == "open_days.book":
        typed = {k: request.form.get(k, "") for k in BOOKING_FIELDS}
        return _detail(request.view_args.get("open_day_id", ""), typed, {"_": "od_err_expired"}, 400)
    if request.endpoint == "open_days.lookup":
        typed = {"number": request.form.get("number", "")[:40], "phone": request.form.get("phone", "")[:40]}
        return render_template("open_days/lookup.html", form=typed, error="od_err_expired"), 400
    return render_template("open_days/not_found.html"), 400


@bp.get("/")
def index():
    days = open_days.public_open_days()
    return render_template("open_days/list.html", days=[(d, open_days.slot_views(d)) for d in days])


def _detail(open_day_id: str, form: dict | None = None, errors: dict | None = None, status: int = 200):
    try:
        open_day = open_days.public_open_day(open_day_id)
    except ApiError:
        return render_template("open_days/not_found.html"), 404
    return render_template("open_days/detail.html", day=open_day, slots=open_days.slot_views(open_day),
                           form=form or {}, errors=errors or {}, today=today_cn()), status


@bp.get("/<open_day_id>")
def detail(open_day_id: str):
    return _detail(open_day_id)


@bp.post("/<open_day_id>/book")
def book(open_day_id: str):
    typed = {k: request.form.get(k, "") for k in BOOKING_FIELDS}
    data = {k: v for k, v in typed.items() if v.strip()}
    try:
        booking = open_days.book(open_day_id, booking_in.load(data), _browser(), request.remote_addr or "?")
    except ValidationError as err:
        return _detail(open_day_id, typed, _errors(err), 400)
    except ApiError as err:
        db.session.rollback()
        if err.code == "not_found":
            return _detail(open_day_id)
        return _detail(open_day_id, typed, _errors(err) or {"_": err.code}, err.status)
    session["od_booked"] = booking.id
    return redirect(url_for("open_days.booked"), 303)


@bp.get("/booked")
def booked():
    booking = db.session.get(OpenDayBooking, session.get("od_booked") or "")
    if booking is None:
        return redirect(url_for("open_days.index"))
    return render_template("open_days/booked.html", booking=booking, number=open_days.format_number(booking.number))


@bp.route("/lookup", methods=["GET", "POST"])
def lookup():
    if request.method == "GET":
        return render_template("open_days/lookup.html", form={}, error=None)
    typed = {"number": request.form.get("number", "")[:40], "phone": request.form.get("phone", "")[:40]}
    try:
        booking = open_days.lookup(typed["number"], typed["phone"], _browser())
    except ApiError as err:
        db.session.rollback()
        error = "od_lookup_limited" if err.code == "rate_limited" else "od_lookup_not_found"
        response = render_template("open_days/lookup.html", form=typed, error=error)
        return response, err.status, err.headers
    return render_template("open_days/result.html", booking=booking, number=open_days.format_number(booking.number),
                           disclaimer=open_days.DISCLAIMER)
