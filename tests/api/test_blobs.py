"""Evidence bytes by hash: what the phone still has to send, and reading photos back within scope."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from inspector.database import db, utcnow

from .. import factories
from ..sync_phone import Phone, inspection_args, new_id

from .evidence_helpers import (
    add_photo, add_signature, camera_jpeg, run_photo_jobs, sha256, small_png, stored_files, tuoketuo_case, upload,
)
from .evidence_helpers import blob_dir  # noqa: F401  (a fixture these tests use)
from .test_auth import console_login
from ..unit.test_pdf_render import pdf_pages_text, squeeze
from .test_case_file import download

IMMUTABLE = "private, max-age=31536000, immutable"


@pytest.fixture
def case(app):
    return tuoketuo_case()


# ---------------------------------------------------------------- which bytes are missing

def test_phone_learns_which_photos_still_need_sending(case, login_as, blob_dir):
    sent, pending, signature = camera_jpeg(seed=1), camera_jpeg(seed=2), small_png()
    add_photo(case, sent)
    add_photo(case, pending)
    add_signature(case, signature)
    api = login_as("tuoketuo.zhang")
    upload(api, sent)
    stranger = "ab" * 32

    r = api.post("/api/v1/blobs/check", json={"sha256": [sha256(sent), sha256(pending), stranger,
                                                         sha256(signature), sha256(sent)]})

    assert r.status_code == 200
    assert r.get_json() == {"missing": [sha256(pending), sha256(signature)], "present": [sha256(sent)],
                            "unknown": [stranger]}


def test_check_never_answers_for_another_countys_photos(case, login_as, blob_dir):
    photo = camera_jpeg()
    add_photo(case, photo)
    upload(login_as("tuoketuo.zhang"), photo)

    r = login_as("donghe.chen").post("/api/v1/blobs/check", json={"sha256": [sha256(photo)]})

    assert r.get_json() == {"missing": [], "present": [], "unknown": [sha256(photo)]}


def test_check_names_the_entry_that_is_not_a_hash(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/blobs/check", json={"sha256": ["ab" * 32, "IMG_0001.jpg"]})

    assert r.status_code == 400
    details = r.get_json()["error"]["details"]["sha256"]
    assert list(details) == ["1"] and "'IMG_0001.jpg' is not a SHA-256" in details["1"][0]


def test_check_takes_at_most_500_hashes(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/blobs/check", json={"sha256": ["ab" * 32] * 501})
    assert r.status_code == 400 and "500" in str(r.get_json()["error"]["details"])


# ---------------------------------------------------------------- reading

def test_reviewer_fetches_the_original_unchanged_and_cacheable(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    reviewer = login_as("hhht.reviewer")

    r = reviewer.get(f"/api/v1/blobs/{sha256(original)}")

    assert r.status_code == 200 and r.data == original
    assert r.mimetype == "image/jpeg" and r.headers["ETag"] == f'"{sha256(original)}"'
    assert r.headers["Cache-Control"] == IMMUTABLE and r.headers["X-Content-Type-Options"] == "nosniff"
    again = reviewer.get(f"/api/v1/blobs/{sha256(original)}", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    part = reviewer.get(f"/api/v1/blobs/{sha256(original)}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == original[100:200]  # a dropped download resumes too


@pytest.mark.parametrize("variant,long_edge", [("thumb", 320), ("display", 800)])
def test_derived_sizes_are_upright_jpegs_without_location(case, login_as, blob_dir, variant, long_edge):
    """The camera stored 800×600 with EXIF orientation 6 (held upright): the sizes come out portrait."""
    original = camera_jpeg((800, 600), orientation=6)
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    upload(api, original)
    run_photo_jobs()

    r = api.get(f"/api/v1/blobs/{sha256(original)}/{variant}")

    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.headers["Cache-Control"] == IMMUTABLE
    image = Image.open(io.BytesIO(r.data))
    assert image.height == long_edge and image.width == long_edge * 3 // 4
    assert not image.getexif()  # no GPS in copies handed around


def test_sizes_are_made_again_when_missing(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    upload(api, original)
    run_photo_jobs()
    for derived in (blob_dir / "derived").rglob("*.jpg"):
        derived.unlink()

    assert api.get(f"/api/v1/blobs/{sha256(original)}/thumb").status_code == 200
    assert len(list((blob_dir / "derived").rglob("*.jpg"))) == 2  # both sizes, from one decode


def test_before_the_original_arrives_sizes_come_from_the_display_copy(case, login_as, blob_dir):
    original, display = camera_jpeg((1600, 1200)), camera_jpeg((400, 300), orientation=None, seed=5)
    add_photo(case, original, display=display)
    api = login_as("tuoketuo.zhang")
    upload(api, display)
    run_photo_jobs()

    thumb = api.get(f"/api/v1/blobs/{sha256(original)}/thumb")
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.data)).size == (320, 240)
    assert thumb.headers["Cache-Control"] == "private, no-cache"  # replaced once the original arrives
    missing = api.get(f"/api/v1/blobs/{sha256(original)}")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "blob_not_uploaded"

    upload(api, original)
    # Until the job has decoded the original and made its sizes, the display copy's are served.
    assert api.get(f"/api/v1/blobs/{sha256(original)}/thumb").headers["Cache-Control"] == "private, no-cache"
    run_photo_jobs()
    assert api.get(f"/api/v1/blobs/{sha256(original)}/thumb").headers["Cache-Control"] == IMMUTABLE


def test_photo_not_uploaded_yet_is_404_with_reason(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)

    r = login_as("tuoketuo.zhang").get(f"/api/v1/blobs/{sha256(original)}/display")

    assert r.status_code == 404 and r.get_json()["error"]["code"] == "blob_not_uploaded"


def test_inspector_of_another_county_cannot_fetch_by_hash(case, login_as, blob_dir):
    """A hash is not a password: 东河区 cannot read a 托克托县 photo even knowing its SHA-256."""
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    chen = login_as("donghe.chen")

    for suffix in ("", "/thumb", "/display"):
        r = chen.get(f"/api/v1/blobs/{sha256(original)}{suffix}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert login_as("baotou.reviewer").get(f"/api/v1/blobs/{sha256(original)}").status_code == 404
    assert login_as("hq.reviewer").get(f"/api/v1/blobs/{sha256(original)}").status_code == 200


def test_naming_a_hash_read_off_a_case_file_does_not_hand_over_the_photo(case, login_as, blob_dir, client):
    """Every case file prints its photos' SHA-256. 陈 (东河区) copies one into a photo record of his
    own case: the server does not serve 张's photo through it, nor print it in 陈's case file, until
    陈 proves he holds the bytes by sending them."""
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    own_case = factories.inspection(factories.party("150202", "包头市东河区惠农化肥销售中心"),
                                    ("donghe.chen", "donghe.sun"))
    add_photo(own_case, original)
    chen = login_as("donghe.chen")

    for suffix in ("", "/thumb", "/display"):
        r = chen.get(f"/api/v1/blobs/{sha256(original)}{suffix}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "blob_not_uploaded", suffix
    assert login_as("baotou.reviewer").get(f"/api/v1/blobs/{sha256(original)}").status_code == 404
    assert chen.post("/api/v1/blobs/check", json={"sha256": [sha256(original)]}).get_json()["missing"] == [
        sha256(original)]
    pdf = download(chen, own_case.id)
    assert pdf.status_code == 200 and "照片原件尚未上传" in squeeze("".join(pdf_pages_text(pdf.data)))

    upload(chen, original)  # whoever has the bytes may send them, and then they are his case's too

    assert chen.get(f"/api/v1/blobs/{sha256(original)}").data == original
    assert chen.post("/api/v1/blobs/check", json={"sha256": [sha256(original)]}).get_json()["present"] == [
        sha256(original)]


def test_listing_the_uploader_as_co_inspector_does_not_hand_over_the_photo(case, login_as, blob_dir):
    """周 (新城区) may put any inspector of the 呼和浩特 league on his own record. He lists 张, whose
    托克托县 photo's hash he read off a case file, and names that hash in a photo and a signature:
    张 being on the case proves nothing of 周's record, so the bytes are not served to 周."""
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    zhou = Phone(login_as("xincheng.zhou"))
    zhang_id = factories.user("tuoketuo.zhang").id
    own = new_id()
    shop = factories.party("150102", "呼和浩特市新城区田园农膜商行")
    made = zhou.push(
        zhou.mutation("inspection.create.v1", **inspection_args(shop.id, [zhou.user_id, zhang_id], inspection_id=own)),
        zhou.mutation("photo.add.v1", id=new_id(), inspectionID=own, sha256=sha256(original), size=len(original),
                      mediaType="image/jpeg"),
        zhou.mutation("signature.add.v1", id=new_id(), inspectionID=own, role="inspector", userID=zhang_id,
                      signerName="张执法", imageSha256=sha256(original)))
    assert [r["status"] for r in made["results"]] == ["applied"] * 3

    for suffix in ("", "/thumb", "/display"):
        r = zhou.api.get(f"/api/v1/blobs/{sha256(original)}{suffix}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "blob_not_uploaded", suffix
    assert zhou.api.post("/api/v1/blobs/check", json={"sha256": [sha256(original)]}).get_json()["missing"] == [
        sha256(original)]
    zhou.pull()
    assert [p["uploaded"] for p in zhou.of_type("photo").values() if p["inspectionID"] == own] == [False]


def test_co_inspectors_photo_and_signature_are_shown_to_the_case(case, login_as, blob_dir):
    """刘 (not the record's creator) adds a photo and the party's signature on his phone and sends
    them: 张, the league's reviewer and HQ see them."""
    original, signature = camera_jpeg(seed=5), small_png((200, 80))
    liu = Phone(login_as("tuoketuo.liu"))
    made = liu.push(
        liu.mutation("photo.add.v1", id=new_id(), inspectionID=case.id, sha256=sha256(original),
                     size=len(original), mediaType="image/jpeg"),
        liu.mutation("signature.add.v1", id=new_id(), inspectionID=case.id, role="party", signerName="王建国",
                     imageSha256=sha256(signature)))
    assert [r["status"] for r in made["results"]] == ["applied"] * 2
    upload(liu.api, original)
    upload(liu.api, signature)
    run_photo_jobs()

    for reader in ("tuoketuo.zhang", "tuoketuo.liu", "hhht.reviewer", "hq.reviewer"):
        api = login_as(reader)
        assert api.get(f"/api/v1/blobs/{sha256(original)}").data == original, reader
        assert api.get(f"/api/v1/blobs/{sha256(signature)}").data == signature, reader
    zhang = Phone(login_as("tuoketuo.zhang"))
    zhang.pull()
    assert [p["uploaded"] for p in zhang.of_type("photo").values()] == [True], [(p["uploaded"], p.get("processing")) for p in zhang.of_type("photo").values()]


def test_a_photo_a_co_inspector_sends_after_importing_the_authors_work_is_shown(case, login_as, blob_dir):
    """张's phone synced the record but not the photo before it broke; 刘 imported 张's export and
    sends the bytes. 刘 is on the case and sent them after the record was made: the case holds them."""
    original = camera_jpeg(seed=7)
    zhang = Phone(login_as("tuoketuo.zhang"))
    made = zhang.push(zhang.mutation("photo.add.v1", id=new_id(), inspectionID=case.id, sha256=sha256(original),
                                     size=len(original), mediaType="image/jpeg"))
    assert made["results"][0]["status"] == "applied"
    liu = login_as("tuoketuo.liu")
    assert liu.post("/api/v1/blobs/check", json={"sha256": [sha256(original)]}).get_json()["missing"] == [
        sha256(original)]

    upload(liu, original)
    run_photo_jobs()

    for reader in ("tuoketuo.zhang", "hhht.reviewer"):
        assert login_as(reader).get(f"/api/v1/blobs/{sha256(original)}").data == original, reader
    zhang.pull()
    assert [p["uploaded"] for p in zhang.of_type("photo").values()] == [True], [(p["uploaded"], p.get("processing")) for p in zhang.of_type("photo").values()]


def test_removed_photo_is_no_longer_served(case, login_as, blob_dir):
    original = camera_jpeg()
    photo = add_photo(case, original)
    api = login_as("tuoketuo.zhang")
    upload(api, original)
    photo.deleted_at = utcnow()
    db.session.commit()

    assert api.get(f"/api/v1/blobs/{sha256(original)}").status_code == 404


def test_console_reviewer_reads_with_the_session_cookie(case, client, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    upload(login_as("tuoketuo.zhang"), original)
    run_photo_jobs()
    console_login(client, "hhht.reviewer")

    assert client.get(f"/api/v1/blobs/{sha256(original)}/thumb").status_code == 200


@pytest.mark.parametrize("bad", ["abc", "AB" * 32, "checks"])
def test_address_that_is_not_a_hash_is_400(login_as, bad, blob_dir):
    r = login_as("hq.reviewer").get(f"/api/v1/blobs/{bad}")
    assert r.status_code == 400 and "SHA-256" in r.get_json()["error"]["message"]
    assert stored_files(blob_dir) == []


def test_get_of_the_check_resource_is_405_allowing_post(login_as, blob_dir):
    """/blobs/check is the POST-only hash check (a concrete path, matched before /blobs/{digest})."""
    r = login_as("hq.reviewer").get("/api/v1/blobs/check")
    assert r.status_code == 405 and "POST" in r.headers["Allow"] and "GET" not in r.headers["Allow"]
    assert r.get_json()["error"]["code"] == "method_not_allowed"


def test_unknown_size_is_404(case, login_as, blob_dir):
    original = camera_jpeg()
    add_photo(case, original)
    r = login_as("tuoketuo.zhang").get(f"/api/v1/blobs/{sha256(original)}/huge")
    assert r.status_code == 404 and "thumb" in r.get_json()["error"]["message"]
