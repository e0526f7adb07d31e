"""Console pages of a sample's lab life: the samples of the jurisdiction, a sample's page with its
steps (sent, received, result typed or imported from the lab's CSV, notice, delivery, 复检), and
the 检验结果告知书 as a PDF."""
from __future__ import annotations

import re

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..clock import today_cn
from ..database import db
from ..errors import ApiError
from ..i18n import t
from ..schemas.labs import STEP_SCHEMAS
from ..services import labs
from ..services.labs import importing, notice
from ..services.labs.failures import lab_failure_followups
from ..services.labs.life import open_retest
from ..services.labs.rules import lab_dates
from . import bp
from .auth import login_required

ITEM_FIELD = re.compile(r"^item-(\d{1,2})-([A-Za-z]+)$")
FORM_BOOLEANS = ("backupSealIntact",)


def _form_body(action: str) -> dict:
    """The posted form as the step's wire body: empty fields left out, result rows gathered."""
    body: dict = {}
    rows: dict[int, dict] = {}
    for key, value in request.form.items():
        if key in ("csrf_token", "action") or not value.strip():
            continue
        match = ITEM_FIELD.match(key)
        if match:
            name = match.group(2)
            rows.setdefault(int(match.group(1)), {})[name] = value in ("1", "on", "true") if name == "isMandatory" \
                else value
        else:
            body[key] = value in ("1", "true", "on", "yes") if key in FORM_BOOLEANS else value
    if action == "result":
        upload = request.files.get("csv")
        if upload is not None and upload.filename:
            body["items"] = importing.items_from_csv(upload.read())
        else:
            body["items"] = [rows[i] for i in sorted(rows) if set(rows[i]) - {"isMandatory"}]
    return body


def _messages(err: Exception) -> str:
    if isinstance(err, ValidationError):
        messages = err.messages if isinstance(err.messages, dict) else {"_": err.messages}
    else:
        messages = err.details if isinstance(err.details, dict) else {}
        if err.code not in ("validation_failed",) and messages.get("message"):
            return messages["message"]
        if err.code not in ("validation_failed",):
            return err.message
    flat = []
    for key, value in messages.items():
        if isinstance(value, dict):  # nested: items -> {0: {measured: [...]}}
            for index, inner in value.items():
                flat.append(f"{key}.{index}: {inner}")
        else:
            flat.append(f"{key}: {'；'.join(map(str, value)) if isinstance(value, list) else value}")
    return "；".join(flat)


@bp.get("/samples")
@login_required(*labs.LAB_ROLES)
def samples():
    return render_template("console/samples.html", rows=labs.samples_in_scope(g.user), status_of=labs.status_of)


@bp.get("/samples/<sample_id>")
@login_required(*labs.LAB_ROLES)
def sample_lab(sample_id: str, error: str | None = None, typed: dict | None = None, status: int = 200):
    try:
        sample, lab = labs.lab_sample(g.user, sample_id)
    except ApiError as err:
        abort(err.status)
    state = labs.status_of(lab)
    return render_template("console/sample_lab.html", sample=sample, lab=lab, state=state,
                           actions=[a for a, starts in labs.STEPS.items() if state in starts],
                           report=labs.current_report(lab), retest_report=labs.current_report(lab, "retest"),
                           retest=open_retest(lab) if lab else None, references=labs.REFERENCE_ROWS,
                           by_code=labs.BY_CODE, pauses=labs.sample_pauses(lab) if lab else [],
                           lab_dates=lab_dates(sample, lab), followups=lab_failure_followups(sample.id),
                           today=today_cn(), error=error, typed=typed or {}), status


@bp.post("/samples/<sample_id>/steps")
@login_required(*labs.LAB_ROLES)
def sample_lab_step(sample_id: str):
    action = request.form.get("action", "")
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        if action not in STEP_SCHEMAS:
            raise ApiError("bad_request", f"Unknown step {action!r}.")
        body = _form_body(action)
        source = "csv" if action == "result" and request.files.get("csv") and request.files["csv"].filename \
            else "console"
        labs.step(g.user, sample_id, action, STEP_SCHEMAS[action].load(body), source=source)
    except (ValidationError, ApiError) as err:
        db.session.rollback()
        if isinstance(err, ApiError) and err.status in (403, 404):
            abort(err.status)
        status = err.status if isinstance(err, ApiError) else 400
        return sample_lab(sample_id, error=t("lab_step_error", message=_messages(err)), typed=typed, status=status)
    flash(t("lab_step_done", step=t("lab_action_" + action)), "ok")
    return redirect(url_for("console.sample_lab", sample_id=sample_id))


@bp.get("/samples/<sample_id>/notice.pdf")
@login_required(*labs.LAB_ROLES)
def sample_lab_notice(sample_id: str):
    try:
        sample, lab = labs.lab_sample(g.user, sample_id)
        pdf = notice.render_notice(sample, lab)
    except ApiError as err:
        abort(err.status)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="lab-notice-{sample_id}.pdf"'})
