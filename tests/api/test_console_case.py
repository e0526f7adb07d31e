"""The case page: everything a reviewer needs to judge the evidence."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from inspector.database import db
from inspector.models import Blob, BlobHolder, Photo, Sample, Signature
from inspector.services import audit
from inspector.services.case_view import distance_m, parse_exif_time

from .. import factories
from ..console_support import open_case, reviewer_session, submitted_case

SHA_A, SHA_B = "a" * 64, "b" * 64


def _photo(case, sha, *, exif, device, **fields):
    photo = Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256=sha, size=1000, media_type="image/jpeg",
                  exif_taken_at=exif, taken_at_device=device, **fields)
    db.session.add(photo)
    return photo


def test_case_page_shows_the_evidence(client):
    case = submitted_case(findings={"G01": "pass", "G02": "pass", "F01": "fail"}, lat=40.2700, lon=111.1800,
                          gps_accuracy_m=12.0)
    case.party.lat, case.party.lon = 40.2790, 111.1800  # about 1 km north of where the inspection was
    device = datetime(2026, 11, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 China time
    _photo(case, SHA_A, exif="2026:11:02 09:31:10", device=device, caption="营业执照", item_key="G01")
    _photo(case, SHA_B, exif="2026:10:28 15:00:00", device=device, caption="货架")  # taken days earlier
    db.session.add(Blob(sha256=SHA_A, size=1000, media_type="image/jpeg"))  # only the first one uploaded
    db.session.flush()
    db.session.add(BlobHolder(sha256=SHA_A, user_id=factories.user("tuoketuo.zhang").id))  # by 张, as uploads do
    case.samples.append(Sample(id=str(uuid.uuid4()), name="复合肥料", quantity="2 kg", base_quantity="120 袋",
                               seal_numbers=["FY20260001", "FY20260002"]))
    case.signatures.append(Signature(id=str(uuid.uuid4()), role="party", status="refused",
                                     refusal_reason="当事人拒绝签字", witness_name="李四"))
    audit.record("inspection.submit", "inspection", case.id, inspection_id=case.id, reason="首次提交")
    db.session.commit()

    reviewer_session(client)
    html, _token, _version = open_case(client, case.id)
    assert "张执法（执法证号 15012226001）" in html and "刘执法（执法证号 15012226002）" in html
    assert "40.270000, 111.180000" in html and "±12 m" in html
    assert "1.00 km" in html and "超过 1000 米" in html  # distance from the registered location, flagged
    assert html.index('data-item="F01"') < html.index('data-item="G01"')  # failed items first
    assert f"/api/v1/blobs/{SHA_A}/thumb" in html and f"/api/v1/blobs/{SHA_A}/display" in html
    assert "照片尚未上传" in html  # the second one
    assert SHA_A[:12] in html and "2026-11-02 09:31" in html
    assert html.count("data-clock-flag") == 1  # only the photo taken days before the visit
    assert "FY20260001、FY20260002" in html and "120 袋" in html
    assert "拒绝签字" in html and "李四" in html
    # The audit trail names each event in words, not by its internal name.
    assert '<td data-action="inspection.submit">提交审核</td>' in html and "首次提交" in html
    assert ">inspection.submit<" not in html


def test_exif_times_are_china_time_and_distances_are_metres():
    assert parse_exif_time("2026:11:02 09:31:10") == datetime(2026, 11, 2, 1, 31, 10, tzinfo=timezone.utc)
    assert parse_exif_time("not a time") is None
    assert abs(distance_m(40.27, 111.18, 40.279, 111.18) - 1000.8) < 2


def test_returned_comments_show_beside_their_items_on_the_next_revision(client):
    from ..console_support import decide
    reviewer_session(client)
    case = submitted_case()
    decide(client, case.id, "return", items={"G02": "合格证明照片模糊"})
    db.session.rollback()
    case = db.session.get(type(case), case.id)
    case.status, case.revision = "submitted", 2  # the inspector amended and resubmitted
    db.session.commit()
    html, _t, _v = open_case(client, case.id)
    assert "第1版退回意见：合格证明照片模糊" in html
    assert "第2版" in html


def test_case_page_in_english(client):
    reviewer_session(client)
    case = submitted_case()
    from ..console_support import csrf_token
    client.post("/console/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    html, _t, _v = open_case(client, case.id)
    assert "Approve and number" in html and "Return to the inspector" in html


def test_case_page_download_button_gives_the_registered_pdf(client):
    import re

    case = submitted_case(findings={"G01": "pass", "F01": "fail"})
    reviewer_session(client)
    html, _token, _version = open_case(client, case.id)
    href = re.search(r'<a class="button primary" href="([^"]+)" data-case-file>', html).group(1)
    waiting = client.get(href)  # not drawn yet: a page saying so, which asks again
    assert waiting.status_code == 202 and "正在生成" in waiting.get_data(as_text=True)
    from inspector.database import db
    from inspector.services.case_file import prepare_case_file
    db.session.commit()
    prepare_case_file(case.id)  # the job
    pdf = client.get(href)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and len(pdf.headers["X-Document-SHA256"]) == 64


def test_case_page_quotes_the_clauses_each_item_relies_on(client):
    case = submitted_case(findings={"G02": "fail", "F01": "pass"})
    reviewer_session(client)
    html, _csrf, _version = open_case(client, case.id)
    row = html[html.index('data-item="G02"'):]
    row = row[:row.index("</tr>")]
    assert "《中华人民共和国产品质量法》第三十六条、第二十七条第一款第（一）项" in row
    assert "第三十六条 销售者销售的产品的标识应当符合本法第二十七条的规定。" in row
    assert "（一）有产品质量检验合格证明；" in row and "条文版本：2018-12-29" in row
    f01 = html[html.index('data-item="F01"'):]
    f01 = f01[:f01.index("</tr>")]
    assert 'data-basis-pending="F01"' in f01 and "待核" in f01 and "GB 18382《肥料标识 内容和要求》" in f01
