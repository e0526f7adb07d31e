"""Review pages: the queue, a case, and the decision on it."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from ..errors import ApiError
from ..i18n import t
from ..models import CATEGORIES
from ..services import case_file as case_file_service
from ..services import case_view as case_service
from ..services import queue as queue_service
from ..services import review as review_service
from . import bp
from .auth import login_required

# Who reads the queue, cases, dashboard and exports of their jurisdiction; only reviewers decide.
CONSOLE_READERS = ("reviewer", "admin", "officer", "head")


def error_text(err: ApiError, decision: str | None = None) -> str:
    """An API error in the console's language (the catalogue's English when no translation); a
    missing comment or unknown items are named, not just "fields are invalid"."""
    details = err.details if isinstance(err.details, dict) else {}
    if err.code == "validation_failed" and "comment" in details and decision in ("return", "reject"):
        return t(f"{decision}_needs_comment")
    if err.code == "validation_failed" and "itemComments" in details:
        return t("unknown_item_comments", keys="、".join(details["itemComments"]))
    return t("error_" + err.code, default=err.message)


@bp.get("/queue")
@login_required(*CONSOLE_READERS)
def queue():
    filters = queue_service.parse_filters(request.args, g.user)
    page = queue_service.queue_page(g.user, filters, request.args.get("after"), limit=queue_service.PAGE_SIZE)
    return render_template(
        "console/queue.html", filters=filters, page=page, counts=queue_service.status_counts(g.user, filters),
        statuses=queue_service.QUEUE_STATUSES, agencies=queue_service.agencies_for_filter(g.user),
        categories=CATEGORIES, cap=queue_service.COUNT_CAP, first_page=not request.args.get("after"))


@bp.get("/cases/<inspection_id>")
@login_required(*CONSOLE_READERS)
def case(inspection_id: str):
    return _render_case(inspection_id)


def _render_case(inspection_id: str, *, error: str | None = None, status: int = 200, typed: dict | None = None,
                 comment_error: bool = False):
    try:
        view = case_service.case_view(g.user, inspection_id)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        raise
    return render_template("console/case.html", view=view, case=view.inspection, error=error, typed=typed or {},
                           comment_error=comment_error,
                           can_decide=g.user.role in review_service.REVIEWER_ROLES,
                           clock_limit=int(case_service.CLOCK_MISMATCH.total_seconds() // 60),
                           far_limit=int(case_service.FAR_FROM_REGISTERED_M)), status


@bp.post("/cases/<inspection_id>/decide")
@login_required(*review_service.REVIEWER_ROLES)
def decide(inspection_id: str):
    form = request.form
    item_comments = {key[5:]: value for key, value in form.items() if key.startswith("item:") and value.strip()}
    try:
        expected = int(form.get("version", ""))
    except ValueError:
        expected = -1
    request_ = review_service.Decision(decision=form.get("decision", ""), expected_version=expected,
                                       comment=form.get("comment"), item_comments=item_comments,
                                       photos_confirmed=form.get("photos_confirmed") == "yes",
                                       signatures_confirmed=form.get("signatures_confirmed") == "yes")
    try:
        decision = review_service.decide(g.user, inspection_id, request_)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        return _render_case(inspection_id, error=error_text(err, form.get("decision")), status=err.status,
                            comment_error=err.code == "validation_failed" and "comment" in (err.details or {}),
                            typed={"comment": form.get("comment", ""), "decision": form.get("decision"),
                                   "items": item_comments})
    if decision.decision == "approve":
        flash(t("decided_approve", number=decision.case_number), "ok")
    else:
        flash(t("decided_" + decision.decision), "ok")
    return redirect(url_for("console.case", inspection_id=inspection_id))


@bp.get("/cases/<inspection_id>/case-file")
@login_required(*CONSOLE_READERS)
def case_file(inspection_id: str):
    """The case file when it is ready; else a page saying 正在生成 that asks again until it is."""
    from ..api.case_files import pdf_response

    try:
        result = case_file_service.fetch_case_file(g.user, inspection_id)
    except ApiError as err:
        if err.status == 404:
            abort(404)
        return _render_case(inspection_id, error=error_text(err), status=err.status)
    if isinstance(result, case_file_service.CaseFilePreparing):
        return render_template("console/case_file_preparing.html", progress=result, inspection_id=inspection_id,
                               refresh=case_file_service.RETRY_AFTER_SECONDS), 202, {
            "Refresh": str(case_file_service.RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return pdf_response(result)
