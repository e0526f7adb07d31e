"""Checking an issued document without logging in: the QR code's page, and uploading a file.

A court clerk scans the QR code on page 3 of a printed case file; a party's lawyer uploads the
PDF they were e-mailed. Neither has an account.
"""
from __future__ import annotations

import io
import re

from inspector.database import db

from .test_case_file import download, inspected_case, issued, pdf_cache, photo_jpeg  # noqa: F401  (fixture)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def issued_case_file(login_as):
    """A case file downloaded by the inspector: (case, response)."""
    case = inspected_case(photos=False)
    response = download(login_as("tuoketuo.zhang"), case.id)
    assert response.status_code == 200
    return case, response


def upload(visitor, data: bytes | None, filename: str = "案卷.pdf", *, with_token: bool = True):
    form = visitor.get("/verify")
    assert form.status_code == 200
    fields = {"csrf_token": CSRF.search(form.get_data(as_text=True)).group(1)} if with_token else {}
    if data is not None:
        fields["file"] = (io.BytesIO(data), filename)
    return visitor.post("/verify", data=fields, content_type="multipart/form-data")


def test_qr_code_page_shows_the_registered_document_to_anyone(app, login_as):
    case, response = issued_case_file(login_as)
    document = issued(response.headers["X-Document-Number"])
    visitor = app.test_client()  # no login, no cookie

    page = visitor.get(f"/verify/{document.verify_token}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "文书核验" in html and "已在本系统登记" in html
    for shown in (document.document_no, document.sha256, case.party.name, "托克托县市场监督管理局",
                  "待编号", "2026年11月30日", "第1版", "这是该案件最新出具的文书"):
        assert shown in html, shown
    assert f"共 {document.summary['pages']} 页" in html
    assert page.headers["Referrer-Policy"] == "no-referrer" and "noindex" in page.headers["X-Robots-Tag"]


def test_qr_code_page_of_an_older_document_points_to_the_newer_one(app, login_as):
    case, first = issued_case_file(login_as)
    old = issued(first.headers["X-Document-Number"])
    case.narrative += "\n复查：当事人已补齐合格证明。"
    db.session.commit()
    visitor = app.test_client()

    changed_page = visitor.get(f"/verify/{old.verify_token}").get_data(as_text=True)
    assert "案件记录已有修改" in changed_page  # changed, not yet printed again

    second = download(login_as("tuoketuo.zhang"), case.id)
    html = visitor.get(f"/verify/{old.verify_token}").get_data(as_text=True)

    assert second.headers["X-Document-Number"] != old.document_no
    assert "已出具更新的文书" in html and second.headers["X-Document-Number"] in html
    assert second.headers["X-Document-SHA256"] in html and old.sha256 in html  # every registered hash


def test_unknown_token_says_the_document_is_not_registered(app):
    page = app.test_client().get("/verify/not-a-real-token")

    assert page.status_code == 404
    assert "未找到该文书" in page.get_data(as_text=True)


def test_uploading_the_issued_pdf_matches_and_a_tampered_copy_does_not(app, login_as):
    _case, response = issued_case_file(login_as)
    document = issued(response.headers["X-Document-Number"])
    visitor = app.test_client()

    genuine = upload(visitor, response.data)
    assert genuine.status_code == 200
    html = genuine.get_data(as_text=True)
    assert "一致" in html and document.document_no in html and f"/verify/{document.verify_token}" in html

    tampered = bytearray(response.data)
    tampered[len(tampered) // 2] ^= 0x01  # one bit in the middle of the file
    answer = upload(visitor, bytes(tampered))
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "不一致" in html and "任何文书都不相同" in html and document.document_no not in html

    appended = upload(visitor, response.data + b"%% a note added at the end\n")
    assert "不一致" in appended.get_data(as_text=True)


def test_bad_uploads_get_a_clear_answer_not_an_error(app, monkeypatch):
    visitor = app.test_client()

    nothing = upload(visitor, None)
    assert nothing.status_code == 400 and "请选择要核验的 PDF 文件" in nothing.get_data(as_text=True)

    empty = upload(visitor, b"")
    assert empty.status_code == 400 and "请选择要核验的 PDF 文件" in empty.get_data(as_text=True)

    picture = upload(visitor, photo_jpeg(5), "photo.pdf")
    assert picture.status_code == 400 and "不是 PDF 文件" in picture.get_data(as_text=True)

    no_token = upload(visitor, b"%PDF-1.4\n", with_token=False)
    assert no_token.status_code == 400 and "页面已过期" in no_token.get_data(as_text=True)

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    huge = upload(visitor, b"%PDF-1.4\n" + b"0" * (200 * 1024))
    assert huge.status_code == 413 and "文件过大" in huge.get_data(as_text=True)


def test_verification_pages_speak_english_when_asked(app, login_as):
    _case, response = issued_case_file(login_as)
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")

    html = visitor.get(f"/verify/{issued(response.headers['X-Document-Number']).verify_token}").get_data(as_text=True)

    assert "Document verification" in html and "This is the latest document issued for this case" in html


def test_a_mangled_token_is_simply_not_registered(app):
    anyone = app.test_client()
    for token in ("a%00b", "x" * 65, "abc%20def"):
        r = anyone.get(f"/verify/{token}")
        assert r.status_code == 404, token
