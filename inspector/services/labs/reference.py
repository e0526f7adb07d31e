"""Reference rows that prefill the lab result form (next-capabilities.md §3.3), and the verdict.

Each row carries its source status: S (a secondary source), R (the legal text read) or UNCONFIRMED
(no source found; a configurable default to check before it is relied on). The console shows the
status next to every verdict computed from a row, so an officer knows what the number rests on.

`judge` is the one function that decides an item's verdict; the console, the CSV import and the
tests all call it. An item below its lower limit, above its upper limit, or (fertilizer nutrients)
below its declared value by more than the allowed negative deviation fails (不符合).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ReferenceRow:
    code: str
    product: str
    standard: str
    item: str
    requirement_text: str
    unit: str
    limit_low: str | None = None
    limit_high: str | None = None
    allowed_negative_deviation: str | None = None  # percentage points below the declared value
    is_mandatory: bool = False
    source_status: str = "S"  # S | R | UNCONFIRMED
    source_note: str = ""


F = "复合肥料 GB/T 15063-2020"
FILM = "地膜 GB 13735-2017"
CORN = "玉米单交种 GB 4404.1-2008"
S_MZBKW = "m.mzbkw.com/baike/546867.html; 2001 版同值 szyoutop.cn"

REFERENCE_ROWS: tuple[ReferenceRow, ...] = (
    ReferenceRow("15063-total-high", F, "GB/T 15063-2020", "总养分(N+P₂O₅+K₂O)（高浓度）", "≥40.0", "%", "40.0",
                 source_note=S_MZBKW),
    ReferenceRow("15063-total-mid", F, "GB/T 15063-2020", "总养分(N+P₂O₅+K₂O)（中浓度）", "≥30.0", "%", "30.0",
                 source_note=S_MZBKW),
    ReferenceRow("15063-total-low", F, "GB/T 15063-2020", "总养分(N+P₂O₅+K₂O)（低浓度）", "≥25.0", "%", "25.0",
                 source_note=S_MZBKW),
    # 单一养分: each declared nutrient ≥4.0 %, and at most 1.5 percentage points below the label.
    ReferenceRow("15063-N", F, "GB/T 15063-2020", "总氮(N)", "≥4.0，且不低于标明值1.5个百分点", "%", "4.0",
                 allowed_negative_deviation="1.5", source_status="UNCONFIRMED",
                 source_note="≥4.0 % [S]; 1.5 个百分点 UNCONFIRMED for the 2020 ed."),
    ReferenceRow("15063-P2O5", F, "GB/T 15063-2020", "有效磷(P₂O₅)", "≥4.0，且不低于标明值1.5个百分点", "%", "4.0",
                 allowed_negative_deviation="1.5", source_status="UNCONFIRMED",
                 source_note="≥4.0 % [S]; 1.5 个百分点 UNCONFIRMED for the 2020 ed."),
    ReferenceRow("15063-K2O", F, "GB/T 15063-2020", "氧化钾(K₂O)", "≥4.0，且不低于标明值1.5个百分点", "%", "4.0",
                 allowed_negative_deviation="1.5", source_status="UNCONFIRMED",
                 source_note="≥4.0 % [S]; 1.5 个百分点 UNCONFIRMED for the 2020 ed."),
    ReferenceRow("15063-wsp-high", F, "GB/T 15063-2020", "水溶性磷占有效磷百分率（高浓度）", "≥60", "%", "60"),
    ReferenceRow("15063-wsp-mid", F, "GB/T 15063-2020", "水溶性磷占有效磷百分率（中浓度）", "≥50", "%", "50"),
    ReferenceRow("15063-wsp-low", F, "GB/T 15063-2020", "水溶性磷占有效磷百分率（低浓度）", "≥40", "%", "40"),
    ReferenceRow("15063-water-high", F, "GB/T 15063-2020", "水分(H₂O)（高浓度）", "≤2.0", "%", limit_high="2.0"),
    ReferenceRow("15063-water-mid", F, "GB/T 15063-2020", "水分(H₂O)（中浓度）", "≤2.5", "%", limit_high="2.5"),
    ReferenceRow("15063-water-low", F, "GB/T 15063-2020", "水分(H₂O)（低浓度）", "≤5.0", "%", limit_high="5.0"),
    ReferenceRow("15063-size", F, "GB/T 15063-2020", "粒度（1.00 mm～4.75 mm 或 3.35 mm～5.60 mm）", "≥90", "%", "90"),
    ReferenceRow("15063-cl-none", F, "GB/T 15063-2020", "氯离子(Cl⁻)（未标“含氯”）", "≤3.0", "%", limit_high="3.0"),
    ReferenceRow("15063-cl-low", F, "GB/T 15063-2020", "氯离子(Cl⁻)（含氯，低氯）", "≤15.0", "%", limit_high="15.0"),
    ReferenceRow("15063-cl-mid", F, "GB/T 15063-2020", "氯离子(Cl⁻)（含氯，中氯）", "≤30.0", "%", limit_high="30.0"),
    ReferenceRow("15063-ca", F, "GB/T 15063-2020", "钙(Ca)（标明时）", "≥1.0", "%", "1.0"),
    ReferenceRow("15063-mg", F, "GB/T 15063-2020", "镁(Mg)（标明时）", "≥1.0", "%", "1.0"),
    ReferenceRow("15063-s", F, "GB/T 15063-2020", "硫(S)（标明时）", "≥2.0", "%", "2.0"),
    ReferenceRow("15063-trace", F, "GB/T 15063-2020", "单一中微量元素（标明时）", "≥0.02", "%", "0.02"),
    ReferenceRow("pesticide-ai-kind", "农药", "农药管理条例 第四十四条", "有效成分种类", "与标签标注一致", "",
                 source_status="R", source_note="不一致为假农药（第四十四条）"),
    ReferenceRow("pesticide-ai-content", "农药", "产品标准", "有效成分含量", "标明值及允许波动范围（按产品标准）", "%",
                 source_status="UNCONFIRMED", source_note="tolerance per product standard UNCONFIRMED (第四十五条 [R])"),
    ReferenceRow("13735-thickness", FILM, "GB 13735-2017 §5.1", "厚度", "≥0.010", "mm", "0.010", is_mandatory=True),
    ReferenceRow("13735-tensile", FILM, "GB 13735-2017", "拉伸负荷（最薄档）", "≥1.6", "N", "1.6"),
    ReferenceRow("13735-strain", FILM, "GB 13735-2017", "断裂标称应变（最薄档）", "≥260", "%", "260"),
    ReferenceRow("13735-tear", FILM, "GB 13735-2017", "直角撕裂负荷（最薄档）", "≥0.8", "N", "0.8"),
    ReferenceRow("4404-purity", CORN, "GB 4404.1-2008", "品种纯度", "≥96.0", "%", "96.0", is_mandatory=True),
    ReferenceRow("4404-clean", CORN, "GB 4404.1-2008", "净度", "≥99.0", "%", "99.0", is_mandatory=True),
    ReferenceRow("4404-germ", CORN, "GB 4404.1-2008", "发芽率", "≥85", "%", "85", is_mandatory=True),
    ReferenceRow("4404-water", CORN, "GB 4404.1-2008", "水分", "≤13.0（长城以北销售≤16.0）", "%", limit_high="13.0",
                 is_mandatory=True),
)
BY_CODE = {row.code: row for row in REFERENCE_ROWS}


def judge(measured: Decimal, *, limit_low: Decimal | None = None, limit_high: Decimal | None = None,
          declared: Decimal | None = None, allowed_negative_deviation: Decimal | None = None) -> str:
    """The verdict of one test item: "fails" (不符合) when outside a limit or short of the declared
    value by more than the allowed deviation, "conforms" (符合) when some rule applied and held,
    "not_judged" (不判定) when the row states no rule at all. Exact decimals: 15 − 1.5 is 13.5."""
    judged = False
    if limit_low is not None:
        judged = True
        if measured < limit_low:
            return "fails"
    if limit_high is not None:
        judged = True
        if measured > limit_high:
            return "fails"
    if declared is not None and allowed_negative_deviation is not None:
        judged = True
        if measured < declared - allowed_negative_deviation:
            return "fails"
    return "conforms" if judged else "not_judged"


def conclusion_of(verdicts: list[str]) -> str:
    """A report's conclusion from its items: 不合格 if any item fails, 合格 if every item was judged
    and conforms, else 不判定."""
    if "fails" in verdicts:
        return "fail"
    if verdicts and all(v == "conforms" for v in verdicts):
        return "pass"
    return "not_judged"
