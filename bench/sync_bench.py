"""Sync server throughput: push against plain SQLAlchemy Core, and pull time and memory at two sizes.

Run from the repository root:  python bench/sync_bench.py [--backends sqlite,postgresql]

Each backend gets a database of its own (a temporary SQLite file; a PostgreSQL database created
at TEST_POSTGRES_URL's server and dropped afterwards), migrated and loaded with the reference data
and the demo accounts, and an app on it driven through Flask's test client (no sockets).

push   200 inspections of the 30-item pesticide checklist, each one inspection.create.v1 and 30
       finding.set.v1 (6,200 mutations, pushed 100 per request), against the baseline:
       the same rows written with plain SQLAlchemy Core in the same run and with the same
       durability: one transaction per mutation, since the protocol commits each mutation before
       it answers. "The same rows" are the rows the push leaves behind: the inspection and its
       inspectors, the findings, one mutation-log row and one audit event per mutation, the
       device's last mutation id and the version counter. The ratio is therefore what the sync
       machinery costs (HTTP, JSON, validation, scope and permission checks, merge bookkeeping,
       locks, the ORM) over writing its output. Printed for information, not against a target:
       the domain rows alone, bulk-inserted in one transaction. Push and baseline take turns, ten
       inspections at a time, so that a change in the machine's load affects both alike.
pull   N changed rows (parties in the phone's county, N = 2,000 and 10,000, written 1,000 per
       transaction) pulled by a new phone from a null cursor, 500 per page, the client keeping
       nothing but counts. Time per change, and the peak of Python's allocations (tracemalloc)
       during the pull: bounded by the page size, it must not grow with N.
"""
from __future__ import annotations

import argparse
import gc
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
INSPECTIONS, FINDINGS, PER_PUSH = 200, 30, 100
CHUNK = 10  # inspections pushed, then written by the baseline, in turn
PULL_SIZES, PAGE = (2_000, 10_000), 500
TARGETS = {"push": 3.0, "pull_memory": 1.25, "pull_time": 1.5}


# ---------------------------------------------------------------- databases and app

def make_app(url: str, instance: Path):
    from inspector import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "BLOB_DIR": str(instance / "blobs"), "PASSWORD_HASH_MEMORY_KIB": 1024,
                       "PASSWORD_HASH_TIME_COST": 1})


def prepare(app) -> None:
    """Schema, reference data and the demo accounts (as the tests' baseline)."""
    from inspector import migrate
    from inspector.database import db
    from inspector.models import Agency, User
    from inspector.services.demo import DEMO_PASSWORD, DEMO_USERS
    from inspector.services.passwords import hash_password
    from inspector.services.reference import load_reference_data

    with app.app_context():
        migrate.upgrade()
        load_reference_data()
        agencies = {a.code: a for a in db.session.query(Agency)}
        password_hash = hash_password(DEMO_PASSWORD)
        for username, name, role, code, cert in DEMO_USERS:
            db.session.add(User(username=username, display_name=name, role=role, agency=agencies[code],
                                cert_no=cert, password_hash=password_hash, active=True))
        db.session.commit()


class Phone:
    def __init__(self, app, username: str):
        from inspector.services.demo import DEMO_PASSWORD

        self.client = app.test_client()
        login = self.client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.get_json()
        self.token, self.client_id = login.get_json()["token"], login.get_json()["clientID"]
        self.user_id = login.get_json()["user"]["id"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()


# ---------------------------------------------------------------- push

def plan_cases(app) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The party, template and people of the cases, and the 200 cases as plain data."""
    from inspector.database import db, utcnow
    from inspector.models import Agency, ChecklistTemplate, Party, User
    from inspector.models.sync import allocate_version

    with app.app_context():
        template = db.session.query(ChecklistTemplate).filter_by(key="pesticide").one()
        items = [i for i in template.items()][:FINDINGS]
        assert len(items) == FINDINGS
        users = {u.username: u.id for u in db.session.query(User)}
        agency = db.session.query(Agency).filter_by(code="150122").one()
        party_id = str(uuid.uuid4())
        allocate_version(db.session)
        db.session.add(Party(id=party_id, name="托克托县丰收农资经营部", agency_id=agency.id, licences=[],
                             created_at=utcnow()))
        db.session.commit()
        context = {"template_id": template.id, "agency_id": agency.id, "party_id": party_id,
                   "inspectors": [users["tuoketuo.zhang"], users["tuoketuo.liu"]]}
    cases = []
    for _ in range(INSPECTIONS):
        cases.append({"id": str(uuid.uuid4()), "findings": [
            (str(uuid.uuid4()), item["key"], _answer(item)) for item in items]})
    return context, cases


def _answer(item: dict[str, Any]) -> dict[str, Any]:
    if item["kind"] == "pass_fail_na":
        return {"result": "pass", "note": "现场检查未见异常"}
    if item["kind"] == "choice":
        return {"value": item["choices"][0]}
    return {"value": "见现场照片"}


class Pusher:
    """The phone: pushes cases through /api/v1/sync/push, 100 mutations per request."""

    def __init__(self, app, context: dict[str, Any]):
        self.phone, self.context, self.next_id = Phone(app, "tuoketuo.zhang"), context, 1

    def run(self, cases: list[dict[str, Any]]) -> float:
        """Seconds to push these cases."""
        mutations = []
        for case in cases:
            mutations.append(self._mutation("inspection.create.v1", {
                "id": case["id"], "templateID": self.context["template_id"], "partyID": self.context["party_id"],
                "inspectorIDs": self.context["inspectors"], "place": "店内", "lat": 40.27, "lon": 111.18,
                "gpsAccuracyM": 8.0, "startedAt": "2026-11-30T09:14:03+08:00"}))
            for finding_id, key, answer in case["findings"]:
                mutations.append(self._mutation("finding.set.v1", {
                    "id": finding_id, "inspectionID": case["id"], "itemKey": key, **answer}))
        start = time.perf_counter()
        for i in range(0, len(mutations), PER_PUSH):
            answer = self.phone.post("/api/v1/sync/push", {"clientID": self.phone.client_id, "schemaVersion": 1,
                                                           "mutations": mutations[i:i + PER_PUSH]})
            assert all(r["status"] == "applied" for r in answer["results"]), answer["results"][:3]
        return time.perf_counter() - start

    def _mutation(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        return {"id": self.next_id - 1, "name": name, "args": args}


class CoreWriter:
    """The baseline: the same rows with plain SQLAlchemy Core (see the module's docstring)."""

    def __init__(self, app, context: dict[str, Any]):
        from sqlalchemy import select

        from inspector.database import db, utcnow
        from inspector.models import (
            AuditEvent, AuditHead, Device, Finding, Inspection, InspectionInspector, MutationLog, SyncState, User,
        )

        self.app, self.context, self.mutation_id = app, context, 0
        self.t = {m.__name__: m.__table__ for m in (AuditEvent, AuditHead, Device, Finding, Inspection,
                                                    InspectionInspector, MutationLog, SyncState)}
        with app.app_context(), db.engine.begin() as conn:
            users = User.__table__
            self.user_id = conn.execute(select(users.c.id).where(users.c.username == "tuoketuo.liu")).scalar()
            self.device_id = conn.execute(self.t["Device"].insert().values(
                client_id=str(uuid.uuid4()), user_id=self.user_id, token_hash=secrets.token_hex(32),
                expires_at=utcnow(), created_at=utcnow(), last_mutation_id=0)).inserted_primary_key[0]

    def run(self, cases: list[dict[str, Any]], *, per_mutation: bool = True) -> float:
        """Seconds to write these cases' rows: one transaction per mutation, or the domain rows in bulk."""
        from inspector.database import db

        mutations = _rows(self.context, cases)
        with self.app.app_context():
            engine = db.engine
            start = time.perf_counter()
            if per_mutation:
                for kind, rows in mutations:
                    with engine.begin() as conn:
                        self._mutation(conn, kind, rows)
            else:
                with engine.begin() as conn:
                    for table, kind in (("Inspection", "inspection"), ("InspectionInspector", "inspector"),
                                        ("Finding", "finding")):
                        conn.execute(self.t[table].insert(), [r for _, rows in mutations for k, r in rows if k == kind])
            return time.perf_counter() - start

    def _mutation(self, conn, kind: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
        """What one applied mutation writes: its rows, its log row, its audit event, the counters."""
        from sqlalchemy import update

        from inspector.database import utcnow

        t = self.t
        self.mutation_id += 1
        version = conn.execute(update(t["SyncState"]).values(version=t["SyncState"].c.version + 1)
                               .returning(t["SyncState"].c.version)).scalar()
        for row_kind, row in rows:
            table = {"inspection": "Inspection", "inspector": "InspectionInspector", "finding": "Finding"}[row_kind]
            conn.execute(t[table].insert().values(**({**row, "version": version} if "version" in row else row)))
        conn.execute(update(t["Device"]).where(t["Device"].c.id == self.device_id)
                     .values(last_mutation_id=self.mutation_id))
        conn.execute(t["MutationLog"].insert().values(
            device_id=self.device_id, mutation_id=self.mutation_id, user_id=self.user_id, name=kind, args={},
            status="applied", result={"id": self.mutation_id, "status": "applied"}, version=version,
            created_at=utcnow()))
        seq = conn.execute(update(t["AuditHead"]).values(seq=t["AuditHead"].c.seq + 1)
                           .returning(t["AuditHead"].c.seq)).scalar()
        conn.execute(t["AuditEvent"].insert().values(
            seq=seq, at=utcnow(), actor_id=self.user_id, device_id=self.device_id, action=kind, entity_type=kind,
            entity_id=rows[0][1]["id"], data={}, prev_hash="0" * 64, hash=secrets.token_hex(32)))


def _rows(context: dict[str, Any], cases: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The rows each mutation of these cases writes, with new ids (the push's rows are already there)."""
    from inspector.database import utcnow

    mutations = []
    for case in cases:
        case_id, now = str(uuid.uuid4()), utcnow()
        inspection = {
            "id": case_id, "agency_id": context["agency_id"], "party_id": context["party_id"],
            "template_id": context["template_id"], "status": "draft", "revision": 1,
            "created_by_id": context["inspectors"][0], "place": "店内", "lat": 40.27, "lon": 111.18,
            "gps_accuracy_m": 8.0, "started_at_device": now, "created_at": now, "updated_at": now, "version": 0,
            "field_meta": {}}
        inspectors = [("inspector", {"inspection_id": case_id, "user_id": user_id, "position": position})
                      for position, user_id in enumerate(context["inspectors"], start=1)]
        mutations.append(("inspection.create", [("inspection", inspection), *inspectors]))
        for _finding_id, key, answer in case["findings"]:
            mutations.append(("finding.set", [("finding", {
                "id": str(uuid.uuid4()), "inspection_id": case_id, "item_key": key, "result": answer.get("result"),
                "value": answer.get("value"), "note": answer.get("note"), "updated_at": now, "version": 0,
                "field_meta": {}})]))
    return mutations


# ---------------------------------------------------------------- pull

def insert_parties(app, count: int) -> None:
    from sqlalchemy import insert

    from inspector.database import db, utcnow
    from inspector.models import Agency, Party
    from inspector.models.sync import allocate_version

    with app.app_context():
        agency_id = db.session.query(Agency.id).filter_by(code="150122").scalar()
        for start in range(0, count, 1000):
            version = allocate_version(db.session)
            db.session.execute(insert(Party), [
                {"id": str(uuid.uuid4()), "name": f"农资店{start + n}", "agency_id": agency_id, "licences": [],
                 "address": "托克托县双河镇新华街12号", "phone": "13904711234", "version": version,
                 "field_meta": {}, "created_at": utcnow(), "updated_at": utcnow()}
                for n in range(min(1000, count - start))])
            db.session.commit()


def pull_everything(app, username: str) -> tuple[int, float, int]:
    """(changes received, seconds, peak bytes allocated) for a new phone pulling from scratch."""
    phone = Phone(app, username)
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    cursor, received = None, 0
    while True:
        page = phone.post("/api/v1/sync/pull", {"clientID": phone.client_id, "schemaVersion": 1, "cursor": cursor,
                                                "limit": PAGE})
        received += len(page["patch"])
        cursor = page["cursor"]
        more = page["hasMore"]
        del page
        if not more:
            break
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return received, elapsed, peak


# ---------------------------------------------------------------- runs

def run_backend(name: str, url: str, instance: Path) -> list[tuple[str, float, float]]:
    results = []
    app = make_app(url, instance)
    prepare(app)
    context, cases = plan_cases(app)
    pusher, writer = Pusher(app, context), CoreWriter(app, context)
    pushed = core = 0.0
    for i in range(0, len(cases), CHUNK):  # alternate, so a change in the machine's load hits both alike
        pushed += pusher.run(cases[i:i + CHUNK])
        core += writer.run(cases[i:i + CHUNK])
    bulk = writer.run(cases, per_mutation=False)
    mutations = INSPECTIONS * (FINDINGS + 1)
    print(f"[{name}] push {mutations} mutations: {pushed:.2f} s ({pushed / mutations * 1e3:.2f} ms each); "
          f"Core, same rows, one transaction per mutation: {core:.2f} s; "
          f"Core, domain rows only, one bulk transaction: {bulk:.3f} s (info: {pushed / bulk:.0f}x)")
    results.append((f"push_vs_core_{name}", pushed / core, TARGETS["push"]))

    figures = {}
    for size in PULL_SIZES:
        second = make_app(_fresh_url(name, url, instance, size), instance)
        prepare(second)
        insert_parties(second, size)
        received, seconds, peak = pull_everything(second, "tuoketuo.zhang")
        figures[size] = (received, seconds, peak)
        print(f"[{name}] pull {size} parties: {received} changes in {seconds:.2f} s "
              f"({seconds / received * 1e6:.0f} µs each), peak Python memory {peak / 1024:.0f} KiB")
        _drop(second)
    small, large = figures[PULL_SIZES[0]], figures[PULL_SIZES[1]]
    results.append((f"pull_memory_{PULL_SIZES[1]}_vs_{PULL_SIZES[0]}_{name}", large[2] / small[2],
                    TARGETS["pull_memory"]))
    results.append((f"pull_time_per_change_{PULL_SIZES[1]}_vs_{PULL_SIZES[0]}_{name}",
                    (large[1] / large[0]) / (small[1] / small[0]), TARGETS["pull_time"]))
    _drop(app)
    return results


_created_pg: list[str] = []


def _fresh_url(name: str, url: str, instance: Path, size: int) -> str:
    if name == "sqlite":
        return f"sqlite:///{instance / f'pull-{size}.sqlite3'}"
    return _create_pg(f"sync_bench_{os.getpid()}_{size}_{secrets.token_hex(2)}")


def _create_pg(dbname: str) -> str:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    _created_pg.append(dbname)
    return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{dbname}"


def _drop(app) -> None:
    from inspector.database import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_pg_databases() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        for dbname in _created_pg:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        instance = Path(tmp)
        try:
            for name in args.backends.split(","):
                if name == "sqlite":
                    url = f"sqlite:///{instance / 'push.sqlite3'}"
                else:
                    url = _create_pg(f"sync_bench_{os.getpid()}_{secrets.token_hex(3)}")
                results.extend(run_backend(name, url, instance))
        finally:
            if _created_pg:
                _drop_pg_databases()
    for name, ratio, target in results:
        print(f"RESULT {name} {ratio:.2f} target {target:g}")


if __name__ == "__main__":
    main()
