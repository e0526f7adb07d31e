"""The review console: server-rendered pages for reviewers and admins."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")

from . import admin, auth, complaints, dashboard, errors, exports, followup, helpers, intake, labs, open_days, plans, reports, review, tasks, todo, views  # noqa: E402,F401  (register routes)


@bp.record_once
def _error_pages(state) -> None:
    state.app.extensions["html_error_page"] = errors.console_error_pages
