"""A printed page's QR code, scanned: the page it names, its status, and the page as issued.

A market-stall owner holds page 4 of his case file and scans its QR code; the verify page says
which page that is and whether it is still current. With the access code printed on the cover
(or as an officer of the county, logged in) he sees the page as it was issued, to lay beside the
paper. Someone guessing codes learns nothing and is soon stopped.
"""
from __future__ import annotations

import io
import re
import subprocess
from urllib.parse import urlsplit

import cv2
import numpy
import pytest
from pypdf import PdfReader

from inspector.database import db
from inspector.pdf.case_file import pdf_date
from inspector.services import case_file as case_file_service
from inspector.services.verification import access, public

from .. import factories
from ..console_support import reviewer_session
from ..unit.test_pdf_render import pdf_pages_text, squeeze
from .test_case_file import download, inspected_case, issued, pdf_cache  # noqa: F401  (fixture)

CODE = re.compile(r"查\s*验\s*码：\s*([0-9A-Z]{5}-[0-9A-Z]{5})")


def issued_file(login_as, **case_fields):
    case = inspected_case(photos=False)
    for name, value in case_fields.items():
        setattr(case.party, name, value)
    db.session.commit()
    response = download(login_as("tuoketuo.zhang"), case.id)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return case, response.data, issued(response.headers["X-Document-Number"])


def qr_payloads(pdf: bytes) -> list[str]:
    """The text of the QR code on each page, decoded from the page drawn as an image (OpenCV)."""
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [qr_payload(pdf, page) for page in range(1, count + 1)]


def qr_payload(pdf: bytes, page: int) -> str:
    """The page's QR text. A phone's camera tries again at another distance; so does this: several
    resolutions, with a white margin added around the crop and a binarised copy, and both of
    OpenCV's detectors (one of them misses a code now and then at a given scale)."""
    detectors = [cv2.QRCodeDetector()]
    if hasattr(cv2, "QRCodeDetectorAruco"):
        detectors.append(cv2.QRCodeDetectorAruco())
    for dpi in (200, 300, 150, 250, 400):
        png = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page),
                              "-singlefile", "-"], input=pdf, capture_output=True, check=True).stdout
        image = cv2.imdecode(numpy.frombuffer(png, numpy.uint8), cv2.IMREAD_GRAYSCALE)
        height, width = image.shape
        footer = image[int(height * 0.85):, : width // 4]  # the QR code sits bottom left
        padded = cv2.copyMakeBorder(footer, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
        _threshold, binary = cv2.threshold(padded, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        for candidate in (footer, padded, binary):
            for detector in detectors:
                text, _points, _straight = detector.detectAndDecode(candidate)
                if text:
                    return text
    return ""


def page_png(pdf: bytes, page: int) -> bytes:
    return subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile", "-"],
                          input=pdf, capture_output=True, check=True).stdout


def test_each_pages_qr_code_names_that_page_and_its_verify_page_says_which_page_it_is(app, login_as):
    _case, pdf, document = issued_file(login_as)
    printed = pdf_pages_text(pdf)
    payloads = qr_payloads(pdf)

    assert len(payloads) == document.summary["pages"] == len(printed)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert payloads == [f"{base}/verify/{document.verify_token}/{n}" for n in range(1, len(printed) + 1)]

    visitor = app.test_client()
    for part in document.summary["documents"]:
        count = part["lastPage"] - part["firstPage"] + 1
        for number in range(1, count + 1):
            file_page = part["firstPage"] + number - 1
            # The page the QR code names prints "第 N 页 共 M 页" of its document, as the verify page says.
            assert f"第{number}页共{count}页" in squeeze(printed[file_page - 1])
            html = visitor.get(urlsplit(payloads[file_page - 1]).path).get_data(as_text=True)
            assert f"文件第 {file_page} 页（共 {len(printed)} 页）" in html
            assert f"《{part['title']}》第 {number} 页 共 {count} 页" in html
            assert "本页属于该案件最新出具的文书" in html and document.document_no in html

    assert visitor.get(f"/verify/{document.verify_token}/{len(printed) + 1}").status_code == 404
    assert visitor.get(f"/verify/{document.verify_token}/0").status_code == 404


def test_a_page_of_a_replaced_document_says_so(app, login_as):
    case, _pdf, old = issued_file(login_as)
    case.narrative += "\n复查：当事人已补齐合格证明。"
    db.session.commit()
    download(login_as("tuoketuo.zhang"), case.id)

    html = app.test_client().get(f"/verify/{old.verify_token}/2").get_data(as_text=True)

    assert "本页属于已被更新文书取代的旧文书" in html and "本页属于该案件最新出具的文书" not in html


def test_the_access_code_on_the_cover_shows_the_page_as_issued_and_a_wrong_one_shows_nothing(app, login_as):
    _case, pdf, document = issued_file(login_as)
    cover = pdf_pages_text(pdf)[0]
    code = CODE.search(cover).group(1)
    assert document.access_code_hash.startswith("$argon2") and code not in document.access_code_hash
    page = f"/verify/{document.verify_token}/2"
    image = f"{page}/image.png"
    holder = app.test_client()

    first = holder.get(page).get_data(as_text=True)
    assert "输入案卷封面上印制的查验码" in first and image not in first
    assert holder.get(image).status_code == 403

    wrong = post_code(holder, page, "ABCDE-12345")
    assert wrong.status_code == 403
    html = wrong.get_data(as_text=True)
    assert "查验码不正确" in html and image not in html and code not in html
    assert holder.get(image).status_code == 403

    # Typed as people type it: small letters, no dash, an O for a 0.
    typed = code.replace("-", " ").lower().replace("0", "o")
    right = post_code(holder, page, typed)
    assert right.status_code == 303
    shown = holder.get(page).get_data(as_text=True)
    assert image in shown and "下图是本页出具时的原样" in shown
    served = holder.get(image)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == page_png(pdf, 2)  # the registered file's page 2, pixel for pixel

    # The code opens the other pages of the same file, not other files.
    assert holder.get(f"/verify/{document.verify_token}/1/image.png").status_code == 200
    assert app.test_client().get(image).status_code == 403  # another browser has typed nothing


def post_code(visitor, page: str, code: str):
    form = visitor.get(page).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return visitor.post(page, data={"csrf_token": token, "code": code})


def test_guessing_access_codes_is_stopped_and_learns_nothing(app, login_as):
    _case, pdf, document = issued_file(login_as)
    code = CODE.search(pdf_pages_text(pdf)[0]).group(1)
    page = f"/verify/{document.verify_token}/1"
    guesser = app.test_client()

    for attempt in range(access.MAX_FAILURES_PER_DOCUMENT):
        assert post_code(guesser, page, f"ZZZZZ-{attempt:05d}").status_code == 403

    locked = post_code(guesser, page, code)  # even the right code, once the limit is reached
    assert locked.status_code == 429
    html = locked.get_data(as_text=True)
    assert "错误次数过多" in html and f"{page}/image.png" not in html
    assert guesser.get(f"{page}/image.png").status_code == 403


def test_an_officer_in_scope_sees_the_page_and_one_outside_does_not(app, login_as):
    _case, pdf, document = issued_file(login_as)
    page = f"/verify/{document.verify_token}/3"

    hohhot = reviewer_session(app.test_client(), "hhht.reviewer")
    html = hohhot.get(page).get_data(as_text=True)
    assert f"{page}/image.png" in html and "您以执法人员身份登录" in html
    assert hohhot.get(f"{page}/image.png").data == page_png(pdf, 3)

    baotou = reviewer_session(app.test_client(), "baotou.reviewer")
    assert f"{page}/image.png" not in baotou.get(page).get_data(as_text=True)
    assert baotou.get(f"{page}/image.png").status_code == 403


def test_a_second_render_of_a_registered_document_is_byte_identical_and_shows_the_same_page(app, login_as, pdf_cache):
    _case, pdf, document = issued_file(login_as)
    for cached in pdf_cache.rglob("*"):
        if cached.is_file():
            cached.unlink()

    redrawn = case_file_service.registered_pdf(document)

    assert redrawn == pdf  # the second render of the registered document is byte-identical
    officer = reviewer_session(app.test_client(), "hhht.reviewer")
    assert officer.get(f"/verify/{document.verify_token}/1/image.png").data == page_png(pdf, 1)


def test_the_pdf_carries_real_metadata(app, login_as):
    case, pdf, document = issued_file(login_as)

    info = PdfReader(io.BytesIO(pdf)).metadata

    assert info.author == "托克托县市场监督管理局"
    assert case.party.name in info.title and "待编号" in info.title
    assert "化肥经营情况现场检查案卷" in info.subject and document.document_no in info.subject
    assert info["/CreationDate"] == pdf_date(document.issued_at) == info["/ModDate"]
    assert info.creation_date.replace(tzinfo=None) == document.issued_at.astimezone(
        info.creation_date.tzinfo).replace(tzinfo=None)


@pytest.mark.parametrize("party_name, kind, shown, hidden", [
    ("王建国", None, "王**", "王建国"),  # no type recorded: a person's name is masked
    ("王建国", "individual", "王**", "王建国"),  # 个体工商户 registered under the operator's name
    ("王建国", "enterprise", "王建国", None),
    ("托克托县丰收农资经营部", None, "托克托县丰收农资经营部", None),  # a business's name is public
])
def test_the_public_page_masks_a_persons_name(app, login_as, monkeypatch, party_name, kind, shown, hidden):
    _case, _pdf, document = issued_file(login_as, name=party_name, legal_rep="王建国")
    monkeypatch.setattr(public, "party_kind", lambda party: kind)  # Party.entity_type, from the fields work
    visitor = app.test_client()

    for path in (f"/verify/{document.verify_token}", f"/verify/{document.verify_token}/1"):
        html = visitor.get(path).get_data(as_text=True)
        assert shown in html
        if hidden:
            assert hidden not in html
