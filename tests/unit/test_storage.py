"""Blob stores: the same contract for the local directory and an S3 bucket (moto's server in its
own process): content-addressed, written once, never half an object, streamed, parts of unfinished
uploads kept until deleted."""
from __future__ import annotations

import errno
import hashlib
import io

import pytest

from inspector.storage import LocalBlobStore
from inspector.storage.s3 import S3BlobStore

from ..s3_server import REGION


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = endpoint.new_bucket()
    made = S3BlobStore(bucket=bucket, endpoint_url=endpoint.url, region=REGION, access_key_id="test-access-key",
                       secret_access_key="test-secret-key", prefix="inspector/", staging_dir=tmp_path / "staging")
    made.endpoint, made.bucket_name = endpoint, bucket  # for tests that look into the bucket
    return made


def staged(store, data: bytes, name: str = "u1.assembled"):
    path = store.staging_dir / name
    path.write_bytes(data)
    return path


def test_original_is_kept_under_its_hash_and_read_back(store):
    data = b"photo bytes" * 1000
    digest = hashlib.sha256(data).hexdigest()
    assert not store.exists(digest)
    with pytest.raises(FileNotFoundError):
        store.size(digest)
    with pytest.raises(FileNotFoundError):
        store.open(digest)

    store.put_file(digest, staged(store, data))

    assert store.exists(digest) and store.size(digest) == len(data)
    with store.open(digest) as fp:
        assert fp.read() == data
    assert list(store.staging_dir.iterdir()) == []  # the staged file is gone once stored


def test_second_copy_of_the_same_hash_is_dropped_and_the_first_kept(store):
    digest = hashlib.sha256(b"first").hexdigest()
    store.put_file(digest, staged(store, b"first"))

    store.put_file(digest, staged(store, b"other bytes, never stored under that hash", "u2.assembled"))

    with store.open(digest) as fp:
        assert fp.read() == b"first"
    assert list(store.staging_dir.iterdir()) == []


def test_originals_are_read_as_a_stream(store):
    data = bytes(range(256)) * 40_000  # 10 MB: goes to S3 in several parts
    digest = hashlib.sha256(data).hexdigest()
    store.put_file(digest, staged(store, data))

    with store.open(digest) as fp:
        first = fp.read(65536)
        rest = fp.read()
    assert first + rest == data and len(first) == 65536


def test_derived_sizes_are_replaced(store):
    digest = "ab" * 32
    assert store.open_derived(digest, "thumb") is None

    store.put_derived(digest, "thumb", b"one")
    store.put_derived(digest, "thumb", b"two")

    with store.open_derived(digest, "thumb") as fp:
        assert fp.read() == b"two"
    with pytest.raises(ValueError):
        store.put_derived(digest, "../../etc", b"x")


def test_upload_parts_are_kept_until_deleted(store):
    store.put_part("up1", "000000000000-aa", io.BytesIO(b"first range and more"), 11)
    store.put_part("up1", "000000000011-bb", io.BytesIO(b" second"), 7)
    store.put_part("up2", "000000000000-cc", io.BytesIO(b"another upload"), 14)

    with store.open_part("up1", "000000000000-aa") as fp:
        assert fp.read() == b"first range"
    with store.open_part("up1", "000000000011-bb") as fp:
        assert fp.read() == b" second"

    store.delete_parts("up1")

    with pytest.raises(FileNotFoundError):
        store.open_part("up1", "000000000000-aa")
    with store.open_part("up2", "000000000000-cc") as fp:
        assert fp.read() == b"another upload"  # another upload's parts stay
    with pytest.raises(ValueError):
        store.put_part("../blobs", "x", io.BytesIO(b"x"), 1)


def test_local_store_writes_originals_in_a_two_level_tree(tmp_path):
    store = LocalBlobStore(tmp_path)
    data = b"photo bytes"
    digest = hashlib.sha256(data).hexdigest()
    first = staged(store, data)

    store.put_file(digest, first)

    assert (tmp_path / "blobs" / digest[:2] / digest[2:4] / digest).read_bytes() == data
    assert store.path_for(digest) == tmp_path / "blobs" / digest[:2] / digest[2:4] / digest
    store.put_derived(digest, "thumb", b"jpeg")
    assert [p.name for p in (tmp_path / "derived" / digest[:2] / digest[2:4]).iterdir()] == [f"{digest}.thumb.jpg"]
    assert store.cache is None  # one host: the case-file cache stays in PDF_CACHE_DIR


def test_s3_store_keys_are_content_addressed_with_our_sha256_in_the_metadata(s3_endpoint, tmp_path):
    bucket = s3_endpoint.new_bucket()
    store = S3BlobStore(bucket=bucket, endpoint_url=s3_endpoint.url, region=REGION, access_key_id="test-access-key",
                        secret_access_key="test-secret-key", prefix="county/", staging_dir=tmp_path / "staging")
    data = b"\xff\xd8 a photo"
    digest = hashlib.sha256(data).hexdigest()

    store.put_file(digest, staged(store, data))
    store.put_derived(digest, "display", b"jpeg")
    store.put_part("up1", "000000000000-aa", io.BytesIO(b"part"), 4)
    store.cache.put("case-files/ab/x.pdf", b"%PDF")

    assert s3_endpoint.keys(bucket) == sorted([
        f"county/blobs/{digest[:2]}/{digest[2:4]}/{digest}",
        f"county/derived/{digest[:2]}/{digest[2:4]}/{digest}.display.jpg",
        "county/uploads/up1/000000000000-aa",
        "county/cache/case-files/ab/x.pdf",
    ])
    head = s3_endpoint.client().head_object(Bucket=bucket, Key=f"county/blobs/{digest[:2]}/{digest[2:4]}/{digest}")
    assert head["Metadata"] == {"sha256": digest}
    assert store.cache.get("case-files/ab/x.pdf") == b"%PDF" and store.cache.get("case-files/ab/y.pdf") is None
    assert store.path_for(digest) is None


def test_s3_client_sends_no_checksum_headers_minio_and_oss_reject(s3_endpoint, tmp_path):
    """boto3 >= 1.36 adds x-amz-checksum-* (and aws-chunked bodies) to every upload unless told not to."""
    bucket = s3_endpoint.new_bucket()
    store = S3BlobStore(bucket=bucket, endpoint_url=s3_endpoint.url, region=REGION, access_key_id="test-access-key",
                        secret_access_key="test-secret-key", staging_dir=tmp_path / "staging")
    sent: list[dict[str, str]] = []
    store.client.meta.events.register("before-send.s3.*", lambda request, **_: sent.append(dict(request.headers)))
    small, large = b"photo", bytes(range(256)) * 40_000  # the large one goes up in several parts

    store.put_file(hashlib.sha256(small).hexdigest(), staged(store, small))
    store.put_file(hashlib.sha256(large).hexdigest(), staged(store, large, "u2.assembled"))
    store.put_part("up1", "p", io.BytesIO(b"part"), 4)
    store.put_derived("ab" * 32, "thumb", b"jpeg")
    store.delete_parts("up1")

    checksum_headers = [name for headers in sent for name in headers
                        if name.lower().startswith("x-amz-checksum") or name.lower() == "x-amz-sdk-checksum-algorithm"]
    assert len(sent) >= 8 and checksum_headers == []
    assert not any(headers.get("Content-Encoding") == "aws-chunked" for headers in sent)
    with store.open(hashlib.sha256(large).hexdigest()) as fp:
        assert fp.read() == large
    config = store.client.meta.config
    assert (config.request_checksum_calculation, config.response_checksum_validation) == ("when_required",) * 2


def test_a_full_object_store_is_reported_as_a_full_disk(s3_endpoint, tmp_path):
    from botocore.exceptions import ClientError

    store = S3BlobStore(bucket=s3_endpoint.new_bucket(), endpoint_url=s3_endpoint.url, region=REGION,
                        access_key_id="test-access-key", secret_access_key="test-secret-key",
                        staging_dir=tmp_path / "staging")

    def full(**_kwargs):
        raise ClientError({"Error": {"Code": "XMinioStorageFull", "Message": "Storage backend has reached its "
                                     "minimum free drive threshold."},
                           "ResponseMetadata": {"HTTPStatusCode": 507}}, "PutObject")

    store.client.put_object = full
    with pytest.raises(OSError) as raised:
        store.put_part("up1", "p", io.BytesIO(b"x"), 1)
    assert raised.value.errno == errno.ENOSPC
