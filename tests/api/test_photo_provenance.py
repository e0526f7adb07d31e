"""Gallery photos are not evidence of this inspection: a photo taken in 2008 in Italy, attached to
an inspection in 托克托县 on 2026-12-06, is flagged in human units with the inspector's reason,
cannot be approved unconfirmed, and its 证据提取单 prints the reason instead of "taken at this
inspection". Capture times show the same clock on the console and the case file."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from inspector.database import db
from inspector.models import AuditEvent, Inspection, Photo

from .. import factories
from ..console_support import approve, open_case, reviewer_session, submitted_case
from ..sync_phone import Phone, new_id
from .test_case_file import add_photo, download, inspected_case, photo_jpeg
from ..unit.test_pdf_render import pdf_pages_text, squeeze

STARTED = datetime(2026, 12, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in 托克托县
FIELD = (40.2700, 111.1800)
ROME = (41.9000, 12.5000)
REASON = "当事人提供的进货时照片，用于说明货源"


def _case_with_gallery_photo(**photo_fields) -> Inspection:
    case = submitted_case(lat=FIELD[0], lon=FIELD[1], started_at_device=STARTED,
                          ended_at_device=STARTED + timedelta(hours=1))
    fields = {"exif_taken_at": "2008-05-10T15:30:00+02:00", "lat": ROME[0], "lon": ROME[1], "remark": REASON,
              **photo_fields}
    db.session.add(Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256="d" * 64, size=1000,
                         media_type="image/jpeg", caption="进货照片", taken_at_device=STARTED + timedelta(minutes=20),
                         **fields))
    db.session.commit()
    return case


def test_a_gallery_photo_shows_how_far_it_is_from_the_inspection_and_why_it_was_attached(client):
    case = _case_with_gallery_photo()
    reviewer_session(client)

    html, _token, _version = open_case(client, case.id)

    assert "早于检查 18 年" in html
    assert "距检查地点 7,800 公里" in html
    assert f"执法人员说明：{REASON}" in html
    assert "我已核对 1 张拍摄时间或地点与本次检查不符的照片" in html
    assert "9531182" not in html and "分钟" not in re.sub(r"<[^>]+>", "", html.split('data-photo-deviation')[1])[:60]


def test_approval_refuses_unconfirmed_gallery_photos_and_records_the_confirmation(client):
    case = _case_with_gallery_photo()
    reviewer_session(client)

    refused = approve(client, case.id)

    assert refused.status_code == 422
    assert "本案有照片的拍摄时间或地点与检查不符" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Inspection, case.id).status == "submitted"

    approved = approve(client, case.id, photos_confirmed=True)

    assert approved.status_code == 302
    db.session.rollback()
    assert db.session.get(Inspection, case.id).status == "approved"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.inspection_id == case.id,
                                                        AuditEvent.action == "inspection.approve")).one()
    photo_id = db.session.scalars(select(Photo.id).where(Photo.inspection_id == case.id)).one()
    assert event.data["confirmedPhotos"] == [photo_id]


def test_photos_of_the_visit_need_no_confirmation(client):
    # Two hours after the start, 300 m from where the inspection was fixed: within the tolerances.
    case = _case_with_gallery_photo(exif_taken_at="2026-12-06T11:00:00+08:00", lat=FIELD[0] + 0.0027,
                                    lon=FIELD[1], remark=None)
    reviewer_session(client)
    html, _token, _version = open_case(client, case.id)
    assert "data-photo-deviation" not in html and "photos_confirmed" not in html

    assert approve(client, case.id).status_code == 302


def test_tolerances_are_settings(app, client):
    app.config["PHOTO_MAX_HOURS_FROM_INSPECTION"] = 24 * 366 * 20
    app.config["PHOTO_MAX_METRES_FROM_INSPECTION"] = 10_000_000
    try:
        case = _case_with_gallery_photo()
        reviewer_session(client)
        html, _token, _version = open_case(client, case.id)
        assert "data-photo-deviation" not in html
    finally:
        app.config["PHOTO_MAX_HOURS_FROM_INSPECTION"] = 12
        app.config["PHOTO_MAX_METRES_FROM_INSPECTION"] = 1000


def test_the_reason_travels_with_photo_add_and_the_login_tells_the_phone_the_tolerances(login_as, user):
    from ..sync_phone import inspection_args

    login = login_as("tuoketuo.zhang")
    zhang = Phone(login)
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    assert zhang.send("inspection.create.v1", **inspection_args(
        party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id))["status"] == "applied"
    photo_id = new_id()

    result = zhang.send("photo.add.v1", id=photo_id, inspectionID=case_id, sha256="e" * 64, size=5000,
                        mediaType="image/heic", caption="进货照片", exifTakenAt="2008-05-10T15:30:00+02:00",
                        lat=ROME[0], lon=ROME[1], remark=REASON)

    assert result["status"] == "applied"
    zhang.pull()
    assert zhang.value("photo", photo_id)["remark"] == REASON
    assert login.login["photoChecks"] == {"maxHoursFromInspection": 12, "maxMetresFromInspection": 1000}


def test_the_evidence_sheet_prints_the_reason_instead_of_taken_at_this_inspection(app, client, login_as):
    phone = login_as("tuoketuo.zhang")
    case = inspected_case(photos=False)
    add_photo(case, photo_jpeg(71), "货架上的复合肥料", minute=5)
    gallery = add_photo(case, photo_jpeg(72), "进货照片", minute=9)
    gallery.exif_taken_at, gallery.lat, gallery.lon, gallery.remark = "2008-05-10T15:30:00+02:00", *ROME, REASON
    db.session.commit()

    response = download(phone, case.id)

    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    pages = [squeeze(p) for p in pdf_pages_text(response.data)]
    [field_sheet] = [p for p in pages if squeeze("货架上的复合肥料") in p]
    [gallery_sheet] = [p for p in pages if squeeze("证据名称（内容）：进货照片") in p]
    assert "检查时拍摄的照片" in field_sheet
    assert "检查时拍摄的照片" not in gallery_sheet
    assert squeeze(f"早于检查18年，距检查地点7,800公里") in gallery_sheet
    assert squeeze(f"执法人员说明：{REASON}") in gallery_sheet


def test_a_capture_time_shows_the_same_clock_on_the_console_and_in_the_case_file(app, client, login_as):
    """The Nokia in Helsinki wrote 14:12 +03:00: that is 19:12 in China, everywhere."""
    phone = login_as("tuoketuo.zhang")
    case = inspected_case(photos=False)
    photo = add_photo(case, photo_jpeg(73), "赫尔辛基拍摄", minute=5)
    photo.exif_taken_at = "2022-08-14T14:12:31+03:00"
    db.session.commit()
    reviewer_session(client)

    html, _token, _version = open_case(client, case.id)
    pages = [squeeze(p) for p in pdf_pages_text(download(phone, case.id).data)]

    assert "2022-08-14 19:12" in html and "14:12" not in html
    [sheet] = [p for p in pages if squeeze("赫尔辛基拍摄") in p]
    assert "2022年8月14日19时12分31秒" in sheet
