"""Page geometry and the one stylesheet of the printed case file.

GB/T 9704-2012 (reference §4): A4, margins top 37 mm, bottom 35 mm, binding (left) 28 mm, right
26 mm: a text block of 156 x 225 mm. Every page of a record carries a signature block (reference
§3.1, 13); it sits inside the text block, at its foot, so the body above it is 198 mm high. The page
number goes where GB/T 9704 puts it, below the text block; the QR-code footer below that.
"""
from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm

PAGE_WIDTH, PAGE_HEIGHT = A4

MARGIN_LEFT = 28 * mm  # binding side
TEXT_WIDTH = 156 * mm
MARGIN_RIGHT = PAGE_WIDTH - MARGIN_LEFT - TEXT_WIDTH  # 26 mm
MARGIN_TOP = 37 * mm  # the header (agency, title, case number) lives inside it

# Header, measured down from the top edge of the page.
AGENCY_BASELINE = 16 * mm
TITLE_BASELINE = 26.5 * mm
CASE_NUMBER_BASELINE = 32 * mm
HEADER_RULE = 33.5 * mm

# Footer and signature block, measured up from the bottom edge of the page.
MARGIN_BOTTOM = 35 * mm  # the foot of the text block
FOOTER_BOTTOM = 6 * mm
QR_SIZE = 16 * mm
SIGNATURE_BLOCK_BOTTOM = MARGIN_BOTTOM  # inside the text block, at its foot
SIGNATURE_BLOCK_HEIGHT = 24 * mm
SIGNATURE_COLUMNS = 4  # 当事人, 见证人, 检查人员, 检查人员
BODY_BOTTOM = SIGNATURE_BLOCK_BOTTOM + SIGNATURE_BLOCK_HEIGHT + 3 * mm

BODY_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - BODY_BOTTOM  # 198 mm

# Photos on a 证据提取单: the largest box a photo is printed in, and the print resolution its
# pixels are reduced to. 156 x 140 mm at 200 dpi is 1228 x 1102 px.
PHOTO_BOX_WIDTH = TEXT_WIDTH
PHOTO_BOX_MAX_HEIGHT = 140 * mm
PRINT_DPI = 200
# A photo whose longer side has fewer pixels is too small to print legibly: it prints at its
# natural size, flagged, instead of stretched to the box.
PHOTO_LEGIBLE_MIN_PX = 400


def print_pixels(length_pt: float) -> int:
    """Pixels needed to print `length_pt` points at PRINT_DPI."""
    return round(length_pt / 72 * PRINT_DPI)


PHOTO_TARGET_PX = (print_pixels(PHOTO_BOX_WIDTH), print_pixels(PHOTO_BOX_MAX_HEIGHT))

# Canvas-drawn text (header, footer, signature block), in points.
AGENCY_SIZE = 15
TITLE_SIZE = 20
CASE_NUMBER_SIZE = 9
PAGE_NUMBER_SIZE = 10.5
# GB/T 9704 7.5: the page number's top edge 7 mm below the text block.
PAGE_NUMBER_BASELINE = MARGIN_BOTTOM - 7 * mm - PAGE_NUMBER_SIZE  # the em box's top at 7 mm

# The watermark of a record that is not approved (wording.WATERMARKS), over the whole page.
WATERMARK_SIZE = 64
WATERMARK_MAX_WIDTH = 200 * mm
WATERMARK_ANGLE = 45
WATERMARK_ALPHA = 0.22
FOOTER_SIZE = 7
SIGNATURE_LABEL_SIZE = 8
SIGNATURE_TEXT_SIZE = 7.5
SIGNATURE_REFUSAL_SIZES = (7, 6.5, 6, 5.5, 5)  # tried in order until a note in a signature cell fits

INK = colors.black
RULE = colors.Color(0.35, 0.35, 0.35)
FAINT = colors.Color(0.45, 0.45, 0.45)
TABLE_GRID = colors.Color(0.3, 0.3, 0.3)
TABLE_HEAD_FILL = colors.Color(0.92, 0.92, 0.92)
FAIL_FILL = colors.Color(0.97, 0.90, 0.90)
WATERMARK_INK = colors.Color(0.75, 0.1, 0.1)


def case_file_stylesheet(font_name: str) -> StyleSheet1:
    """The one stylesheet of the case file, in the given CJK font."""
    sheet = StyleSheet1()
    base = ParagraphStyle("body", fontName=font_name, fontSize=12, leading=20, wordWrap="CJK",
                          alignment=TA_LEFT, textColor=INK)
    sheet.add(base)
    sheet.add(ParagraphStyle("narrative", parent=base, firstLineIndent=24))
    sheet.add(ParagraphStyle("field", parent=base, leftIndent=60, firstLineIndent=-60))
    sheet.add(ParagraphStyle("heading", parent=base, fontSize=13, leading=22, spaceBefore=8,
                             spaceAfter=2))
    sheet.add(ParagraphStyle("cover_title", parent=base, fontSize=22, leading=32,
                             alignment=TA_CENTER, spaceBefore=18, spaceAfter=18))
    sheet.add(ParagraphStyle("cover_field", parent=base, fontSize=13, leading=22))
    sheet.add(ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13))
    sheet.add(ParagraphStyle("cell_head", parent=base, fontSize=9.5, leading=13,
                             alignment=TA_CENTER))
    sheet.add(ParagraphStyle("cell_small", parent=base, fontSize=8, leading=10.5))
    # Twins for cells without CJK text: break at spaces, not inside numbers and codes.
    sheet.add(ParagraphStyle("cell_latin", parent=sheet["cell"], wordWrap=None))
    sheet.add(ParagraphStyle("cell_small_latin", parent=sheet["cell_small"], wordWrap=None))
    sheet.add(ParagraphStyle("cell_small_head", parent=base, fontSize=8, leading=10.5,
                             alignment=TA_CENTER))
    sheet.add(ParagraphStyle("small", parent=base, fontSize=9, leading=13))
    sheet.add(ParagraphStyle("evidence", parent=base, fontSize=10.5, leading=15))
    # A SHA-256 is printed on one line so that text extraction and a reader's eye find it whole.
    sheet.add(ParagraphStyle("hash", parent=base, fontSize=8, leading=11, wordWrap=None))
    sheet.add(ParagraphStyle("placeholder", parent=base, fontSize=18, leading=26,
                             alignment=TA_CENTER))
    sheet.add(ParagraphStyle("placeholder_hash", parent=base, fontSize=8, leading=11,
                             alignment=TA_CENTER, wordWrap=None))
    sheet.add(ParagraphStyle("refusal", parent=base, fontSize=SIGNATURE_REFUSAL_SIZES[0],
                             leading=SIGNATURE_REFUSAL_SIZES[0] * 1.25))
    # Table cells at body size (a refusal's details, a sample's own fields).
    sheet.add(ParagraphStyle("cell_body", parent=base, leading=16))
    sheet.add(ParagraphStyle("cell_body_latin", parent=sheet["cell_body"], wordWrap=None))
    return sheet
