"""An amendment's changes in words: what a reviewer reads between two submitted revisions.

The sync service keeps each revision's diff as field paths and stored values ("findings.G02.result":
"fail" → "pass", a photo row as a dict). Here each becomes a line a person reads: the field's name
in the console's language (检查项 G02 … · 结果), the old and new value as they are written on the
record (不符合 → 符合, local times, names instead of ids, （空） for nothing), and the photo or
signature image where one was added, removed or replaced.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..database import db
from ..i18n import t
from ..models import Agency, Campaign, ChecklistTemplate, Inspection, Party, Sample, User

SIGNIFICANT_DIGITS = 12  # a measured value never has more; beyond them is binary floating-point noise

INSPECTION_FIELDS = {
    "place": "place", "lat": "col_lat", "lon": "col_lon", "gpsAccuracyM": "col_accuracy",
    "startedAtDevice": "diff_started_at", "endedAtDevice": "diff_ended_at",
    "certificatesAnswer": "certificates_answer", "recusalAnswer": "recusal_answer", "narrative": "narrative",
    "partyStatement": "party_statement", "closingAnswer": "closing_answer", "inspectors": "inspectors",
    "partyID": "party", "templateID": "diff_template", "campaignID": "diff_campaign", "agencyID": "diff_agency",
    "createdByID": "diff_created_by",
}
FINDING_FIELDS = {"result": "result", "value": "col_value", "note": "note"}
SAMPLE_FIELDS = {
    "name": "sample_name", "brand": "col_brand", "spec": "col_spec", "batchNo": "batch_no",
    "productionDate": "col_production_date", "maker": "maker", "standard": "col_standard", "quantity": "quantity",
    "baseQuantity": "base_quantity", "backupQuantity": "backup_quantity", "sealNumbers": "seal_numbers",
    "note": "note",
}
PHOTO_FIELDS = {
    "sha256": "diff_original", "size": "diff_size", "mediaType": "diff_media_type", "caption": "diff_caption",
    "itemKey": "diff_item_key", "takenAtDevice": "diff_taken_at", "exifTakenAt": "diff_exif_time",
    "lat": "col_lat", "lon": "col_lon", "gpsAccuracyM": "col_accuracy", "displaySha256": "diff_display_copy",
    "displaySize": "diff_size",
}
SIGNATURE_FIELDS = {
    "role": "diff_role", "status": "diff_status", "signerName": "diff_signer", "userID": "diff_user",
    "imageSha256": "diff_image", "refusalReason": "refusal_reason", "witnessName": "witness",
    "signedAtDevice": "diff_signed_at",
}
IMAGE_FIELDS = {("photos", "sha256"): "thumb", ("photos", "displaySha256"): "thumb",
                ("signatures", "imageSha256"): "signature"}


@dataclass(frozen=True)
class Image:
    sha256: str
    kind: str  # "thumb": a photo's thumbnail; "signature": the drawn signature itself


@dataclass(frozen=True)
class ChangeLine:
    what: str
    before: str
    after: str
    before_image: Image | None = None
    after_image: Image | None = None


def plain_number(value: float) -> float | int:
    """A number as it was recorded, without the noise of its binary form (0.3, not 0.30000000000000004)."""
    clean = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return int(clean) if clean.is_integer() else clean


def change_lines(inspection: Inspection, diff: Any) -> list[ChangeLine]:
    """The lines of one amendment's diff ([{"path", "old", "new"}], or an older {path: {old, new}})."""
    if isinstance(diff, dict):
        diff = [{"path": path, "old": change.get("old"), "new": change.get("new")}
                for path, change in diff.items() if isinstance(change, dict)]
    words = _Words(inspection)
    return [words.line(str(change.get("path") or ""), change.get("old"), change.get("new"))
            for change in diff or [] if isinstance(change, dict)]


class _Words:
    """Names and values of one case's rows, looked up once."""

    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection
        self.labels = {item["key"]: item["label"] for item in inspection.template.items()}
        self.samples = {s.id: s.name for s in db.session.query(Sample).filter(Sample.inspection_id == inspection.id)}

    def line(self, path: str, old: Any, new: Any) -> ChangeLine:
        section, _, rest = path.partition(".")
        row, _, field = rest.partition(".") if section != "inspection" else ("", "", rest)
        if section == "inspection":
            return self._field_line(t(INSPECTION_FIELDS.get(field, ""), default=field), section, field, old, new)
        subject = self._subject(section, row, old if old is not None else new)
        if not field:  # a whole row added or removed
            state = t("added") if old is None else t("removed")
            return ChangeLine(f"{subject}（{state}）", self._summary(section, old), self._summary(section, new),
                              self._row_image(section, old), self._row_image(section, new))
        names = {"findings": FINDING_FIELDS, "samples": SAMPLE_FIELDS, "photos": PHOTO_FIELDS,
                 "signatures": SIGNATURE_FIELDS}.get(section, {})
        return self._field_line(f"{subject} · {t(names.get(field, ''), default=field)}", section, field, old, new)

    def _field_line(self, what: str, section: str, field: str, old: Any, new: Any) -> ChangeLine:
        kind = IMAGE_FIELDS.get((section, field))
        return ChangeLine(what, self.value(field, old), self.value(field, new),
                          Image(old, kind) if kind and old else None, Image(new, kind) if kind and new else None)

    def _subject(self, section: str, row: str, values: Any) -> str:
        values = values if isinstance(values, dict) else {}
        if section == "findings":
            return f"{t('item')} {row} {self.labels.get(row, '')}".rstrip()
        if section == "samples":
            return f"{t('samples')} {values.get('name') or self.samples.get(row) or ''}".rstrip()
        if section == "photos":
            return t("photo")
        if section == "signatures":
            return f"{t('signature')}（{t('signer_' + values['role'])}）" if values.get("role") else t("signature")
        return section

    def _summary(self, section: str, row: Any) -> str:
        if not isinstance(row, dict):
            return self.value("", row)
        if section == "findings":
            shown = [self.value("result", row.get("result")) if row.get("result") else None,
                     self.value("value", row.get("value")) if row.get("value") not in (None, "") else None,
                     row.get("note")]
        elif section == "samples":
            shown = [row.get("name"), row.get("quantity"), row.get("batchNo")]
        elif section == "photos":
            shown = [row.get("caption"), self.labels.get(row.get("itemKey") or "")]
        elif section == "signatures":
            shown = [row.get("signerName"), self.value("status", row.get("status")), row.get("refusalReason")]
        else:
            shown = []
        return "；".join(str(x) for x in shown if x) or t("empty_value")

    @staticmethod
    def _row_image(section: str, row: Any) -> Image | None:
        if not isinstance(row, dict):
            return None
        if section == "photos" and (row.get("displaySha256") or row.get("sha256")):
            return Image(row.get("sha256") or row["displaySha256"], "thumb")
        if section == "signatures" and row.get("imageSha256"):
            return Image(row["imageSha256"], "signature")
        return None

    def value(self, field: str, value: Any) -> str:
        """A stored value as the record writes it."""
        from .case_view import local_time  # case_view builds its revisions from here: imported when used

        if value is None or value == "" or value == []:
            return t("empty_value")
        if isinstance(value, bool):
            return t("yes") if value else t("no")
        if field == "result":
            return t("result_" + str(value), default=str(value))
        if field == "role":
            return t("signer_" + str(value), default=str(value))
        if field == "status":
            return t("signature_" + str(value), default=str(value))
        if field in ("partyID", "templateID", "campaignID", "agencyID", "createdByID", "userID"):
            return self._name(field, value)
        if field == "itemKey":
            return f"{value} {self.labels.get(value, '')}".rstrip()
        if field.endswith("Sha256") or field == "sha256":
            return f"SHA-256 {str(value)[:12]}…"
        if isinstance(value, str) and field.endswith(("AtDevice", "At")):
            try:
                return local_time(datetime.fromisoformat(value))
            except ValueError:
                return value
        if isinstance(value, float):
            return str(plain_number(value))
        if isinstance(value, list):
            return "、".join(v.get("displayName", "") if isinstance(v, dict) else str(v) for v in value)
        if isinstance(value, dict):
            return "；".join(f"{k}：{v}" for k, v in value.items())
        return str(value)

    @staticmethod
    def _name(field: str, value: Any) -> str:
        model, attr = {"partyID": (Party, "name"), "templateID": (ChecklistTemplate, "title"),
                       "campaignID": (Campaign, "name"), "agencyID": (Agency, "name"),
                       "createdByID": (User, "display_name"), "userID": (User, "display_name")}[field]
        row = db.session.get(model, value)
        return getattr(row, attr) if row is not None else str(value)
