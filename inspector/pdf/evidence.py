"""证据提取单 (reference §3.3): one photo per page, large, with where it came from and its hash."""
from __future__ import annotations

import io
from typing import Callable

from reportlab.lib.styles import StyleSheet1
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table, TableStyle

from . import styles as S
from .data import UNSIGNED, CaseFile, EvidencePhoto
from .photos import PrintPhoto
from .documents import signature_flowable
from .wording import (
    EVIDENCE_CONFIRMATION, EVIDENCE_MISSING, PHOTO_TOO_SMALL, cn_date, cn_moment, copies_line, evidence_deviation_note,
    evidence_explanation, gps_text, inspector_text,
    markup,
)

PreparePhoto = Callable[[EvidencePhoto], PrintPhoto]

_GAP = 4 * mm
_MIN_PHOTO_HEIGHT = 40 * mm


def evidence_story(case: CaseFile, ss: StyleSheet1, prepare: PreparePhoto | None) -> list[Flowable]:
    """One sheet per photo. `prepare` is None in the layout pass: sheets then draw nothing."""
    story: list[Flowable] = []
    for index, photo in enumerate(case.photos, start=1):
        if story:
            story.append(PageBreak())
        story.append(EvidenceSheet(case, photo, index, ss, prepare))
    return story


class EvidenceSheet(Flowable):
    """Fills the body frame of one page: description, photo (or placeholder), metadata, confirmation."""

    def __init__(self, case: CaseFile, photo: EvidencePhoto, index: int, ss: StyleSheet1,
                 prepare: PreparePhoto | None):
        super().__init__()
        self.case, self.photo, self.index, self.ss, self.prepare = case, photo, index, ss, prepare

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        # Always the whole frame: one photo per page whatever the photo turns out to be, so the
        # layout pass can count pages without opening a single photo.
        self.width, self.height = avail_width, avail_height - 1
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        if self.prepare is None:
            return
        canv, width = self.canv, self.width
        printed = self.prepare(self.photo)
        top = self._top_block()
        bottom = self._bottom_block(missing=printed.jpeg is None)
        _w, top_h = top.wrap(width, self.height)
        _w, bottom_h = bottom.wrap(width, self.height)
        top.drawOn(canv, 0, self.height - top_h)
        bottom.drawOn(canv, 0, 0)

        box_top = self.height - top_h - _GAP
        box_height = max(min(S.PHOTO_BOX_MAX_HEIGHT, box_top - bottom_h - _GAP), _MIN_PHOTO_HEIGHT)
        if printed.jpeg is None:
            self._placeholder(printed.problem or "", box_top - box_height, box_height)
        else:
            self._photo(printed, box_top, box_height)

    def _photo(self, printed: PrintPhoto, box_top: float, box_height: float) -> None:
        too_small = max(printed.width_px, printed.height_px) < S.PHOTO_LEGIBLE_MIN_PX
        if too_small:
            # Stretched to the box, 100 x 68 px is a blur that looks like evidence: print it at its
            # natural size (1 px = 1/96 inch) and say why it is small.
            note = Paragraph(markup(PHOTO_TOO_SMALL.format(w=printed.width_px, h=printed.height_px)),
                             self.ss["evidence"])
            _w, note_h = note.wrap(self.width, box_height)
            note.drawOn(self.canv, 0, box_top - note_h)
            box_top -= note_h + 2 * mm
            box_height -= note_h + 2 * mm
        scale = min(self.width / printed.width_px, box_height / printed.height_px)
        if too_small:
            scale = min(scale, 72 / 96)
        w, h = printed.width_px * scale, printed.height_px * scale
        x, y = (self.width - w) / 2, box_top - h
        reader = ImageReader(io.BytesIO(printed.jpeg))
        self.canv.drawImage(reader, x, y, w, h)
        # For a JPEG, ImageReader stores a bound method of itself on itself (jpeg_fh): a
        # reference cycle that keeps its decoded pixels (~8 MB) alive until the cyclic garbage
        # collector happens to run. The image is embedded now; break the cycle so it goes at once.
        reader.__dict__.pop("jpeg_fh", None)
        self.canv.setStrokeColor(S.RULE)
        self.canv.setLineWidth(0.5)
        self.canv.rect(x, y, w, h)

    def _placeholder(self, problem: str, y: float, height: float) -> None:
        canv = self.canv
        canv.setStrokeColor(S.INK)
        canv.setLineWidth(1.2)
        canv.setDash(4, 3)
        canv.rect(0, y, self.width, height)
        canv.setDash()
        lines = [Paragraph(markup(problem), self.ss["placeholder"]),
                 Paragraph(f"SHA-256：{self.photo.sha256}", self.ss["placeholder_hash"])]
        heights = [p.wrap(self.width - 8 * mm, height)[1] for p in lines]
        cursor = y + height / 2 + sum(heights) / 2
        for paragraph, h in zip(lines, heights):
            cursor -= h
            paragraph.drawOn(canv, 4 * mm, cursor)

    def _top_block(self) -> Table:
        total = len(self.case.photos)
        rows = [[Paragraph(f"证据序号：{self.index}／{total}", self.ss["evidence"])],
                [Paragraph(f"证据名称（内容）：{markup(self.photo.caption)}", self.ss["evidence"])]]
        if self.photo.item_label:
            rows.append([Paragraph(f"关联检查项：{markup(self.photo.item_label)}", self.ss["evidence"])])
        return Table(rows, colWidths=[self.width], style=_plain(self.ss))

    def _bottom_block(self, missing: bool) -> Table:
        photo, ss = self.photo, self.ss
        facts = [
            ("拍摄时间（设备）", cn_moment(photo.device_taken_at)),
            ("拍摄时间（EXIF）", cn_moment(photo.exif_taken_at)),
            ("提取地点", self.case.place),
            ("定位", gps_text(photo.gps) if photo.gps else "／"),
            ("提取人", inspector_text(photo.inspector)),
        ]
        rows = [[Paragraph(label, ss["evidence"]), Paragraph(markup(value), ss["evidence"])]
                for label, value in facts]
        rows.append([Paragraph("SHA-256", ss["evidence"]), Paragraph(photo.sha256, ss["hash"])])
        when = photo.device_taken_at or self.case.started_at
        # A photo far from the inspection's time or place must not be vouched for as taken there.
        origin = (evidence_deviation_note(photo.deviation, photo.remark) if photo.deviation or photo.remark
                  else evidence_explanation(when, self.case.place, self.case.party.name))
        if missing:
            # Nothing is attached, so nobody confirmed it: no confirmation sentence, no signature line.
            statement = [[Paragraph(EVIDENCE_MISSING, ss["evidence"]), ""]]
        else:
            statement = [[Paragraph(markup(origin), ss["evidence"]), ""],
                         [Paragraph(EVIDENCE_CONFIRMATION, ss["evidence"]), ""],
                         [self._provider_line(), ""]]
        copies = self.case.copies.get("evidence")
        if copies:
            statement.append([Paragraph(copies_line(copies), ss["evidence"]), ""])
        style = _plain(ss) + [("GRID", (0, 0), (-1, len(rows) - 1), 0.5, S.TABLE_GRID),
                            ("TOPPADDING", (0, len(rows)), (-1, len(rows)), 5)]
        style += [("SPAN", (0, n), (1, n)) for n in range(len(rows), len(rows) + len(statement))]
        return Table(rows + statement, colWidths=[32 * mm, self.width - 32 * mm], style=TableStyle(style))

    def _provider_line(self) -> Flowable:
        """证据提供人 as signed on the phone (name, drawing, date), or a line to sign on paper."""
        provider = self.case.signatures.evidence_provider
        ss = self.ss
        if provider is None:
            return Paragraph("证据提供人（签名）：＿＿＿＿＿＿＿＿　　日期：　　　年　　月　　日", ss["evidence"])
        when = cn_date(provider.signed_on) if provider.signed_on else "　　年　月　日"
        text = Paragraph(f"证据提供人（签名）：{markup(provider.name)}　　日期：{when}", ss["evidence"])
        # Signed before this sheet changed (or was added), or no image held: the note, not the drawing.
        note = provider.cell_text(self.photo.document) if self.photo.document else None
        picture = None if note is not None else signature_flowable(provider, (36 * mm, 11 * mm))
        cells = [[text, picture or Paragraph(markup(note or UNSIGNED), ss["small"])]]
        return Table(cells, colWidths=[self.width - 46 * mm, 40 * mm], style=TableStyle(_plain(ss)))


def _plain(ss: StyleSheet1) -> list[tuple]:
    # FONTNAME: Table sets a font per cell even for Paragraph cells; Helvetica is not embedded.
    return [("FONTNAME", (0, 0), (-1, -1), ss["evidence"].fontName),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
