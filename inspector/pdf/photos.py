"""Photos and signature images reduced to what the printer needs, one at a time.

An evidence photo is 3-6 MB of 12-megapixel JPEG; printed 156 mm wide at 200 dpi it needs about
1200 px. Embedding originals makes a 40-photo case file hundreds of megabytes, so every photo goes
through inspector.imaging.downscale_for_print (draft-mode decode, EXIF orientation, fit, JPEG)
before it reaches ReportLab.
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from ..imaging import ImageRejected, downscale_for_print
from .data import EvidencePhoto
from .wording import PHOTO_HASH_MISMATCH, PHOTO_NOT_UPLOADED, PHOTO_UNREADABLE

log = logging.getLogger(__name__)


class PhotoCache(Protocol):
    """Where downscaled photos are kept between renders, keyed by hash and print size."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class PrintPhoto:
    """A photo ready to embed (`jpeg`), or the reason (`problem`) a placeholder is printed."""

    jpeg: bytes | None
    width_px: int = 0
    height_px: int = 0
    problem: str | None = None


def cache_key(sha256: str, target_px: tuple[int, int]) -> str:
    return f"print:{sha256}:{target_px[0]}x{target_px[1]}"


def prepare_for_print(photo: EvidencePhoto, target_px: tuple[int, int],
                      cache: PhotoCache | None = None) -> PrintPhoto:
    """The photo fitted into `target_px` as JPEG, or a placeholder reason for missing or bad bytes."""
    if photo.open_original is None:  # no bytes for this record: a print copy cached for another must not stand in
        return PrintPhoto(jpeg=None, problem=PHOTO_NOT_UPLOADED)
    key = cache_key(photo.sha256, target_px)
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        try:
            return _print_photo(cached)
        except OSError:  # a damaged cache entry: make the photo again
            log.warning("photo %s: cached print copy unreadable, rebuilding it", photo.sha256)

    # Errors from storage itself (opening or reading) propagate: an outage must fail the
    # render, to be retried, not issue a case file whose photos read "无法读取".
    stream = photo.open_original()
    if stream is None:
        return PrintPhoto(jpeg=None, problem=PHOTO_NOT_UPLOADED)
    with stream:
        original = stream.read()
    # Storage checks the hash on upload; checking again costs ~10 ms and guarantees that the
    # hash printed under a picture is the hash of that picture.
    if hashlib.sha256(original).hexdigest() != photo.sha256.lower():
        log.warning("photo %s: bytes do not match the recorded SHA-256", photo.sha256)
        return PrintPhoto(jpeg=None, problem=PHOTO_HASH_MISMATCH)
    try:
        jpeg = downscale_for_print(original, target_px=target_px)
        del original
        result = _print_photo(jpeg)
    except ImageRejected as exc:
        log.warning("photo %s: %s", photo.sha256, exc.message)
        return PrintPhoto(jpeg=None, problem=PHOTO_UNREADABLE)
    except Exception:  # any other failure on any input must print a placeholder, not crash
        log.warning("photo %s: not a readable image", photo.sha256, exc_info=True)
        return PrintPhoto(jpeg=None, problem=PHOTO_UNREADABLE)
    if cache is not None:
        cache.put(key, jpeg)
    return result


def _print_photo(jpeg: bytes) -> PrintPhoto:
    with Image.open(io.BytesIO(jpeg)) as image:  # reads the header only
        width, height = image.size
    return PrintPhoto(jpeg=jpeg, width_px=width, height_px=height)


def prepare_signature(png: bytes | None, box_px: tuple[int, int]) -> Image.Image | None:
    """A signature drawn on the phone, flattened onto white and fitted into `box_px`; None if unreadable."""
    if not png:
        return None
    try:
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            rgba = image.convert("RGBA")
    except Exception as exc:  # whatever the phone sent, the page prints the name instead
        log.warning("signature image is not readable (%s); printing the name only", exc)
        return None
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    gray = flat.convert("L")
    gray.thumbnail(box_px, Image.Resampling.LANCZOS)
    return gray
