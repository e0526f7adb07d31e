"""The notices a filing's steps send (受理/不予受理告知, 终止调解告知, 立案/不予立案告知, 限期提供
身份证明材料通知), gathered as plain data and printed by pdf/notices.py.

A notice to a reporter names them, so only those who may see the reporter print it (CR-R5); the
inspection done for the filing's task feeds the 终止调解 and 立案 notices with what it found.
"""
from __future__ import annotations

from flask import current_app

from ...errors import ApiError
from ...i18n import t
from ...models import Filing, FilingTransition, User
from ...pdf.notices import Notice, NoticeRenderer
from ...pdf.wording import cn_date
from . import confidential, leads, rules

TITLES = {
    "accept": "投诉受理告知书",
    "reject": "投诉不予受理告知书",
    "id_request": "限期提供身份证明材料通知书",
    "terminate": "终止调解告知书",
    "open_case": "举报立案告知书",
    "not_open": "举报不予立案告知书",
    "result": "举报处理结果告知书",
}
CHANNEL_WORDS = {
    "12315_platform": "全国12315平台", "12315_phone": "12315热线电话", "12345_hotline": "12345热线",
    "walk_in": "窗口", "letter": "信函", "fax": "传真", "email": "电子邮件", "onsite_event": "现场受理台",
    "media_exposure": "媒体曝光", "referral": "移送交办", "inspection_found": "执法检查", "12365": "12365热线",
    "96333": "96333热线",
}


def _addressee(filing: Filing, person: confidential.PersonView, role: str) -> str:
    if person.anonymous or not person.name:
        return role
    return f"{role}{person.name}"


def notice_for(user: User, filing: Filing, step: FilingTransition) -> Notice:
    """The notice a step sent, as printed; 403 when it would show a reporter the user may not see."""
    kind = step.notice_kind
    if kind not in TITLES:
        raise ApiError("not_found", "This step sends no printable notice.")
    if filing.kind == "report" and not confidential.may_see_person(user, filing):
        raise ApiError("forbidden", "A notice to the reporter is printed by the report's handlers only.")
    person = confidential.person_for(user, filing)
    version, law = filing.rule_version, rules.RULE_NAMES[filing.rule_version]
    received = cn_date(filing.received_at)
    via = CHANNEL_WORDS.get(filing.channel, filing.channel)
    found = leads.findings_text(filing)
    extra = (step.reason,) if step.reason else ()
    if kind == "accept":
        addressee = _addressee(filing, person, "投诉人")
        body = (f"你于{received}通过{via}提出的对{filing.respondent_name}的投诉，本局于{cn_date(step.on_date)}"
                f"决定予以受理。依据{law}的规定，本局将组织调解。",)
    elif kind == "reject":
        addressee = _addressee(filing, person, "投诉人")
        ground = dict(rules.refusal_grounds(version, filing.product_category)).get(step.ground or "", "")
        body = (f"你于{received}通过{via}提出的对{filing.respondent_name}的投诉，经审查，存在“{ground}”的情形。"
                f"依据{law}{rules.REFUSAL_ARTICLE[version]}第（{step.ground}）项的规定，本局决定不予受理。",
                *extra, "你还可以按照《中华人民共和国消费者权益保护法》第三十九条规定的其他途径解决。")
    elif kind == "id_request":
        addressee = _addressee(filing, person, "投诉人")
        body = (f"你于{received}提出的对{filing.respondent_name}的投诉，请按照{law}的规定提供真实身份证明材料。",
                *extra)
    elif kind == "terminate":
        addressee = f"{_addressee(filing, person, '投诉人')}、被投诉人{filing.respondent_name}"
        ground = dict(rules.termination_grounds(version)).get(step.ground or "", "")
        accepted = cn_date(filing.accepted_on) if filing.accepted_on else received
        body = (f"本局于{accepted}受理的投诉人对被投诉人{filing.respondent_name}的投诉，因“{ground}”，"
                f"依据{law}{rules.TERMINATION_ARTICLE[version]}第（{step.ground}）项的规定，"
                f"本局决定于{cn_date(step.on_date)}终止调解。", *extra,
                *((f"核查情况：{found}。",) if found else ()))
    elif kind == "result":
        addressee = _addressee(filing, person, "举报人")
        body = (f"你于{received}通过{via}举报的{filing.respondent_name}涉嫌违法的线索，本局已依法处理完毕。",
                f"处理结果：{step.reason or filing.outcome or ''}", "本局将依法对举报人的信息予以保密。")
    else:  # open_case / not_open
        addressee = _addressee(filing, person, "举报人")
        decision = "决定立案调查" if kind == "open_case" else "决定不予立案"
        body = (f"你于{received}通过{via}举报的{filing.respondent_name}涉嫌违法的线索，经核查，"
                f"本局于{cn_date(step.on_date)}{decision}。", *((f"核查情况：{found}。",) if found else ()),
                *extra, "本局将依法对举报人的信息予以保密。")
    method = t("notice_method_" + step.notice_method) if step.notice_method else "（尚未送达）"
    footnote = f"适用规定：{law}。送达方式：{method}。登记号：{filing.reg_no}。"
    return Notice(agency_name=filing.handling_agency.name, title=TITLES[kind],
                  notice_no=step.notice_no or filing.reg_no or "", addressee=addressee, paragraphs=tuple(body),
                  issued_on=step.on_date, footnote=footnote)


def render_notice(user: User, filing: Filing, step: FilingTransition) -> bytes:
    return NoticeRenderer(notice_for(user, filing, step), current_app.config.get("CJK_FONT_PATH")).render()
