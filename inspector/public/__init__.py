"""Public pages (no login): the published results of 双随机 checks (一公开) and their CSV."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public", template_folder="templates")

from . import views  # noqa: E402,F401  (register routes)
