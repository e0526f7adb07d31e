"""Export downloads: the queue's filters in force, streamed."""
from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, stream_with_context, url_for

from ..database import utcnow
from ..errors import ApiError
from ..services import export_jobs
from ..services import exports as export_service
from ..services import queue as queue_service
from ..services.case_numbers import CHINA
from ..services.scope import get_inspection
from . import bp
from .auth import login_required
from .errors import refused_filters
from .review import CONSOLE_READERS

MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "zip": "application/zip"}
KINDS = ("inspections.csv", "findings.csv", "samples.csv", "cases.xlsx", "bundle.zip")


def _download(stream, filename: str, *, total_cases: int | None = None) -> Response:
    body = stream_with_context(export_service.broken_off_on_failure(stream))
    response = Response(body, mimetype=MEDIA[filename.rsplit(".", 1)[1]])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # let a reverse proxy pass chunks on as they come
    if total_cases is not None:
        response.headers["X-Export-Cases"] = str(total_cases)
    return response


@bp.get("/export/<kind>")
@login_required(*CONSOLE_READERS)
def export(kind: str):
    if kind not in KINDS:
        abort(404)
    filters = queue_service.parse_filters(request.args, g.user)
    if filters.problems:
        return refused_filters(filters.problems)
    total = queue_service.count_matching(g.user, filters)
    stamp = utcnow().astimezone(CHINA).strftime("%Y%m%d-%H%M")
    name, extension = kind.rsplit(".", 1)
    filename = f"{name}-{stamp}.{extension}"
    if export_jobs.runs_as_job(kind, total):  # large: a job writes it, a page shows how far it is
        run = export_jobs.start_export(g.user, kind, list(request.args.items(multi=True)), total, filename)
        return redirect(url_for("console.export_run", export_id=run.id))
    if extension == "csv":
        return _download(export_service.stream_csv(g.user, filters, name), filename, total_cases=total)
    if extension == "xlsx":
        return _download(export_service.stream_xlsx(g.user, filters), filename, total_cases=total)
    return _download(export_service.filtered_bundle(g.user, filters), filename, total_cases=total)


@bp.get("/cases/<inspection_id>/bundle.zip")
@login_required(*CONSOLE_READERS)
def case_bundle(inspection_id: str):
    try:
        inspection = get_inspection(g.user, inspection_id)
    except ApiError:
        abort(404)
    return _download(export_service.stream_bundle(g.user, [[inspection.id]]), f"case-{inspection.id}.zip",
                     total_cases=1)


REFRESH_SECONDS = 2


@bp.get("/exports/<export_id>")
@login_required(*CONSOLE_READERS)
def export_run(export_id: str):
    try:
        run = export_jobs.get_export(g.user, export_id)
    except ApiError:
        abort(404)
    return render_template("console/export_run.html", run=run, progress=export_jobs.progress_view(run),
                           refresh=REFRESH_SECONDS)


@bp.get("/exports/<export_id>/file")
@login_required(*CONSOLE_READERS)
def export_run_file(export_id: str):
    try:
        run, data = export_jobs.export_file(g.user, export_id)
    except ApiError:
        abort(404)
    response = Response(data, mimetype=MEDIA[run.filename.rsplit(".", 1)[1]])
    response.headers["Content-Disposition"] = f'attachment; filename="{run.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
