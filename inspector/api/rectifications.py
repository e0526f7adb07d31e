"""A 责令改正通知书 as a PDF, for the phone that issued it (after it synced) and the console."""
from __future__ import annotations

from flask import Response, g

from ..services import rectification as service
from .common import authenticated, bp, device_id, documented


@bp.get("/rectifications/<order_id>/notice.pdf")
@authenticated()
@documented("The 责令改正通知书 as a PDF (application/pdf): clean once issued, marked 未签发 while it awaits "
            "a 负责人's approval; an issued one is registered (文书编号, QR code to /verify) the first time "
            "its content is handed out", media_types=("application/pdf",),
            response_headers={"X-Document-Number": {"schema": {"type": "string"}, "required": False,
                                                    "description": "The register's number (issued orders only)"}})
def download_rectification(order_id: str):
    order = service.get_order(g.user, order_id)
    pdf, number = service.issue_pdf(g.user, order, device_id=device_id())
    response = Response(pdf, mimetype="application/pdf")
    if number:
        response.headers["X-Document-Number"] = number
    response.headers["Content-Disposition"] = 'inline; filename="rectification.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
