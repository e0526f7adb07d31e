"""Template filters the console pages share."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..services.case_view import local_time
from . import bp


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
