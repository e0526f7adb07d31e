"""Blobs in an S3-compatible bucket (MinIO, Ceph RGW, a cloud object store), through the S3 API only.

Keys under the optional prefix: blobs/ab/cd/<sha256> (the original; its SHA-256 also in the
object's metadata, `x-amz-meta-sha256`), derived/ab/cd/<sha256>.<variant>.jpg, uploads/<upload
id>/<part> (received ranges of unfinished uploads) and cache/… (rendered case files, shared by
every host). An S3 PUT is atomic: a reader sees the whole object or none.

boto3 ≥ 1.36 adds CRC checksum headers to every request and validates them on responses; MinIO,
Ceph RGW and Alibaba OSS reject or lack them. Both behaviours are set to "when_required", and
integrity rests on our own SHA-256, checked before anything is stored under it. Deletions go one
object at a time: DeleteObjects requires a checksum header that some of these servers refuse.
"""
from __future__ import annotations

import errno
import logging
from pathlib import Path
from typing import Any, BinaryIO

from .base import VARIANTS

log = logging.getLogger(__name__)

FULL_CODES = {"XMinioStorageFull", "InsufficientStorage", "QuotaExceeded", "EntityTooLarge"}
MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


class S3BlobStore:
    """Content-addressed originals and derived sizes, upload parts and a shared cache in one bucket."""

    def __init__(self, *, bucket: str, staging_dir: str | Path, endpoint_url: str | None = None,
                 region: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, prefix: str = "", addressing_style: str = "path",
                 client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.staging_dir = Path(staging_dir)
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        self.client = client or make_client(endpoint_url=endpoint_url, region=region, access_key_id=access_key_id,
                                            secret_access_key=secret_access_key,
                                            addressing_style=addressing_style)
        self.cache = S3Cache(self, "cache/")

    # ---------------------------------------------------------------- keys

    def key(self, name: str) -> str:
        return self.prefix + name

    def _blob_key(self, sha256: str) -> str:
        return self.key(f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}")

    def _derived_key(self, sha256: str, variant: str) -> str:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}")
        return self.key(f"derived/{sha256[:2]}/{sha256[2:4]}/{sha256}.{variant}.jpg")

    def _parts_prefix(self, upload_id: str) -> str:
        if not upload_id or "/" in upload_id:
            raise ValueError(f"bad upload id {upload_id!r}")
        return self.key(f"uploads/{upload_id}/")

    # ---------------------------------------------------------------- originals

    def exists(self, sha256: str) -> bool:
        try:
            self._head(self._blob_key(sha256))
        except FileNotFoundError:
            return False
        return True

    def size(self, sha256: str) -> int:
        return int(self._head(self._blob_key(sha256))["ContentLength"])

    def open(self, sha256: str) -> BinaryIO:
        return self._get(self._blob_key(sha256))

    def path_for(self, sha256: str) -> Path | None:
        return None

    def put_file(self, sha256: str, path: Path) -> None:
        path = Path(path)
        try:
            if not self.exists(sha256):
                with _errors(), open(path, "rb") as body:
                    # upload_fileobj goes multipart above 8 MiB; each part a plain PUT.
                    self.client.upload_fileobj(body, self.bucket, self._blob_key(sha256),
                                               ExtraArgs={"Metadata": {"sha256": sha256}})
        finally:
            path.unlink(missing_ok=True)

    def stored_sha256(self, sha256: str) -> str | None:
        """The SHA-256 kept in the object's metadata (what was verified when it was stored)."""
        return self._head(self._blob_key(sha256)).get("Metadata", {}).get("sha256")

    # ---------------------------------------------------------------- derived sizes

    def put_derived(self, sha256: str, variant: str, data: bytes) -> None:
        with _errors():
            self.client.put_object(Bucket=self.bucket, Key=self._derived_key(sha256, variant), Body=data,
                                   ContentType="image/jpeg", Metadata={"sha256": sha256})

    def open_derived(self, sha256: str, variant: str) -> BinaryIO | None:
        try:
            return self._get(self._derived_key(sha256, variant))
        except FileNotFoundError:
            return None

    # ---------------------------------------------------------------- unfinished uploads

    def put_part(self, upload_id: str, name: str, source: BinaryIO, length: int) -> None:
        with _errors():
            self.client.put_object(Bucket=self.bucket, Key=self._parts_prefix(upload_id) + name, Body=source,
                                   ContentLength=length)

    def open_part(self, upload_id: str, name: str) -> BinaryIO:
        return self._get(self._parts_prefix(upload_id) + name)

    def delete_parts(self, upload_id: str) -> None:
        prefix = self._parts_prefix(upload_id)
        with _errors():
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    self.client.delete_object(Bucket=self.bucket, Key=item["Key"])

    # ---------------------------------------------------------------- plumbing

    def _head(self, key: str) -> dict[str, Any]:
        with _errors():
            return self.client.head_object(Bucket=self.bucket, Key=key)

    def _get(self, key: str) -> BinaryIO:
        """The object's body, streamed: read(n) pulls n bytes from the connection, nothing more."""
        with _errors():
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]


class S3Cache:
    """The rendered-file cache as objects under cache/ in the store's bucket: every host sees a file
    a worker on any host drew."""

    def __init__(self, store: S3BlobStore, folder: str) -> None:
        self.store, self.folder = store, folder

    def get(self, key: str) -> bytes | None:
        try:
            with self.store._get(self.store.key(self.folder + key)) as body:
                return body.read()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        try:
            with _errors():
                self.store.client.put_object(Bucket=self.store.bucket, Key=self.store.key(self.folder + key),
                                             Body=data)
        except OSError:  # a cache that cannot be written only costs time
            log.warning("could not write cache object %s", key, exc_info=True)


def make_client(*, endpoint_url: str | None, region: str | None, access_key_id: str | None,
                secret_access_key: str | None, addressing_style: str = "path") -> Any:
    """A boto3 S3 client that speaks plain S3: no checksum headers unless an operation requires one."""
    import boto3
    from botocore.config import Config

    config = Config(
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        s3={"addressing_style": addressing_style},
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url or None, region_name=region or None,
        aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None, config=config)


class _errors:
    """S3 errors as the file errors the callers already handle: a missing key is FileNotFoundError,
    a full store OSError(ENOSPC); anything else an OSError naming the S3 code."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None:
            return False
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in MISSING_CODES or status == 404:
                raise FileNotFoundError(errno.ENOENT, f"not in the bucket ({code})") from exc
            if code in FULL_CODES or status == 507:
                raise OSError(errno.ENOSPC, f"the object store is full ({code})") from exc
            raise OSError(errno.EIO, f"S3 error {code}: {error.get('Message', '')}") from exc
        if isinstance(exc, BotoCoreError):
            raise OSError(errno.EIO, f"S3 unreachable: {exc}") from exc
        return False
