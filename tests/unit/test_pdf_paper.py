"""What a reviewer sees on paper beyond the content: status watermark, Chinese line breaking,
no tofu, GB/T 9704 margins. Read back with pdftotext (text, word boxes) and pypdf (fonts)."""
from __future__ import annotations

import io
import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont

from inspector.pdf import CaseFileRenderer, fonts
from inspector.pdf.data import ChecklistItem, ChecklistSection, ResultStatus, Sample
from inspector.pdf.linebreak import NO_LINE_END, NO_LINE_START

from .test_pdf_render import make_case, pdf_pages_text, pdf_stream_text, squeeze, write_page_images

TEMPLATES = Path(__file__).resolve().parents[2] / "inspector" / "refdata" / "templates"
PAGE_W, PAGE_H = 210 * mm, 297 * mm
SLACK = 0.3  # points: rounding in the word boxes


def render(case) -> bytes:
    return CaseFileRenderer(case).render()


def words(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) of every word, y measured down from the top."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    found, page = [], 0
    for line in out.splitlines():
        if line.strip().startswith("<page"):
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            found.append((page, *map(float, m.groups()[:4]), m.group(5)))
    return found


def text_lines(pdf: bytes) -> list[str]:
    return [line.strip() for page in pdf_pages_text(pdf) for line in page.splitlines() if line.strip()]


# ---------------------------------------------------------------- status on paper

@pytest.mark.parametrize("status, mark", [("draft", "草稿·非正式文书"), ("submitted", "待审核"),
                                          ("returned", "已退回"), ("rejected", "不予通过")])
def test_a_record_not_approved_prints_a_watermark_on_every_page_and_no_number(status, mark):
    pdf = render(replace(make_case(case_number="呼新市监检〔2026〕12号"), status=status))
    pages = pdf_pages_text(pdf)
    for page, drawn in zip(pages, pdf_stream_text(pdf), strict=True):
        assert mark in squeeze(drawn)  # in drawing order: the diagonal line is read as one piece
        assert "呼新市监检〔2026〕12号" not in squeeze(page)
        assert "检查记录编号：待编号" in squeeze(page)
    if status == "submitted":
        write_page_images(pdf, "case-submitted")


def test_an_approved_record_prints_clean_with_its_number_labelled_as_a_record_number():
    pages = pdf_pages_text(render(make_case(case_number="呼新市监检〔2026〕12号")))
    for page in pages:
        flat = squeeze(page)
        assert "检查记录编号：呼新市监检〔2026〕12号" in flat
        assert "案号" not in flat
        assert not any(mark in flat for mark in ("草稿", "待审核", "已退回", "不予通过"))


# ---------------------------------------------------------------- Chinese line breaking

CODES = ("GB/T 15063-2020", "FY-150122-2026-000123")


def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one_and_codes_stay_whole():
    # The same sentence shifted by one character per paragraph puts every mark and code at a line's end.
    narrative = "\n".join("检" * k + "，执行标准为（GB/T 15063-2020）；封样编号“FY-150122-2026-000123”。"
                          "货架上有《农药登记证》复印件、合格证明：无！是否属实？" for k in range(1, 37))
    pdf = render(replace(make_case(), narrative=narrative))
    lines = text_lines(pdf)
    assert sum("检检检" in line for line in lines) > 30
    bad_start = [line for line in lines if line[0] in NO_LINE_START]
    bad_end = [line for line in lines if line[-1] in NO_LINE_END]
    assert bad_start == [] and bad_end == []
    body = "\n".join(lines)
    assert body.count("GB/T 15063-2020") >= 36 and body.count("FY-150122-2026-000123") >= 36


def test_codes_in_table_cells_stay_whole():
    sample = Sample("复合肥料（15-15-15）", "2袋", "120袋", standard="GB/T 15063-2020 优等品",
                    seal_numbers=("FY-150122-2026-000123", "FY-150122-2026-000124"), batch_or_date="批号20251108")
    pdf = render(replace(make_case(), samples=(sample,)))
    body = "\n".join(text_lines(pdf))
    for code in ("GB/T 15063-2020", "20251108", "FY-150122-2026-000123", "FY-150122-2026-000124"):
        assert code in body


# ---------------------------------------------------------------- no tofu

def template_texts() -> list[str]:
    texts: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key not in ("key", "kind", "authority", "category", "basis_version"):
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for path in sorted(TEMPLATES.glob("*.json")):
        walk(json.loads(path.read_text()))
    return texts


def test_every_text_of_the_six_templates_prints_with_glyphs_the_embedded_fonts_have():
    texts = template_texts()
    assert any("P₂O₅" in t for t in texts)  # the case the reviewers found
    items = tuple(ChecklistItem(f"t{i}", text, "text", text, ResultStatus.VALUE, legal_basis=text)
                  for i, text in enumerate(texts))
    case = replace(make_case(photos=()), checklist=(ChecklistSection("模板全部文字", items),))
    renderer = CaseFileRenderer(case)
    pdf = renderer.render()
    assert renderer.font.fallback is not None
    coverage = {}
    for name in (renderer.font.name, renderer.font.fallback):
        coverage[getFont(name).face.name.decode()] = fonts.glyphs(name)
    missing: set[str] = set()
    drawn: list[str] = []

    def visit(text, _cm, _tm, font, _size) -> None:
        if not text.strip() or font is None:
            return
        base = re.sub(r"-\d+$", "", str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1])  # UMingCN-0: subset 0
        have = coverage.get(base)
        assert have is not None, f"text drawn in a font that is not embedded: {base}"
        drawn.append(text)
        missing.update(ch for ch in text if not ch.isspace() and ord(ch) not in have)

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    assert "₂" in "".join(drawn) and "₅" in "".join(drawn)
    assert missing == set()
    assert "N+P₂O₅+K₂O" in squeeze("".join(pdf_pages_text(pdf)))


# ---------------------------------------------------------------- GB/T 9704 page

def test_body_text_stays_inside_the_margins_and_the_page_number_sits_below_the_text_block():
    narrative = "\n".join("检" * k + "执法人员到达现场时，该经营部正在营业，店内货架陈列农药、化肥等农资产品。" * 3
                          for k in range(12))
    pdf = render(replace(make_case(extra_passed=30), narrative=narrative))
    boxes = words(pdf)
    left, right = 28 * mm - SLACK, PAGE_W - 26 * mm + SLACK
    outside = [(p, w, round(x0 / mm, 1), round(x1 / mm, 1)) for p, x0, _y0, x1, _y1, w in boxes
               if x0 < left or x1 > right]
    assert outside == []
    block_foot = PAGE_H - 35 * mm
    page_numbers = [b for b in boxes if b[5] == "共"]
    assert page_numbers and all(y0 >= block_foot + 7 * mm - SLACK for _p, _x0, y0, _x1, _y1, _w in page_numbers)
    labels = [b for b in boxes if "当事人（签名）" in b[5]]
    assert labels and all(37 * mm <= y0 and y1 <= block_foot for _p, _x0, y0, _x1, y1, _w in labels)


def test_the_cover_fits_one_page():
    renderer = CaseFileRenderer(make_case())
    renderer.render()
    cover = next(d for d in renderer.documents if d.key == "cover")
    assert cover.page_count == 1


# ---------------------------------------------------------------- nothing internal on paper

def test_the_appendix_prints_no_keys_kinds_or_devices_and_keeps_phone_and_sync_times_apart():
    from datetime import datetime

    from inspector.pdf.data import AuditEntry
    case = make_case()
    offline = tuple(AuditEntry(datetime(2026, 3, 13, 8, 2, s), "王建国", f"填写检查项 第{s}项", device="Mozilla/5.0 (Linux; Android 14)",
                               on_site_at=datetime(2026, 3, 5, 9, 10 + s)) for s in range(12))
    renderer = CaseFileRenderer(replace(case, audit_trail=case.audit_trail + offline))
    pdf = renderer.render()
    appendix = next(d for d in renderer.documents if d.key == "appendix")
    text = squeeze("".join(pdf_pages_text(pdf)[appendix.first_page - 1: appendix.last_page]))
    assert "pass_fail_na" not in text and "general.pass0" not in text
    assert "Mozilla" not in text and "华为Mate60" not in text
    assert "现场时间（手机）" in text and "同步时间（服务器）" in text
    # Twelve answers synced in one minute are one row: made on site on the 5th, synced on the 13th.
    assert "填写检查项（12次）" in text
    assert "2026-03-0509:10–09:21" in text and "2026-03-1308:02" in text
    on_site = squeeze("".join(pdf_pages_text(pdf)))
    assert "【不符合】不符合" not in on_site and "【不符合】" in on_site


def test_a_photo_too_small_to_print_legibly_prints_at_natural_size_and_says_so():
    from PIL import Image

    from .test_pdf_render import photo
    out = io.BytesIO()
    Image.new("RGB", (100, 68), (120, 90, 40)).save(out, "JPEG")
    tiny = photo(out.getvalue(), "远处拍摄的货架")
    renderer = CaseFileRenderer(replace(make_case(), photos=(tiny,)))
    pdf = renderer.render()
    sheet = next(d for d in renderer.documents if d.key == "evidence")
    assert "100×68像素，过小" in squeeze(pdf_pages_text(pdf)[sheet.first_page - 1])
    page = PdfReader(io.BytesIO(pdf)).pages[sheet.first_page - 1]
    placed = []

    def visit(op, args, cm, _tm) -> None:
        if op == b"Do":
            placed.append(cm[0])

    page.extract_text(visitor_operand_before=visit)
    # 100 px at 96 dpi: 75 points wide, not stretched to the 156 mm box.
    assert any(abs(width - 75) < 1 for width in placed), placed


def test_a_date_is_not_broken_across_lines():
    narrative = "\n".join("检" * k + "于2026年11月30日9时14分到达现场。" for k in range(1, 40))
    lines = text_lines(render(replace(make_case(), narrative=narrative)))
    assert sum("2026年11月30日9时14分" in line for line in lines) >= 39
