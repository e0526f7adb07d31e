"""The figures whose records came after the registry (next-capabilities.md §5.3): lab results
(抽样检验), rectification orders (整改), case clocks' outcomes (案件) and lab open days (宣传服务).

Each replaces the `pending` entry of its key in `figures.FIGURES`; `figures` imports this module
last, so whoever reads the registry sees them. Scoped like the others: the agencies (the case's
county), the period (China calendar days, on the date named per figure), the campaign (of the
inspection the record follows; open days carry their own) and what the user may see.

Still pending, no record holds them: `dens_destroyed` (捣毁窝点: no field on a decision) and
`farmer_losses_recovered` (为农民挽回损失: no field on a filing's mediation or a decision).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from ...database import db
from ...models import CaseClock, Inspection, LabReport, OpenDay, OpenDayBooking, OpenDaySample, RectificationOrder
from ...models.lab import SampleLab
from ..scope import agency_subtree
from .figures import FigureScope, counted_inspections, figure


def _agency_record(scope: FigureScope, agency_col, inspection_col, day_col) -> list:
    """Conditions for a record of a county (agency_col), following an inspection (for the campaign),
    dated by day_col."""
    where = []
    if scope.agency_ids is not None:
        where.append(agency_col.in_(scope.agency_ids))
    if scope.user is not None:
        where.append(agency_col.in_(agency_subtree(scope.user)))
    if scope.campaign_id is not None:
        where.append(inspection_col.in_(select(Inspection.id).where(Inspection.campaign_id == scope.campaign_id)))
    if scope.date_from:
        where.append(day_col >= scope.date_from)
    if scope.date_to:
        where.append(day_col <= scope.date_to)
    return where


def _yuan(value) -> int | float:
    amount = Decimal(value or 0)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# ---------------------------------------------------------------- 抽样检验 (§3)

def _tested_samples(scope: FigureScope):
    """Samples of counted inspections with a supervisory report arrived, and each one's conclusion
    as it stands: a 复检 report, when there is one, replaces the first."""
    rows = db.session.execute(select(LabReport.sample_id, LabReport.check_type, LabReport.conclusion).join(
        SampleLab, SampleLab.id == LabReport.sample_id).where(
        SampleLab.inspection_id.in_(counted_inspections(scope))).order_by(LabReport.entered_at))
    standing: dict[str, str] = {}
    for sample_id, check_type, conclusion in rows:
        if check_type == "retest" or sample_id not in standing:
            standing[sample_id] = conclusion
    return standing


@figure("samples_tested", "sampling")
def samples_tested(scope: FigureScope) -> int:
    """检验完成批次: samples (of the counted inspections) whose lab report arrived."""
    return len(_tested_samples(scope))


@figure("samples_failed", "sampling")
def samples_failed(scope: FigureScope) -> int:
    """不合格批次: of those, the ones whose report (or 复检 report) concludes 不合格."""
    return sum(1 for conclusion in _tested_samples(scope).values() if conclusion == "fail")


# ---------------------------------------------------------------- 整改 (§4.1)

@figure("rectification_orders", "cases")
def rectification_orders(scope: FigureScope) -> int:
    """责令改正份数: orders issued (not awaiting approval, not withdrawn), by their day of issue."""
    return db.session.scalar(select(func.count()).select_from(RectificationOrder).where(
        RectificationOrder.status.not_in(("pending", "withdrawn")),
        *_agency_record(scope, RectificationOrder.agency_id, RectificationOrder.inspection_id,
                        RectificationOrder.issued_on))) or 0


# ---------------------------------------------------------------- 案件 (§4.2)

def _clocks(scope: FigureScope, *extra) -> list:
    """Case clocks by their start day, as the case-clocks page and `case_clocks.stats` date them."""
    return [*_agency_record(scope, CaseClock.agency_id, CaseClock.inspection_id, CaseClock.start_date), *extra]


def _count_clocks(scope: FigureScope, *extra) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseClock).where(*_clocks(scope, *extra))) or 0


def decisions_total(scope: FigureScope, column) -> Decimal:
    """Σ of a decision's amount (fine_yuan, goods_value_yuan) in yuan; the dashboard shows it as is."""
    return Decimal(db.session.scalar(select(func.coalesce(func.sum(column), 0)).where(
        *_clocks(scope, CaseClock.rule_id == "CASE-8"))) or 0)


@figure("cases_opened", "cases")
def cases_opened(scope: FigureScope) -> int:
    """立案数: 立案 clocks (CASE-1) whose outcome is 立案."""
    return _count_clocks(scope, CaseClock.rule_id == "CASE-1", CaseClock.outcome == "filed")


@figure("cases_closed", "cases")
def cases_closed(scope: FigureScope) -> int:
    """结案数: cases decided (CASE-8 clocks with their decision: 处罚, 不予处罚 or 移送)."""
    return _count_clocks(scope, CaseClock.rule_id == "CASE-8", CaseClock.status == "decided")


@figure("goods_value", "cases", "yuan")
def goods_value(scope: FigureScope) -> int | float:
    """查获假劣农资货值: Σ 货值金额 of the decisions."""
    return _yuan(decisions_total(scope, CaseClock.goods_value_yuan))


@figure("fines", "cases", "yuan")
def fines(scope: FigureScope) -> int | float:
    """罚没款: Σ fines of the decisions."""
    return _yuan(decisions_total(scope, CaseClock.fine_yuan))


@figure("police_transfers", "cases")
def police_transfers(scope: FigureScope) -> int:
    """移送公安 (件): decisions referring the case to the police."""
    return _count_clocks(scope, CaseClock.rule_id == "CASE-8", CaseClock.outcome == "referral_police")


# ---------------------------------------------------------------- 开放日 (§6)

def _open_days(scope: FigureScope) -> list:
    where = [OpenDay.cancelled_at.is_(None), OpenDay.published_at.is_not(None)]
    if scope.agency_ids is not None:
        where.append(OpenDay.agency_id.in_(scope.agency_ids))
    if scope.user is not None:
        where.append(OpenDay.agency_id.in_(agency_subtree(scope.user)))
    if scope.campaign_id is not None:
        where.append(OpenDay.campaign_id == scope.campaign_id)
    if scope.date_from:
        where.append(OpenDay.first_day >= scope.date_from)
    if scope.date_to:
        where.append(OpenDay.first_day <= scope.date_to)
    return where


@figure("open_days", "publicity")
def open_days(scope: FigureScope) -> int:
    """实验室开放日场次: open days published and held (not cancelled), by their first day."""
    return db.session.scalar(select(func.count()).select_from(OpenDay).where(*_open_days(scope))) or 0


@figure("free_tests", "publicity")
def free_tests(scope: FigureScope) -> int:
    """免费检验批次: samples brought to those open days with a result entered."""
    return db.session.scalar(select(func.count()).select_from(OpenDaySample).join(
        OpenDayBooking, OpenDayBooking.id == OpenDaySample.booking_id).join(
        OpenDay, OpenDay.id == OpenDayBooking.open_day_id).where(
        OpenDaySample.result_at.is_not(None), *_open_days(scope))) or 0

