"""Pages anyone may open without logging in: what a printed page's QR code leads to, and a file check."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from ..pdf.wording import cn_date, cn_datetime
from ..services import documents
from . import bp


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"cn_time": cn_datetime, "cn_day": lambda iso: cn_date(date.fromisoformat(iso)) if iso else "／"}


@bp.after_request
def _private(response):
    # The token in the address is the key to the page: keep it out of referrers, caches and indexes.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/<token>")
def document(token: str):
    found = documents.check_document(token)
    if found is None:
        return render_template("verify/not_found.html"), 404
    return render_template("verify/document.html", check=found, doc=found.document, summary=found.summary)


@bp.route("", methods=["GET", "POST"])
def upload():
    if request.method == "GET":
        return render_template("verify/upload.html", check=None)
    result = documents.check_upload(_uploaded_stream(), _max_bytes())
    status = {"empty": 400, "not_pdf": 400, "too_large": 413}.get(result.outcome, 200)
    return render_template("verify/upload.html", check=result, max_mb=_max_bytes() // 2**20), status


def _uploaded_stream():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return upload.stream


def _max_bytes() -> int:
    return int(current_app.config["MAX_CONTENT_LENGTH"])


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_err):
    check = documents.UploadCheck("too_large")
    return render_template("verify/upload.html", check=check, max_mb=_max_bytes() // 2**20), 413


@bp.errorhandler(CSRFError)
def _form_expired(_err):
    return render_template("verify/upload.html", check=documents.UploadCheck("form_expired")), 400

