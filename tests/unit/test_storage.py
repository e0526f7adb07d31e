"""The local blob store: content-addressed, written once, never half a file."""
from __future__ import annotations

import hashlib

import pytest

from inspector.storage import LocalBlobStore


def staged(store: LocalBlobStore, data: bytes, name: str = "u1.part"):
    path = store.staging_dir / name
    path.write_bytes(data)
    return path


def test_original_is_kept_under_its_hash(tmp_path):
    store = LocalBlobStore(tmp_path)
    data = b"photo bytes"
    digest = hashlib.sha256(data).hexdigest()

    store.put_file(digest, staged(store, data))

    assert (tmp_path / "blobs" / digest[:2] / digest[2:4] / digest).read_bytes() == data
    assert store.exists(digest) and store.size(digest) == len(data)
    with store.open(digest) as fp:
        assert fp.read() == data
    assert list(store.staging_dir.iterdir()) == []  # moved, not copied


def test_second_copy_of_the_same_hash_is_dropped_and_the_first_kept(tmp_path):
    store = LocalBlobStore(tmp_path)
    digest = hashlib.sha256(b"first").hexdigest()
    store.put_file(digest, staged(store, b"first"))
    first = store.path_for(digest).stat()

    store.put_file(digest, staged(store, b"first", "u2.part"))

    assert store.path_for(digest).stat().st_ino == first.st_ino  # the original is never rewritten
    assert list(store.staging_dir.iterdir()) == []


def test_derived_sizes_are_replaced_atomically(tmp_path):
    store = LocalBlobStore(tmp_path)
    digest = "ab" * 32
    assert store.open_derived(digest, "thumb") is None

    store.put_derived(digest, "thumb", b"one")
    store.put_derived(digest, "thumb", b"two")

    with store.open_derived(digest, "thumb") as fp:
        assert fp.read() == b"two"
    assert [p.name for p in (tmp_path / "derived" / "ab" / "ab").iterdir()] == [f"{digest}.thumb.jpg"]
    with pytest.raises(ValueError):
        store.put_derived(digest, "../../etc", b"x")
