"""Where evidence bytes live: `get_store(app)` picks the configured BlobStore (BLOB_STORE)."""
from __future__ import annotations

from flask import Flask, current_app

from .base import VARIANTS, BlobStore
from .local import LocalBlobStore


def get_store(app: Flask | None = None) -> BlobStore:
    """The app's blob store, made once per app. Only `local` exists; an S3 store implements BlobStore."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get("blob_store")
    if store is None:
        kind = app.config.get("BLOB_STORE", "local")
        if kind != "local":
            raise RuntimeError(f"BLOB_STORE={kind!r} is not available; the only store is 'local'")
        store = app.extensions["blob_store"] = LocalBlobStore(app.config["BLOB_DIR"])
    return store


__all__ = ["BlobStore", "LocalBlobStore", "VARIANTS", "get_store"]
