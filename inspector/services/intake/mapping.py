"""Which column of a 12315 export holds which field of a filing, and what its cells mean.

The platform's export columns are not published and differ between its versions and the
bureaus' own 工单 systems, so the first import of a file shape asks the user: the file's headers
with a sample row, each mapped to one of FIELDS. The mapping is remembered per agency keyed by
the set of headers (`header_key`) and proposed the next time the same shape comes; a file never
seen gets a guess from common header words, which the user confirms or corrects.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
EARLIEST = datetime(2020, 1, 1, tzinfo=CHINA)  # the register's rules begin (令第20号 in force)


@dataclass(frozen=True)
class Field:
    key: str
    required: bool
    # Header words that suggest this field, most specific first (for the first-time guess).
    hints: tuple[str, ...]


FIELDS: tuple[Field, ...] = (
    Field("external_ref", True, ("投诉举报编号", "工单编号", "工单号", "登记编号", "编号", "单号")),
    Field("received_at", True, ("登记时间", "受理时间", "接收时间", "分送时间", "投诉时间", "举报时间", "时间", "日期")),
    Field("kind", True, ("诉求类型", "信息类型", "类型", "类别")),
    Field("channel", False, ("来源渠道", "渠道", "来源", "受理方式")),
    Field("complainant_name", False, ("投诉人", "举报人", "诉求人", "姓名", "消费者")),
    Field("complainant_contact", False, ("联系电话", "联系方式", "电话", "手机")),
    Field("respondent_name", True, ("被投诉人", "被举报人", "被投诉方", "被举报方", "涉及主体", "企业名称", "经营者")),
    Field("respondent_address", False, ("被投诉人地址", "被举报人地址", "经营地址", "涉及主体地址", "地址")),
    Field("product_category", False, ("商品类别", "产品类别", "商品名称", "产品名称", "品种", "商品")),
    Field("facts", True, ("投诉内容", "举报内容", "诉求内容", "问题描述", "事实", "内容", "描述")),
    Field("requests", False, ("诉求", "投诉请求", "要求", "请求")),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
REQUIRED = tuple(f.key for f in FIELDS if f.required)

# Cell text → our codes. Order matters: the first pattern that matches wins.
KINDS: tuple[tuple[str, str], ...] = (("投诉.*举报|举报.*投诉", "mixed"), ("投诉", "complaint"), ("举报", "report"),
                                      ("咨询|建议|其他", "inquiry"))
CHANNELS: tuple[tuple[str, str], ...] = (
    ("96333", "96333"), ("12365", "12365"), ("12345", "12345_hotline"),
    ("12315.*(电话|热线)|(电话|热线).*12315", "12315_phone"), ("12315|全国.*平台|互联网|网站|小程序|app|微信|支付宝", "12315_platform"),
    ("3[·.．]?15|晚会|曝光|媒体", "media_exposure"), ("移送|交办|转办|转来", "referral"), ("来信|信函|邮寄", "letter"),
    ("传真", "fax"), ("邮件|email", "email"), ("来访|窗口|现场受理|上门", "walk_in"), ("受理台|活动", "onsite_event"),
    ("检查|巡查|发现", "inspection_found"),
)
CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("农药|杀虫|除草|杀菌", "pesticide"), ("肥", "fertilizer"), ("种子|种苗|籽", "seed"), ("膜", "film"),
    ("农机|机械|拖拉机|收割|播种机", "machinery"),
)
DEFAULT_CHANNEL = "12315_platform"
MAX_TEXT = 4000
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
                 "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日", "%Y%m%d%H%M%S",
                 "%Y.%m.%d %H:%M", "%Y.%m.%d")


def header_key(headers: list[str]) -> str:
    """The identity of a file shape: the same headers in any order give the same key."""
    return hashlib.sha256("\x1f".join(sorted(headers)).encode()).hexdigest()


def guess(headers: list[str]) -> dict[str, str]:
    """A first proposal for a shape never mapped: each field to the header its words suggest."""
    taken: set[str] = set()
    proposal: dict[str, str] = {}
    for field in FIELDS:
        for hint in field.hints:
            match = next((h for h in headers if h not in taken and (h == hint or hint in h)), None)
            if match:
                proposal[field.key] = match
                taken.add(match)
                break
    return proposal


def mapping_problems(headers: list[str], mapping: dict[str, str]) -> list[tuple[str, str]]:
    """(i18n key, field) pairs for what is wrong with a mapping; empty when it can be used."""
    problems: list[tuple[str, str]] = []
    used: dict[str, str] = {}
    for key, header in mapping.items():
        if key not in FIELD_KEYS:
            problems.append(("import_unknown_field", key))
        elif header and header not in headers:
            problems.append(("import_header_missing", key))
        elif header and header in used:
            problems.append(("import_header_twice", key))
        elif header:
            used[header] = key
    problems += [("import_required_unmapped", key) for key in REQUIRED if not mapping.get(key)]
    return problems


def _first(patterns: tuple[tuple[str, str], ...], text: str) -> str | None:
    return next((code for pattern, code in patterns if re.search(pattern, text, re.IGNORECASE)), None)


def parse_received(text: str, now: datetime) -> datetime:
    """A received time as written in the file (Beijing time), as a UTC instant; ValueError in words."""
    cleaned = re.sub(r"\s+", " ", text.replace("T", " ")).strip()
    cleaned = re.sub(r"\.\d+$", "", cleaned)  # fractions of a second
    for fmt in _DATE_FORMATS:
        try:
            local = datetime.strptime(cleaned, fmt).replace(tzinfo=CHINA)
            break
        except ValueError:
            continue
    else:
        raise ValueError("import_date_unreadable")
    if local < EARLIEST or local > now.astimezone(CHINA) + timedelta(minutes=5):
        raise ValueError("import_date_out_of_range")
    return local.astimezone(timezone.utc)


def row_fields(row: list[str], headers: list[str], mapping: dict[str, str], now: datetime
               ) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """One file row as a filing's fields, and its problems as (i18n key, field) pairs."""
    cells = {key: row[headers.index(header)] for key, header in mapping.items() if header}
    problems: list[tuple[str, str]] = []
    fields: dict[str, object] = {}
    inquiry = _first(KINDS, cells.get("kind", "")) == "inquiry"
    for key in REQUIRED:
        if not cells.get(key) and not (inquiry and key == "respondent_name"):  # an inquiry may name nobody
            problems.append(("import_value_missing", key))
    for key, value in cells.items():
        if len(value) > MAX_TEXT:
            problems.append(("import_value_too_long", key))
    ref = cells.get("external_ref", "")
    if ref and not re.fullmatch(r"[0-9A-Za-z_\-/]{1,64}", ref):
        problems.append(("import_ref_invalid", "external_ref"))
    fields["external_ref"] = ref
    if cells.get("received_at"):
        try:
            fields["received_at"] = parse_received(cells["received_at"], now)
        except ValueError as exc:
            problems.append((str(exc), "received_at"))
    if cells.get("kind"):
        kind = _first(KINDS, cells["kind"])
        if kind is None:
            problems.append(("import_kind_unknown", "kind"))
        fields["kind"] = kind
    channel_text = cells.get("channel", "")
    channel = _first(CHANNELS, channel_text) if channel_text else DEFAULT_CHANNEL
    if channel is None:
        problems.append(("import_channel_unknown", "channel"))
    fields["channel"] = channel
    category_text = cells.get("product_category", "")
    fields["product_category"] = (_first(CATEGORY_WORDS, category_text) or "other") if category_text else "other"
    fields["product_text"] = category_text
    for key in ("complainant_name", "complainant_contact", "respondent_name", "respondent_address", "facts", "requests"):
        fields[key] = cells.get(key, "")
    return fields, problems
