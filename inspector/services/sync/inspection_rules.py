"""The rules of an on-site record that the server enforces (reference/enforcement-records.md):
when it may be edited, what an answer may hold, who may inspect, and what submitting needs."""
from __future__ import annotations

import re
from datetime import date
from numbers import Real
from typing import Any

from sqlalchemy import select

from ...database import db
from ...identity import MESSAGE_ZH as ID_MESSAGE_ZH
from ...identity import checked_id_number
from ...models import Finding, Inspection, Photo, Sample, Signature, User
from ..scope import is_colleague
from .context import Rejection, reason, reject

PASS_FAIL = ("pass", "fail", "na")
# The party's answers to the fixed questions of the 现场笔录 (printed after 答：), each with the wire
# field and the question as the phone shows it. Each is recorded as the party gave it: none is preset.
PARTY_ANSWERS = (
    ("certificates_answer", "certificatesAnswer", "whether the party saw the certificates clearly",
     "当事人对出示证件的回答（是否看清楚）"),
    ("recusal_answer", "recusalAnswer", "whether the party requests recusal", "当事人是否申请回避"),
    ("closing_answer", "closingAnswer", "the party's opinion on the record", "当事人对笔录的意见"),
)
# A closing answer that only confirms the record cannot stand beside a refusal to sign (the phone's
# checks.js AFFIRMING_CLOSINGS holds the same list).
AFFIRMING_CLOSINGS = ("以上记录属实", "以上笔录属实", "记录属实", "笔录属实", "属实")
_NOT_WORDS = re.compile(r"[\s。.！!]")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 2000


def ensure_editable(inspection: Inspection) -> None:
    """Only a draft (new, or amended after a return) changes; a submitted record is evidence."""
    if inspection.status != "draft":
        raise reject("inspection_read_only",
                     f"The inspection is {inspection.status} and read-only; it can change only after a reviewer "
                     "returns it and you amend it.",
                     f"该检查记录状态为“{_STATUS_ZH.get(inspection.status, inspection.status)}”，已不可修改；"
                     "审核退回并申请修改后才能编辑。")


_STATUS_ZH = {"draft": "草稿", "submitted": "已提交", "returned": "已退回", "approved": "已通过", "rejected": "不予通过"}


def check_finding(item: dict[str, Any] | None, item_key: str, result: Any, value: Any) -> None:
    """An answer fits its checklist item: pass/fail/na for checks, the right kind of value otherwise."""
    if item is None:
        raise reject("unknown_item", f"The checklist has no item {item_key}.", f"检查表中没有检查项 {item_key}。",
                     "itemKey")
    kind = item["kind"]
    bad = None
    if kind == "pass_fail_na":
        if value is not None:
            bad = "a pass/fail item takes a result, not a value"
    elif result not in (None, "na"):
        bad = f"a {kind} item takes a value (or result \"na\"), not result {result!r}"
    elif value is not None:
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, Real)):
            bad = "the value must be a number"
        elif kind == "text" and (not isinstance(value, str) or len(value) > MAX_TEXT):
            bad = f"the value must be text of at most {MAX_TEXT} characters"
        elif kind == "choice" and value not in item.get("choices", []):
            bad = f"the value must be one of {', '.join(item.get('choices', []))}"
        elif kind == "date" and not _is_date(value):
            bad = "the value must be a date such as 2026-11-30"
    if bad:
        raise reject("invalid_value", f"Item {item_key}: {bad}.", f"检查项 {item_key} 的填写内容不符合要求。", item_key)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# The checklist answer that says a sample was taken (item G13 是否抽样检验 of every template);
# such a record needs a 抽样记录.
SAMPLED_ANSWER = "已抽样"
# The optional details of a refusal beyond reason and witness name: (model attribute, wire name).
REFUSAL_DETAILS = (
    ("witness_id_number", "witnessIDNumber"), ("witness_unit", "witnessUnit"), ("witness_phone", "witnessPhone"),
    ("recording_file_no", "recordingFileNo"), ("recording_device", "recordingDevice"),
    ("recording_started_at", "recordingStartedAt"),
)


def refusal_details(args: dict[str, Any]) -> dict[str, Any]:
    """The refusal's optional details as stored, the witness's ID number checked (GB 11643)."""
    details = {attr: args.get(attr) for attr, _wire in REFUSAL_DETAILS}
    try:
        details["witness_id_number"] = checked_id_number(details["witness_id_number"])
    except ValueError as exc:
        raise reject("invalid_id_number", f"Witness ID number: {exc}.", f"见证人{ID_MESSAGE_ZH}。",
                     "witnessIDNumber") from None
    return details


def check_sample(values: dict[str, Any], inspection_id: str) -> None:
    """A sample (or the fields of one sent in an edit) as the 抽样记录 needs it: the 检验样品 sealed
    with at least one numbered seal, and photos of the sealing from the same record."""
    if "seal_numbers" in values and not [n for n in values["seal_numbers"] or [] if n.strip()]:
        raise reject("sample_seals_missing", "A sample needs the number of at least one seal on its test sample.",
                     "样品须填写检验样品的封条编号（至少一个）。", "sealNumbers")
    for photo_id in values.get("sealed_photo_ids") or []:
        photo = db.session.get(Photo, photo_id)
        # A photo not synced yet is accepted (the phone queues it first); another record's is not.
        if photo is not None and photo.inspection_id != inspection_id:
            raise reject("photo_not_in_record", "The photo of the sealed sample belongs to another record.",
                         "封样照片不属于本检查记录。", "sealedPhotoIDs")


def check_signed_sample(role: str, sample_id: str | None, inspection_id: str) -> None:
    """The 被抽样单位 signs one sample of this record; other signers sign no sample."""
    if role != "sampled_party":
        if sample_id is not None:
            raise reject("invalid", "Only the sampled party's signature names a sample.",
                         "只有被抽样单位的签名可关联样品。", "sampleID")
        return
    sample = db.session.get(Sample, sample_id) if sample_id else None
    if sample is None or sample.inspection_id != inspection_id or sample.deleted_at is not None:
        raise reject("sample_not_found", "The sampled party's signature must name a sample of this record.",
                     "被抽样单位签名须对应本记录的样品。", "sampleID")


def check_inspectors(user: User, inspector_ids: list[int], found: dict[int, User]) -> list[User]:
    """The inspectors of a record, in order; every problem named at once."""
    problems = []
    if len(set(inspector_ids)) != len(inspector_ids):
        problems.append(reason("duplicate_inspector", "An inspector is listed twice.", "检查人员重复。", "inspectorIDs"))
    if user.id not in inspector_ids:
        problems.append(reason("caller_not_inspector", "You must be one of the inspectors of the record.",
                               "您本人必须是检查人员之一。", "inspectorIDs"))
    for user_id in inspector_ids:
        other = found.get(user_id)
        if not is_colleague(user, other):
            problems.append(reason("not_a_colleague", f"User {user_id} is not an active inspector of your league.",
                                   f"用户 {user_id} 不是本盟市的在岗执法人员。", "inspectorIDs"))
        elif not other.cert_no:
            problems.append(reason("inspector_without_certificate",
                                   f"{other.display_name} has no law-enforcement certificate number.",
                                   f"{other.display_name} 没有执法证号。", "inspectorIDs"))
    if problems:
        raise Rejection(*problems)
    return [found[i] for i in inspector_ids]


def submit_problems(inspection: Inspection, items: dict[str, dict[str, Any]], findings: list[Finding],
                    signatures: list[Signature], inspectors: list[User]) -> list[dict[str, Any]]:
    """Everything that keeps the record from being submitted, each missing item named."""
    problems = []
    answers = {f.item_key: f for f in findings if f.deleted_at is None}
    for key, item in items.items():
        finding = answers.get(key)
        if item.get("required") and not _answered(item, finding):
            problems.append(reason("missing_required_item", f"Item {key} is not answered: {item['label']}",
                                   f"检查项 {key} 未填写：{item['label']}", key))
        elif finding is not None and item["kind"] == "number" and isinstance(finding.value, Real):
            low, high = item.get("min"), item.get("max")
            if (low is not None and finding.value < low) or (high is not None and finding.value > high):
                limits = f"{'' if low is None else low}–{'' if high is None else high}"
                problems.append(reason("value_out_of_range", f"Item {key}: {finding.value} is outside {limits}.",
                                       f"检查项 {key} 的数值 {finding.value} 超出范围 {limits}。", key))
    certified = [u for u in inspectors if u.cert_no]
    if len(certified) < 2:
        problems.append(reason("too_few_inspectors",
                               "At least two inspectors with certificate numbers must be on the record.",
                               "现场检查须有两名以上持执法证的执法人员。", "inspectorIDs"))
    for other in inspectors:
        if not other.cert_no:
            problems.append(reason("inspector_without_certificate",
                                   f"{other.display_name} has no law-enforcement certificate number.",
                                   f"{other.display_name} 没有执法证号。", "inspectorIDs"))
    party = [s for s in signatures if s.role == "party" and s.deleted_at is None]
    signed = any(s.status == "signed" and s.image_sha256 for s in party)
    refused = any(s.status == "refused" and s.refusal_reason and s.witness_name for s in party)
    if not (signed or refused):
        problems.append(reason("party_signature_missing",
                               "The party has neither signed nor refused to sign (with reason and witness).",
                               "当事人未签字，也未记录拒绝签字的理由和见证人。", "signatures"))
    problems += party_answer_problems(inspection, refused=any(s.status == "refused" for s in party))
    problems += sampling_problems(inspection, items, answers)
    return problems


def sampling_problems(inspection: Inspection, items: dict[str, dict[str, Any]],
                      answers: dict[str, Finding]) -> list[dict[str, Any]]:
    """An answer 已抽样 with no sample recorded: the 抽样记录 it announces would be missing."""
    sampled = [key for key, finding in answers.items()
               if finding.value == SAMPLED_ANSWER and SAMPLED_ANSWER in (items.get(key) or {}).get("choices", ())]
    if not sampled:
        return []
    has_sample = db.session.scalar(select(Sample.id).where(Sample.inspection_id == inspection.id,
                                                           Sample.deleted_at.is_(None)).limit(1))
    if has_sample is not None:
        return []
    return [reason("sample_record_missing",
                   f"Item {key} is answered {SAMPLED_ANSWER} (sampled) but the record has no sample.",
                   f"检查项 {key} 填写为“{SAMPLED_ANSWER}”，但未填写抽样记录。请添加样品，或更正该项。", key)
            for key in sampled]


def party_answer_problems(inspection: Inspection, *, refused: bool) -> list[dict[str, Any]]:
    """Each of the party's answers that is missing, and a closing answer that contradicts a refusal."""
    problems = []
    for attr, wire, question, question_zh in PARTY_ANSWERS:
        if not (getattr(inspection, attr) or "").strip():
            problems.append(reason("party_answer_missing", f"Not recorded: {question}.", f"未记录{question_zh}。",
                                   wire))
    closing = _NOT_WORDS.sub("", inspection.closing_answer or "")
    if refused and closing in AFFIRMING_CLOSINGS:
        problems.append(reason(
            "closing_contradicts_refusal",
            f"The party refused to sign, so the answer to the closing question cannot be \"{inspection.closing_answer}\"; "
            "record what the party said (e.g. 有异议).",
            f"当事人拒绝签名，对笔录的意见不能是“{inspection.closing_answer}”，请记录当事人的实际回答（如“有异议”）。",
            "closingAnswer"))
    return problems


def _answered(item: dict[str, Any], finding: Finding | None) -> bool:
    if finding is None:
        return False
    if item["kind"] == "pass_fail_na":
        return finding.result in PASS_FAIL
    return finding.result == "na" or (finding.value is not None and finding.value != "")
