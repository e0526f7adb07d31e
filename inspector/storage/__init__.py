"""Where evidence bytes live: `get_store(app)` picks the configured BlobStore (BLOB_STORE)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .base import VARIANTS, BlobStore, SharedCache
from .local import LocalBlobStore

STORES = ("local", "s3")


def get_store(app: Flask | None = None) -> BlobStore:
    """The app's blob store, made once per app: `local` (BLOB_DIR) or `s3` (S3_* settings)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get("blob_store")
    if store is None:
        store = app.extensions["blob_store"] = make_store(app.config, app.instance_path)
    return store


def make_store(config, instance_path: str) -> BlobStore:
    kind = config.get("BLOB_STORE", "local")
    if kind == "local":
        return LocalBlobStore(config["BLOB_DIR"])
    if kind == "s3":
        from .s3 import S3BlobStore

        if not config.get("S3_BUCKET"):
            raise RuntimeError("INSPECTOR_BLOB_STORE=s3 needs INSPECTOR_S3_BUCKET (and the endpoint and keys)")
        return S3BlobStore(bucket=config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"),
                           region=config.get("S3_REGION"), access_key_id=config.get("S3_ACCESS_KEY_ID"),
                           secret_access_key=config.get("S3_SECRET_ACCESS_KEY"), prefix=config.get("S3_PREFIX") or "",
                           addressing_style=config.get("S3_ADDRESSING_STYLE") or "path",
                           # Only a finished upload is assembled here, verified and sent to the bucket.
                           staging_dir=Path(instance_path) / "staging")
    raise RuntimeError(f"BLOB_STORE={kind!r} is not available; use one of {', '.join(STORES)}")


__all__ = ["BlobStore", "LocalBlobStore", "SharedCache", "VARIANTS", "get_store", "make_store"]
