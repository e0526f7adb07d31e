"""A 责令改正通知书 as a PDF, for the phone that issued it (after it synced) and the console."""
from __future__ import annotations

from flask import Response, g

from ..services import rectification as service
from .common import authenticated, bp, documented


@bp.get("/rectifications/<order_id>/notice.pdf")
@authenticated()
@documented("The 责令改正通知书 as a PDF (application/pdf): clean once issued, marked 未签发 while it awaits "
            "a 负责人's approval", media_types=("application/pdf",))
def download_rectification(order_id: str):
    order = service.get_order(g.user, order_id)
    response = Response(service.render_pdf(order), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="rectification.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
