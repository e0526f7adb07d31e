"""What every page carries: header, signature block, QR-code footer, 第 N 页 共 M 页.

The signature block and the footer are the same on every page of a case file, so each is drawn
once into a PDF form XObject and placed on each page by reference: a 150-page file then holds
one copy of the QR code's few hundred squares, not 150.
"""
from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from . import styles as S
from .data import UNSIGNED, CaseFile, Signature
from .photos import prepare_signature
from .wording import RECORD_NUMBER_LABEL, REFUSAL_CELL, UNNUMBERED, WATERMARKS, cn_date, markup

_SIGNATURE_FORM = "case-signature-block"
_FOOTER_FORM = "case-footer"

_CELL_WIDTH = S.TEXT_WIDTH / S.SIGNATURE_COLUMNS
_CELL_PAD = 1.5 * mm
_LABEL_DROP = 3.6 * mm  # label baseline below the cell's top edge
_SIGN_AREA_BOTTOM = 5 * mm  # above the name/date line
_SIGN_AREA_HEIGHT = S.SIGNATURE_BLOCK_HEIGHT - _SIGN_AREA_BOTTOM - _LABEL_DROP - 1.5 * mm
_SIGN_AREA_WIDTH = _CELL_WIDTH - 2 * _CELL_PAD


class PageFurniture:
    """Draws the fixed parts of each page for one case file on one canvas."""

    def __init__(self, case: CaseFile, stylesheet: StyleSheet1, font_name: str):
        self.case = case
        self.font = font_name
        self.stylesheet = stylesheet
        self._forms_defined = False  # one PageFurniture serves one build, on one canvas
        self._signature_forms: dict[tuple[str | None, ...], str] = {}
        box = (S.print_pixels(_SIGN_AREA_WIDTH), S.print_pixels(_SIGN_AREA_HEIGHT))
        signatures = case.signatures
        self._cells: list[tuple[str, Signature | None]] = [
            ("当事人（签名）", signatures.party),
            ("见证人（签名）", signatures.witness),
            ("检查人员（签名）", signatures.inspector1),
            ("检查人员（签名）", signatures.inspector2),
        ]
        self._images = {
            id(sig): ImageReader(image)
            for _label, sig in self._cells
            if sig is not None and (image := prepare_signature(sig.image_png, box)) is not None
        }

    def draw(self, canv: Canvas, title: str, page_no: int, page_count: int, document: str | None = None) -> None:
        """Everything outside the body frame of one page; the signature block only on a page of a
        signable `document` (content.py's key), each cell as that document's signatures stand."""
        if not self._forms_defined:
            self._define_forms(canv)
            self._forms_defined = True
        canv.saveState()
        self._header(canv, title)
        if document is not None:
            canv.doForm(self._signature_form(canv, document))
        canv.doForm(_FOOTER_FORM)
        self._page_qr(canv, canv.getPageNumber())
        canv.setFont(self.font, S.PAGE_NUMBER_SIZE)
        # GB/T 9704 7.5: below the text block, its top 7 mm under it, one character in from the edge.
        canv.drawRightString(S.MARGIN_LEFT + S.TEXT_WIDTH - S.PAGE_NUMBER_SIZE, S.PAGE_NUMBER_BASELINE,
                             f"第 {page_no} 页 共 {page_count} 页")
        canv.restoreState()

    def draw_watermark(self, canv: Canvas) -> None:
        """Across the page, over everything drawn on it (photos too), for a record not approved."""
        text = WATERMARKS.get(self.case.status)
        if text is None:
            return
        canv.saveState()
        canv.setFillColor(S.WATERMARK_INK)
        canv.setFillAlpha(S.WATERMARK_ALPHA)
        canv.translate(S.PAGE_WIDTH / 2, S.PAGE_HEIGHT / 2)
        canv.rotate(S.WATERMARK_ANGLE)
        size = S.WATERMARK_SIZE
        while size > 24 and stringWidth(text, self.font, size) > S.WATERMARK_MAX_WIDTH:
            size -= 2
        canv.setFont(self.font, size)
        canv.drawCentredString(0, -size / 3, text)
        canv.restoreState()

    def _header(self, canv: Canvas, title: str) -> None:
        centre = S.MARGIN_LEFT + S.TEXT_WIDTH / 2
        top = S.PAGE_HEIGHT
        canv.setFillColor(S.INK)
        canv.setFont(self.font, S.AGENCY_SIZE)
        canv.drawCentredString(centre, top - S.AGENCY_BASELINE, self.case.agency_name)
        # The font has no bold face; fill plus a thin stroke gives the title its weight. The
        # render mode is graphics state, so it is confined to this save/restore.
        canv.saveState()
        text = canv.beginText()
        text.setFont(self.font, S.TITLE_SIZE)
        text.setTextRenderMode(2)
        spaced = " ".join(title) if len(title) <= 6 else title
        text.setTextOrigin(centre - stringWidth(spaced, self.font, S.TITLE_SIZE) / 2,
                           top - S.TITLE_BASELINE)
        canv.setLineWidth(0.35)
        text.textOut(spaced)
        canv.drawText(text)
        canv.restoreState()
        case_no = f"{RECORD_NUMBER_LABEL}：{self.case.printed_number or UNNUMBERED}"
        canv.setFont(self.font, S.CASE_NUMBER_SIZE)
        canv.drawRightString(S.MARGIN_LEFT + S.TEXT_WIDTH, top - S.CASE_NUMBER_BASELINE, case_no)
        party = f"当事人：{self.case.party.name}"
        room = S.TEXT_WIDTH - stringWidth(case_no, self.font, S.CASE_NUMBER_SIZE) - 4 * mm
        canv.setFont(self.font, self._fitting_size(party, S.CASE_NUMBER_SIZE, room))
        canv.drawString(S.MARGIN_LEFT, top - S.CASE_NUMBER_BASELINE, party)
        canv.setStrokeColor(S.RULE)
        canv.setLineWidth(0.8)
        canv.line(S.MARGIN_LEFT, top - S.HEADER_RULE, S.MARGIN_LEFT + S.TEXT_WIDTH, top - S.HEADER_RULE)

    def _signature_form(self, canv: Canvas, document: str) -> str:
        """The form of the signature block as `document`'s pages show it: one per distinct look, so
        a file whose signatures all stand still holds one copy."""
        cells = tuple(self._cell_text(sig, document) for _label, sig in self._cells)
        name = self._signature_forms.get(cells)
        if name is None:
            name = f"{_SIGNATURE_FORM}-{len(self._signature_forms)}"
            self._signature_forms[cells] = name
            canv.beginForm(name)
            self._signature_block(canv, cells)
            canv.endForm()
        return name

    def _cell_text(self, signature: Signature | None, document: str) -> str | None:
        if signature is None:
            return None
        text = signature.cell_text(document)
        if text is None and not signature.refused and id(signature) not in self._images:
            return UNSIGNED  # bytes that are no image: never the typed name as if signed
        return text

    def _define_forms(self, canv: Canvas) -> None:
        canv.beginForm(_FOOTER_FORM)
        self._footer(canv)
        canv.endForm()

    def _signature_block(self, canv: Canvas, texts: tuple[str | None, ...]) -> None:
        x0, y0 = S.MARGIN_LEFT, S.SIGNATURE_BLOCK_BOTTOM
        canv.setStrokeColor(S.TABLE_GRID)
        canv.setLineWidth(0.6)
        canv.rect(x0, y0, S.TEXT_WIDTH, S.SIGNATURE_BLOCK_HEIGHT)
        for column in range(1, S.SIGNATURE_COLUMNS):
            x = x0 + column * _CELL_WIDTH
            canv.line(x, y0, x, y0 + S.SIGNATURE_BLOCK_HEIGHT)
        for column, (label, signature) in enumerate(self._cells):
            self._signature_cell(canv, x0 + column * _CELL_WIDTH, y0, label, signature, texts[column])

    def _signature_cell(self, canv: Canvas, x: float, y: float, label: str,
                        signature: Signature | None, text: str | None) -> None:
        top = y + S.SIGNATURE_BLOCK_HEIGHT
        canv.setFillColor(S.INK)
        canv.setFont(self.font, S.SIGNATURE_LABEL_SIZE)
        canv.drawString(x + _CELL_PAD, top - _LABEL_DROP, label)
        if signature is None:
            return
        if signature.refused:
            # The refusal's details print in the 现场笔录 at body size; the cell says where.
            canv.setFont(self.font, S.SIGNATURE_TEXT_SIZE)
            canv.drawString(x + _CELL_PAD, y + 1.8 * mm, REFUSAL_CELL)
            return
        if text is not None:  # not signed, or signed before this document's content changed
            self._cell_note(canv, x + _CELL_PAD, y + _CELL_PAD, text,
                            height=S.SIGNATURE_BLOCK_HEIGHT - _LABEL_DROP - 1 * mm - _CELL_PAD)
            return
        reader = self._images.get(id(signature))
        if reader is not None:
            width, height = reader.getSize()
            scale = min(_SIGN_AREA_WIDTH / width, _SIGN_AREA_HEIGHT / height)
            w, h = width * scale, height * scale
            canv.drawImage(reader, x + _CELL_PAD + (_SIGN_AREA_WIDTH - w) / 2,
                           y + _SIGN_AREA_BOTTOM + (_SIGN_AREA_HEIGHT - h) / 2, w, h)
        when = cn_date(signature.signed_on) if signature.signed_on else "　　年　月　日"
        canv.setFont(self.font, S.SIGNATURE_TEXT_SIZE)
        canv.drawString(x + _CELL_PAD, y + 1.8 * mm, f"{signature.name}　{when}")

    def _cell_note(self, canv: Canvas, x: float, y: float, text: str, height: float) -> None:
        """A note in place of a signature image, in the largest size that fits."""
        base: ParagraphStyle = self.stylesheet["refusal"]
        for size in S.SIGNATURE_REFUSAL_SIZES:
            style = ParagraphStyle(f"cell-note-{size}", parent=base, fontSize=size, leading=size * 1.2)
            para = Paragraph(markup(text), style)
            _w, h = para.wrap(_SIGN_AREA_WIDTH, height)
            if h <= height:
                break
        para.drawOn(canv, x, y + height - h)
    def _footer(self, canv: Canvas) -> None:
        verification = self.case.verification
        text_x = S.MARGIN_LEFT + S.QR_SIZE + 2.5 * mm
        room = S.TEXT_WIDTH - S.QR_SIZE - 2.5 * mm - 34 * mm  # leave the page number its place
        case_no = self.case.printed_number or UNNUMBERED
        lines = [
            f"文书编号：{verification.document_no or case_no}",
            f"{RECORD_NUMBER_LABEL}：{case_no}　第 {self.case.case_version} 版",
            f"扫码或访问 {verification.url} 核验",
        ]
        canv.setFillColor(S.INK)
        for row, line in enumerate(lines):
            canv.setFont(self.font, self._fitting_size(line, S.FOOTER_SIZE, room))
            canv.drawString(text_x, S.FOOTER_BOTTOM + S.QR_SIZE - 3 * mm - row * 4.2 * mm, line)

    def _page_qr(self, canv: Canvas, file_page: int) -> None:
        """The QR code of this page: it names the document and the page, so a scan shows this
        page's status (and, to whoever may see it, the page as issued). Drawn per page, not in
        the shared footer form, since each page's code differs."""
        # The flowable draws its squares straight on the canvas; the QrCodeWidget would go through
        # renderPDF, which sets Helvetica, a font that is not embedded.
        qr = QrCode(page_qr_payload(self.case, file_page), width=S.QR_SIZE, height=S.QR_SIZE, qrBorder=2,
                    qrLevel="M")
        qr.drawOn(canv, S.MARGIN_LEFT, S.FOOTER_BOTTOM)

    def _fitting_size(self, text: str, size: float, room: float, smallest: float = 4.5) -> float:
        """`size`, or the largest smaller size at which `text` fits in `room` (down to `smallest`)."""
        while size > smallest and stringWidth(text, self.font, size) > room:
            size -= 0.25
        return size


def page_qr_payload(case: CaseFile, file_page: int) -> str:
    """What the QR code on page `file_page` (counted over the whole file) holds: that page's verify address."""
    return case.verification.page_url(file_page)
