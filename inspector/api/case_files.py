"""The printed case file (案卷) of one inspection, registered as an issued document on download."""
from __future__ import annotations

from flask import Response, g

from ..schemas.base import SHA256_HEX
from ..services import case_file as case_file_service
from .common import authenticated, bp, device_id, documented


@bp.get("/inspections/<inspection_id>/case-file.pdf")
@authenticated()
@documented("The case file as a PDF (application/pdf), registered with its document number and SHA-256; "
            "an unchanged case gives the same document again", media_types=("application/pdf",),
            response_headers={"Content-Disposition": {"schema": {"type": "string"}, "required": True},
                              "X-Document-Number": {"schema": {"type": "string"}, "required": True},
                              "X-Document-SHA256": {"schema": {"type": "string", "pattern": SHA256_HEX.regex.pattern},
                                                    "required": True}})
def download_case_file(inspection_id: str):
    issued = case_file_service.issue_case_file(g.user, inspection_id, device_id=device_id())
    response = Response(issued.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = issued.content_disposition
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Document-Number"] = issued.document_no
    response.headers["X-Document-SHA256"] = issued.sha256
    return response
