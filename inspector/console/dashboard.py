"""The campaign dashboard and its summary report (PDF)."""
from __future__ import annotations

from flask import Response, current_app, g, render_template, request

from ..database import utcnow
from ..i18n import t
from ..services import dashboard as dashboard_service
from ..services.case_clocks import followup_stats
from ..services.campaign_report import CampaignReportRenderer
from ..services.case_numbers import CHINA
from ..services.queue import agencies_for_filter
from ..services.reports.figures import FIGURES
from ..services.tasks.exposure import exposure_tasks
from . import bp
from .auth import login_required
from .charts import bar_chart
from .errors import refused_filters
from .review import CONSOLE_READERS


@bp.get("/dashboard")
@login_required(*CONSOLE_READERS)
def dashboard():
    filters = dashboard_service.parse_dashboard_filters(request.args, g.user)
    data = dashboard_service.build_dashboard(g.user, filters)
    series = [t("inspections"), t("failed_items"), t("samples")]

    def chart(title, groups, label):
        return bar_chart(title, [(label(x), [x.counts.inspections, x.counts.failed_items, x.counts.samples])
                                 for x in groups], series)

    charts = {
        "category": chart(t("by_category"), data.by_category, lambda x: t("category_" + x.key)),
        "league": chart(t("by_league"), data.by_league, lambda x: x.label),
        "county": chart(t("by_county"), data.by_county, lambda x: x.label),
    }
    return render_template("console/dashboard.html", data=data, filters=filters, charts=charts,
                           campaigns=dashboard_service.campaigns(), agencies=agencies_for_filter(g.user),
                           args=request.args.to_dict(), exposures=exposure_tasks(g.user),
                           filing_stats=dashboard_service.build_filing_stats(g.user, filters),
                           figure_kinds={k: f.kind for k, f in FIGURES.items()},
                           followup=followup_stats(g.user, filters.date_from, filters.date_to, filters.agency_id))


@bp.get("/dashboard/report.pdf")
@login_required(*CONSOLE_READERS)
def dashboard_report():
    filters = dashboard_service.parse_dashboard_filters(request.args, g.user)
    if filters.problems:
        return refused_filters(filters.problems)
    data = dashboard_service.build_dashboard(g.user, filters)
    now = utcnow().astimezone(CHINA)
    pdf = CampaignReportRenderer(data, now.replace(tzinfo=None), f"{g.user.display_name} · {g.user.agency.name}",
                                 font_path=current_app.config.get("CJK_FONT_PATH")).render()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="campaign-report-{now:%Y%m%d}.pdf"'
    return response
