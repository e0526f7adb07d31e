"""What the rest of the code may ask of a blob store: bytes by SHA-256, their derived sizes, the
received ranges of unfinished uploads, and (for a store every host shares) the rendered-file cache."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol

VARIANTS = ("thumb", "display")
"""Derived sizes the server makes of every image (see inspector/imaging.py)."""


class SharedCache(Protocol):
    """Bytes under a key, kept where every host reads them (rendered case files, print-size photos).
    A cache: anything in it may be deleted at any time."""

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None."""

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`, replacing what was there; a failure is logged, never raised."""


class BlobStore(Protocol):
    """Content-addressed evidence storage: an original is written once under its hash, never changed.

    An unfinished upload's bytes are kept as parts, one per received range (`put_part`), in the
    store itself, so that any host can take the next chunk; finishing assembles them into a file
    in `staging_dir` (a local scratch directory) while hashing, and `put_file` stores that file.
    """

    staging_dir: Path
    cache: SharedCache | None
    """Where rendered case files are cached when every host must see them (None: each host keeps
    its own cache directory, PDF_CACHE_DIR)."""

    def exists(self, sha256: str) -> bool:
        """Whether the original with this hash is stored."""

    def size(self, sha256: str) -> int:
        """Bytes of the stored original; FileNotFoundError when absent."""

    def open(self, sha256: str) -> BinaryIO:
        """The original, opened for streaming reads; FileNotFoundError when absent."""

    def path_for(self, sha256: str) -> Path | None:
        """A local path to the original when the store has one (lets the server use sendfile)."""

    def put_file(self, sha256: str, path: Path) -> None:
        """Store a verified local file under its hash and remove the file; when the hash is already
        stored, only remove the file."""

    def put_derived(self, sha256: str, variant: str, data: bytes) -> None:
        """Store a derived size (a JPEG) of the original, replacing any earlier one atomically."""

    def open_derived(self, sha256: str, variant: str) -> BinaryIO | None:
        """The derived size, opened for reading, or None when it was not made yet."""

    def put_part(self, upload_id: str, name: str, source: BinaryIO, length: int) -> None:
        """Keep `length` bytes read from `source` as part `name` of an unfinished upload, durably,
        before the upload's offset is advanced past them. OSError(ENOSPC) when storage is full."""

    def open_part(self, upload_id: str, name: str) -> BinaryIO:
        """A part of an unfinished upload; FileNotFoundError when it is gone."""

    def delete_parts(self, upload_id: str) -> None:
        """Delete every part of an upload (those recorded and any a failed request left behind)."""
