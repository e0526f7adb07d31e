"""责令改正通知书 (SAMR 范本 #33) as a PDF in the case files' page style: the notices' renderer
(A4 geometry, CJK font, agency and title at the head, 文号 under a rule, 第 N 页 共 M 页), with the
party block, the order, the remedy line, the 送达 record and the party's signature or refusal.

An order not issued (awaiting a 负责人's approval) prints with 未签发 across every page and in
place of the 文号: a copy to check, not to serve.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import styles as S
from .notices import Notice, NoticeRenderer
from .data import UNSIGNED
from .wording import cn_date, cn_datetime, markup

UNISSUED_MARK = "未签发"
UNISSUED_NO = "未签发（待负责人批准）"
SERVICE_METHOD_LABELS = {"direct": "直接送达", "left": "留置送达", "electronic": "电子送达", "post": "邮寄送达",
                         "entrusted": "委托送达", "forwarded": "转交送达", "public": "公告送达"}


@dataclass(frozen=True)
class RectificationDoc:
    agency_name: str
    government_name: str  # 本级人民政府 (行政复议法 2023: 复议 goes there)
    doc_no: str | None  # None: not issued
    party_name: str
    party_lines: tuple[str, ...]  # 统一社会信用代码, 住所, 法定代表人 …
    facts: str
    basis: str
    requirements: str
    mode: str  # deadline | immediate
    due_date: date | None
    report_back: bool
    inspectors: tuple[str, ...]  # 张三（执法证号 …）
    issued_on: date | None
    drafted_on: date
    service_method: str | None
    served_at: datetime | None
    served_to: str | None
    party_signature: str | None  # signed | refused | absent
    refusal_reason: str | None
    witness_name: str | None
    # The register's number and the public check page, printed with a QR code (issued orders only).
    document_no: str | None = None
    verify_url: str | None = None
    # Signed on the phone at the scene (issue 14). The party's drawing only when its signer was shown
    # this order's content (attested); `party_note` in its place otherwise (signed over content that
    # differs). Neither: the box is left empty for a signature on paper.
    party_drawing: bytes | None = None
    party_note: str | None = None
    # (name, drawing or None, note or None) of each inspector who signed on the phone.
    inspector_signatures: tuple[tuple[str, bytes | None, str | None], ...] = ()

    @property
    def issued(self) -> bool:
        return self.doc_no is not None


def paragraphs(doc: RectificationDoc) -> tuple[str, ...]:
    """The order's text, as printed (pure: the tests read it back through pdftotext)."""
    when = f"于{cn_date(doc.due_date)}前" if doc.mode == "deadline" and doc.due_date else "立即"
    order = (f"依据《中华人民共和国行政处罚法》第二十八条第一款的规定，本局责令你（单位）{when}改正上述违法行为。"
             f"改正内容及要求如下：{doc.requirements}")
    if doc.report_back:
        order += (f"并于{cn_date(doc.due_date)}前将改正情况书面报告本机关。" if doc.mode == "deadline" and doc.due_date
                  else "并将改正情况及时书面报告本机关。")
    return (
        f"经查，你（单位）{doc.facts.rstrip('。')}。",
        f"上述行为违反了{doc.basis.rstrip('。')}的规定。",
        order,
        "逾期不改正的，本机关将依法处理。",
        f"如不服本通知，可以在收到本通知书之日起六十日内向{doc.government_name}申请行政复议，"
        "也可以在六个月内依法向人民法院提起行政诉讼。",
    )


def service_lines(doc: RectificationDoc) -> tuple[str, ...]:
    """The 送达 record and the party's signature, refusal or absence."""
    if doc.served_at is None:
        return ("送达方式：＿＿＿＿　送达时间：＿＿＿＿　受送达人：＿＿＿＿",
                "当事人（签字）：＿＿＿＿＿＿　　日期：＿＿＿＿＿＿")
    lines = [f"送达方式：{SERVICE_METHOD_LABELS.get(doc.service_method or '', doc.service_method or '')}　"
             f"送达时间：{cn_datetime(doc.served_at)}　受送达人：{doc.served_to or ''}"]
    if doc.party_signature == "refused":
        lines.append(f"当事人拒绝签收。理由：{doc.refusal_reason or ''}；见证人：{doc.witness_name or ''}。")
    elif doc.party_signature == "absent":
        lines.append("当事人不在场。")
    elif doc.party_drawing is not None or doc.party_note is not None:
        lines.append(f"当事人当场签收（签字见下）。")
    else:
        lines.append(f"当事人（签字）：{doc.served_to or ''}（已签收）　日期：{cn_date(doc.served_at)}")
    return tuple(lines)


SIGNATURE_BOX = (48 * mm, 16 * mm)


def _drawing(png: bytes | None, box: tuple[float, float] = SIGNATURE_BOX) -> Image | None:
    """A signature drawn on the phone, fitted into `box` (points); None when there is none or it is unreadable."""
    import io

    from .photos import prepare_signature

    picture = prepare_signature(png, (S.print_pixels(box[0]), S.print_pixels(box[1])))
    if picture is None:
        return None
    out = io.BytesIO()
    picture.save(out, "PNG")
    out.seek(0)
    scale = min(box[0] / picture.width, box[1] / picture.height)
    return Image(out, picture.width * scale, picture.height * scale)


def party_box_text(doc: RectificationDoc) -> str | None:
    """What the party's signature box prints instead of a drawing ("" leaves it empty for a signature
    on paper): the refusal, 未签名, or nothing."""
    if doc.party_drawing is not None:
        return None
    if doc.party_signature == "refused" and doc.served_at is not None:
        return "拒绝签字"
    if doc.party_note is not None:
        return UNSIGNED
    return ""


class RectificationRenderer(NoticeRenderer):
    def __init__(self, doc: RectificationDoc, font_path: str | None = None):
        self.doc = doc
        super().__init__(Notice(agency_name=doc.agency_name, title="责令改正通知书",
                                notice_no=doc.doc_no or UNISSUED_NO, addressee=doc.party_name,
                                paragraphs=paragraphs(doc), issued_on=doc.issued_on or doc.drafted_on),
                         font_path)

    def render(self) -> bytes:
        import io

        out = io.BytesIO()
        d, n = self.doc, self.notice
        pdf = SimpleDocTemplate(out, pagesize=(S.PAGE_WIDTH, S.PAGE_HEIGHT), leftMargin=S.MARGIN_LEFT,
                                rightMargin=S.MARGIN_RIGHT, topMargin=S.MARGIN_TOP,
                                bottomMargin=S.FOOTER_BOTTOM + S.QR_SIZE, title=f"{n.title} {n.notice_no}",
                                author=n.agency_name, creator="inspector.pdf", initialFontName=self.font,
                                invariant=True)
        story = [Paragraph(markup(f"当事人：{d.party_name}"), self.ss["body"])]
        story += [Paragraph(markup(line), self.ss["body"]) for line in d.party_lines]
        story += [Spacer(1, 6), Paragraph(markup(n.addressee) + "：", self.ss["body"]), Spacer(1, 4)]
        story += [Paragraph(markup(text), self.ss["narrative"]) for text in n.paragraphs]
        story += [Spacer(1, 8), Paragraph(markup("执法人员：" + "、".join(d.inspectors)), self.ss["body"])]
        story += [Spacer(1, 20), Paragraph(markup(n.agency_name) + "（印章）", self.right),
                  Paragraph(cn_date(n.issued_on), self.right), Spacer(1, 14)]
        story += [Paragraph(markup(line), self.ss["body"]) for line in service_lines(d)]
        story += [Spacer(1, 6), *self._party_box()]
        story += self._inspector_signatures()
        story += [Spacer(1, 10), Paragraph("本文书一式两份，一份送达当事人，一份归档。", self.ss["small"])]
        pdf.build(story, canvasmaker=self._canvas_class())
        return out.getvalue()

    def _party_box(self) -> list[Flowable]:
        """当事人（签字）: the drawing when it attested this order, else the refusal or 未签名 (and why,
        under the box), else an empty box to sign on paper."""
        d = self.doc
        text = party_box_text(d)
        picture = _drawing(d.party_drawing) if text is None else None
        note = d.party_note
        if text is None and picture is None:
            text, note = UNSIGNED, "签名图像无法读取"
        cell = picture if picture is not None else Paragraph(markup(text or ""), self.ss["body"])
        when = cn_date(d.served_at) if d.served_at is not None and picture is not None else "　　年　　月　　日"
        box = Table([[Paragraph("当事人（签字）：", self.ss["body"]), cell, Paragraph(f"日期：{when}", self.ss["body"])]],
                    colWidths=[46 * mm, SIGNATURE_BOX[0] + 6 * mm, 56 * mm], rowHeights=[SIGNATURE_BOX[1] + 6 * mm],
                    style=TableStyle([("FONTNAME", (0, 0), (-1, -1), self.font), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                      ("BOX", (1, 0), (1, 0), 0.5, S.RULE), ("ALIGN", (1, 0), (1, 0), "CENTER"),
                                      ("LEFTPADDING", (0, 0), (0, 0), 0)]),
                    hAlign="LEFT")
        out: list[Flowable] = [box]
        if note and picture is None:
            out.append(Paragraph(markup(f"当事人{UNSIGNED}：{note}。"), self.ss["small"]))
        return out

    def _inspector_signatures(self) -> list[Flowable]:
        """执法人员（签名）: each inspector's drawing made on the phone when it attested this order; for the
        others, 未签名 and why."""
        if not self.doc.inspector_signatures:
            return []
        pictures: list[Flowable] = []
        notes: list[str] = []
        for name, png, note in self.doc.inspector_signatures:
            picture = _drawing(png, (34 * mm, 12 * mm)) if note is None else None
            if picture is not None:
                pictures.append(picture)
            else:
                notes.append(f"执法人员{name}{UNSIGNED}：{note or '签名图像无法读取'}。")
        out: list[Flowable] = [Spacer(1, 4)]
        if pictures:
            out.append(Table([[Paragraph("执法人员（签名）：", self.ss["body"]), *pictures]],
                             colWidths=[46 * mm, *[40 * mm] * len(pictures)],
                             style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                               ("LEFTPADDING", (0, 0), (0, 0), 0)]), hAlign="LEFT"))
        out += [Paragraph(markup(line), self.ss["small"]) for line in notes]
        return out

    def _furniture(self, canv: Canvas, page: int, total: int) -> None:
        super()._furniture(canv, page, total)
        if self.doc.issued:
            if self.doc.verify_url:
                self._verification(canv)
            return
        canv.saveState()
        canv.setFillColor(S.FAINT)
        canv.setFont(self.font, 72)
        canv.translate(S.PAGE_WIDTH / 2, S.PAGE_HEIGHT / 2)
        canv.rotate(35)
        canv.drawCentredString(0, 0, UNISSUED_MARK)
        canv.setFont(self.font, 14)
        canv.drawCentredString(0, -40, "待负责人批准后方可送达")
        canv.restoreState()

    def _verification(self, canv: Canvas) -> None:
        # The QR flowable draws straight on the canvas (the widget would switch to Helvetica).
        QrCode(self.doc.verify_url, width=S.QR_SIZE, height=S.QR_SIZE, qrBorder=2, qrLevel="M").drawOn(
            canv, S.MARGIN_LEFT, S.FOOTER_BOTTOM)
        canv.saveState()
        canv.setFillColor(S.INK)
        canv.setFont(self.font, S.FOOTER_SIZE)
        for row, line in enumerate(_verification_lines(self.doc)):
            canv.drawString(S.MARGIN_LEFT + S.QR_SIZE + 2.5 * mm, S.FOOTER_BOTTOM + S.QR_SIZE - 3 * mm - row * 4.2 * mm, line)
        canv.restoreState()


def _verification_lines(doc: RectificationDoc) -> tuple[str, ...]:
    return (f"文书编号：{doc.document_no}", f"文号：{doc.doc_no}", f"扫码或访问 {doc.verify_url} 核验")


def render_rectification(doc: RectificationDoc, font_path: str | None = None) -> bytes:
    return RectificationRenderer(doc, font_path).render()


def remedy_problems(text: str) -> list[str]:
    """What is wrong with a remedy line (RECT-R2): 复议 within 六十日 to the 本级人民政府 (行政复议法
    2023), 诉讼 within 六个月 (行政诉讼法 第四十六条); the outdated 三个月 and 复议委员会 are refused."""
    problems = []
    if "三个月" in text:
        problems.append("诉讼期限为六个月（行政诉讼法第四十六条），不是三个月。")
    if "复议委员会" in text:
        problems.append("行政复议向本级人民政府申请（行政复议法2023），不再向复议委员会申请。")
    if "六十日" not in text:
        problems.append("须写明六十日内申请行政复议。")
    if "六个月" not in text:
        problems.append("须写明六个月内提起行政诉讼。")
    return problems
