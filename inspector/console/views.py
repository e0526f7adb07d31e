"""Console pages of the foundation: home and language."""
from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from ..i18n import LANGUAGES
from . import bp
from .auth import login_required, same_site


@bp.get("/")
@login_required()
def home():
    return render_template("console/home.html", user=g.user)


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(same_site(request.form.get("next", "")))
