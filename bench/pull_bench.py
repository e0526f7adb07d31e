"""Pull cost against the size of the database: time per change at 10k and at 100k cases.

Run from the repository root:  python bench/pull_bench.py [--cases 10000,100000] [--rounds 3]
                                                          [--backends sqlite,postgresql]

For each backend two databases are made (a temporary SQLite file; a PostgreSQL database on
TEST_POSTGRES_URL, dropped afterwards) and loaded with console_bench's region: every county with
two inspectors, the cases spread over the counties, each case with its party, two inspectors,
a finding for each pass/fail item of its checklist up to 13–30 (the checklists have 11–26), and
a sample in one case of five. One county's inspector then pulls from scratch through the API
(Flask's test client, 500 changes a page), on the small and the large database in turn, for
several rounds; the median time per change of each is compared. The phone's share grows with
the database (its county's cases), so the ratio is the cost per change, not per pull.

Target: time per change at the large size <= 1.2x at the small size (a page must cost what it
keeps, not what the database holds).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import console_bench  # noqa: E402  (the region and its cases, loaded with Core)

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PAGE = 500
FINDINGS = (13, 30)
PHONE_USER = "i150122.1"  # an inspector of 托克托县
TARGET = 1.2


def seeded(url: str, cases: int) -> object:
    """An app on `url` with `cases` cases, and a password the bench's phone can log in with."""
    from sqlalchemy import update

    from inspector.database import db
    from inspector.models import User
    from inspector.services.passwords import hash_password

    app = console_bench.make_app(url)
    ctx = console_bench.prepare(app)
    started = time.perf_counter()
    console_bench.load(app, ctx, 0, cases, seed=7, finding_counts=FINDINGS, versioned=True)
    with app.app_context():
        db.session.execute(update(User).where(User.username == PHONE_USER)
                           .values(password_hash=hash_password("bench-password")))
        db.session.commit()
    if url.startswith("sqlite"):
        # A served database's write-ahead log stays small (a checkpoint every 1000 pages); the bulk
        # load leaves hundreds of MB in it, which every read would have to look through.
        with app.app_context():
            db.session.remove()
            raw = db.engine.raw_connection()  # outside a transaction, which a checkpoint cannot run in
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
    print(f"  loaded {cases} cases in {time.perf_counter() - started:.0f} s", flush=True)
    return app


def pull_once(app) -> tuple[int, float]:
    """(changes, seconds) for a new phone pulling everything from a null cursor."""
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": PHONE_USER, "password": "bench-password"})
    assert login.status_code == 200, login.get_json()
    body = login.get_json()
    headers = {"Authorization": f"Bearer {body['token']}"}
    cursor, received = None, 0
    started = time.perf_counter()
    while True:
        page = client.post("/api/v1/sync/pull", headers=headers, json={
            "clientID": body["clientID"], "schemaVersion": 1, "cursor": cursor, "limit": PAGE}).get_json()
        received += len(page["patch"])
        cursor = page["cursor"]
        if not page["hasMore"]:
            return received, time.perf_counter() - started


def run(backend: str, sizes: list[int], rounds: int) -> float:
    urls, drops = [], []
    for size in sizes:
        url, drop = _database(backend)
        if url is None:
            return float("nan")
        urls.append(url)
        drops.append(drop)
    try:
        apps = []
        for size, url in zip(sizes, urls):
            print(f"[{backend}] {size} cases", flush=True)
            apps.append(seeded(url, size))
        per_change: dict[int, list[float]] = {size: [] for size in sizes}
        for app in apps:  # untimed: the first pull of a process fills caches (compiled statements, pages)
            pull_once(app)
        for n in range(rounds):  # alternate, so a change in the machine's load hits both alike
            for size, app in zip(sizes, apps):
                changes, seconds = pull_once(app)
                per_change[size].append(seconds / changes)
                print(f"[{backend}] round {n + 1}: {size} cases: {changes} changes in {seconds:.2f} s "
                      f"({seconds / changes * 1e6:.0f} µs each)", flush=True)
        for app in apps:
            with app.app_context():
                from inspector.database import db
                db.session.remove()
                db.engine.dispose()
        small, large = (statistics.median(per_change[s]) for s in (sizes[0], sizes[-1]))
        return large / small
    finally:
        for drop in drops:
            drop()


def _database(backend: str):
    if backend == "sqlite":
        directory = tempfile.mkdtemp(prefix="pull-bench-")
        return f"sqlite:///{directory}/pull.sqlite3", lambda: shutil.rmtree(directory, ignore_errors=True)
    return console_bench.postgres_backend()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(n) for n in args.cases.split(",")]
    results = [(backend, run(backend, sizes, args.rounds)) for backend in args.backends.split(",")]
    for backend, ratio in results:
        print(f"RESULT pull_time_per_change_{sizes[-1]}_vs_{sizes[0]}_cases_{backend} {ratio:.2f} target {TARGET:g}")


if __name__ == "__main__":
    main()
