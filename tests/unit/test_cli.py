"""The command-line tasks, on both databases."""
from __future__ import annotations

import json

from sqlalchemy import delete, func, select, text, update

from inspector import create_app
from inspector.database import db
from inspector.models import Agency, AuditEvent, ChecklistTemplate, Inspection, Party, User


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_init_db_is_idempotent(app):
    result = run(app, "init-db")
    assert result.exit_code == 0
    assert "0 agencies and 0 checklist templates added" in result.output
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 116


def test_init_db_on_a_fresh_sqlite_file(tmp_path):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                        "SECRET_KEY": "x", "BLOB_DIR": str(tmp_path / "blobs")})
    result = fresh.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "116 agencies and 6 checklist templates added" in result.output
    with fresh.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == 6
        db.session.remove()


def test_seed_demo_creates_people_parties_and_cases(app):
    db.session.execute(delete(User))
    db.session.commit()
    result = run(app, "seed-demo")
    assert result.exit_code == 0
    assert "demo-2026" in result.output and "tuoketuo.zhang" in result.output
    statuses = set(db.session.scalars(select(Inspection.status)))
    assert {"draft", "submitted", "returned", "approved"} <= statuses
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"inspector", "reviewer", "admin", "registrar", "officer", "head"}  # every role
    leagues = {u.agency.path.split("/")[2] for u in db.session.scalars(select(User).where(User.role == "inspector"))}
    assert {"150100", "150200"} <= leagues
    from inspector.credit_code import check_credit_code
    assert all(check_credit_code(p.credit_code).valid for p in db.session.scalars(select(Party)))
    again = run(app, "seed-demo")
    assert "already there" in again.output


def test_create_user(app):
    result = app.test_cli_runner().invoke(args=["create-user", "--username", "wuchuan.ma", "--name", "马执法",
                                                "--role", "inspector", "--agency", "150125", "--cert-no", "15012526001"],
                                          input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    created = db.session.scalars(select(User).where(User.username == "wuchuan.ma")).one()
    assert created.agency.short_name == "武川县" and created.password_hash.startswith("$argon2id$")


def test_create_user_errors_are_clear(app):
    result = app.test_cli_runner().invoke(args=["create-user", "--username", "x.y", "--name", "X", "--role",
                                                "inspector", "--agency", "999999"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code != 0 and "No agency has the code 999999" in result.output


def test_export_then_import_template_as_new_version(app, tmp_path):
    out = tmp_path / "fertilizer.json"
    assert run(app, "export-template", "fertilizer", "-o", str(out)).exit_code == 0
    body = json.loads(out.read_text(encoding="utf-8"))
    assert body["key"] == "fertilizer" and body["version"] == 2  # the shipped revision with checked citations
    body["sections"][0]["items"][0]["label"] += "（修订）"
    out.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    result = run(app, "import-template", str(out), "--publish")
    assert result.exit_code == 0 and "version 3 (published)" in result.output
    versions = db.session.scalars(select(ChecklistTemplate.template_version).where(ChecklistTemplate.key == "fertilizer"))
    assert sorted(versions) == [2, 3]


def test_import_template_reports_every_problem(app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"key": "x", "version": 1, "category": "fertilizer", "title": "t",
                               "sections": [{"key": "s", "title": "s", "items": [{"key": "A", "label": "a", "kind": "dial"}]}]}))
    result = app.test_cli_runner().invoke(args=["import-template", str(bad)])
    assert result.exit_code != 0 and "not valid" in result.output and "dial" in result.output
    assert db.session.scalar(select(func.count()).where(ChecklistTemplate.key == "x")) == 0


def _make_events(login_as, n=3):
    phone = login_as("tuoketuo.zhang")
    for i in range(n):
        assert phone.post("/api/v1/parties", json={"name": f"审计测试店{i}"}).status_code == 201


def test_verify_audit_passes_on_an_intact_chain(app, login_as):
    _make_events(login_as)
    result = run(app, "verify-audit")
    assert result.exit_code == 0 and "intact" in result.output


def test_verify_audit_detects_an_edited_event(app, login_as):
    _make_events(login_as)
    target = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "party.create").order_by(AuditEvent.seq)).all()[1]
    db.session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(reason="悄悄改过"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"BROKEN at event {target.seq}" in result.output and "altered" in result.output


def test_verify_audit_detects_a_removed_event(app, login_as):
    _make_events(login_as)
    middle = db.session.scalar(select(func.max(AuditEvent.seq))) - 1
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq == middle))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1 and f"event {middle} is missing" in result.output


def test_prune_sync_forgets_only_old_scope_exits(app):
    from datetime import timedelta

    from inspector.database import utcnow
    from inspector.models import ScopeExit
    from inspector.models.sync import allocate_version

    user_id = db.session.scalars(select(User.id).where(User.username == "tuoketuo.zhang")).one()
    for days_ago in (400, 2):
        db.session.add(ScopeExit(user_id=user_id, entity_type="inspection", entity_id=f"case-{days_ago}",
                                 version=allocate_version(db.session), created_at=utcnow() - timedelta(days=days_ago)))
        db.session.commit()
    result = run(app, "prune-sync", "--days", "180")
    assert result.exit_code == 0 and "Removed 1 scope-exit records older than 180 days" in result.output
    assert set(db.session.scalars(select(ScopeExit.entity_id))) == {"case-2"}


def test_upgrading_keeps_every_uploaded_photo_readable(empty_database_url, tmp_path):
    """Bytes uploaded before holders were recorded stay readable: the migration makes their first
    uploader and every user who finished an upload of them holders."""
    from datetime import timedelta

    from inspector import migrate
    from inspector.config import normalise_database_url
    from inspector.database import utcnow
    from inspector.models import Blob, BlobHolder, Upload
    from inspector.services.demo import add_demo_accounts
    from inspector.services.reference import load_reference_data

    old = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(empty_database_url),
                      "SECRET_KEY": "x", "BLOB_DIR": str(tmp_path / "blobs")})
    with old.app_context():
        migrate.upgrade("0005_documents")
        load_reference_data()
        add_demo_accounts("not-a-real-hash")
        db.session.commit()
        zhang, liu, chen, zhou = (db.session.scalar(select(User.id).where(User.username == name))
                                  for name in ("tuoketuo.zhang", "tuoketuo.liu", "donghe.chen", "xincheng.zhou"))
        now = utcnow()
        for sha, uploader in (("a" * 64, zhang), ("b" * 64, None)):
            only_columns(Blob, sha256=sha, size=10, media_type="image/jpeg", exif={}, uploaded_by_id=uploader,
                         created_at=now)
        for sha, user_id, status in (("a" * 64, zhang, "complete"), ("a" * 64, liu, "complete"),
                                     ("b" * 64, liu, "complete"), ("b" * 64, chen, "open")):
            # Only the columns the old schema has (the model has gained some since, e.g. writer).
            db.session.execute(Upload.__table__.insert().values(
                id=f"{sha[:4]}{user_id}", user_id=user_id, sha256=sha, length=10, offset=0, status=status,
                created_at=now, expires_at=now + timedelta(days=1)))
        # The old 'blobPresent' shortcut: finished on opening, no bytes sent, granted to anyone naming the hash.
        db.session.execute(Upload.__table__.insert().values(
            id=f"aaaa{zhou}", user_id=zhou, sha256="a" * 64, length=10, status="complete", created_at=now,
            finished_at=now, offset=10, expires_at=now + timedelta(days=1)))
        db.session.commit()

        migrate.upgrade()

        holders = {(h.sha256[0], h.user_id) for h in db.session.scalars(select(BlobHolder))}
        assert holders == {("a", zhang), ("a", liu), ("b", liu)}
        db.session.remove()


def test_init_db_adds_corrected_templates_as_next_versions(empty_database_url, tmp_path):
    """A database made by a release whose checklists cited wrongly gains the corrected checklists as
    the next version of each key; the versions that records were made with stay exactly as they were."""
    import copy

    from inspector import migrate, refdata
    from inspector.config import normalise_database_url
    from inspector.database import utcnow
    from inspector.models import Agency

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(empty_database_url),
                      "SECRET_KEY": "x", "BLOB_DIR": str(tmp_path / "blobs")})
    shipped = {body["key"]: body for body in refdata.load_templates()}
    with app.app_context():
        migrate.upgrade()
        old_sections = {}
        for key, body in shipped.items():  # what an earlier release published: version 1, other citations
            sections = copy.deepcopy(body["sections"])
            for section in sections:
                for item in section["items"]:
                    for name in ("basis_text", "basis_version", "basis_pending"):
                        item.pop(name, None)
                    if item["key"] == "G01":
                        item["legal_basis"] = "《中华人民共和国市场主体登记管理条例》"
            old_sections[key] = sections
            db.session.add(ChecklistTemplate(key=key, template_version=1, category=body["category"],
                                             title=body["title"], status="published", body={"sections": sections},
                                             published_at=utcnow()))
        # An admin had already imported a draft version 2 of the seed checklist.
        db.session.add(ChecklistTemplate(key="seed", template_version=2, category="seed", title="自订",
                                         status="draft", body={"sections": old_sections["seed"]}))
        db.session.commit()
        db.session.remove()

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "116 agencies and 6 checklist templates added" in result.output
    with app.app_context():
        rows = {(t.key, t.template_version): t for t in db.session.scalars(select(ChecklistTemplate))}
        for key, body in shipped.items():
            old = rows[(key, 1)]
            assert old.status == "published" and old.body == {"sections": old_sections[key]}
            new = rows[(key, 3 if key == "seed" else 2)]
            assert new.status == "published" and new.body == {"sections": body["sections"]}
            assert new.item("G01")["legal_basis"].endswith("第三十六条、第二十四条第一款")
        assert rows[("seed", 2)].status == "draft" and rows[("seed", 2)].title == "自订"
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 116
        db.session.remove()

    again = app.test_cli_runner().invoke(args=["init-db"])
    assert again.exit_code == 0 and "0 agencies and 0 checklist templates added" in again.output


def test_upgrading_gives_each_kept_revision_the_phone_s_time_of_its_submission(empty_database_url, tmp_path):
    """A case submitted at 13:40 and, after a return, resubmitted at 16:05 (phone clock): after the
    upgrade its revisions say so; the case's own times are left as they were."""
    from datetime import datetime, timezone

    from inspector import migrate
    from inspector.config import normalise_database_url
    from inspector.models import Device, MutationLog
    from inspector.services.demo import add_demo_accounts
    from inspector.services.reference import load_reference_data

    old = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(empty_database_url),
                      "SECRET_KEY": "x", "BLOB_DIR": str(tmp_path / "blobs")})
    with old.app_context():
        migrate.upgrade("0006_blob_holders")
        load_reference_data()
        add_demo_accounts("not-a-real-hash")
        db.session.commit()
        zhang = db.session.scalars(select(User).where(User.username == "tuoketuo.zhang")).one()
        template = db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.key == "fertilizer")).first()
        old_row(Party, id="p-1", name="托克托县丰收农资经营部", agency_id=zhang.agency_id, licences=[])
        old_row(Inspection, id="case-1", agency_id=zhang.agency_id, party_id="p-1", template_id=template.id,
                status="submitted", revision=2, created_by_id=zhang.id)
        device = Device(client_id="phone-1", user_id=zhang.id, token_hash="h" * 64,
                        expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
        db.session.add(device)
        db.session.flush()
        times = [datetime(2026, 11, 30, 5, 40, tzinfo=timezone.utc), datetime(2026, 12, 1, 8, 5, tzinfo=timezone.utc)]
        for n, when in enumerate(times, start=1):
            db.session.add(MutationLog(device_id=device.id, mutation_id=n, user_id=zhang.id,
                                       name="inspection.submit.v1", args={"id": "case-1"}, status="applied",
                                       result={"id": n, "status": "applied"}, inspection_id="case-1",
                                       version=10 * n, client_time=when))
            db.session.execute(text("INSERT INTO inspection_revision (inspection_id, revision, snapshot, "
                                    "submitted_at, submitted_by_id) VALUES ('case-1', :n, '{}', :at, :by)"),
                               {"n": n, "at": when.isoformat() if db.engine.dialect.name == "sqlite" else when,
                                "by": zhang.id})
        db.session.commit()

        migrate.upgrade()

        from inspector.models import InspectionRevision
        db.session.expire_all()
        got = {r.revision: r.submitted_at_device for r in db.session.scalars(select(InspectionRevision))}
        assert got == {1: times[0], 2: times[1]}
        db.session.remove()


def test_upgrading_puts_earlier_phone_cases_in_their_campaign(empty_database_url, tmp_path):
    """Cases synced before campaigns were assigned (campaign NULL) get the campaign the rule gives
    them: the most specific agency's running on their China calendar day; a case whose campaign was
    set keeps it. The statistics then count them."""
    import uuid
    from datetime import date, datetime, timezone

    from inspector import migrate
    from inspector.config import normalise_database_url
    from inspector.models import Campaign
    from inspector.services.campaigns import campaign_for
    from inspector.services.demo import add_demo_accounts
    from inspector.services.reference import load_reference_data

    old = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(empty_database_url),
                      "SECRET_KEY": "x", "BLOB_DIR": str(tmp_path / "blobs")})
    with old.app_context():
        migrate.upgrade("0006_blob_holders")
        load_reference_data()
        add_demo_accounts("not-a-real-hash")
        agency = {a.code: a for a in db.session.scalars(select(Agency))}
        campaigns = {
            "region": Campaign(code="R", name="区局专项", agency_id=agency["150000"].id,
                               starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31)),
            "league": Campaign(code="L", name="呼市专项", agency_id=agency["150100"].id,
                               starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)),
            "county": Campaign(code="C", name="托县专项", agency_id=agency["150122"].id,
                               starts_on=date(2026, 11, 25), ends_on=date(2026, 12, 5)),
        }
        db.session.add_all(campaigns.values())
        zhang = db.session.scalar(select(User).where(User.username == "tuoketuo.zhang"))
        zhou = db.session.scalar(select(User).where(User.username == "xincheng.zhou"))
        template = db.session.scalars(select(ChecklistTemplate)).first()
        db.session.flush()

        def case(user, started, campaign=None, created=None):
            party_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
            old_row(Party, id=party_id, name="店", agency_id=user.agency_id, credit_code=None, licences=[])
            old_row(Inspection, id=case_id, agency_id=user.agency_id, party_id=party_id, template_id=template.id,
                    status="submitted", created_by_id=user.id, started_at_device=started, campaign_id=campaign,
                    **({"created_at": created} if created else {}))
            return case_id

        cases = {
            "county": case(zhang, datetime(2026, 11, 30, 1, 14, tzinfo=timezone.utc)),
            "league": case(zhang, datetime(2026, 11, 10, 1, 0, tzinfo=timezone.utc)),
            # 00:30 on 1 December in China is 30 November in UTC: no longer the league's campaign.
            "midnight": case(zhou, datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)),
            "created": case(zhang, None, created=datetime(2026, 4, 2, 2, 0, tzinfo=timezone.utc)),
            "before": case(zhang, datetime(2026, 1, 15, 2, 0, tzinfo=timezone.utc)),
            "kept": case(zhang, datetime(2026, 11, 30, 1, 14, tzinfo=timezone.utc), campaign=campaigns["region"].id),
        }
        ids = dict(cases)
        campaign_ids = {name: row.id for name, row in campaigns.items()}
        db.session.commit()
        versions = {name: db.session.scalar(select(Inspection.version).where(Inspection.id == case_id))
                    for name, case_id in ids.items()}
        db.session.rollback()

        migrate.upgrade()

        db.session.expire_all()
        got = {name: db.session.get(Inspection, case_id).campaign_id for name, case_id in ids.items()}
        assert got == {"county": campaign_ids["county"], "league": campaign_ids["league"],
                       "midnight": campaign_ids["region"], "created": campaign_ids["region"], "before": None,
                       "kept": campaign_ids["region"]}
        for name in ("county", "league", "midnight", "created", "before"):  # as new cases are placed
            assert campaign_for(db.session.get(Inspection, ids[name])) == got[name], name
        # Phones learn of the filled campaigns at their next pull: those rows carry a newer version.
        moved = {name for name, case_id in ids.items() if db.session.get(Inspection, case_id).version > versions[name]}
        assert moved == {"county", "league", "midnight", "created"}
        db.session.remove()


def old_row(model, **values) -> None:
    """A row written into a schema of an earlier migration: only the columns given (and those with
    defaults), so columns added since are not named."""
    from sqlalchemy import insert

    db.session.execute(insert(model.__table__).values(**values))


def only_columns(model, **values) -> None:
    """Like old_row, but naming only the columns given: for a table that has since gained a column
    with a default (blob.processing)."""
    from sqlalchemy import column, insert, table

    columns = model.__table__.c
    db.session.execute(insert(table(model.__tablename__, *(column(name, columns[name].type) for name in values)))
                       .values(**values))
