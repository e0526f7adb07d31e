"""Shared fixtures: an app per database backend (SQLite and PostgreSQL), personas, API clients.

Every database test runs on both backends. Each pytest run creates its own PostgreSQL database
and drops it at the end. When PostgreSQL or Chromium is missing the tests skip with the reason;
with REQUIRE_FULL_TEST_ENV=1 (set by .ci/run) those skips become failures.
"""
from __future__ import annotations

import contextvars
import hashlib
import os
import secrets
import socket
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import insert, select, text

from flask.testing import FlaskClient

from inspector import create_app
from inspector.database import db, write_intent

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_FULL = os.environ.get("REQUIRE_FULL_TEST_ENV", "") not in ("", "0", "false")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
BACKENDS = ["sqlite", "postgresql"]
# A collation like a production server's in China, not the C order of a bare container: code that
# leans on the database's string order (pull cursors) must not depend on byte order.
DATABASE_OPTIONS = "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'zh-CN' LOCALE 'C.UTF-8'"
from inspector.services.demo import DEMO_PASSWORD  # noqa: E402  (one source for tests and the demo)
CHEAP_HASHING = {"PASSWORD_HASH_MEMORY_KIB": 1024, "PASSWORD_HASH_TIME_COST": 1}


def unavailable(reason: str) -> None:
    """Skip, or fail when the run must have everything (CI)."""
    if REQUIRE_FULL:
        pytest.fail(f"required by REQUIRE_FULL_TEST_ENV but unavailable: {reason}")
    pytest.skip(reason)


# ---------------------------------------------------------------- databases

@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this run, dropped afterwards; None when no server answers."""
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        yield None
        _postgres_error.append(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        return
    _drop_databases_of_dead_runs(admin)
    name = f"{TEST_DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
    admin.execute(f'CREATE DATABASE "{name}" {DATABASE_OPTIONS}')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


_postgres_error: list[str] = []
# Named after this host (the server may serve several) and the run's process id.
TEST_DATABASE_PREFIX = f"inspector_test_{hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]}_"


def _drop_databases_of_dead_runs(admin) -> None:
    """Drop what runs on this host left behind when killed (a finaliser does not run on SIGKILL)."""
    names = admin.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                          (TEST_DATABASE_PREFIX,)).fetchall()
    for (name,) in names:
        pid = name[len(TEST_DATABASE_PREFIX):].split("_", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path, postgres_url) -> Iterator[str]:
    """A new, empty database of each backend for one test (migrations from an old revision)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if postgres_url is None:
        unavailable(_postgres_error[0] if _postgres_error else "PostgreSQL unavailable")
    import psycopg

    name = f"{postgres_url.rsplit('/', 1)[1]}_empty"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" {DATABASE_OPTIONS}')
    try:
        yield f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _table_order() -> list:
    return list(db.metadata.sorted_tables)


class Baseline:
    """The rows every test starts from, captured once per backend and restored before each test."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def capture(self) -> None:
        for table in _table_order():
            self.rows[table.name] = [dict(r._mapping) for r in db.session.execute(select(table))]

    def restore(self) -> None:
        db.session.remove()
        engine = db.engine
        tables = _table_order()
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())
            for table in tables:
                if self.rows.get(table.name):
                    conn.execute(insert(table), self.rows[table.name])
            if engine.dialect.name == "postgresql":
                for table in tables:
                    pk = list(table.primary_key.columns)
                    if len(pk) == 1 and pk[0].autoincrement is not False and str(pk[0].type) in ("INTEGER", "BIGINT"):
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                            f"COALESCE((SELECT MAX(\"{pk[0].name}\") FROM \"{table.name}\"), 0) + 1, false)"))


def _build_baseline() -> None:
    """Reference data plus the demo accounts (cheaply hashed); no parties or cases."""
    from inspector import migrate
    from inspector.services.demo import add_demo_accounts
    from inspector.services.passwords import hash_password
    from inspector.services.reference import load_reference_data

    migrate.upgrade()
    load_reference_data()
    add_demo_accounts(hash_password(DEMO_PASSWORD))
    db.session.commit()


@pytest.fixture(scope="session")
def backend_apps(tmp_path_factory, postgres_url) -> dict[str, Any]:
    """One app per backend, schema migrated and baseline captured once."""
    return {"tmp": tmp_path_factory, "pg": postgres_url, "apps": {}}


def _app_for(backend: str, backend_apps: dict[str, Any]):
    apps = backend_apps["apps"]
    if backend in apps:
        return apps[backend]
    instance = backend_apps["tmp"].mktemp(f"instance-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{instance / 'test.sqlite3'}"
    else:
        if backend_apps["pg"] is None:
            apps[backend] = None
            return None
        url = backend_apps["pg"]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "BLOB_DIR": str(instance / "blobs"),
                      "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True, **CHEAP_HASHING,
                      # The audit anchors outside the database belong to this backend's database.
                      "AUDIT_SIGNING_KEY_FILE": str(instance / "audit-signing-key"),
                      "AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoints.jsonl")},
                     # Everything else that defaults into the instance folder (the jobs' broker, the
                     # PDF cache) stays this run's too: never the checkout's, where a demo may be running.
                     instance_path=str(instance))
    with app.app_context():
        _build_baseline()
        baseline = Baseline()
        baseline.capture()
        db.session.remove()
    app.extensions["test_baseline"] = baseline
    apps[backend] = app
    return app


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would: its own app context, `g`
    and database session, not the test's."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(params=BACKENDS)
def app(request, backend_apps):
    """The app on SQLite and on PostgreSQL, restored to the baseline, inside an app context."""
    flask_app = _app_for(request.param, backend_apps)
    if flask_app is None:
        unavailable(_postgres_error[0] if _postgres_error else "PostgreSQL unavailable")
    flask_app.test_client_class = IsolatedClient
    # The test's own session reads without taking SQLite's write lock, so requests can write.
    token = write_intent.set(False)
    with flask_app.app_context():
        flask_app.extensions["test_baseline"].restore()
        # The checkpoints copied outside the database go with the rows the restore removed.
        Path(flask_app.config["AUDIT_CHECKPOINT_FILE"]).unlink(missing_ok=True)
        yield flask_app
        db.session.remove()
    write_intent.reset(token)


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------- people and API calls

class ApiClient:
    """A phone logged in as one persona: every call carries its bearer token."""

    def __init__(self, client, token: str, login: dict[str, Any]):
        self.client, self.token, self.login = client, token, login
        self.client_id = login["clientID"]

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw):
        return self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def request(self, method: str, path: str, **kw):
        return self.client.open(path, method=method, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def login_as(client):
    """login_as("tuoketuo.zhang") → an ApiClient for that demo account."""

    def _login(username: str, password: str = DEMO_PASSWORD, client_id: str | None = None) -> ApiClient:
        body = {"username": username, "password": password}
        if client_id:
            body["clientID"] = client_id
        response = client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 200, response.get_json()
        data = response.get_json()
        return ApiClient(client, data["token"], data)

    return _login


@pytest.fixture
def user(app):
    """user("tuoketuo.zhang") → the User row."""
    from inspector.models import User

    def _user(username: str) -> User:
        return db.session.scalars(select(User).where(User.username == username)).one()

    return _user


@pytest.fixture
def new_id():
    return lambda: str(uuid.uuid4())


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# A real S3 endpoint (moto's server in its own process), started once per run by the tests that ask for it.
from .s3_server import s3_bucket, s3_endpoint  # noqa: E402,F401
