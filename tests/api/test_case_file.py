"""Downloading a case file (案卷): real rows, real blobs in the blob store, the PDF read back.

An inspector in 托克托县 prints a case whose party refused to sign, with one photo uploaded,
one known only by the phone's display copy and one still on the phone. Page images of the
printed files go to test-artifacts/pdf/ for a person to look at.
"""
from __future__ import annotations

import io
import json
import secrets
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import func, select

from inspector.database import db
from inspector.models import (
    AuditEvent, Blob, BlobHolder, ChecklistTemplate, Device, Finding, IssuedDocument, Photo, Sample, Signature,
)
from inspector.services import audit
from inspector.services import case_file as case_file_service
from inspector.storage import get_store

from .. import factories
from ..conftest import DEMO_PASSWORD, ApiClient
from ..case_files import download
from ..console_support import reviewer_session
from ..unit.test_pdf_render import (
    ARTIFACTS, embedded, fonts_used, pdf_pages_text, pdf_stream_text, squeeze, write_page_images,
)
from .evidence_helpers import sha256, small_png

PARTY_NAME = "托克托县丰收农资经营部"
REFUSAL_REASON = "称店主外出，本人只是店员，无权签字"
WITNESS = "郝村委（双河镇新华村委会主任）"
FAILED_KEYS = ("G02", "G03")
CERTIFICATES = ("15012226001", "15012226002")  # 张执法, 刘执法 (demo accounts)
T0 = datetime(2026, 11, 30, 1, 10, tzinfo=timezone.utc)  # 9:10 in Inner Mongolia


# ---------------------------------------------------------------- building a case

def photo_jpeg(seed: int, size: tuple[int, int] = (640, 480)) -> bytes:
    """A small photo that no other test stores: a coloured scene with a numbered arrow."""
    width, height = size
    image = Image.new("RGB", size, ((seed * 53) % 200 + 30, (seed * 97) % 200 + 30, 140))
    draw = ImageDraw.Draw(image)
    draw.polygon([(width // 2, 10), (width // 2 - 40, 70), (width // 2 + 40, 70)], fill="white")
    draw.rectangle([width // 2 - 12, 70, width // 2 + 12, height - 20], fill="white")
    draw.text((10, 10), f"{seed} {uuid.uuid4().hex[:8]}", fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def store_blob(data: bytes, media_type: str = "image/jpeg", held_by: str = "tuoketuo.liu") -> str:
    """Put bytes into the app's blob store and record them, as a finished upload by held_by does."""
    digest = sha256(data)
    db.session.commit()  # a fresh transaction: the test's last snapshot may predate a request's writes
    store = get_store()
    fd, temp = tempfile.mkstemp(dir=store.staging_dir)
    with open(fd, "wb") as out:
        out.write(data)
    store.put_file(digest, Path(temp))
    if db.session.get(Blob, digest) is None:
        db.session.add(Blob(sha256=digest, size=len(data), media_type=media_type, exif={}))
        db.session.flush()
    holder = factories.user(held_by).id
    if db.session.get(BlobHolder, (digest, holder)) is None:
        db.session.add(BlobHolder(sha256=digest, user_id=holder))
    db.session.commit()
    return digest


def add_photo(case, data: bytes, caption: str, *, stored: str = "original", item_key: str | None = None,
              taken_by: str = "tuoketuo.liu", minute: int = 0) -> Photo:
    """A photo record; `stored` says which bytes reached the server: original, display or none."""
    display = photo_jpeg(1000 + minute, (320, 240)) if stored == "display" else None
    row = Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256=sha256(data), size=len(data),
                media_type="image/jpeg", display_sha256=sha256(display) if display else None,
                display_size=len(display) if display else None, caption=caption, item_key=item_key,
                taken_at_device=T0 + timedelta(minutes=minute), exif_taken_at="2026:11:30 09:12:00",
                lat=40.2712, lon=111.1853, gps_accuracy_m=6.0, taken_by_id=factories.user(taken_by).id)
    db.session.add(row)
    db.session.commit()
    if stored == "original":
        store_blob(data)
    elif stored == "display":
        store_blob(display)
    return row


def inspected_case(*, device_id: int | None = None, photos: bool = True, status: str = "submitted"):
    """The standard case: two failed items, a sample, three photos, party refused to sign."""
    party = factories.party("150122", f"{PARTY_NAME}{secrets.token_hex(2)}", legal_rep="王建国",
                            address="托克托县双河镇新华街12号", phone="13904711234")
    party.licences = [{"kind": "农药经营许可证", "number": "农药经许（蒙）15012220012号"}]
    template = factories.template("fertilizer")
    results = {item["key"]: ("fail" if item["key"] in FAILED_KEYS else "pass")
               for item in template.items() if item["kind"] == "pass_fail_na"}
    case = factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"), status=status, findings=results)
    case.started_at_device, case.ended_at_device = T0, T0 + timedelta(minutes=55)
    case.lat, case.lon, case.gps_accuracy_m = 40.2712, 111.1853, 8.0
    case.certificates_answer, case.recusal_answer, case.closing_answer = "看清楚了", "不申请回避", "以上记录属实"
    case.narrative = "检查人员到达现场时，当事人正在营业。货架上陈列复合肥料12个品种，其中2个品种未附产品质量检验合格证明。"
    case.party_statement = "这批货是从包头批发商处进的，合格证可能丢了。"
    case.findings.append(Finding(id=str(uuid.uuid4()), item_key="F03", value=45))
    case.samples.append(Sample(id=str(uuid.uuid4()), name="复合肥料（15-15-15）", brand="丰禾", spec="40 kg/袋",
                               batch_no="20260915", maker="内蒙古丰禾化肥有限公司", standard="GB/T 15063-2020",
                               quantity="2 kg", base_quantity="120 袋", backup_quantity="1 kg",
                               seal_numbers=["FY2026-0311"]))
    zhang, liu = factories.user("tuoketuo.zhang"), factories.user("tuoketuo.liu")
    signed = T0 + timedelta(minutes=56)
    images = [store_blob(small_png((width, 100)), "image/png") for width in (300, 310, 320)]
    case.signatures.extend([
        Signature(id=str(uuid.uuid4()), role="party", status="refused", signer_name="王建国",
                  refusal_reason=REFUSAL_REASON, witness_name=WITNESS, signed_at_device=signed),
        Signature(id=str(uuid.uuid4()), role="witness", status="signed", signer_name="郝村委",
                  image_sha256=images[0], signed_at_device=signed),
        *[Signature(id=str(uuid.uuid4()), role="inspector", status="signed", user_id=person.id,
                    signer_name=person.display_name, image_sha256=image, signed_at_device=signed)
          for person, image in ((zhang, images[1]), (liu, images[2]))],
    ])
    db.session.commit()
    if photos:
        add_photo(case, photo_jpeg(1), "货架上未附合格证的复合肥料", item_key="G02", minute=5)
        add_photo(case, photo_jpeg(2), "复合肥料包装袋背面标识", stored="display", item_key="G03", minute=9)
        add_photo(case, photo_jpeg(3), "仓库内复合肥堆放情况", stored="none", minute=15, taken_by="tuoketuo.zhang")
    audit.record("inspection.create", "inspection", case.id, actor_id=zhang.id, device_id=device_id,
                 inspection_id=case.id)
    audit.record("inspection.submit", "inspection", case.id, actor_id=zhang.id, device_id=device_id,
                 inspection_id=case.id, reason="现场检查完毕")
    db.session.commit()
    return case


def phone_device(login) -> int:
    return db.session.scalars(select(Device.id).where(Device.client_id == login.client_id)).one()


def issued(document_no: str) -> IssuedDocument:
    db.session.commit()  # end the test's read snapshot: the request committed in its own session
    return db.session.scalars(select(IssuedDocument).where(IssuedDocument.document_no == document_no)).one()


def issued_count(case_id: str) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(IssuedDocument)
                             .where(IssuedDocument.inspection_id == case_id))


@pytest.fixture(autouse=True)
def pdf_cache(app, tmp_path, monkeypatch) -> Path:
    """Each test's own cache of issued PDFs and print-size photos."""
    root = tmp_path / "pdf-cache"
    monkeypatch.setitem(app.config, "PDF_CACHE_DIR", str(root))
    return root


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The document number of every render the service starts."""
    calls: list[str] = []

    class CountingRenderer(case_file_service.CaseFileRenderer):
        def render(self) -> bytes:
            calls.append(self.case.verification.document_no or "")
            return super().render()

    monkeypatch.setattr(case_file_service, "CaseFileRenderer", CountingRenderer)
    return calls


# ---------------------------------------------------------------- scenarios

def test_inspector_downloads_the_case_file_as_recorded(app, client, login_as):
    phone = login_as("tuoketuo.zhang")
    case = inspected_case(device_id=phone_device(phone))
    photo_rows = db.session.scalars(select(Photo).where(Photo.inspection_id == case.id)).all()
    party, template = case.party, case.template

    response = download(phone, case.id)

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E6%A1%88%E5%8D%B7" in disposition  # 案卷
    pdf = response.data
    name = f"api-case-{db.engine.dialect.name}"
    write_page_images(pdf, name)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    pages = pdf_pages_text(pdf)
    text, cells = squeeze("".join(pages)), squeeze("".join(pdf_stream_text(pdf)))

    assert party.name in text and party.credit_code in text
    for cert in CERTIFICATES:
        assert cert in text
    for key in FAILED_KEYS:
        item = template.item(key)
        assert squeeze(item["label"]) in cells and squeeze(item["legal_basis"]) in cells
        if item.get("basis_text"):  # the file prints the short citation; the clause words stay on screens
            assert squeeze(item["basis_text"].splitlines()[0].split(" ", 1)[1]) not in cells
    assert "45%" in cells  # a number with its unit
    for row in photo_rows:
        assert row.sha256 in text  # the display copy's sheet names the original's hash in its caption
    display_row = next(r for r in photo_rows if r.display_sha256)
    assert display_row.display_sha256 in text and "手机显示副本" in text
    assert "照片原件尚未上传" in text  # the photo still on the phone prints its placeholder
    assert squeeze(REFUSAL_REASON) in text and "当事人拒绝签名" in text
    assert "第1页共" in text
    assert "15012220012" in text  # the party's pesticide licence

    document = issued(response.headers["X-Document-Number"])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages) == document.summary["pages"]
    parts = document.summary["documents"]
    assert [p["title"] for p in parts] == ["案卷封面", "现场笔录", "抽样记录", "证据提取单", "附录"]
    assert parts[0]["firstPage"] == 1 and parts[-1]["lastPage"] == len(pages)
    for before, after in zip(parts, parts[1:]):
        assert after["firstPage"] == before["lastPage"] + 1
    for part in parts:  # each document counts its own pages: 第 1 页 共 N 页 on its first page
        count = part["lastPage"] - part["firstPage"] + 1
        assert f"第1页共{count}页" in squeeze(pages[part["firstPage"] - 1])
    evidence = next(p for p in parts if p["title"] == "证据提取单")
    assert evidence["lastPage"] - evidence["firstPage"] + 1 == 3  # one sheet per photo
    assert all(embedded(font) for font in fonts_used(reader))
    assert document.verify_token in text and document.document_no in text  # the QR's address, printed
    assert (document.sha256, document.size) == (response.headers["X-Document-SHA256"], len(pdf))
    assert document.issued_by_id == factories.user("tuoketuo.zhang").id
    assert document.inspection_revision == case.revision and document.inspection_version > 0
    assert document.document_no.startswith("150122-")
    # The appendix prints the audit trail, but not the issue of the file itself, and nothing internal
    # (no device's client id or User-Agent).
    assert "提交审核" in text and "现场检查完毕" in text and phone.client_id[:8] not in text
    events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.inspection_id == case.id, AuditEvent.action == "case_file.issue"))
    assert events == 1


def test_second_download_of_an_unchanged_case_is_the_same_document_without_rendering(
        app, client, login_as, renders, pdf_cache, monkeypatch):
    phone = login_as("tuoketuo.zhang")
    case = inspected_case()

    first = download(phone, case.id)
    second = download(phone, case.id)

    assert first.status_code == second.status_code == 200
    assert len(renders) == 1
    assert second.headers["X-Document-Number"] == first.headers["X-Document-Number"]
    assert second.data == first.data
    assert issued_count(case.id) == 1

    # The cache is only a cache: without it, or with a damaged copy, the same document is drawn
    # again, byte for byte.
    cached_files = list((pdf_cache / "case-files").rglob("*.pdf"))
    assert len(cached_files) == 1
    cached_files[0].write_bytes(first.data.replace(b"/Producer", b"/Produxer"))
    third = download(phone, case.id)
    cached_files[0].unlink()
    fourth = download(phone, case.id)
    number = first.headers["X-Document-Number"]
    assert third.headers["X-Document-Number"] == fourth.headers["X-Document-Number"] == number
    assert third.data == fourth.data == first.data and len(renders) == 3

    # A changed case is a new document; its photos come from the print cache, not decoded again.
    decodes: list[int] = []
    from inspector.pdf import photos as pdf_photos

    original_downscale = pdf_photos.downscale_for_print
    monkeypatch.setattr(pdf_photos, "downscale_for_print",
                        lambda *a, **kw: decodes.append(1) or original_downscale(*a, **kw))
    finding = next(f for f in case.findings if f.item_key == "G02")
    finding.note = "复查：仍未附合格证"
    db.session.commit()
    changed = download(phone, case.id)
    assert changed.headers["X-Document-Number"] != first.headers["X-Document-Number"]
    assert len(renders) == 4 and decodes == []
    assert "复查：仍未附合格证" in squeeze("".join(pdf_pages_text(changed.data)))
    older, newer = issued(first.headers["X-Document-Number"]), issued(changed.headers["X-Document-Number"])
    assert newer.inspection_version > older.inspection_version


def test_two_first_downloads_at_once_register_one_document(app, client, login_as, renders, monkeypatch):
    """张 and 刘 tap 下载 at the same moment: both see no document yet and both take the drawing the
    job made, but the register gets one, and both are handed it."""
    phone = login_as("tuoketuo.zhang")
    case = inspected_case()
    first = download(phone, case.id)
    # The second download looked before the first registered its document (it read an older state).
    looked = {"stale": True}
    real_lookup = case_file_service.documents.issued_for_content

    def lookup(inspection_id, content_sha256):
        if looked.pop("stale", False):
            return None
        return real_lookup(inspection_id, content_sha256)

    monkeypatch.setattr(case_file_service.documents, "issued_for_content", lookup)

    second = download(login_as("tuoketuo.liu"), case.id)

    assert second.status_code == 200 and len(renders) == 1  # drawn once, by the job; never in a request
    assert second.headers["X-Document-Number"] == first.headers["X-Document-Number"]
    assert second.data == first.data
    assert issued_count(case.id) == 1


def test_a_photo_uploaded_later_makes_a_new_document(app, client, login_as, renders):
    """The original arriving after sync changes no row's version, but it changes the printed page."""
    phone = login_as("tuoketuo.zhang")
    case = inspected_case(photos=False)
    data = photo_jpeg(7)
    add_photo(case, data, "进货台账", stored="none")
    before = download(phone, case.id)
    assert "照片原件尚未上传" in squeeze("".join(pdf_pages_text(before.data)))

    store_blob(data)
    after = download(phone, case.id)

    assert after.headers["X-Document-Number"] != before.headers["X-Document-Number"]
    assert "照片原件尚未上传" not in squeeze("".join(pdf_pages_text(after.data)))
    assert len(renders) == 2


def test_a_photo_printed_for_one_case_is_not_printed_from_the_cache_for_another(app, client, login_as):
    """托克托县's case file is printed, so its photos' print copies are cached. 陈 (东河区) names one
    of their hashes, read off that case file, in his own case: his case file prints the placeholder,
    not the copy cached for the other case."""
    case = inspected_case(photos=False)
    data = photo_jpeg(11)
    add_photo(case, data, "货架上未附合格证的复合肥料")
    first = download(login_as("tuoketuo.zhang"), case.id)
    assert first.status_code == 200 and "照片原件尚未上传" not in squeeze("".join(pdf_pages_text(first.data)))
    db.session.commit()
    own = factories.inspection(factories.party("150202", "包头市东河区金穗农药店"), ("donghe.chen", "donghe.sun"))
    add_photo(own, data, "货架", stored="none", taken_by="donghe.chen")

    response = download(login_as("donghe.chen"), own.id)

    assert response.status_code == 200
    assert "照片原件尚未上传" in squeeze("".join(pdf_pages_text(response.data)))


def test_reviewer_downloads_from_the_console_and_is_recorded_as_issuer(app, client):
    case = inspected_case()
    reviewer_session(client, "hhht.reviewer")

    response = download(client, case.id)

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    document = issued(response.headers["X-Document-Number"])
    assert document.issued_by_id == factories.user("hhht.reviewer").id


def test_inspector_from_baotou_cannot_download_a_tuoketuo_case(app, client, login_as, renders):
    case = inspected_case(photos=False)
    chen = login_as("donghe.chen")

    response = download(chen, case.id)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert renders == []
    assert issued_count(case.id) == 0
    assert download(client, case.id).status_code == 401  # nobody logged in


def test_case_without_two_certified_inspectors_is_not_printed(app, client, login_as):
    party = factories.party("150122")
    case = factories.inspection(party, ("tuoketuo.zhang",))

    response = download(login_as("tuoketuo.zhang"), case.id)

    assert response.status_code == 422
    assert "执法证号" in response.get_json()["error"]["message"]


def test_case_with_100_findings_and_60_photos_prints(app, client, login_as):
    items = [{"key": f"B{n:03d}", "label": f"检查项目第{n + 1}项：产品标识与合格证明核查",
              "kind": "pass_fail_na", "required": True, "legal_basis": "《中华人民共和国产品质量法》第二十七条",
              "authority": "SAMR"} for n in range(100)]
    template = ChecklistTemplate(key="bulk", template_version=1, category="fertilizer", title="大批量检查表",
                                 status="published", body={"sections": [{"key": "s", "title": "全部项目", "items": items}]})
    db.session.add(template)
    db.session.commit()
    party = factories.party("150122", "托克托县大型农资市场")
    case = factories.inspection(party, ("tuoketuo.zhang", "tuoketuo.liu"), key="bulk",
                                findings={i["key"]: ("fail" if n % 10 == 0 else "pass") for n, i in enumerate(items)})
    case.started_at_device = T0
    db.session.commit()
    rows = [add_photo(case, photo_jpeg(100 + n, (480, 360)), f"现场照片第{n + 1}张",
                      stored="none" if n == 59 else "original", minute=n) for n in range(60)]

    response = download(login_as("tuoketuo.liu"), case.id)

    assert response.status_code == 200
    pdf = response.data
    pages = pdf_pages_text(pdf)
    document = issued(response.headers["X-Document-Number"])
    evidence = next(p for p in document.summary["documents"] if p["title"] == "证据提取单")
    assert evidence["lastPage"] - evidence["firstPage"] + 1 == 60
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(pages) == document.summary["pages"]
    text = squeeze("".join(pages))
    assert all(row.sha256 in text for row in rows)
    assert text.count("照片原件尚未上传") == 1
    assert "检查项目第100项" in text


def test_an_outsiders_rejected_push_stays_out_of_the_case_file(app, client, login_as):
    """陈执法 of 包头 pushes a finding into a 托克托 case: it is refused and kept with him alone; the
    case file, its document number and the victims' list of rejections do not change."""
    from ..sync_phone import Phone, new_id

    zhang, reviewer = login_as("tuoketuo.zhang"), login_as("hhht.reviewer")
    case = inspected_case(photos=False)
    before = download(zhang, case.id)
    assert before.status_code == 200
    answer = client.post("/api/v1/auth/login", json={"username": "donghe.chen", "password": DEMO_PASSWORD,
                                                     "deviceLabel": "陈的红米手机"})
    assert answer.status_code == 200, answer.get_json()
    chen = Phone(ApiClient(client, answer.get_json()["token"], answer.get_json()))

    result = chen.send("finding.set.v1", id=new_id(), inspectionID=case.id, itemKey="G01", result="fail",
                       note="外来人员写入的备注")

    assert result["status"] == "rejected" and result["reasons"][0]["code"] == "inspection_not_found"
    after = download(zhang, case.id)
    assert after.status_code == 200
    assert after.headers["X-Document-Number"] == before.headers["X-Document-Number"]
    assert after.data == before.data
    text = squeeze("".join(pdf_pages_text(after.data)))
    assert "陈执法" not in text and "陈的红米手机" not in text and chen.client_id[:8] not in text
    for victim in (zhang, reviewer):
        for query in ("", f"?inspectionID={case.id}"):
            listed = victim.get(f"/api/v1/sync/rejections{query}").get_json()["rejections"]
            assert "外来人员写入的备注" not in json.dumps(listed, ensure_ascii=False)
    own = chen.api.get("/api/v1/sync/rejections").get_json()["rejections"]
    assert [r["args"]["note"] for r in own] == ["外来人员写入的备注"]
    assert [p for p in chen.pull() for c in p["patch"] if c["type"] == "rejection"]


def test_rejections_filed_with_a_case_before_the_rule_leave_it_and_its_own_peoples_stay(app, client, login_as):
    """Rows written before the rule named the outsider's target case: migration 0008 takes them off
    it (the audit events stay as the chain wrote them, and the appendix follows the register),
    while a rejection of the case's own inspector stays on the case and its appendix."""
    import importlib.util

    from sqlalchemy import text, update

    from inspector.models import MutationLog

    from ..sync_phone import Phone, new_id

    zhang = Phone(login_as("tuoketuo.zhang"))
    chen = Phone(login_as("donghe.chen"))
    case = inspected_case(photos=False)
    own = zhang.send("finding.set.v1", id=new_id(), inspectionID=case.id, itemKey="G01", result="pass",
                     note="提交后又想改的备注")
    assert own["status"] == "rejected" and own["reasons"][0]["code"] == "inspection_read_only"
    assert chen.send("finding.set.v1", id=new_id(), inspectionID=case.id, itemKey="G01", result="fail",
                     note="外来人员写入的备注")["status"] == "rejected"
    # As the server filed it before the rule: the outsider's rejection and its event named the case.
    db.session.commit()
    chen_device = phone_device(chen.api)
    db.session.execute(update(MutationLog).where(MutationLog.device_id == chen_device).values(inspection_id=case.id))
    audit.record("mutation.reject", "mutation", f"{chen.client_id}:1", actor_id=factories.user("donghe.chen").id,
                 device_id=chen_device, inspection_id=case.id, data={"name": "finding.set.v1"})
    db.session.commit()
    listed = zhang.api.get(f"/api/v1/sync/rejections?inspectionID={case.id}").get_json()["rejections"]
    assert len(listed) == 2  # the leak the migration repairs

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0008_audit_anchors.py"
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(text(migration.OUTSIDERS_REJECTIONS_OFF_CASES))
    db.session.commit()

    for viewer in (zhang.api, login_as("hhht.reviewer")):
        listed = viewer.get(f"/api/v1/sync/rejections?inspectionID={case.id}").get_json()["rejections"]
        assert [r["args"]["note"] for r in listed] == ["提交后又想改的备注"]
    assert [r["args"]["note"] for r in chen.api.get("/api/v1/sync/rejections").get_json()["rejections"]] == [
        "外来人员写入的备注"]
    text_ = squeeze("".join(pdf_pages_text(download(zhang.api, case.id).data)))
    assert "拒收手机提交的修改" in text_ and zhang.client_id[:8] not in text_
    assert "陈执法" not in text_ and chen.client_id[:8] not in text_
    console = reviewer_session(app.test_client(), "hhht.reviewer").get(f"/console/cases/{case.id}")
    assert console.status_code == 200
    page = console.get_data(as_text=True)
    assert page.count("mutation.reject") == 1 and "陈执法" not in page


def test_a_measured_value_prints_as_recorded_without_float_noise():
    """A phone's arithmetic can send 0.30000000000000004 for 0.3 (kg of a sample, % of a nutrient):
    the case file prints what the console and the exports show, 0.3."""
    from inspector.services.case_file import _value_text

    assert _value_text("number", 0.1 + 0.2, "kg") == "0.3 kg"
    assert _value_text("number", 20.0, None) == "20"
    assert _value_text("number", 46.4, "%") == "46.4 %"
