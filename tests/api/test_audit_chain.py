"""The audit chain anchored outside the database: someone with write access to the database
rewrites history and recomputes every hash, or cuts the newest events and moves the head back;
`verify-audit`, the printed case file and its verification page must show it."""
from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, update

from inspector.database import db
from inspector.models import AuditCheckpoint, AuditEvent, AuditHead
from inspector.services import audit

from ..unit.test_pdf_render import ARTIFACTS, pdf_pages_text, squeeze, write_page_images
from .test_case_file import download, inspected_case, issued, pdf_cache  # noqa: F401  (fixture)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def make_events(login_as, n: int = 3) -> None:
    phone = login_as("tuoketuo.zhang")
    for _ in range(n):
        assert phone.post("/api/v1/parties", json={"name": f"审计测试店{os.urandom(2).hex()}"}).status_code == 201


def head_seq() -> int:
    db.session.commit()
    return db.session.get(AuditHead, 1).seq


def rewrite_and_recompute(seq: int, reason: str) -> None:
    """The attack that the chain alone cannot see: edit one event, recompute it and every later
    hash, and move the head to the new last hash."""
    db.session.commit()
    before = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) or audit.GENESIS
    prev = before
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)):
        if event.seq == seq:
            event.reason = reason
        event.prev_hash = prev
        event.hash = prev = audit.event_hash(event)
    head = db.session.get(AuditHead, 1)
    head.hash = prev
    db.session.commit()


def truncate_to(seq: int) -> None:
    """Delete the events after `seq` and move the head back to it."""
    db.session.commit()
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq > seq))
    head = db.session.get(AuditHead, 1)
    head.seq, head.hash = seq, db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    db.session.commit()


def checkpoint_count() -> int:
    db.session.commit()  # see what the requests committed
    return db.session.scalar(select(func.count()).select_from(AuditCheckpoint))


def checkpoint_lines(app) -> list[dict]:
    path = Path(app.config["AUDIT_CHECKPOINT_FILE"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_rewriting_an_event_and_recomputing_every_hash_is_detected(app, login_as):
    make_events(login_as, 3)
    assert run(app, "audit-checkpoint").exit_code == 0
    signed = head_seq()
    make_events(login_as, 2)
    assert run(app, "verify-audit").exit_code == 0

    rewrite_and_recompute(2, "事后补写的理由")

    assert audit.verify_chain().ok  # the chain alone is consistent again
    result = run(app, "verify-audit")
    assert result.exit_code == 1, result.output
    assert f"event {signed} no longer has the hash signed" in result.output
    assert f"the history up to event {signed} was rewritten" in result.output


def test_cutting_the_newest_events_and_moving_the_head_back_is_detected(app, login_as):
    make_events(login_as, 4)
    assert run(app, "audit-checkpoint").exit_code == 0
    signed = head_seq()

    truncate_to(signed - 2)

    assert audit.verify_chain().ok
    result = run(app, "verify-audit")
    assert result.exit_code == 1, result.output
    assert (f"covers event {signed}, but the chain ends at event {signed - 2}: "
            f"events {signed - 1}–{signed} were removed") in result.output


def test_deleting_the_checkpoint_rows_too_is_detected_by_their_copies_outside_the_database(app, login_as):
    make_events(login_as, 4)
    assert run(app, "audit-checkpoint").exit_code == 0
    signed = head_seq()
    truncate_to(signed - 2)
    db.session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq > signed - 2))
    db.session.commit()

    result = run(app, "verify-audit")

    assert result.exit_code == 1, result.output
    assert f"the checkpoint of event {signed} signed" in result.output
    assert "but not in the database: checkpoint rows were deleted or altered" in result.output


def test_an_audit_event_signs_a_checkpoint_once_the_last_is_older_than_the_interval(app, login_as):
    make_events(login_as, 2)
    count = checkpoint_count()
    assert count == 1  # the first event of the chain signed the first checkpoint
    make_events(login_as, 2)
    assert checkpoint_count() == count  # within 10 minutes of it

    db.session.commit()
    head = db.session.get(AuditHead, 1)
    head.checkpoint_at -= timedelta(minutes=11)
    before = head.seq
    db.session.commit()
    make_events(login_as, 1)

    assert checkpoint_count() == count + 1  # the first event after the interval signed the new head
    newest = db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).first()
    first_after = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == before + 1)).one()
    assert (newest.seq, newest.hash) == (first_after.seq, first_after.hash)
    assert [line["sig"] for line in checkpoint_lines(app)] == list(
        db.session.scalars(select(AuditCheckpoint.signature).order_by(AuditCheckpoint.id)))
    result = run(app, "verify-audit")
    assert result.exit_code == 0 and "intact" in result.output, result.output


def test_the_periodic_job_anchors_the_newest_events_and_signs_nothing_when_the_chain_stood_still(app, login_as):
    from inspector.jobs.tasks import JOBS, AUDIT_CHECKPOINT

    make_events(login_as, 1)
    make_events(login_as, 2)  # within the interval: these events are not anchored yet
    newest = db.session.scalar(select(func.max(AuditCheckpoint.seq)))
    assert newest < head_seq()

    assert JOBS[AUDIT_CHECKPOINT].run() is True
    assert db.session.scalar(select(func.max(AuditCheckpoint.seq))) == head_seq()
    count = checkpoint_count()
    assert JOBS[AUDIT_CHECKPOINT].run() is False  # nothing new since: no checkpoint to make
    assert checkpoint_count() == count
    assert JOBS[AUDIT_CHECKPOINT].every == timedelta(minutes=10)


def test_a_rolled_back_event_leaves_no_checkpoint_copy(app):
    audit.record("party.create", "party", "x")
    db.session.rollback()
    assert checkpoint_lines(app) == []
    assert run(app, "verify-audit").exit_code == 0


def test_the_signing_key_is_created_on_first_use_readable_by_its_owner_only(app, tmp_path, monkeypatch):
    path = tmp_path / "keys" / "audit-signing-key"
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY_FILE", str(path))
    audit.make_checkpoint()
    db.session.commit()
    assert path.stat().st_mode & 0o777 == 0o600
    public = serialization.load_pem_private_key(path.read_bytes(), password=None).public_key()
    row = db.session.scalars(select(AuditCheckpoint)).one()
    assert row.key_id == audit.checkpoints.key_id(public)


def test_a_key_from_the_environment_signs_and_a_checkpoint_by_another_key_is_refused(app, monkeypatch):
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY", base64.b64encode(raw).decode())
    audit.make_checkpoint()
    db.session.commit()
    row = db.session.scalars(select(AuditCheckpoint)).one()
    assert row.key_id == audit.checkpoints.key_id(key.public_key())
    assert run(app, "verify-audit").exit_code == 0

    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
    result = run(app, "verify-audit")
    assert result.exit_code == 1 and f"names key {row.key_id}, not this server's key" in result.output


def test_the_case_file_prints_the_signed_head_and_its_page_checks_it(app, login_as):
    case = inspected_case(photos=False)
    response = download(login_as("tuoketuo.zhang"), case.id)
    assert response.status_code == 200
    document = issued(response.headers["X-Document-Number"])
    checkpoint = db.session.get(AuditCheckpoint, document.checkpoint_id)
    text = squeeze("".join(pdf_pages_text(response.data)))
    write_page_images(response.data, f"audit-anchor-{db.engine.dialect.name}")
    (ARTIFACTS / f"audit-anchor-{db.engine.dialect.name}.pdf").write_bytes(response.data)

    assert "附录三审计链锚定" in text
    assert checkpoint.hash in text and checkpoint.signature in text and checkpoint.key_id in text
    assert f"第{checkpoint.id}号" in text and f"{checkpoint.seq}条" in text
    assert (document.audit_seq, document.audit_hash) == (checkpoint.seq, checkpoint.hash)
    page = app.test_client().get(f"/verify/{document.verify_token}").get_data(as_text=True)
    assert checkpoint.hash in page and checkpoint.signature in page
    assert "服务器当前的审计链与本文书印制的链头一致" in page
    assert run(app, "verify-audit").exit_code == 0

    # Someone rewrites the case's history, recomputes every hash and even removes every checkpoint
    # row and the file: the head printed on the document still shows it.
    rewrite_and_recompute(1, "改写")
    db.session.execute(delete(AuditCheckpoint))
    db.session.commit()
    Path(app.config["AUDIT_CHECKPOINT_FILE"]).unlink()

    page = app.test_client().get(f"/verify/{document.verify_token}").get_data(as_text=True)
    assert "服务器当前的审计链与本文书印制的链头不一致" in page
    result = run(app, "verify-audit")
    assert result.exit_code == 1
    assert f"document {document.document_no} printed the chain's head at event {document.audit_seq}" in result.output


def test_a_bad_signing_key_stops_no_work_and_is_named(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY", "not a key")

    make_events(login_as, 2)  # the parties are created and audited all the same

    assert checkpoint_count() == 0 and head_seq() >= 2
    result = run(app, "audit-checkpoint")
    assert result.exit_code == 1
    assert "No checkpoint signed: INSPECTOR_AUDIT_SIGNING_KEY does not hold" in result.output


def test_rewriting_the_checkpoints_too_without_the_key_is_detected(app, login_as):
    make_events(login_as, 3)
    assert run(app, "audit-checkpoint").exit_code == 0
    signed = head_seq()
    rewrite_and_recompute(2, "事后补写的理由")
    new_hash = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == signed))
    db.session.execute(update(AuditCheckpoint).where(AuditCheckpoint.seq == signed).values(hash=new_hash))
    db.session.commit()

    result = run(app, "verify-audit")

    assert result.exit_code == 1, result.output
    assert f"the checkpoint of event {signed} signed" in result.output
    assert "has an invalid signature: it was forged or altered" in result.output
