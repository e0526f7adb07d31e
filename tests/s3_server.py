"""A real S3 endpoint for tests: moto's standalone server in its own process on 127.0.0.1.

`s3_endpoint` (session) starts `python -m moto.server` on a free port; each test that asks for
`s3_bucket` gets a bucket of its own. When moto[server] is not installed or does not start, the
tests skip with the reason (fail under REQUIRE_FULL_TEST_ENV=1).
"""
from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from .conftest import unavailable

ACCESS_KEY, SECRET_KEY, REGION = "test-access-key", "test-secret-key", "us-east-1"


@dataclass(frozen=True)
class S3Endpoint:
    url: str

    def client(self) -> Any:
        from inspector.storage.s3 import make_client

        return make_client(endpoint_url=self.url, region=REGION, access_key_id=ACCESS_KEY,
                           secret_access_key=SECRET_KEY)

    def new_bucket(self) -> str:
        name = f"inspector-test-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The app's settings (config keys) for this bucket."""
        return {"BLOB_STORE": "s3", "S3_ENDPOINT_URL": self.url, "S3_BUCKET": bucket, "S3_REGION": REGION,
                "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_PREFIX": prefix}

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The same as environment variables, for a server or worker process."""
        return {f"INSPECTOR_{key}": value for key, value in self.settings(bucket, prefix).items()}

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        client, found = self.client(), []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(found)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[S3Endpoint]:
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        unavailable(f"moto[server] or boto3 not installed ({exc}); pip install -r requirements-test.txt")
    port = _free_port()
    log = Path(tmp_path_factory.mktemp("moto")) / "moto.log"
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    endpoint = S3Endpoint(f"http://127.0.0.1:{port}")
    try:
        started = time.monotonic()
        while True:
            try:
                endpoint.client().list_buckets()
                break
            except Exception as exc:  # noqa: BLE001
                if process.poll() is not None or time.monotonic() - started > 60:
                    unavailable(f"moto's S3 server did not start on 127.0.0.1:{port} ({exc}): "
                                f"{log.read_text(errors='replace')[-500:]}")
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3_bucket(s3_endpoint) -> str:
    return s3_endpoint.new_bucket()
