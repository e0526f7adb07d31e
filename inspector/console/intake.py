"""Console: importing a 12315 export into the register (upload → map columns → preview → confirm).

The file's bytes travel back with each step in a hidden field, so nothing of the file is kept on
the server before the user confirms the preview.
"""
from __future__ import annotations

import base64
import binascii

from flask import abort, flash, g, redirect, render_template, request, url_for

from ..database import utcnow
from ..i18n import t
from ..services import register_export as register_export_service
from ..services.case_numbers import CHINA
from ..services.complaints import REGISTER_ROLES
from ..services.intake import importing
from ..services.intake.filings import IMPORT_ROLES
from ..services.intake.mapping import FIELDS
from ..services.intake.reading import MAX_BYTES, UnreadableFile
from . import bp
from .auth import login_required
from .exports import _download



def _file_from_form() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read(MAX_BYTES + 1)
        return upload.filename, data
    try:
        data = base64.b64decode(request.form.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    return request.form.get("filename", ""), data


def _mapping_from_form() -> dict[str, str]:
    return {f.key: request.form.get("map_" + f.key, "") for f in FIELDS}


@bp.route("/filings/import", methods=["GET", "POST"])
@login_required(*IMPORT_ROLES)
def register_import():
    if request.method == "GET":
        return render_template("console/register_import.html", step="upload", fields=FIELDS)
    filename, data = _file_from_form()
    try:
        table = importing.open_file(filename, data)
    except UnreadableFile as exc:
        return render_template("console/register_import.html", step="upload", fields=FIELDS,
                               error=t("import_bad_" + exc.code, **exc.values)), 422
    carried = {"filename": filename, "data": base64.b64encode(data).decode()}
    step = request.form.get("step", "upload")
    if step == "upload":
        mapping, remembered = importing.proposed_mapping(g.user, table)
        return render_template("console/register_import.html", step="map", fields=FIELDS, table=table,
                               mapping=mapping, remembered=remembered, carried=carried)
    mapping = _mapping_from_form()
    try:
        if step == "confirm":
            result = importing.confirm(g.user, table, mapping)
            flash(t("import_done", new=len(result.new), duplicates=len(result.duplicates)), "ok")
            return redirect(url_for("console.register_import"))
        result = importing.preview(g.user, table, mapping)
    except importing.MappingRefused as exc:
        return render_template("console/register_import.html", step="map", fields=FIELDS, table=table,
                               mapping=mapping, remembered=False, carried=carried, problems=exc.problems), 422
    except importing.ImportRefused:
        result = importing.preview(g.user, table, mapping)
        return render_template("console/register_import.html", step="preview", fields=FIELDS, table=table,
                               mapping=mapping, carried=carried, result=result, error=t("import_has_errors")), 422
    return render_template("console/register_import.html", step="preview", fields=FIELDS, table=table,
                           mapping=mapping, carried=carried, result=result), 422 if result.errors else 200


# ---------------------------------------------------------------- exports of the register

EXPORTS = ("filings.csv", "deadlines.csv", "register.xlsx")


@bp.get("/filings/export/<kind>")
@login_required(*REGISTER_ROLES)
def register_export(kind: str):
    if kind not in EXPORTS:
        abort(404)
    name, extension = kind.rsplit(".", 1)
    filename = f"{name}-{utcnow().astimezone(CHINA).strftime('%Y%m%d-%H%M')}.{extension}"
    if extension == "csv":
        return _download(register_export_service.stream_csv(g.user, name), filename)
    return _download(register_export_service.stream_xlsx(g.user), filename)
