"""Accounts: creating users, colleagues for the co-inspector list."""
from __future__ import annotations

from sqlalchemy import select

from ..database import db
from ..errors import ApiError
from ..models import ROLES, Agency, User
from . import audit
from .passwords import hash_password
from .scope import agency_in_scope, colleague_filter


def create_user(*, username: str, display_name: str, role: str, agency_code: str, password: str,
                cert_no: str | None = None, actor: User | None = None) -> User:
    """A new active account; an admin can only create accounts inside their own jurisdiction."""
    if role not in ROLES:
        raise ApiError("validation_failed", f"role must be one of {', '.join(ROLES)}", details={"role": [role]})
    if len(password) < 8:
        raise ApiError("validation_failed", "The password needs at least 8 characters.",
                       details={"password": ["at least 8 characters"]})
    agency = db.session.scalars(select(Agency).where(Agency.code == agency_code)).first()
    if agency is None:
        raise ApiError("validation_failed", f"No agency has the code {agency_code}.",
                       details={"agencyCode": ["unknown agency"]})
    if actor is not None and not agency_in_scope(actor, agency):
        raise ApiError("forbidden", "That agency is outside your jurisdiction.")
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise ApiError("conflict", f"The username {username} is taken.", details={"username": ["taken"]})
    if role == "inspector" and not cert_no:
        raise ApiError("validation_failed", "An inspector needs a law-enforcement certificate number (执法证号).",
                       details={"certNo": ["required for inspectors"]})
    user = User(username=username, display_name=display_name, role=role, agency=agency, cert_no=cert_no,
                password_hash=hash_password(password), active=True)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, actor_id=actor.id if actor else None,
                 data={"username": username, "role": role, "agency": agency_code})
    db.session.commit()
    return user


def colleagues(user: User) -> list[User]:
    """The user's colleagues (the inspectors of their league): who can be the second inspector on a record."""
    return list(db.session.scalars(
        select(User).join(Agency, Agency.id == User.agency_id).where(colleague_filter(user))
        .order_by(User.display_name, User.id)
    ))
