"""Administration: accounts, agencies' case-number settings, and checklist template life-cycle.

Every function checks the admin's jurisdiction, changes one thing, records it in the audit
trail and commits.
"""
from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from ..database import db
from ..errors import ApiError
from ..models import Agency, ChecklistTemplate, Device, User
from . import audit
from . import templates as template_service
from .passwords import hash_password
from .scope import agency_in_scope, agency_subtree

CASE_WORD = re.compile(r"^[\u4e00-\u9fa5（）()]{1,16}$")  # reference/enforcement-records.md §5
CATEGORY_WORD = re.compile(r"^[\u4e00-\u9fa5（）()]{1,6}$")
CASE_CATEGORIES = ("inspection", "penalty")
MAX_PADDING = 6
MIN_PASSWORD = 8


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise ApiError("forbidden", "Only an administrator may do this.")


# ---------------------------------------------------------------- users

def list_users(admin: User) -> list[User]:
    _require_admin(admin)
    return list(db.session.scalars(select(User).where(User.agency_id.in_(agency_subtree(admin)))
                                   .order_by(User.agency_id, User.role, User.username)))


def get_user(admin: User, user_id: int) -> User:
    _require_admin(admin)
    found = db.session.get(User, user_id)
    if found is None or not agency_in_scope(admin, found.agency):
        raise ApiError("not_found", "No such user.")
    return found


def set_active(admin: User, user_id: int, active: bool) -> User:
    """Deactivate (logins, console sessions and phone tokens stop at once) or reactivate an account."""
    target = get_user(admin, user_id)
    if target.id == admin.id and not active:
        raise ApiError("conflict", "You cannot deactivate your own account.")
    if target.active != active:
        target.active = active
        target.session_epoch += 1
        audit.record("user.activate" if active else "user.deactivate", "user", target.id, actor_id=admin.id,
                     data={"username": target.username})
    db.session.commit()
    return target


def reset_password(admin: User, user_id: int, password: str) -> User:
    """Set a new password; the user's console sessions end (phones keep their tokens)."""
    target = get_user(admin, user_id)
    if len(password) < MIN_PASSWORD:
        raise ApiError("validation_failed", "The password needs at least 8 characters.",
                       details={"password": ["at least 8 characters"]})
    target.password_hash = hash_password(password)
    target.session_epoch += 1
    audit.record("user.reset_password", "user", target.id, actor_id=admin.id, data={"username": target.username})
    db.session.commit()
    return target


def list_devices(admin: User) -> list[Device]:
    _require_admin(admin)
    return list(db.session.scalars(
        select(Device).join(User, User.id == Device.user_id).where(User.agency_id.in_(agency_subtree(admin)))
        .order_by(Device.revoked_at.is_not(None), Device.last_sync_at.desc().nulls_last(), Device.id.desc())))


# ---------------------------------------------------------------- agencies

def list_agencies(admin: User) -> list[Agency]:
    _require_admin(admin)
    return list(db.session.scalars(select(Agency).where(Agency.path.startswith(admin.agency.path))
                                   .order_by(Agency.path)))


def update_case_number_settings(admin: User, agency_id: int, *, code_word: str, category_words: dict[str, str],
                                uses_di: bool, padding: int) -> Agency:
    """Change an agency's 文号 settings; numbers already issued keep their text."""
    _require_admin(admin)
    agency = db.session.get(Agency, agency_id)
    if agency is None or not agency_in_scope(admin, agency):
        raise ApiError("not_found", "No such agency.")
    problems: dict[str, list[str]] = {}
    code_word = code_word.strip()
    if code_word and not CASE_WORD.match(code_word):
        problems["caseCodeWord"] = ["1 to 16 Chinese characters, e.g. 呼托市监"]
    words = {}
    for category in CASE_CATEGORIES:
        word = (category_words.get(category) or "").strip()
        if word and not CATEGORY_WORD.match(word):
            problems[f"categoryWord.{category}"] = ["1 to 6 Chinese characters, e.g. 检"]
        if word:
            words[category] = word
    if not 0 <= padding <= MAX_PADDING:
        problems["padding"] = [f"0 to {MAX_PADDING}"]
    if problems:
        raise ApiError("validation_failed", "Some case-number settings are not valid.", details=problems)
    before = {"caseCodeWord": agency.case_code_word, "categoryWords": agency.case_category_words,
              "usesDi": agency.case_number_uses_di, "padding": agency.case_number_padding}
    agency.case_code_word = code_word or None
    # Words of other categories (set elsewhere) are kept; the ones edited here are replaced.
    kept = {k: v for k, v in (agency.case_category_words or {}).items() if k not in CASE_CATEGORIES}
    agency.case_category_words = {**kept, **words}
    agency.case_number_uses_di = uses_di
    agency.case_number_padding = padding
    audit.record("agency.case_number_settings", "agency", agency.id, actor_id=admin.id,
                 data={"before": before, "after": {"caseCodeWord": agency.case_code_word,
                                                   "categoryWords": agency.case_category_words,
                                                   "usesDi": uses_di, "padding": padding}})
    db.session.commit()
    return agency


# ---------------------------------------------------------------- checklist templates

def list_templates(admin: User) -> list[ChecklistTemplate]:
    _require_admin(admin)
    return list(db.session.scalars(select(ChecklistTemplate).order_by(ChecklistTemplate.key,
                                                                      ChecklistTemplate.template_version.desc())))


def _require_template_owner(actor: User) -> None:
    """Checklist templates serve every league, so only the regional bureau's admins change them."""
    _require_admin(actor)
    if actor.agency.parent_id is not None:
        raise ApiError("forbidden", "Checklist templates are managed by the regional bureau's administrators.")


def import_template_text(admin: User, text: str) -> ChecklistTemplate:
    """A new draft version from JSON text; 400 listing every problem when it is not usable."""
    _require_template_owner(admin)
    try:
        body: Any = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApiError("validation_failed", "The file is not valid JSON.",
                       details={"problems": [f"line {err.lineno} column {err.colno}: {err.msg}"]}) from err
    except RecursionError as err:  # nesting deeper than any template has
        raise ApiError("validation_failed", "The file is not a usable template.",
                       details={"problems": ["the JSON is nested too deeply"]}) from err
    if not isinstance(body, dict):
        raise ApiError("validation_failed", "The template must be one JSON object.",
                       details={"problems": ["the template must be a JSON object"]})
    return template_service.import_template(body, admin)


def publish_template(admin: User, template_id: int) -> ChecklistTemplate:
    _require_template_owner(admin)
    template = template_service.get_template(template_id)
    template_service.publish_template(template, admin)
    db.session.commit()
    return template


def retire_template(admin: User, template_id: int) -> ChecklistTemplate:
    _require_template_owner(admin)
    template = template_service.get_template(template_id)
    template_service.retire_template(template, admin)
    db.session.commit()
    return template
