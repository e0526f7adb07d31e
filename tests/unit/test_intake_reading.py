"""Reading a 12315 export: the encodings and formats a bureau's computer produces, and files that are not one."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from openpyxl import Workbook

from inspector.services.intake.mapping import guess, mapping_problems, row_fields
from inspector.services.intake.reading import UnreadableFile, read_table

HEADERS = ["投诉举报编号", "登记时间", "诉求类型", "来源渠道", "投诉人", "联系电话", "被投诉人", "商品类别", "投诉内容", "诉求"]
ROW = ["1150122202603150001", "2026-03-15 09:30:00", "投诉", "全国12315平台", "王建国", "13800000000",
       "托克托县丰收农资店", "复合肥料", "买的复合肥结块，养分不足", "退货退款"]
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)


def _csv(rows, encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def test_a_utf8_csv_with_a_bom_reads_as_chinese_text():
    table = read_table("export.csv", _csv([HEADERS, ROW], bom=True))
    assert table.headers[0] == "投诉举报编号" and table.rows == [ROW] and table.encoding == "utf-8"


def test_a_gb18030_csv_from_excel_on_windows_reads_the_same():
    table = read_table("export.csv", _csv([HEADERS, ROW], "gb18030"))
    assert table.encoding == "gb18030" and table.rows[0][6] == "托克托县丰收农资店"


def test_an_xlsx_with_a_date_cell_and_a_numeric_number_reads_as_text():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append([1150122, datetime(2026, 3, 15, 9, 30), *ROW[2:]])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table("导出.xlsx", buffer.getvalue())
    assert table.encoding == "xlsx"
    assert table.rows[0][:2] == ["1150122", "2026-03-15 09:30:00"]


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"\r\n ,, \r\n", "empty"),
    (bytes(range(256)) * 8, "encoding"),
    ("投诉举报编号,登记时间\r\n".encode(), "no_rows"),
    ("编号,编号\r\n1,2\r\n".encode(), "bad_headers"),
    (b"PK\x03\x04 not really a zip", "xlsx"),
])
def test_a_file_that_is_no_table_is_refused_with_its_reason(data, code):
    with pytest.raises(UnreadableFile) as refused:
        read_table("export.csv", data)
    assert refused.value.code == code


def test_the_first_guess_maps_the_usual_headers_and_leaves_the_rest_to_the_user():
    proposal = guess(HEADERS)
    assert proposal["external_ref"] == "投诉举报编号" and proposal["respondent_name"] == "被投诉人"
    assert proposal["facts"] == "投诉内容" and proposal["requests"] == "诉求"
    assert mapping_problems(HEADERS, proposal) == []
    del proposal["respondent_name"]
    assert mapping_problems(HEADERS, proposal) == [("import_required_unmapped", "respondent_name")]


def test_a_row_becomes_a_filing_in_beijing_time_and_a_date_out_of_range_is_named():
    fields, problems = row_fields(ROW, HEADERS, guess(HEADERS), NOW)
    assert problems == []
    assert fields["received_at"] == datetime(2026, 3, 15, 1, 30, tzinfo=timezone.utc)
    assert (fields["kind"], fields["channel"], fields["product_category"]) == ("complaint", "12315_platform", "fertilizer")
    for when in ("2003-12-31 23:00", "2027-01-01 08:00", "2026-13-01"):
        _, problems = row_fields([*ROW[:1], when, *ROW[2:]], HEADERS, guess(HEADERS), NOW)
        assert [p[1] for p in problems] == ["received_at"]
