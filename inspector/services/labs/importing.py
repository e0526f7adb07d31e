"""A lab's report as CSV: one row per test item, headers in Chinese or English, UTF-8 (with or
without BOM) or GB18030 as Excel saves it in China. The rows become the result form's items and go
through the same checks and the same verdict function as typed ones."""
from __future__ import annotations

import csv
import io
from typing import Any

from ...errors import ApiError

HEADERS = {
    "检验项目": "item", "项目": "item", "item": "item",
    "检验方法": "methodStandard", "方法标准": "methodStandard", "method_standard": "methodStandard",
    "标准要求": "requirementText", "技术要求": "requirementText", "requirement": "requirementText",
    "下限": "limitLow", "limit_low": "limitLow",
    "上限": "limitHigh", "limit_high": "limitHigh",
    "单位": "unit", "unit": "unit",
    "标明值": "declaredValue", "declared": "declaredValue",
    "允许负偏差": "allowedNegativeDeviation", "allowed_deviation": "allowedNegativeDeviation",
    "实测值": "measured", "检验结果": "measured", "measured": "measured",
    "强制性条款": "isMandatory", "mandatory": "isMandatory",
    "参考行": "referenceCode", "reference": "referenceCode",
}
YES = {"是", "y", "yes", "true", "1", "强制"}
MAX_BYTES = 512 * 1024


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApiError("validation_failed", details={"file": ["无法识别的文件编码 / not UTF-8 or GB18030 text"]})


def items_from_csv(raw: bytes) -> list[dict[str, Any]]:
    """The CSV's rows as result items (wire names); a header it does not know is refused by name."""
    if len(raw) > MAX_BYTES:
        raise ApiError("too_large", "A lab report CSV is at most 512 KB.")
    reader = csv.reader(io.StringIO(_decode(raw)))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ApiError("validation_failed", details={"file": ["CSV 需要表头和至少一行检验项目 / a header and one item row"]})
    header = [cell.strip() for cell in rows[0]]
    unknown = [h for h in header if h and h not in HEADERS]
    if unknown or "measured" not in {HEADERS.get(h) for h in header}:
        raise ApiError("validation_failed", details={"file": [
            "未知的列 / unknown columns: " + "、".join(unknown) if unknown else "缺少“实测值”列 / no measured column"]})
    items = []
    for row in rows[1:]:
        item: dict[str, Any] = {}
        for name, cell in zip(header, row):
            cell = cell.strip()
            if name and cell:
                key = HEADERS[name]
                item[key] = cell.lower() in YES if key == "isMandatory" else cell
        items.append(item)
    return items
