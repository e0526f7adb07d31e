"""Blobs in a local directory: blobs/ab/cd/<sha256>, derived/ab/cd/<sha256>.<variant>.jpg, and the
received parts of unfinished uploads in uploads/<upload id>/."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from .base import VARIANTS

COPY_BYTES = 1024 * 1024


class LocalBlobStore:
    """Files written to a temporary name, fsynced, then renamed into place: a reader never sees half a file.

    Only one host reads this directory (unless it is a network file system), so the rendered-file
    cache stays in PDF_CACHE_DIR (`cache` is None).
    """

    cache = None

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.staging_dir = self.root / "uploads"
        self.staging_dir.mkdir(parents=True, exist_ok=True)

    def _blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256[2:4] / sha256

    def _derived_path(self, sha256: str, variant: str) -> Path:
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}")
        return self.root / "derived" / sha256[:2] / sha256[2:4] / f"{sha256}.{variant}.jpg"

    def _parts_dir(self, upload_id: str) -> Path:
        if not upload_id or "/" in upload_id or upload_id.startswith("."):
            raise ValueError(f"bad upload id {upload_id!r}")
        return self.staging_dir / upload_id

    def exists(self, sha256: str) -> bool:
        return self._blob_path(sha256).is_file()

    def size(self, sha256: str) -> int:
        return self._blob_path(sha256).stat().st_size

    def open(self, sha256: str) -> BinaryIO:
        return open(self._blob_path(sha256), "rb")

    def path_for(self, sha256: str) -> Path | None:
        return self._blob_path(sha256)

    def put_file(self, sha256: str, path: Path) -> None:
        target = self._blob_path(sha256)
        if target.exists():
            Path(path).unlink(missing_ok=True)
            return
        _fsync_file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Two uploads of the same hash may race here; both hold identical, verified bytes.
        os.replace(path, target)
        _fsync_dir(target.parent)

    def put_derived(self, sha256: str, variant: str, data: bytes) -> None:
        target = self._derived_path(sha256, variant)
        _write_atomically(target, lambda out: out.write(data))

    def open_derived(self, sha256: str, variant: str) -> BinaryIO | None:
        try:
            return open(self._derived_path(sha256, variant), "rb")
        except FileNotFoundError:
            return None

    def put_part(self, upload_id: str, name: str, source: BinaryIO, length: int) -> None:
        target = self._parts_dir(upload_id) / name
        _write_atomically(target, lambda out: _copy(source, out, length))

    def open_part(self, upload_id: str, name: str) -> BinaryIO:
        return open(self._parts_dir(upload_id) / name, "rb")

    def delete_parts(self, upload_id: str) -> None:
        shutil.rmtree(self._parts_dir(upload_id), ignore_errors=True)


def _copy(source: BinaryIO, out: BinaryIO, length: int) -> None:
    left = length
    while left > 0 and (block := source.read(min(COPY_BYTES, left))):
        out.write(block)
        left -= len(block)
    if left:
        raise ValueError(f"the source ended {left} bytes short")


def _write_atomically(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fp:
        os.fsync(fp.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: the directory entry is on disk too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
