"""Photos that may not show the inspection: taken far from its time or its place (a gallery photo).

The phone warns when such a photo is attached and asks the inspector why; the reason travels as
the photo's `remark` (photo.add.v1). The console shows how far off each one is in human units,
an approval must confirm them (`decide` refuses otherwise), and the case file prints the remark
in place of the sentence that says the photo was taken at this inspection. The tolerances are
settings (PHOTO_MAX_HOURS_FROM_INSPECTION, PHOTO_MAX_METRES_FROM_INSPECTION).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..database import db
from ..i18n import MESSAGES, current_language
from ..models import Inspection, Photo
from .case_numbers import CHINA

EXIF_FORMATS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
DAYS_PER_YEAR = 365.2425


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def parse_exif_time(raw: str | None) -> datetime | None:
    """A camera's DateTimeOriginal as an instant; one without a UTC offset is taken as China time.

    Phones send it with the offset the camera wrote, or their own offset on that date when the
    camera wrote none; only rows older than that (and other clients) come without one.
    """
    if not raw:
        return None
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for fmt in EXIF_FORMATS:
            try:
                moment = datetime.strptime(text[:19], fmt)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


@dataclass(frozen=True)
class PhotoDeviation:
    """How far a photo is from its inspection, beyond the tolerances (None: within, or unknown)."""

    time_offset: timedelta | None  # capture time minus the inspection's start (or end, when after it)
    distance_m: float | None  # from the inspection's GPS fix

    def __bool__(self) -> bool:
        return self.time_offset is not None or self.distance_m is not None

    def phrases(self, lang: str | None = None) -> list[str]:
        """["早于检查 14 年", "距检查地点 9,100 公里"] in lang (default: the reader's language)."""
        lang = lang or current_language()
        out = []
        if self.time_offset is not None:
            key = "photo_before_inspection" if self.time_offset < timedelta(0) else "photo_after_inspection"
            out.append(_text(key, lang, span=human_span(abs(self.time_offset), lang)))
        if self.distance_m is not None:
            out.append(_text("photo_far_from_inspection", lang, distance=human_distance(self.distance_m, lang)))
        return out


def tolerances() -> tuple[timedelta, float]:
    """The configured time and distance a photo may lie from its inspection without a warning."""
    config = current_app.config
    return (timedelta(hours=config["PHOTO_MAX_HOURS_FROM_INSPECTION"]),
            float(config["PHOTO_MAX_METRES_FROM_INSPECTION"]))


def phone_tolerances() -> dict[str, float]:
    """The tolerances as the login answer hands them to phones (camelCase keys, plain numbers)."""
    max_time, max_metres = tolerances()
    return {"maxHoursFromInspection": max_time.total_seconds() / 3600, "maxMetresFromInspection": max_metres}


def photo_deviation(photo: Photo, inspection: Inspection) -> PhotoDeviation:
    """Where this photo's capture time and place lie beyond the tolerances from its inspection."""
    max_time, max_metres = tolerances()
    taken = parse_exif_time(photo.exif_taken_at)
    start = inspection.started_at_device
    offset = None
    if taken is not None and start is not None:
        end = max(inspection.ended_at_device or start, start)
        outside = taken - start if taken < start else taken - end if taken > end else timedelta(0)
        if abs(outside) > max_time:
            offset = taken - start if taken < start else taken - end
    distance = None
    if None not in (photo.lat, photo.lon, inspection.lat, inspection.lon):
        metres = distance_m(photo.lat, photo.lon, inspection.lat, inspection.lon)
        if metres > max_metres:
            distance = metres
    return PhotoDeviation(offset, distance)


def deviating_photos(inspection: Inspection) -> list[tuple[Photo, PhotoDeviation]]:
    """The case's live photos taken far from its time or place, in the order they were added."""
    photos = db.session.scalars(select(Photo).where(Photo.inspection_id == inspection.id, Photo.deleted_at.is_(None))
                                .order_by(Photo.created_at))
    found = [(photo, photo_deviation(photo, inspection)) for photo in photos]
    return [(photo, deviation) for photo, deviation in found if deviation]


def human_span(span: timedelta, lang: str) -> str:
    """A duration in the largest whole unit that fits: 14 年, 3 天, 5 小时, 40 分钟."""
    days = span.total_seconds() / 86400
    if days >= DAYS_PER_YEAR:
        return _text("span_years", lang, n=int(days // DAYS_PER_YEAR))
    if days >= 1:
        return _text("span_days", lang, n=int(days))
    hours = span.total_seconds() / 3600
    if hours >= 1:
        return _text("span_hours", lang, n=int(hours))
    return _text("span_minutes", lang, n=int(span.total_seconds() // 60))


def human_distance(metres: float, lang: str) -> str:
    """9,100 公里 / 3.2 公里 / 850 米 (kilometres from 1 km on, grouped by thousands)."""
    if metres < 1000:
        return _text("distance_metres", lang, n=f"{metres:,.0f}")
    km = metres / 1000
    return _text("distance_km", lang, n=f"{km:,.1f}" if km < 10 else f"{round(km, -2 if km >= 1000 else 0):,.0f}")


def _text(key: str, lang: str, **values: object) -> str:
    entry = MESSAGES[key]
    return entry.get(lang, entry["zh"]).format(**values)
