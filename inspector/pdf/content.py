"""The content of each signable document of an inspection, as plain JSON, and its SHA-256.

A signature attests documents, not pages (the phone cannot know where ReportLab breaks a page):
现场笔录 (`on_site`), 抽样记录 (`sampling`, every sample) and each 证据提取单 (`evidence:<photo
id>`). The phone builds the same content from its draft with the twin of this module
(static/pwa/js/content.js), shows it before anyone signs, and sends each document's hash with the
signature; the server builds it from the database to tell which signatures still match what prints.

The input is a *record*: plain camelCase JSON, the same shape on both sides (see
tests/vectors/document_content.json). Every value in the content is a string (or a list or object
of strings): no floats, so RFC 8785 canonical JSON is the same bytes in Python and JavaScript.
Times are written as printed, in China Standard Time, to the minute (evidence to the second).
The end of the visit is not part of the content: it is set when the record is first submitted,
after the signatures.

Nothing here knows about Flask, the database or ReportLab.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from typing import Any

import rfc8785

ON_SITE, SAMPLING, EVIDENCE = "on_site", "sampling", "evidence"
RECTIFICATION = "rectification"  # a 责令改正通知书: a document of its own, signed apart from the record
RECTIFICATION_MODES = {"deadline": "限期改正", "immediate": "立即改正"}
CONTENT_SCHEMA = "document-content/1"
_CST = timezone(timedelta(hours=8))
STATUS_TEXT = {"pass": "符合", "fail": "不符合", "na": "不适用"}
SAMPLE_FIELDS = ("name", "brand", "spec", "batchNo", "productionDate", "maker", "standard", "quantity",
                 "baseQuantity", "backupQuantity", "note")
# The 抽样记录's own fields of a sample (issue 12 §3), in the content only when recorded, so the
# content of a record without them (and the hashes older phones sent for it) stays the same.
SAMPLE_DETAIL_FIELDS = ("sampleNo", "labName", "pricePaid", "backupStorage", "backupCondition")
SAMPLE_DETAIL_LISTS = ("backupSealNumbers", "sealedPhotoIDs")
# 主体类型 as printed, by the party's code.
ENTITY_TYPE_LABELS = {"enterprise": "企业", "individual": "个体工商户", "cooperative": "农民专业合作社",
                      "other": "其他"}
# A refusal to sign as the 现场笔录 prints it (reference §3.9); the times as printed.
REFUSAL_FIELDS = ("reason", "witnessName", "witnessUnit", "witnessPhone", "recordingFileNo", "recordingDevice")


def evidence_key(photo_id: str) -> str:
    return f"{EVIDENCE}:{photo_id}"


def documents_for(role: str | None, keys) -> list[str]:
    """The documents a signer of `role` is shown and attests: the 被抽样单位经办人 (`sampled_party`)
    the 抽样记录, the 证据提供人 (`evidence_provider`) the 证据提取单s, everyone else all of them."""
    if role == "sampled_party":
        return [k for k in keys if k == SAMPLING]
    if role == "evidence_provider":
        return [k for k in keys if k.startswith(EVIDENCE + ":")]
    return list(keys)


def document_contents(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{document key: content} for every signable document of the record, in print order."""
    out = {ON_SITE: on_site_content(record)}
    if record.get("samples"):
        out[SAMPLING] = sampling_content(record)
    for photo in record.get("photos") or []:
        out[evidence_key(photo["id"])] = evidence_content(record, photo)
    return out


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the content as RFC 8785 canonical JSON."""
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def document_hashes(record: dict[str, Any]) -> dict[str, str]:
    return {key: content_hash(content) for key, content in document_contents(record).items()}


def on_site_content(record: dict[str, Any]) -> dict[str, Any]:
    """现场笔录: who, when, where, the party, the fixed answers, the findings and the narrative."""
    return {
        "schema": CONTENT_SCHEMA, "document": ON_SITE, "title": "现场笔录",
        "startedAt": cn_minute(record.get("startedAt")),
        "place": _text(record.get("place")),
        "inspectors": [{"name": _text(i.get("name")), "certNo": _text(i.get("certNo"))}
                       for i in record.get("inspectors") or []],
        "party": party_block(record.get("party") or {}),
        "certificatesAnswer": _text(record.get("certificatesAnswer")),
        "recusalAnswer": _text(record.get("recusalAnswer")),
        "findings": findings(record.get("checklist") or []),
        "narrative": _text(record.get("narrative")),
        "partyStatement": _text(record.get("partyStatement")),
        "closingAnswer": _text(record.get("closingAnswer")),
        **_present({"onSitePerson": _text(record.get("onSitePerson")),
                    "partyNotified": _text(record.get("partyNotified"))}),
        **({"refusal": refusal_block(record["refusal"])} if record.get("refusal") else {}),
    }


def refusal_block(refusal: dict[str, Any]) -> dict[str, str]:
    """当事人拒绝签名 as printed in the 现场笔录: when, why, the witness and the 执法记录仪 recording.

    A refusal attests the record as it was shown or read to the party before it was recorded: its
    own attestation is checked against the 现场笔录 without this block (`without_refusal`)."""
    return {**{f: _text(refusal.get(f)) for f in REFUSAL_FIELDS},
            "at": cn_minute(refusal.get("at")),
            "witnessIDNumber": id_number_text(refusal.get("witnessIDNumber")),
            "recordingStartedAt": cn_minute(refusal.get("recordingStartedAt"))}


def without_refusal(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "refusal": None}


def sampling_content(record: dict[str, Any]) -> dict[str, Any]:
    """抽样记录: the sampled party, the samplers and every sample, in the order they were added."""
    return {
        "schema": CONTENT_SCHEMA, "document": SAMPLING, "title": "抽样记录",
        "startedAt": cn_minute(record.get("startedAt")),
        "place": _text(record.get("place")),
        "inspectors": [{"name": _text(i.get("name")), "certNo": _text(i.get("certNo"))}
                       for i in record.get("inspectors") or []],
        "party": party_block(record.get("party") or {}),
        "samples": [sample_block(s) for s in record.get("samples") or []],
    }


def sample_block(sample: dict[str, Any]) -> dict[str, Any]:
    """One sample's row and its own fields (the detail fields only when recorded)."""
    out: dict[str, Any] = {f: _text(sample.get(f)) for f in SAMPLE_FIELDS}
    out["sealNumbers"] = [_text(n) for n in sample.get("sealNumbers") or []]
    out.update(_present({f: _text(sample.get(f)) for f in SAMPLE_DETAIL_FIELDS}))
    out.update(_present({"sampledAt": cn_minute(sample.get("sampledAt"))}))
    for f in SAMPLE_DETAIL_LISTS:
        if sample.get(f):
            out[f] = [_text(n) for n in sample[f]]
    return out


def evidence_content(record: dict[str, Any], photo: dict[str, Any]) -> dict[str, Any]:
    """One 证据提取单: the photo (by its SHA-256), what it shows and when it was taken."""
    return {
        "schema": CONTENT_SCHEMA, "document": EVIDENCE, "title": "证据提取单",
        "photoId": _text(photo.get("id")),
        "sha256": _text(photo.get("sha256")),
        "caption": _text(photo.get("caption")),
        "item": _text(photo.get("itemLabel")),
        "takenAt": cn_second(photo.get("takenAt")),
        "remark": _text(photo.get("remark")),
        "party": _text((record.get("party") or {}).get("name")),
        "place": _text(record.get("place")),
    }


def rectification_content(order: dict[str, Any]) -> dict[str, Any]:
    """责令改正通知书: who orders whom to correct what, on which basis, by when.

    The input is an *order record* (camelCase, the same on both sides): orderId, agency, government
    (本级人民政府, where 复议 goes), party, inspectors, facts, basis (the items' legal bases as the
    server joins them, see `rectification_basis`), requirements, mode, dueDate (YYYY-MM-DD),
    reportBack. The 文号 and the day of issue are not part of it: the server sets them when it
    numbers the order, after the party signed at the scene (as the end of a visit for the 笔录)."""
    mode = order.get("mode") or "deadline"
    due = order.get("dueDate") if mode == "deadline" else None
    return {
        "schema": CONTENT_SCHEMA, "document": RECTIFICATION, "title": "责令改正通知书",
        "orderId": _text(order.get("orderId")),
        "agency": _text(order.get("agency")),
        "government": _text(order.get("government")),
        "party": party_block(order.get("party") or {}),
        "inspectors": [{"name": _text(i.get("name")), "certNo": _text(i.get("certNo"))}
                       for i in order.get("inspectors") or []],
        "facts": _text(order.get("facts")),
        "basis": _text(order.get("basis")),
        "requirements": _text(order.get("requirements")),
        "mode": RECTIFICATION_MODES.get(mode, _text(mode)),
        "dueDate": day_text(due),
        "reportBack": "是" if order.get("reportBack") else "否",
    }


def rectification_basis(item_bases: list[str], extra: Any = None) -> str:
    """The order's 违反规定 as the server keeps it: the legal bases of the items it rests on (in order,
    each once, trimmed), joined with "；", then the inspector's own words when not already there."""
    bases: list[str] = []
    for basis in item_bases:
        basis = _text(basis).strip()
        if basis and basis not in bases:
            bases.append(basis)
    joined = "；".join(bases)
    extra = _text(extra).strip()
    if extra and extra not in joined:
        joined = f"{joined}；{extra}" if joined else extra
    return joined


def day_text(value: Any) -> str:
    """2026年3月19日 for a YYYY-MM-DD date (or a date), "" when none."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.year}年{value.month}月{value.day}日"


def party_block(party: dict[str, Any]) -> dict[str, str]:
    """The 当事人 block; 主体类型 (as printed) and the operator's ID number only when recorded."""
    out = {k: _text(party.get(k)) for k in ("name", "creditCode", "legalRep", "address", "phone")}
    entity = party.get("entityType")
    out.update(_present({"entityType": ENTITY_TYPE_LABELS.get(entity, _text(entity)),
                         "operatorIDNumber": id_number_text(party.get("operatorIDNumber"))}))
    return out


def id_number_text(value: Any) -> str:
    """An ID number as the server stores it: no spaces, upper-case X."""
    return "".join(_text(value).split()).upper()


def _present(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v != ""}


def findings(checklist: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every answered item in checklist order: [{section, key, label, result, note, basis}]."""
    out = []
    for section in checklist:
        for item in section.get("items") or []:
            result = result_text(item)
            if result is None:
                continue
            out.append({"section": _text(section.get("title")), "key": _text(item.get("key")),
                        "label": _text(item.get("label") or item.get("key")), "result": result,
                        "note": _text(item.get("note")), "basis": _text(item.get("legalBasis"))})
    return out


def result_text(item: dict[str, Any]) -> str | None:
    """An item's answer as printed, or None when it was not answered (as the case file decides)."""
    kind, result, value = item.get("kind") or "text", item.get("result"), item.get("value")
    answer = value if value is not None else result
    if result == "na" or (kind == "pass_fail_na" and answer == "na"):
        return STATUS_TEXT["na"]
    if kind == "pass_fail_na":
        return STATUS_TEXT.get(answer) if answer in ("pass", "fail") else None
    if answer is None or answer == "":
        return None
    if kind == "number" and isinstance(answer, (int, float)) and not isinstance(answer, bool):
        number = number_text(answer)
        return f"{number} {item['unit']}" if item.get("unit") else number
    if kind == "date" and isinstance(answer, str):
        try:
            day = date.fromisoformat(answer)
        except ValueError:
            return answer
        return f"{day.year}年{day.month}月{day.day}日"
    return answer if isinstance(answer, str) else number_text(answer) if isinstance(answer, (int, float)) else str(answer)


def number_text(value: float) -> str:
    """A number as recorded, without binary noise (15 significant digits), written as JavaScript's
    String(number) writes it, so the phone's twin makes the same text (1e-7, 0.00001, 1e+21)."""
    return _ecmascript_number(float(f"{float(value):.15g}"))


def _ecmascript_number(x: float) -> str:
    """ECMAScript Number::toString over the shortest round-trip digits (which repr also finds)."""
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _ecmascript_number(-x)
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    significant = digits.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(digits) - len(significant))  # x = 0.<digits> × 10^point
    significant = significant.rstrip("0") or "0"
    k = len(significant)
    if k <= point <= 21:
        return significant + "0" * (point - k)
    if 0 < point <= 21:
        return f"{significant[:point]}.{significant[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + significant
    shown = significant[0] + (f".{significant[1:]}" if k > 1 else "")
    return f"{shown}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"


def instant(value: Any) -> datetime | None:
    """An ISO 8601 instant (or a datetime; naive means UTC, as the database stores it)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_CST)


def cn_minute(value: Any) -> str:
    """2026年3月5日9时5分 (China Standard Time), or "" when unknown."""
    moment = instant(value)
    if moment is None:
        return ""
    return f"{moment.year}年{moment.month}月{moment.day}日{moment.hour}时{moment.minute}分"


def cn_second(value: Any) -> str:
    moment = instant(value)
    return f"{cn_minute(moment)}{moment.second}秒" if moment is not None else ""


def _text(value: Any) -> str:
    return "" if value is None else str(value)
