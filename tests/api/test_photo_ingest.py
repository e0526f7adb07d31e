"""Photo ingest off the request path: finishing an upload checks the container and reads EXIF; the
full decode and the derived sizes come from the `process_photo` job, and only then does a pull tell
the phone `uploaded` (which lets it delete its original)."""
from __future__ import annotations

import re

import pytest

from inspector import imaging
from inspector.database import db
from inspector.models import Blob
from inspector.services import evidence

from ..real_photos import real_photo
from ..sync_phone import Phone, new_id
from .evidence_helpers import camera_jpeg, create, patch, run_photo_jobs, sha256, tuoketuo_case, upload
from .evidence_helpers import blob_dir  # noqa: F401  (a fixture these tests use)
from .test_auth import console_login


@pytest.fixture
def case(app):
    return tuoketuo_case()


def undecodable_jpeg() -> bytes:
    """A JPEG whose every segment and scan is where its markers say, up to EOI, but whose Huffman
    table is bogus: only decoding the pixels finds out (as with a phone's flash memory going bad)."""
    data = bytearray(camera_jpeg(seed=9))
    table = data.find(b"\xff\xc4")
    data[table + 5:table + 21] = bytes([200] * 16)  # code counts that sum far above 256
    return bytes(data)


def add_photo_from_phone(phone: Phone, case, data: bytes) -> str:
    photo_id = new_id()
    made = phone.push(phone.mutation("photo.add.v1", id=photo_id, inspectionID=case.id, sha256=sha256(data),
                                     size=len(data), mediaType="image/jpeg"))
    assert made["results"][0]["status"] == "applied"
    return photo_id


def photo_seen_by(phone: Phone, photo_id: str) -> dict:
    phone.pull()
    return phone.value("photo", photo_id)


def case_page(client, case) -> str:
    console_login(client)
    page = client.get(f"/console/cases/{case.id}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_an_upload_whose_pixels_cannot_be_decoded_finishes_and_the_job_tells_the_phone_to_keep_it(
        case, login_as, client, blob_dir, monkeypatch):
    data = undecodable_jpeg()
    phone = Phone(login_as("tuoketuo.zhang"))
    photo_id = add_photo_from_phone(phone, case, data)
    decodes = []
    full_decode = imaging.ingest_image
    monkeypatch.setattr(imaging, "ingest_image", lambda *a, **k: decodes.append(1) or pytest.fail("decoded"))

    finished = upload(phone.api, data)

    assert finished.status_code == 204 and int(finished.headers["Upload-Offset"]) == len(data)
    assert decodes == []  # nothing in the request decoded a pixel
    seen = photo_seen_by(phone, photo_id)
    assert (seen["uploaded"], seen["processing"]) == (False, "pending")

    monkeypatch.setattr(imaging, "ingest_image", full_decode)  # the worker decodes
    assert run_photo_jobs() == {sha256(data): "failed"}

    seen = photo_seen_by(phone, photo_id)
    assert (seen["uploaded"], seen["processing"]) == (False, "failed")  # the phone keeps its original
    assert "cannot be decoded" in seen["processingError"]
    page = case_page(client, case)
    assert "照片无法解码" in page and "处理中" not in page
    thumb = phone.api.get(f"/api/v1/blobs/{sha256(data)}/thumb")
    assert thumb.status_code == 422 and thumb.get_json()["error"]["code"] == "corrupt_image"


def test_the_job_makes_the_sizes_then_the_phone_may_delete_and_the_console_stops_saying_processing(
        case, login_as, client, blob_dir):
    data = camera_jpeg(seed=3)
    phone = Phone(login_as("tuoketuo.zhang"))
    photo_id = add_photo_from_phone(phone, case, data)
    upload(phone.api, data)

    assert (photo_seen_by(phone, photo_id)["uploaded"]) is False
    page = case_page(client, case)
    assert "处理中" in page and f"/api/v1/blobs/{sha256(data)}/thumb" not in page
    assert phone.api.get(f"/api/v1/blobs/{sha256(data)}/thumb").get_json()["error"]["code"] == "photo_processing"

    assert run_photo_jobs() == {sha256(data): "ready"}

    seen = photo_seen_by(phone, photo_id)
    assert (seen["uploaded"], seen["processing"], seen["processingError"]) == (True, "ready", None)
    page = case_page(client, case)
    assert "处理中" not in page and f"/api/v1/blobs/{sha256(data)}/thumb" in page
    assert phone.api.get(f"/api/v1/blobs/{sha256(data)}/thumb").status_code == 200


def test_the_job_run_twice_changes_nothing_the_second_time(case, login_as, blob_dir):
    data = camera_jpeg(seed=4)
    phone = Phone(login_as("tuoketuo.zhang"))
    add_photo_from_phone(phone, case, data)
    upload(phone.api, data)
    assert run_photo_jobs() == {sha256(data): "ready"}
    phone.pull()

    assert evidence.process_photo(sha256(data)) == "ready"  # a redelivered job (late acknowledgement)
    assert evidence.process_photo("0" * 64) is None  # bytes gone meanwhile: nothing to do
    assert [page["patch"] for page in phone.pull()] == [[]]  # nothing was re-stamped


@pytest.mark.parametrize("name", ["HMD_Nokia_8.3_5G.jpg", "jolla.jpg", "iphone_13_pro_max.HEIC"])
def test_a_real_photo_cut_short_is_refused_at_finish(case, login_as, blob_dir, name):
    whole = real_photo(name)
    cut = whole[:len(whole) * 3 // 4]
    api = login_as("tuoketuo.zhang")
    phone = Phone(api)
    add_photo_from_phone(phone, case, cut)
    location = create(api, cut).headers["Location"]

    refused = patch(api, location, 0, cut)

    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "truncated_image"
    fresh_blob = db.session.get(Blob, sha256(cut))
    assert fresh_blob is None


@pytest.mark.parametrize("name", ["HMD_Nokia_8.3_5G.jpg", "jolla.jpg", "iphone_13_pro_max.HEIC"])
def test_the_container_check_reads_a_real_photos_exif_and_the_job_agrees(name):
    whole = real_photo(name)
    checked = imaging.check_container(whole)
    decoded, sizes = imaging.ingest_image(whole)
    assert checked == decoded
    assert re.match(r"20\d\d-\d\d-\d\dT", checked.exif["capture_time"]) and set(sizes) == {"thumb", "display"}


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("kept", [0.3, 0.6, 0.9, 0.999])
def test_the_container_check_finds_a_jpeg_cut_anywhere_without_decoding(progressive, kept):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((800, 600), 40).convert("RGB").save(out, "JPEG", quality=90, progressive=progressive)
    whole = out.getvalue()
    with pytest.raises(imaging.ImageRejected) as refused:
        imaging.check_container(whole[:int(len(whole) * kept)])
    assert refused.value.code == "truncated_image"
    # A maker's trailer after the end-of-image marker is not damage.
    assert imaging.check_container(whole + b"\x00MAKER-TRAILER" * 8).width == 800
