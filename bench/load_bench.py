"""Load on the served app: pushes side by side, and a console under a mixed load.

Run from the repository root:  python bench/load_bench.py [--seconds 15] [--rounds 2] [--warmup 2]
[--skip-mix] [--port N] [--keep]  (LOAD_BENCH_DATABASE_PREFIX names its database, as below)
Its temporary instance folder (the server's log) is removed at the end, unless --keep or the run failed.

Everything runs on this machine against 127.0.0.1: a PostgreSQL database the bench creates (at
TEST_POSTGRES_URL's server, named LOAD_BENCH_DATABASE_PREFIX, default inspector_loadbench_, and
a number) and drops afterwards, gunicorn (`wsgi:app`, sync workers, as the README's PostgreSQL
setup) started per round, and for the mix one Celery worker on Redis db 14 (case files are drawn
by the job queue, never in a request). The machine may be shared: the
figures are only comparable within one run, which is why the rounds alternate.

(a) saturation  20 simulated phones (threads, http.client, one connection object each, which
    reconnects for every push: gunicorn's sync workers close the connection after each answer; 10
    devices of each of two inspectors) push realistic batches back to back: an
    inspection.create.v1 and a finding.set.v1 per pass/fail item of the fertilizer checklist
    (19 mutations per push). With 1, 2 and 4 gunicorn workers, alternating, `--rounds` times.
    Each round pushes for `--warmup` seconds unmeasured (default 2: the workers still starting
    when the first one answers, each worker's first database connection and statement caches),
    then `--seconds` measured.
    Figures: mutations/s per worker count, and the share of push time spent waiting on locks,
    sampled every 20 ms from pg_stat_activity: connections waiting with wait_event_type = 'Lock'
    over connections busy (active or idle in transaction).
    Targets: 4 workers >= 2 workers >= 1.2 x 1 worker; lock-wait share <= 10%; no errors.
    Each round also prints the CPU time per mutation (from /proc) of the bench process itself (its
    20 phones), the gunicorn processes (and their kernel part), the bench database's backends and
    everything else on the machine, and how busy the machine was: a bench that measured its own
    client, or another user's work, would show there. On 2 cores the phones cost 0.04-0.05 ms
    per mutation against 1.4-1.7 ms for gunicorn and the database, and 2 workers keep the
    machine 95-97% busy, so 4 workers can at best tie 2: what they gain in idle time (3-5%) they
    pay in switching (gunicorn and the database used 14-19% more CPU per mutation in three runs
    of four), and a round trip a push makes while it holds the version lock may also wait for a
    core (services/sync/push.py, `_finish`). The README gives the last figures.
    The control: in each round, on the same server, the same phones then ask for pulls (their first
    page, 100 changes: reads only, no lock any other request waits for) back to back for as long.
    How pulls/s scale from 2 to 4 workers is what the machine allows a request that takes no lock;
    RESULT push_rate_4_over_2_vs_lock_free is the pushes' 4-over-2 ratio over the pulls'.
    Target: >= 1.0 (pushes scale at least as well as a request without locks). On 2 cores the
    pulls' ratio was 0.87: no request of this app, locks or none, gains from 4 workers there.
(b) open-loop mix  2 gunicorn workers; arrivals at fixed rates whatever the answers' speed: pushes
    of 10 mutations 5 times a second (50 mutations/s), a console queue page (hhht.reviewer) 2 times
    a second, one case-file PDF download every 5 s (of cases submitted before, drawn by the worker).
    Figure: the queue page's p95 under the mix over its p95 unloaded (measured just before).
    Target: <= 5; no errors (a case file still being drawn answers 202, which is not an error).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LOAD_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
# The bench's database name starts with this (a shared server: each user may be given a prefix).
DATABASE_PREFIX = os.environ.get("LOAD_BENCH_DATABASE_PREFIX", "inspector_loadbench_")
PHONES = 20
INSPECTORS = ("tuoketuo.zhang", "tuoketuo.liu")
REVIEWER = "hhht.reviewer"
PASSWORD = "demo-2026"
WORKER_COUNTS = (1, 2, 4)
MIX_RATES = {"push": 5.0, "queue": 2.0, "pdf": 0.2}  # per second; a push carries 10 mutations
MIX_MUTATIONS = 10
PULL_LIMIT = 100  # changes per pull page of the control


# ---------------------------------------------------------------- database, app processes

def admin_connect():
    import psycopg

    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True)


def create_database() -> tuple[str, str]:
    name = f"{DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
    with admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_database(name: str) -> None:
    with admin_connect() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def app_env(url: str, instance: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": url, "INSPECTOR_BROKER_URL": REDIS_URL, "SECRET_KEY": "load-bench",
        "INSPECTOR_BLOB_DIR": str(instance / "blobs"), "INSPECTOR_PDF_CACHE_DIR": str(instance / "cache"),
        "INSPECTOR_AUDIT_SIGNING_KEY_FILE": str(instance / "audit-signing-key"),
        "INSPECTOR_AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoints.jsonl"),
        "INSPECTOR_PASSWORD_HASH_MEMORY_KIB": "1024", "INSPECTOR_PASSWORD_HASH_TIME_COST": "1",
        "INSPECTOR_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000", "PORT": str(port),
        "INSPECTOR_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    })
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--backlog", "256", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/api/v1/openapi.json")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn did not answer on port {port}; see {log}")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "inspector.jobs.worker", "worker", "--concurrency", "1",
         "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """Stop a process this bench started (its own session: gunicorn's workers go with it)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ---------------------------------------------------------------- HTTP

def request(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
            conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    data = json.dumps(body).encode() if body is not None and not isinstance(body, (bytes, str)) else body
    hdrs = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


class PhoneClient:
    """A logged-in phone: its bearer token, its next mutation id, one keep-alive connection."""

    def __init__(self, port: int, username: str, template: dict[str, Any], party_id: str, inspector_ids: list[int]):
        self.port, self.template, self.party_id, self.inspector_ids = port, template, party_id, inspector_ids
        self.client_id = str(uuid.uuid4())
        status, body = request(port, "POST", "/api/v1/auth/login",
                               {"username": username, "password": PASSWORD, "clientID": self.client_id})
        assert status == 200, body
        self.token = json.loads(body)["token"]
        self.next_id = 1
        self.conn: http.client.HTTPConnection | None = None

    def reconnect(self, port: int) -> None:
        self.port = port
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def mutation(self, name: str, **args: Any) -> dict[str, Any]:
        m = {"id": self.next_id, "name": name, "args": args, "clientTime": "2026-11-30T09:14:03+08:00"}
        self.next_id += 1
        return m

    def case_batch(self, findings: int | None = None) -> list[dict[str, Any]]:
        case_id = str(uuid.uuid4())
        batch = [self.mutation("inspection.create.v1", id=case_id, templateID=self.template["id"],
                               partyID=self.party_id, inspectorIDs=self.inspector_ids, place="店内", lat=40.27,
                               lon=111.18, gpsAccuracyM=8.5, startedAt="2026-11-30T09:14:03+08:00")]
        keys = self.template["pass_fail"][:findings] if findings is not None else self.template["pass_fail"]
        batch += [self.mutation("finding.set.v1", id=str(uuid.uuid4()), inspectionID=case_id, itemKey=key,
                                result="pass", note="货架商品标签齐全") for key in keys]
        return batch

    def push(self, mutations: list[dict[str, Any]]) -> tuple[int, bytes]:
        body = {"clientID": self.client_id, "schemaVersion": 1, "appVersion": "load-bench", "mutations": mutations}
        try:
            return request(self.port, "POST", "/api/v1/sync/push", body,
                           {"Authorization": f"Bearer {self.token}"}, conn=self.conn)
        except (OSError, http.client.HTTPException):
            self.reconnect(self.port)
            raise

    def resend_from_server(self, mutations: list[dict[str, Any]]) -> None:
        """After an error the phone resends the same batch (same ids): the server answers from its log."""
        status, _ = self.push(mutations)
        if status != 200:
            raise RuntimeError(f"resend answered {status}")


# ---------------------------------------------------------------- reference data

def reference(env: dict[str, str]) -> dict[str, Any]:
    """The fertilizer template's id and pass/fail item keys, the inspectors' ids, a party of 托克托县."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DATABASE_URL", "INSPECTOR_", "SECRET_KEY"))})
    from sqlalchemy import select

    from inspector import create_app
    from inspector.database import db
    from inspector.models import Agency, ChecklistTemplate, Party, User

    app = create_app()
    with app.app_context():
        template = db.session.scalars(select(ChecklistTemplate).where(
            ChecklistTemplate.key == "fertilizer", ChecklistTemplate.status == "published")
            .order_by(ChecklistTemplate.id.desc())).first()
        items = template.items()
        agency = db.session.scalars(select(Agency).where(Agency.code == "150122")).one()
        party = db.session.scalars(select(Party).where(Party.agency_id == agency.id)).first()
        users = {u.username: u.id for u in db.session.scalars(select(User).where(User.username.in_(INSPECTORS)))}
        out = {"template": {"id": template.id, "pass_fail": [i["key"] for i in items if i["kind"] == "pass_fail_na"],
                            "items": items},
               "party_id": party.id, "inspector_ids": [users[n] for n in INSPECTORS]}
        db.engine.dispose()
    return out


def answers(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A valid answer for every item (as tests/sync_phone.py), for cases that can be submitted:
    G13 是否抽样检验 is answered 未抽样 (已抽样 would need a sample record)."""
    out = []
    for item in template["items"]:
        kind = item["kind"]
        choice = "未抽样" if "未抽样" in item.get("choices", ()) else (item.get("choices") or [None])[0]
        answer = ({"result": "pass"} if kind == "pass_fail_na" else {"value": item.get("min") or 1} if kind == "number"
                  else {"value": choice} if kind == "choice" else {"value": "2026-10-01"} if kind == "date"
                  else {"value": "见现场照片"})
        out.append((item["key"], answer))
    return out


# ---------------------------------------------------------------- lock-wait sampling

class LockSampler:
    """Every 20 ms: connections to the bench database waiting on a lock, and those busy."""

    QUERY = ("SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
             "count(*) FILTER (WHERE state IN ('active', 'idle in transaction')) "
             "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'")

    def __init__(self, url: str, dbname: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.dbname = dbname
        self.waiting = self.busy = self.samples = 0
        self.running = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.waiting = self.busy = self.samples = 0
        self.running.set()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running.is_set():
            waiting, busy = self.conn.execute(self.QUERY, (self.dbname,)).fetchone()
            self.waiting += waiting
            self.busy += busy
            self.samples += 1
            time.sleep(0.02)

    def stop(self) -> float:
        self.running.clear()
        self.thread.join()
        return self.waiting / self.busy if self.busy else 0.0


# ---------------------------------------------------------------- CPU accounting

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, kernel_only: bool = False) -> float:
    """User + system CPU time of a process (all its threads) so far, or its system time alone; 0
    once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[12]) if kernel_only else int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def machine_busy() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, every core, every user."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICKS, sum(fields[:8]) / TICKS


class CpuMeter:
    """CPU seconds spent during a round by the bench itself (its 20 phones), gunicorn (master and
    workers), the database's backends for the bench database, and the machine as a whole."""

    def __init__(self, server: subprocess.Popen, sampler: "LockSampler"):
        self.server, self.sampler = server, sampler

    def _backends(self) -> list[int]:
        return [row[0] for row in self.sampler.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'", (self.sampler.dbname,))]

    def snapshot(self) -> dict[str, float]:
        workers = children(self.server.pid)
        busy, total = machine_busy()
        return {"bench": time.process_time(), "workers": {p: cpu_seconds(p) for p in workers},
                "workers_sys": {p: cpu_seconds(p, kernel_only=True) for p in workers},
                "master": cpu_seconds(self.server.pid),
                "backends": {p: cpu_seconds(p) for p in self._backends()}, "busy": busy, "total": total}

    @staticmethod
    def spent(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        def grown(key: str) -> float:
            return sum(v - before[key].get(p, 0.0) for p, v in after[key].items())
        return {"bench": after["bench"] - before["bench"], "server": grown("workers") + after["master"] - before["master"],
                "server_sys": grown("workers_sys"), "postgres": grown("backends"), "machine": after["busy"] - before["busy"],
                "capacity": after["total"] - before["total"]}


# ---------------------------------------------------------------- (a) saturation

def saturate(phones: list[PhoneClient], port: int, seconds: float, warmup: float, sampler: LockSampler,
             meter: CpuMeter) -> tuple[float, float, int, dict[str, float], int]:
    """Phones push back to back for `warmup` + `seconds`; the figures are of the last `seconds`."""
    for phone in phones:
        phone.reconnect(port)
    applied = [0] * len(phones)
    errors = [0] * len(phones)
    begin = time.monotonic()
    measure_from = begin + warmup
    stop_at = measure_from + seconds

    def run(index: int) -> None:
        phone = phones[index]
        while time.monotonic() < stop_at:
            batch = phone.case_batch()
            try:
                status, body = phone.push(batch)
            except (OSError, http.client.HTTPException):
                status, body = 0, b""
            if status == 200:
                if time.monotonic() >= measure_from:
                    applied[index] += sum(1 for r in json.loads(body)["results"] if r["status"] == "applied")
            else:
                errors[index] += 1
                try:
                    phone.resend_from_server(batch)
                except Exception:  # noqa: BLE001  (counted already; the next batch goes on)
                    pass
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for t in threads:
        t.start()
    time.sleep(max(0.0, measure_from - time.monotonic()))
    start = time.monotonic()
    before = meter.snapshot()
    sampler.start()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    after = meter.snapshot()
    share = sampler.stop()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return sum(applied) / elapsed, share, sum(errors), CpuMeter.spent(before, after), sum(applied)


def saturate_pulls(phones: list[PhoneClient], port: int, seconds: float, warmup: float) -> tuple[float, int]:
    """The control: phones ask for their first pull page back to back; (pulls/s of the last `seconds`, errors)."""
    for phone in phones:
        phone.reconnect(port)
    answered = [0] * len(phones)
    errors = [0] * len(phones)
    measure_from = time.monotonic() + warmup
    stop_at = measure_from + seconds

    def run(index: int) -> None:
        phone = phones[index]
        body = {"clientID": phone.client_id, "schemaVersion": 1, "cursor": None, "limit": PULL_LIMIT}
        while time.monotonic() < stop_at:
            try:
                status, _ = request(port, "POST", "/api/v1/sync/pull", body, {"Authorization": f"Bearer {phone.token}"},
                                    conn=phone.conn)
            except (OSError, http.client.HTTPException):
                phone.reconnect(port)
                status = 0
            if status != 200:
                errors[index] += 1
            elif time.monotonic() >= measure_from:
                answered[index] += 1
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for t in threads:
        t.start()
    time.sleep(max(0.0, measure_from - time.monotonic()))
    start = time.monotonic()
    for t in threads:
        t.join()
    return sum(answered) / (time.monotonic() - start), sum(errors)


# ---------------------------------------------------------------- (b) the mix

class Console:
    """A reviewer logged in to the console (session cookie)."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self._log_in()

    def _log_in(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", "/console/login")
        first = conn.getresponse()
        page = first.read()
        cookie = first.getheader("Set-Cookie", "").split(";", 1)[0]
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        form = f"username={REVIEWER}&password={PASSWORD}&csrf_token={token}"
        conn.request("POST", "/console/login", body=form.encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        assert answer.status in (302, 303), answer.status
        self.cookie = answer.getheader("Set-Cookie", cookie).split(";", 1)[0]

    def queue_page(self) -> tuple[int, float]:
        start = time.perf_counter()
        status, body = request(self.port, "GET", "/console/queue", headers={"Cookie": self.cookie})
        if status == 200 and "检查记录".encode() not in body and b"queue" not in body:
            status = 599  # not the page
        return status, time.perf_counter() - start


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def submitted_cases(phone: PhoneClient, template: dict[str, Any], count: int) -> list[str]:
    """Cases answered in full, signed and submitted: the worker draws their case files."""
    cases = []
    for _ in range(count):
        case_id = str(uuid.uuid4())
        batch = [phone.mutation("inspection.create.v1", id=case_id, templateID=template["id"], partyID=phone.party_id,
                                inspectorIDs=phone.inspector_ids, place="店内", lat=40.27, lon=111.18,
                                gpsAccuracyM=8.5, startedAt="2026-11-30T09:14:03+08:00")]
        batch += [phone.mutation("finding.set.v1", id=str(uuid.uuid4()), inspectionID=case_id, itemKey=key, **answer)
                  for key, answer in answers(template)]
        batch.append(phone.mutation("inspection.update.v1", id=case_id, baseVersion=0, fields={
            "certificatesAnswer": "看清楚了", "recusalAnswer": "不申请回避", "closingAnswer": "以上记录属实",
            "endedAt": "2026-11-30T10:14:03+08:00"}))
        batch.append(phone.mutation("signature.add.v1", id=str(uuid.uuid4()), inspectionID=case_id, role="party",
                                    signerName="王建国", imageSha256="a" * 64))
        batch.append(phone.mutation("inspection.submit.v1", id=case_id))
        status, body = phone.push(batch)
        results = json.loads(body)["results"] if status == 200 else []
        if status == 200 and results[-1]["status"] == "applied":
            cases.append(case_id)
        else:
            print(f"  (a case could not be submitted: {status} {[r for r in results if r['status'] != 'applied'][:2]})")
    return cases


def mix(phones: list[PhoneClient], port: int, seconds: float, template: dict[str, Any]) -> dict[str, Any]:
    for phone in phones:
        phone.reconnect(port)
    console = Console(port)
    for _ in range(3):
        console.queue_page()  # warm
    unloaded = [console.queue_page()[1] for _ in range(40)]
    cases = submitted_cases(phones[0], template, 3)
    deadline = time.monotonic() + 120
    pdf_phone = phones[0]
    while cases and time.monotonic() < deadline:  # the worker draws them before the mix starts
        statuses = [request(port, "GET", f"/api/v1/inspections/{c}/case-file.pdf",
                            headers={"Authorization": f"Bearer {pdf_phone.token}"})[0] for c in cases]
        if all(s == 200 for s in statuses):
            break
        time.sleep(1)
    errors: list[str] = []
    queue_times: list[float] = []
    pdf_statuses: list[int] = []
    mutations = [0]
    free = list(phones)
    lock = threading.Lock()

    def push_once() -> None:
        with lock:
            phone = free.pop() if free else None
        if phone is None:
            errors.append("no free phone for a push arrival")
            return
        try:
            status, body = phone.push(phone.case_batch(MIX_MUTATIONS - 1))
            if status != 200:
                errors.append(f"push {status}")
            else:
                mutations[0] += len(json.loads(body)["results"])
        except Exception as exc:  # noqa: BLE001
            errors.append(f"push {exc!r}")
        finally:
            with lock:
                free.append(phone)

    def queue_once() -> None:
        status, took = console.queue_page()
        if status != 200:
            errors.append(f"queue {status}")
        queue_times.append(took)

    def pdf_once(n: int) -> None:
        if not cases:
            return
        status, body = request(port, "GET", f"/api/v1/inspections/{cases[n % len(cases)]}/case-file.pdf",
                               headers={"Authorization": f"Bearer {pdf_phone.token}"})
        pdf_statuses.append(status)
        if status not in (200, 202) or (status == 200 and not body.startswith(b"%PDF")):
            errors.append(f"pdf {status}")

    schedule: list[tuple[float, Any]] = []
    for kind, rate in MIX_RATES.items():
        for n in range(int(seconds * rate)):
            at = n / rate
            job = {"push": push_once, "queue": queue_once}.get(kind) or (lambda n=n: pdf_once(n))
            schedule.append((at, job))
    schedule.sort(key=lambda x: x[0])
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=PHONES + 8) as pool:
        futures = []
        for at, job in schedule:
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(job))
        for f in futures:
            f.result()
    elapsed = time.monotonic() - start
    return {"unloaded_p95": p95(unloaded), "unloaded_median": statistics.median(unloaded),
            "loaded_p95": p95(queue_times), "loaded_median": statistics.median(queue_times),
            "mutations_per_s": mutations[0] / elapsed, "errors": errors, "pdf": pdf_statuses, "cases": len(cases)}


# ---------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each saturation round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of 1, 2 and 4 workers, alternating")
    parser.add_argument("--mix-seconds", type=float, default=40)
    parser.add_argument("--skip-mix", action="store_true")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of pushes before each round is measured")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: any free one)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder (server log) after a good run")
    args = parser.parse_args()

    dbname, url = create_database()
    instance = Path(tempfile.mkdtemp(prefix="load-bench-"))
    log = instance / "server.log"
    port = args.port or free_port()
    env = app_env(url, instance, port)
    worker = None
    sampler = None
    finished = False
    print(f"database {dbname}; logs in {log}; machine: {os.cpu_count()} CPUs (shared: figures compare within this run)")
    try:
        for command in (["init-db"], ["seed-demo"]):
            subprocess.run([str(VENV_BIN / "flask"), "--app", "inspector", *command], cwd=ROOT, env=env, check=True,
                           stdout=log.open("ab"), stderr=subprocess.STDOUT)
        ref = reference(env)
        sampler = LockSampler(url, dbname)
        server = start_gunicorn(env, port, 2, log)
        try:
            phones = [PhoneClient(port, INSPECTORS[i % 2], ref["template"], ref["party_id"], ref["inspector_ids"])
                      for i in range(PHONES)]
        finally:
            stop(server)
        print(f"{PHONES} phones; {len(ref['template']['pass_fail']) + 1} mutations per saturating push")

        rates: dict[int, list[float]] = {w: [] for w in WORKER_COUNTS}
        pull_rates: dict[int, list[float]] = {w: [] for w in WORKER_COUNTS}
        shares: list[float] = []
        errors = 0
        for round_no in range(args.rounds):
            for workers in (WORKER_COUNTS if round_no % 2 == 0 else tuple(reversed(WORKER_COUNTS))):
                server = start_gunicorn(env, port, workers, log)
                try:
                    rate, share, failed, cpu, done = saturate(phones, port, args.seconds, args.warmup, sampler,
                                                              CpuMeter(server, sampler))
                    pull_rate, pull_failed = saturate_pulls(phones, port, args.seconds, args.warmup)
                finally:
                    stop(server)
                rates[workers].append(rate)
                pull_rates[workers].append(pull_rate)
                shares.append(share)
                errors += failed + pull_failed
                per = {k: cpu[k] / done * 1000 if done else 0.0 for k in ("bench", "server", "server_sys", "postgres", "machine")}
                print(f"  round {round_no + 1}: {workers} worker(s): {rate:7.1f} mutations/s, "
                      f"lock-wait share {share:.1%}, errors {failed}; CPU ms per mutation: bench {per['bench']:.2f} "
                      f"gunicorn {per['server']:.2f} (kernel {per['server_sys']:.2f}) postgres {per['postgres']:.2f} all else "
                      f"{per['machine'] - per['bench'] - per['server'] - per['postgres']:.2f}; "
                      f"machine busy {cpu['machine'] / cpu['capacity']:.0%}; control: {pull_rate:.1f} pulls/s, "
                      f"errors {pull_failed}")
        mean = {w: statistics.mean(v) for w, v in rates.items()}
        pull_mean = {w: statistics.mean(v) for w, v in pull_rates.items()}
        for w in WORKER_COUNTS:
            print(f"mutations/s with {w} worker(s): {mean[w]:.1f}; control: {pull_mean[w]:.1f} pulls/s")

        mixed = None
        if not args.skip_mix:
            subprocess.run([str(VENV_BIN / "python"), "-c",
                            f"import redis; redis.Redis.from_url('{REDIS_URL}').flushdb()"], check=False)
            worker = start_worker(env, log)
            server = start_gunicorn(env, port, 2, log)
            try:
                mixed = mix(phones, port, args.mix_seconds, ref["template"])
            finally:
                stop(server)
            print(f"mix (2 workers, {args.mix_seconds:.0f} s): {mixed['mutations_per_s']:.1f} mutations/s; queue page "
                  f"unloaded median {mixed['unloaded_median'] * 1000:.0f} ms p95 {mixed['unloaded_p95'] * 1000:.0f} ms, "
                  f"loaded median {mixed['loaded_median'] * 1000:.0f} ms p95 {mixed['loaded_p95'] * 1000:.0f} ms; "
                  f"case files {mixed['cases']}, downloads {mixed['pdf']}; errors {mixed['errors'][:5]}")

        print(f"RESULT push_rate_2_over_1_workers {mean[2] / mean[1]:.2f} target >= 1.2")
        print(f"RESULT push_rate_4_over_2_workers {mean[4] / mean[2]:.2f} target >= 1.0")
        print(f"control: pulls/s with 4 workers over 2: {pull_mean[4] / pull_mean[2]:.2f} (what the machine allows a request without locks)")
        print(f"RESULT push_rate_4_over_2_vs_lock_free {mean[4] / mean[2] / (pull_mean[4] / pull_mean[2]):.2f} target >= 1.0")
        print(f"RESULT push_lock_wait_share {max(shares):.3f} target 0.10")
        print(f"RESULT push_errors {errors} target 0")
        if mixed is not None:
            print(f"RESULT mix_queue_p95_over_unloaded {mixed['loaded_p95'] / mixed['unloaded_p95']:.2f} target 5")
            print(f"RESULT mix_errors {len(mixed['errors'])} target 0")
        finished = True
    finally:
        if sampler is not None:
            sampler.conn.close()
        if worker is not None:
            stop(worker)
        drop_database(dbname)
        if finished and not args.keep:
            shutil.rmtree(instance, ignore_errors=True)
        else:
            print(f"kept {instance}")


if __name__ == "__main__":
    main()
