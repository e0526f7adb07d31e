"""What of a party the public verify pages may show.

The public pages answer "was this issued?", not "who was inspected?" beyond what the 公示 rules
publish: an enterprise's or a cooperative's registered name, yes; the personal name of an
individual business's operator, or any ID number, no. A 个体工商户 is often registered under
its operator's own name, so its name is masked when it looks like a person's; so is any name
whose party type is not known (records from before the type was recorded), erring towards privacy.
"""
from __future__ import annotations

import re
from typing import Any

from ...database import db
from ...models import Inspection, IssuedDocument, Party

# Types under which a party may be a person: masked like an unknown type. The `fields` helper's
# Party.entity_type codes (enterprise / individual / cooperative / other) and the printed words.
INDIVIDUAL_KINDS = frozenset({"个体工商户", "individual", "个体", "自然人", "person", "other", "其他"})
# Words that make a name a business's (字号, 组织形式), not a person's.
_BUSINESS_WORDS = (  # single characters only where no given name uses them
    "公司", "合作社", "中心", "经营部", "门市", "商店", "超市", "批发", "农资", "化肥", "种子", "种业", "农药",
    "农机", "经销", "销售", "服务", "商行", "商贸", "贸易", "集团", "农场", "牧场", "林场", "市场", "加工",
    "店", "厂", "铺",
)
_HAN_NAME = re.compile(r"[\u3400-\u9fff]{2,4}|[\u3400-\u9fff]{1,8}(?:[·•・][\u3400-\u9fff]{1,8})+")
_ID_KEYS = ("id_number", "idNumber", "operator_id_number", "operatorIdNumber", "witness_id_number")
_PERSON_KEYS = ("operator", "operator_name", "operatorName", "legal_representative", "legalRep", "legal_rep")


def looks_like_person(name: str | None) -> bool:
    """A name of 2–4 Chinese characters, or a transcribed (Mongolian, …) name with a middle dot,
    with no word that names a business."""
    text = (name or "").strip()
    return bool(_HAN_NAME.fullmatch(text)) and not any(word in text for word in _BUSINESS_WORDS)


def mask_name(name: str) -> str:
    """王建国 → 王**: the first character stays, so a party can recognise its own record."""
    text = name.strip()
    return text[:1] + "*" * (len(text.replace("·", "").replace("•", "").replace("・", "")) - 1)


def mask_id_number(number: str | None) -> str | None:
    """150122198803151234 → 15**************34; None stays None."""
    if not number:
        return number
    text = number.strip()
    keep = 2 if len(text) > 6 else 0
    return text[:keep] + "*" * (len(text) - 2 * keep) + (text[-keep:] if keep else "")


def public_party(kind: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """`values` (name, operator, ID numbers…) as a public page may show them for a party of `kind`
    (主体类型: 企业, 个体工商户, 农民专业合作社…; None when not recorded).

    ID numbers are always masked. The operator or legal representative of an individual business
    (or of a party of unknown type) is masked; the party's own name is masked when the party is
    an individual business or of unknown type and the name looks like a person's.
    """
    individual = kind is None or kind.strip() == "" or kind.strip() in INDIVIDUAL_KINDS
    shown = dict(values)
    for key in _ID_KEYS:
        if key in shown:
            shown[key] = mask_id_number(shown[key])
    if individual:
        for key in _PERSON_KEYS:
            if shown.get(key):
                shown[key] = mask_name(str(shown[key]))
        if looks_like_person(shown.get("name")):
            shown["name"] = mask_name(shown["name"])
    return shown


def party_kind(party: Party | None) -> str | None:
    """The party's 主体类型 when the model records one (`entity_type`: enterprise, individual…)."""
    for attribute in ("entity_type", "subject_type", "party_type"):
        value = getattr(party, attribute, None)
        if isinstance(value, str) and value:
            return value
    return None


def public_summary(document: IssuedDocument, summary: dict[str, Any]) -> dict[str, Any]:
    """A registered document's summary as the public verify page shows it: the party as printed,
    masked by the party's type as recorded now (a correction of the type applies at once)."""
    shown = dict(summary)
    if shown.get("party"):
        inspection = db.session.get(Inspection, document.inspection_id)
        kind = party_kind(inspection.party if inspection is not None else None)
        shown["party"] = public_party(kind, {"name": shown["party"]})["name"]
    return shown
