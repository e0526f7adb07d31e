"""责令改正通知书 (rectification orders) and their re-inspection (next-capabilities.md §4.1).

- Issued from a case: what to correct, the legal basis (the checklist items' own `legal_basis`),
  the mode (限期改正 with a due date after the day of issue, or 立即改正) and whether the party must
  report back in writing.
- Who may issue: the case's inspectors on site under their agency's standing authorisation
  (`Agency.standing_rectification`, on by default), or a 负责人 (role `head`) of the jurisdiction.
  Otherwise the order waits (`pending`) and prints watermarked until a 负责人 approves it. The
  inspection record's own review status does not matter: the order is its own 文书.
- 送达: how (SERVICE_METHODS), when, to whom, and whether the party signed, refused (reason and
  witness) or was absent.
- The working day after the due date (for 立即改正: after the day of issue) `create_due_rechecks`
  (a periodic job) creates a re-inspection task for the county, assigned to the order's original
  inspectors; when they cannot take it (left, no certificate) the order waits in the county's 待办
  for officers to choose (`assign_recheck`). The inspection done for that task closes the order:
  `corrected` when every checklist item the order rests on passes, else `not_corrected`, which
  escalates: a CASE-1 case clock (立案 within 15 working days) starts that day.

Functions change rows in the caller's transaction (flush, never commit) and raise ApiError
(400 `validation_failed`, 403, 404, 409) before changing anything.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from ... import clock
from ...database import db, utcnow
from ...errors import ApiError
from ...pdf.content import RECTIFICATION, content_hash, rectification_basis, rectification_content
from ...models import (
    PARTY_SIGNATURES, RECHECK_OUTCOMES, RECTIFICATION_MODES, SERVICE_METHODS, Agency, CaseNumberCounter,
    Finding, Inspection, RectificationOrder, RectificationSignature, Task, User,
)
from .. import audit
from ..calendar.deadlines import working_days_after
from ..scope import agency_in_scope, agency_subtree

HEAD = "head"
CONSOLE_ROLES = ("officer", "head", "reviewer")
MAX_TEXT = 4000
MAX_DUE_DAYS = 366  # a due date further off than a year is a typing mistake
COUNTER = "rectification"


def invalid(field: str, message: str, zh: str) -> ApiError:
    """400 naming the field; `messageZh` (and `message_zh`, for phones) in Chinese."""
    return ApiError("validation_failed", message, details={field: [message], "messageZh": zh, "message_zh": zh})


# ---------------------------------------------------------------- reading

def order_scope(user: User):
    """Orders of the user's jurisdiction, and those of cases the user inspected."""
    from ...models import InspectionInspector

    mine = select(InspectionInspector.inspection_id).where(InspectionInspector.user_id == user.id)
    return (RectificationOrder.agency_id.in_(agency_subtree(user))) | (RectificationOrder.inspection_id.in_(mine))


def get_order(user: User, order_id: str) -> RectificationOrder:
    found = db.session.scalars(select(RectificationOrder).where(RectificationOrder.id == order_id,
                                                                order_scope(user))).first()
    if found is None:
        raise ApiError("not_found", "No such rectification order.")
    return found


def orders_of(user: User, *, inspection_id: str | None = None) -> list[RectificationOrder]:
    query = select(RectificationOrder).where(order_scope(user))
    if inspection_id:
        query = query.where(RectificationOrder.inspection_id == inspection_id)
    return list(db.session.scalars(query.order_by(RectificationOrder.created_at.desc())))


def legal_basis_of(inspection: Inspection, item_keys: Iterable[str]) -> tuple[list[str], str]:
    """The item keys checked against the case's checklist, and their legal bases joined (in order,
    each once); 400 for a key the checklist does not have."""
    keys = [k for k in dict.fromkeys(k.strip() for k in item_keys) if k]
    bases: list[str] = []
    for key in keys:
        item = inspection.template.item(key)
        if item is None:
            raise invalid("itemKeys", f"The checklist has no item {key}.", f"检查表中没有检查项 {key}。")
        basis = (item.get("legal_basis") or "").strip()
        if basis and basis not in bases:
            bases.append(basis)
    return keys, "；".join(bases)


def failed_items(inspection: Inspection) -> list[dict[str, Any]]:
    """The case's failed checklist items (key, label, legal basis): what an order usually rests on."""
    failed = {f.item_key for f in inspection.findings if f.result == "fail"}
    return [{"key": i["key"], "label": i.get("label") or i["key"], "legal_basis": i.get("legal_basis") or ""}
            for i in inspection.template.items() if i["key"] in failed]


# ---------------------------------------------------------------- issuing

def _text(field: str, value: Any, zh: str, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise invalid(field, f"{field} is required.", zh)
    if len(value) > limit:
        raise invalid(field, f"{field} is longer than {limit} characters.", f"内容超过{limit}字。")
    return value or None


def _check_terms(inspection: Inspection, data: dict[str, Any], issued_on: date) -> dict[str, Any]:
    """The order's terms, checked; 400 naming the field otherwise."""
    keys, basis = legal_basis_of(inspection, data.get("item_keys") or [])
    extra = _text("basis", data.get("basis"), "", required=False)
    basis = rectification_basis([basis], extra)  # as the phone joins it for the content it shows
    if not basis:
        raise invalid("itemKeys", "Name the checklist items (or the legal basis) the order rests on.",
                      "请选择责令改正所依据的检查项（或填写法律依据）。")
    facts = _text("facts", data.get("facts"), "请填写违法行为（事实）。")
    requirements = _text("requirements", data.get("requirements"), "请填写改正内容及要求。")
    mode = data.get("mode") or "deadline"
    if mode not in RECTIFICATION_MODES:
        raise invalid("mode", f"mode must be one of {', '.join(RECTIFICATION_MODES)}.", "改正方式无效。")
    due = data.get("due_date")
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due) if due.strip() else None
        except ValueError:
            raise invalid("dueDate", "dueDate is not a date (YYYY-MM-DD).", "改正期限不是有效日期。") from None
    if mode == "deadline":
        if due is None:
            raise invalid("dueDate", "限期改正 needs a due date.", "限期改正须填写改正期限。")
        if due <= issued_on:
            raise invalid("dueDate", f"The due date must be after the day of issue ({issued_on}).",
                          f"改正期限须晚于发出之日（{issued_on.isoformat()}）。")
        if (due - issued_on).days > MAX_DUE_DAYS:
            raise invalid("dueDate", "The due date is more than a year away.", "改正期限超过一年，请核对。")
    else:
        due = None
    return {"item_keys": keys, "basis": basis, "facts": facts, "requirements": requirements, "mode": mode,
            "due_date": due, "report_back": bool(data.get("report_back", True))}


def _allocate_no(agency: Agency, year: int) -> tuple[str, int]:
    """The next 责令改正 number of the agency's year: 呼托市监责改〔2026〕3号."""
    from ..case_numbers import _insert

    key = (CaseNumberCounter.agency_id == agency.id, CaseNumberCounter.category == COUNTER,
           CaseNumberCounter.year == year)
    seq = db.session.execute(update(CaseNumberCounter).where(*key).values(last_seq=CaseNumberCounter.last_seq + 1)
                             .returning(CaseNumberCounter.last_seq)).scalar_one_or_none()
    if seq is None:
        seq = db.session.execute(
            _insert(db.session).values(agency_id=agency.id, category=COUNTER, year=year, last_seq=1)
            .on_conflict_do_update(index_elements=["agency_id", "category", "year"],
                                   set_={"last_seq": CaseNumberCounter.last_seq + 1})
            .returning(CaseNumberCounter.last_seq)).scalar_one()
    word = (agency.case_code_word or agency.short_name or "").strip()
    return f"{word}责改〔{year}〕{seq}号", seq


def _issue(order: RectificationOrder, by: User, at: datetime) -> None:
    order.status, order.issued_at, order.issued_by_id = "issued", at, by.id
    order.issued_on = clock.cn_date(at)
    order.doc_no, order.seq = _allocate_no(order.agency, order.issued_on.year)
    order.seq_year = order.issued_on.year
    order.recheck_on = recheck_day(order)


def recheck_day(order: RectificationOrder) -> date | None:
    """The working day after the due date (立即改正: after the day of issue), when the re-inspection is due."""
    start = order.due_date or order.issued_on
    return working_days_after(start, 1).date if start else None


def may_issue(user: User, inspection: Inspection, *, on_site: bool) -> bool:
    """A 负责人 of the jurisdiction always; the case's inspectors on site when the agency stands
    authorised."""
    if user.role == HEAD and agency_in_scope(user, inspection.agency):
        return True
    is_inspector = any(link.user_id == user.id for link in inspection.inspectors)
    return on_site and is_inspector and bool(inspection.agency.standing_rectification)


def create_order(by: User, inspection: Inspection, data: dict[str, Any], *, on_site: bool,
                 device_id: int | None = None) -> RectificationOrder:
    """A new order for the case, issued at once when `by` may issue it, else pending a 负责人.

    `data`: id?, item_keys, basis?, facts, requirements, mode, due_date, report_back, issued_at?
    (on site: the phone's time of issue), service? (see `record_service`). An order id seen
    before for the same case answers that order unchanged (a phone resending)."""
    order_id = data.get("id") or str(uuid.uuid4())
    existing = db.session.get(RectificationOrder, order_id)
    if existing is not None:
        if existing.inspection_id != inspection.id:
            raise ApiError("conflict", "A rectification order with this id belongs to another case.",
                           details={"id": ["taken"], "message_zh": "该通知书编号已被其他案件使用。", "messageZh": "该通知书编号已被其他案件使用。"})
        return existing
    if inspection.deleted_at is not None:
        raise ApiError("not_found", "No such inspection.")
    at = data.get("issued_at") or clock.now()
    if at > clock.now():
        at = clock.now()  # a phone clock running fast does not date an order in the future
    terms = _check_terms(inspection, data, clock.cn_date(at))
    signatures = _check_signatures(inspection, data.get("signatures") or [], order_id)
    order = RectificationOrder(id=order_id, inspection_id=inspection.id, agency_id=inspection.agency_id,
                               party_id=inspection.party_id, status="pending", issued_on_site=on_site,
                               created_by_id=by.id, created_at=utcnow(), **terms)
    order.agency, order.inspection = inspection.agency, inspection
    db.session.add(order)
    if may_issue(by, inspection, on_site=on_site):
        _issue(order, by, at)
    service = _service_from_signatures(data.get("service"), signatures, at)
    db.session.flush()
    for values in signatures:
        db.session.add(RectificationSignature(**values, order_id=order.id, inspection_id=inspection.id,
                                              created_by_id=by.id, created_at=utcnow()))
    audit.record("rectification.create", "rectification_order", order.id, actor_id=by.id, device_id=device_id,
                 inspection_id=inspection.id,
                 data={"status": order.status, "docNo": order.doc_no, "onSite": on_site, "mode": order.mode,
                       "dueDate": order.due_date.isoformat() if order.due_date else None,
                       "itemKeys": order.item_keys,
                       "signatures": [_signature_audit(v, order) for v in signatures]})
    if service and order.issued:
        record_service(by, order, service, device_id=device_id)
    # A pending order is not served: what the phone sent about service is dropped (the order is
    # served again once a 负责人 has approved it; the audit event above says it was pending).
    return order


# ---------------------------------------------------------------- signed at the scene (issue 14)

def _check_signatures(inspection: Inspection, items: list[dict[str, Any]], order_id: str) -> list[dict[str, Any]]:
    """The order's signatures, checked before anything is stored; 400 naming what is wrong.

    The party signs (a drawing and their name) or refuses (reason and witness), once; each inspector
    of the case signs with a drawing, once. What each signer was shown (`attests`) is kept as sent:
    whether it is this order's content is decided when the order prints (`attested`), so a drawing
    over content that differs is kept, never printed as if it signed this order."""
    out: list[dict[str, Any]] = []
    inspectors = {link.user_id for link in inspection.inspectors}
    seen: set[tuple[str, int | None]] = set()
    for item in items:
        role, status = item["role"], item.get("status") or "signed"
        who = (role, item.get("user_id") if role == "inspector" else None)
        if who in seen:
            raise invalid("signatures", f"Two signatures of the same signer ({role}).", "同一签名人只能签一次。")
        seen.add(who)
        found = db.session.get(RectificationSignature, item["id"])
        if found is not None and found.order_id != order_id:
            raise ApiError("conflict", "A signature with this id belongs to another order.",
                           details={"signatures": ["taken"], "message_zh": "该签名编号已被其他通知书使用。",
                                    "messageZh": "该签名编号已被其他通知书使用。"})
        if role == "inspector":
            if status != "signed":
                raise invalid("signatures", "An inspector signs; only the party may refuse.", "执法人员须签名，只有当事人可以拒签。")
            if item.get("user_id") not in inspectors:
                raise invalid("signatures", "An inspector's signature must name one of the case's inspectors.",
                              "执法人员签名须对应本案的执法人员。")
        if status == "signed":
            if not item.get("image_sha256"):
                raise invalid("signatures", "A signature needs its drawing (imageSha256).", "签名缺少签名图像。")
            if role == "party" and not (item.get("signer_name") or "").strip():
                raise invalid("signatures", "The party's signature needs the signer's name.", "请填写当事人签名人姓名。")
        else:
            if not (item.get("refusal_reason") or "").strip() or not (item.get("witness_name") or "").strip():
                raise invalid("signatures", "A refusal to sign needs its reason and a witness.",
                              "当事人拒绝签字的，须填写理由和见证人。")
        out.append({"id": item["id"], "role": role, "status": status,
                    "signer_name": (item.get("signer_name") or "").strip() or None,
                    "user_id": item.get("user_id") if role == "inspector" else None,
                    "image_sha256": item.get("image_sha256") if status == "signed" else None,
                    "refusal_reason": (item.get("refusal_reason") or "").strip() or None if status == "refused" else None,
                    "witness_name": (item.get("witness_name") or "").strip() or None if status == "refused" else None,
                    "signed_at_device": item.get("signed_at_device"), "attests": item.get("attests"),
                    "confirmation": item.get("confirmation")})
    return out


def _service_from_signatures(service: dict[str, Any] | None, signatures: list[dict[str, Any]],
                             at: datetime) -> dict[str, Any] | None:
    """The 送达 record filled from the party's signature on the phone: served at the scene, to the
    signer, signed (or refused with the refusal's reason and witness)."""
    party = next((s for s in signatures if s["role"] == "party"), None)
    if party is None:
        return service
    service = dict(service or {"method": "direct", "served_at": at})
    if party["status"] == "signed":
        service.update(party_signature="signed", refusal_reason=None, witness_name=None)
        service["served_to"] = service.get("served_to") or party["signer_name"]
    else:
        service.update(party_signature="refused", refusal_reason=party["refusal_reason"],
                       witness_name=party["witness_name"])
    return service


def _signature_audit(values: dict[str, Any], order: RectificationOrder) -> dict[str, Any]:
    return {"id": values["id"], "role": values["role"], "status": values["status"], "userID": values["user_id"],
            "signerName": values["signer_name"], "imageSha256": values["image_sha256"],
            "witness": values["witness_name"], "attests": values["attests"]}


def order_record(order: RectificationOrder) -> dict[str, Any]:
    """The order as the record JSON `pdf.content.rectification_content` takes (the phone builds the
    same from its form)."""
    agency, party = order.agency, order.party
    return {
        "orderId": order.id, "agency": agency.name, "government": government_of(agency),
        "party": {"name": party.name, "creditCode": party.credit_code, "legalRep": party.legal_rep,
                  "address": party.address, "phone": party.phone, "entityType": party.entity_type,
                  "operatorIDNumber": party.operator_id_number},
        "inspectors": [{"name": link.user.display_name, "certNo": link.user.cert_no}
                       for link in order.inspection.inspectors],
        "facts": order.facts, "basis": order.basis, "requirements": order.requirements, "mode": order.mode,
        "dueDate": order.due_date.isoformat() if order.due_date else None, "reportBack": order.report_back,
    }


def government_of(agency: Agency) -> str:
    """本级人民政府: where the party applies for 行政复议 (行政复议法 2023)."""
    return f"{agency.short_name}人民政府"


def order_content_sha256(order: RectificationOrder) -> str:
    return content_hash(rectification_content(order_record(order)))


def attested(signature: RectificationSignature, content_sha256: str) -> bool:
    """Whether the signer was shown this content (the order as it prints now)."""
    return any(a.get("document") == RECTIFICATION and a.get("sha256") == content_sha256
               for a in signature.attests or [])


def approve(by: User, order: RectificationOrder) -> RectificationOrder:
    """A 负责人 issues a pending order; 403 for anyone else, 409 when it is not pending."""
    if by.role != HEAD or not agency_in_scope(by, order.agency):
        raise ApiError("forbidden", "Only a 负责人 of the jurisdiction may approve a rectification order.",
                       details={"message_zh": "只有本辖区的负责人才能批准责令改正通知书。", "messageZh": "只有本辖区的负责人才能批准责令改正通知书。"})
    if order.status != "pending":
        raise ApiError("conflict", "This order is not awaiting approval.",
                       details={"status": order.status, "message_zh": "该通知书不在待批准状态。", "messageZh": "该通知书不在待批准状态。"})
    today = clock.today_cn()
    if order.due_date is not None and order.due_date <= today:
        raise invalid("dueDate", f"The due date {order.due_date} is no longer after today; correct it first.",
                      "改正期限已不晚于今天，请先修改期限。")
    order.approved_by_id = by.id
    _issue(order, by, clock.now())
    audit.record("rectification.approve", "rectification_order", order.id, actor_id=by.id,
                 inspection_id=order.inspection_id, data={"docNo": order.doc_no})
    return order


def record_service(by: User, order: RectificationOrder, data: dict[str, Any],
                   device_id: int | None = None) -> RectificationOrder:
    """送达: method, served_at, served_to, party_signature (signed / refused / absent), refusal_reason
    and witness_name for a refusal. 409 for an order not yet issued."""
    if not order.issued:
        raise ApiError("conflict", "A pending order is not delivered before a 负责人 approves it.",
                       details={"status": order.status, "message_zh": "通知书尚未批准签发，不能送达。", "messageZh": "通知书尚未批准签发，不能送达。"})
    method = data.get("method")
    if method not in SERVICE_METHODS:
        raise invalid("method", f"method must be one of {', '.join(SERVICE_METHODS)}.", "请选择送达方式。")
    served_at = data.get("served_at") or clock.now()
    if isinstance(served_at, str):
        try:
            served_at = clock.parse_instant(served_at)
        except ValueError:
            raise invalid("servedAt", "servedAt is not a time with its zone.", "送达时间无效。") from None
    if served_at > clock.now():
        raise invalid("servedAt", "The time of service is in the future.", "送达时间不能晚于现在。")
    if clock.cn_date(served_at) < order.issued_on:
        raise invalid("servedAt", "The order is served before it was issued.", "送达时间早于通知书发出日期。")
    served_to = _text("servedTo", data.get("served_to"), "请填写受送达人。", limit=100)
    signature = data.get("party_signature") or "signed"
    if signature not in PARTY_SIGNATURES:
        raise invalid("partySignature", "partySignature must be signed, refused or absent.", "当事人签收情况无效。")
    reason = witness = None
    if signature == "refused":
        reason = _text("refusalReason", data.get("refusal_reason"), "当事人拒绝签收的，请填写理由。")
        witness = _text("witnessName", data.get("witness_name"), "当事人拒绝签收的，须有见证人。", limit=100)
    order.served_at, order.service_method, order.served_to = served_at, method, served_to
    order.party_signature, order.refusal_reason, order.witness_name = signature, reason, witness
    order.served_by_id = by.id
    audit.record("rectification.serve", "rectification_order", order.id, actor_id=by.id, device_id=device_id,
                 inspection_id=order.inspection_id,
                 data={"method": method, "servedAt": served_at.isoformat(), "servedTo": served_to,
                       "partySignature": signature, "witness": witness})
    return order


# ---------------------------------------------------------------- re-inspection

def _original_inspectors(order: RectificationOrder) -> list[User]:
    return [link.user for link in order.inspection.inspectors]


def _make_recheck_task(order: RectificationOrder, assignees: list[User], by: User) -> Task:
    from ..tasks import create_task
    from ..calendar.deadlines import Due

    what = f"复查责令改正通知书{order.doc_no}的改正情况：{order.requirements}"
    task = create_task(source_kind="reinspection", source_id=order.id, agency=order.agency, party=order.party,
                       title=f"复查：{order.party.name}（{order.doc_no}）", what_to_check=what,
                       due=Due(order.recheck_on, False), urgent=False, assignees=assignees, created_by=by)
    order.recheck_task_id, order.status = task.id, "recheck"
    return task


def create_due_rechecks(today: date | None = None) -> int:
    """Create the re-inspection task of every issued order whose re-inspection day has come (the
    working day after its due date), assigned to its original inspectors. Idempotent: an order
    with a task gets no second one. An order whose inspectors cannot take it (a certificate
    missing, left the agency) is left for the county's officers (`assign_recheck`, 待办)."""
    today = today or clock.today_cn()
    made = 0
    due = db.session.scalars(select(RectificationOrder).where(
        RectificationOrder.status == "issued", RectificationOrder.recheck_task_id.is_(None),
        RectificationOrder.recheck_on <= today).with_for_update(skip_locked=True)).all()
    for order in due:
        try:
            with db.session.begin_nested():
                _make_recheck_task(order, _original_inspectors(order), order.issued_by or order.created_by)
        except ApiError:
            continue  # the officers choose (the order shows in the county's 待办)
        made += 1
    return made


def assign_recheck(by: User, order: RectificationOrder, assignees: list[User]) -> Task:
    """An officer or 负责人 of the county chooses the re-inspectors (the originals could not)."""
    if by.role not in ("officer", HEAD) or not agency_in_scope(by, order.agency):
        raise ApiError("forbidden", "Only the county's officers choose re-inspectors.",
                       details={"message_zh": "只有本辖区的业务科室人员或负责人可以指派复查人员。", "messageZh": "只有本辖区的业务科室人员或负责人可以指派复查人员。"})
    if order.status != "issued" or order.recheck_task_id is not None:
        raise ApiError("conflict", "This order has a re-inspection already or is not issued.",
                       details={"status": order.status, "message_zh": "该通知书已有复查任务或尚未签发。", "messageZh": "该通知书已有复查任务或尚未签发。"})
    if order.recheck_on is None or order.recheck_on > clock.today_cn():
        raise ApiError("conflict", f"The re-inspection is due from {order.recheck_on}.",
                       details={"message_zh": f"复查应于{order.recheck_on}起进行。", "messageZh": f"复查应于{order.recheck_on}起进行。"})
    return _make_recheck_task(order, assignees, by)


def on_reinspection_submitted(task: Task, inspection: Inspection, by: User) -> RectificationOrder | None:
    """The re-inspection done for the order's task closes it: corrected when every item the order
    rests on passes (with no items named: no item failed), else escalated."""
    if task.source_kind != "reinspection" or not task.source_id:
        return None
    order = db.session.get(RectificationOrder, task.source_id)
    if order is None or order.status != "recheck":
        return None
    results = {f.item_key: f.result for f in db.session.scalars(
        select(Finding).where(Finding.inspection_id == inspection.id))}
    keys = order.item_keys or [k for k, r in results.items() if r == "fail"]
    corrected = all(results.get(k) == "pass" for k in keys) and "fail" not in {results.get(k) for k in keys}
    if not order.item_keys:
        corrected = "fail" not in results.values()
    return close(by, order, "corrected" if corrected else "not_corrected", inspection=inspection)


def close(by: User, order: RectificationOrder, outcome: str, *, inspection: Inspection | None = None) -> RectificationOrder:
    """Record the re-inspection's outcome: corrected closes the order; not corrected escalates it
    with a CASE-1 clock (立案 within 15 working days of the re-inspection)."""
    if outcome not in RECHECK_OUTCOMES:
        raise invalid("outcome", "outcome must be corrected or not_corrected.", "请选择复查结论。")
    if order.status not in ("recheck", "issued"):
        raise ApiError("conflict", "This order is closed already or not issued.",
                       details={"status": order.status, "message_zh": "该通知书已结束或尚未签发。", "messageZh": "该通知书已结束或尚未签发。"})
    order.outcome, order.closed_at = outcome, utcnow()
    if inspection is not None:
        order.recheck_inspection_id = inspection.id
    if outcome == "corrected":
        order.status = "closed"
    else:
        from ..case_clocks import open_clock

        order.status = "escalated"
        owner = by  # who found it not corrected (an inspector of the re-inspection, or an officer)
        found = clock.today_cn()
        case_clock = open_clock(by, rule_id="CASE-1", agency=order.agency, inspection=inspection or order.inspection,
                                start_date=found, owner=owner, rectification_id=order.id,
                                title=f"{order.party.name}：逾期未改正（{order.doc_no}）", check_role=False)
        order.escalation_clock_id = case_clock.id
    audit.record("rectification.close", "rectification_order", order.id, actor_id=by.id,
                 inspection_id=order.inspection_id,
                 data={"outcome": outcome, "reinspection": inspection.id if inspection else None,
                       "clock": order.escalation_clock_id})
    return order


def stats(agency_ids) -> dict[str, int]:
    """Counts for the dashboard and the upward report: orders issued, served, awaiting approval,
    re-inspections out, corrected, escalated."""
    from sqlalchemy import func

    rows = dict(db.session.execute(select(RectificationOrder.status, func.count()).where(
        RectificationOrder.agency_id.in_(agency_ids)).group_by(RectificationOrder.status)).all())
    served = db.session.scalar(select(func.count()).select_from(RectificationOrder).where(
        RectificationOrder.agency_id.in_(agency_ids), RectificationOrder.served_at.is_not(None))) or 0
    issued = sum(v for k, v in rows.items() if k not in ("pending", "withdrawn"))
    return {"rectification_issued": issued, "rectification_pending": rows.get("pending", 0),
            "rectification_served": served, "rectification_recheck": rows.get("recheck", 0),
            "rectification_corrected": rows.get("closed", 0), "rectification_escalated": rows.get("escalated", 0)}


# ---------------------------------------------------------------- printing

def document_of(order: RectificationOrder):
    """The order as its PDF prints it (watermarked 未签发 while it is pending)."""
    from ...pdf.rectification import RectificationDoc

    agency, party = order.agency, order.party
    lines = tuple(line for line in (
        f"统一社会信用代码：{party.credit_code}" if party.credit_code else None,
        f"住所（经营场所）：{party.address}" if party.address else None,
        f"法定代表人（负责人）：{party.legal_rep}" if party.legal_rep else None,
    ) if line)
    inspectors = tuple(f"{link.user.display_name}（执法证号 {link.user.cert_no or '—'}）"
                       for link in order.inspection.inspectors)
    signed = signatures_as_printed(order)
    return RectificationDoc(
        party_drawing=signed["party_drawing"], party_note=signed["party_note"],
        inspector_signatures=signed["inspectors"],
        agency_name=agency.name, government_name=government_of(agency), doc_no=order.doc_no if order.issued else None,
        party_name=party.name, party_lines=lines, facts=order.facts, basis=order.basis,
        requirements=order.requirements, mode=order.mode, due_date=order.due_date, report_back=order.report_back,
        inspectors=inspectors, issued_on=order.issued_on, drafted_on=clock.cn_date(order.created_at),
        service_method=order.service_method, served_at=order.served_at, served_to=order.served_to,
        party_signature=order.party_signature, refusal_reason=order.refusal_reason, witness_name=order.witness_name)


DIFFERS = "所签内容与本通知书不一致"
NOT_UPLOADED = "签名图像尚未上传"


def signatures_as_printed(order: RectificationOrder) -> dict[str, Any]:
    """The order's signatures made on the phone as the notice prints them: a drawing only where its
    signer was shown this order's content and its bytes are held for the case; else why not."""
    from ..scope import hashes_held_by_case
    from ...storage import get_store

    rows = sorted(order.signatures, key=lambda r: (r.created_at, r.id))
    out: dict[str, Any] = {"party_drawing": None, "party_note": None, "inspectors": ()}
    if not rows:
        return out
    content = order_content_sha256(order)
    held = hashes_held_by_case(order.inspection, [r.image_sha256 for r in rows])
    store = get_store()

    def drawing(row: RectificationSignature) -> tuple[bytes | None, str | None]:
        if not attested(row, content):
            return None, DIFFERS
        if row.image_sha256 not in held:
            return None, NOT_UPLOADED
        try:
            with store.open(row.image_sha256) as fp:
                return fp.read(), None
        except FileNotFoundError:
            return None, NOT_UPLOADED

    party = [r for r in rows if r.role == "party" and r.status == "signed"]
    if party:
        out["party_drawing"], out["party_note"] = drawing(party[-1])
    names = {link.user_id: link.user.display_name for link in order.inspection.inspectors}
    out["inspectors"] = tuple((names.get(r.user_id, r.signer_name or ""), *drawing(r))
                              for r in rows if r.role == "inspector")
    return out


def signature_lines(order: RectificationOrder) -> list[dict[str, Any]]:
    """The order's signatures made on the phone, for the console: who, signed or refused (witness),
    and whether each attested the order's content as it prints."""
    if not order.signatures:
        return []
    content = order_content_sha256(order)
    names = {link.user_id: link.user.display_name for link in order.inspection.inspectors}
    return [{"role": r.role, "status": r.status, "witness": r.witness_name, "attested": attested(r, content),
             "name": names.get(r.user_id, r.signer_name or "") if r.role == "inspector" else (r.signer_name or "")}
            for r in sorted(order.signatures, key=lambda r: (r.created_at, r.id))]


def render_pdf(order: RectificationOrder, *, document_no: str | None = None, verify_url: str | None = None) -> bytes:
    from dataclasses import replace

    from flask import current_app

    from ...pdf.rectification import render_rectification

    doc = document_of(order)
    if document_no:
        doc = replace(doc, document_no=document_no, verify_url=verify_url)
    return render_rectification(doc, current_app.config.get("CJK_FONT_PATH"))


DOCUMENT_KIND = "rectification"


def _content_sha256(order: RectificationOrder) -> str:
    """SHA-256 of everything the notice prints but its register number: an unchanged order is
    handed out as the same registered document again."""
    import dataclasses
    import hashlib
    import json

    def plain(value: Any) -> Any:  # a drawing by its hash, not its bytes
        return hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else str(value)

    content = {"order": order.id, **dataclasses.asdict(document_of(order))}
    return hashlib.sha256(json.dumps(content, default=plain, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def issue_pdf(by: User, order: RectificationOrder, device_id: int | None = None) -> tuple[bytes, str | None]:
    """The notice's PDF and its register number. An issued order is registered as an issued
    document (文书登记: number, SHA-256 of the bytes, a QR code to /verify) the first time its
    content is handed out; a pending one prints 未签发 and is not registered."""
    import hashlib

    from flask import current_app

    from ...models import IssuedDocument
    from .. import documents
    from ..case_file import VERIFY_PATH, case_version

    if not order.issued:
        return render_pdf(order), None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + VERIFY_PATH
    content = _content_sha256(order)
    found = db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.kind == DOCUMENT_KIND, IssuedDocument.inspection_id == order.inspection_id,
        IssuedDocument.content_sha256 == content).order_by(IssuedDocument.id.desc())).first()
    if found is not None:
        return render_pdf(order, document_no=found.document_no, verify_url=f"{base}/{found.verify_token}"), found.document_no
    order_id = order.id
    with documents.writing():
        order = db.session.get(RectificationOrder, order_id)
        now = utcnow()
        number, token = documents.new_document_no(order.agency.code, now), documents.new_verify_token()
        pdf = render_pdf(order, document_no=number, verify_url=f"{base}/{token}")
        row = IssuedDocument(
            document_no=number, inspection_id=order.inspection_id, inspection_revision=order.inspection.revision,
            inspection_version=case_version(order.inspection_id), kind=DOCUMENT_KIND,
            sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), verify_token=token, issued_at=now,
            issued_by_id=by.id, content_sha256=content,
            summary={"agency": order.agency.name, "caseNumber": order.doc_no, "party": order.party.name,
                     "inspectedOn": order.issued_on.isoformat() if order.issued_on else None,
                     "title": "责令改正通知书", "pages": None})
        db.session.add(row)
        db.session.flush()
        audit.record("rectification.print", "issued_document", row.id, actor_id=by.id, device_id=device_id,
                     inspection_id=order.inspection_id,
                     data={"documentNo": number, "sha256": row.sha256, "order": order.id, "docNo": order.doc_no})
    return pdf, number


def set_standing_authorisation(admin: User, agency: Agency, on: bool) -> Agency:
    """An administrator of the jurisdiction says whether the agency's inspectors issue 责令改正 on
    site (standing authorisation) or a 负责人 approves each; audited."""
    if admin.role != "admin" or not agency_in_scope(admin, agency):
        raise ApiError("forbidden", "Only an administrator of the jurisdiction may change this.",
                       details={"message_zh": "只有本辖区的管理员可以修改。", "messageZh": "只有本辖区的管理员可以修改。"})
    before = bool(agency.standing_rectification)
    agency.standing_rectification = bool(on)
    audit.record("agency.standing_rectification", "agency", agency.id, actor_id=admin.id,
                 data={"before": before, "after": bool(on)})
    return agency
