"""A registered case file after a bureau's electronic seal, a reader's note, or a forger's edit.

The 法制 office applies its 电子印章 to the file it downloaded; the seal software appends an
incremental update. A court clerk uploads the sealed file on /verify: it is the original plus a
seal. A note added in a PDF reader is listed as well. Someone who appends an update that draws
new text on a page gets a clear refusal. The files are made here with pyHanko, the seal's
certificate with `cryptography` (self-signed, as a test seal is).
"""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .test_case_file import download, inspected_case, issued, pdf_cache  # noqa: F401  (fixture)
from .test_verify import upload

SEAL_NAME = "托克托县市场监督管理局电子印章"


@pytest.fixture(scope="module")
def seal_signer() -> signers.SimpleSigner:
    """A bureau's seal: an EC key and a self-signed certificate naming the bureau."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SEAL_NAME),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "托克托县市场监督管理局")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    private = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return signers.SimpleSigner(signing_cert=cert, signing_key=private,
                                cert_registry=SimpleCertificateStore.from_certs([cert]))


def registered_file(login_as) -> tuple[bytes, str]:
    case = inspected_case(photos=False)
    response = download(login_as("tuoketuo.zhang"), case.id)
    assert response.status_code == 200
    return response.data, response.headers["X-Document-Number"]


def sealed(pdf: bytes, signer, *, page: int = 0, name: str = "Seal1") -> bytes:
    """The file with a visible seal appended as an incremental update, as seal software does."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=name), signer=signer,
                           new_field_spec=fields.SigFieldSpec(name, on_page=page, box=(380, 120, 520, 260)))
    return out.getvalue()


def annotated(pdf: bytes, page: int, note: str) -> bytes:
    """The file with a sticky note on one page, appended as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    note_ref = writer.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
        generic.pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (60, 700, 80, 720)]),
        generic.pdf_name("/Contents"): generic.TextStringObject(note),
    }))
    page_ref, _resources = writer.find_page_for_modification(page)
    writer.register_annotation(page_ref, note_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def drawn_over(pdf: bytes, page: int) -> bytes:
    """The file with new content drawn on a page, appended as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = writer.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 100 400 300 60 re f Q"))
    writer.add_stream_to_page(page, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rewritten(pdf: bytes, what: str) -> bytes:
    """The file with an object of the original rewritten in an update: the first page's size, or a font."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    if what == "page size":
        page[generic.pdf_name("/MediaBox")] = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 420, 595)])
        writer.mark_update(page_ref)
    else:
        fonts = page["/Resources"]["/Font"]
        font_ref = fonts.raw_get(next(iter(fonts)))
        font = font_ref.get_object()
        font[generic.pdf_name("/Name")] = generic.pdf_name("/Forged")
        writer.mark_update(font_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_file_sealed_after_issue_verifies_as_the_original_plus_its_seal(app, login_as, seal_signer):
    pdf, number = registered_file(login_as)
    with_seal = sealed(pdf, seal_signer)
    assert with_seal.startswith(pdf) and len(with_seal) > len(pdf)

    answer = upload(app.test_client(), with_seal)

    assert answer.status_code == 200
    html = text(answer)
    assert "原件 + 其后追加的签章" in html and number in html and "其后有 1 次追加更新" in html
    assert "电子签章（第 1 页）" in html and SEAL_NAME in html
    assert "已损坏" not in html and "不一致" not in html


def test_a_note_added_in_a_reader_and_a_second_seal_are_listed(app, login_as, seal_signer):
    pdf, number = registered_file(login_as)
    noted = annotated(sealed(pdf, seal_signer, page=1), page=2, note="已阅，归档")

    html = text(upload(app.test_client(), noted))

    assert "原件 + 其后追加的签章" in html and "其后有 2 次追加更新" in html
    assert "第 1 次追加：电子签章（第 2 页）" in html
    assert "第 2 次追加：第 3 页注释「已阅，归档」" in html


def test_an_update_that_draws_on_a_page_is_refused(app, login_as, seal_signer):
    pdf, number = registered_file(login_as)

    for forged in (drawn_over(pdf, 1), sealed(drawn_over(pdf, 0), seal_signer)):
        html = text(upload(app.test_client(), forged))
        assert "不一致" in html and number in html
        assert "修改了第 " in html and "页的页面内容" in html
        assert "原件 + 其后追加的签章" not in html


def test_an_update_that_rewrites_the_originals_page_or_font_is_refused(app, login_as):
    pdf, number = registered_file(login_as)

    resized = text(upload(app.test_client(), rewritten(pdf, "page size")))
    assert "不一致" in resized and "修改了第 1 页的页面属性" in resized and "/MediaBox" in resized

    refonted = text(upload(app.test_client(), rewritten(pdf, "font")))
    assert "不一致" in refonted and "改写了原件的内容对象" in refonted


def test_bytes_appended_that_are_no_update_are_refused(app, login_as):
    pdf, number = registered_file(login_as)

    html = text(upload(app.test_client(), pdf + b"1 0 obj\n(forged)\nendobj\n%%EOF\n"))

    assert "不一致" in html and "原件 + 其后追加的签章" not in html


def test_a_seal_whose_bytes_were_altered_is_refused(app, login_as, seal_signer):
    pdf, _number = registered_file(login_as)
    with_seal = bytearray(sealed(pdf, seal_signer))
    # Flip a byte of the signed update (in its own objects, after the original) but outside the signature value.
    at = len(pdf) + 20
    with_seal[at] = ord("X") if with_seal[at] != ord("X") else ord("Y")

    html = text(upload(app.test_client(), bytes(with_seal)))

    assert "原件 + 其后追加的签章" not in html and "不一致" in html
