"""The body of each document in the case file, as platypus flowables built from plain data.

Each `*_story` function returns the flowables of one document; the renderer puts a page break
and the document's page template between them. Page furniture is in page.py, photos in
evidence.py.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from . import styles as S
from .data import UNSIGNED, AuditAnchor, AuditEntry, CaseFile, ChecklistItem, ResultStatus, Sample, Signature
from .photos import prepare_signature
from .wording import (
    AUTHORITY_LABELS, RECUSAL_QUESTION, SAMPLED_PARTY_DECLARATION, SAMPLER_DECLARATION, SEAL_LABEL,
    RECORD_NUMBER_LABEL, STATUS_LABELS, UNNUMBERED, certificates_question, closing_question, cn_date, cn_datetime,
    cn_time_span, copies_line, gps_text, inspector_text, iso_minute, local, markup, or_blank, refusal_rows,
)


SAMPLING_DOCUMENT = "sampling"  # content.SAMPLING: the key its signatures attest

# The sample table's seal-number column, and the smallest size a code is set in to stay whole.
SEAL_COLUMN = 24 * mm
CODE_MIN_SIZE = 5.5


@dataclass(frozen=True)
class DocumentPages:
    """Where one document sits in the printed file (pages counted from 1 over the whole file)."""

    key: str
    title: str
    first_page: int
    last_page: int

    @property
    def page_count(self) -> int:
        return self.last_page - self.first_page + 1


def cover_story(case: CaseFile, ss: StyleSheet1, contents: Sequence[DocumentPages]) -> list[Flowable]:
    """案卷封面: who, when, where, and the list of documents inside with their pages."""
    inspectors = "、".join(inspector_text(i) for i in case.inspectors)
    fields = [
        (RECORD_NUMBER_LABEL, case.printed_number or UNNUMBERED),
        ("当事人", case.party.name),
        ("信用代码", or_blank(case.party.credit_code)),
        ("检查时间", cn_time_span(case.started_at, case.ended_at)),
        ("检查地点", case.place),
        ("检查人员", inspectors),
        ("版本", f"第 {case.case_version} 版"),
        ("出具时间", cn_datetime(case.issued_at)),
    ]
    story: list[Flowable] = [Spacer(1, 6 * mm), Paragraph(markup(case.case_title), ss["cover_title"])]
    # Label and value in columns: a wrapped value stays aligned under itself, whatever the label's length.
    rows = [[Paragraph(f"{label}：", ss["cover_field"]), Paragraph(markup(value), ss["cover_field"])]
            for label, value in fields]
    story.append(Table(rows, colWidths=[36 * mm, S.TEXT_WIDTH - 36 * mm], hAlign="LEFT", style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), ss["cover_field"].fontName), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])))
    story += [Spacer(1, 6 * mm), Paragraph("卷内文书目录", ss["heading"])]
    rows = [_head(ss, "序号", "文书名称", "页码", "页数")]
    for number, doc in enumerate(contents, start=1):
        pages = (f"第 {doc.first_page} 页" if doc.page_count == 1
                 else f"第 {doc.first_page}–{doc.last_page} 页")
        rows.append([_cell(ss, str(number)), _cell(ss, doc.title), _cell(ss, pages),
                     _cell(ss, str(doc.page_count))])
    story.append(_table(ss, rows, [14 * mm, 82 * mm, 36 * mm, 24 * mm]))
    return story


def on_site_story(case: CaseFile, ss: StyleSheet1) -> list[Flowable]:
    """现场笔录 (reference §3.1), fields in print order; failed checklist items first."""
    answers = case.answers
    story: list[Flowable] = [
        _field(ss, "时间", cn_time_span(case.started_at, case.ended_at)),
        _field(ss, "地点", case.place),
    ]
    if case.gps is not None:
        story.append(_field(ss, "定位", gps_text(case.gps)))
    for inspector in case.inspectors:
        story.append(_field(ss, "检查人员", inspector_text(inspector)))
    story += [Spacer(1, 2 * mm), _party_table(case, ss), Spacer(1, 2 * mm)]
    if case.on_site_person:
        story.append(_field(ss, "现场负责人", case.on_site_person))
    if answers.party_notified:
        story.append(_field(ss, "通知当事人到场情况", answers.party_notified))
    story += [
        _qa(ss, "问", certificates_question(case.agency_name, case.inspection_subject, case.inspectors)),
        _qa(ss, "答", answers.certificates_seen),
        _qa(ss, "问", RECUSAL_QUESTION),
        _qa(ss, "答", answers.recusal),
        Paragraph("检查项目及结果（不符合项列前）", ss["heading"]),
        _findings_table(case, ss),
        Paragraph("现场情况", ss["heading"]),
        *_paragraphs(case.narrative, ss["narrative"]),
        Paragraph("当事人的陈述和申辩", ss["heading"]),
        *_paragraphs(case.party_statement, ss["narrative"]),
        Spacer(1, 3 * mm),
        _qa(ss, "问", closing_question(answers.record_read_aloud)),
        _qa(ss, "答", answers.closing),
    ]
    if case.signatures.party.refused:
        story += refusal_story(case.signatures.party, ss)
    story += _copies(case, "on_site", ss)
    return story


def refusal_story(refusal: Signature, ss: StyleSheet1) -> list[Flowable]:
    """当事人拒绝签名: time, reason, witness and recording, in body text (reference §3.9)."""
    rows = [[_cell(ss, label, "cell_body"), _cell(ss, value, "cell_body")] for label, value in refusal_rows(refusal)]
    return [Paragraph("当事人拒绝签名情况", ss["heading"]),
            _table(ss, rows, [46 * mm, 110 * mm], header=False),
            Paragraph("见证人在本页“见证人（签名）”栏签名。", ss["body"])]


def _copies(case: CaseFile, key: str, ss: StyleSheet1) -> list[Flowable]:
    copies = case.copies.get(key)
    return [Spacer(1, 2 * mm), Paragraph(copies_line(copies), ss["body"])] if copies else []


def seal_box(agency_name: str, day, ss: StyleSheet1, label: str = "抽样单位") -> Table:
    """Where the agency seals (骑年盖月): its name, room for the seal, and the date under it."""
    rows = [[Paragraph(f"{label}：{markup(agency_name)}", ss["body"])],
            [Paragraph(SEAL_LABEL, ss["body"])],
            [Paragraph(cn_date(day), ss["body"])]]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), ss["body"].fontName),
                        ("BOX", (0, 0), (-1, -1), 0.6, S.TABLE_GRID),
                        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                        ("TOPPADDING", (0, 1), (-1, 1), 9 * mm), ("BOTTOMPADDING", (0, 1), (-1, 1), 6 * mm)])
    return Table(rows, colWidths=[76 * mm], style=style, hAlign="RIGHT")


def sampling_story(case: CaseFile, ss: StyleSheet1) -> list[Flowable]:
    """抽样记录 (reference §3.4): the samples table and both parties' declarations."""
    party = case.party
    story: list[Flowable] = [
        _field(ss, "被抽样单位", party.name),
        _field(ss, "信用代码", or_blank(party.credit_code)),
        _field(ss, "地址", or_blank(party.address)),
        _field(ss, "法定代表人", f"{or_blank(party.legal_representative)}　联系电话：{or_blank(party.phone)}"),
        _field(ss, "抽样时间", cn_time_span(case.started_at, case.ended_at)),
        _field(ss, "抽样地点", case.place),
    ]
    story += [_field(ss, "抽样人员", inspector_text(i)) for i in case.inspectors]
    story.append(Spacer(1, 3 * mm))

    # Header lines are broken by hand: CJK wrapping would leave one character on a line.
    heads = ("序号", "样品<br/>名称", "商标/<br/>品牌", "规格<br/>型号", "批号/<br/>生产日期", "生产者",
             "执行<br/>标准", "抽样<br/>数量", "抽样<br/>基数", "备样<br/>数量", "检验样品<br/>封条号")
    rows = [[Paragraph(h, ss["cell_small_head"]) for h in heads]]
    for number, sample in enumerate(case.samples, start=1):
        values = (str(number), sample.name, sample.brand, sample.spec, sample.batch_or_date,
                  sample.maker, sample.standard, sample.quantity, sample.base_quantity,
                  sample.backup_quantity)
        rows.append([_cell(ss, or_blank(v), "cell_small") for v in values]
                    + [code_cell(ss, sample.seal_numbers, SEAL_COLUMN)])
    widths = [7, 17, 12, 12, 17, 16, 16, 12, 11, 12, SEAL_COLUMN / mm]
    story.append(_table(ss, rows, [w * mm for w in widths]))
    notes = [f"样品{n}：{s.note}" for n, s in enumerate(case.samples, start=1) if s.note]
    if notes:
        story += [Spacer(1, 1.5 * mm), Paragraph("备注：" + markup("；".join(notes)), ss["small"])]
    for number, sample in enumerate(case.samples, start=1):
        story += [Spacer(1, 2 * mm), _sample_details(case, number, sample, ss)]

    samplers = "、".join(i.name for i in case.inspectors)
    story += [
        Spacer(1, 4 * mm),
        KeepTogether([
            Paragraph("抽样人员声明：" + SAMPLER_DECLARATION, ss["body"]),
            Paragraph(f"抽样人员（签名）：{markup(samplers)}　　日期：{_sign_date(case)}", ss["body"]),
            Spacer(1, 2 * mm),
            seal_box(case.agency_name, case.ended_at, ss),
        ]),
        Spacer(1, 3 * mm),
        KeepTogether([
            Paragraph("被抽样单位声明：" + SAMPLED_PARTY_DECLARATION, ss["body"]),
            *_sampled_party_signatures(case, ss),
        ]),
    ]
    story += _copies(case, "sampling", ss)
    return story


def _sampled_at(sample: Sample) -> str | None:
    """A sample's own sampling time as printed (the content holds it written out already)."""
    if not sample.sampled_at:
        return None
    return sample.sampled_at if isinstance(sample.sampled_at, str) else cn_datetime(sample.sampled_at)


def _sample_details(case: CaseFile, number: int, sample: Sample, ss: StyleSheet1) -> Flowable:
    """The fields of one sample the table has no room for, at body size."""
    rows = [
        ("抽样单编号", or_blank(sample.sample_no)),
        ("抽样时间", _sampled_at(sample) or cn_time_span(case.started_at, case.ended_at)),
        ("检验机构", or_blank(sample.lab_name)),
        ("购样费用", f"{sample.price_paid} 元" if sample.price_paid else "／"),
        ("检验样品封条编号", "、".join(sample.seal_numbers) or "／"),
        ("备份样品封条编号", "、".join(sample.backup_seal_numbers) or "／"),
        ("备样存放地点", or_blank(sample.backup_storage)),
        ("备样保存条件", or_blank(sample.backup_condition)),
        ("封样照片", "、".join(sample.sealed_photo_refs) if sample.sealed_photo_refs else "未拍摄"),
    ]
    data = [[_cell(ss, f"样品{number}（{sample.name}）", "cell_body"), ""]]
    data += [[_cell(ss, label, "cell_body"), _cell(ss, value, "cell_body")] for label, value in rows]
    table = _table(ss, data, [46 * mm, 110 * mm], header=False)
    table.setStyle(TableStyle([("SPAN", (0, 0), (1, 0)), ("BACKGROUND", (0, 0), (-1, 0), S.TABLE_HEAD_FILL)]))
    return table


_SAMPLE_SIGNATURE_BOX = (40 * mm, 14 * mm)


def _sampled_party_signatures(case: CaseFile, ss: StyleSheet1) -> list[Flowable]:
    """被抽样单位经办人's signature of each sample, drawn on the phone; a line to sign otherwise."""
    signed = [(n, s.party_signature) for n, s in enumerate(case.samples, start=1) if s.party_signature is not None]
    if not signed:
        return [Paragraph(f"被抽样单位经办人（签名）：{_party_sign_text(case)}　（盖章）　日期：{_sign_date(case)}",
                          ss["body"])]
    out: list[Flowable] = []
    for number, signature in signed:
        when = cn_date(signature.signed_on) if signature.signed_on else _sign_date(case)
        label = f"被抽样单位经办人（签名，样品{number}）：{markup(signature.name)}　日期：{when}"
        # Signed before the 抽样记录 changed (or no image held): the note, never the drawing.
        note = signature.cell_text(SAMPLING_DOCUMENT)
        picture = None if note is not None else signature_flowable(signature, _SAMPLE_SIGNATURE_BOX)
        out.append(Table([[Paragraph(label, ss["body"]),
                           picture or Paragraph(markup(note or UNSIGNED), ss["small"])]],
                         colWidths=[110 * mm, 46 * mm],
                         style=TableStyle([("FONTNAME", (0, 0), (-1, -1), ss["body"].fontName),
                                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]), hAlign="LEFT"))
    return out


def signature_flowable(signature: Signature, box: tuple[float, float]) -> Image | None:
    """A signature drawn on the phone as a flowable fitting `box` (points); None without one."""
    width, height = box
    picture = prepare_signature(signature.image_png, (S.print_pixels(width), S.print_pixels(height)))
    if picture is None:
        return None
    png = io.BytesIO()
    picture.save(png, "PNG")
    png.seek(0)
    scale = min(width / picture.width, height / picture.height)
    return Image(png, picture.width * scale, picture.height * scale)


def appendix_story(case: CaseFile, ss: StyleSheet1) -> list[Flowable]:
    """附录: every checklist answer, then the case's audit trail."""
    story: list[Flowable] = [Paragraph("附录一　检查表全部结果", ss["heading"])]
    number = 0
    for section in case.checklist:
        story.append(Paragraph(markup(section.title), ss["small"]))
        rows = [_head(ss, "序号", "检查项目", "结果", "判定", "依据（主管部门）", "备注")]
        fills = []
        for item in section.items:
            number += 1
            authority = AUTHORITY_LABELS.get(item.authority.value) if item.authority else None
            basis = markup(or_blank(item.legal_basis)) + (f"（{authority}）" if authority else "")
            rows.append([
                _cell(ss, str(number)),
                _cell(ss, item.label),
                _cell(ss, item.result_text),
                _cell(ss, STATUS_LABELS[item.status]),
                Paragraph(basis, ss["cell"]),
                _cell(ss, or_blank(item.note)),
            ])
            if item.status is ResultStatus.FAIL:
                fills.append(len(rows) - 1)
        story.append(_table(ss, rows, [9 * mm, 40 * mm, 27 * mm, 13 * mm, 42 * mm, 25 * mm], fills))
        story.append(Spacer(1, 2 * mm))

    story.append(Paragraph("附录二　案件操作记录", ss["heading"]))
    story.append(audit_table(case.audit_trail, ss))
    if case.verification.anchor is not None:
        story.extend(_anchor_story(case.verification.anchor, ss))
    return story


def audit_table(entries: Sequence[AuditEntry], ss: StyleSheet1) -> Flowable:
    """附录二: one compact row per action, or per run of the same action by the same person synced
    at the same minute. The phone's own time (on site, perhaps offline) and the server's time
    (when it synced) are printed apart, so an offline record does not look made days later."""
    if not entries:
        return Paragraph("无记录。", ss["body"])
    rows = [_head(ss, "现场时间（手机）", "同步时间（服务器）", "操作人", "操作", "说明")]
    for run in _runs(entries):
        first, last = run[0], run[-1]
        on_site = _time_span(first.on_site_at, last.on_site_at)
        synced = _time_span(first.at, last.at)
        action = first.action if len(run) == 1 else _run_action(run)
        rows.append([_cell(ss, on_site, "cell_small"), _cell(ss, synced, "cell_small"),
                     _cell(ss, first.actor, "cell_small"), _cell(ss, action, "cell_small"),
                     _cell(ss, or_blank(first.reason), "cell_small")])
    return _table(ss, rows, [27 * mm, 27 * mm, 20 * mm, 50 * mm, 32 * mm])


def _runs(entries: Sequence[AuditEntry]) -> list[list[AuditEntry]]:
    runs: list[list[AuditEntry]] = []
    for entry in entries:
        last = runs[-1][-1] if runs else None
        if (last is not None and last.actor == entry.actor and last.reason == entry.reason
                and _verb(last.action) == _verb(entry.action) and _minute(last.at) == _minute(entry.at)):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def _verb(action: str) -> str:
    return action.split(" ", 1)[0]


def _run_action(run: list[AuditEntry]) -> str:
    objects = [a.action.split(" ", 1)[1] for a in run if " " in a.action]
    head = f"{_verb(run[0].action)}（{len(run)} 次）"
    return head + ("：" + "；".join(dict.fromkeys(objects)) if objects and len(objects) <= 3 else "")


def _minute(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def _time_span(first: datetime | None, last: datetime | None) -> str:
    if first is None:
        return "／"
    start, end = _minute(first), _minute(last or first)
    if start == end:
        return start
    return f"{start}–{end[11:]}" if start[:10] == end[:10] else f"{start}–{end}"


def code_cell(ss: StyleSheet1, codes: Sequence[str], width: float, style: str = "cell_small") -> Paragraph:
    """Codes (seal numbers, batch numbers), one a line, each whole: set smaller when a code is wider
    than the column, down to a size still legible; only a code longer than that breaks."""
    base = ss[style]
    if not codes:
        return Paragraph("／", base)
    room = width - 6  # the table's left and right padding
    widest = max(stringWidth(code, base.fontName, 1) for code in codes)
    size = max(min(base.fontSize, room / widest if widest else base.fontSize), CODE_MIN_SIZE)
    fitted = ParagraphStyle(f"{style}-codes-{size:.2f}", parent=base, fontSize=size, leading=size * 1.3)
    return Paragraph("<br/>".join(markup(code) for code in codes), fitted)


def _anchor_story(anchor: AuditAnchor, ss: StyleSheet1) -> list[Flowable]:
    """The audit chain's signed head at issue: whoever holds this page can hold the server's chain
    (verification page, or `verify-audit`) against it, so a history rewritten later shows."""
    half = len(anchor.signature) // 2
    rows = [
        [_cell(ss, "审计链事件数"), _cell(ss, f"{anchor.seq} 条（截至本文书出具时）")],
        [_cell(ss, "审计链链头（SHA-256）"), _cell(ss, anchor.head_hash)],
        [_cell(ss, "签名检查点"), _cell(ss, f"第 {anchor.checkpoint_no} 号，签于 {iso_minute(anchor.signed_at)}，"
                                         f"密钥 {anchor.key_id}")],
        [_cell(ss, "检查点签名（Ed25519）"),
         Paragraph(f"{anchor.signature[:half]}<br/>{anchor.signature[half:]}", ss["cell"])],
    ]
    return [Spacer(1, 2 * mm), Paragraph("附录三　审计链锚定", ss["heading"]),
            Paragraph("本文书出具时，系统审计链的链头经服务器签名检查点确认如下；核验页面及审计核查命令据此"
                      "检查审计记录此后是否被改写或删减。", ss["small"]),
            _table(ss, rows, [42 * mm, 114 * mm], header=False)]


def failed_first(case: CaseFile) -> list[tuple[str, ChecklistItem]]:
    """(section title, item) of every answered item: failures first, then the rest in order."""
    items = [(section.title, item) for section in case.checklist for item in section.items]
    return ([pair for pair in items if pair[1].status is ResultStatus.FAIL]
            + [pair for pair in items if pair[1].status is not ResultStatus.FAIL])


def _findings_table(case: CaseFile, ss: StyleSheet1) -> Flowable:
    rows = [_head(ss, "序号", "检查项目", "检查结果", "依据")]
    fills = []
    for number, (section, item) in enumerate(failed_first(case), start=1):
        label = STATUS_LABELS[item.status]
        # A judged item prints its judgement once (not "【不符合】不符合"); a recorded value prints the value.
        result = (f"【{label}】" if item.result_text == label
                  else markup(item.result_text) if item.status is ResultStatus.VALUE
                  else f"【{label}】{markup(item.result_text)}")
        if item.note:
            result += f"<br/>备注：{markup(item.note)}"
        rows.append([
            _cell(ss, str(number)),
            Paragraph(f"<font size=7 color='#555555'>{markup(section)}</font><br/>{markup(item.label)}",
                      ss["cell"]),
            Paragraph(result, ss["cell"]),
            _cell(ss, or_blank(item.legal_basis)),
        ])
        if item.status is ResultStatus.FAIL:
            fills.append(len(rows) - 1)
    if len(rows) == 1:
        return Paragraph("本次检查未填写检查项目。", ss["body"])
    return _table(ss, rows, [10 * mm, 52 * mm, 38 * mm, 56 * mm], fills)


def _party_table(case: CaseFile, ss: StyleSheet1) -> Flowable:
    party = case.party
    rows = [
        ("当事人", party.name),
        ("主体类型", party.entity_type),
        ("主体资格证照名称", "、".join(party.licences) if party.licences else None),
        ("统一社会信用代码（注册号）", party.credit_code),
        ("住所（住址）", party.address),
        ("法定代表人（负责人、经营者）", party.legal_representative),
        ("身份证（其他有效证件）号码", party.operator_id_number),
        ("联系电话", party.phone),
    ]
    data = [[_cell(ss, label), _cell(ss, or_blank(value))] for label, value in rows]
    return _table(ss, data, [50 * mm, 106 * mm], header=False)


def _party_sign_text(case: CaseFile) -> str:
    party = case.signatures.party
    return "（拒绝签名，见现场笔录）" if party.refused else markup(party.name)


def _sign_date(case: CaseFile) -> str:
    return cn_date(case.ended_at)


def _field(ss: StyleSheet1, label: str, value: str) -> Paragraph:
    return Paragraph(f"{label}：{markup(value)}", ss["body"])


def _qa(ss: StyleSheet1, who: str, text: str) -> Paragraph:
    return Paragraph(f"{who}：{markup(text)}", ss["body"])


def _paragraphs(text: str, style) -> list[Flowable]:
    parts = [p.strip() for p in (text or "").splitlines() if p.strip()]
    return [Paragraph(markup(p), style) for p in parts] or [Paragraph("无。", style)]


def _cell(ss: StyleSheet1, text: str | None, style: str = "cell") -> Paragraph:
    return Paragraph(markup(text), _wrapping(ss, style, text or ""))


def _wrapping(ss: StyleSheet1, style: str, text: str) -> ParagraphStyle:
    """`style`, or for text without CJK its twin that breaks lines at spaces only.

    CJK wrapping breaks anywhere, which splits "GB/T 15063-2020" or "20251108" mid-number.
    """
    if any(ord(ch) >= 0x2E80 for ch in text):
        return ss[style]
    return ss[f"{style}_latin"]


def _head(ss: StyleSheet1, *titles: str) -> list[Paragraph]:
    return [Paragraph(t, ss["cell_head"]) for t in titles]


def _table(ss: StyleSheet1, rows: list[list[Flowable]], widths: list[float], fills: Sequence[int] = (),
           header: bool = True) -> Table:
    commands = [
        # Cells hold Paragraphs, but Table still sets its own font per cell (Helvetica by
        # default), which would put a non-embedded font in the file.
        ("FONTNAME", (0, 0), (-1, -1), ss["cell"].fontName),
        ("GRID", (0, 0), (-1, -1), 0.5, S.TABLE_GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), S.TABLE_HEAD_FILL))
    commands += [("BACKGROUND", (0, row), (-1, row), S.FAIL_FILL) for row in fills]
    # splitInRow: one finding with a very long note may be taller than a page.
    return Table(rows, colWidths=widths, style=TableStyle(commands), repeatRows=1 if header else 0,
                 splitInRow=1, hAlign="LEFT")


def access_code_story(case: CaseFile, ss: StyleSheet1) -> list[Flowable]:
    """The cover's access code (查验码): typed on a page's verify page, it shows that page as issued."""
    code = case.verification.access_code
    if not code:
        return []
    return [Spacer(1, 4 * mm),
            Paragraph(f"查验码：{code}（扫描任一页的二维码并输入此码，可查看该页出具时的原样）", ss["cover_field"])]
