"""Pages anyone may open without logging in: what a printed page's QR code leads to, and a file check."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from ..console.auth import session_user
from ..errors import ApiError
from ..pdf.wording import cn_date, cn_datetime
from ..services import documents
from ..services.verification import access, pages, public
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
    return render_template("verify/document.html", check=found, doc=found.document,
                           summary=public.public_summary(found.document, found.summary))


@bp.route("/<token>/<int:page_no>", methods=["GET", "POST"])
def page(token: str, page_no: int):
    """What a page's QR code leads to: that page's status, and the page as issued to those who may see it."""
    found = documents.check_document(token)
    place = pages.page_place(found.summary, page_no) if found is not None else None
    if found is None or place is None:
        return render_template("verify/not_found.html"), 404
    document, error, status = found.document, None, 200
    if request.method == "POST":
        try:
            access.enter_code(document, request.form.get("code", ""), request.remote_addr or "?")
            return redirect(url_for("verify.page", token=token, page_no=page_no), 303)
        except ApiError as err:
            error, status = err, err.status
    viewer = access.viewer(document, session_user())
    image = viewer.may_see_pages and pages.page_image(document, page_no) is not None
    return render_template("verify/document.html", check=found, doc=document,
                           summary=public.public_summary(found.document, found.summary), page=place, viewer=viewer,
                           page_image=image, code_error=error), status


@bp.get("/<token>/<int:page_no>/image.png")
def page_image(token: str, page_no: int):
    """The page as issued, drawn from the registered file: for an officer in scope or after the access code."""
    found = documents.check_document(token)
    if found is None or pages.page_place(found.summary, page_no) is None:
        abort(404)
    if not access.viewer(found.document, session_user()).may_see_pages:
        abort(403)
    image = pages.page_image(found.document, page_no)
    if image is None:
        abort(404)
    return current_app.response_class(image, mimetype="image/png")


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

