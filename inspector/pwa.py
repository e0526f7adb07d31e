"""The installable phone app: its shell under /app/ and the service worker at the root scope.

The shell is plain files in static/pwa/ (no build step). The service worker precaches every one
of them under a version that changes whenever any file's bytes change, so a deploy is one new
sw.js byte-for-byte, which the browser notices and installs in the background; the page then
offers the update and takes it only when the inspector accepts.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, send_from_directory

SHELL_DIR = Path(__file__).resolve().parent.parent / "static" / "pwa"
# Files in static/pwa/ that are not part of the shell (the worker itself, notes, licences).
NOT_PRECACHED = {"sw.js", "VERSION"}
NOT_PRECACHED_SUFFIXES = (".md", ".txt")
# Base release name; the content hash is appended. Tests and deploys override it by environment.
VERSION_ENV = "INSPECTOR_PWA_VERSION"
NO_CACHE = "no-cache, max-age=0, must-revalidate"

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


def precache_urls() -> list[str]:
    urls = ["/app/", "/app/js/version.js"]
    return urls + [f"/app/{rel}" for rel in shell_files() if rel != "index.html"]


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_CACHE
    return response


@bp.get("/app")
def app_without_slash():
    return redirect("/app/", code=301)


@bp.get("/app/")
def app_index():
    return _no_cache(send_from_directory(SHELL_DIR, "index.html", max_age=0))


@bp.get("/app/js/version.js")
def app_version():
    body = f"export const APP_VERSION = {json.dumps(shell_version())};\n"
    return _no_cache(Response(body, mimetype="text/javascript"))


@bp.get("/app/<path:name>")
def app_file(name: str):
    if name in NOT_PRECACHED:
        abort(404)
    response = send_from_directory(SHELL_DIR, name, max_age=0)
    if name.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    return _no_cache(response)


@bp.get("/sw.js")
def service_worker():
    """The worker script with its version and precache list written in front of it."""
    header = (f"const VERSION = {json.dumps(shell_version())};\n"
              f"const PRECACHE = {json.dumps(precache_urls())};\n")
    response = Response(header + (SHELL_DIR / "sw.js").read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return _no_cache(response)
