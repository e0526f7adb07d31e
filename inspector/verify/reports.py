"""/verify/report/<token>: the address printed on a report upward. It recomputes the SHA-256 of the
stored snapshot and says whether it still equals the hash fixed at submission (and printed on
the paper); it shows what identifies the report, not its content."""
from __future__ import annotations

from flask import render_template

from ..services.reports import service as R
from . import bp


@bp.get("/report/<token>")
def report(token: str):
    found = R.by_token(token)
    if found is None:
        return render_template("verify/not_found.html"), 404
    recomputed = R.snapshot_hash(found.snapshot or {})
    return render_template("verify/report.html", report=found, snapshot=found.snapshot, recomputed=recomputed,
                           matches=recomputed == found.snapshot_sha256)
