"""A party holding the paper scans page 2's QR code with a phone: the verify page says which page
it is and that it is current; typing the access code from the cover shows the page as issued.
A real server, a case file downloaded as the inspector's phone would, and Chromium."""
from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from urllib.parse import urlsplit

from ..api.test_verify_pages import qr_payload
from .conftest import ROOT
from .test_console_review import PhoneApi

CODE = re.compile(r"查\s*验\s*码：\s*([0-9A-Z]{5}-[0-9A-Z]{5})")


def downloaded_case_file(server) -> bytes:
    """The case file as the inspector's phone gets it; while it answers 正在生成 (202), drawn the way
    the job draws it and asked for again."""
    phone = PhoneApi(server.url, "tuoketuo.zhang")
    case_id = phone.call("/api/v1/inspections?status=submitted")["inspections"][0]["id"]

    def fetch() -> bytes:
        request = urllib.request.Request(f"{server.url}/api/v1/inspections/{case_id}/case-file.pdf")
        request.add_header("Authorization", f"Bearer {phone.token}")
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()

    pdf = fetch()
    if not pdf.startswith(b"%PDF"):
        assert "正在生成" in pdf.decode(), pdf[:300]
        subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", "prepare-case-file", case_id],
                       env=server.env(), cwd=ROOT, check=True, capture_output=True)
        pdf = fetch()
    return pdf


def test_the_party_scans_a_page_and_sees_it_as_issued_with_the_cover_code(live_server, phone, screenshots):
    pdf = downloaded_case_file(live_server)
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    code = CODE.search(cover).group(1)
    scanned = qr_payload(pdf, 2)
    assert scanned.startswith(f"{live_server.url}/verify/") and scanned.endswith("/2")

    page = phone.new_page()
    page.goto(scanned)
    card = page.locator("#page")
    assert "文件第 2 页" in card.inner_text() and "本页属于该案件最新出具的文书" in card.inner_text()
    assert page.locator("img.page-image").count() == 0

    page.fill("input[name=code]", "ZZZZZ-00000")
    page.click("button[type=submit] >> text=查看本页原样")
    assert "查验码不正确" in page.locator("#page").inner_text()
    assert page.locator("img.page-image").count() == 0

    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit] >> text=查看本页原样")
    image = page.locator("img.page-image")
    image.wait_for()
    page.wait_for_function("document.querySelector('img.page-image').naturalWidth > 800")
    assert urlsplit(page.url).path == urlsplit(scanned).path
    page.screenshot(path=str(screenshots / "verify-page-as-issued.png"), full_page=True)
