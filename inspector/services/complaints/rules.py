"""The rule sets of the register: which version a filing follows, its periods, its grounds.

Two rule sets coexist (next-capabilities.md §1.1 CR-L1): 总局令第20号 (V20, in force 2020-01-01)
and 总局令第121号 (V121, in force 2026-04-15, repealing V20). The version follows the day the
handling bureau received the matter. Values the reference could not confirm for V121 are settings
(config `COMPLAINT_RULES`), shown with their source status next to every date they produce.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context

log = logging.getLogger(__name__)
V20_IN_FORCE = date(2020, 1, 1)

# Each setting: default value, source status (R read in the text, S secondary, UNCONFIRMED), source.
SETTINGS: dict[str, tuple[object, str, str]] = {
    "V121_IN_FORCE": ("2026-04-15", "S", "总局令第121号 (public code; official text not read)"),
    "V121_ACCEPT_WD": (7, "S", "消费者权益保护法 第四十六条 (V121 wording UNCONFIRMED)"),
    "V121_TERMINATION_NOTICE_WD": (7, "UNCONFIRMED", "V20 第二十一条第二款 kept as default"),
    "V121_DECISION_NOTICE_WD": (5, "UNCONFIRMED", "V20 第三十一条第二款 kept as default"),
    "JURISDICTION_SETTLE_WD": (7, "R", "V20 第三十条"),
    "REPORT_VERIFY_WD": (15, "S", "市场监督管理行政处罚程序规定 第十八条"),
    "REPORT_EXTENSION_WD": (15, "S", "市场监督管理行政处罚程序规定 第十八条"),
}


@dataclass(frozen=True)
class Setting:
    value: object
    status: str  # R | S | UNCONFIRMED
    source: str


def setting(key: str) -> Setting:
    """A rule value: the config's `COMPLAINT_RULES[key]` when set (then marked as set locally)."""
    default, status, source = SETTINGS[key]
    overrides = current_app.config.get("COMPLAINT_RULES") or {} if has_app_context() else {}
    value = overrides.get(key, default) if isinstance(overrides, dict) else default
    if not _valid(key, value):
        log.warning("COMPLAINT_RULES[%s] = %r is not usable; the default %r applies", key, value, default)
        value = default
    if value != default:
        return Setting(value, status, f"{source}; 本地设置 local setting")
    return Setting(default, status, source)


def _valid(key: str, value: object) -> bool:
    if key == "V121_IN_FORCE":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 365


def v121_in_force() -> date:
    return date.fromisoformat(str(setting("V121_IN_FORCE").value))


def rule_version_for(received_on: date) -> str:
    """CR-L1: the version in force on the day the handling bureau received the matter."""
    if received_on < V20_IN_FORCE:
        raise ValueError("before 2020-01-01 no rule set of the register applies")
    return "V121" if received_on >= v121_in_force() else "V20"


@dataclass(frozen=True)
class Period:
    rule_id: str
    n: int
    unit: str  # WD (working days) | ND (natural days)
    basis: str
    status: str = "R"


def accept_period(version: str) -> Period:
    if version == "V20":
        return Period("CR-S1", 7, "WD", "《市场监督管理投诉举报处理暂行办法》第十四条；消费者权益保护法第四十六条")
    s = setting("V121_ACCEPT_WD")
    return Period("CR-S1", int(s.value), "WD", "消费者权益保护法第四十六条", s.status)


def mediation_period(version: str) -> Period:
    if version == "V20":
        return Period("CR-S6", 45, "WD", "《市场监督管理投诉举报处理暂行办法》第二十一条第一款第（五）项")
    return Period("CR-S6", 60, "ND", "《市场监督管理投诉举报处理办法》第二十三条第一款第（五）项", "S")


def termination_notice_period(version: str) -> Period:
    if version == "V20":
        return Period("CR-S8", 7, "WD", "《市场监督管理投诉举报处理暂行办法》第二十一条第二款")
    s = setting("V121_TERMINATION_NOTICE_WD")
    return Period("CR-S8", int(s.value), "WD", "《市场监督管理投诉举报处理办法》（期限未确认）", s.status)


def verify_period(extended: bool) -> Period:
    base, ext = setting("REPORT_VERIFY_WD"), setting("REPORT_EXTENSION_WD")
    n = int(base.value) + (int(ext.value) if extended else 0)
    return Period("CR-R1", n, "WD", "市场监督管理行政处罚程序规定第十八条" + ("（经负责人批准延长）" if extended else ""),
                  base.status)


def decision_notice_period(version: str) -> Period:
    if version == "V20":
        return Period("CR-R3", 5, "WD", "《市场监督管理投诉举报处理暂行办法》第三十一条第二款")
    s = setting("V121_DECISION_NOTICE_WD")
    return Period("CR-R3", int(s.value), "WD", "《市场监督管理投诉举报处理办法》（期限未确认）", s.status)


def jurisdiction_period() -> Period:
    s = setting("JURISDICTION_SETTLE_WD")
    return Period("CR-J3", int(s.value), "WD", "《市场监督管理投诉举报处理暂行办法》第三十条", s.status)


RULE_NAMES = {
    "V20": "《市场监督管理投诉举报处理暂行办法》（总局令第20号）",
    "V121": "《市场监督管理投诉举报处理办法》（总局令第121号）",
}

# 不予受理 grounds (CR-S2): V20 第十五条 [R], V121 第十六条 [S].
_REFUSAL_COMMON = (
    "不属于市场监督管理部门职责，或者本行政机关不具有处理权限",
    "法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会或者依法成立的其他调解组织已经受理或者处理过同一消费者权益争议",
    "不是为生活消费需要购买、使用商品或者接受服务，或者不能证明与被投诉人之间存在消费者权益争议",
    "除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年",
)
REFUSAL_GROUNDS = {
    "V20": (*_REFUSAL_COMMON, "未提供本办法第九条第一款和第十条规定的材料", "法律、法规、规章规定不予受理的其他情形"),
    "V121": (*_REFUSAL_COMMON, "未提供本办法第十条第一款和第十一条规定的材料或者提供的材料虚假",
             "冒用他人名义投诉或者拒绝配合身份核验", "法律、法规、规章规定不予受理的其他情形"),
}
REFUSAL_ARTICLE = {"V20": "第十五条", "V121": "第十六条"}

# 终止调解 grounds (CR-S7): V20 第二十一条 [R], V121 第二十三条第一款 [S].
TERMINATION_GROUNDS = {
    "V20": (
        "投诉人撤回投诉或者双方自行和解",
        "投诉人与被投诉人对委托承担检定、检验、检测、鉴定工作的技术机构或者费用承担无法协商一致",
        "投诉人或者被投诉人无正当理由不参加调解，或者被投诉人明确拒绝调解",
        "经组织调解，投诉人或者被投诉人明确表示无法达成调解协议",
        "自投诉受理之日起四十五个工作日内投诉人和被投诉人未能达成调解协议",
        "市场监督管理部门受理投诉后，发现存在本办法第十五条规定情形",
        "法律、法规、规章规定的应当终止调解的其他情形",
    ),
    "V121": (
        "投诉人撤回投诉或者双方自行和解",
        "投诉人或者被投诉人无正当理由不参加调解，或者被投诉人明确拒绝调解",
        "经组织调解，投诉人或者被投诉人明确表示无法达成调解协议",
        "投诉人与被投诉人对检定、检验、检测、鉴定费用承担无法协商一致",
        "自投诉受理之日起六十日内投诉人和被投诉人未能达成调解协议",
        "发现存在本办法第十六条或者第四十二条规定情形",
        "投诉人或者被投诉人死亡或者终止",
        "法律、法规、规章规定的应当终止调解的其他情形",
    ),
}
TERMINATION_ARTICLE = {"V20": "第二十一条", "V121": "第二十三条第一款"}
# The window-expired ground the system proposes when the mediation window ends (CR-S6).
WINDOW_EXPIRED_GROUND = "5"

# CR-L3: a farmer buying inputs for farming is treated as a consumer (消保法第六十二条), so ground 3
# ("not for 生活消费") is not offered for these categories.
FARM_INPUT_CATEGORIES = ("fertilizer", "pesticide", "seed", "film", "machinery")
FARMER_NOTE = "参照消保法第六十二条"
FARMER_EXCLUDED_GROUND = "3"


def refusal_grounds(version: str, category: str) -> list[tuple[str, str]]:
    """(number, text) of the grounds that may be chosen for this record."""
    grounds = [(str(i), text) for i, text in enumerate(REFUSAL_GROUNDS[version], start=1)]
    if category in FARM_INPUT_CATEGORIES:
        grounds = [g for g in grounds if g[0] != FARMER_EXCLUDED_GROUND]
    return grounds


def termination_grounds(version: str) -> list[tuple[str, str]]:
    return [(str(i), text) for i, text in enumerate(TERMINATION_GROUNDS[version], start=1)]
