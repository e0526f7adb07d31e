"""rectification.issue.v1: a 责令改正通知书 issued on the phone at the scene, offline, stored when it
syncs (services/rectification owns the rules).

The caller must be one of the case's inspectors; the case may be a draft or already submitted
(the order is its own 文书). Under the agency's standing authorisation the order is issued (it gets
its 文号 and prints clean); otherwise it waits for a 负责人's approval in the console and prints
watermarked. The id is made on the phone: a resent mutation finds its order and changes nothing.
Anything the rules refuse (a due date not after the day of issue, an item the checklist lacks, a
refusal without a witness) is answered `rejected` with reasons, and the phone keeps the text.
"""
from __future__ import annotations

from typing import Any

from ...errors import ApiError
from ...schemas.sync import RectificationIssueArgs
from .. import rectification as service
from .context import MutationContext, Rejection, reason, reasons_from
from .mutations import case_for, mutation


@mutation("rectification.issue.v1", RectificationIssueArgs())
def issue_rectification(ctx: MutationContext, args: dict[str, Any]) -> None:
    inspection = case_for(ctx, args["inspection_id"], editable=False)
    try:
        service.create_order(ctx.user, inspection, args, on_site=True, device_id=ctx.push.device_id)
    except ApiError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        zh = details.get("message_zh") or details.get("messageZh")
        fields = [k for k, v in details.items() if isinstance(v, list)]
        if zh:
            raise Rejection(reason("invalid" if exc.code == "validation_failed" else exc.code, exc.message, zh,
                                   fields[0] if fields else None)) from None
        raise Rejection(*reasons_from(exc)) from None
    ctx.audited = True  # the service recorded the order (and its service)
