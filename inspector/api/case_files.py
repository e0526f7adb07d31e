"""The printed case file (案卷) of one inspection, registered as an issued document on download."""
from __future__ import annotations

from flask import Response, g
from marshmallow import fields

from ..i18n import t
from ..schemas.base import SHA256_HEX, WireSchema
from ..services import case_file as case_file_service
from .common import authenticated, bp, device_id, documented


class CaseFilePreparingOut(WireSchema):
    """202: the file is being drawn by the job; ask again after `retryAfterSeconds`."""

    status = fields.String(dump_only=True, metadata={"enum": ["preparing"]})
    state = fields.String(dump_only=True, metadata={"enum": ["queued", "drawing"]})
    message = fields.String(dump_only=True)
    photos_done = fields.Integer(dump_only=True)
    photos_total = fields.Integer(dump_only=True)
    percent = fields.Integer(dump_only=True)
    retry_after_seconds = fields.Integer(dump_only=True)


preparing_out = CaseFilePreparingOut()


@bp.get("/inspections/<inspection_id>/case-file.pdf")
@authenticated()
@documented("The case file as a PDF (application/pdf), registered with its document number and SHA-256; "
            "an unchanged case gives the same document again. A file not drawn yet answers 202 with the "
            "drawing's progress (正在生成); ask again after Retry-After seconds",
            media_types=("application/pdf",),
            response_headers={"Content-Disposition": {"schema": {"type": "string"}, "required": True},
                              "X-Document-Number": {"schema": {"type": "string"}, "required": True},
                              "X-Document-SHA256": {"schema": {"type": "string", "pattern": SHA256_HEX.regex.pattern},
                                                    "required": True}},
            responses={202: ("Being drawn (正在生成): the progress; ask again", preparing_out)})
def download_case_file(inspection_id: str):
    result = case_file_service.fetch_case_file(g.user, inspection_id, device_id=device_id())
    if isinstance(result, case_file_service.CaseFilePreparing):
        return preparing_out.dump({
            "status": "preparing", "state": result.state, "message": t("case_file_preparing"),
            "photos_done": result.done, "photos_total": result.total, "percent": result.percent,
            "retry_after_seconds": case_file_service.RETRY_AFTER_SECONDS}), 202, {
            "Retry-After": str(case_file_service.RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return pdf_response(result)


def pdf_response(issued: case_file_service.IssuedCaseFile) -> Response:
    """The issued file as a download, with its number and hash in headers (the API and the console)."""
    response = Response(issued.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = issued.content_disposition
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Document-Number"] = issued.document_no
    response.headers["X-Document-SHA256"] = issued.sha256
    return response
