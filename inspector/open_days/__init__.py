"""Public pages of the lab open days: the list, booking a slot, the result lookup (no login)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("open_days", __name__, url_prefix="/open-days", template_folder="templates")

from . import views  # noqa: E402,F401  (register routes)
