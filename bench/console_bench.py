"""Review console at scale: the queue's keyset pages against a primary-key lookup, and exports.

Run from the repository root:  python bench/console_bench.py [--cases 100000]

For SQLite (a temporary file) and PostgreSQL (a temporary database on TEST_POSTGRES_URL,
default postgresql://postgres@127.0.0.1:5432/postgres; skipped when unreachable), each created
and dropped here:
  1. half the cases are bulk-inserted with SQLAlchemy Core (parties, inspections across every
     county of the region, two inspectors, two findings and sometimes a sample each); an export of
     all of them is measured in a child process (time, peak RSS);
  2. the other half are inserted and the same export is measured again: peak memory must not grow
     with the count (the export streams batch by batch);
  3. with every case loaded, the HQ reviewer's queue is timed: first page, a page 90% deep (keyset
     cursor) and the status-tab counts, each against a primary-key lookup of one case in the same
     run (median of repeated calls through the same service functions the pages use).

Targets (why): a queue page is two queries of 50 rows joining party, agency and checklist, where
the lookup is one row by key; 25x a sub-millisecond lookup is still far below a page's budget,
and what matters is that the deep page costs what the first page costs (target deep/first <= 2),
which an OFFSET scan would not. Export memory at 2x the cases: <= 1.15x the peak RSS at 1x.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BATCH = 5000
REPEATS = 30
T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
STATUSES = ["submitted"] * 4 + ["approved"] * 4 + ["returned", "rejected"]


def make_app(url: str):
    from inspector import create_app

    instance = tempfile.mkdtemp(prefix="console-bench-")
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BLOB_DIR": f"{instance}/blobs",
                       "PASSWORD_HASH_MEMORY_KIB": 1024, "PASSWORD_HASH_TIME_COST": 1})


# ---------------------------------------------------------------- data

def prepare(app) -> dict:
    """Schema, reference data, reviewers and two inspectors per county; returns ids for loading."""
    from sqlalchemy import insert, select

    from inspector import migrate
    from inspector.database import db
    from inspector.models import Agency, Campaign, ChecklistTemplate, User
    from inspector.services.reference import load_reference_data

    with app.app_context():
        migrate.upgrade()
        load_reference_data()
        agencies = {a.code: a for a in db.session.scalars(select(Agency))}
        region = agencies["150000"]
        users = [dict(username="hq.reviewer", display_name="区局审核", role="reviewer", agency_id=region.id),
                 dict(username="hhht.reviewer", display_name="呼市审核", role="reviewer", agency_id=agencies["150100"].id)]
        counties = [a for a in agencies.values() if a.level == "county"]
        for county in counties:
            county.case_code_word = f"{county.short_name[:2]}市监"
            county.case_category_words = {"inspection": "检"}
            for n in (1, 2):
                users.append(dict(username=f"i{county.code}.{n}", display_name=f"执法{county.code}{n}", role="inspector",
                                  agency_id=county.id, cert_no=f"{county.code}26{n:03d}"))
        now = datetime.now(timezone.utc)
        db.session.execute(insert(User), [{**u, "password_hash": "x", "active": True, "session_epoch": 0, "version": 0,
                                           "field_meta": {}, "created_at": now} for u in users])
        campaign = Campaign(code="ZJLJ-2026", name="2026年“质检利剑”农资打假专项行动", agency_id=region.id,
                            starts_on=T0.date(), ends_on=(T0 + timedelta(days=360)).date())
        db.session.add(campaign)
        db.session.commit()
        inspectors = {}
        for uid, agency_id in db.session.execute(select(User.id, User.agency_id).where(User.role == "inspector")):
            inspectors.setdefault(agency_id, []).append(uid)
        templates = {t.id: [i["key"] for i in t.items() if i["kind"] == "pass_fail_na"]
                     for t in db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.status == "published"))}
        return {"counties": [c.id for c in counties], "inspectors": inspectors, "templates": templates,
                "campaign": campaign.id}


def load(app, ctx: dict, start: int, count: int, seed: int, finding_counts: tuple[int, int] = (2, 2),
         versioned: bool = False) -> None:
    """Insert `count` cases (numbered from `start`) with Core, in batches; each with a number of
    findings drawn from the `finding_counts` range (at most the checklist's length). `versioned`
    stamps each case (and its party and parts) with a sync version of its own, as phones' pushes
    do, and moves the version counter past them; otherwise every row has version 0."""
    from sqlalchemy import insert

    from inspector.database import db
    from inspector.models import Finding, Inspection, InspectionInspector, Party, Sample, SyncState

    rnd = random.Random(seed)
    template_ids = list(ctx["templates"])
    with app.app_context():
        for offset in range(0, count, BATCH):
            parties, inspections, links, findings, samples = [], [], [], [], []
            for n in range(start + offset, start + min(offset + BATCH, count)):
                version = n + 1 if versioned else 0
                county = ctx["counties"][n % len(ctx["counties"])]
                lead, second = ctx["inspectors"][county]
                party_id = str(uuid.UUID(int=rnd.getrandbits(128)))
                parties.append(dict(id=party_id, name=f"农资经营部{n:07d}", credit_code=None, licences=[],
                                    agency_id=county, version=version, field_meta={}, created_at=T0, updated_at=T0))
                case_id = str(uuid.UUID(int=rnd.getrandbits(128)))
                status = STATUSES[n % len(STATUSES)]
                started = T0 + timedelta(minutes=rnd.randrange(0, 330 * 24 * 60))
                template = template_ids[n % len(template_ids)]
                inspections.append(dict(
                    id=case_id, agency_id=county, party_id=party_id, template_id=template, campaign_id=ctx["campaign"],
                    status=status, revision=1, created_by_id=lead, place="店内", lat=40.0 + rnd.random(),
                    lon=111.0 + rnd.random(), gps_accuracy_m=8.0, started_at_device=started,
                    submitted_at=started + timedelta(hours=2), decided_at=None,
                    case_number=f"BENCH-{n}" if status == "approved" else None,
                    created_at=started, updated_at=started, version=version, field_meta={}))
                links += [dict(inspection_id=case_id, user_id=lead, position=1),
                          dict(inspection_id=case_id, user_id=second, position=2)]
                keys = ctx["templates"][template]
                for k, key in enumerate(keys[:rnd.randint(*finding_counts)]):
                    findings.append(dict(id=str(uuid.UUID(int=rnd.getrandbits(128))), inspection_id=case_id, item_key=key,
                                         result="fail" if (k == 0 and n % 3 == 0) else "pass", value=None,
                                         note="标签缺少生产日期" if (k == 0 and n % 3 == 0) else None,
                                         updated_at=started, version=version, field_meta={}))
                if n % 5 == 0:
                    samples.append(dict(id=str(uuid.UUID(int=rnd.getrandbits(128))), inspection_id=case_id,
                                        name="复合肥料", quantity="2 kg", base_quantity="120 袋", seal_numbers=[f"FY{n}"],
                                        created_at=started, version=version, field_meta={}))
            for model, rows in ((Party, parties), (Inspection, inspections), (InspectionInspector, links),
                                (Finding, findings), (Sample, samples)):
                if rows:
                    db.session.execute(insert(model), rows)
            db.session.commit()
        if versioned:
            from inspector.models.sync import allocate_version

            top = allocate_version(db.session)  # the counter's row, locked; then past every case
            db.session.execute(SyncState.__table__.update().values(version=max(top, start + count + 1)))
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")


# ---------------------------------------------------------------- measurements

def median_ms(fn, repeats: int = REPEATS) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def queue_timings(app) -> dict:
    from sqlalchemy import select

    from inspector.database import db
    from inspector.models import Inspection, User
    from inspector.services import queue
    from inspector.services.scope import get_inspection

    with app.app_context():
        hq = db.session.scalars(select(User).where(User.username == "hq.reviewer")).one()
        filters = queue.QueueFilters(status="all")
        total = db.session.scalar(select(queue.func.count()).select_from(queue.filtered(hq, filters).subquery()))
        deep_at = int(total * 0.9)
        anchor = db.session.execute(
            queue.filtered(hq, filters).add_columns(Inspection.submitted_at).order_by(*queue.QUEUE_ORDER)
            .offset(deep_at).limit(1)).one()
        deep_cursor = queue.encode_cursor(anchor[1], anchor[0])
        some_ids = [r for r in db.session.scalars(select(Inspection.id).limit(REPEATS + 1))]
        ids = iter(some_ids * 3)

        def lookup():
            get_inspection(hq, next(ids))
            db.session.expunge_all()

        def first():
            assert len(queue.queue_page(hq, filters, None).rows) == queue.PAGE_SIZE

        def deep():
            assert len(queue.queue_page(hq, filters, deep_cursor).rows) == queue.PAGE_SIZE

        def counts():
            queue.status_counts(hq, queue.QueueFilters())

        results = {"cases": total, "deep_position": deep_at, "pk_ms": median_ms(lookup), "first_ms": median_ms(first),
                   "deep_ms": median_ms(deep), "counts_ms": median_ms(counts)}
        hohhot = db.session.scalars(select(User).where(User.username == "hhht.reviewer")).one()
        results["league_failed_fertilizer_ms"] = median_ms(lambda: queue.queue_page(
            hohhot, queue.QueueFilters(status="submitted", category="fertilizer", failed_only=True), None))
        return results


def child_export(url: str, kind: str) -> dict:
    """In a fresh process: export every case as HQ; time, bytes and peak RSS."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, url], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Not getrusage's ru_maxrss: Linux carries it over from the parent through fork and exec, so a
    child started by a large parent reported the parent's peak and every ratio read 1.00. VmHWM
    belongs to the address space that exec creates, so it counts the export alone.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def run_child(kind: str, url: str) -> None:
    from sqlalchemy import select

    from inspector.database import db
    from inspector.models import User
    from inspector.services import exports, queue

    app = make_app(url)
    with app.app_context():
        hq = db.session.scalars(select(User).where(User.username == "hq.reviewer")).one()
        filters = queue.QueueFilters(status="all")
        rss_before = peak_mb()
        start = time.perf_counter()
        size, first = 0, None
        if kind == "csv":
            for chunk in exports.stream_csv(hq, filters, "inspections"):
                size += len(chunk)
                first = first or time.perf_counter() - start
            for chunk in exports.stream_csv(hq, filters, "findings"):
                size += len(chunk)
        else:
            for chunk in exports.stream_xlsx(hq, filters):
                size += len(chunk)
                first = first or time.perf_counter() - start
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "first_byte_s": first, "bytes": size, "peak_mb": peak_mb(),
                      "start_mb": rss_before}))


# ---------------------------------------------------------------- backends

def sqlite_backend():
    directory = tempfile.mkdtemp(prefix="console-bench-sqlite-")
    path = Path(directory) / "bench.sqlite3"

    def drop():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.rmdir(directory)

    return f"sqlite:///{path}", drop


def postgres_backend():
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}; skipped")
        return None, None
    name = f"console_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}", drop


def bench(backend: str, url: str, cases: int) -> dict:
    app = make_app(url)
    half = cases // 2
    print(f"[{backend}] preparing schema and reference data", flush=True)
    ctx = prepare(app)
    started = time.perf_counter()
    load(app, ctx, 0, half, seed=1)
    print(f"[{backend}] loaded {half} cases in {time.perf_counter() - started:.1f} s", flush=True)
    small = {kind: child_export(url, kind) for kind in ("csv", "xlsx")}
    started = time.perf_counter()
    load(app, ctx, half, cases - half, seed=2)
    print(f"[{backend}] loaded {cases - half} more in {time.perf_counter() - started:.1f} s", flush=True)
    large = {kind: child_export(url, kind) for kind in ("csv", "xlsx")}
    timings = queue_timings(app)
    with app.app_context():
        from inspector.database import db
        db.engine.dispose()
    return {"small": small, "large": large, "queue": timings, "half": half, "cases": cases}


def _export_growth(r: dict, kind: str) -> float:
    """Memory the export itself took (peak over the process before it) at all cases ÷ at half."""
    def took(run: dict) -> float:
        return max(run["peak_mb"] - run["start_mb"], 1.0)  # 1 MB floor: page-size noise on tiny runs
    return took(r["large"][kind]) / took(r["small"][kind])


def report(backend: str, r: dict) -> list[str]:
    q = r["queue"]
    print(f"[{backend}] queue over {q['cases']} cases (HQ reviewer, status=all): pk lookup {q['pk_ms']:.2f} ms, "
          f"first page {q['first_ms']:.2f} ms, page at row {q['deep_position']} {q['deep_ms']:.2f} ms, "
          f"tab counts {q['counts_ms']:.2f} ms; league reviewer, fertilizer with failed items: "
          f"{q['league_failed_fertilizer_ms']:.2f} ms")
    for kind in ("csv", "xlsx"):
        s, l = r["small"][kind], r["large"][kind]
        print(f"[{backend}] export {kind}: {r['half']} cases {s['seconds']:.1f} s {s['bytes'] / 1e6:.1f} MB "
              f"peak RSS {s['peak_mb']:.0f} MB (+{s['peak_mb'] - s['start_mb']:.0f} over the process before the export); "
              f"{r['cases']} cases {l['seconds']:.1f} s (first bytes after {l['first_byte_s']:.2f} s) {l['bytes'] / 1e6:.1f} MB "
              f"peak RSS {l['peak_mb']:.0f} MB (+{l['peak_mb'] - l['start_mb']:.0f})")
    return [
        f"RESULT console_queue_first_vs_pk_{backend} {q['first_ms'] / q['pk_ms']:.2f} target 25",
        f"RESULT console_queue_deep_vs_pk_{backend} {q['deep_ms'] / q['pk_ms']:.2f} target 25",
        f"RESULT console_queue_deep_vs_first_{backend} {q['deep_ms'] / q['first_ms']:.2f} target 2",
        *(f"RESULT console_export_{kind}_memory_growth_{backend} {_export_growth(r, kind):.2f} target 1.15"
          for kind in ("csv", "xlsx")),
    ]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        url, drop = sqlite_backend() if backend == "sqlite" else postgres_backend()
        if url is None:
            continue
        try:
            results += report(backend, bench(backend, url, args.cases))
        finally:
            drop()
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
