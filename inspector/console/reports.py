"""Console pages for reporting upward (上报): what the bureau owes and the bureaus below it,
one-click reports, the draft (typed figures, narrative, typical cases), submission, the PDF, and the
dates a league sets for its counties."""
from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for

from ..database import db
from ..errors import ApiError
from ..i18n import t
from ..models import Campaign
from ..pdf.reports import ReportRenderer
from ..services.dashboard import campaigns as dashboard_campaigns
from ..services.reports import deadlines as D
from ..services.reports import figures as F
from ..services.reports import service as R
from ..services.reports import todo as _todo  # noqa: F401  (registers the 待办 source)
from . import bp
from .auth import login_required
from .review import CONSOLE_READERS
from .tasks import _message


def _campaign() -> Campaign | None:
    raw = request.values.get("campaign", "")
    found = db.session.get(Campaign, int(raw)) if raw.isdigit() and int(raw) < 2**31 else None
    if found is None or found.deleted_at is not None:
        covering = D.campaigns_covering(g.user.agency)
        if covering:
            return covering[0]
        campaigns = _all_campaigns()
        return campaigns[0] if campaigns else None
    return found


def _all_campaigns() -> list[Campaign]:
    return dashboard_campaigns()


def _standings(campaign: Campaign | None) -> tuple[list, list]:
    """(what the user's bureau owes, what each bureau below owes) with their states."""
    if campaign is None:
        return [], []
    mine = [D.standing(ob, g.user.agency) for ob in D.obligations_of(g.user.agency, campaign)]
    below = []
    for agency in D.below(g.user):
        if agency.id == g.user.agency_id:
            continue
        below += [D.standing(ob, agency) for ob in D.obligations_of(agency, campaign)]
    return mine, below


@bp.get("/reports")
@login_required(*CONSOLE_READERS)
def reports(error: str | None = None, status: int = 200, form: dict | None = None):
    campaign = _campaign()
    mine, below = _standings(campaign)
    kinds = [k for k in ("plan", "summary", "special") if any(x.obligation.kind == k for x in below)]
    return render_template("console/reports.html", campaign=campaign, campaigns=_all_campaigns(), mine=mine,
                           kinds=kinds, form=form or {},
                           below=below, reports=R.reports_of(g.user, campaign), error=error,
                           can_write=g.user.role in R.WRITERS and g.user.agency.level in ("league", "county"),
                           sets_dates=g.user.role in R.WRITERS and g.user.agency.level in ("region", "league"),
                           own_dates=D.dates_set_by(campaign, g.user.agency) if campaign else {}), status


@bp.post("/reports")
@login_required(*CONSOLE_READERS)
def report_create():
    try:
        report = R.create_report(g.user, campaign_id=request.form.get("campaign"), kind=request.form.get("kind"),
                                 period_from=request.form.get("period_from"), period_to=request.form.get("period_to"))
    except ApiError as err:
        return reports(error=_message(err), status=err.status, form=request.form.to_dict())
    return redirect(url_for("console.report", report_id=report.id))


@bp.post("/reports/dates")
@login_required(*CONSOLE_READERS)
def report_dates():
    campaign = _campaign()
    entries, problems = {}, []
    for kind in D.SEED_DATES:
        raw = request.form.get(f"due:{kind}", "").strip()
        if not raw:
            continue
        try:
            due = date.fromisoformat(raw)
            start = request.form.get(f"from:{kind}", "").strip()
            end = request.form.get(f"to:{kind}", "").strip()
            entries[kind] = (due, date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)
        except ValueError:
            problems.append(kind)
    if problems or campaign is None or g.user.role not in R.WRITERS:
        return reports(error=t("error_page_400"), status=400 if campaign else 404)
    try:
        warnings = D.set_dates(g.user, campaign, entries)
    except ApiError as err:
        return reports(error=_message(err), status=err.status)
    notes = [t("reports_rest_day", day=day) + " " + when if what == "rest" else t("reports_later", due=when, own=day)
             for what, when, day in (w.split(":") for w in warnings)]
    flash("；".join([t("reports_dates_saved"), *notes]), "ok")
    return redirect(url_for("console.reports", campaign=campaign.id))


def _page(report, form=None, error=None, status=200):
    rollup = R.rollup_of(report) if report.status == "draft" else None
    rows = ([R.FigureRow(r["key"], r["group"], r["value"], r["source"], r["note"]) for r in report.snapshot["figures"]]
            if report.status == "submitted" else R.figure_rows(report, rollup))
    return render_template("console/report.html", report=report, rows=rows, rollup=rollup,
                           snapshot=report.snapshot, form=form, error=error, figures=F.FIGURES,
                           choices=R.typical_case_choices(report) if report.status == "draft" else [],
                           mine=report.agency_id == g.user.agency_id and g.user.role in R.WRITERS), status


def _form() -> dict:
    data = {k: v for k, v in request.form.items() if k != "typical_cases"}
    data["typical_cases"] = request.form.getlist("typical_cases")
    return data


@bp.get("/reports/<report_id>")
@login_required(*CONSOLE_READERS)
def report(report_id: str):
    return _page(R.get_report(g.user, report_id))


@bp.post("/reports/<report_id>")
@login_required(*CONSOLE_READERS)
def report_save(report_id: str):
    found = R.get_report(g.user, report_id)
    action = request.form.get("action", "save")
    try:
        if action == "submit":
            R.submit(g.user, found, _form())
            flash(t("reports_submitted_ok"), "ok")
        else:
            R.save_draft(g.user, found, _form())
            flash(t("reports_saved"), "ok")
    except ApiError as err:
        return _page(R.get_report(g.user, report_id), form=_form(), error=_message(err), status=err.status)
    return redirect(url_for("console.report", report_id=report_id))


def verify_url(report) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
    return f"{base.rstrip('/')}/verify/report/{report.verify_token}"


@bp.get("/reports/<report_id>/report.pdf")
@login_required(*CONSOLE_READERS)
def report_pdf(report_id: str):
    found = R.get_report(g.user, report_id)
    if found.status != "submitted":
        return _page(found, error=t("error_page_404"), status=404)
    pdf = ReportRenderer(found.snapshot, found.snapshot_sha256, verify_url(found),
                         font_path=current_app.config.get("CJK_FONT_PATH")).render()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="report-{found.report_no}.pdf"'
    return response

