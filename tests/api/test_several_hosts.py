"""Several app hosts: two server processes on two ports, each with its own instance folder, sharing
only PostgreSQL (a database this test creates and drops), Redis (a database number of its own) and
an S3 endpoint (moto's server). A worker process on the shared broker draws case files.

- a push on one host is pulled from the other;
- a case file drawn by the worker is served by both hosts, the same registered document;
- a phone's tus client sends half a photo through one host and finishes it through the other.
"""
from __future__ import annotations

import base64
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from tusclient.client import TusClient

from inspector import create_app
from inspector.database import db

from ..conftest import CHEAP_HASHING, DATABASE_OPTIONS, DEMO_PASSWORD, POSTGRES_ADMIN_URL, TEST_DATABASE_PREFIX, \
    unavailable
from ..sync_phone import Phone
from .evidence_helpers import add_photo, camera_jpeg, sha256, tuoketuo_case
from .test_jobs import WorkerProcess, eventually
from .test_review_flow import _phone_submits_a_case
from .test_tus_client import Sha256Uploader

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("TEST_SEVERAL_HOSTS_REDIS_URL", "redis://127.0.0.1:6379/13")  # not the job tests' 15


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Host:
    """One app host: `flask run` in its own process, with an instance folder of its own."""

    def __init__(self, name: str, instance: Path, shared: dict[str, str]):
        self.name, self.instance, self.port = name, instance, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **shared, "PYTHONPATH": str(ROOT), "INSPECTOR_PUBLIC_BASE_URL": shared["PUBLIC"]}
        self.log = instance / "server.log"
        self.process: subprocess.Popen | None = None

    def flask(self, *args: str) -> list[str]:
        # Flask calls the factory with these literal arguments: this host's own instance folder.
        return [sys.executable, "-m", "flask", "--app", f"inspector:create_app(instance_path={str(self.instance)!r})",
                *args]

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.flask("run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload", "--with-threads"),
            env=self.env, cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        started = time.monotonic()
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() - started > 60:
                    raise RuntimeError(f"host {self.name} did not start: {self.log.read_text()[-2000:]}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class _Answer:
    """A `requests` response with the few methods of Flask's test response the helpers use."""

    def __init__(self, response: requests.Response):
        self.response = response
        self.status_code, self.headers, self.data = response.status_code, response.headers, response.content

    def get_json(self) -> Any:
        return self.response.json()

    def get_data(self, as_text: bool = False):
        return self.response.text if as_text else self.data


class HttpPhone:
    """A phone's API client over real HTTP, talking to whichever host `base` names."""

    def __init__(self, base: str, username: str):
        self.base, self.session = base, requests.Session()
        response = self.session.post(f"{base}/api/v1/auth/login", json={"username": username,
                                                                          "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        self.login = response.json()
        self.token, self.client_id = self.login["token"], self.login["clientID"]

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kw) -> _Answer:
        return _Answer(self.session.get(self.base + path, headers=self._headers(kw.pop("headers", None)), **kw))

    def post(self, path: str, json: Any = None, **kw) -> _Answer:
        return _Answer(self.session.post(self.base + path, json=json, headers=self._headers(kw.pop("headers", None)),
                                         **kw))


@pytest.fixture
def shared_database() -> Iterator[str]:
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        unavailable(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    name = f"{TEST_DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(3)}_hosts"
    admin.execute(f'CREATE DATABASE "{name}" {DATABASE_OPTIONS}')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def shared_redis() -> Iterator[str]:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        unavailable(f"Redis not reachable at {REDIS_URL} ({exc}); scripts/test starts redis-server when installed")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def cluster(tmp_path, shared_database, shared_redis, s3_endpoint) -> Iterator[dict[str, Any]]:
    """Hosts A and B and a worker; the test's own app on the same database (for seeding and reading)."""
    bucket = s3_endpoint.new_bucket()
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    shared = {
        "DATABASE_URL": shared_database, "INSPECTOR_BROKER_URL": shared_redis, **s3_endpoint.environment(bucket),
        "SECRET_KEY": "several-hosts-secret",  # the same on every host: console sessions work on any
        "INSPECTOR_AUDIT_SIGNING_KEY": key,  # the same on every host: one chain, one signer
        "INSPECTOR_PASSWORD_HASH_MEMORY_KIB": "1024", "INSPECTOR_PASSWORD_HASH_TIME_COST": "1",
        "PUBLIC": "http://inspector.example",  # what the QR codes print: the public name, not a host
    }
    hosts = {name: Host(name, tmp_path / f"host-{name}", shared) for name in ("a", "b")}
    for host in hosts.values():
        host.instance.mkdir()
    prepared = subprocess.run(hosts["a"].flask("init-db"), env=hosts["a"].env, cwd=ROOT, capture_output=True)
    assert prepared.returncode == 0, prepared.stderr.decode()[-2000:]
    seeded = subprocess.run(hosts["a"].flask("seed-demo"), env=hosts["a"].env, cwd=ROOT, capture_output=True)
    assert seeded.returncode == 0, seeded.stderr.decode()[-2000:]
    worker_folder = tmp_path / "worker"
    worker_folder.mkdir()
    worker_env = {**hosts["a"].env, "INSPECTOR_PDF_CACHE_DIR": str(worker_folder / "cache"),
                  "INSPECTOR_AUDIT_CHECKPOINT_FILE": str(worker_folder / "audit-checkpoints.jsonl")}
    test_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": shared_database, "BROKER_URL": shared_redis,
                           **s3_endpoint.settings(bucket), "SECRET_KEY": shared["SECRET_KEY"],
                           "AUDIT_SIGNING_KEY": key, **CHEAP_HASHING}, instance_path=str(tmp_path / "test"))
    worker = None
    try:
        for host in hosts.values():
            host.start()
        worker = WorkerProcess(worker_env, "several-hosts")
        with test_app.app_context():
            yield {"a": hosts["a"], "b": hosts["b"], "bucket": bucket, "s3": s3_endpoint, "app": test_app,
                   "worker_folder": worker_folder}
            db.session.remove()
            db.engine.dispose()
    finally:
        if worker is not None:
            worker.stop()
        for host in hosts.values():
            host.stop()


def user_lookup(username: str):
    from sqlalchemy import select

    from inspector.models import User

    db.session.rollback()
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_two_hosts_share_pushes_case_files_and_unfinished_uploads(cluster):
    a, b, bucket, s3 = cluster["a"], cluster["b"], cluster["bucket"], cluster["s3"]

    # A push through host A is pulled from host B.
    zhang = Phone(HttpPhone(a.url, "tuoketuo.zhang"))
    case_id = _phone_submits_a_case(zhang, user_lookup)
    liu = Phone(HttpPhone(b.url, "tuoketuo.liu"))
    liu.pull()
    assert liu.value("inspection", case_id)["status"] == "submitted"
    assert any(f["inspectionID"] == case_id and f["itemKey"] == "G02" and f["note"] == "未见合格证"
               for f in liu.of_type("finding").values())

    # The submission (on host A) sent the drawing to Redis; the worker drew it into the bucket.
    drawn = eventually(lambda: s3.keys(bucket, "cache/drawn-ahead/"), "the case file drawn by the worker")
    drawing = json.loads(s3.client().get_object(Bucket=bucket, Key=drawn[0])["Body"].read())
    assert not list(cluster["worker_folder"].rglob("*.pdf"))  # not in the worker's own folder

    # Host B serves the worker's drawing (its number, its bytes), and host A the same document.
    from_b = liu.api.get(f"/api/v1/inspections/{case_id}/case-file.pdf")
    assert from_b.status_code == 200, from_b.get_data(as_text=True)[:300]
    assert from_b.headers["X-Document-Number"] == drawing["documentNo"]
    assert from_b.headers["X-Document-SHA256"] == drawing["sha256"]
    from_a = zhang.api.get(f"/api/v1/inspections/{case_id}/case-file.pdf")
    assert from_a.status_code == 200 and from_a.data == from_b.data
    assert from_a.headers["X-Document-Number"] == drawing["documentNo"]
    for host in (a, b):  # neither host keeps rendered files of its own
        assert not list(host.instance.rglob("*.pdf"))

    # A phone sends half a photo through host A and finishes it through host B.
    photo = camera_jpeg((1600, 1200))
    add_photo(tuoketuo_case(), photo)
    headers = {"Authorization": f"Bearer {zhang.api.token}"}
    first = Sha256Uploader(file_stream=io.BytesIO(photo), client=TusClient(f"{a.url}/api/v1/uploads", headers=headers),
                           chunk_size=32 * 1024, upload_checksum=True,
                           metadata={"sha256": sha256(photo), "filetype": "image/jpeg"})
    first.upload(stop_at=len(photo) // 2)  # the phone moved out of host A's reach (or A went down)
    path = "/" + first.url.split("/", 3)[3]
    assert first.offset >= len(photo) // 2 and first.offset < len(photo)
    upload_id = path.rsplit("/", 1)[1]
    assert s3.keys(bucket, f"uploads/{upload_id}/")  # the received half waits in the bucket
    a.stop()

    second = Sha256Uploader(file_stream=io.BytesIO(photo), client=TusClient(f"{b.url}/api/v1/uploads", headers=headers),
                            url=f"{b.url}{path}", chunk_size=32 * 1024, upload_checksum=True)
    assert second.offset == first.offset  # host B knows how far host A got
    second.upload()

    assert second.offset == len(photo)
    digest = sha256(photo)
    served = liu.api.get(f"/api/v1/blobs/{digest}")  # host B, to his colleague
    assert served.status_code == 200 and served.data == photo
    assert s3.keys(bucket, f"uploads/{upload_id}/") == []
    assert s3.client().head_object(Bucket=bucket, Key=f"blobs/{digest[:2]}/{digest[2:4]}/{digest}")["Metadata"] == {
        "sha256": digest}
