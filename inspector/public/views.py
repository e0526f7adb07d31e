"""What anyone may read without logging in: the results of random checks (一公开)."""
from __future__ import annotations

from flask import Response, render_template

from ..clock import today_cn
from ..services.draws import results
from . import bp


@bp.get("/checks")
def checks():
    return render_template("public/checks.html", rows=results.public_rows(), columns=results.PUBLIC_COLUMNS)


@bp.get("/checks.csv")
def checks_csv():
    body = results.public_csv(results.public_rows())
    name = f"shuangsuiji-{today_cn().isoformat()}.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
