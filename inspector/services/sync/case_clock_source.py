"""The `case_clock` rows of a pull: the case clocks (§4.2: 立案 decision, 先行登记保存, the 90-day
decision …) of the cases the user is an inspector on, read-only on the phone (CASE-O1), with
whether the clock stands still today (a recorded pause or lab time). Kept apart from pull.py's
list so the kinds of rows stay independent; registered in VALUE_SCHEMAS on import."""
from __future__ import annotations

from typing import Any

from marshmallow import fields
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from ...models import CaseClock, Inspection
from ...schemas.base import WireSchema
from ...schemas.sync import VALUE_SCHEMAS
from ..case_clocks import RULES, alert_date, listed_pauses, paused_on


class CaseClockPauseValue(WireSchema):
    kind = fields.String(dump_only=True)
    first_day = fields.Date(dump_only=True)
    last_day = fields.Date(dump_only=True)


class CaseClockValue(WireSchema):
    """One case clock as the phone shows it in 待办 and on the case."""

    id = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    inspection_id = fields.String(dump_only=True)
    rule_id = fields.String(dump_only=True, data_key="ruleID")
    step = fields.Function(lambda c: RULES[c.rule_id].step_zh if c.rule_id in RULES else c.rule_id, dump_only=True)
    title = fields.String(dump_only=True)
    start_date = fields.Date(dump_only=True)
    unit = fields.String(dump_only=True)
    n = fields.Integer(dump_only=True)
    extension = fields.Integer(dump_only=True)
    due_date = fields.Date(dump_only=True)  # 最迟
    due_raw = fields.Date(dump_only=True, allow_none=True)
    alert_date = fields.Function(lambda c: alert_date(c).isoformat(), dump_only=True)  # the day it counts in 待办
    due_provisional = fields.Boolean(dump_only=True)
    status = fields.String(dump_only=True)  # open | decided
    outcome = fields.String(dump_only=True, allow_none=True)
    case_no = fields.String(dump_only=True, allow_none=True)
    decided_on = fields.Date(dump_only=True, allow_none=True)
    paused = fields.Function(lambda c: paused_on(c), dump_only=True)
    pauses = fields.Function(lambda c: [CaseClockPauseValue().dump(p) for p in listed_pauses(c)], dump_only=True)
    owner_id = fields.Integer(dump_only=True)


VALUE_SCHEMAS.setdefault("case_clock", CaseClockValue())


def case_clock_source(source_class: Any, cases: Any, case_live: Any) -> Any:
    """The Source of the clocks of the user's cases (`cases`: pull.py's UserCases)."""
    def entry(row: Any) -> tuple[Any, Any, str, Any]:
        c = row[0]
        return c.id, c.id, "del" if c.deleted_at is not None or not row[1] else "put", c

    return source_class("case_clock", CaseClock, (CaseClock.id,),
                        select(CaseClock, case_live)
                        .join(Inspection, cases.join_on(CaseClock.inspection_id))
                        .where(cases.on(CaseClock.inspection_id))
                        .options(selectinload(CaseClock.pauses)),
                        entry, and_(CaseClock.deleted_at.is_(None), Inspection.deleted_at.is_(None)),
                        CaseClock.inspection_id)
