"""A case file's status on paper and its download off the request path, as the inspector, the
reviewer and whoever scans the QR code see them."""
from __future__ import annotations

import re

from inspector.database import db
from inspector.models import Inspection

from ..console_support import reviewer_session
from ..unit.test_pdf_render import pdf_pages_text, pdf_stream_text, squeeze
from .test_case_file import download, inspected_case, issued, renders  # noqa: F401  (renders: a fixture)
from .test_case_file import pdf_cache  # noqa: F401  (each test's own PDF cache)


def verify_page(client, document_no: str) -> str:
    token = issued(document_no).verify_token
    page = client.get(f"/verify/{token}")
    assert page.status_code == 200
    return re.sub(r"\s+", "", page.get_data(as_text=True))


def test_a_submitted_record_prints_pending_review_on_every_page_and_its_verify_page_says_it_is_not_official(
        app, client, login_as):
    case = inspected_case(status="submitted")
    case.case_number = "托市监检〔2026〕7号"  # even a number in the row is not printed before approval
    db.session.commit()
    response = download(login_as("tuoketuo.zhang"), case.id)
    assert response.status_code == 200
    pages, drawn = pdf_pages_text(response.data), pdf_stream_text(response.data)
    assert all("待审核" in squeeze(page) for page in drawn)
    assert all("检查记录编号：待编号" in squeeze(page) for page in pages)
    assert not any("托市监检〔2026〕7号" in squeeze(page) or "案号" in page for page in pages)

    html = verify_page(client, response.headers["X-Document-Number"])
    assert "不是正式文书，没有文号" in html and "“待审核”水印" in html


def test_an_approved_record_prints_clean_with_its_number(app, client, login_as):
    case = inspected_case(status="approved")
    case.case_number = "托市监检〔2026〕8号"
    db.session.commit()
    response = download(login_as("tuoketuo.zhang"), case.id)
    drawn = [squeeze(page) for page in pdf_stream_text(response.data)]
    assert all("检查记录编号：托市监检〔2026〕8号" in page for page in map(squeeze, pdf_pages_text(response.data)))
    assert not any(mark in page for page in drawn for mark in ("待审核", "草稿", "已退回", "不予通过"))
    html = verify_page(client, response.headers["X-Document-Number"])
    assert "非正式文书" not in html and "托市监检〔2026〕8号" in html


def test_a_download_of_a_file_not_drawn_yet_says_it_is_being_drawn_and_draws_nothing_itself(
        app, client, login_as, renders):  # noqa: F811
    phone = login_as("tuoketuo.zhang")
    case = inspected_case()
    url = f"/api/v1/inspections/{case.id}/case-file.pdf"

    first = phone.get(url)
    again = phone.get(url)

    assert first.status_code == 202 and again.status_code == 202
    body = first.get_json()
    assert body["message"].startswith("正在生成") and body["state"] == "queued"
    assert body["photosTotal"] == 3 and body["photosDone"] == 0
    assert first.headers["Retry-After"] == "2"
    assert renders == []  # nothing drawn in a request

    from inspector.services.case_file import prepare_case_file
    db.session.commit()
    assert prepare_case_file(case.id)  # the job
    ready = phone.get(url)
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF") and len(renders) == 1


def test_the_console_shows_the_drawing_and_refreshes_until_the_file_downloads(app, client, renders):  # noqa: F811
    case = inspected_case()
    reviewer = reviewer_session(app.test_client())
    page = reviewer.get(f"/console/cases/{case.id}/case-file")
    assert page.status_code == 202 and page.headers["Refresh"] == "2"
    html = page.get_data(as_text=True)
    assert "正在生成案卷 PDF" in html and "已排队" in html
    assert f"/console/cases/{case.id}/case-file" in reviewer.get(f"/console/cases/{case.id}").get_data(as_text=True)

    from inspector.services.case_file import prepare_case_file
    db.session.commit()
    prepare_case_file(case.id)
    ready = reviewer.get(f"/console/cases/{case.id}/case-file")
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert db.session.get(Inspection, case.id) is not None and renders
