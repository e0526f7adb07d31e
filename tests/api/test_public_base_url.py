"""A demo served on another port prints QR codes that reach it (scripts/run-demo with PORT=5101).

The server runs as scripts/run-demo runs it: gunicorn serving wsgi:app on 127.0.0.1:$PORT, with
PORT in its environment and INSPECTOR_PUBLIC_BASE_URL unset; the demo data come from the same
`init-db` and `seed-demo` commands. The case file it prints must name that port in its
verification address (printed beside the QR code, which encodes the same address).
"""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pypdf import PdfReader

from inspector.services.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _port() -> int:
    """5101, the port of the report, when it is free on this machine; another free one otherwise."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 5101))
        except OSError:
            s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, *, token: str | None = None, body: dict | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), dict(response.headers)


def test_a_demo_on_port_5101_prints_qr_codes_for_port_5101(tmp_path):
    port = _port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "INSPECTOR_PUBLIC_BASE_URL")}
    env.update({"PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
                "INSPECTOR_BLOB_DIR": str(tmp_path / "blobs"), "INSPECTOR_PDF_CACHE_DIR": str(tmp_path / "cache"),
                "INSPECTOR_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'jobs.sqlite3'}",
                "INSPECTOR_AUDIT_SIGNING_KEY_FILE": str(tmp_path / "audit-signing-key"),
                "INSPECTOR_AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoints.jsonl"),
                "SECRET_KEY": "demo-port-test", "INSPECTOR_PASSWORD_HASH_MEMORY_KIB": "1024",
                "INSPECTOR_PASSWORD_HASH_TIME_COST": "1", "PYTHONPATH": str(ROOT)})
    for command in ("init-db", "seed-demo"):
        subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", command], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # the server is up when it answers
            try:
                _call(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
                time.sleep(0.1)
        login, _ = _call(f"{base}/api/v1/auth/login", body={"username": "hq.reviewer", "password": DEMO_PASSWORD})
        token = json.loads(login)["token"]
        page, _ = _call(f"{base}/api/v1/inspections?status=approved", token=token)
        case_id = json.loads(page)["inspections"][0]["id"]
        pdf, headers = _call(f"{base}/api/v1/inspections/{case_id}/case-file.pdf", token=token)
        if not pdf.startswith(b"%PDF"):  # 202 正在生成: no worker here, so drawn as the job would draw it
            subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", "prepare-case-file", case_id],
                           env=env, cwd=ROOT, check=True, capture_output=True)
            pdf, headers = _call(f"{base}/api/v1/inspections/{case_id}/case-file.pdf", token=token)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    assert headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert f"http://127.0.0.1:{port}/verify/" in text
    assert "127.0.0.1:5000" not in text or port == 5000
