"""Console login with a session cookie; every form post carries a CSRF token (Flask-WTF)."""
from __future__ import annotations

import functools
import time
import unicodedata
from urllib.parse import urlsplit
from typing import Callable

from flask import abort, flash, g, redirect, render_template, request, session, url_for

from ..database import db
from ..errors import ApiError
from ..models import User
from ..services import auth as auth_service
from ..i18n import t
from . import bp


def session_user() -> User | None:
    """The user of the current console session, or None when there is none or it has expired."""
    uid = session.get("uid")
    if uid is None:
        return None
    user = db.session.get(User, uid)
    if user is None or not auth_service.session_is_current(user, session.get("epoch", -1), session.get("at", 0)):
        session.clear()
        return None
    return user


def same_site(target: str) -> str:
    """`target` if it is a path on this site, else the console home: no redirect leads elsewhere.

    Parsed strictly, because browsers repair what they are given: they drop tabs and newlines
    anywhere ("/\t/host" becomes "//host"), strip leading spaces and controls, and read "\\" as
    "/". So a target must start with "/", hold no control character (C0, DEL, C1) and no backslash,
    and parse as a bare path: no scheme, no host, not starting with "//".
    """
    home = url_for("console.home")
    if not target.startswith("/") or any(unicodedata.category(c) == "Cc" or c == "\\" for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith("//"):
        return home
    return target


def login_required(*roles: str) -> Callable:
    """Pages for logged-in console users (of one of `roles`, when given)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            had_session = "uid" in session
            user = session_user()
            if user is None:
                if had_session:
                    flash(t("session_expired"), "error")
                return redirect(url_for("console.login", next=request.full_path))
            if roles and user.role not in roles:
                abort(403)
            g.user = user
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        try:
            user = auth_service.authenticate(request.form.get("username", ""), request.form.get("password", ""),
                                             request.remote_addr or "?")
            db.session.commit()
        except ApiError as err:
            error = t("login_" + err.code, default=err.message)
            status = err.status
        else:
            session.clear()
            session.permanent = True
            session.update(uid=user.id, epoch=user.session_epoch, at=time.time())
            return redirect(same_site(request.args.get("next", "")))
    return render_template("console/login.html", error=error), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("console.login"))
