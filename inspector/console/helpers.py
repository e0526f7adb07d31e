"""Template filters the console pages share."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, request

from ..i18n import t
from ..services.case_view import local_time
from ..services.queue import MAX_ID
from . import bp


@bp.url_value_preprocessor
def _ids_in_range(_endpoint: str | None, values: dict | None) -> None:
    # /console/admin/users/99999999999999999999 names nothing: 404, not a database overflow.
    if any(isinstance(v, int) and v > MAX_ID for v in (values or {}).values()):
        abort(404)


@bp.before_request
def _no_nul_characters() -> None:
    # A NUL cannot be stored or compared in a PostgreSQL text column: refuse it as bad input.
    fields = [*(request.view_args or {}).values(), *request.args.values(), *request.form.values()]
    if any(isinstance(v, str) and "\x00" in v for v in fields):
        abort(400)


@bp.app_template_filter("local")
def _local(moment: datetime | None) -> str:
    return local_time(moment)


@bp.app_template_filter("minutes")
def _minutes(delta: timedelta | None) -> str:
    """A clock difference as signed whole minutes ("+73", "-2")."""
    if delta is None:
        return ""
    return f"{int(delta.total_seconds() // 60):+d}"


@bp.app_template_filter("metres")
def _metres(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value / 1000:.2f} km" if value >= 1000 else f"{value:.0f} m"


@bp.app_template_filter("short_hash")
def _short_hash(sha256: str | None) -> str:
    return f"{sha256[:12]}…{sha256[-6:]}" if sha256 else ""


@bp.app_template_filter("event_name")
def _event_name(action: str) -> str:
    """An audit action in words ("finding.set" → 填写检查项); the raw name when the catalogue has none."""
    return t("event_" + action, default=action)
