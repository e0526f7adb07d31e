"""The demo dataset: people of every role in two leagues, parties, cases in several states."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from ..credit_code import make_credit_code
from ..database import db, utcnow
from ..models import (
    Agency, Campaign, ChecklistTemplate, Finding, Inspection, InspectionInspector, Party, ReviewDecision,
    Sample, Signature, User,
)
from . import audit, campaigns
from .passwords import hash_password

DEMO_PASSWORD = "demo-2026"

# username, name, role, agency code, certificate number
DEMO_USERS = [
    ("admin", "区局管理员", "admin", "150000", None),
    ("hq.reviewer", "赵审核（区局）", "reviewer", "150000", None),
    ("hhht.reviewer", "王审核（呼和浩特）", "reviewer", "150100", None),
    ("baotou.reviewer", "李审核（包头）", "reviewer", "150200", None),
    ("tuoketuo.zhang", "张执法", "inspector", "150122", "15012226001"),
    ("tuoketuo.liu", "刘执法", "inspector", "150122", "15012226002"),
    ("donghe.chen", "陈执法", "inspector", "150202", "15020226001"),
    ("donghe.sun", "孙执法", "inspector", "150202", "15020226002"),
    ("xincheng.zhou", "周执法", "inspector", "150102", "15010226001"),
    ("xincheng.wu", "吴执法", "inspector", "150102", "15010226002"),
    # Console people of the complaints and tasks work: intake, assignment, approval.
    ("tuoketuo.officer", "钱科员（托克托）", "officer", "150122", None),
    ("tuoketuo.head", "冯局长（托克托）", "head", "150122", None),
    ("tuoketuo.registrar", "韩登记（托克托）", "registrar", "150122", None),
    ("hhht.officer", "郑科员（呼和浩特）", "officer", "150100", None),
]

# Case-number words of the demo agencies (文号 such as 呼托市监检〔2026〕12号).
DEMO_CASE_WORDS = {"150122": "呼托市监", "150202": "包东市监", "150102": "呼新市监"}

DEMO_PARTIES = [
    # name, agency, first 17 characters of the credit code, legal representative, address, phone
    ("托克托县丰收农资经营部", "150122", "92150122MA0A1B2C3", "王建国", "托克托县双河镇新华街12号", "13904711234"),
    ("托克托县绿野种业有限公司", "150122", "91150122MA0D4E5F6", "赵丽", "托克托县古城镇农贸市场东侧", "13614711235"),
    ("包头市东河区惠农化肥销售中心", "150202", "92150202MA0G7H8J9", "刘强", "包头市东河区南门外大街88号", "13704721236"),
    ("包头市东河区金穗农药店", "150202", "92150202MA0K1L2M3", "孙敏", "包头市东河区西脑包农资市场5号", "13804721237"),
    ("呼和浩特市新城区田园农膜商行", "150102", "92150102MA0N4P5Q6", "周平", "呼和浩特市新城区海拉尔东路33号", "13904711238"),
]


def _template(key: str) -> ChecklistTemplate:
    return db.session.scalars(
        select(ChecklistTemplate).where(ChecklistTemplate.key == key, ChecklistTemplate.status == "published")
        .order_by(ChecklistTemplate.template_version.desc())
    ).first()


def add_demo_accounts(password_hash: str) -> dict[str, User]:
    """The demo people, and the case-number words of their agencies (the tests' personas too)."""
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    for code, word in DEMO_CASE_WORDS.items():
        agencies[code].case_code_word = word
        agencies[code].case_category_words = {"inspection": "检", "penalty": "罚"}
    users: dict[str, User] = {}
    for username, name, role, code, cert in DEMO_USERS:
        users[username] = User(username=username, display_name=name, role=role, agency=agencies[code],
                               cert_no=cert, password_hash=password_hash, active=True)
        db.session.add(users[username])
    return users


def seed_demo() -> dict[str, object]:
    """Create the demo dataset once; running it again changes nothing."""
    if db.session.scalars(select(User).where(User.username == "admin")).first():
        return {"created": False, "password": DEMO_PASSWORD, "users": [u[0] for u in DEMO_USERS]}
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    users = add_demo_accounts(hash_password(DEMO_PASSWORD))
    campaign = Campaign(code="ZJLJ-2026", name="2026年“质检利剑”农资打假专项行动",
                        agency_id=agencies["150000"].id, starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31))
    db.session.add(campaign)
    db.session.flush()
    parties = []
    for name, code, first17, rep, address, phone in DEMO_PARTIES:
        party = Party(id=str(uuid.uuid5(uuid.NAMESPACE_URL, "demo-party:" + name)), name=name,
                      credit_code=make_credit_code(first17), legal_rep=rep, address=address, phone=phone,
                      agency=agencies[code], licences=[], created_by_id=None)
        parties.append(party)
        db.session.add(party)
    db.session.flush()

    plan = [  # party index, template, status, inspectors
        (0, "fertilizer", "submitted", ("tuoketuo.zhang", "tuoketuo.liu")),
        (1, "seed", "draft", ("tuoketuo.liu", "tuoketuo.zhang")),
        (0, "pesticide", "returned", ("tuoketuo.zhang", "tuoketuo.liu")),
        (2, "fertilizer", "approved", ("donghe.chen", "donghe.sun")),
        (3, "pesticide", "submitted", ("donghe.sun", "donghe.chen")),
        (4, "film", "submitted", ("xincheng.zhou", "xincheng.wu")),
    ]
    start = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc) - timedelta(hours=8)
    for n, (party_index, key, status, inspector_names) in enumerate(plan):
        party, template = parties[party_index], _template(key)
        lead = users[inspector_names[0]]
        inspection = Inspection(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-inspection:{n}")), agency_id=lead.agency_id,
            party=party, template=template, status=status, created_by_id=lead.id,
            place=party.address, lat=40.27 + n * 0.01, lon=111.18 + n * 0.01, gps_accuracy_m=8.0,
            started_at_device=start + timedelta(days=n), ended_at_device=start + timedelta(days=n, minutes=50),
            certificates_answer="看清楚了", recusal_answer="不申请回避",
            narrative="检查人员到达现场时，当事人正在营业。现场检查货架上陈列的农资商品，并查看进货台账。",
            party_statement="我店商品均从正规渠道进货。", closing_answer="以上记录属实",
        )
        inspection.campaign_id = campaigns.campaign_for(inspection)
        db.session.add(inspection)
        for position, name in enumerate(inspector_names, start=1):
            inspection.inspectors.append(InspectionInspector(user_id=users[name].id, position=position))
        for index, item in enumerate(template.items()):
            if item["kind"] == "pass_fail_na":
                result, value = ("fail" if index == 2 else "pass"), None
            elif item["kind"] == "number":
                result, value = None, item.get("min", 1) or 1
            elif item["kind"] == "choice":
                result, value = None, item["choices"][0]
            elif item["kind"] == "date":
                result, value = None, "2026-10-01"
            else:
                result, value = None, "见现场照片"
            inspection.findings.append(Finding(id=str(uuid.uuid4()), item_key=item["key"], result=result,
                                               value=value, note="标签缺少生产日期" if result == "fail" else None))
        if key == "fertilizer":
            inspection.samples.append(Sample(
                id=str(uuid.uuid4()), name="复合肥料", brand="丰禾", spec="50 kg/袋", batch_no="20260915",
                maker="内蒙古某化肥有限公司", standard="GB/T 15063-2020", quantity="2 kg", base_quantity="120 袋",
                backup_quantity="1 kg", seal_numbers=[f"FY2026{n:04d}"]))
        inspection.signatures.append(Signature(id=str(uuid.uuid4()), role="party", status="signed",
                                               signer_name=party.legal_rep))
        if status != "draft":
            inspection.submitted_at = utcnow() - timedelta(days=5 - n)
        db.session.flush()
        audit.record("inspection.create", "inspection", inspection.id, actor_id=lead.id,
                     inspection_id=inspection.id, data={"demo": True})
        if status in ("returned", "approved"):
            reviewer = users["hhht.reviewer" if lead.agency.code.startswith("1501") else "baotou.reviewer"]
            decision = "return" if status == "returned" else "approve"
            case_number = None
            if decision == "approve":
                case_number = f"{DEMO_CASE_WORDS[lead.agency.code]}检〔2026〕1号"
                inspection.case_number = case_number
            db.session.add(ReviewDecision(
                inspection_id=inspection.id, revision=1, decision=decision, reviewer_id=reviewer.id,
                case_number=case_number,
                comment="请补充进货台账照片。" if decision == "return" else "同意。",
                item_comments={template.items()[0]["key"]: "营业执照照片不清晰，请重拍。"} if decision == "return" else {},
            ))
            inspection.decided_at = utcnow()
            audit.record(f"inspection.{decision}", "inspection", inspection.id, actor_id=reviewer.id,
                         inspection_id=inspection.id)
    db.session.commit()
    return {"created": True, "password": DEMO_PASSWORD, "users": [u[0] for u in DEMO_USERS]}
