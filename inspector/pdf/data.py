"""The plain data one printed case file (案卷) is made from, gathered before rendering.

Nothing here knows about Flask, the database or ReportLab: the service layer fills these
frozen dataclasses from the models and hands a `CaseFile` to `CaseFileRenderer`.

Times: naive datetimes are printed as they are (taken to be local time); aware datetimes are
converted to China Standard Time (UTC+8) before printing.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import BinaryIO, Callable

OpenOriginal = Callable[[], "BinaryIO | None"]
"""Opens a photo's original bytes for reading, or returns None when they are not uploaded yet.

The renderer opens one photo at a time and closes the stream after use, so 40 originals of
12 megapixels never sit in memory together. Errors it raises (storage unreachable) propagate
out of `render()`: a case file is not printed with evidence missing because of an outage.
"""


def original_from_bytes(data: bytes) -> OpenOriginal:
    """An `OpenOriginal` over bytes already in memory (tests, small photos)."""
    return lambda: io.BytesIO(data)


def original_from_path(path: str | Path) -> OpenOriginal:
    """An `OpenOriginal` over a file; a file that does not exist counts as not uploaded."""
    def open_original() -> BinaryIO | None:
        try:
            return open(path, "rb")
        except FileNotFoundError:
            return None
    return open_original


class ResultStatus(str, Enum):
    """How one checklist answer is judged: 符合 / 不符合 / 不适用, or a recorded value."""

    PASS = "pass"
    FAIL = "fail"
    NA = "na"
    VALUE = "value"


class Authority(str, Enum):
    """Which department enforces the rule behind an item (reference §0.5)."""

    SAMR = "SAMR"  # 市场监管
    MARA = "MARA"  # 农业农村
    BOTH = "both"


@dataclass(frozen=True)
class Party:
    """当事人 block (reference §2), printed identically on every document."""

    name: str
    credit_code: str | None = None  # 统一社会信用代码（注册号）
    legal_representative: str | None = None  # 法定代表人（负责人、经营者）
    address: str | None = None  # 住所（住址）
    phone: str | None = None
    licences: tuple[str, ...] = ("营业执照",)  # 主体资格证照名称, one printable line each
    entity_type: str | None = None  # 主体类型 as printed: 企业 / 个体工商户 / 农民专业合作社 / 其他
    operator_id_number: str | None = None  # 经营者身份证号 (individual businesses), printed in full here


@dataclass(frozen=True)
class Inspector:
    name: str
    cert_no: str  # 执法证号


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class StandardAnswers:
    """The party's answers to the fixed questions of a 现场笔录 (reference §3.1, items 7, 8, 12)."""

    certificates_seen: str  # 是否看清楚？
    recusal: str  # 是否申请回避？
    closing: str  # 如果属实请签名。→ e.g. "以上记录属实"
    record_read_aloud: bool = False  # True: "已向你宣读"; False: "请核对"
    party_notified: str | None = None  # 通知当事人到场情况, optional


@dataclass(frozen=True)
class ChecklistItem:
    """One answered checklist item (检查项结果)."""

    key: str
    label: str
    kind: str  # pass_fail_na | number | text | choice | date
    result_text: str  # the answer as printed: "符合", "不符合", "12.5", "2026-03-01"…
    status: ResultStatus
    legal_basis: str | None = None
    authority: Authority | None = None
    note: str | None = None


@dataclass(frozen=True)
class ChecklistSection:
    title: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class Sample:
    """One sample (抽样), a row of the 抽样记录 table (reference §3.4)."""

    name: str
    quantity: str  # 抽样数量, with unit
    base_quantity: str  # 抽样基数, with unit
    brand: str | None = None
    spec: str | None = None
    batch_or_date: str | None = None  # 批号/生产日期
    maker: str | None = None  # 标称生产者
    standard: str | None = None  # 执行标准
    backup_quantity: str | None = None  # 备样数量
    seal_numbers: tuple[str, ...] = ()  # 检验样品封条编号
    note: str | None = None
    sample_no: str | None = None  # 抽样单编号
    sampled_at: datetime | str | None = None  # its own sampling time (as printed when a str); None: the inspection's
    lab_name: str | None = None  # 检验机构
    price_paid: str | None = None  # 购样费用, yuan
    backup_seal_numbers: tuple[str, ...] = ()  # 备份样品封条编号
    backup_storage: str | None = None  # 备样存放地点
    backup_condition: str | None = None  # 备样保存条件
    sealed_photo_refs: tuple[str, ...] = ()  # the 证据提取单 showing the sealed sample ("证据3")
    party_signature: "Signature | None" = None  # 被抽样单位经办人


@dataclass(frozen=True)
class Recording:
    """The 执法记录仪 recording of a refusal (reference §3.9: audio/video reference numbers)."""

    file_no: str | None = None
    device: str | None = None
    started_at: datetime | None = None


@dataclass(frozen=True)
class EvidencePhoto:
    """A photo printed on its own 证据提取单; its bytes may still be on the phone."""

    sha256: str
    caption: str
    inspector: Inspector  # 提取人
    open_original: OpenOriginal | None = field(default=None, compare=False, repr=False)
    item_label: str | None = None  # the checklist item the photo documents
    device_taken_at: datetime | None = None  # the phone's clock
    exif_taken_at: datetime | str | None = None  # as the camera wrote it
    gps: GeoPoint | None = None
    # Taken far from the inspection's time or place: how far ("早于检查 14 年"), and the inspector's
    # reason; the sheet then prints these instead of "taken at this inspection".
    deviation: tuple[str, ...] = ()
    remark: str | None = None
    document: str | None = None  # its 证据提取单's document key ("evidence:<photo id>"), see content.py


@dataclass(frozen=True)
class Signature:
    """A signature drawn on the phone, or (party only) a refusal with reason and witness."""

    name: str
    image_png: bytes | None = field(default=None, repr=False)
    signed_on: date | None = None
    refused: bool = False
    refusal_reason: str | None = None
    witness_name: str | None = None
    # A refusal's details, each optional (older records have none of them).
    refused_at: datetime | None = None
    witness_id_number: str | None = None
    witness_unit: str | None = None  # 工作单位或职务
    witness_phone: str | None = None
    recording: Recording | None = None
    # Documents (content.py keys) whose content changed after this signature attested it: the cell of
    # their pages prints this text ("所签为第1版，本页内容已于…修改，未重新签名") instead of the image.
    stale_on: dict[str, str] = field(default_factory=dict, hash=False)
    absent: bool = False  # the party was not there: `name` says so ("（当事人未到场）")

    def cell_text(self, document: str) -> str | None:
        """What a page of `document` prints in this signature's cell instead of the image, if anything."""
        if self.refused:
            return None
        if document in self.stale_on:
            return self.stale_on[document]
        if self.image_png is None:
            return self.name if self.absent else UNSIGNED
        return None

    def __post_init__(self) -> None:
        if self.refused and not (self.refusal_reason and self.witness_name):
            raise ValueError("a refusal to sign needs a reason and a witness (reference §3.9)")


UNSIGNED = "未签名"
"""A signature cell without an image: never the typed name, as if it had been signed."""


@dataclass(frozen=True)
class Signatures:
    party: Signature
    inspector1: Signature
    inspector2: Signature
    witness: Signature | None = None
    evidence_provider: Signature | None = None  # signs the 证据提取单 (提供人 confirms the photos)

    def __post_init__(self) -> None:
        for role in ("inspector1", "inspector2", "witness"):
            signature = getattr(self, role)
            if signature is not None and signature.refused:
                raise ValueError(f"only the party can refuse to sign, not {role}")


@dataclass(frozen=True)
class AuditEntry:
    """One action on the case, as the appendix prints it: no device names, browsers or client ids."""

    at: datetime  # when the server recorded it (for a phone's action: when it synced)
    actor: str
    action: str  # in words: "提交审核", "填写检查项 营业执照是否悬挂…"
    device: str | None = None  # kept for callers; not printed
    reason: str | None = None
    on_site_at: datetime | None = None  # the phone's clock when the action was taken, when known


@dataclass(frozen=True)
class AuditAnchor:
    """The audit chain's head when the document was issued, as a signed checkpoint vouches for it."""

    seq: int  # events in the chain
    head_hash: str
    checkpoint_no: int
    signed_at: datetime
    key_id: str
    signature: str  # hex, Ed25519


@dataclass(frozen=True)
class Verification:
    """What the QR codes lead to: `url_base` joined with `token`, and on each page that page's number."""

    url_base: str
    token: str
    document_no: str | None = None  # the issued document's number, printed beside the QR code
    anchor: AuditAnchor | None = None  # printed in the appendix; None on a document not issued
    access_code: str | None = None  # printed on the cover: shows the pages as issued on the verify page

    @property
    def url(self) -> str:
        if self.url_base.endswith(("/", "=")):
            return self.url_base + self.token
        return f"{self.url_base}/{self.token}"

    def page_url(self, page_no: int) -> str:
        """The address a page's QR code holds: the document's, then the page's number in the file."""
        return f"{self.url}/{page_no}"


@dataclass(frozen=True)
class DocumentTitles:
    """The titles printed in each document's header; the agriculture side words some differently."""

    cover: str = "案卷封面"
    on_site: str = "现场笔录"
    sampling: str = "抽样记录"
    evidence: str = "证据提取单"
    appendix: str = "附录"


@dataclass(frozen=True)
class CaseFile:
    """Everything printed in one case file, for one version of one inspection."""

    agency_name: str  # 执法机构, e.g. 呼和浩特市新城区市场监督管理局
    case_title: str  # 案卷题名 on the cover, e.g. 农资产品质量监督检查
    inspection_subject: str  # what is inspected, said in the opening question: "农资经营情况"
    case_number: str | None  # 文号; None prints 待编号
    case_version: int
    party: Party
    inspectors: tuple[Inspector, ...]
    started_at: datetime
    ended_at: datetime
    place: str
    answers: StandardAnswers
    checklist: tuple[ChecklistSection, ...]
    narrative: str  # 现场情况
    party_statement: str  # 当事人的陈述和申辩
    signatures: Signatures
    verification: Verification
    issued_at: datetime
    gps: GeoPoint | None = None
    samples: tuple[Sample, ...] = ()
    photos: tuple[EvidencePhoto, ...] = ()
    audit_trail: tuple[AuditEntry, ...] = ()
    titles: DocumentTitles = DocumentTitles()
    on_site_person: str | None = None  # 现场负责人
    # 一式N份 per document key (on_site, sampling, evidence); a key not here prints no copies line.
    copies: dict[str, int] = field(default_factory=dict)
    # The record's review status: draft | submitted | returned | rejected | approved. Only an
    # approved record prints clean and with its number; any other prints a watermark.
    status: str = "approved"

    @property
    def printed_number(self) -> str | None:
        """The 文号 as printed: only an approved record has one on paper."""
        return self.case_number if self.status == "approved" else None

    def __post_init__(self) -> None:
        if len(self.inspectors) < 2:
            raise ValueError("a record needs at least two inspectors (reference §3.9)")
        if any(not i.cert_no for i in self.inspectors):
            raise ValueError("every inspector needs a certificate number (执法证号)")
        if self.ended_at < self.started_at:
            raise ValueError("the inspection ends before it starts")
