"""Public verification of issued documents: /verify/<token> (the QR target) and /verify (upload a PDF)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("verify", __name__, url_prefix="/verify", template_folder="templates")

from . import reports, views  # noqa: E402,F401  (register routes)
