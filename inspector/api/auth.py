"""Phone login and logout; the caller's own account."""
from __future__ import annotations

from flask import g, request

from ..services import auth as auth_service
from ..services import photo_checks
from ..schemas.accounts import LoginIn, LoginOut, UserOut
from .common import authenticated, bp, documented, json_body

login_in, login_out, user_out = LoginIn(), LoginOut(), UserOut()


@bp.post("/auth/login")
@documented("Log a phone in: registers the device and returns its bearer token", body=login_in, response=login_out)
def login():
    data = json_body(login_in)
    result = auth_service.login_device(data["username"], data["password"], request.remote_addr or "?",
                                       data["client_id"], data["device_label"] or request.user_agent.string[:200])
    return login_out.dump({"token": result.token, "client_id": result.device.client_id,
                           "expires_at": result.device.expires_at, "user": result.device.user,
                           "photo_checks": photo_checks.phone_tolerances()})


@bp.post("/auth/logout")
@authenticated()
@documented("Log this phone out: its token stops working at once", status=204)
def logout():
    if g.device is not None:
        auth_service.logout_device(g.device)
    return "", 204


@bp.get("/me")
@authenticated()
@documented("The logged-in user", response=user_out)
def me():
    return user_out.dump(g.user)
