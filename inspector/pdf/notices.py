"""Notices of the complaints register (受理/不予受理告知, 终止调解告知, 立案告知 …) as PDFs in the
style of the case files: the same A4 geometry (GB/T 9704), CJK font and stylesheet, the agency
and title at the head of the page, the notice number under a rule, 第 N 页 共 M 页 at the foot.

A renderer over plain data (`Notice`), gathered by services/complaints/notices.py.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from . import styles as S
from .fonts import register_cjk_font
from .wording import cn_date, markup

FOOTER_BASELINE = S.FOOTER_BOTTOM + S.QR_SIZE / 2


@dataclass(frozen=True)
class Notice:
    agency_name: str
    title: str
    notice_no: str
    addressee: str  # printed first, followed by "："
    paragraphs: tuple[str, ...]
    issued_on: date
    footnote: str | None = None  # how it was sent, the rule set applied


class NoticeRenderer:
    """Builds one notice to PDF bytes."""

    def __init__(self, notice: Notice, font_path: str | None = None):
        self.notice = notice
        self.font = register_cjk_font(font_path).name
        self.ss = S.case_file_stylesheet(self.font)
        self.right = ParagraphStyle("right", parent=self.ss["body"], alignment=TA_RIGHT)

    def render(self) -> bytes:
        out = io.BytesIO()
        n = self.notice
        doc = SimpleDocTemplate(out, pagesize=(S.PAGE_WIDTH, S.PAGE_HEIGHT), leftMargin=S.MARGIN_LEFT,
                                rightMargin=S.MARGIN_RIGHT, topMargin=S.MARGIN_TOP,
                                bottomMargin=S.FOOTER_BOTTOM + S.QR_SIZE, title=f"{n.title} {n.notice_no}",
                                author=n.agency_name, creator="inspector.pdf", initialFontName=self.font,
                                invariant=True)
        story = [Paragraph(markup(n.addressee) + "：", self.ss["body"]), Spacer(1, 4)]
        story += [Paragraph(markup(text), self.ss["narrative"]) for text in n.paragraphs]
        story += [Spacer(1, 28), Paragraph(markup(n.agency_name) + "（印章）", self.right),
                  Paragraph(cn_date(n.issued_on), self.right)]
        if n.footnote:
            story += [Spacer(1, 18), Paragraph(markup(n.footnote), self.ss["small"])]
        doc.build(story, canvasmaker=self._canvas_class())
        return out.getvalue()

    def _canvas_class(self):
        """A canvas that holds its pages until the end, so each can print 共 M 页."""
        draw = self._furniture

        class CountingCanvas(Canvas):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._pages: list[dict] = []

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for number, state in enumerate(self._pages, start=1):
                    self.__dict__.update(state)
                    draw(self, number, total)
                    super().showPage()
                super().save()

        return CountingCanvas

    def _furniture(self, canv: Canvas, page: int, total: int) -> None:
        n = self.notice
        centre = S.MARGIN_LEFT + S.TEXT_WIDTH / 2
        canv.saveState()
        canv.setFillColor(S.INK)
        canv.setFont(self.font, S.AGENCY_SIZE)
        canv.drawCentredString(centre, S.PAGE_HEIGHT - S.AGENCY_BASELINE, n.agency_name)
        canv.setFont(self.font, S.TITLE_SIZE)
        canv.drawCentredString(centre, S.PAGE_HEIGHT - S.TITLE_BASELINE, n.title)
        canv.setFont(self.font, S.CASE_NUMBER_SIZE)
        canv.drawRightString(S.MARGIN_LEFT + S.TEXT_WIDTH, S.PAGE_HEIGHT - S.CASE_NUMBER_BASELINE, n.notice_no)
        canv.setStrokeColor(S.RULE)
        canv.line(S.MARGIN_LEFT, S.PAGE_HEIGHT - S.HEADER_RULE, S.MARGIN_LEFT + S.TEXT_WIDTH,
                  S.PAGE_HEIGHT - S.HEADER_RULE)
        canv.setFont(self.font, S.PAGE_NUMBER_SIZE)
        canv.drawRightString(S.MARGIN_LEFT + S.TEXT_WIDTH, FOOTER_BASELINE, f"第 {page} 页 共 {total} 页")
        canv.restoreState()
