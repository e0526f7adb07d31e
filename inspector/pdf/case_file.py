"""The case-file renderer: plain `CaseFile` data in, PDF bytes out."""
from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from functools import partial
from typing import Callable

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from . import styles as S
from .data import CaseFile, EvidencePhoto
from .documents import (
    DocumentPages, access_code_story, appendix_story, cover_story, on_site_story, sampling_story,
)
from .evidence import evidence_story
from .fonts import CjkFont, register_cjk_font
from .page import PageFurniture
from .photos import PhotoCache, PrintPhoto, prepare_for_print
from .wording import UNNUMBERED, local

# Page numbers printed on the cover in the layout pass, as wide as any real ones will be.
_LAYOUT_FIRST_PAGE, _LAYOUT_LAST_PAGE = 8888, 9999


class CaseFileRenderer:
    """Renders one case file: 案卷封面, 现场笔录, 抽样记录, 证据提取单, 附录, each from a new page.

    Every page shows "第 N 页 共 M 页" counted within its document, and the cover lists each
    document's pages within the file, so page counts must be known before anything is printed.
    They come from a layout pass: the whole story is laid out once with no output and no
    photos (an evidence sheet always fills exactly one page, so photos cannot change the count),
    recording which document each page belongs to. The printing pass then knows every number.
    Rendering documents separately and merging them would also work, but each part would embed
    its own copy of the font subset, and merging needs a PDF library at runtime.
    """

    def __init__(self, case: CaseFile, *, font_path: str | None = None,
                 photo_cache: PhotoCache | None = None, progress: Callable[[int, int], None] | None = None):
        self.case = case
        self.photo_cache = photo_cache
        self.progress = progress  # called with (photos printed, photos) as the printing pass goes
        self.font: CjkFont = register_cjk_font(font_path)
        self.stylesheet = S.case_file_stylesheet(self.font.name)
        self.documents: tuple[DocumentPages, ...] = ()
        titles = case.titles
        self._titles: dict[str, str] = {"cover": titles.cover, "on_site": titles.on_site}
        if case.samples:
            self._titles["sampling"] = titles.sampling
        if case.photos:
            self._titles["evidence"] = titles.evidence
        self._titles["appendix"] = titles.appendix

    def render(self) -> bytes:
        """The PDF; afterwards `documents` holds each document's page range."""
        counts = self._build(contents=None, printing=False)[1]
        for _attempt in range(3):
            contents = self._page_ranges(counts)
            pdf, printed_counts = self._build(contents=contents, printing=True)
            if printed_counts == counts:
                self.documents = tuple(contents)
                return pdf
            counts = printed_counts  # the cover's own length changed with its numbers
        raise RuntimeError("page counts of the case file did not settle")

    def _page_ranges(self, counts: dict[str, int]) -> list[DocumentPages]:
        ranges, first = [], 1
        for key, title in self._titles.items():
            ranges.append(DocumentPages(key=key, title=title, first_page=first,
                                        last_page=first + counts[key] - 1))
            first += counts[key]
        return ranges

    def _build(self, contents: list[DocumentPages] | None, printing: bool) -> tuple[bytes, dict[str, int]]:
        """One pass over the whole story; returns the PDF (printing pass) and pages per document."""
        out = io.BytesIO()
        case = self.case
        doc = BaseDocTemplate(
            out, pagesize=(S.PAGE_WIDTH, S.PAGE_HEIGHT),
            leftMargin=S.MARGIN_LEFT, rightMargin=S.MARGIN_RIGHT,
            topMargin=S.MARGIN_TOP, bottomMargin=S.BODY_BOTTOM,
            title=pdf_title(case), author=case.agency_name, subject=pdf_subject(case),
            creator="inspector.pdf", initialFontName=self.font.name,
            invariant=True,  # same data, same bytes: the registry hashes what it issues
        )
        pages: Counter[str] = Counter()
        furniture = PageFurniture(case, self.stylesheet, self.font.name) if printing else None
        frame = partial(Frame, S.MARGIN_LEFT, S.BODY_BOTTOM, S.TEXT_WIDTH, S.BODY_HEIGHT,
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([
            PageTemplate(id=key, frames=[frame(id=f"{key}-body")],
                         onPage=partial(self._on_page, key, pages, furniture, contents),
                         onPageEnd=partial(self._on_page_end, furniture))
            for key in self._titles
        ])
        story: list[Flowable] = []
        for key in self._titles:
            if story:
                story += [NextPageTemplate(key), PageBreak()]
            story += self._story(key, contents, printing)
        if not printing:
            doc._doSave = 0  # layout pass: skip writing the file (ReportLab's own multiBuild does this)
        doc.build(story, canvasmaker=partial(_issued_canvas, case.issued_at))
        return out.getvalue(), dict(pages)

    def _on_page(self, key: str, pages: Counter[str], furniture: PageFurniture | None,
                 contents: list[DocumentPages] | None, canv: Canvas, _doc: BaseDocTemplate) -> None:
        pages[key] += 1
        if furniture is not None and contents is not None:
            total = next(d.page_count for d in contents if d.key == key)
            furniture.draw(canv, self._titles[key], pages[key], total, self._signed_document(key, pages[key]))

    def _signed_document(self, key: str, page_no: int) -> str | None:
        """The signable document (content.py's key) a page belongs to; None for the cover and the
        appendix, which carry no signature block: what happens after the signing (review, approval,
        the case number) never prints on a page that carries the signatures."""
        if key in ("cover", "appendix"):
            return None
        if key == "evidence":  # one sheet per page, in order
            photo = self.case.photos[min(page_no, len(self.case.photos)) - 1]
            return photo.document or "evidence"
        return key

    def _counted(self, prepare: Callable[[EvidencePhoto], PrintPhoto], total: int
                 ) -> Callable[[EvidencePhoto], PrintPhoto]:
        done = 0

        def prepare_and_count(photo: EvidencePhoto) -> PrintPhoto:
            nonlocal done
            printed = prepare(photo)
            done += 1
            self.progress(done, total)
            return printed
        return prepare_and_count

    @staticmethod
    def _on_page_end(furniture: PageFurniture | None, canv: Canvas, _doc: BaseDocTemplate) -> None:
        if furniture is not None:
            furniture.draw_watermark(canv)  # last, so that no photo covers it

    def _story(self, key: str, contents: list[DocumentPages] | None, printing: bool) -> list[Flowable]:
        case, ss = self.case, self.stylesheet
        if key == "cover":
            placeholders = [DocumentPages(k, t, _LAYOUT_FIRST_PAGE, _LAYOUT_LAST_PAGE)
                            for k, t in self._titles.items()]
            return cover_story(case, ss, contents or placeholders) + access_code_story(case, ss)
        if key == "on_site":
            return on_site_story(case, ss)
        if key == "sampling":
            return sampling_story(case, ss)
        if key == "evidence":
            prepare: Callable[[EvidencePhoto], PrintPhoto] | None = (
                partial(prepare_for_print, target_px=S.PHOTO_TARGET_PX, cache=self.photo_cache)
                if printing else None)
            if prepare is not None and self.progress is not None:
                prepare = self._counted(prepare, len(case.photos))
            return evidence_story(case, ss, prepare)
        return appendix_story(case, ss)


def pdf_title(case: CaseFile) -> str:
    """The file's Title: the case title and its number (待编号 until approval gives it one)."""
    return f"{case.case_title} {case.printed_number or UNNUMBERED}"


def pdf_subject(case: CaseFile) -> str:
    """The file's Subject: what was inspected, and the registered document number."""
    number = case.verification.document_no
    return f"{case.inspection_subject}现场检查案卷" + (f" 文书编号 {number}" if number else "")


def pdf_date(moment: datetime) -> str:
    """A PDF date string (ISO 32000 §7.9.4) of `moment` in China Standard Time."""
    moment = local(moment)
    return f"D:{moment:%Y%m%d%H%M%S}+08'00'"


def _issued_canvas(issued_at: datetime, *args, **kwargs) -> Canvas:
    """A canvas whose CreationDate and ModDate are the registered issue time, not the clock:
    a re-render of a registered document is byte-identical and says when it was issued."""
    canv = Canvas(*args, **kwargs)
    stamp = pdf_date(issued_at)
    canv.setDateFormatter(lambda *_ymdhms: stamp)
    return canv
