"""The installable phone app: its shell under /app/ and the service worker at the root scope.

The shell is plain files in static/pwa/ (no build step). Every file is also served under a
content-hashed name (`js/db.3f2a9c1b7e.js`) with a one-year immutable cache lifetime; index.html
carries an import map from each module's plain name to its hashed URL (so the modules keep
importing `./db.js`) and a `modulepreload` link for every module, so the browser fetches them in
parallel instead of discovering a chain. Each file is gzip-compressed once per process, in
memory, and sent compressed when the browser accepts it (compression in the app rather than
WhiteNoise: index.html, the manifest, version.js and sw.js are generated here, which files on
disk cannot be, and nothing has to be built before a run). index.html and sw.js stay no-cache.

The service worker precaches every hashed URL under a version that changes whenever any file's
bytes change, so a deploy is one new sw.js byte-for-byte, which the browser notices and installs
in the background; the page then offers the update and takes it only when the inspector accepts.
Since hashed URLs never change their bytes, the precache may take them from the HTTP cache: each
file crosses the network once on a first load.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, current_app, redirect, request

SHELL_DIR = Path(__file__).resolve().parent.parent / "static" / "pwa"
# Files in static/pwa/ that are not part of the shell (the worker itself, notes, licences).
NOT_PRECACHED = {"sw.js", "VERSION"}
NOT_PRECACHED_SUFFIXES = (".md", ".txt")
# Base release name; the content hash is appended. Tests and deploys override it by environment.
VERSION_ENV = "INSPECTOR_PWA_VERSION"
NO_CACHE = "no-cache, max-age=0, must-revalidate"
IMMUTABLE = "public, max-age=31536000, immutable"
INDEX_URL = "/app/"
GENERATED = "js/version.js"  # written here: the version the page reports
MANIFEST = "manifest.webmanifest"
# Below this a compressed copy saves less than a packet; images are compressed already.
MIN_COMPRESS = 256
COMPRESSIBLE = ("text/", "application/javascript", "application/manifest+json", "application/json")

bp = Blueprint("pwa", __name__)


def shell_files() -> list[str]:
    """Paths (relative to static/pwa/) of every file the service worker precaches."""
    files = []
    for path in sorted(SHELL_DIR.rglob("*")):
        rel = path.relative_to(SHELL_DIR).as_posix()
        if path.is_file() and rel not in NOT_PRECACHED and not rel.endswith(NOT_PRECACHED_SUFFIXES) \
                and "/." not in "/" + rel:
            files.append(rel)
    return files


def release_name() -> str:
    """The human release name (e.g. 2026.11.1), from the environment or static/pwa/VERSION."""
    configured = current_app.config.get("PWA_VERSION") or os.environ.get(VERSION_ENV)
    if configured:
        return configured.strip()
    version_file = SHELL_DIR / "VERSION"
    return version_file.read_text().strip() if version_file.exists() else "dev"


def shell_version() -> str:
    """Release name plus a hash over the shell's bytes: any changed file makes a new version."""
    digest = hashlib.sha256(release_name().encode())
    for rel in shell_files():
        digest.update(rel.encode() + b"\0" + (SHELL_DIR / rel).read_bytes())
    return f"{release_name()}-{digest.hexdigest()[:10]}"


@dataclass(frozen=True)
class ShellFile:
    """One file as served: its bytes, their gzip copy (None when not worth it) and its hash."""

    rel: str
    body: bytes
    mimetype: str
    digest: str
    gzipped: bytes | None = None

    @property
    def plain_url(self) -> str:
        return INDEX_URL if self.rel == "index.html" else f"/app/{self.rel}"

    @property
    def hashed_url(self) -> str:
        path = PurePosixPath(self.rel)
        return f"/app/{path.with_name(f'{path.stem}.{self.digest}{path.suffix}')}"


@dataclass
class Shell:
    version: str
    files: dict[str, ShellFile] = field(default_factory=dict)  # by path relative to static/pwa/
    by_url: dict[str, ShellFile] = field(default_factory=dict)  # plain and hashed URLs
    worker: ShellFile | None = None

    def add(self, rel: str, body: bytes, mimetype: str | None = None) -> ShellFile:
        mimetype = mimetype or _mimetype(rel)
        gz = None
        if len(body) >= MIN_COMPRESS and mimetype.startswith(COMPRESSIBLE):
            gz = gzip.compress(body, 9, mtime=0)
            gz = gz if len(gz) < len(body) else None
        item = ShellFile(rel, body, mimetype, hashlib.sha256(body).hexdigest()[:10], gz)
        self.files[rel] = item
        self.by_url[item.plain_url] = item
        if rel != "index.html":
            self.by_url[item.hashed_url] = item
        return item

    def url(self, rel: str) -> str:
        return self.files[rel].hashed_url

    def precache_urls(self) -> list[str]:
        """index.html (revalidated) and every other file under its hashed URL."""
        return [INDEX_URL] + [f.hashed_url for rel, f in self.files.items() if rel != "index.html"]

    def aliases(self) -> dict[str, str]:
        """Plain URL -> hashed URL, for anything that still names a file plainly (an <img>)."""
        return {f.plain_url: f.hashed_url for rel, f in self.files.items() if rel != "index.html"}

    def modules(self) -> list[ShellFile]:
        return [f for rel, f in self.files.items() if rel.startswith("js/") and rel.endswith(".js")]


def _mimetype(rel: str) -> str:
    if rel.endswith(".webmanifest"):
        return "application/manifest+json"
    if rel.endswith(".js"):
        return "text/javascript"
    return mimetypes.guess_type(rel)[0] or "application/octet-stream"


def _build(version: str, sources: list[str]) -> Shell:
    shell = Shell(version)
    for rel in sources:
        if rel not in ("index.html", MANIFEST):
            shell.add(rel, (SHELL_DIR / rel).read_bytes())
    shell.add(GENERATED, f"export const APP_VERSION = {json.dumps(version)};\n".encode())
    if MANIFEST in sources:
        shell.add(MANIFEST, _rewrite_urls((SHELL_DIR / MANIFEST).read_text(encoding="utf-8"), shell).encode())
    shell.add("index.html", _render_index((SHELL_DIR / "index.html").read_text(encoding="utf-8"), shell).encode())
    header = (f"const VERSION = {json.dumps(version)};\n"
              f"const PRECACHE = {json.dumps(shell.precache_urls())};\n"
              f"const ALIASES = {json.dumps(shell.aliases())};\n")
    body = (header + (SHELL_DIR / "sw.js").read_text(encoding="utf-8")).encode()
    worker = Shell(version)
    shell.worker = worker.add("sw.js", body)
    return shell


_URL_IN_TEXT = re.compile(r'(?<=["\'])/app/([^"\'?#]+)(?=["\'])')


def _rewrite_urls(text: str, shell: Shell) -> str:
    """Plain /app/... URLs of shell files in quotes become their hashed URLs."""
    return _URL_IN_TEXT.sub(lambda m: shell.url(m.group(1)) if m.group(1) in shell.files else m.group(0), text)


def _render_index(text: str, shell: Shell) -> str:
    """index.html with hashed URLs, the import map and a modulepreload link for every module."""
    modules = shell.modules()
    imports = {f.plain_url: f.hashed_url for f in modules}
    head = ['<script type="importmap">' + json.dumps({"imports": imports}, separators=(",", ":")) + "</script>"]
    # Low priority: the page paints from index.html and app.css first; the modules follow at once.
    head += [f'<link rel="modulepreload" href="{f.hashed_url}" fetchpriority="low">' for f in modules]
    text = _rewrite_urls(text, shell)
    return text.replace("</head>", "  " + "\n  ".join(head) + "\n</head>", 1)


_lock = threading.Lock()
_cached: tuple[tuple, Shell] | None = None


def current_shell() -> Shell:
    """The shell as served now, rebuilt when a file or the release name changes (no restart)."""
    global _cached
    sources = shell_files()
    stamp = (release_name(),) + tuple(
        (rel, st.st_mtime_ns, st.st_size) for rel in sources + ["sw.js"]
        for st in [(SHELL_DIR / rel).stat()])
    cached = _cached
    if cached and cached[0] == stamp:
        return cached[1]
    with _lock:
        if _cached and _cached[0] == stamp:
            return _cached[1]
        shell = _build(shell_version(), sources)
        _cached = (stamp, shell)
        return shell


def precache_urls() -> list[str]:
    return current_shell().precache_urls()


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _serve(item: ShellFile, cache_control: str) -> Response:
    compressed = item.gzipped is not None and _accepts_gzip()
    response = Response(item.gzipped if compressed else item.body, mimetype=item.mimetype)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    if item.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(item.digest + ("-gz" if compressed else ""))
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)


@bp.get("/app")
def app_without_slash():
    return redirect("/app/", code=301)


@bp.get("/app/")
def app_index():
    return _serve(current_shell().files["index.html"], NO_CACHE)


@bp.get("/app/<path:name>")
def app_file(name: str):
    shell = current_shell()
    item = shell.by_url.get(f"/app/{name}")
    if item is None:
        abort(404)
    hashed = item.hashed_url == f"/app/{name}"
    return _serve(item, IMMUTABLE if hashed else NO_CACHE)


@bp.get("/sw.js")
def service_worker():
    """The worker script with its version, precache list and aliases written in front of it."""
    response = _serve(current_shell().worker, NO_CACHE)
    response.headers["Service-Worker-Allowed"] = "/"
    return response
