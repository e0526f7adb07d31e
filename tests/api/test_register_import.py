"""A registrar imports a 12315 export into the register: maps its columns once, previews, confirms;
the same file again adds nothing; a bad file is refused with its reason and nothing is saved."""
from __future__ import annotations

import html as html_lib
import io
import re
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import func, select

from inspector.database import db
from inspector.models import Filing, ImportMapping

from ..console_support import csrf_token, reviewer_session

PAGE = "/console/filings/import"
HEADERS = ["工单编号", "登记时间", "诉求类型", "来源渠道", "诉求人", "联系电话", "被投诉举报对象", "商品名称", "问题描述", "具体诉求"]
ROWS = [
    ["1150122202603150001", "2026-03-15 09:30:00", "投诉", "全国12315平台", "王建国", "13800000001",
     "托克托县丰收农资经营部", "复合肥料", "买的复合肥结块，养分不足", "退货退款"],
    ["1150122202603150002", "2026/3/15 18:05", "举报", "12315热线", "", "",
     "托克托县绿野种业有限公司", "玉米种子", "门店销售无标签种子", ""],
]
# How the registrar maps this shape: "被投诉举报对象" and "问题描述" are no header words the guess knows.
MAPPING = {"external_ref": "工单编号", "received_at": "登记时间", "kind": "诉求类型", "channel": "来源渠道",
           "complainant_name": "诉求人", "complainant_contact": "联系电话", "respondent_name": "被投诉举报对象",
           "product_category": "商品名称", "facts": "问题描述", "requests": "具体诉求"}


def _csv(rows, encoding="utf-8", bom=True) -> bytes:
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom and encoding == "utf-8" else b"") + text.encode(encoding)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, name: str):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), "step": "upload",
                                   "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _carried(page: str) -> dict[str, str]:
    return {name: html_lib.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))
            for name in ("filename", "data")}


def _step(client, page: str, step: str, mapping: dict[str, str]):
    form = {"csrf_token": csrf_token(client, PAGE), "step": step, **_carried(page),
            **{f"map_{k}": v for k, v in mapping.items()}}
    return client.post(PAGE, data=form)


def _text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _filings() -> int:
    db.session.rollback()  # a fresh read: the requests committed in their own sessions
    return db.session.scalar(select(func.count()).select_from(Filing))


def _import(client, data: bytes, name: str):
    mapped = _upload(client, data, name)
    assert mapped.status_code == 200, _text(mapped)
    preview = _step(client, mapped.get_data(as_text=True), "preview", MAPPING)
    return mapped, preview


def test_a_utf8_export_is_mapped_once_previewed_imported_and_not_imported_twice(client):
    reviewer_session(client, "tuoketuo.registrar")
    mapped, preview = _import(client, _csv([HEADERS, *ROWS]), "12315导出.csv")
    page = _text(mapped)
    assert 'data-import-remembered="no"' in page and "被投诉举报对象" in page and "买的复合肥结块" in page
    assert "新登记 2 条，已在登记簿中 0 条，有错误 0 行" in _text(preview)
    assert _filings() == 0  # a preview saves nothing
    done = _step(client, preview.get_data(as_text=True), "confirm", MAPPING)
    assert done.status_code == 302
    assert "已导入 2 条" in _text(client.get(PAGE))
    db.session.rollback()
    filings = {f.external_ref: f for f in db.session.scalars(select(Filing))}
    complaint, report = filings["1150122202603150001"], filings["1150122202603150002"]
    assert (complaint.kind, complaint.channel, complaint.product_category) == ("complaint", "12315_platform", "fertilizer")
    assert (report.kind, report.channel, report.product_category) == ("report", "12315_phone", "seed")
    assert complaint.clock_start_on.isoformat() == "2026-03-15" and complaint.due_on is not None

    again = _upload(client, _csv([HEADERS, *ROWS]), "12315导出-再次.csv")
    assert 'data-import-remembered="yes"' in _text(again)  # the agency's mapping for this header set
    remembered = {k: v for k, v in MAPPING.items()}
    preview = _step(client, again.get_data(as_text=True), "preview", remembered)
    assert "新登记 0 条，已在登记簿中 2 条" in _text(preview)
    _step(client, preview.get_data(as_text=True), "confirm", remembered)
    assert _filings() == 2


def test_a_gb18030_export_and_an_xlsx_import_the_same(client):
    reviewer_session(client, "tuoketuo.registrar")
    _, preview = _import(client, _csv([HEADERS, ROWS[0]], "gb18030"), "export.csv")
    assert "新登记 1 条" in _text(preview) and "gb18030" in _text(preview)
    _step(client, preview.get_data(as_text=True), "confirm", MAPPING)
    book = [HEADERS, [ROWS[1][0], datetime(2026, 3, 15, 18, 5), *ROWS[1][2:]]]
    _, preview = _import(client, _xlsx(book), "export.xlsx")
    assert "新登记 1 条" in _text(preview) and "xlsx" in _text(preview)
    _step(client, preview.get_data(as_text=True), "confirm", MAPPING)
    assert _filings() == 2 and sorted(db.session.scalars(select(Filing.external_ref))) == [ROWS[0][0], ROWS[1][0]]


def test_a_file_that_is_no_export_is_refused_in_words_and_nothing_is_saved(client):
    reviewer_session(client, "tuoketuo.registrar")
    garbage = _upload(client, bytes(range(256)) * 4, "export.csv")
    assert garbage.status_code == 422 and "无法识别文件内容" in _text(garbage)
    empty = _upload(client, b"", "export.csv")
    assert empty.status_code == 422 and "文件是空的" in _text(empty)
    assert _filings() == 0 and db.session.scalar(select(func.count()).select_from(ImportMapping)) == 0


def test_a_required_column_left_unmapped_is_named(client):
    reviewer_session(client, "tuoketuo.registrar")
    mapped = _upload(client, _csv([HEADERS, *ROWS]), "export.csv")
    response = _step(client, mapped.get_data(as_text=True), "preview", {**MAPPING, "respondent_name": ""})
    assert response.status_code == 422
    assert "必填字段“被投诉/被举报人”没有对应文件中的列" in _text(response)
    assert _filings() == 0


def test_a_row_out_of_range_is_listed_with_its_number_and_the_file_cannot_be_confirmed(client):
    reviewer_session(client, "tuoketuo.registrar")
    bad = [*ROWS, ["1150122201903150003", "2019-03-15 10:00", "举报", "", "", "", "某农资店", "农药", "假农药", ""],
           ["1150122202603150004", "2026-03-16 10:00", "投诉", "", "", "", "某农资店", "化肥", "结块", "退款"]]
    mapped = _upload(client, _csv([HEADERS, *bad]), "export.csv")
    preview = _step(client, mapped.get_data(as_text=True), "preview", MAPPING)
    page = _text(preview)
    assert preview.status_code == 422 and "有错误 2 行" in page and "data-import-confirm" not in page
    errors = re.search(r"<table class=\"grid\" data-import-errors>(.*?)</table>", page, re.S).group(1)
    assert re.search(r'data-row="4"><td>4</td><td>“接收时间”超出范围', errors)
    assert re.search(r'data-row="5"><td>5</td><td>投诉（或实名举报）需要“投诉人/举报人”', errors)
    forced = _step(client, preview.get_data(as_text=True), "confirm", MAPPING)
    assert forced.status_code == 422 and "不能导入；未保存任何内容" in _text(forced)
    assert _filings() == 0


def test_an_inspector_cannot_import(client):
    reviewer_session(client, "tuoketuo.zhang")
    assert client.get(PAGE).status_code == 403
