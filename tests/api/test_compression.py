"""What crosses a slow link: JSON answers (pulls above all) gzip-compressed when the phone accepts
it, and the phone app's shell under content-hashed, immutable, compressed URLs."""
from __future__ import annotations

import gzip
import json
import re

from ..sync_phone import SCHEMA_VERSION


def _pull(api, encoding: str | None):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    return api.post("/api/v1/sync/pull", json={"clientID": api.client_id, "schemaVersion": SCHEMA_VERSION,
                                                "cursor": None, "limit": 500}, headers=headers)


def test_a_pull_is_gzip_compressed_when_asked_and_identical_after_decompression(login_as):
    api = login_as("tuoketuo.zhang")
    plain = _pull(api, None)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers.get("Vary", "")
    packed = _pull(api, "gzip, deflate, br")
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    body = packed.get_data()
    assert len(body) < len(plain.get_data()) / 3  # a first pull (templates, parties, colleagues) shrinks a lot
    assert json.loads(gzip.decompress(body)) == plain.get_json()


def test_a_small_json_answer_and_a_refused_encoding_go_out_plain(client, login_as):
    api = login_as("tuoketuo.zhang")
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers
    refused = _pull(api, "gzip;q=0, identity")
    assert "Content-Encoding" not in refused.headers and refused.get_json()["reset"] is True


def test_a_hashed_shell_file_is_immutable_and_compressed_when_the_browser_asks(client):
    index = client.get("/app/", headers={"Accept-Encoding": "gzip"})
    assert index.headers["Cache-Control"].startswith("no-cache") and index.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(index.get_data()).decode()
    imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', html).group(1))["imports"]
    hashed = imports["/app/js/sync.js"]
    assert re.fullmatch(r"/app/js/sync\.[0-9a-f]{10}\.js", hashed)
    assert f'<link rel="modulepreload" href="{hashed}" fetchpriority="low">' in html
    packed = client.get(hashed, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    plain = client.get(hashed)
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.get_data()) == plain.get_data() == client.get("/app/js/sync.js").get_data()
    # Every module of the app is mapped and preloaded; the plain names stay no-cache.
    assert client.get("/app/js/sync.js").headers["Cache-Control"].startswith("no-cache")
    worker = client.get("/sw.js").get_data(as_text=True)
    assert client.get("/sw.js").headers["Cache-Control"].startswith("no-cache")
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker).group(1))
    assert set(imports.values()) <= set(precache)
    assert all(f'<link rel="modulepreload" href="{url}" fetchpriority="low">' in html for url in imports.values())
    # A hash that is not the file's any more is not served as if it were.
    assert client.get("/app/js/sync.0000000000.js").status_code == 404
