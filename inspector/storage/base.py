"""What the rest of the code may ask of a blob store: bytes by SHA-256, and their derived sizes."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol

VARIANTS = ("thumb", "display")
"""Derived sizes the server makes of every image (see inspector/imaging.py)."""


class BlobStore(Protocol):
    """Content-addressed evidence storage: an original is written once under its hash, never changed.

    Partial uploads accumulate in `staging_dir`, a local directory; `put_file` moves a finished
    file from there into the store. A store kept elsewhere (S3, OSS) implements the same methods,
    uploading in `put_file` and deleting the local file afterwards.
    """

    staging_dir: Path

    def exists(self, sha256: str) -> bool:
        """Whether the original with this hash is stored."""

    def size(self, sha256: str) -> int:
        """Bytes of the stored original; FileNotFoundError when absent."""

    def open(self, sha256: str) -> BinaryIO:
        """The original, opened for reading; FileNotFoundError when absent."""

    def path_for(self, sha256: str) -> Path | None:
        """A local path to the original when the store has one (lets the server use sendfile)."""

    def put_file(self, sha256: str, path: Path) -> None:
        """Move a verified file into place atomically; when the hash is already stored, drop the file."""

    def put_derived(self, sha256: str, variant: str, data: bytes) -> None:
        """Store a derived size (a JPEG) of the original, replacing any earlier one atomically."""

    def open_derived(self, sha256: str, variant: str) -> BinaryIO | None:
        """The derived size, opened for reading, or None when it was not made yet."""
