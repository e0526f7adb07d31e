"""The 检验结果告知书 (SMP-R5; 范本 #32) to the dealer and, where the label names one, the producer:
what was sampled, the lab's conclusion item by item, and the right to a 复检 within 15 days of
receipt with the backup sample (产品质量法 第十五条). Printed by pdf/notices.py like the register's notices."""
from __future__ import annotations

from flask import current_app

from ...errors import ApiError
from ...models import Sample, SampleLab
from ...pdf.notices import Notice, NoticeRenderer
from ...pdf.wording import cn_date
from .life import current_report

CONCLUSION_WORDS = {"pass": "合格", "fail": "不合格", "not_judged": "不判定"}
VERDICT_WORDS = {"conforms": "符合", "fails": "不符合", "not_judged": "不判定"}
TITLE = "检验结果告知书"


def _product(sample: Sample) -> str:
    parts = [("商标", sample.brand), ("规格型号", sample.spec), ("生产日期/批号", sample.batch_no),
             ("标称生产企业", sample.maker)]
    said = "，".join(f"{label}：{value}" for label, value in parts if value)
    return f"{sample.name}（{said}）" if said else sample.name


def notice_for(sample: Sample, lab: SampleLab | None) -> Notice:
    """The notice of the sample's (first) lab report; 404 before a report is in."""
    report = current_report(lab)
    if report is None:
        raise ApiError("not_found", "No lab report has been entered for this sample yet.")
    inspection = sample.inspection
    addressee = inspection.party.name + (f"、{sample.maker}（标称生产企业）" if sample.maker else "")
    sampled_on = cn_date(sample.sampled_at or inspection.started_at_device or sample.created_at)
    sample_no = sample.sample_no
    body = [f"本局于{sampled_on}依法对你单位经营的{_product(sample)}抽取样品"
            f"{f'（抽样单编号：{sample_no}）' if sample_no else ''}，样品经{report.lab_name}检验"
            f"（检验报告编号：{report.report_no}），检验结论为：{CONCLUSION_WORDS[report.conclusion]}。"]
    lines = []
    for item in report.items:
        requirement = item.requirement_text or "—"
        declared = f"，标明值{item.declared_value}{item.unit or ''}" if item.declared_value else ""
        lines.append(f"{item.position}．{item.item}：标准要求{requirement}{declared}，实测值{item.measured_raw}"
                     f"{item.unit or ''}，单项判定：{VERDICT_WORDS[item.verdict]}"
                     f"{'（强制性条款）' if item.is_mandatory else ''}。")
    body += ["检验项目及结果如下：", *lines]
    if report.summary:
        body.append(f"不合格项目：{report.summary}")
    body.append("依据《中华人民共和国产品质量法》第十五条的规定，你单位如对检验结果有异议，可以自收到本告知书之日起"
                "十五日内向本局或者其上级市场监督管理部门书面申请复检，复检使用备份样品。"
                "逾期未申请的，视为认可检验结果。")
    delivered = (f"送达日期：{cn_date(report.delivered_on)}；复检申请期限至{cn_date(report.retest_due)}。"
                 if report.delivered_on else "（尚未送达）")
    footnote = f"检查记录：{inspection.case_number or inspection.id}。{delivered}"
    issued = report.notified_on or report.arrived_on
    return Notice(agency_name=inspection.agency.name, title=TITLE, notice_no=report.notice_no or "",
                  addressee=addressee, paragraphs=tuple(body), issued_on=issued, footnote=footnote)


def render_notice(sample: Sample, lab: SampleLab | None) -> bytes:
    return NoticeRenderer(notice_for(sample, lab), current_app.config.get("CJK_FONT_PATH")).render()
