"""Photos and recordings of a complaint or report in the console: a handler attaches them and
downloads them again by their SHA-256 in the blob store; an officer of another league gets 404;
one marked as identifying the reporter is hidden from officers who may not see the reporter; a
file that is not a photo or recording by its content is refused and nothing is stored
(SQLite and PostgreSQL)."""
from __future__ import annotations

import hashlib
import io

from PIL import Image
from sqlalchemy import func, select

from inspector.database import db
from inspector.models import Blob, FilingAttachment
from inspector.storage import get_store

from .test_console_complaints import csrf, persona, register_farmer_call


def jpeg_bytes(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


def attach(client, filing, data: bytes, name: str, **fields):
    path = f"/console/filings/{filing.id}"
    form = {"csrf_token": csrf(client, path), "file": (io.BytesIO(data), name), **fields}
    return client.post(f"{path}/attachments", data=form, content_type="multipart/form-data")


def attachment_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(FilingAttachment))


def test_a_handler_attaches_a_photo_and_a_recording_and_downloads_them(app):
    registrar, complaint, report = register_farmer_call(app)
    photo = jpeg_bytes()
    response = attach(registrar, complaint, photo, "化肥结块.jpg", caption="结块的复合肥")
    assert response.status_code == 302, response.get_data(as_text=True)
    recording = b"#!AMR\n" + bytes(range(200))
    assert attach(registrar, complaint, recording, "来电录音.amr").status_code == 302

    html = registrar.get(f"/console/filings/{complaint.id}").get_data(as_text=True)
    assert "化肥结块.jpg" in html and "结块的复合肥" in html and "来电录音.amr" in html
    assert "data-attachment-uploading" not in html
    db.session.rollback()
    row = db.session.scalars(select(FilingAttachment).where(FilingAttachment.media_type == "image/jpeg")).one()
    assert row.sha256 == hashlib.sha256(photo).hexdigest() and get_store().exists(row.sha256)
    download = registrar.get(f"/console/filings/{complaint.id}/attachments/{row.id}")
    assert download.status_code == 200 and download.data == photo
    assert download.mimetype == "image/jpeg"

    # Another league's officer neither sees the filing nor its attachment.
    baotou = persona(app, "baotou.reviewer")
    assert baotou.get(f"/console/filings/{complaint.id}/attachments/{row.id}").status_code == 404


def test_an_attachment_identifying_the_reporter_is_hidden_from_an_officer_who_may_not_see_them(app):
    registrar, complaint, report = register_farmer_call(app)
    face = jpeg_bytes((10, 200, 10))
    assert attach(registrar, report, face, "举报人照片.jpg", identifiesReporter="1").status_code == 302
    assert attach(registrar, report, jpeg_bytes((10, 10, 200)), "仓库.jpg").status_code == 302
    db.session.rollback()
    ids = dict(db.session.execute(select(FilingAttachment.name, FilingAttachment.id)).all())

    own = registrar.get(f"/console/filings/{report.id}").get_data(as_text=True)
    assert "举报人照片.jpg" in own and "仓库.jpg" in own
    assert registrar.get(f"/console/filings/{report.id}/attachments/{ids['举报人照片.jpg']}").data == face

    officer = persona(app, "tuoketuo.officer")
    html = officer.get(f"/console/filings/{report.id}").get_data(as_text=True)
    assert "data-person-hidden" in html
    assert "仓库.jpg" in html and "举报人照片.jpg" not in html
    assert officer.get(f"/console/filings/{report.id}/attachments/{ids['举报人照片.jpg']}").status_code == 404
    assert officer.get(f"/console/filings/{report.id}/attachments/{ids['仓库.jpg']}").status_code == 200


def test_a_file_that_is_not_a_photo_or_recording_is_refused_and_nothing_is_stored(app):
    registrar, complaint, report = register_farmer_call(app)
    fake = b"%PDF-1.4 not a photo at all" * 10
    response = attach(registrar, complaint, fake, "照片.jpg")
    assert response.status_code == 422
    assert "未能添加附件" in response.get_data(as_text=True)
    assert attachment_count() == 0
    assert not get_store().exists(hashlib.sha256(fake).hexdigest())
    assert db.session.get(Blob, hashlib.sha256(fake).hexdigest()) is None


def test_a_file_over_the_size_limit_is_refused(app):
    registrar, complaint, report = register_farmer_call(app)
    app.config["FILING_ATTACHMENT_MAX_BYTES"] = 1000
    big = jpeg_bytes() + b"\0" * 2000
    assert attach(registrar, complaint, big, "big.jpg").status_code == 413
    assert attachment_count() == 0
    assert not get_store().exists(hashlib.sha256(big).hexdigest())


# ---------------------------------------------------------------- a lead's photos from the phone

def test_a_phone_leads_photo_arrives_through_the_upload_queue_and_shows_on_the_filing(app, login_as):
    from ..sync_phone import Phone
    from .evidence_helpers import camera_jpeg, create, upload
    from .test_sync_leads import _lead

    zhang_api = login_as("tuoketuo.zhang")
    photo = camera_jpeg(seed=7)
    sha = hashlib.sha256(photo).hexdigest()
    lead = _lead(attachments=[{"sha256": sha, "size": len(photo), "mediaType": "image/jpeg",
                               "name": "货架.jpg", "caption": "无登记证号的农药"}])
    result = Phone(zhang_api).send("complaint.create.v1", **lead)
    assert result["status"] == "applied", result
    assert attachment_count() == 1

    officer = persona(app, "tuoketuo.officer")
    html = officer.get(f"/console/filings/{lead['id']}").get_data(as_text=True)
    assert "data-attachments" in html
    assert "货架.jpg" in html and "data-attachment-uploading" in html and "上传中" in html

    # Only the phone that recorded the lead may send its bytes.
    assert create(login_as("tuoketuo.liu"), photo).status_code in (403, 404, 422)
    upload(zhang_api, photo)

    html = officer.get(f"/console/filings/{lead['id']}").get_data(as_text=True)
    assert "货架.jpg" in html and "data-attachment-uploading" not in html and "无登记证号的农药" in html
    db.session.rollback()
    row = db.session.scalars(select(FilingAttachment).where(FilingAttachment.filing_id == lead["id"])).one()
    download = officer.get(f"/console/filings/{lead['id']}/attachments/{row.id}")
    assert download.status_code == 200 and download.data == photo

    # A resent lead adds no second attachment.
    assert Phone(zhang_api).send("complaint.create.v1", **lead)["status"] == "applied"
    assert attachment_count() == 1
