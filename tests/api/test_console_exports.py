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

from inspector.database import db
from inspector.models import Blob, BlobHolder, Photo, Sample

from .. import factories
from ..console_support import reviewer_session, submitted_case


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
