"""The printed case file (案卷): what a reviewer, the party and a court read on paper.

Sample cases are built here from plain data, no database. The PDFs are read back with poppler's
pdftotext and with pypdf; page images go to test-artifacts/pdf/ for a person to look at.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import subprocess
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from inspector.pdf import CaseFileRenderer, fonts
from inspector.pdf.data import (
    AuditEntry, Authority, CaseFile, ChecklistItem, ChecklistSection, EvidencePhoto, GeoPoint,
    Inspector, Party, ResultStatus, Sample, Signature, Signatures, StandardAnswers, Verification,
    original_from_bytes,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"

WANG = Inspector("王建国", "15010220190031")
LI = Inspector("李明", "15010220200457")
PARTY = Party(
    name="呼和浩特市新城区丰收农资经销部",
    credit_code="92150102MA0N8K3T49",
    legal_representative="赵丰收",
    address="内蒙古自治区呼和浩特市新城区成吉思汗大街88号",
    phone="0471-6281234",
    licences=("营业执照", "农药经营许可证（农药经许（蒙）15010220012号）"),
)
REFUSAL_REASON = "称老板不在店内，本人无权签字"
FAILED = [
    ("复合肥料包装标识未标注执行标准", "《中华人民共和国产品质量法》第二十七条第一款第（三）项"),
    ("销售的农药未附产品质量检验合格证", "《农药管理条例》第二十七条"),
    ("未建立农药经营台账", "《农药经营许可管理办法》第十八条"),
]
PASSED = ["营业执照在有效期内并悬挂于显著位置", "农药经营许可证在有效期内"]


# ---------------------------------------------------------------- sample data

def jpeg(width: int, height: int, seed: int, orientation: int | None = None) -> bytes:
    """A small photo: coloured background and an arrow pointing to the top of the scene."""
    image = Image.new("RGB", (width, height), ((seed * 53) % 200 + 30, (seed * 97) % 200 + 30, 140))
    draw = ImageDraw.Draw(image)
    draw.polygon([(width // 2, 10), (width // 2 - 40, 70), (width // 2 + 40, 70)], fill="white")
    draw.rectangle([width // 2 - 12, 70, width // 2 + 12, height - 20], fill="white")
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def signature_png(text_seed: int) -> bytes:
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + i * 26, 120 + ((i * text_seed * 37) % 90) - 45) for i in range(21)]
    draw.line(points, fill=(10, 10, 60, 255), width=7)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo(data: bytes | None, caption: str, *, sha256: str | None = None,
          item_label: str | None = None, inspector: Inspector = WANG) -> EvidencePhoto:
    return EvidencePhoto(
        sha256=sha256 or hashlib.sha256(data or b"").hexdigest(),
        caption=caption,
        inspector=inspector,
        open_original=(original_from_bytes(data) if data is not None else (lambda: None)),
        item_label=item_label,
        device_taken_at=datetime(2026, 3, 5, 9, 20, 11),
        exif_taken_at="2026:03:05 09:20:09",
        gps=GeoPoint(40.8431, 111.6859, 6.0),
    )


def checklist(extra_passed: int = 0) -> tuple[ChecklistSection, ...]:
    general = ChecklistSection("一、通用检查", tuple(
        [ChecklistItem(f"general.pass{i}", label, "pass_fail_na", "符合", ResultStatus.PASS,
                       legal_basis="《中华人民共和国市场主体登记管理条例》第三十六条",
                       authority=Authority.SAMR) for i, label in enumerate(PASSED)]
        + [ChecklistItem(f"general.more{i}", f"进货查验记录第{i + 1}项", "pass_fail_na", "符合",
                         ResultStatus.PASS, legal_basis="《中华人民共和国产品质量法》第三十三条",
                         authority=Authority.SAMR, note="抽查近三个月台账" if i % 7 == 0 else None)
           for i in range(extra_passed)]
    ))
    fertiliser = ChecklistSection("二、化肥与农药", tuple(
        [ChecklistItem("fert.npk", "总养分标明值（%）", "number", "45", ResultStatus.VALUE,
                       legal_basis="GB/T 15063-2020", authority=Authority.BOTH),
         ChecklistItem("film.thickness", "地膜厚度", "pass_fail_na", "不适用", ResultStatus.NA)]
        + [ChecklistItem(f"fail.{i}", label, "pass_fail_na", "不符合", ResultStatus.FAIL,
                         legal_basis=basis, authority=Authority.MARA if i else Authority.SAMR,
                         note="现场拍照取证" if i == 0 else None)
           for i, (label, basis) in enumerate(FAILED)]
    ))
    return (general, fertiliser)


def make_case(*, photos: tuple[EvidencePhoto, ...] | None = None, extra_passed: int = 0,
              case_number: str | None = "呼新市监检〔2026〕12号", narrative_paragraphs: int = 3,
              party_refuses: bool = True) -> CaseFile:
    if photos is None:
        photos = (
            photo(jpeg(480, 360, 1), "店内农药货架全景", item_label=FAILED[1][0]),
            photo(jpeg(480, 360, 2, orientation=6), "复合肥料包装袋背面标识（竖拍）",
                  item_label=FAILED[0][0], inspector=LI),
            photo(None, "仓库内复合肥堆放情况", sha256="ab" * 32),
            photo(b"this is not a picture", "农药经营台账封面"),
        )
    party_signature = (Signature(PARTY.legal_representative or "", refused=True,
                                 refusal_reason=REFUSAL_REASON, witness_name="孙立（村委会主任）")
                       if party_refuses else
                       Signature("赵丰收", image_png=signature_png(5), signed_on=date(2026, 3, 5)))
    narrative = "\n".join(
        f"执法人员到达现场时，该经营部正在营业，店内货架陈列农药、化肥等农资产品共计{20 + i}个品种。"
        "执法人员对店内陈列的复合肥料逐一查看包装标识，并对农药经营台账进行了查阅。" * 3
        for i in range(narrative_paragraphs))
    return CaseFile(
        agency_name="呼和浩特市新城区市场监督管理局",
        case_title="呼和浩特市新城区丰收农资经销部农资产品现场检查",
        inspection_subject="农资产品经营情况",
        case_number=case_number,
        case_version=2,
        party=PARTY,
        inspectors=(WANG, LI),
        started_at=datetime(2026, 3, 5, 9, 5),
        ended_at=datetime(2026, 3, 5, 10, 30),
        place="呼和浩特市新城区成吉思汗大街88号丰收农资经销部店内",
        gps=GeoPoint(40.8431, 111.6859, 8.0),
        answers=StandardAnswers(certificates_seen="看清楚了", recusal="不申请回避",
                                closing="以上记录属实", record_read_aloud=True,
                                party_notified="当事人负责人赵丰收在场"),
        checklist=checklist(extra_passed),
        narrative=narrative,
        party_statement="这批复合肥是从包头的批发商处进的，标签问题我们不清楚。台账以后会补上。",
        samples=(
            Sample("复合肥料（15-15-15）", "2袋（每袋500克）", "120袋", brand="丰禾",
                   spec="40kg/袋", batch_or_date="20251108", maker="内蒙古丰禾化肥有限公司",
                   standard="GB/T 15063-2020", backup_quantity="1袋（500克）",
                   seal_numbers=("FY2026-0311", "FY2026-0312"), note="检验样品与备份样品分别封存"),
            Sample("草甘膦异丙胺盐水剂", "2瓶", "60瓶", brand="田丰", spec="200ml/瓶",
                   batch_or_date="2025-10-02", maker="山东田丰农化有限公司",
                   standard="GB 20684-2017", backup_quantity="1瓶", seal_numbers=("FY2026-0313",)),
        ),
        photos=photos,
        signatures=Signatures(
            party=party_signature,
            witness=Signature("孙立", image_png=signature_png(3), signed_on=date(2026, 3, 5)),
            inspector1=Signature(WANG.name, image_png=signature_png(7), signed_on=date(2026, 3, 5)),
            inspector2=Signature(LI.name, image_png=signature_png(11), signed_on=date(2026, 3, 5)),
        ),
        audit_trail=(
            AuditEntry(datetime(2026, 3, 5, 9, 5), "王建国", "inspection.create.v1", device="华为 Mate 60 #A17"),
            AuditEntry(datetime(2026, 3, 5, 10, 31), "王建国", "inspection.submit.v1", device="华为 Mate 60 #A17"),
            AuditEntry(datetime(2026, 3, 6, 14, 2), "刘芳（审核）", "inspection.return.v1",
                       reason="补充当事人拒签的见证人身份"),
            AuditEntry(datetime(2026, 3, 6, 16, 40), "王建国", "inspection.amend.v1", device="华为 Mate 60 #A17",
                       reason="补充见证人身份"),
        ),
        verification=Verification("https://nzdj.amr.nmg.gov.cn/v", "k7Qm2xR9fT", document_no="NZ-2026-000123"),
        issued_at=datetime(2026, 3, 7, 8, 30),
    )


# ---------------------------------------------------------------- reading the PDF back

def pdf_pages_text(pdf: bytes) -> list[str]:
    """Text of each page as poppler extracts it (what a search or a screen reader finds)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]


def pdf_stream_text(pdf: bytes) -> list[str]:
    """Text of each page in drawing order (pypdf): a wrapped table cell stays in one piece."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def write_page_images(pdf: bytes, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-", str(ARTIFACTS / name)], input=pdf, check=True)


def fonts_used(reader: PdfReader) -> list[dict]:
    """Every font dictionary reachable from the pages, form XObjects included."""
    found, seen = [], set()

    def walk(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                found.append(font)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found


def embedded(font: dict) -> bool:
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.fixture(scope="module")
def rendered() -> tuple[CaseFileRenderer, bytes, list[str]]:
    """The standard case: refused party signature, four photos (one missing, one corrupt)."""
    renderer = CaseFileRenderer(make_case())
    pdf = renderer.render()
    write_page_images(pdf, "case")
    return renderer, pdf, pdf_pages_text(pdf)


def document_text(renderer: CaseFileRenderer, pages: list[str], key: str) -> str:
    doc = next(d for d in renderer.documents if d.key == key)
    return "\n".join(pages[doc.first_page - 1: doc.last_page])


def document_cells(renderer: CaseFileRenderer, pdf: bytes, key: str) -> str:
    """A document's text in drawing order with whitespace removed, for reading table cells."""
    return squeeze(document_text(renderer, pdf_stream_text(pdf), key))


# ---------------------------------------------------------------- scenarios

def test_on_site_record_names_the_party_and_both_certificates(rendered):
    renderer, _pdf, pages = rendered
    text = document_text(renderer, pages, "on_site")
    assert PARTY.name in text
    assert PARTY.credit_code in text
    assert WANG.cert_no in text and LI.cert_no in text
    assert "2026年3月5日9时5分 至 10时30分" in text
    assert "是否看清楚？" in squeeze(text) and "看清楚了" in text
    assert "是否申请回避？" in squeeze(text) and "不申请回避" in text
    assert "以上是本次现场检查的情况记录，已向你宣读。如果属实请签名。" in squeeze(text)


def test_each_failed_item_is_printed_with_its_legal_basis(rendered):
    renderer, pdf, _pages = rendered
    text = document_cells(renderer, pdf, "on_site")
    # Failed rows come first, so each row runs from its label to the next row's label.
    row_starts = [label for label, _ in FAILED] + [PASSED[0]]
    for (label, basis), next_label in zip(FAILED, row_starts[1:]):
        row = text[text.index(label): text.index(next_label)]
        assert "【不符合】" in row
        assert squeeze(basis) in row


def test_failed_items_come_before_passed_items_in_the_on_site_record(rendered):
    renderer, pdf, _pages = rendered
    text = document_cells(renderer, pdf, "on_site")
    last_failed = max(text.index(squeeze(label)) for label, _ in FAILED)
    first_passed = min(text.index(squeeze(label)) for label in PASSED)
    assert last_failed < first_passed


def test_every_page_counts_its_own_document_and_signed_ones_carry_the_signature_block(rendered):
    """The cover and the appendix (review, approval, case number: after the signing) carry no
    signatures; every page of a signed document does."""
    renderer, _pdf, pages = rendered
    for doc in renderer.documents:
        for number, page in enumerate(pages[doc.first_page - 1: doc.last_page], start=1):
            assert f"第 {number} 页 共 {doc.page_count} 页" in page
            flat = squeeze(page)
            if doc.key in ("cover", "appendix"):
                assert "当事人（签名）" not in flat and "检查人员（签名）" not in flat
            else:
                assert "当事人（签名）" in flat and "见证人（签名）" in flat
                assert flat.count("检查人员（签名）") == 2
                assert "当事人拒绝签名" in flat
            assert "https://nzdj.amr.nmg.gov.cn/v/k7Qm2xR9fT" in flat
            assert "NZ-2026-000123" in flat
            assert "呼和浩特市新城区市场监督管理局" in flat
            assert squeeze(doc.title) in flat or " ".join(doc.title) in page


def test_cover_lists_every_document_with_the_pages_it_really_has(rendered):
    renderer, pdf, pages = rendered
    reader = PdfReader(io.BytesIO(pdf))
    docs = renderer.documents
    assert [d.key for d in docs] == ["cover", "on_site", "sampling", "evidence", "appendix"]
    assert len(reader.pages) == len(pages) == sum(d.page_count for d in docs)
    assert docs[0].first_page == 1 and docs[-1].last_page == len(reader.pages)
    for before, after in zip(docs, docs[1:]):
        assert after.first_page == before.last_page + 1
    cover = squeeze(pages[0])
    for doc in docs:
        pages_text = (f"第{doc.first_page}页" if doc.page_count == 1
                      else f"第{doc.first_page}–{doc.last_page}页")
        assert squeeze(doc.title) + pages_text + str(doc.page_count) in cover
    assert renderer.documents[3].page_count == 4  # one 证据提取单 per photo


def test_party_refusal_is_recorded_with_reason_and_witness(rendered):
    renderer, _pdf, pages = rendered
    text = squeeze(document_text(renderer, pages, "on_site"))
    assert f"当事人拒绝签名情况" in text and f"拒绝理由{REFUSAL_REASON}" in text and "见证人姓名孙立（村委会主任）" in text


def test_every_photo_hash_is_printed_in_full_on_its_own_sheet(rendered):
    renderer, _pdf, pages = rendered
    evidence = next(d for d in renderer.documents if d.key == "evidence")
    for sheet, item in zip(pages[evidence.first_page - 1: evidence.last_page], renderer.case.photos):
        assert item.sha256 in sheet  # on one line, not wrapped
        assert squeeze(item.caption) in squeeze(sheet)
        printed = "照片原件尚未上传" not in sheet and "照片无法读取" not in sheet
        # Nobody confirmed a photo that is not there: the sheet says it is missing instead.
        assert ("证据提供人确认：以上照片与原件一致。" in squeeze(sheet)) == printed
        assert ("照片缺失" in sheet) == (not printed)
        assert item.inspector.cert_no in sheet
        assert "2026年3月5日9时20分11秒" in sheet and "2026年3月5日9时20分9秒" in sheet  # device, EXIF


def test_missing_and_corrupt_photos_print_placeholders_not_errors(rendered):
    renderer, _pdf, pages = rendered
    evidence = next(d for d in renderer.documents if d.key == "evidence")
    sheets = pages[evidence.first_page - 1: evidence.last_page]
    missing, corrupt = renderer.case.photos[2], renderer.case.photos[3]
    assert "照片原件尚未上传" in sheets[2] and missing.sha256 in squeeze(sheets[2])
    assert "照片无法读取" in sheets[3] and corrupt.sha256 in squeeze(sheets[3])
    assert "照片原件尚未上传" not in sheets[0] and "照片无法读取" not in sheets[0]


def test_photos_are_printed_upright_and_reduced(rendered):
    renderer, pdf, _pages = rendered
    reader = PdfReader(io.BytesIO(pdf))
    evidence = next(d for d in renderer.documents if d.key == "evidence")

    def photo_size(page_index: int) -> tuple[int, int]:
        # The page also shows the (smaller) signature images of the signature block.
        images = [i.image for i in reader.pages[page_index].images]
        largest = max(images, key=lambda i: i.width * i.height)
        return largest.width, largest.height

    assert photo_size(evidence.first_page - 1) == (480, 360)
    assert photo_size(evidence.first_page) == (360, 480)  # stored 480x360, EXIF orientation 6


def test_sampling_record_has_the_sample_table_and_both_declarations(rendered):
    renderer, pdf, _pages = rendered
    text = document_cells(renderer, pdf, "sampling")
    for head in ("样品名称", "商标/品牌", "规格型号", "批号/生产日期", "生产者", "执行标准",
                 "抽样数量", "抽样基数", "备样数量", "检验样品封条号"):
        assert head in text
    assert "FY2026-0311" in text and "GB20684-2017" in text
    assert "抽样人员声明：本次抽样已按要求执行完毕" in text
    assert "被抽样单位声明：我认真负责地填写（提供）了以上内容" in text


def test_appendix_has_every_answer_and_the_audit_trail(rendered):
    renderer, pdf, _pages = rendered
    text = document_cells(renderer, pdf, "appendix")
    for section in renderer.case.checklist:
        for item in section.items:
            assert squeeze(item.label) in text
    assert "地膜厚度" in text and "不适用" in text
    assert "inspection.return.v1" in text and "补充当事人拒签的见证人身份" in text


def test_fonts_are_embedded_when_uming_is_installed(rendered):
    renderer, pdf, _pages = rendered
    if not Path(fonts.UMING_PATH).exists():
        pytest.skip("AR PL UMing is not installed")
    assert renderer.font.embedded and renderer.font.path == fonts.UMING_PATH
    used = fonts_used(PdfReader(io.BytesIO(pdf)))
    assert used, "no fonts found"
    assert all(embedded(font) for font in used), [f.get("/BaseFont") for f in used]
    listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [row.split() for row in listing.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), listing  # the "emb" column


def test_unnumbered_case_prints_pending_number():
    case = make_case(case_number=None, photos=(), party_refuses=False)
    renderer = CaseFileRenderer(case)
    pages = pdf_pages_text(renderer.render())
    assert all("待编号" in page for page in pages)
    assert [d.key for d in renderer.documents] == ["cover", "on_site", "sampling", "appendix"]
    assert "当事人拒绝签名" not in "".join(pages)


def test_big_case_with_100_findings_and_60_photos_flows_over_pages():
    photos = tuple(photo(jpeg(160, 120, i), f"现场照片第{i + 1}张") for i in range(60))
    case = make_case(photos=photos, extra_passed=95, narrative_paragraphs=30)
    assert sum(len(s.items) for s in case.checklist) >= 100
    renderer = CaseFileRenderer(case)
    pdf = renderer.render()
    write_page_images(pdf, "big")
    pages = pdf_pages_text(pdf)
    docs = {d.key: d for d in renderer.documents}
    assert docs["evidence"].page_count == 60
    assert docs["on_site"].page_count >= 4
    assert len(pages) == sum(d.page_count for d in renderer.documents)
    on_site = squeeze("\n".join(pages[docs["on_site"].first_page - 1: docs["on_site"].last_page]))
    assert "进货查验记录第95项" in on_site and "以上记录属实" in on_site
    text = squeeze("\n".join(pages))
    assert all(p.sha256 in text for p in photos)


class DictCache:
    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.store.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.store[key] = data


def test_second_render_reuses_downscaled_photos_from_the_cache():
    opened: list[str] = []

    def counting(item: EvidencePhoto) -> EvidencePhoto:
        inner = item.open_original

        def open_original():
            opened.append(item.sha256)
            return inner()
        return replace(item, open_original=open_original)

    photos = tuple(counting(photo(jpeg(640, 480, i), f"照片{i}")) for i in range(3))
    cache = DictCache()
    case = make_case(photos=photos)
    first = CaseFileRenderer(case, photo_cache=cache).render()
    assert len(opened) == 3 and len(cache.store) == 3
    assert all(key.startswith("print:") and photos[0].sha256 in next(iter(cache.store)) for key in cache.store)
    second = CaseFileRenderer(case, photo_cache=cache).render()
    assert len(opened) == 3  # nothing decoded again
    assert first == second  # same data, same bytes


def test_without_any_truetype_font_the_builtin_cid_font_is_used(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "UMING_PATH", "/nonexistent/uming.ttc")
    monkeypatch.setattr(fonts, "_registered", {})
    with caplog.at_level(logging.WARNING, logger="inspector.pdf.fonts"):
        renderer = CaseFileRenderer(make_case(photos=()), font_path="/nonexistent/other.ttf")
        pdf = renderer.render()
    assert renderer.font.name == "STSong-Light" and not renderer.font.embedded
    assert any("STSong-Light" in r.getMessage() for r in caplog.records)
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 3


def test_a_photo_whose_bytes_changed_is_not_printed_as_evidence():
    replaced = photo(jpeg(320, 240, 9), "货架照片", sha256=hashlib.sha256(b"the photo taken").hexdigest())
    renderer = CaseFileRenderer(make_case(photos=(replaced,)))
    pages = pdf_pages_text(renderer.render())
    sheet = pages[next(d for d in renderer.documents if d.key == "evidence").first_page - 1]
    assert "照片与登记的 SHA-256 不一致" in sheet and replaced.sha256 in squeeze(sheet)


def test_a_storage_outage_fails_the_render_instead_of_printing_placeholders():
    def unreachable():
        raise ConnectionError("object store unreachable")

    outage = replace(photo(jpeg(320, 240, 4), "货架照片"), open_original=unreachable)
    with pytest.raises(ConnectionError):
        CaseFileRenderer(make_case(photos=(outage,))).render()


def test_a_long_refusal_and_a_damaged_signature_image_still_print():
    reason = "当事人称其只是店员，老板外出进货，需电话请示后才能决定是否签字，经执法人员多次说明仍拒绝签名。" * 4
    case = make_case(photos=())
    signatures = replace(
        case.signatures,
        party=replace(case.signatures.party, refusal_reason=reason),
        witness=replace(case.signatures.witness, image_png=b"\x89PNG\r\n\x1a\n broken"),
    )
    renderer = CaseFileRenderer(replace(case, signatures=signatures))
    pdf = renderer.render()
    write_page_images(pdf, "long-refusal")
    pages = pdf_pages_text(pdf)
    assert squeeze(reason) in document_cells(renderer, pdf, "on_site")  # in full in the record
    signed = [squeeze(page) for doc in renderer.documents if doc.key not in ("cover", "appendix")
              for page in pages[doc.first_page - 1: doc.last_page]]
    for page in signed:  # each signed page's cell points to the record, which prints the refusal in full
        assert "当事人拒绝签名（详见现场笔录）" in page
        # A damaged image is no signature: the cell says so instead of printing the typed name as if signed.
        assert "未签名" in page


def test_times_recorded_in_utc_print_in_beijing_time():
    case = make_case(photos=())
    utc = replace(case, started_at=datetime(2026, 3, 5, 1, 5, tzinfo=timezone.utc),
                  ended_at=datetime(2026, 3, 5, 2, 30, tzinfo=timezone.utc))
    renderer = CaseFileRenderer(utc)
    pages = pdf_pages_text(renderer.render())
    assert "2026年3月5日9时5分 至 10时30分" in document_text(renderer, pages, "on_site")
