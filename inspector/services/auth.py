"""Logging in: passwords, per-account and per-address limits, phone device tokens."""
from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..database import db, utcnow
from ..errors import ApiError
from ..models import Device, LoginAttempt, User
from . import audit
from .passwords import check_password, dummy_check

TOKEN_PREFIX = "nzd_"  # makes a leaked token recognisable in logs and secret scanners


def token_digest(token: str) -> str:
    """Device tokens are long random strings, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def _check_limits(username: str, address: str) -> None:
    """429 when this account or this address has failed too often within the window."""
    since = utcnow() - _window()
    cfg = current_app.config
    for column, value, limit, who in (
        (LoginAttempt.username, username, cfg["LOGIN_MAX_FAILURES"], "this account"),
        (LoginAttempt.address, address, cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"], "this address"),
    ):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(column == value, LoginAttempt.at > since)
        ).one()
        if count >= limit:
            wait = max(1, math.ceil((oldest + _window() - utcnow()).total_seconds()))
            raise ApiError(
                "rate_limited",
                f"Too many failed logins for {who}. Try again in {math.ceil(wait / 60)} minutes.",
                details={"retryAfterSeconds": wait}, headers={"Retry-After": str(wait)},
            )


def authenticate(username: str, password: str, address: str) -> User:
    """The user with these credentials; failures are counted and limited."""
    username = username.strip()
    _check_limits(username, address)
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        dummy_check(password)
    if user is None or not check_password(user.password_hash, password):
        db.session.add(LoginAttempt(username=username, address=address))
        db.session.commit()
        raise ApiError("bad_credentials")
    if not user.active:
        raise ApiError("account_inactive")
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    return user


@dataclass(frozen=True)
class DeviceLogin:
    device: Device
    token: str


def login_device(username: str, password: str, address: str, client_id: str | None,
                 label: str | None) -> DeviceLogin:
    """Register (or re-register) a phone and hand it a new bearer token."""
    user = authenticate(username, password, address)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    device = None
    if client_id:
        device = db.session.scalars(select(Device).where(Device.client_id == client_id)).first()
        if device is not None and device.user_id != user.id:
            raise ApiError("conflict", "This app installation is registered to another inspector. "
                           "Export or sync its work, log out, and log in again.",
                           details={"clientID": client_id})
    if device is None:
        device = Device(client_id=client_id or str(uuid.uuid4()), user_id=user.id)
        db.session.add(device)
    device.token_hash = token_digest(token)
    device.label = label
    device.expires_at = now + timedelta(days=current_app.config["DEVICE_TOKEN_DAYS"])
    device.revoked_at = None
    device.last_seen_at = now
    db.session.flush()
    audit.record("device.login", "device", device.id, actor_id=user.id, device_id=device.id,
                 data={"clientID": device.client_id, "address": address})
    db.session.commit()
    return DeviceLogin(device, token)


def device_for_token(token: str) -> Device:
    """The device holding this bearer token; 401 when unknown, revoked or expired."""
    device = db.session.scalars(select(Device).where(Device.token_hash == token_digest(token))).first()
    if device is None:
        raise ApiError("unauthenticated", "The login token is not valid. Log in again.")
    if device.revoked_at is not None:
        raise ApiError("token_revoked")
    if device.expires_at <= utcnow():
        raise ApiError("token_expired")
    if not device.user.active:
        raise ApiError("account_inactive")
    return device


def logout_device(device: Device) -> None:
    """The token stops working at once."""
    device.revoked_at = utcnow()
    audit.record("device.logout", "device", device.id, actor_id=device.user_id, device_id=device.id)
    db.session.commit()


def revoke_device(admin: User, device_id: int) -> Device:
    """An admin signs a phone out (lost or stolen); only within the admin's jurisdiction."""
    from .scope import agency_in_scope

    device = db.session.get(Device, device_id)
    if device is None or not agency_in_scope(admin, device.user.agency):
        raise ApiError("not_found", "No such device.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoked_by_id = admin.id
        audit.record("device.revoke", "device", device.id, actor_id=admin.id,
                     data={"owner": device.user.username, "clientID": device.client_id})
    db.session.commit()
    return device


def list_devices(admin: User) -> list[Device]:
    from .scope import agency_subtree

    return list(db.session.scalars(
        select(Device).join(User, User.id == Device.user_id)
        .where(User.agency_id.in_(agency_subtree(admin))).order_by(Device.created_at.desc())
    ))


def session_is_current(user: User, epoch: int, logged_in_at: float) -> bool:
    """Whether a console session is still valid: not older than its lifetime, not reset since."""
    age = utcnow().timestamp() - logged_in_at
    return user.active and epoch == user.session_epoch and age < current_app.config["SESSION_HOURS"] * 3600

