"""Photo evidence pipeline: accept images by content, read their EXIF, make derived sizes.

Pure image code: no Flask, no database. Originals are only ever read; every function returns
new bytes or plain data, and the caller decides where they are stored.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any, Literal

from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin
from PIL.ExifTags import GPS, IFD, Base

THUMB_LONG_EDGE = 320
DISPLAY_LONG_EDGE = 1600
THUMB_JPEG_QUALITY = 75
DISPLAY_JPEG_QUALITY = 82
PRINT_JPEG_QUALITY = 80
MAX_PIXELS = 80_000_000
"""Decompression-bomb limit: 80 MP is above every phone camera's default mode."""

# A JPEG's draft decode has already shrunk it in the DCT domain to less than twice the display
# size (4000 px arrives as 2000), so the display step is short. Hamming rather than BOX: BOX costs
# a third less there but prints alternate rows of small label text at visibly different weights.
# The thumbnail is a fifth of the display: reduce() averages it in one cheap pass first.
DISPLAY_RESAMPLE = Image.Resampling.HAMMING
THUMB_RESAMPLE = Image.Resampling.HAMMING
THUMB_REDUCING_GAP = 1.0
# A HEIC (or PNG, WebP) arrives at full size: averaging whole pixel blocks first (reduce(), as the
# JPEG's draft decode does in the DCT domain) leaves the filter a short step; gap 2 keeps its quality.
DISPLAY_REDUCING_GAP = 2.0
PRINT_RESAMPLE = Image.Resampling.LANCZOS

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"
ACCEPTED_FORMATS = (JPEG, PNG, WEBP, HEIC, HEIF)

_FORMAT_NAMES = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", HEIC: "HEIC", HEIF: "HEIF"}
_ACCEPTED_PHRASE = "a JPEG, PNG, WebP or HEIC image"
_SNIFF_BYTES = 512
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
# Only to name what was sent instead of a photo; none of these is accepted.
_OTHER_MAGIC = (
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
_SWAPS_AXES = {5, 6, 7, 8}
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
"""How to turn a stored image upright for each EXIF orientation (as ImageOps.exif_transpose does)."""
_UTC_OFFSET = re.compile(r"[+-]\d\d:\d\d")

ImageSource = bytes | str | os.PathLike[str]
RejectionCode = Literal[
    "unsupported_format", "decompression_bomb", "truncated_image", "corrupt_image"
]


class ImageRejected(Exception):
    """An upload that is not an acceptable photo; `code` is stable, `message` is for people."""

    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message)
        self.code: RejectionCode = code
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    """What a photo's content says about it: format, stored size, orientation and EXIF summary.

    `exif` always has the keys capture_time, gps, make and model (None when absent) and holds only
    JSON types. For HEIC, libheif applies the container's rotation while decoding, so width and
    height are already upright and orientation is 1 or None.
    """

    media_type: str
    width: int
    height: int
    orientation: int | None
    exif: dict[str, Any]


def inspect_image(source: ImageSource, *, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Verify that source is a complete, accepted image and return what it says about itself."""
    _, info = _load(source, box=None, max_pixels=max_pixels)
    return info


def check_container(source: ImageSource, *, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Verify source's container without decoding a pixel, and return what its headers say.

    What the request that finishes an upload can afford: the format by content, the declared size
    against max_pixels, completeness from the structure (a JPEG's segments and scans up to its EOI
    marker, a HEIF's boxes and item extents, a WebP's RIFF length, a PNG's IEND chunk) and the EXIF.
    Damage inside the compressed pixels is only found by the full decode (`ingest_image`), which
    runs in a job.
    """
    with _binary(source) as fp:
        media_type = _sniff(fp.read(_SNIFF_BYTES))
        open_image = _opener(media_type)
        fp.seek(0)
        with _rejecting_undecodable(media_type):
            if media_type == JPEG:
                _check_jpeg_structure(fp)
            elif media_type == PNG:
                _check_png_end(fp)
            elif media_type == WEBP:
                _check_riff_length(fp)
            elif media_type in (HEIC, HEIF):
                _check_heif_extents(fp, media_type)
            fp.seek(0)
            image = open_image(fp)  # reads the headers only; load() is what decodes
            width, height = image.size
            _check_pixels(width, height, max_pixels)
            exif = _exif_of(image)
    return ImageInfo(media_type, width, height, _orientation(exif), _exif_summary(exif))


# After a scan's header, entropy-coded data never holds 0xFF followed by anything but 0x00 (a
# stuffed byte), a restart marker 0xD0-0xD7 or fill 0xFF: any other pair is the next marker.
_JPEG_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _check_jpeg_structure(fp: IO[bytes]) -> None:
    """Reject a JPEG whose segments overrun the file or which ends before its EOI marker."""
    data = fp.read()
    pos = 2  # after SOI
    end = len(data)
    while True:
        match = _JPEG_MARKER.search(data, pos)
        if match is None:
            raise ImageRejected("truncated_image", _truncated_message(JPEG))
        marker = data[match.start() + 1]
        pos = match.end()
        if marker == 0xD9:  # EOI: anything after it (a maker's trailer) is not ours to judge
            return
        if marker in _JPEG_STANDALONE:
            continue
        if pos + 2 > end:
            raise ImageRejected("truncated_image", _truncated_message(JPEG))
        length = struct.unpack_from(">H", data, pos)[0]
        if length < 2:
            raise ImageRejected("corrupt_image", "the JPEG has a segment of impossible length")
        pos += length
        if pos > end:
            raise ImageRejected("truncated_image", _truncated_message(JPEG))
        # Outside a scan, segments follow each other directly; after SOS the entropy data runs to
        # the next marker, which the search finds. Both are handled by searching from pos.


def _check_png_end(fp: IO[bytes]) -> None:
    """Reject a PNG that does not end with its IEND chunk."""
    fp.seek(-12, os.SEEK_END) if fp.seek(0, os.SEEK_END) >= 12 else fp.seek(0)
    if fp.read(12)[4:8] != b"IEND":
        raise ImageRejected("truncated_image", _truncated_message(PNG))


def make_derivatives(source: ImageSource, *, max_pixels: int = MAX_PIXELS) -> dict[str, bytes]:
    """Return {"thumb", "display"} upright RGB JPEGs without metadata, made from one decode."""
    _, derivatives = ingest_image(source, max_pixels=max_pixels)
    return derivatives


def ingest_image(
    source: ImageSource, *, max_pixels: int = MAX_PIXELS
) -> tuple[ImageInfo, dict[str, bytes]]:
    """Verify an uploaded photo, read its EXIF and make its thumb and display copies: one decode.

    After the decode, the work is shared with one helper thread (Pillow releases the GIL while it
    resamples and encodes): each makes half of the display copy, then the helper makes the
    thumbnail while this thread encodes the display copy.
    """
    display_box = (DISPLAY_LONG_EDGE, DISPLAY_LONG_EDGE)
    image, info = _load(source, box=display_box, max_pixels=max_pixels)
    upright, icc_profile = _upright_rgb(image, info.orientation)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="imaging") as helper:
        display = _shrink_in_halves(upright, display_box, DISPLAY_RESAMPLE, helper)

        def thumb_bytes() -> bytes:
            # The display copy is already small, so the thumbnail costs little and matches it.
            thumb = _shrink(
                display, (THUMB_LONG_EDGE, THUMB_LONG_EDGE), THUMB_RESAMPLE, THUMB_REDUCING_GAP
            )
            return _jpeg_bytes(thumb, THUMB_JPEG_QUALITY, icc_profile)

        thumb = helper.submit(thumb_bytes)
        display_bytes = _jpeg_bytes(display, DISPLAY_JPEG_QUALITY, icc_profile)
        return info, {"thumb": thumb.result(), "display": display_bytes}


def downscale_for_print(
    source: ImageSource, *, target_px: tuple[int, int], max_pixels: int = MAX_PIXELS
) -> bytes:
    """Return an upright RGB JPEG that fits inside target_px (width, height), never enlarged."""
    image, info = _load(source, box=target_px, max_pixels=max_pixels)
    upright, icc_profile = _upright_rgb(image, info.orientation)
    return _jpeg_bytes(_shrink(upright, target_px, PRINT_RESAMPLE), PRINT_JPEG_QUALITY, icc_profile)


def _load(
    source: ImageSource, *, box: tuple[int, int] | None, max_pixels: int
) -> tuple[ImageFile.ImageFile, ImageInfo]:
    """Open source by content, check its size from the header, then decode it fully, once.

    A JPEG is decoded at the smallest 1/2, 1/4 or 1/8 scale still covering box once upright
    (the smallest scale of all when box is None).
    """
    with _binary(source) as fp:
        media_type = _sniff(fp.read(_SNIFF_BYTES))
        open_image = _opener(media_type)
        fp.seek(0)
        with _rejecting_undecodable(media_type):
            if media_type == WEBP:
                _check_riff_length(fp)
            elif media_type in (HEIC, HEIF):
                _check_heif_extents(fp, media_type)
            image = open_image(fp)
            width, height = image.size
            _check_pixels(width, height, max_pixels)
            exif = _exif_of(image)
            orientation = _orientation(exif)
            # Draft mode only shrinks libjpeg's IDCT output: every scan is still entropy-decoded
            # up to the EOI marker, so a file cut short still fails in load() (checked for baseline
            # and progressive files cut at 60% and one byte short). Other formats ignore draft()
            # except pillow_heif, which would swap in an embedded thumbnail and leave the primary
            # image unverified.
            if media_type == JPEG:
                image.draft("RGB", _draft_size((width, height), box, orientation))
            image.load()
    info = ImageInfo(media_type, width, height, orientation, _exif_summary(exif))
    return image, info


@contextmanager
def _binary(source: ImageSource) -> Iterator[IO[bytes]]:
    """Yield a read-only binary stream over source, closing it afterwards if it is a file."""
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as fp:
            yield fp


def _sniff(head: bytes) -> str:
    """Return the media type announced by a file's first bytes, whatever its name says."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _iso_media_type(head)
    for magic, media_type in _OTHER_MAGIC:
        if head.startswith(magic):
            return media_type
    if not head:
        return "empty"
    return "text/plain" if _looks_like_text(head) else "application/octet-stream"


def _iso_media_type(head: bytes) -> str:
    """Tell HEIC/HEIF from AVIF and video in an ISO base media file by its ftyp brands."""
    box_end = min(len(head), struct.unpack(">I", head[:4])[0])
    major = head[8:12]
    brands = [major] + [head[i : i + 4] for i in range(16, box_end - 3, 4)]
    # AVIF files list mif1 too, so the AV1 brands must win over the generic HEIF ones.
    families = ((_AVIF_BRANDS, "image/avif"), (_HEIC_BRANDS, HEIC), (_HEIF_BRANDS, HEIF))
    for family, media_type in families:
        if major in family or any(brand in family for brand in brands):
            return media_type
    return "video/quicktime" if major == b"qt  " else "video/mp4"


def _looks_like_text(head: bytes) -> bool:
    """Whether head reads as UTF-8 text (the usual wrong upload: a note or an HTML error page)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window does not make the file binary.
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\n\r\f\ufeff" for ch in text)


# Image.open() is bypassed on purpose: it applies Pillow's process-wide MAX_IMAGE_PIXELS (a
# warning above 89 MP, an error above 179 MP), which would cap max_pixels whatever config says.
# Opening with the format's own plugin class leaves _check_pixels as the one limit, applied
# to the header before any pixel is decoded.
def _opener(media_type: str) -> Callable[[IO[bytes]], ImageFile.ImageFile]:
    """Return the Pillow plugin class that reads media_type, or reject the upload."""
    if media_type == JPEG:
        return JpegImagePlugin.JpegImageFile
    if media_type == PNG:
        return PngImagePlugin.PngImageFile
    if media_type == WEBP:
        return WebPImagePlugin.WebPImageFile
    if media_type in (HEIC, HEIF):
        heif_image_file = _heif_image_file()
        if heif_image_file is None:
            raise ImageRejected(
                "unsupported_format",
                f"the file is {media_type}, but this server cannot read HEIC/HEIF images "
                "(pillow_heif is not installed); send a JPEG, PNG or WebP image",
            )
        return heif_image_file
    raise ImageRejected("unsupported_format", f"the file is {media_type}, not {_ACCEPTED_PHRASE}")


@functools.cache
def _heif_image_file() -> Callable[[IO[bytes]], ImageFile.ImageFile] | None:
    """Register pillow_heif with Pillow on first use; None when it is not installed."""
    try:
        from pillow_heif import register_heif_opener
        from pillow_heif.as_plugin import HeifImageFile
    except ImportError:
        return None
    register_heif_opener()
    return HeifImageFile


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    """Reject an image whose header declares more pixels than max_pixels."""
    if width * height > max_pixels:
        raise ImageRejected(
            "decompression_bomb",
            f"image is {width}×{height} = {_megapixels(width * height)} megapixels, "
            f"above the {_megapixels(max_pixels)}-megapixel limit",
        )


def _megapixels(pixels: int) -> str:
    """Format a pixel count in megapixels with at most one decimal: 625, 80.1."""
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0")


def _check_riff_length(fp: IO[bytes]) -> None:
    """Reject a WebP shorter than its RIFF header says; libwebp only reports a failed decoder."""
    declared = 8 + struct.unpack("<I", fp.read(8)[4:8])[0]
    actual = fp.seek(0, os.SEEK_END)
    fp.seek(0)
    if actual < declared:
        raise ImageRejected("truncated_image", _truncated_message(WEBP))


# libheif decodes a HEIC whose tiles lie past the end of the file without an error (the missing
# tiles come out green), so completeness is checked from the container: every top-level box must
# fit in the file, and every byte range the item locations (iloc) name must lie within it.
def _check_heif_extents(fp: IO[bytes], media_type: str) -> None:
    """Reject a HEIC/HEIF that ends before a box or an item's data it declares."""
    data = fp.read()
    fp.seek(0)
    meta = None
    for kind, start, end in _iso_boxes(data, 0, len(data), media_type):
        if kind == b"meta":
            meta = (start + 4, end)  # a full box: version and flags come first
    if meta is None:
        return  # no item locations to check; the decoder reports what is missing
    boxes = {kind: (start, end) for kind, start, end in _iso_boxes(data, *meta, media_type)}
    if b"iloc" in boxes:
        idat = boxes.get(b"idat")
        for method, offset, length in _iloc_extents(data, *boxes[b"iloc"], media_type):
            limit = len(data) if method == 0 else (idat[1] - idat[0] if idat else 0)
            if method in (0, 1) and offset + length > limit:
                raise ImageRejected("truncated_image", _truncated_message(media_type))


def _iso_boxes(data: bytes, start: int, end: int, media_type: str) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload start, payload end) of the ISO BMFF boxes in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise ImageRejected("truncated_image", _truncated_message(media_type))
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos  # the last box runs to the end of the file
        if size < header:
            raise ImageRejected("corrupt_image", f"the {_FORMAT_NAMES[media_type]} has a box of impossible size")
        if pos + size > end:
            raise ImageRejected("truncated_image", _truncated_message(media_type))
        yield kind, pos + header, pos + size
        pos += size


def _iloc_extents(data: bytes, start: int, end: int, media_type: str) -> Iterator[tuple[int, int, int]]:
    """Yield (construction method, offset, length) of every extent in an iloc box's payload."""
    reader = _FieldReader(data, start, end, media_type)
    version = reader.uint(1)
    reader.uint(3)  # flags
    sizes = reader.uint(1)
    offset_size, length_size = sizes >> 4, sizes & 0x0F
    sizes = reader.uint(1)
    base_offset_size, index_size = sizes >> 4, (sizes & 0x0F if version in (1, 2) else 0)
    id_size = 2 if version < 2 else 4
    for _item in range(reader.uint(id_size)):
        reader.uint(id_size)
        method = reader.uint(2) & 0x0F if version in (1, 2) else 0
        reader.uint(2)  # data reference index
        base = reader.uint(base_offset_size)
        for _extent in range(reader.uint(2)):
            reader.uint(index_size)
            offset, length = reader.uint(offset_size), reader.uint(length_size)
            yield method, base + offset, length


class _FieldReader:
    """Big-endian unsigned fields of 0-8 bytes read in order from data[start:end]."""

    def __init__(self, data: bytes, start: int, end: int, media_type: str) -> None:
        self.data, self.pos, self.end, self.media_type = data, start, end, media_type

    def uint(self, size: int) -> int:
        if self.pos + size > self.end:
            raise ImageRejected("corrupt_image", f"the {_FORMAT_NAMES[self.media_type]}'s item locations are cut short")
        value = int.from_bytes(self.data[self.pos:self.pos + size], "big")
        self.pos += size
        return value


def _truncated_message(media_type: str) -> str:
    """Explain a truncated upload, which usually means the phone's upload was cut off."""
    return f"the {_FORMAT_NAMES[media_type]} is truncated (ends before the image data is complete)"


@contextmanager
def _rejecting_undecodable(media_type: str) -> Iterator[None]:
    """Turn Pillow's and pillow_heif's errors about the file's content into ImageRejected."""
    try:
        yield
    except Image.DecompressionBombError as exc:
        # Only WebP gets here: its plugin applies Pillow's own limit before ours can run.
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise ImageRejected(
            "decompression_bomb",
            f"image is above the {_megapixels(limit)}-megapixel limit Pillow applies to WebP",
        ) from exc
    # The first four are what Image.open() treats as "not this format"; the rest, decode failures.
    except (SyntaxError, IndexError, TypeError, struct.error, OSError, ValueError, EOFError) as exc:
        # Subclasses of OSError (file missing, permission denied) are about storage, not content.
        if isinstance(exc, OSError) and type(exc) is not OSError:
            raise
        text = str(exc)
        if "truncated" in text or "end of file" in text.lower():
            raise ImageRejected("truncated_image", _truncated_message(media_type)) from exc
        name = _FORMAT_NAMES[media_type]
        raise ImageRejected("corrupt_image", f"the {name} cannot be decoded ({text})") from exc


def _exif_of(image: Image.Image) -> Image.Exif:
    """Return the image's EXIF; a damaged EXIF block reads as empty, the photo is still usable."""
    try:
        return image.getexif()
    except (SyntaxError, ValueError, TypeError, struct.error, IndexError, KeyError):
        return Image.Exif()


def _orientation(exif: Image.Exif) -> int | None:
    """Return the EXIF orientation 1-8, or None when absent or invalid."""
    value = exif.get(Base.Orientation)
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _draft_size(
    size: tuple[int, int], box: tuple[int, int] | None, orientation: int | None
) -> tuple[int, int]:
    """Return the stored-orientation size a JPEG draft decode must still cover."""
    if box is None:
        return (1, 1)
    if orientation in _SWAPS_AXES:
        box = (box[1], box[0])
    width, height = size
    scale = min(box[0] / width, box[1] / height, 1.0)
    return (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))


def _exif_summary(exif: Image.Exif) -> dict[str, Any]:
    """Return capture time, GPS fix, make and model from EXIF, as JSON types."""
    try:
        details = exif.get_ifd(IFD.Exif)
        gps = exif.get_ifd(IFD.GPSInfo)
    except (SyntaxError, ValueError, TypeError, struct.error, IndexError, KeyError):
        details, gps = {}, {}
    return {
        "capture_time": _capture_time(details),
        "gps": _gps_fix(gps),
        "make": _text(exif.get(Base.Make)),
        "model": _text(exif.get(Base.Model)),
    }


def _text(value: object) -> str | None:
    """Return an EXIF ASCII value without padding, or None when empty or not text."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ") or None


def _capture_time(details: dict[int, Any]) -> str | None:
    """Return DateTimeOriginal as ISO 8601, with its UTC offset when the camera recorded one."""
    stamp = _text(details.get(Base.DateTimeOriginal))
    if stamp is None:
        return None
    try:
        taken = datetime.strptime(stamp, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # cameras without a set clock write blanks or zeros here
    subsec = _text(details.get(Base.SubsecTimeOriginal))
    if subsec and subsec.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        taken = taken.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    offset = _text(details.get(Base.OffsetTimeOriginal))
    if offset and _UTC_OFFSET.fullmatch(offset) and int(offset[1:3]) < 24 and int(offset[4:6]) < 60:
        taken = datetime.fromisoformat(taken.isoformat() + offset)
    return taken.isoformat()


def _gps_fix(gps: dict[int, Any]) -> dict[str, Any] | None:
    """Return lat/lon in signed decimal degrees, altitude, accuracy and GPS time, or None."""
    lat = _degrees(gps.get(GPS.GPSLatitude), gps.get(GPS.GPSLatitudeRef), "S")
    lon = _degrees(gps.get(GPS.GPSLongitude), gps.get(GPS.GPSLongitudeRef), "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    altitude = _number(gps.get(GPS.GPSAltitude))
    if altitude is not None and gps.get(GPS.GPSAltitudeRef) in (1, b"\x01"):
        altitude = -altitude  # reference 1 means below sea level
    accuracy = _number(gps.get(GPS.GPSHPositioningError))
    return {
        "lat": round(lat, 7),
        "lon": round(lon, 7),
        "altitude_m": None if altitude is None else round(altitude, 2),
        "accuracy_m": None if accuracy is None else round(accuracy, 2),
        "time": _gps_time(gps.get(GPS.GPSDateStamp), gps.get(GPS.GPSTimeStamp)),
    }


def _number(value: object) -> float | None:
    """Return an EXIF rational as a finite float, or None (a zero denominator reads as NaN)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value: object, ref: object, negative_ref: str) -> float | None:
    """Return EXIF (degrees, minutes, seconds) as signed decimal degrees, or None."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    parts = [_number(part) for part in value]
    if any(part is None for part in parts):
        return None
    degrees, minutes, seconds = parts
    decimal = degrees + minutes / 60 + seconds / 3600  # type: ignore[operator]
    return -decimal if _text(ref) == negative_ref else decimal


def _gps_time(date_stamp: object, time_stamp: object) -> str | None:
    """Return the satellite UTC time of the fix as ISO 8601, or None."""
    date_text = _text(date_stamp)
    if date_text is None or not isinstance(time_stamp, tuple) or len(time_stamp) != 3:
        return None
    parts = [_number(part) for part in time_stamp]
    if any(part is None for part in parts):
        return None
    hours, minutes, seconds = parts
    try:
        day = datetime.strptime(date_text, "%Y:%m:%d").replace(tzinfo=timezone.utc)
        whole = int(seconds)  # type: ignore[arg-type]
        fix = day.replace(
            hour=int(hours),  # type: ignore[arg-type]
            minute=int(minutes),  # type: ignore[arg-type]
            second=whole,
            microsecond=round((seconds - whole) * 1_000_000),  # type: ignore[operator]
        )
    except ValueError:
        return None
    return fix.isoformat()


def _upright_rgb(image: Image.Image, orientation: int | None) -> tuple[Image.Image, bytes | None]:
    """Apply EXIF orientation and flatten to RGB; return it with the ICC profile worth keeping."""
    # Only an RGB profile still describes the pixels after conversion to RGB.
    icc_profile = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    # Not ImageOps.exif_transpose: it also rewrites the EXIF without the orientation tag, which
    # raises on a damaged tag elsewhere in it; the copies carry no EXIF anyway.
    if orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[orientation])
    if image.mode.startswith("I;16"):
        # Converting 16-bit greyscale straight to RGB clips every mid-tone to white.
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent areas (screenshots, exported PNGs) would otherwise turn black.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat, icc_profile
    return (image if image.mode == "RGB" else image.convert("RGB")), icc_profile


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """Return size scaled to fit inside box, keeping its aspect ratio; never enlarged."""
    width, height = size
    scale = min(box[0] / width, box[1] / height)
    if scale >= 1:
        return size
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def _shrink(
    image: Image.Image,
    box: tuple[int, int],
    resample: Image.Resampling,
    reducing_gap: float = 2.0,
) -> Image.Image:
    """Return image scaled to fit inside box, keeping its aspect ratio; never enlarged."""
    size = _fit(image.size, box)
    return image if size == image.size else image.resize(size, resample, reducing_gap=reducing_gap)


def _shrink_in_halves(
    image: Image.Image, box: tuple[int, int], resample: Image.Resampling, helper: Executor
) -> Image.Image:
    """Like _shrink, with the bottom half of the result resampled on helper meanwhile.

    A resize of a box reads the source rows around it that the filter needs, so the halves join
    without a seam; pixels differ from one whole resize by at most one level of rounding.
    """
    size = _fit(image.size, box)
    if size == image.size or size[1] < 2:
        return _shrink(image, box, resample)
    width, height = image.size
    cut = size[1] // 2
    source_cut = cut * height / size[1]
    bottom = helper.submit(
        image.resize, (size[0], size[1] - cut), resample, (0, source_cut, width, height),
        DISPLAY_REDUCING_GAP,
    )
    whole = Image.new(image.mode, size)
    whole.paste(image.resize((size[0], cut), resample, (0, 0, width, source_cut), DISPLAY_REDUCING_GAP), (0, 0))
    whole.paste(bottom.result(), (0, cut))
    return whole


def _jpeg_bytes(image: Image.Image, quality: int, icc_profile: bytes | None) -> bytes:
    """Encode image as a JPEG carrying no EXIF, XMP or comment (no GPS leaves in a copy)."""
    # Pillow writes a JPEG comment found in image.info, so the copy's info is emptied first.
    image.info = {}
    buffer = io.BytesIO()
    options: dict[str, Any] = {"quality": quality}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()
