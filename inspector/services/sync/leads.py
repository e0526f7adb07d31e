"""complaint.create.v1: a lead (线索) an inspector recorded on the phone, offline, registered in the
complaints register when it syncs.

It goes through the register's own checks and registration (services/intake/filings.py), inside
this mutation's transaction; the lead's id is made on the phone, so a resent mutation finds its
filing and changes nothing. Anything the register refuses (no respondent, a complaint without the
complainant's name and phone, a received time in the future) is answered `rejected` with reasons,
and the phone keeps the text.
"""
from __future__ import annotations

from typing import Any

from ...errors import ApiError
from ...schemas.sync import ComplaintCreateArgs
from ..intake.filings import register_from_phone
from .context import MutationContext, reason, reasons_from, Rejection
from .mutations import mutation

# The register's refusals by field, in the inspector's words.
_ZH = {
    "receivedAt": "接收时间不能晚于现在，也不能早于2020年1月1日。",
    "partyID": "当事人不存在，或不在您的管辖范围内。",
    "respondentName": "请填写被投诉/被举报单位。",
    "personName": "投诉（或实名举报）需要投诉人/举报人的姓名和联系电话。",
    "personPhone": "投诉（或实名举报）需要投诉人/举报人的姓名和联系电话。",
    "anonymous": "投诉不能匿名；匿名的请登记为举报。",
}


@mutation("complaint.create.v1", ComplaintCreateArgs())
def create_complaint(ctx: MutationContext, args: dict[str, Any]) -> None:
    try:
        register_from_phone(ctx.user, args)
    except ApiError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        if exc.code == "validation_failed" and details:
            raise Rejection(*[reason("invalid", f"{field}: {'; '.join(map(str, messages))}",
                                     _ZH.get(field, "填写的内容不符合要求。"), field)
                              for field, messages in details.items()]) from None
        if exc.code == "conflict":
            raise Rejection(reason("duplicate_id", "A filing with this id was registered by someone else.",
                                   "该线索编号已被他人使用。", "id")) from None
        raise Rejection(*reasons_from(exc)) from None
    ctx.audited = True  # the register recorded the filing's registration
