"""Exports: what the reviewer's filters select, in their jurisdiction only, streamed.

Streamed bodies are read with buffered=True: the isolated test client runs each request in its
own context, and a streamed body must be consumed inside it."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.models import Blob, BlobHolder, Photo, Sample

from .. import factories
from ..console_support import reviewer_session, submitted_case
from .evidence_helpers import blob_dir  # noqa: F401  (fixture)


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _cases(app):
    tuoketuo = submitted_case(party_name="托县导出化肥店", findings={"G01": "fail", "G02": "pass"})
    tuoketuo.samples.append(Sample(id=str(uuid.uuid4()), name="复合肥料", quantity="2 kg", base_quantity="120 袋",
                                   seal_numbers=["FY1"]))
    seed = submitted_case(party_name="托县导出种子站", key="seed", findings={"G01": "pass"})
    baotou = submitted_case("150202", ("donghe.chen", "donghe.sun"), party_name="包头导出化肥店")
    db.session.commit()
    return tuoketuo, seed, baotou


def test_inspections_csv_follows_filters_and_scope(client, app):
    tuoketuo, seed, baotou = _cases(app)
    reviewer_session(client)
    r = client.get("/console/export/inspections.csv", buffered=True)
    assert r.status_code == 200 and "Content-Length" not in r.headers  # streamed, chunk by chunk
    assert r.headers["Content-Type"].startswith("text/csv") and "attachment" in r.headers["Content-Disposition"]
    assert r.headers["X-Export-Cases"] == "2"
    rows = _csv_rows(r)
    assert rows[0][0] == "检查编号" and "文号" in rows[0]
    ids = {row[0] for row in rows[1:]}
    assert ids == {tuoketuo.id, seed.id} and baotou.id not in r.get_data(as_text=True)
    failed_col = rows[0].index("不符合项")
    assert {row[0]: row[failed_col] for row in rows[1:]}[tuoketuo.id] == "1"
    filtered = _csv_rows(client.get("/console/export/inspections.csv?category=seed", buffered=True))
    assert [row[0] for row in filtered[1:]] == [seed.id]


def test_findings_and_samples_csv(client, app):
    tuoketuo, _seed, baotou = _cases(app)
    reviewer_session(client)
    findings = _csv_rows(client.get("/console/export/findings.csv?failed=1", buffered=True))
    # "has failed items" selects the case; the export carries all of its findings.
    assert [(row[0], row[3], row[5]) for row in findings[1:]] == [(tuoketuo.id, "G01", "不符合"),
                                                                 (tuoketuo.id, "G02", "符合")]
    assert "营业执照" in findings[1][4]  # the item's label from the checklist
    samples = _csv_rows(client.get("/console/export/samples.csv", buffered=True))
    assert [(row[0], row[3], row[-2]) for row in samples[1:]] == [(tuoketuo.id, "复合肥料", "FY1")]


def test_xlsx_has_the_three_tables(client, app):
    tuoketuo, _seed, baotou = _cases(app)
    reviewer_session(client)
    r = client.get("/console/export/cases.xlsx", buffered=True)
    assert r.status_code == 200 and "Content-Length" not in r.headers  # streamed like the others
    with zipfile.ZipFile(io.BytesIO(r.data)) as book:
        names = book.namelist()
        assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"} <= set(names)
        text = "".join(book.read(n).decode() for n in names if n.endswith(".xml"))
    assert "托县导出化肥店" in text and "检查项结果" in text and "复合肥料" in text
    assert baotou.id not in text and "包头导出化肥店" not in text


def test_case_bundle_holds_the_record_and_original_photos(client, app):
    from inspector.storage import get_store

    case = submitted_case(party_name="托县案卷包店")
    original = b"\xff\xd8\xff\xe0 fake jpeg bytes " * 100
    sha = hashlib.sha256(original).hexdigest()
    store = get_store()
    staged = store.staging_dir / f"test-{sha}"
    staged.write_bytes(original)
    store.put_file(sha, staged)
    db.session.add(Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256=sha, size=len(original),
                         media_type="image/jpeg", caption="货架"))
    db.session.add(Blob(sha256=sha, size=len(original), media_type="image/jpeg"))
    db.session.flush()
    db.session.add(BlobHolder(sha256=sha, user_id=factories.user("tuoketuo.zhang").id))  # as its upload does
    db.session.commit()
    reviewer_session(client)
    r = client.get(f"/console/cases/{case.id}/bundle.zip", buffered=True)
    assert r.status_code == 200 and "Content-Length" not in r.headers
    with zipfile.ZipFile(io.BytesIO(r.data)) as bundle:
        names = bundle.namelist()
        assert f"{case.id}/record.json" in names
        assert bundle.read(f"{case.id}/photos/{sha}.jpg") == original
        assert bundle.read(f"{case.id}/case-file.pdf").startswith(b"%PDF")
        record = json.loads(bundle.read(f"{case.id}/record.json"))
    assert record["party"]["name"] == "托县案卷包店" and record["photos"][0]["sha256"] == sha


def test_filtered_bundle_and_scope(client, app):
    tuoketuo, seed, baotou = _cases(app)
    reviewer_session(client)
    r = client.get("/console/export/bundle.zip?category=fertilizer", buffered=True)
    with zipfile.ZipFile(io.BytesIO(r.data)) as bundle:
        folders = {n.split("/")[0] for n in bundle.namelist()}
    assert folders == {tuoketuo.id}
    # A Hohhot reviewer asking for Baotou's agency gets nothing of it.
    from .. import factories
    r = client.get(f"/console/export/inspections.csv?agency={factories.agency('150202').id}", buffered=True)
    assert baotou.id not in r.get_data(as_text=True)


def test_unknown_export_is_404_and_inspectors_cannot_export(client):
    reviewer_session(client)
    assert client.get("/console/export/everything.exe", buffered=True).status_code == 404
    client.post("/console/logout", data={"csrf_token": __import__("tests.console_support", fromlist=["x"]).csrf_token(client)})
    reviewer_session(client, "tuoketuo.zhang")
    assert client.get("/console/export/inspections.csv", buffered=True).status_code == 403


def test_streamed_workbook_is_well_formed_and_flows_row_by_row():
    """Each part parses as XML; text is escaped, control characters dropped, the header bold;
    bytes come out while rows are still being written (not only at the end)."""
    from xml.etree import ElementTree

    from inspector.services.exports import _Sink
    from inspector.services.xlsx_stream import StreamingWorkbook, column_letter

    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    sink, received = _Sink(), []
    book = StreamingWorkbook(sink, ["检查记录", "bad[name]:?"])
    book.begin_sheet()
    book.write_row(["编号", "名称"], bold=True)
    for n in range(20000):
        book.write_row([f"id-{n}", f"店<{n}>&\x01", n, 1.5])
        if n % 1000 == 0:
            received.append(len(sink.take()))
    book.close()
    data = sink.take()
    assert sum(1 for size in received if size) > 5  # compressed bytes kept flowing during the rows
    whole = io.BytesIO()
    sink2 = _Sink()
    book = StreamingWorkbook(sink2, ["s"])
    book.begin_sheet()
    book.write_row(["a<&>\x02b", 3], bold=True)
    book.close()
    whole.write(sink2.take())
    with zipfile.ZipFile(whole) as archive:
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve">a&lt;&amp;&gt;b</t>' in sheet and 's="1"' in sheet and "<v>3</v>" in sheet
    assert data  # the end of the first book (central directory) came out at close


# ---------------------------------------------------------------- bundles of real cases

def _phone_submits_case_with_photo(phone, user, party, seed: int, items: tuple[str, ...] = ()) -> tuple[str, bytes]:
    """A case recorded on the phone, its photo's original uploaded, submitted for review; the same
    picture is also attached to each of `items`."""
    from ..sync_phone import fill_and_sign, inspection_args, new_id
    from .evidence_helpers import camera_jpeg, sha256, upload

    case_id, original = new_id(), camera_jpeg((320, 240), seed=seed)
    made = phone.push(
        phone.mutation("inspection.create.v1", **inspection_args(
            party.id, [user("tuoketuo.zhang").id, user("tuoketuo.liu").id], inspection_id=case_id)),
        *fill_and_sign(phone, case_id),
        phone.mutation("photo.add.v1", id=new_id(), inspectionID=case_id, sha256=sha256(original),
                       size=len(original), mediaType="image/jpeg", caption="化肥包装标签"),
        *(phone.mutation("photo.add.v1", id=new_id(), inspectionID=case_id, sha256=sha256(original),
                         size=len(original), mediaType="image/jpeg", itemKey=item) for item in items))
    assert {r["status"] for r in made["results"]} == {"applied"}, made
    upload(phone.api, original)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    return case_id, original


def _checked_bundle(response, *, streamed: bool = True) -> dict[str, dict]:
    """Open a downloaded bundle as a user's unzip would and check every member against the record:
    each photo's bytes against its SHA-256 in record.json, the case file against the register."""
    from inspector.models import IssuedDocument

    assert response.status_code == 200 and ("Content-Length" not in response.headers) == streamed
    db.session.rollback()  # read the register as it is now, after the request
    records = {}
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        assert len(names) == len(set(names)), names  # unpacking never asks which of two files to keep
        for name in names:
            if name.endswith("/record.json"):
                folder = name.rsplit("/", 1)[0]
                record = json.loads(bundle.read(name))
                pdf = bundle.read(f"{folder}/case-file.pdf")
                assert hashlib.sha256(pdf).hexdigest() == record["caseFile"]["sha256"]
                registered = db.session.scalars(select(IssuedDocument).where(
                    IssuedDocument.document_no == record["caseFile"]["documentNo"])).one()
                assert registered.sha256 == record["caseFile"]["sha256"] and registered.inspection_id == record["id"]
                photos = [n for n in names if n.startswith(f"{folder}/photos/")]
                assert len(photos) == len({p["sha256"] for p in record["photos"] if p["uploaded"]})
                for photo in record["photos"]:
                    data = bundle.read(f"{folder}/photos/{photo['sha256']}.jpg")
                    assert hashlib.sha256(data).hexdigest() == photo["sha256"]
                records[record["id"]] = record
    return records


def test_bundles_of_phone_cases_open_and_match_the_record_every_time(client, app, login_as, user, blob_dir):
    """Two cases recorded on a phone: the reviewer downloads one case's bundle, downloads it again
    (its PDF now issued), then the queue's bundle of both. Each ZIP opens and every file in it is
    the one the record names."""
    from ..sync_phone import Phone

    shops = [factories.party("150122", "托克托县丰收农资经营部"), factories.party("150122", "托克托县五谷农资店")]
    phone = Phone(login_as("tuoketuo.zhang"))
    first, first_photo = _phone_submits_case_with_photo(phone, user, shops[0], seed=1, items=("G01", "G02"))
    second, _ = _phone_submits_case_with_photo(phone, user, shops[1], seed=2)
    reviewer_session(client)
    once = _checked_bundle(client.get(f"/console/cases/{first}/bundle.zip", buffered=True))
    again = _checked_bundle(client.get(f"/console/cases/{first}/bundle.zip", buffered=True))
    assert once[first]["photos"][0]["uploaded"] and once[first]["photos"][0]["sha256"] == hashlib.sha256(
        first_photo).hexdigest()
    assert again[first]["caseFile"] == once[first]["caseFile"]  # the same registered document served again
    both = _checked_bundle(client.get("/console/export/bundle.zip", buffered=True))
    assert set(both) == {first, second}


def test_a_bundle_that_fails_midway_drops_the_connection(client, app, monkeypatch):
    """The queue's bundle: the newer case is sent, then the older one's photo cannot be read. The
    server must not finish the stream as if all were well (a ZIP without its directory saved as
    done). The failure leaves as a dropped connection, which both the development server and
    gunicorn pass on by cutting the transfer."""
    from datetime import datetime, timedelta, timezone

    from inspector.storage import get_store

    now = datetime.now(timezone.utc)
    submitted_case(party_name="托县好案卷店", submitted_at=now - timedelta(minutes=1))
    case = submitted_case(party_name="托县坏照片店", submitted_at=now - timedelta(minutes=30))
    original = b"\xff\xd8\xff\xe0 bytes that will not read back " * 100
    sha = hashlib.sha256(original).hexdigest()
    store = get_store()
    staged = store.staging_dir / f"test-{sha}"
    staged.write_bytes(original)
    store.put_file(sha, staged)
    db.session.add(Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256=sha, size=len(original),
                         media_type="image/jpeg"))
    db.session.add(Blob(sha256=sha, size=len(original), media_type="image/jpeg"))
    db.session.flush()
    db.session.add(BlobHolder(sha256=sha, user_id=factories.user("tuoketuo.zhang").id))
    db.session.commit()

    def broken_open(self, wanted):
        raise OSError("disk read error")

    monkeypatch.setattr(type(store), "open", broken_open)
    reviewer_session(client)
    with pytest.raises(ConnectionAbortedError):
        client.get("/console/export/bundle.zip", buffered=True)


def test_a_bundle_that_fails_before_its_first_byte_is_an_ordinary_error(client, app, monkeypatch):
    """Nothing sent yet: the server can still answer with an error status, so the failure is not
    turned into a dropped connection."""
    from inspector.services import exports

    case = submitted_case(party_name="托县案卷失败店")

    def failing_case_file(user, inspection):
        raise RuntimeError("renderer unavailable")

    monkeypatch.setattr(exports, "case_file", failing_case_file)
    reviewer_session(client)
    with pytest.raises(RuntimeError):
        client.get(f"/console/cases/{case.id}/bundle.zip", buffered=True)


def _export_page(client, location: str) -> tuple[str, str]:
    """The export's page: its state and the progress line a reviewer reads."""
    page = client.get(location).get_data(as_text=True)
    state = page.split('data-export-run data-state="', 1)[1].split('"', 1)[0]
    line = page.split("data-progress>", 1)[1].split("</p>", 1)[0]
    return state, line


@pytest.mark.parametrize("kind", ["bundle.zip", "cases.xlsx"])
def test_a_large_export_is_written_by_a_job_whose_page_shows_progress_and_offers_the_file(
        client, app, login_as, user, blob_dir, monkeypatch, kind):
    """Above EXPORT_STREAM_MAX_CASES the console asks a job for the file: the page says how many rows
    are written of how many while the job runs, then offers the file, which opens and matches."""
    from inspector.services import export_jobs

    from ..sync_phone import Phone

    monkeypatch.setitem(app.config, "EXPORT_STREAM_MAX_CASES", 1)
    shops = [factories.party("150122", "托克托县丰收农资经营部"), factories.party("150122", "托克托县五谷农资店")]
    phone = Phone(login_as("tuoketuo.zhang"))
    first, _ = _phone_submits_case_with_photo(phone, user, shops[0], seed=1)
    second, _ = _phone_submits_case_with_photo(phone, user, shops[1], seed=2)
    reviewer_session(client)

    asked = client.get(f"/console/export/{kind}")

    assert asked.status_code == 302
    location = asked.headers["Location"]
    assert _export_page(client, location) == ("queued", "已排队，等待生成")
    seen = []
    note = export_jobs._note

    def note_and_look(export_id, **values):
        note(export_id, **values)
        if "status" not in values:  # progress while running: what the reviewer's page says now
            seen.append(_export_page(client, location))

    monkeypatch.setattr(export_jobs, "_note", note_and_look)
    export_id = location.rsplit("/", 1)[1]
    db.session.commit()  # end the test's own transaction: a worker's session starts fresh
    assert export_jobs.run_export(export_id) == "ready"  # as the worker runs it

    total = 2 * (3 if kind == "cases.xlsx" else 1)
    assert seen and seen[0][0] == "running" and seen[-1][1].startswith(f"已写入 {total}／{total} 条")
    page = client.get(location).get_data(as_text=True)
    assert "导出文件已生成" in page and f"{location}/file" in page
    download = client.get(f"{location}/file")
    if kind == "bundle.zip":
        assert set(_checked_bundle(download, streamed=False)) == {first, second}
    else:
        with zipfile.ZipFile(io.BytesIO(download.data)) as book:
            text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
        assert "托克托县丰收农资经营部" in text and "托克托县五谷农资店" in text
    assert export_jobs.run_export(export_id) == "ready"  # a job delivered twice leaves the file as it is
    assert client.get("/console/exports/" + "0" * 32).status_code == 404
