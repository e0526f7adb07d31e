"""The fixed wording of the printed documents and how dates are written in them.

Kept in one place so that the legal text can be checked (and changed) without reading layout
code. Sources: reference/enforcement-records.md §3.1, §3.3, §3.4, §3.9.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from xml.sax.saxutils import escape

from .data import GeoPoint, Inspector, ResultStatus, Signature
from .fonts import fallback_markup

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))

UNNUMBERED = "待编号"
# The inspection record's own number (the 文号 given on approval). Not "案号": readers take that
# for the number of a 行政处罚 case, which an inspection is not (yet).
RECORD_NUMBER_LABEL = "检查记录编号"

# Printed diagonally across every page of a record that is not approved: such a print is no
# official document and carries no 文号 (services/case_file.py prints approved records clean).
WATERMARKS = {
    "draft": "草稿 · 非正式文书",
    "submitted": "待审核",
    "returned": "已退回",
    "rejected": "不予通过",
}

STATUS_LABELS = {
    ResultStatus.FAIL: "不符合",
    ResultStatus.PASS: "符合",
    ResultStatus.NA: "不适用",
    ResultStatus.VALUE: "记录",
}
AUTHORITY_LABELS = {"SAMR": "市场监管", "MARA": "农业农村", "both": "市场监管、农业农村"}

SAMPLER_DECLARATION = "本次抽样已按要求执行完毕，样品经双方人员共同确认，并作记录如上。"
SAMPLED_PARTY_DECLARATION = "我认真负责地填写（提供）了以上内容，确认填写内容及所抽样品的真实、可靠。"
EVIDENCE_CONFIRMATION = "证据提供人确认：以上照片与原件一致。"
# On a sheet whose photo is missing nobody can have confirmed it: this is printed instead.
EVIDENCE_MISSING = "照片缺失：本证据提取单未附照片，证据提供人未作确认。"
SEAL_LABEL = "（印章）"
PHOTO_NOT_UPLOADED = "照片原件尚未上传"
PHOTO_UNREADABLE = "照片无法读取"
PHOTO_HASH_MISMATCH = "照片与登记的 SHA-256 不一致"
PHOTO_TOO_SMALL = "注意：该照片仅 {w}×{h} 像素，过小，无法清晰印制；按原始大小印制，细节可能无法辨认。"


def local(moment: datetime) -> datetime:
    """`moment` in local (China Standard) time; naive datetimes are taken as local already."""
    return moment.astimezone(CHINA_STANDARD_TIME) if moment.tzinfo else moment


def cn_date(day: date | datetime) -> str:
    """2026年3月5日"""
    if isinstance(day, datetime):
        day = local(day)
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment: datetime) -> str:
    """2026年3月5日9时5分"""
    moment = local(moment)
    return f"{cn_date(moment)}{moment.hour}时{moment.minute}分"


def cn_moment(moment: datetime | str | None) -> str:
    """2026年3月5日9时20分11秒, for evidence; a camera's own text is read if it is a time at all.

    EXIF times come as "2026:03:05 09:20:11" from the camera or ISO 8601 from the server's
    reading of it; anything else is printed as written.
    """
    if moment is None or moment == "":
        return "／"
    if isinstance(moment, str):
        parsed = _parse_camera_time(moment)
        if parsed is None:
            return moment
        moment = parsed
    return f"{cn_datetime(moment)}{local(moment).second}秒"


def _parse_camera_time(text: str) -> datetime | None:
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%Y:%m:%d %H:%M:%S")):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None


def cn_time_span(start: datetime, end: datetime) -> str:
    """`YYYY年M月D日H时m分 至 H时m分`; the end date is repeated only when it differs."""
    start, end = local(start), local(end)
    end_text = f"{end.hour}时{end.minute}分"
    if end.date() != start.date():
        end_text = cn_date(end) + end_text
    return f"{cn_datetime(start)} 至 {end_text}"


def iso_minute(moment: datetime) -> str:
    """2026-03-05 09:05:33, for tables where space is short."""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S")


def gps_text(point: GeoPoint) -> str:
    lat = f"{'北纬' if point.lat >= 0 else '南纬'}{abs(point.lat):.6f}°"
    lon = f"{'东经' if point.lon >= 0 else '西经'}{abs(point.lon):.6f}°"
    accuracy = f"（精度约 {point.accuracy_m:.0f} 米）" if point.accuracy_m is not None else ""
    return f"{lat}，{lon}{accuracy}"


def inspector_text(inspector: Inspector) -> str:
    return f"{inspector.name}（执法证号：{inspector.cert_no}）"


def certificates_question(agency: str, subject: str, inspectors: tuple[Inspector, ...]) -> str:
    cert_nos = "、".join(i.cert_no for i in inspectors)
    return (f"我们是{agency}的执法人员，现依法对你（单位）的{subject}进行现场检查。"
            f"这是我们的执法证件（证号：{cert_nos}），请过目。是否看清楚？")


RECUSAL_QUESTION = ("你（单位）有陈述和申辩的权利，同时负有如实回答询问、协助调查的义务。"
                    "如果你认为执法人员与本案有直接利害关系或者其他关系可能影响公正执法，"
                    "有申请回避的权利。是否申请回避？")


def closing_question(read_aloud: bool) -> str:
    how = "已向你宣读" if read_aloud else "请核对"
    return f"以上是本次现场检查的情况记录，{how}。如果属实请签名。"


REFUSAL_CELL = "当事人拒绝签名（详见现场笔录）"

_NUMERALS = "〇一二三四五六七八九十"


def cn_count(n: int) -> str:
    """一 … 十, then digits: how 一式N份 writes N."""
    return _NUMERALS[n] if 0 < n <= 10 else str(n)


def copies_line(copies: int) -> str:
    """本文书一式N份，M份送达，一份归档 (reference §3.9)."""
    if copies <= 1:
        return "本文书一式一份，归档。"
    return f"本文书一式{cn_count(copies)}份，{cn_count(copies - 1)}份送达，一份归档。"


def refusal_rows(signature: Signature) -> list[tuple[str, str]]:
    """The refusal as a table of (label, value), each detail that was recorded."""
    rows = [("拒绝签名时间", cn_datetime(signature.refused_at) if signature.refused_at else "／"),
            ("拒绝理由", signature.refusal_reason or "／"),
            ("见证人姓名", signature.witness_name or "／")]
    for label, value in (("见证人身份证号码", signature.witness_id_number),
                         ("见证人工作单位或职务", signature.witness_unit),
                         ("见证人联系电话", signature.witness_phone)):
        rows.append((label, value or "／"))
    recording = signature.recording
    if recording is not None and (recording.file_no or recording.device or recording.started_at):
        parts = [f"文件编号 {recording.file_no or '／'}", f"设备 {recording.device or '／'}",
                 f"开始时间 {cn_datetime(recording.started_at) if recording.started_at else '／'}"]
        rows.append(("执法记录仪录像", "；".join(parts)))
    else:
        rows.append(("执法记录仪录像", "未记录"))
    return rows


def evidence_explanation(when: datetime, place: str, party: str) -> str:
    return f"以上为执法人员于{cn_date(when)}对位于{place}的{party}进行检查时拍摄的照片。"


def evidence_deviation_note(deviation: tuple[str, ...], remark: str | None) -> str:
    """Said instead of evidence_explanation for a photo taken far from the inspection's time or place."""
    how_far = "，".join(deviation)
    facts = f"本照片拍摄时间或地点与本次检查不符（{how_far}）。" if how_far else ""
    return f"{facts}执法人员说明：{remark or '未说明原因'}"


def markup(text: str | None) -> str:
    """User text made safe for a ReportLab Paragraph; line breaks kept."""
    if not text:
        return ""
    return fallback_markup(escape(text)).replace("\r\n", "\n").replace("\n", "<br/>")


def or_blank(text: str | None) -> str:
    """Empty fields are struck through on paper (reference §3.1); printed as ／ here."""
    return text if text else "／"
