"""Console pages of the foundation: home, language, devices."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from ..errors import ApiError
from ..i18n import LANGUAGES
from ..services import auth as auth_service
from . import bp
from .auth import login_required


@bp.get("/")
@login_required()
def home():
    return render_template("console/home.html", user=g.user)


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("console.home"))


@bp.get("/devices")
@login_required("admin")
def devices():
    return render_template("console/devices.html", devices=auth_service.list_devices(g.user))


@bp.post("/devices/<int:device_id>/revoke")
@login_required("admin")
def revoke_device(device_id: int):
    try:
        auth_service.revoke_device(g.user, device_id)
    except ApiError as err:
        flash(err.message, "error")
    return redirect(url_for("console.devices"))
